// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/OpenApiRefResolver.h"

#include "config/ConfigErrors.h"
#include "config/ConfigNode.h"

#include <QJsonArray>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qsizetype maxOpenRefs = 64;
constexpr int maxSchemaDepth = 256;
constexpr qint64 maxSchemaNodes = 100'000;
constexpr qint64 maxDocumentNodes = 2'000'000;

// Keywords whose value is one schema, a map of named schemas, or a list of schemas. Every other
// keyword (type, enum, default, example, xml, x-...) is data and copied as written.
bool isSchemaKeyword(QStringView key)
{
    static const QStringList keys{u"items"_s,
                                  u"additionalProperties"_s,
                                  u"not"_s,
                                  u"if"_s,
                                  u"then"_s,
                                  u"else"_s,
                                  u"contains"_s,
                                  u"propertyNames"_s,
                                  u"unevaluatedItems"_s,
                                  u"unevaluatedProperties"_s,
                                  u"additionalItems"_s,
                                  u"contentSchema"_s};
    return keys.contains(key);
}

bool isSchemaMapKeyword(QStringView key)
{
    static const QStringList keys{u"properties"_s,
                                  u"patternProperties"_s,
                                  u"$defs"_s,
                                  u"definitions"_s,
                                  u"dependentSchemas"_s};
    return keys.contains(key);
}

bool isSchemaListKeyword(QStringView key)
{
    static const QStringList keys{u"allOf"_s, u"anyOf"_s, u"oneOf"_s, u"prefixItems"_s};
    return keys.contains(key);
}

QStringList pointerTokens(const QString &ref)
{
    QStringList tokens = ref.mid(2).split(u'/');
    for (QString &token : tokens) {
        token = QUrl::fromPercentEncoding(token.toUtf8());
        token.replace(u"~1"_s, u"/"_s);
        token.replace(u"~0"_s, u"~"_s);
    }
    return tokens;
}

} // namespace

OpenApiRefResolver::OpenApiRefResolver(const ConfigNode &root, ConfigErrors &errors, QString source)
    : m_root(root)
    , m_errors(errors)
    , m_source(std::move(source))
{}

void OpenApiRefResolver::problem(const QString &place, const QString &message)
{
    m_errors.add(SourceLocation{m_source}, place.isEmpty() ? message : place + u": "_s + message);
}

QString OpenApiRefResolver::join(const QString &place, QStringView key)
{
    return place.isEmpty() ? key.toString() : place + u'.' + key;
}

QString OpenApiRefResolver::indexed(const QString &place, size_t index)
{
    return place + u"[%1]"_s.arg(index);
}

std::optional<QString>
OpenApiRefResolver::text(const ConfigNode &map, QStringView key, const QString &place)
{
    const ConfigNode *node = map.child(key);
    if (!node || node->isNull()) {
        return std::nullopt;
    }
    if (!node->isScalar()) {
        problem(join(place, key), u"expected a string"_s);
        return std::nullopt;
    }
    return node->text();
}

std::optional<QString>
OpenApiRefResolver::requiredText(const ConfigNode &map, QStringView key, const QString &place)
{
    const ConfigNode *node = map.child(key);
    if (!node || node->isNull()) {
        problem(join(place, key), u"required"_s);
        return std::nullopt;
    }
    std::optional<QString> value = text(map, key, place);
    if (value && value->isEmpty()) {
        problem(join(place, key), u"must not be empty"_s);
        return std::nullopt;
    }
    return value;
}

const ConfigNode *
OpenApiRefResolver::mapAt(const ConfigNode &map, QStringView key, const QString &place)
{
    const ConfigNode *node = map.child(key);
    if (!node || node->isNull()) {
        return nullptr;
    }
    if (!node->isMap()) {
        problem(join(place, key), u"expected a map"_s);
        return nullptr;
    }
    return node;
}

