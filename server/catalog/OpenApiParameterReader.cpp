// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/OpenApiParameterReader.h"

#include "catalog/OpenApiRefResolver.h"
#include "config/ConfigNode.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int maxAllOfDepth = 64;

// The JSON Schema type a parameter takes, "" when the schema does not say.
QString declaredType(const QJsonObject &schema)
{
    const QJsonValue type = schema.value(u"type"_s);
    if (type.isString()) {
        return Operation::normalizeType(type.toString());
    }
    if (type.isArray()) { // 3.1: ["string", "null"]
        for (const auto &item : type.toArray()) {
            if (item.isString() && item.toString() != u"null") {
                return Operation::normalizeType(item.toString());
            }
        }
    }
    if (schema.contains(u"properties"_s)) {
        return u"object"_s;
    }
    if (schema.contains(u"items"_s)) {
        return u"array"_s;
    }
    for (const QString &key : {u"allOf"_s, u"oneOf"_s, u"anyOf"_s}) {
        for (const auto &part : schema.value(key).toArray()) {
            QString found = declaredType(part.toObject());
            if (!found.isEmpty()) {
                return found;
            }
        }
    }
    return {};
}

} // namespace

OpenApiParameterReader::OpenApiParameterReader(OpenApiRefResolver &refs)
    : m_refs(refs)
{}

QString OpenApiParameterReader::typeOf(const QJsonObject &schema)
{
    const QString type = declaredType(schema);
    return type.isEmpty() ? u"string"_s : type;
}

QList<OperationParameter> OpenApiParameterReader::declared(const ConfigNode &owner,
                                                           const QString &ownerPlace)
{
    const ConfigNode *list = owner.child(u"parameters");
    const QString place = OpenApiRefResolver::join(ownerPlace, u"parameters");
    if (!list || list->isNull()) {
        return {};
    }
    if (!list->isSequence()) {
        m_refs.problem(place, u"expected a list of parameters"_s);
        return {};
    }
    QList<OperationParameter> out;
    for (size_t i = 0; i < list->items().size(); ++i) {
        if (std::optional<OperationParameter> p =
                readParameter(list->items().at(i), OpenApiRefResolver::indexed(place, i))) {
            out.append(*p);
        }
    }
    return out;
}

std::optional<OperationParameter> OpenApiParameterReader::readParameter(const ConfigNode &item,
                                                                        const QString &place)
{
    const ConfigNode *node = m_refs.follow(item, place);
    if (!node) {
        return std::nullopt;
    }
    if (!node->isMap()) {
        m_refs.problem(place, u"expected a parameter (a map with name and in)"_s);
        return std::nullopt;
    }
    const std::optional<QString> name = m_refs.requiredText(*node, u"name", place);
    const std::optional<QString> in = m_refs.requiredText(*node, u"in", place);
    if (!name || !in) {
        return std::nullopt;
    }
    if (!QStringList{u"query"_s, u"header"_s, u"path"_s, u"cookie"_s}.contains(*in)) {
        m_refs.problem(OpenApiRefResolver::join(place, u"in"),
                       u"invalid value \"%1\" (expected query, header, path or cookie)"_s.arg(*in));
        return std::nullopt;
    }
    OperationParameter p;
    p.wireName = *name;
    p.location = *in;
    p.required = m_refs.flag(*node, u"required", place) || *in == u"path";
    p.description = m_refs.text(*node, u"description", place).value_or(QString());
    const ConfigNode *schema = node->child(u"schema");
    QString schemaPlace = OpenApiRefResolver::join(place, u"schema");
    if (!schema || schema->isNull()) {
        schema = nullptr;
        const ConfigNode *content = m_refs.mapAt(*node, u"content", place);
        if (content && !content->entries().empty() && content->entries().front().value.isMap()) {
            const ConfigNode::Entry &media = content->entries().front();
            schema = media.value.child(u"schema");
            schemaPlace = place + u".content."_s + media.key + u".schema"_s;
        }
    }
    if (schema && !schema->isNull()) {
        p.schema = m_refs.schema(*schema, schemaPlace);
    }
    p.type = typeOf(p.schema);
    p.defaultValue = p.schema.value(u"default"_s);
    static const QStringList ignoredHeaders{u"accept"_s, u"content-type"_s, u"authorization"_s};
    if (*in == u"cookie" || (*in == u"header" && ignoredHeaders.contains(name->toLower()))) {
        return std::nullopt;
    }
    return p;
}

