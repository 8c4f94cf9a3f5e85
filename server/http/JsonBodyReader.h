// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <initializer_list>
#include <optional>

namespace Gestalt {

// Strict reading of one JSON object of a request body, on the model of config/ConfigMapReader:
// every field a handler asks for becomes known, and finish() refuses the rest with the one
// "unknown field" error of the API: `unknown field "color"` at the top level, and
// `unknown field "actions" in permissions[0]` inside (the reader's path).
//
// The getters never fail on their own: a field of the wrong type records an error (the first one
// wins) and reads as absent, so a handler reads every field, then returns finish()'s error. Absent
// and null read as absent. Type errors name the field's path: `permissions[0].name must be a
// string`.
class JsonBodyReader final
{
public:
    // `path` names this object in errors; empty for the body itself.
    explicit JsonBodyReader(QJsonObject object, QString path = {});

    [[nodiscard]] const QJsonObject &object() const { return m_object; }
    [[nodiscard]] const QString &path() const { return m_path; }
    // "name" at the top level, "permissions[0].name" inside.
    [[nodiscard]] QString pathOf(QStringView key) const;

    // Present and not null. Does not mark the field as known.
    [[nodiscard]] bool has(QStringView key) const;
    // Marks fields as known without reading them (read elsewhere, or accepted and ignored).
    void skip(std::initializer_list<QStringView> keys);

    [[nodiscard]] std::optional<QString> string(QStringView key);
    // Absent, null or "" record "`path` is required".
    [[nodiscard]] QString requiredString(QStringView key);
    [[nodiscard]] std::optional<bool> boolean(QStringView key);
    // A JSON number that is an integer in [min, max].
    [[nodiscard]] std::optional<qint64> integer(QStringView key, qint64 min, qint64 max);
    // An array of strings (each non-empty when `nonEmptyItems`).
    [[nodiscard]] std::optional<QStringList> stringList(QStringView key, bool nonEmptyItems = true);
    // Free-form: not checked for unknown fields. Read nested objects strictly with child().
    [[nodiscard]] std::optional<QJsonObject> objectValue(QStringView key);
    [[nodiscard]] std::optional<QJsonArray> array(QStringView key);
    // Any JSON value (undefined when absent).
    [[nodiscard]] QJsonValue value(QStringView key);
    // A field that also has older names (http-api-legacy.md: toolRefs[].pluginName for appName,
    // providerOptions for modelOptions). Returns the name the body uses, `key` when it uses none,
    // to read with the getters above (their errors then name what the caller sent); every other
    // name becomes known. Two names with different values record "`older` and `key` differ; give
    // one of them"; the same value under both is fine.
    [[nodiscard]] QString nameOf(QStringView key, std::initializer_list<QStringView> olderNames);

    // A strict reader for the object at `key` (path "key"), or for item `index` of the array at
    // `key` (path "key[index]"). Its errors are its own: call its finish() too.
    [[nodiscard]] std::optional<JsonBodyReader> child(QStringView key);
    [[nodiscard]] static std::optional<JsonBodyReader>
    item(const QJsonValue &value, const QString &path, Error *error);

    // Records an error for `key` (`path message`), unless one is recorded already.
    void fail(QStringView key, const QString &message);

    // The first recorded error, else the first unknown field in key order, else success.
    [[nodiscard]] Result<void> finish() const;

private:
    [[nodiscard]] QJsonValue take(QStringView key);

    QJsonObject m_object;
    QString m_path;
    QSet<QString> m_known;
    std::optional<Error> m_error;
};

} // namespace Gestalt
