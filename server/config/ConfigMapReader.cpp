// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/ConfigMapReader.h"

#include "config/ConfigErrors.h"
#include "config/ConfigScalars.h"

#include <algorithm>
#include <vector>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("pubilc").
int editDistance(const QString &a, const QString &b)
{
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    std::vector<std::vector<int>> d(static_cast<size_t>(n + 1),
                                    std::vector<int>(static_cast<size_t>(m + 1), 0));
    const auto at = [&d](qsizetype i, qsizetype j) -> int & {
        return d[static_cast<size_t>(i)][static_cast<size_t>(j)];
    };
    for (qsizetype i = 0; i <= n; ++i) {
        at(i, 0) = static_cast<int>(i);
    }
    for (qsizetype j = 0; j <= m; ++j) {
        at(0, j) = static_cast<int>(j);
    }
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
            at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
            if (i > 1 && j > 1 && a.at(i - 1) == b.at(j - 2) && a.at(i - 2) == b.at(j - 1)) {
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
            }
        }
    }
    return at(n, m);
}

QString kindName(const ConfigNode &node)
{
    switch (node.kind()) {
    case ConfigNode::Kind::Map:
        return u"a map"_s;
    case ConfigNode::Kind::Sequence:
        return u"a list"_s;
    case ConfigNode::Kind::Scalar:
        return u"a single value"_s;
    case ConfigNode::Kind::Null:
        break;
    }
    return u"null"_s;
}

QSet<QString> *recordedKeys = nullptr;

// A scalar as error messages show it: quoted, or "a secret value" for a resolved secret ref.
QString shown(const ConfigNode &node)
{
    return node.isSecret() ? u"a secret value"_s : u"\""_s + node.text() + u"\""_s;
}

} // namespace

void ConfigMapReader::recordKeys(QSet<QString> *keys)
{
    recordedKeys = keys;
}

ConfigMapReader::ConfigMapReader(const ConfigNode *node,
                                 QString path,
                                 const SourceLocation &anchor,
                                 ConfigErrors &errors,
                                 QString pattern)
    : m_path(std::move(path))
    , m_pattern(pattern.isNull() ? m_path : std::move(pattern))
    , m_anchor(anchor)
    , m_errors(errors)
{
    if (node && node->isMap()) {
        m_node = node;
    } else if (node && !node->isNull()) {
        m_errors.add(node->location().isValid() ? node->location() : anchor,
                     m_path + u": expected a map, found "_s + kindName(*node));
    }
}

ConfigMapReader::ConfigMapReader(const Child &child, ConfigErrors &errors)
    : ConfigMapReader(child.node, child.path, child.location, errors, child.pattern)
{}

ConfigMapReader
ConfigMapReader::nested(ConfigMapReader &parent, const ConfigNode *node, QStringView key)
{
    return {
        node, parent.pathOf(key), parent.locationOf(key), parent.errors(), parent.patternOf(key)};
}

ConfigMapReader::~ConfigMapReader()
{
    if (!m_node) {
        return;
    }
    for (const ConfigNode::Entry &entry : m_node->entries()) {
        if (m_known.contains(entry.key)) {
            continue;
        }
        QString message = u"unknown key \"%1\""_s.arg(joinPath(m_path, entry.key));
        const QString closest = suggestion(entry.key, m_known);
        if (!closest.isEmpty()) {
            message += u" (did you mean \"%1\"?)"_s.arg(closest);
        }
        m_errors.add(entry.keyLocation, message);
    }
}

QString ConfigMapReader::joinPath(const QString &path, QStringView key)
{
    const bool plain =
        !key.isEmpty() && !key.contains(u'.') && !key.contains(u' ') && !key.contains(u'"');
    QString part = plain ? key.toString() : u"[\""_s + key + u"\"]"_s;
    if (path.isEmpty()) {
        return part;
    }
    if (plain) {
        return path + u'.' + part;
    }
    return path + part;
}