void OpenApiParameterReader::addBody(const ConfigNode &op,
                                     const QString &opPlace,
                                     Operation &operation,
                                     QStringList &taken)
{
    const ConfigNode *written = op.child(u"requestBody");
    const QString place = OpenApiRefResolver::join(opPlace, u"requestBody");
    if (!written || written->isNull()) {
        return;
    }
    const ConfigNode *body = m_refs.follow(*written, place);
    if (!body) {
        return;
    }
    if (!body->isMap()) {
        m_refs.problem(place, u"expected a request body (a map with content)"_s);
        return;
    }
    const bool required = m_refs.flag(*body, u"required", place);
    const QString description = m_refs.text(*body, u"description", place).value_or(QString());
    const ConfigNode *content = m_refs.mapAt(*body, u"content", place);
    const ConfigNode::Entry *media = content ? jsonMediaType(*content) : nullptr;
    if (!media) {
        return; // no JSON body: the operation stays, without body parameters
    }
    const QString mediaPlace = place + u".content."_s + media->key;
    if (!media->value.isMap()) {
        m_refs.problem(mediaPlace, u"expected a media type (a map with schema)"_s);
        return;
    }
    const ConfigNode *schema = media->value.child(u"schema");
    if (!schema || schema->isNull()) {
        return;
    }
    const QString schemaPlace = OpenApiRefResolver::join(mediaPlace, u"schema");
    QList<BodyField> fields;
    QStringList requiredNames;
    collectProperties(*schema, schemaPlace, fields, requiredNames, 0);
    if (fields.isEmpty()) {
        OperationParameter whole;
        whole.schema = m_refs.schema(*schema, schemaPlace);
        whole.name = Operation::exposedName(u"body"_s, taken);
        whole.wireName = QString(); // the whole body (see OpenApiLoader.h)
        whole.location = u"body"_s;
        whole.type = typeOf(whole.schema);
        whole.required = required;
        whole.description =
            description.isEmpty() ? whole.schema.value(u"description"_s).toString() : description;
        operation.parameters.append(whole);
        return;
    }
    for (const BodyField &field : std::as_const(fields)) {
        OperationParameter p;
        p.schema = m_refs.schema(*field.schema, field.place);
        if (p.schema.value(u"readOnly"_s).toBool()) {
            continue; // sent by the server, not by callers
        }
        p.wireName = field.name;
        p.name = Operation::exposedName(field.name, taken);
        p.location = u"body"_s;
        p.type = typeOf(p.schema);
        p.required = requiredNames.contains(field.name);
        p.description = p.schema.value(u"description"_s).toString();
        p.defaultValue = p.schema.value(u"default"_s);
        operation.parameters.append(p);
    }
}

const ConfigNode::Entry *OpenApiParameterReader::jsonMediaType(const ConfigNode &content)
{
    const auto base = [](const QString &key) {
        return key.section(u';', 0, 0).trimmed().toLower();
    };
    for (const ConfigNode::Entry &entry : content.entries()) {
        if (base(entry.key) == u"application/json") {
            return &entry;
        }
    }
    for (const ConfigNode::Entry &entry : content.entries()) {
        if (base(entry.key).endsWith(u"+json"_s)) {
            return &entry;
        }
    }
    return nullptr;
}

void OpenApiParameterReader::collectProperties(const ConfigNode &written,
                                               const QString &place,
                                               QList<BodyField> &fields,
                                               QStringList &required,
                                               int depth)
{
    if (depth > maxAllOfDepth) {
        m_refs.problem(place, u"allOf nests more than %1 levels deep"_s.arg(maxAllOfDepth));
        return;
    }
    const ConfigNode *schema = m_refs.follow(written, place);
    if (!schema || !schema->isMap()) {
        return;
    }
    if (const ConfigNode *properties = schema->child(u"properties")) {
        if (properties->isMap()) {
            for (const ConfigNode::Entry &entry : properties->entries()) {
                BodyField field{entry.key, &entry.value, place + u".properties."_s + entry.key};
                auto same = std::find_if(fields.begin(), fields.end(), [&](const BodyField &f) {
                    return f.name == entry.key;
                });
                if (same != fields.end()) {
                    *same = field;
                } else {
                    fields.append(field);
                }
            }
        } else if (!properties->isNull()) {
            m_refs.problem(OpenApiRefResolver::join(place, u"properties"),
                           u"expected a map of schemas"_s);
        }
    }
    if (const ConfigNode *names = schema->child(u"required"); names && names->isSequence()) {
        for (const ConfigNode &name : names->items()) {
            if (name.isScalar()) {
                required.append(name.text());
            }
        }
    }
    if (const ConfigNode *parts = schema->child(u"allOf"); parts && parts->isSequence()) {
        for (size_t i = 0; i < parts->items().size(); ++i) {
            collectProperties(
                parts->items().at(i),
                OpenApiRefResolver::indexed(OpenApiRefResolver::join(place, u"allOf"), i),
                fields,
                required,
                depth + 1);
        }
    }
}

} // namespace Gestalt
