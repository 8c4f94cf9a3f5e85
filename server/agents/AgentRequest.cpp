// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentRequest.h"

#include "http/JsonBodyReader.h"
#include "shared/JsonPath.h"

#include <QJsonDocument>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace Gestalt::AgentRequest {

namespace {

constexpr int MaxMessages = 1000;
constexpr int MaxToolRefs = 256;
constexpr int MaxCheckouts = 16;

// The checks of one part's fields by its type (the type itself is checked already).
void checkPartFields(JsonBodyReader &part, const QString &type)
{
    const QJsonValue text = part.value(u"text");
    const QJsonValue json = part.value(u"json");
    const QJsonObject call = part.value(u"toolCall").toObject();
    const QJsonObject result = part.value(u"toolResult").toObject();
    const QJsonObject image = part.value(u"imageRef").toObject();
    if (type == u"text" && !text.isString()) {
        part.fail(u"text", u"must be a string"_s);
    }
    if (type == u"json" && json.isUndefined()) {
        part.fail(u"json", u"is required"_s);
    }
    if (type == u"tool_call") {
        if (call.value(u"id"_s).toString().isEmpty()
            || call.value(u"toolId"_s).toString().isEmpty()) {
            part.fail(u"toolCall", u"needs id and toolId"_s);
        }
        if (call.contains(u"arguments"_s) && !call.value(u"arguments"_s).isObject()) {
            part.fail(u"toolCall.arguments", u"must be an object"_s);
        }
    }
    if (type == u"tool_result" && result.value(u"toolCallId"_s).toString().isEmpty()) {
        part.fail(u"toolResult.toolCallId", u"is required"_s);
    }
    if (type == u"image_ref" && image.value(u"uri"_s).toString().isEmpty()) {
        part.fail(u"imageRef.uri", u"is required"_s);
    }
}

Result<void> validatePart(const QJsonValue &value, const QString &where)
{
    Error error;
    std::optional<JsonBodyReader> part = JsonBodyReader::item(value, where, &error);
    if (!part) {
        return error;
    }
    static const QStringList types{
        u"text"_s, u"json"_s, u"tool_call"_s, u"tool_result"_s, u"image_ref"_s};
    const QString type = part->value(u"type").toString();
    if (!types.contains(type)) {
        return Error::invalid(u"%1.type must be one of %2"_s.arg(where, types.join(u", "_s)));
    }
    checkPartFields(*part, type);
    return part->finish();
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

// One entry of messages[] at `where`.
Result<void> validateMessage(const QJsonValue &value, const QString &where)
{
    Error error;
    std::optional<JsonBodyReader> message = JsonBodyReader::item(value, where, &error);
    if (!message) {
        return error;
    }
    static const QStringList roles{u"system"_s, u"user"_s, u"assistant"_s, u"tool"_s};
    if (!roles.contains(message->value(u"role").toString())) {
        message->fail(u"role", u"must be one of %1"_s.arg(roles.join(u", "_s)));
    }
    const QJsonValue text = message->value(u"text");
    if (!text.isUndefined() && !text.isString()) {
        message->fail(u"text", u"must be a string"_s);
    }
    const QJsonValue metadata = message->value(u"metadata");
    if (!metadata.isUndefined() && !metadata.isObject()) {
        message->fail(u"metadata", u"must be an object"_s);
    }
    const QJsonValue parts = message->value(u"parts");
    if (!parts.isUndefined() && !parts.isArray()) {
        message->fail(u"parts", u"must be an array"_s);
    }
    if (Result<void> ok = message->finish(); !ok) {
        return ok;
    }
    const QJsonArray partList = parts.toArray();
    for (qsizetype p = 0; p < partList.size(); ++p) {
        if (Result<void> ok = validatePart(partList.at(p), u"%1.parts[%2]"_s.arg(where).arg(p));
            !ok) {
            return ok;
        }
    }
    if (text.toString().isEmpty() && partList.isEmpty()) {
        return Error::invalid(where + u" needs text or parts"_s);
    }
    return {};
}

// One entry of toolRefs[] at `where`, with appName under an older name (pluginName of
// http-api-legacy.md, or plugin) renamed to appName; different values under two names are a 400.
Result<QJsonObject> toolRef(const QJsonValue &value, const QString &where)
{
    Error error;
    std::optional<JsonBodyReader> reader = JsonBodyReader::item(value, where, &error);
    if (!reader) {
        return error;
    }
    const QString appKey = reader->nameOf(u"appName", {u"pluginName", u"plugin"});
    for (const QString &key : {appKey, u"operation"_s}) {
        if (const QJsonValue field = reader->value(key);
            !field.isString() || field.toString().trimmed().isEmpty()) {
            reader->fail(key, u"is required"_s);
        }
    }
    for (const QStringView key : {u"connection", u"instance", u"title", u"description"}) {
        if (const QJsonValue field = reader->value(key);
            !field.isUndefined() && !field.isString()) {
            reader->fail(key, u"must be a string"_s);
        }
    }
    if (Result<void> ok = reader->finish(); !ok) {
        return ok.error();
    }
    QJsonObject ref = reader->object();
    const QJsonValue app = ref.value(appKey);
    ref.remove(u"pluginName"_s);
    ref.remove(u"plugin"_s);
    ref.insert(u"appName"_s, app);
    return ref;
}

// workspace.checkouts[], their paths normalized; `paths` receives each one.
Result<QJsonArray> checkouts(const QJsonArray &list, QStringList &paths)
{
    QJsonArray out;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString where = u"workspace.checkouts[%1]"_s.arg(i);
        Error error;
        std::optional<JsonBodyReader> checkout = JsonBodyReader::item(list.at(i), where, &error);
        if (!checkout) {
            return error;
        }
        (void)checkout->value(u"ref");
        if (checkout->value(u"url").toString().trimmed().isEmpty()) {
            checkout->fail(u"url", u"is required"_s);
        }
        const QString path = checkout->value(u"path").toString();
        if (unsafeRelativePath(path)) {
            checkout->fail(u"path", u"must be a relative path inside the workspace"_s);
        } else if (paths.contains(normalized(path))) {
            checkout->fail(u"path", u"is used by another checkout"_s);
        }
        if (Result<void> ok = checkout->finish(); !ok) {
            return ok.error();
        }
        paths.append(normalized(path));
        QJsonObject entry = checkout->object();
        entry.insert(u"path"_s, normalized(path));
        out.append(entry);
    }
    return out;
}

// workspace.cwd: relative, inside one of the checkouts' `paths`; normalized.
Result<QString> workingDirectory(const QJsonValue &cwd, const QStringList &paths)
{
    if (!cwd.isString() || unsafeRelativePath(cwd.toString())) {
        return Error::invalid(u"workspace.cwd must be a relative path"_s);
    }
    const QString n = normalized(cwd.toString());
    for (const QString &path : paths) {
        if (n == path || n.startsWith(path + u'/')) {
            return n;
        }
    }
    return Error::invalid(u"workspace.cwd must be inside one of workspace.checkouts"_s);
}

} // namespace

