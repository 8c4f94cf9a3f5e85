// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentRequest.h"

#include "shared/JsonPath.h"

#include <QJsonDocument>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace Gestalt::AgentRequest {

namespace {

constexpr int MaxMessages = 1000;
constexpr int MaxToolRefs = 256;
constexpr int MaxCheckouts = 16;

Result<void> validatePart(const QJsonValue &value, const QString &where)
{
    if (!value.isObject()) {
        return Error::invalid(where + u" must be an object"_s);
    }
    const QJsonObject part = value.toObject();
    static const QStringList types{u"text"_s, u"json"_s, u"tool_call"_s, u"tool_result"_s,
                                   u"image_ref"_s};
    const QString type = part.value(u"type"_s).toString();
    if (!types.contains(type)) {
        return Error::invalid(u"%1.type must be one of %2"_s.arg(where, types.join(u", "_s)));
    }
    if (Result<void> ok = onlyKnown(part,
                                    {u"type"_s, u"text"_s, u"json"_s, u"toolCall"_s,
                                     u"toolResult"_s, u"imageRef"_s},
                                    where);
        !ok) {
        return ok;
    }
    if (type == u"text" && !part.value(u"text"_s).isString()) {
        return Error::invalid(where + u".text must be a string"_s);
    }
    if (type == u"json" && !part.contains(u"json"_s)) {
        return Error::invalid(where + u".json is required"_s);
    }
    if (type == u"tool_call") {
        const QJsonObject call = part.value(u"toolCall"_s).toObject();
        if (call.value(u"id"_s).toString().isEmpty() || call.value(u"toolId"_s).toString().isEmpty()) {
            return Error::invalid(where + u".toolCall needs id and toolId"_s);
        }
        if (call.contains(u"arguments"_s) && !call.value(u"arguments"_s).isObject()) {
            return Error::invalid(where + u".toolCall.arguments must be an object"_s);
        }
    }
    if (type == u"tool_result"
        && part.value(u"toolResult"_s).toObject().value(u"toolCallId"_s).toString().isEmpty()) {
        return Error::invalid(where + u".toolResult.toolCallId is required"_s);
    }
    if (type == u"image_ref"
        && part.value(u"imageRef"_s).toObject().value(u"uri"_s).toString().isEmpty()) {
        return Error::invalid(where + u".imageRef.uri is required"_s);
    }
    return {};
}

bool unsafeRelativePath(const QString &path)
{
    if (path.isEmpty() || path.startsWith(u'/') || path.startsWith(u'\\') || path.contains(u'\0')
        || (path.size() > 1 && path.at(1) == u':')) {
        return true;
    }
    const QStringList segments = path.split(u'/');
    return segments.contains(u".."_s);
}

QString normalized(const QString &path)
{
    QStringList kept;
    for (const QString &segment : path.split(u'/', Qt::SkipEmptyParts)) {
        if (segment != u".") {
            kept.append(segment);
        }
    }
    return kept.join(u'/');
}


} // namespace

Result<void> onlyKnown(const QJsonObject &body, const QStringList &known, const QString &what)
{
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key())) {
            return Error::invalid(u"unknown field \"%1\" in %2"_s.arg(it.key(), what));
        }
    }
    return {};
}

Result<QJsonObject> optionalObject(const QJsonObject &body, const QString &key)
{
    const QJsonValue value = body.value(key);
    if (value.isUndefined() || value.isNull()) {
        return QJsonObject();
    }
    if (!value.isObject()) {
        return Error::invalid(key + u" must be an object"_s);
    }
    return value.toObject();
}

Result<QString> optionalString(const QJsonObject &body, const QString &key)
{
    const QJsonValue value = body.value(key);
    if (value.isUndefined() || value.isNull()) {
        return QString();
    }
    if (!value.isString()) {
        return Error::invalid(key + u" must be a string"_s);
    }
    return value.toString().trimmed();
}