QString ConfigMapReader::suggestion(const QString &key, const QStringList &candidates)
{
    const QString lowered = key.toLower();
    const int limit = std::max(1, static_cast<int>(key.size()) / 3);
    QString best;
    int bestDistance = limit + 1;
    for (const QString &candidate : candidates) {
        const int distance = editDistance(lowered, candidate.toLower());
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

QString ConfigMapReader::pathOf(QStringView key) const
{
    return joinPath(m_path, key);
}

QString ConfigMapReader::patternOf(QStringView key) const
{
    return joinPath(m_pattern, m_keysAreNames ? QStringView(u"<name>") : key);
}

void ConfigMapReader::ignored(QStringView key, const QString &reason)
{
    if (has(key)) {
        m_errors.warn(locationOf(key), pathOf(key) + u": ignored: "_s + reason);
    }
}

bool ConfigMapReader::refused(QStringView key, const QString &reason)
{
    if (!has(key)) {
        return false;
    }
    m_errors.addRefusal(locationOf(key), pathOf(key) + u": "_s + reason, patternOf(key));
    return true;
}

QString ConfigMapReader::secretRefPattern()
{
    return u"{secret}"_s;
}

QString ConfigMapReader::notSupportedYet(const QString &what)
{
    return u"not supported yet (%1)"_s.arg(what);
}

SourceLocation ConfigMapReader::locationOf(QStringView key) const
{
    if (m_node) {
        if (const ConfigNode::Entry *entry = m_node->entry(key)) {
            return entry->keyLocation;
        }
    }
    return m_anchor;
}

bool ConfigMapReader::has(QStringView key)
{
    if (!m_known.contains(key)) {
        m_known.append(key.toString());
    }
    if (recordedKeys) {
        recordedKeys->insert(patternOf(key));
    }
    const ConfigNode *node = m_node ? m_node->child(key) : nullptr;
    return node != nullptr && !node->isNull();
}

const ConfigNode *ConfigMapReader::take(QStringView key)
{
    return has(key) ? m_node->child(key) : nullptr;
}

void ConfigMapReader::skip(std::initializer_list<QStringView> keys)
{
    for (const QStringView key : keys) {
        (void)has(key);
    }
}

void ConfigMapReader::error(QStringView key, const QString &message) const
{
    m_errors.add(locationOf(key), pathOf(key) + u": "_s + message);
}

void ConfigMapReader::errorHere(const QString &message) const
{
    m_errors.add(m_anchor, (m_path.isEmpty() ? u"config"_s : m_path) + u": "_s + message);
}

const ConfigNode *ConfigMapReader::scalarOf(QStringView key, const QString &expected)
{
    const ConfigNode *node = take(key);
    if (node && !node->isScalar()) {
        error(key, u"expected %1, found %2"_s.arg(expected, kindName(*node)));
        return nullptr;
    }
    return node;
}

QString ConfigMapReader::string(QStringView key, const QString &fallback)
{
    const ConfigNode *node = scalarOf(key, u"a string"_s);
    return node ? node->text() : fallback;
}

QString ConfigMapReader::requiredString(QStringView key)
{
    const bool present = has(key);
    QString value = string(key);
    if (value.isEmpty()) {
        if (present) {
            error(key, u"must not be empty"_s);
        } else {
            m_errors.add(m_anchor, pathOf(key) + u": required"_s);
        }
    }
    return value;
}

std::optional<bool> ConfigMapReader::optionalBoolean(QStringView key)
{
    const ConfigNode *node = scalarOf(key, u"true or false"_s);
    if (!node) {
        return std::nullopt;
    }
    std::optional<bool> value = parseBool(node->text());
    if (!value) {
        error(key, u"expected true or false, found %1"_s.arg(shown(*node)));
    }
    return value;
}

bool ConfigMapReader::boolean(QStringView key, bool fallback)
{
    return optionalBoolean(key).value_or(fallback);
}

qint64 ConfigMapReader::integer(QStringView key, qint64 fallback, qint64 min, qint64 max)
{
    const ConfigNode *node = scalarOf(key, u"an integer"_s);
    if (!node) {
        return fallback;
    }
    const std::optional<qint64> value = parseInteger(node->text());
    if (!value) {
        error(key, u"expected an integer, found %1"_s.arg(shown(*node)));
        return fallback;
    }
    if (*value < min || *value > max) {
        const QString written = node->isSecret() ? u"a secret value"_s : node->text();
        error(key, u"%1 is out of range (%2 to %3)"_s.arg(written).arg(min).arg(max));
        return fallback;
    }
    return *value;
}

std::optional<std::chrono::milliseconds> ConfigMapReader::optionalDuration(QStringView key)
{
    const ConfigNode *node = scalarOf(key, u"a duration"_s);
    if (!node) {
        return std::nullopt;
    }
    const std::optional<std::chrono::milliseconds> value = parseDuration(node->text());
    if (!value) {
        error(key,
              u"invalid duration %1 (use Go syntax like 500ms, 90s, 1h30m, or days like 30d)"_s.arg(
                  shown(*node)));
        return std::nullopt;
    }
    if (value->count() <= 0) {
        error(key, u"duration %1 must be positive"_s.arg(shown(*node)));
        return std::nullopt;
    }
    return value;
}

std::chrono::milliseconds ConfigMapReader::duration(QStringView key,
                                                    std::chrono::milliseconds fallback)
{
    return optionalDuration(key).value_or(fallback);
}

qint64 ConfigMapReader::byteSize(QStringView key, qint64 fallback)
{
    const ConfigNode *node = scalarOf(key, u"a size"_s);
    if (!node) {
        return fallback;
    }
    const std::optional<qint64> value = parseByteSize(node->text());
    if (!value || *value <= 0) {
        error(key,
              u"invalid size %1 (a positive byte count, or with a unit: 64KiB, 1MiB, 10MB)"_s.arg(
                  shown(*node)));
        return fallback;
    }
    return *value;
}

QStringList
ConfigMapReader::stringList(QStringView key, const QStringList &fallback, bool acceptSingle)
{
    const ConfigNode *node = take(key);
    if (!node) {
        return fallback;
    }
    if (acceptSingle && node->isScalar()) {
        return {node->text()};
    }
    if (!node->isSequence()) {
        error(key, u"expected a list of strings, found "_s + kindName(*node));
        return fallback;
    }
    QStringList out;
    for (size_t i = 0; i < node->items().size(); ++i) {
        const ConfigNode &item = node->items()[i];
        if (!item.isScalar()) {
            m_errors.add(item.location(),
                         u"%1[%2]: expected a string, found %3"_s.arg(pathOf(key))
                             .arg(i)
                             .arg(kindName(item)));
            continue;
        }
        out.append(item.text());
    }
    return out;
}

QMap<QString, QString> ConfigMapReader::stringMap(QStringView key)
{
    const ConfigNode *node = take(key);
    QMap<QString, QString> out;
    if (!node) {
        return out;
    }
    if (!node->isMap()) {
        error(key, u"expected a map of strings, found "_s + kindName(*node));
        return out;
    }
    for (const ConfigNode::Entry &entry : node->entries()) {
        if (entry.value.isNull()) {
            out.insert(entry.key, QString());
        } else if (entry.value.isScalar()) {
            out.insert(entry.key, entry.value.text());
        } else {
            m_errors.add(entry.keyLocation,
                         joinPath(pathOf(key), entry.key) + u": expected a string, found "_s
                             + kindName(entry.value));
        }
    }
    return out;
}

QJsonObject ConfigMapReader::object(QStringView key)
{
    const ConfigNode *node = take(key);
    if (!node) {
        return {};
    }
    if (!node->isMap()) {
        error(key, u"expected a map, found "_s + kindName(*node));
        return {};
    }
    return node->toJson().toObject();
}

QJsonValue ConfigMapReader::value(QStringView key)
{
    const ConfigNode *node = take(key);
    return node ? node->toJson() : QJsonValue(QJsonValue::Undefined);
}

void ConfigMapReader::invalidChoice(QStringView key,
                                    const ConfigNode &node,
                                    const QStringList &names) const
{
    if (!node.isScalar()) {
        error(key, u"expected one of %1, found %2"_s.arg(names.join(u", "_s), kindName(node)));
        return;
    }
    error(key, u"invalid value %1 (expected one of: %2)"_s.arg(shown(node), names.join(u", "_s)));
}

ConfigMapReader ConfigMapReader::map(QStringView key)
{
    const ConfigNode *node = take(key);
    return {node, pathOf(key), locationOf(key), m_errors, patternOf(key)};
}

QList<ConfigMapReader::Child> ConfigMapReader::entries(QStringView key)
{
    const ConfigNode *node = take(key);
    QList<Child> out;
    if (!node) {
        return out;
    }
    if (!node->isMap()) {
        error(key, u"expected a map, found "_s + kindName(*node));
        return out;
    }
    const QString base = pathOf(key);
    const QString pattern = patternOf(key) + u".<name>"_s;
    for (const ConfigNode::Entry &entry : node->entries()) {
        out.append(
            Child{entry.key, joinPath(base, entry.key), pattern, entry.keyLocation, &entry.value});
    }
    return out;
}

QList<ConfigMapReader::Child> ConfigMapReader::items(QStringView key)
{
    const ConfigNode *node = take(key);
    QList<Child> out;
    if (!node) {
        return out;
    }
    if (!node->isSequence()) {
        error(key, u"expected a list, found "_s + kindName(*node));
        return out;
    }
    const QString base = pathOf(key);
    const QString pattern = patternOf(key) + u"[]"_s;
    for (size_t i = 0; i < node->items().size(); ++i) {
        const ConfigNode &item = node->items()[i];
        const QString index = QString::number(i);
        out.append(Child{index, base + u'[' + index + u']', pattern, item.location(), &item});
    }
    return out;
}

} // namespace Gestalt