bool OpenApiRefResolver::flag(const ConfigNode &map, QStringView key, const QString &place)
{
    const ConfigNode *node = map.child(key);
    if (!node || node->isNull()) {
        return false;
    }
    const QJsonValue value = node->toJson();
    if (!value.isBool()) {
        problem(join(place, key), u"expected true or false"_s);
        return false;
    }
    return value.toBool();
}

QString OpenApiRefResolver::placeOf(const QString &ref)
{
    if (!ref.startsWith(u"#/"_s)) {
        return ref;
    }
    QString place;
    for (const QString &token : pointerTokens(ref)) {
        bool isIndex = false;
        token.toUInt(&isIndex);
        if (isIndex && !place.isEmpty()) {
            place += u'[' + token + u']';
        } else {
            place += (place.isEmpty() ? QString() : u"."_s) + token;
        }
    }
    return place;
}

const ConfigNode *OpenApiRefResolver::lookup(const QString &ref, const QString &place)
{
    if (ref == u"#") {
        return &m_root;
    }
    if (!ref.startsWith(u"#/"_s)) {
        problem(place,
                u"unsupported $ref \"%1\" (expected a JSON pointer such as "
                u"#/components/schemas/Name)"_s.arg(ref));
        return nullptr;
    }
    if (const auto known = m_targets.constFind(ref); known != m_targets.cend()) {
        return known->node;
    }
    const ConfigNode *node = &m_root;
    for (const QString &token : pointerTokens(ref)) {
        if (node->isMap()) {
            node = node->child(token);
        } else if (node->isSequence()) {
            bool ok = false;
            const uint index = token.toUInt(&ok);
            node = ok && index < node->items().size() ? &node->items().at(index) : nullptr;
        } else {
            node = nullptr;
        }
        if (!node) {
            problem(place, u"unresolvable $ref \"%1\""_s.arg(ref));
            return nullptr;
        }
    }
    m_targets.insert(ref, Target{node, placeOf(ref)});
    return node;
}

const ConfigNode *OpenApiRefResolver::follow(const ConfigNode &node, const QString &place)
{
    const ConfigNode *current = &node;
    QStringList chain;
    while (current->isMap() && current->child(u"$ref")) {
        const ConfigNode *refNode = current->child(u"$ref");
        if (!refNode->isScalar()) {
            problem(place + u".$ref"_s, u"expected a string"_s);
            return nullptr;
        }
        const QString ref = refNode->text();
        if (!ref.startsWith(u'#')) {
            problem(
                place,
                u"remote $ref \"%1\" is not supported (only local #/... references)"_s.arg(ref));
            return nullptr;
        }
        if (chain.contains(ref)) {
            problem(place, u"circular $ref \"%1\""_s.arg(ref));
            return nullptr;
        }
        if (chain.size() >= maxOpenRefs) {
            problem(place, u"more than %1 $refs in a row"_s.arg(maxOpenRefs));
            return nullptr;
        }
        chain.append(ref);
        current = lookup(ref, place);
        if (!current) {
            return nullptr;
        }
    }
    return current;
}

QJsonObject OpenApiRefResolver::schema(const ConfigNode &node, const QString &place)
{
    m_schemaNodes = 0;
    m_open.clear();
    const QJsonValue value = expand(node, place, 0);
    return value.isObject() ? value.toObject() : QJsonObject();
}

bool OpenApiRefResolver::spend(const QString &place)
{
    if (m_overBudget) {
        return false;
    }
    if (++m_documentNodes > maxDocumentNodes) {
        problem(place,
                u"the document's schemas expand to more than %1 nodes"_s.arg(maxDocumentNodes));
        m_overBudget = true;
        return false;
    }
    if (++m_schemaNodes == maxSchemaNodes + 1) {
        problem(place, u"the schema expands to more than %1 nodes"_s.arg(maxSchemaNodes));
    }
    return m_schemaNodes <= maxSchemaNodes;
}