Result<QJsonArray> messages(const QJsonValue &value)
{
    if (!value.isArray() || value.toArray().isEmpty()) {
        return Error::invalid(u"messages must be a non-empty array"_s);
    }
    const QJsonArray list = value.toArray();
    if (list.size() > MaxMessages) {
        return Error::invalid(u"messages may hold at most %1 entries"_s.arg(MaxMessages));
    }
    static const QStringList roles{u"system"_s, u"user"_s, u"assistant"_s, u"tool"_s};
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString where = u"messages[%1]"_s.arg(i);
        if (!list.at(i).isObject()) {
            return Error::invalid(where + u" must be an object"_s);
        }
        const QJsonObject message = list.at(i).toObject();
        if (Result<void> ok = onlyKnown(message, {u"role"_s, u"text"_s, u"parts"_s, u"metadata"_s},
                                        where);
            !ok) {
            return ok.error();
        }
        if (!roles.contains(message.value(u"role"_s).toString())) {
            return Error::invalid(u"%1.role must be one of %2"_s.arg(where, roles.join(u", "_s)));
        }
        if (message.contains(u"text"_s) && !message.value(u"text"_s).isString()) {
            return Error::invalid(where + u".text must be a string"_s);
        }
        if (message.contains(u"metadata"_s) && !message.value(u"metadata"_s).isObject()) {
            return Error::invalid(where + u".metadata must be an object"_s);
        }
        const QJsonValue parts = message.value(u"parts"_s);
        if (!parts.isUndefined() && !parts.isArray()) {
            return Error::invalid(where + u".parts must be an array"_s);
        }
        const QJsonArray partList = parts.toArray();
        for (qsizetype p = 0; p < partList.size(); ++p) {
            if (Result<void> ok = validatePart(partList.at(p), u"%1.parts[%2]"_s.arg(where).arg(p));
                !ok) {
                return ok.error();
            }
        }
        if (message.value(u"text"_s).toString().isEmpty() && partList.isEmpty()) {
            return Error::invalid(where + u" needs text or parts"_s);
        }
    }
    return list;
}

Result<QJsonArray> toolRefs(const QJsonValue &value)
{
    if (value.isUndefined()) {
        return QJsonArray();
    }
    if (!value.isArray()) {
        return Error::invalid(u"toolRefs must be an array"_s);
    }
    const QJsonArray refs = value.toArray();
    if (refs.size() > MaxToolRefs) {
        return Error::invalid(u"toolRefs may hold at most %1 entries"_s.arg(MaxToolRefs));
    }
    QJsonArray out;
    for (qsizetype i = 0; i < refs.size(); ++i) {
        const QString where = u"toolRefs[%1]"_s.arg(i);
        if (!refs.at(i).isObject()) {
            return Error::invalid(where + u" must be an object"_s);
        }
        QJsonObject ref = refs.at(i).toObject();
        if (Result<void> ok = onlyKnown(ref,
                                        {u"appName"_s, u"plugin"_s, u"operation"_s,
                                         u"connection"_s, u"instance"_s, u"title"_s,
                                         u"description"_s},
                                        where);
            !ok) {
            return ok.error();
        }
        if (!ref.contains(u"appName"_s) && ref.contains(u"plugin"_s)) {
            ref.insert(u"appName"_s, ref.take(u"plugin"_s));
        }
        for (const QString &key : {u"appName"_s, u"operation"_s}) {
            if (!ref.value(key).isString() || ref.value(key).toString().trimmed().isEmpty()) {
                return Error::invalid(u"%1.%2 is required"_s.arg(where, key));
            }
        }
        for (const QString &key : {u"connection"_s, u"instance"_s, u"title"_s, u"description"_s}) {
            if (ref.contains(key) && !ref.value(key).isString()) {
                return Error::invalid(u"%1.%2 must be a string"_s.arg(where, key));
            }
        }
        out.append(ref);
    }
    return out;
}

