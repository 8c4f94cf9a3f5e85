// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ConfigNode.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QSet>
#include <QStringList>

#include <chrono>
#include <initializer_list>
#include <optional>
#include <utility>

namespace Gestalt {

class ConfigErrors;

// Typed, strict access to one YAML map of the config. Every key a decoder asks for becomes known;
// when the reader goes out of scope, each key of the map that nobody asked for is reported as
// `file:line:col: unknown key "a.b.c" (did you mean "x"?)`. Free-form blocks are read with
// object()/value(), which do not look inside. Type errors carry the key path and the value's
// location; values are echoed only for non-secret kinds (numbers, durations, enums).
//
// Every key the Go gestaltd documents does one of three things (docs/CONFIG.md): it is read
// (works), it is accepted with a warning (ignored(): only when ignoring it changes neither
// security nor data), or it is refused with the reason (refused()). Besides its path, a reader
// knows its key pattern: the path with map names written <name> and list items [] (as in
// docs/CONFIG.md's table); a test records every pattern the decoders ask for (recordKeys()).
class ConfigMapReader final
{
public:
    struct Child
    {
        QString name; // map key, or the index for list items
        QString path;
        QString pattern; // path with map names as <name> and list indexes as []
        SourceLocation location;
        const ConfigNode *node =
            nullptr; // never null for entries(); may be a Null node for items()
    };

    // `node` may be null or a YAML null (an empty map); anything else but a map is an error.
    // `pattern` defaults to `path` (for roots and readers without map names in their path).
    ConfigMapReader(const ConfigNode *node,
                    QString path,
                    const SourceLocation &anchor,
                    ConfigErrors &errors,
                    QString pattern = {});
    // The map under `key` of `parent`, for values read by hand (take() first, then this).
    [[nodiscard]] static ConfigMapReader
    nested(ConfigMapReader &parent, const ConfigNode *node, QStringView key);
    ConfigMapReader(const Child &child, ConfigErrors &errors);
    ~ConfigMapReader();
    Q_DISABLE_COPY_MOVE(ConfigMapReader)

    [[nodiscard]] const QString &path() const { return m_path; }
    [[nodiscard]] QString pathOf(QStringView key) const;
    [[nodiscard]] SourceLocation locationOf(QStringView key) const;
    [[nodiscard]] const SourceLocation &anchor() const { return m_anchor; }
    [[nodiscard]] ConfigErrors &errors() const { return m_errors; }
    [[nodiscard]] bool isMap() const { return m_node != nullptr; }
    [[nodiscard]] const QString &pattern() const { return m_pattern; }
    [[nodiscard]] QString patternOf(QStringView key) const;
    // This map's keys are names (HTTP header names...): their patterns read <name>.
    void keysAreNames() { m_keysAreNames = true; }

    // While set, every key pattern a reader asks for is added to `keys` (tests only; not
    // thread-safe; pass nullptr to stop).
    static void recordKeys(QSet<QString> *keys);

    // Present with a non-null value. Marks the key as known.
    [[nodiscard]] bool has(QStringView key);
    // The value, or nullptr when absent or null. Marks the key as known.
    [[nodiscard]] const ConfigNode *take(QStringView key);
    // Marks keys as known without reading them (handled elsewhere).
    void skip(std::initializer_list<QStringView> keys);

    // Outcome 2: when present, the key is accepted and does nothing, with a warning that gives
    // `reason`. Only for keys whose absence can change neither security nor data.
    void ignored(QStringView key, const QString &reason);
    // Outcome 3: when present, an error naming the key's path and `reason`. Returns whether the
    // key was present.
    bool refused(QStringView key, const QString &reason);
    // The docs/CONFIG.md row of Go's structured secret refs ({secret: {provider, name}} where a
    // string goes): ConfigLoader resolves them before any decoder reads the tree (SecretResolver).
    [[nodiscard]] static QString secretRefPattern();
    // The reason of a key whose support is being written: "not supported yet (<what>)".
    [[nodiscard]] static QString notSupportedYet(const QString &what);

    void error(QStringView key, const QString &message) const;
    void errorHere(const QString &message) const;

    [[nodiscard]] QString string(QStringView key, const QString &fallback = {});
    [[nodiscard]] QString requiredString(QStringView key);
    [[nodiscard]] bool boolean(QStringView key, bool fallback);
    [[nodiscard]] std::optional<bool> optionalBoolean(QStringView key);
    [[nodiscard]] qint64 integer(QStringView key, qint64 fallback, qint64 min, qint64 max);
    // Durations must be positive.
    [[nodiscard]] std::chrono::milliseconds duration(QStringView key,
                                                     std::chrono::milliseconds fallback);
    [[nodiscard]] std::optional<std::chrono::milliseconds> optionalDuration(QStringView key);
    [[nodiscard]] qint64 byteSize(QStringView key, qint64 fallback);
    // A list of strings; `acceptSingle` also takes one scalar as a one-element list.
    [[nodiscard]] QStringList
    stringList(QStringView key, const QStringList &fallback = {}, bool acceptSingle = false);
    [[nodiscard]] QMap<QString, QString> stringMap(QStringView key);
    // Free-form: not checked for unknown keys.
    [[nodiscard]] QJsonObject object(QStringView key);
    [[nodiscard]] QJsonValue value(QStringView key);

    template<typename E>
    [[nodiscard]] E
    choice(QStringView key, std::initializer_list<std::pair<QStringView, E>> options, E fallback)
    {
        const ConfigNode *node = take(key);
        if (!node) {
            return fallback;
        }
        QStringList names;
        for (const auto &[name, value] : options) {
            if (node->isScalar() && node->text() == name) {
                return value;
            }
            names.append(name.toString());
        }
        invalidChoice(key, *node, names);
        return fallback;
    }

    // A nested map: the returned reader checks that map's keys.
    [[nodiscard]] ConfigMapReader map(QStringView key);
    // Named children of a map-valued key (apps.<name>, providers.indexeddb.<name>...).
    [[nodiscard]] QList<Child> entries(QStringView key);
    // Elements of a list-valued key.
    [[nodiscard]] QList<Child> items(QStringView key);

    // "path.key", with keys that contain dots or spaces written as ["a.b"].
    [[nodiscard]] static QString joinPath(const QString &path, QStringView key);
    // The closest candidate by edit distance, when it is close enough to be a likely typo.
    [[nodiscard]] static QString suggestion(const QString &key, const QStringList &candidates);

private:
    [[nodiscard]] const ConfigNode *scalarOf(QStringView key, const QString &expected);
    void invalidChoice(QStringView key, const ConfigNode &node, const QStringList &names) const;

    const ConfigNode *m_node = nullptr;
    QString m_path;
    QString m_pattern;
    bool m_keysAreNames = false;
    SourceLocation m_anchor;
    ConfigErrors &m_errors;
    QStringList m_known; // in the order decoders asked, for stable suggestions
};

} // namespace Gestalt
