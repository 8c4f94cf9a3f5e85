// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/Operation.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qsizetype MaxNameLength = 64;

quint32 fnv1a32(const QByteArray &bytes)
{
    quint32 hash = 2166136261u;
    for (const char c : bytes) {
        hash ^= static_cast<quint8>(c);
        hash *= 16777619u;
    }
    return hash;
}

bool isPlainNameChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
           || c == u'_' || c == u'.' || c == u'-';
}

} // namespace

const OperationParameter *Operation::parameter(const QString &name) const
{
    for (const OperationParameter &p : parameters) {
        if (p.name == name) {
            return &p;
        }
    }
    return nullptr;
}

QJsonObject Operation::annotations() const
{
    QJsonObject hints{{u"openWorldHint"_s, true}};
    if (method == u"GET" || method == u"HEAD") {
        hints.insert(u"readOnlyHint"_s, true);
    } else if (method == u"PUT") {
        hints.insert(u"idempotentHint"_s, true);
    } else if (method == u"DELETE") {
        hints.insert(u"destructiveHint"_s, true);
    }
    return hints;
}

QJsonObject Operation::toJson() const
{
    QJsonObject json{{u"id"_s, id}, {u"method"_s, method}, {u"path"_s, path}};
    if (!title.isEmpty()) {
        json.insert(u"title"_s, title);
    }
    if (!description.isEmpty()) {
        json.insert(u"description"_s, description);
    }
    if (!inputSchema.isEmpty()) {
        json.insert(u"inputSchema"_s, inputSchema);
    }
    json.insert(u"annotations"_s, annotations());
    if (!allowedRoles.isEmpty()) {
        json.insert(u"allowedRoles"_s, QJsonArray::fromStringList(allowedRoles));
    }
    if (!tags.isEmpty()) {
        json.insert(u"tags"_s, QJsonArray::fromStringList(tags));
    }
    QJsonArray params;
    for (const OperationParameter &p : parameters) {
        if (p.internal) {
            continue;
        }
        QJsonObject param{{u"name"_s, p.name}, {u"type"_s, p.type}};
        if (p.wireName != p.name) {
            param.insert(u"wireName"_s, p.wireName);
        }
        if (!p.location.isEmpty()) {
            param.insert(u"location"_s, p.location);
        }
        if (!p.description.isEmpty()) {
            param.insert(u"description"_s, p.description);
        }
        if (p.required) {
            param.insert(u"required"_s, true);
        }
        if (!p.defaultValue.isUndefined()) {
            param.insert(u"default"_s, p.defaultValue);
        }
        params.append(param);
    }
    if (!params.isEmpty()) {
        json.insert(u"parameters"_s, params);
    }
    const bool readOnly = method == u"GET" || method == u"HEAD";
    json.insert(u"readOnly"_s, readOnly);
    json.insert(u"transport"_s, transport == Transport::Mcp ? u"mcp"_s : u"rest"_s);
    return json;
}

void Operation::synthesizeInputSchema()
{
    QJsonObject properties;
    QJsonArray required;
    for (const OperationParameter &p : parameters) {
        if (p.internal) {
            continue;
        }
        QJsonObject property = p.schema;
        if (property.isEmpty()) {
            property.insert(u"type"_s, p.type);
        }
        if (!p.description.isEmpty() && !property.contains(u"description"_s)) {
            property.insert(u"description"_s, p.description);
        }
        if (!p.defaultValue.isUndefined() && !property.contains(u"default"_s)) {
            property.insert(u"default"_s, p.defaultValue);
        }
        properties.insert(p.name, property);
        if (p.required) {
            required.append(p.name);
        }
    }
    inputSchema = QJsonObject{{u"type"_s, u"object"_s}, {u"properties"_s, properties}};
    if (!required.isEmpty()) {
        inputSchema.insert(u"required"_s, required);
    }
}

QString Operation::normalizeType(const QString &declared)
{
    const QString type = declared.trimmed().toLower();
    if (type == u"int" || type == u"integer") {
        return u"integer"_s;
    }
    if (type == u"float" || type == u"double" || type == u"number") {
        return u"number"_s;
    }
    if (type == u"bool" || type == u"boolean") {
        return u"boolean"_s;
    }
    if (type == u"array" || type.startsWith(u"array<") || type.startsWith(u"array[")) {
        return u"array"_s;
    }
    if (type == u"object" || type.startsWith(u"object{")) {
        return u"object"_s;
    }
    return u"string"_s;
}

QString Operation::exposedName(const QString &wireName, QStringList &taken)
{
    QString name;
    for (const QChar c : wireName) {
        if (isPlainNameChar(c)) {
            name.append(c);
        } else if (c == u'$') {
            name.append(u"_dollar_"_s);
        } else if (c == u'@') {
            name.append(u"_at_"_s);
        } else if (c != u']' && c != u'"' && c != u'\'') {
            name.append(u'_'); // '[' and any other character; ']' and quotes are dropped
        }
    }
    if (name.isEmpty()) {
        name = u"_"_s;
    }
    if (name.size() > MaxNameLength) {
        const QString hash = u"_%1"_s.arg(fnv1a32(wireName.toUtf8()), 8, 16, QLatin1Char('0'));
        name = name.left(MaxNameLength - hash.size()) + hash;
    }
    QString unique = name;
    for (int n = 2; taken.contains(unique); ++n) {
        const QString suffix = u"_%1"_s.arg(n);
        unique = name.left(MaxNameLength - suffix.size()) + suffix;
    }
    taken.append(unique);
    return unique;
}

} // namespace Gestalt