Result<QJsonObject> workspace(const QJsonValue &value)
{
    if (value.isUndefined() || value.isNull()) {
        return QJsonObject();
    }
    if (!value.isObject()) {
        return Error::invalid(u"workspace must be an object"_s);
    }
    const QJsonObject ws = value.toObject();
    if (Result<void> ok = onlyKnown(ws, {u"checkouts"_s, u"cwd"_s}, u"workspace"_s); !ok) {
        return ok.error();
    }
    const QJsonValue checkouts = ws.value(u"checkouts"_s);
    if (!checkouts.isUndefined() && !checkouts.isArray()) {
        return Error::invalid(u"workspace.checkouts must be an array"_s);
    }
    if (checkouts.toArray().size() > MaxCheckouts) {
        return Error::invalid(u"workspace.checkouts may hold at most %1 entries"_s.arg(MaxCheckouts));
    }
    QStringList paths;
    QJsonArray outCheckouts;
    const QJsonArray list = checkouts.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString where = u"workspace.checkouts[%1]"_s.arg(i);
        const QJsonObject checkout = list.at(i).toObject();
        if (!list.at(i).isObject()) {
            return Error::invalid(where + u" must be an object"_s);
        }
        if (Result<void> ok = onlyKnown(checkout, {u"url"_s, u"ref"_s, u"path"_s}, where); !ok) {
            return ok.error();
        }
        if (checkout.value(u"url"_s).toString().trimmed().isEmpty()) {
            return Error::invalid(where + u".url is required"_s);
        }
        const QString path = checkout.value(u"path"_s).toString();
        if (unsafeRelativePath(path)) {
            return Error::invalid(where + u".path must be a relative path inside the workspace"_s);
        }
        if (paths.contains(normalized(path))) {
            return Error::invalid(where + u".path is used by another checkout"_s);
        }
        paths.append(normalized(path));
        QJsonObject out = checkout;
        out.insert(u"path"_s, normalized(path));
        outCheckouts.append(out);
    }
    QJsonObject out;
    if (!outCheckouts.isEmpty()) {
        out.insert(u"checkouts"_s, outCheckouts);
    }
    if (ws.contains(u"cwd"_s)) {
        const QString cwd = ws.value(u"cwd"_s).toString();
        if (!ws.value(u"cwd"_s).isString() || unsafeRelativePath(cwd)) {
            return Error::invalid(u"workspace.cwd must be a relative path"_s);
        }
        const QString n = normalized(cwd);
        bool inside = false;
        for (const QString &path : std::as_const(paths)) {
            inside = inside || n == path || n.startsWith(path + u'/');
        }
        if (!inside) {
            return Error::invalid(u"workspace.cwd must be inside one of workspace.checkouts"_s);
        }
        out.insert(u"cwd"_s, n);
    }
    return out;
}

QList<ModelMessage> toModel(const QJsonArray &messages)
{
    QList<ModelMessage> out;
    for (const QJsonValue &value : messages) {
        const QJsonObject message = value.toObject();
        const QString role = message.value(u"role"_s).toString();
        ModelMessage m;
        m.role = role == u"system"      ? ModelMessage::Role::System
            : role == u"assistant"      ? ModelMessage::Role::Assistant
            : role == u"tool"           ? ModelMessage::Role::Tool
                                        : ModelMessage::Role::User;
        QStringList texts;
        if (!message.value(u"text"_s).toString().isEmpty()) {
            texts.append(message.value(u"text"_s).toString());
        }
        QList<ModelMessage> results;
        for (const QJsonValue &partValue : message.value(u"parts"_s).toArray()) {
            const QJsonObject part = partValue.toObject();
            const QString type = part.value(u"type"_s).toString();
            if (type == u"text") {
                // The text and a text part usually say the same thing (the contract's example).
                if (!texts.contains(part.value(u"text"_s).toString())) {
                    texts.append(part.value(u"text"_s).toString());
                }
            } else if (type == u"json") {
                m.json.append(part.value(u"json"_s));
            } else if (type == u"tool_call") {
                const QJsonObject call = part.value(u"toolCall"_s).toObject();
                m.toolCalls.append({call.value(u"id"_s).toString(),
                                    call.value(u"toolId"_s).toString(),
                                    call.value(u"arguments"_s).toObject()});
            } else if (type == u"tool_result") {
                const QJsonObject result = part.value(u"toolResult"_s).toObject();
                ModelMessage r;
                r.role = ModelMessage::Role::Tool;
                r.toolCallId = result.value(u"toolCallId"_s).toString();
                r.text = jsonText(result.contains(u"output"_s) ? result.value(u"output"_s)
                                                             : result.value(u"content"_s));
                results.append(r);
            } else if (type == u"image_ref") {
                texts.append(u"[image: %1]"_s.arg(
                    part.value(u"imageRef"_s).toObject().value(u"uri"_s).toString()));
            }
        }
        m.text = texts.join(u"\n"_s);
        if (!m.text.isEmpty() || !m.json.isEmpty() || !m.toolCalls.isEmpty()) {
            out.append(m);
        }
        out.append(results);
    }
    return out;
}

} // namespace Gestalt::AgentRequest