QJsonValue OpenApiRefResolver::expand(const ConfigNode &node, const QString &place, int depth)
{
    if (!spend(place)) {
        return QJsonObject();
    }
    if (depth > maxSchemaDepth) {
        problem(place, u"the schema nests more than %1 levels deep"_s.arg(maxSchemaDepth));
        return QJsonObject();
    }
    switch (node.kind()) {
    case ConfigNode::Kind::Null:
    case ConfigNode::Kind::Scalar:
        return node.toJson(); // true / false schemas (3.1)
    case ConfigNode::Kind::Sequence:
        problem(place, u"expected a schema (a map), not a list"_s);
        return QJsonObject();
    case ConfigNode::Kind::Map:
        break;
    }
    return node.child(u"$ref") ? expandRef(node, place, depth) : expandMap(node, place, depth);
}

QJsonValue OpenApiRefResolver::expandRef(const ConfigNode &node, const QString &place, int depth)
{
    const ConfigNode *refNode = node.child(u"$ref");
    if (!refNode->isScalar()) {
        problem(place + u".$ref"_s, u"expected a string"_s);
        return QJsonObject();
    }
    const QString ref = refNode->text();
    if (!ref.startsWith(u'#')) {
        problem(place,
                u"remote $ref \"%1\" is not supported (only local #/... references)"_s.arg(ref));
        return QJsonObject();
    }
    if (m_open.contains(ref)) {
        return QJsonObject{{u"type"_s, u"object"_s}}; // a cycle: cut here
    }
    if (m_open.size() >= maxOpenRefs) {
        problem(place, u"more than %1 nested $refs"_s.arg(maxOpenRefs));
        return QJsonObject();
    }
    const ConfigNode *target = lookup(ref, place);
    if (!target) {
        return QJsonObject();
    }
    m_open.append(ref);
    QJsonValue value = expand(*target, m_targets.value(ref).place, depth + 1);
    m_open.removeLast();
    if (node.entries().size() > 1 && value.isObject()) {
        // 3.1 allows keywords next to $ref; they apply on top of the target.
        QJsonObject merged = value.toObject();
        const QJsonObject siblings = expandMap(node, place, depth).toObject();
        for (auto it = siblings.begin(); it != siblings.end(); ++it) {
            merged.insert(it.key(), it.value());
        }
        value = merged;
    }
    return value;
}

QJsonValue OpenApiRefResolver::expandMap(const ConfigNode &node, const QString &place, int depth)
{
    QJsonObject out;
    for (const ConfigNode::Entry &entry : node.entries()) {
        const QString &key = entry.key;
        const ConfigNode &value = entry.value;
        const QString at = place + u'.' + key;
        if (key == u"$ref") {
            continue;
        }
        if (isSchemaKeyword(key)) {
            if (value.isSequence()) { // items: [...] as older drafts write tuples
                QJsonArray list;
                for (size_t i = 0; i < value.items().size(); ++i) {
                    list.append(expand(value.items().at(i), at + u"[%1]"_s.arg(i), depth + 1));
                }
                out.insert(key, list);
            } else {
                out.insert(key, expand(value, at, depth + 1));
            }
        } else if (isSchemaMapKeyword(key)) {
            if (!value.isMap()) {
                if (!value.isNull()) {
                    problem(at, u"expected a map of schemas"_s);
                }
                continue;
            }
            QJsonObject named;
            for (const ConfigNode::Entry &child : value.entries()) {
                named.insert(child.key, expand(child.value, at + u'.' + child.key, depth + 1));
            }
            out.insert(key, named);
        } else if (isSchemaListKeyword(key)) {
            if (!value.isSequence()) {
                problem(at, u"expected a list of schemas"_s);
                continue;
            }
            QJsonArray list;
            for (size_t i = 0; i < value.items().size(); ++i) {
                list.append(expand(value.items().at(i), at + u"[%1]"_s.arg(i), depth + 1));
            }
            out.insert(key, list);
        } else {
            out.insert(key, value.toJson());
        }
    }
    return out;
}

} // namespace Gestalt