Result<QJsonArray> messages(const QJsonValue &value)
{
    if (!value.isArray() || value.toArray().isEmpty()) {
        return Error::invalid(u"messages must be a non-empty array"_s);
    }
    const QJsonArray list = value.toArray();
    if (list.size() > MaxMessages) {
        return Error::invalid(u"messages may hold at most %1 entries"_s.arg(MaxMessages));
    }
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (Result<void> ok = validateMessage(list.at(i), u"messages[%1]"_s.arg(i)); !ok) {
            return ok.error();
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
        Result<QJsonObject> ref = toolRef(refs.at(i), u"toolRefs[%1]"_s.arg(i));
        if (!ref) {
            return ref.error();
        }
        out.append(*ref);
    }
    return out;
}

Result<QJsonObject> workspace(const QJsonValue &value)
{
    if (value.isUndefined() || value.isNull()) {
        return QJsonObject();
    }
    Error error;
    std::optional<JsonBodyReader> ws = JsonBodyReader::item(value, u"workspace"_s, &error);
    if (!ws) {
        return error;
    }
    const QJsonValue list = ws->value(u"checkouts");
    if (!list.isUndefined() && !list.isArray()) {
        ws->fail(u"checkouts", u"must be an array"_s);
    }
    const QJsonValue cwd = ws->value(u"cwd");
    if (Result<void> ok = ws->finish(); !ok) {
        return ok.error();
    }
    if (list.toArray().size() > MaxCheckouts) {
        return Error::invalid(
            u"workspace.checkouts may hold at most %1 entries"_s.arg(MaxCheckouts));
    }
    QStringList paths;
    Result<QJsonArray> outCheckouts = checkouts(list.toArray(), paths);
    if (!outCheckouts) {
        return outCheckouts.error();
    }
    QJsonObject out;
    if (!outCheckouts->isEmpty()) {
        out.insert(u"checkouts"_s, *outCheckouts);
    }
    if (!cwd.isUndefined()) {
        Result<QString> dir = workingDirectory(cwd, paths);
        if (!dir) {
            return dir.error();
        }
        out.insert(u"cwd"_s, *dir);
    }
    return out;
}

QList<ModelMessage> toModel(const QJsonArray &messages)
{
    QList<ModelMessage> out;
    for (const QJsonValue value : messages) {
        const QJsonObject message = value.toObject();
        const QString role = message.value(u"role"_s).toString();
        ModelMessage m;
        m.role = role == u"system"      ? ModelMessage::Role::System
                 : role == u"assistant" ? ModelMessage::Role::Assistant
                 : role == u"tool"      ? ModelMessage::Role::Tool
                                        : ModelMessage::Role::User;
        QStringList texts;
        if (!message.value(u"text"_s).toString().isEmpty()) {
            texts.append(message.value(u"text"_s).toString());
        }
        QList<ModelMessage> results;
        for (const QJsonValue partValue : message.value(u"parts"_s).toArray()) {
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
