// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>

#include <optional>

// Helpers of the wire types: how a time, an optional number and a list travel. Reading is
// lenient: a missing or mistyped field is empty, never an error.
namespace Gestalt::Wire {

[[nodiscard]] QDateTime timeFromJson(const QJsonValue &value);
// A number that is absent or null is not configured (nullopt).
[[nodiscard]] std::optional<qint64> numberFromJson(const QJsonValue &value);
// Inserts `value` under `key` when it is set.
void insertNumber(QJsonObject &object, const QString &key, const std::optional<qint64> &value);
// Inserts `time` under `key`, ISO 8601 with milliseconds, when it is valid.
void insertTime(QJsonObject &object, const QString &key, const QDateTime &time);
// Inserts `value` under `key` when it is not empty.
void insertString(QJsonObject &object, const QString &key, const QString &value);

template<typename T>
QList<T> listFromJson(const QJsonArray &array)
{
    QList<T> out;
    out.reserve(array.size());
    for (const QJsonValue value : array) {
        out.append(T::fromJson(value.toObject()));
    }
    return out;
}

template<typename T>
QJsonArray listToJson(const QList<T> &list)
{
    QJsonArray out;
    for (const T &item : list) {
        out.append(item.toJson());
    }
    return out;
}

} // namespace Gestalt::Wire
