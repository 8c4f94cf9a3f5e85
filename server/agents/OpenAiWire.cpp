// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/OpenAiWire.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

#include <array>
#include <utility>

using namespace Qt::StringLiterals;

namespace Gestalt::OpenAiWire {

namespace {

constexpr qsizetype kMaxDetailChars = 200;

// Compact JSON text of any value (QJsonDocument alone cannot write a scalar).
QString compactJson(const QJsonValue &value)
{
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

// The message text, then each `json` part on its own line.
QString textWithJson(const ModelMessage &message)
{
    QStringList lines;
    if (!message.text.isEmpty()) {
        lines.append(message.text);
    }
    for (const QJsonValue &part : message.json) {
        lines.append(compactJson(part));
    }
    return lines.join(u'\n');
}

QJsonObject messageJson(const ModelMessage &message)
{
    switch (message.role) {
    case ModelMessage::Role::System:
        return {{u"role"_s, u"system"_s}, {u"content"_s, textWithJson(message)}};
    case ModelMessage::Role::User:
        return {{u"role"_s, u"user"_s}, {u"content"_s, textWithJson(message)}};
    case ModelMessage::Role::Tool:
        return {{u"role"_s, u"tool"_s},
                {u"tool_call_id"_s, message.toolCallId},
                {u"content"_s, message.text}};
    case ModelMessage::Role::Assistant:
        break;
    }
    QJsonObject out{{u"role"_s, u"assistant"_s}};
    // The API wants null, not "", for an assistant turn that only called tools.
    out.insert(u"content"_s,
               message.text.isEmpty() && !message.toolCalls.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                                      : QJsonValue(message.text));
    if (!message.toolCalls.isEmpty()) {
        QJsonArray calls;
        for (const ModelToolCall &call : message.toolCalls) {
            calls.append(QJsonObject{{u"id"_s, call.id},
                                     {u"type"_s, u"function"_s},
                                     {u"function"_s,
                                      QJsonObject{{u"name"_s, call.name},
                                                  {u"arguments"_s, compactJson(call.arguments)}}}});
        }
        out.insert(u"tool_calls"_s, calls);
    }
    return out;
}

// A JSON value written by a model: tolerates surrounding blanks and a ```json fence.
std::optional<QJsonValue> parseModelJson(const QString &raw)
{
    QString text = raw.trimmed();
    if (text.startsWith(u"```"_s)) {
        const qsizetype newline = text.indexOf(u'\n');
        text = newline < 0 ? QString() : text.mid(newline + 1).trimmed();
        if (text.endsWith(u"```"_s)) {
            text.chop(3);
        }
    }
    QJsonParseError error{};
    // Inside an array, so a top-level scalar parses too.
    const QJsonDocument document = QJsonDocument::fromJson('[' + text.toUtf8() + ']', &error);
    if (text.trimmed().isEmpty() || error.error != QJsonParseError::NoError
        || document.array().size() != 1) {
        return std::nullopt;
    }
    return document.array().first();
}

} // namespace

// ---- The request -------------------------------------------------------------------------

QJsonObject requestBody(const ModelRequest &request, const QString &defaultModel)
{
    QJsonObject body{{u"model"_s, request.model.isEmpty() ? defaultModel : request.model},
                     {u"stream"_s, true},
                     {u"stream_options"_s, QJsonObject{{u"include_usage"_s, true}}}};
    QJsonArray messages;
    for (const ModelMessage &message : request.messages) {
        messages.append(messageJson(message));
    }
    body.insert(u"messages"_s, messages);

    QJsonArray tools;
    for (const auto &value : request.tools) {
        const QJsonObject tool = value.toObject();
        QJsonObject function{{u"name"_s, tool.value(u"name"_s).toString()}};
        if (!tool.value(u"description"_s).toString().isEmpty()) {
            function.insert(u"description"_s, tool.value(u"description"_s));
        }
        const QJsonObject schema = tool.value(u"inputSchema"_s).toObject();
        function.insert(u"parameters"_s,
                        schema.isEmpty() ? QJsonObject{{u"type"_s, u"object"_s},
                                                       {u"properties"_s, QJsonObject{}}}
                                         : schema);
        tools.append(QJsonObject{{u"type"_s, u"function"_s}, {u"function"_s, function}});
    }
    if (!tools.isEmpty()) {
        body.insert(u"tools"_s, tools);
        body.insert(u"tool_choice"_s, u"auto"_s);
    }
    if (!request.responseSchema.isEmpty()) {
        // strict:false: strict mode rejects common schemas (optional properties, formats).
        body.insert(u"response_format"_s,
                    QJsonObject{{u"type"_s, u"json_schema"_s},
                                {u"json_schema"_s,
                                 QJsonObject{{u"name"_s, u"response"_s},
                                             {u"schema"_s, request.responseSchema},
                                             {u"strict"_s, false}}}});
    }
    // The wire name first, so it wins over the camelCase spelling of gestalt's config.
    static const std::array<std::pair<QString, QString>, 11> options{{
        {u"temperature"_s, u"temperature"_s},
        {u"top_p"_s, u"top_p"_s},
        {u"topP"_s, u"top_p"_s},
        {u"max_tokens"_s, u"max_tokens"_s},
        {u"maxTokens"_s, u"max_tokens"_s},
        {u"seed"_s, u"seed"_s},
        {u"stop"_s, u"stop"_s},
        {u"presence_penalty"_s, u"presence_penalty"_s},
        {u"presencePenalty"_s, u"presence_penalty"_s},
        {u"frequency_penalty"_s, u"frequency_penalty"_s},
        {u"frequencyPenalty"_s, u"frequency_penalty"_s},
    }};
    for (const auto &[from, to] : options) {
        if (request.modelOptions.contains(from) && !body.contains(to)) {
            body.insert(to, request.modelOptions.value(from));
        }
    }
    return body;
}

// ---- The answer --------------------------------------------------------------------------

std::optional<QString>
AnswerBuilder::read(const QJsonObject &chunk, bool whole, QString &text, QString &reasoning)
{
    const QJsonValue error = chunk.value(u"error"_s);
    if (error.isObject() || error.isString()) {
        const QString message =
            error.isString() ? error.toString() : error.toObject().value(u"message"_s).toString();
        return message.isEmpty() ? u"the stream reported an error"_s : message;
    }
    if (const QJsonObject usage = chunk.value(u"usage"_s).toObject(); !usage.isEmpty()) {
        // The stream's last chunk (stream_options.include_usage), or a whole answer's field.
        m_usage = {{u"promptTokens"_s, usage.value(u"prompt_tokens"_s).toInteger()},
                   {u"completionTokens"_s, usage.value(u"completion_tokens"_s).toInteger()}};
    }
    const QJsonArray choices = chunk.value(u"choices"_s).toArray();
    if (choices.isEmpty()) {
        return std::nullopt; // the usage chunk
    }
    const QJsonObject choice = choices.first().toObject();
    const QJsonObject delta = choice.value(whole ? u"message"_s : u"delta"_s).toObject();
    if (const QString finish = choice.value(u"finish_reason"_s).toString(); !finish.isEmpty()) {
        m_finishReason = finish;
    }
    text = delta.value(u"content"_s).toString();
    m_text += text;
    m_refusal += delta.value(u"refusal"_s).toString();
    // DeepSeek and vLLM say reasoning_content, OpenRouter and Ollama say reasoning.
    reasoning = delta.value(u"reasoning_content"_s).toString();
    if (reasoning.isEmpty()) {
        reasoning = delta.value(u"reasoning"_s).toString();
    }
    const QJsonArray calls = delta.value(u"tool_calls"_s).toArray();
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const QJsonObject call = calls.at(i).toObject();
        const int index = call.value(u"index"_s).toInt(int(i)); // absent in a whole message
        const QString id = call.value(u"id"_s).toString();
        auto slot = m_slotByIndex.constFind(index);
        // Some servers (Ollama) reuse index 0 for parallel calls; a new id is a new call.
        if (slot == m_slotByIndex.cend()
            || (!id.isEmpty() && !m_calls.at(*slot).id.isEmpty() && m_calls.at(*slot).id != id)) {
            m_calls.append(PartialCall{});
            slot = m_slotByIndex.insert(index, m_calls.size() - 1);
        }
        PartialCall &partial = m_calls[*slot];
        if (!id.isEmpty()) {
            partial.id = id;
        }
        const QJsonObject function = call.value(u"function"_s).toObject();
        if (partial.name.isEmpty()) {
            partial.name = function.value(u"name"_s).toString();
        }
        const QJsonValue arguments = function.value(u"arguments"_s);
        if (arguments.isString()) {
            partial.arguments += arguments.toString();
        } else if (arguments.isObject()) { // not the OpenAI wire, but some servers send it
            partial.arguments = compactJson(arguments);
        }
    }
    return std::nullopt;
}

Result<ModelReply> AnswerBuilder::reply(bool structured) const
{
    ModelReply reply;
    reply.text = m_text;
    reply.usage = m_usage;
    for (qsizetype i = 0; i < m_calls.size(); ++i) {
        const PartialCall &call = m_calls.at(i);
        if (call.name.isEmpty()) {
            return Error{ErrorCode::BadGateway, u"a tool call without a tool name"_s};
        }
        QJsonObject arguments;
        if (!call.arguments.trimmed().isEmpty()) {
            const std::optional<QJsonValue> parsed = parseModelJson(call.arguments);
            if (!parsed || !parsed->isObject()) {
                return Error{
                    ErrorCode::BadGateway,
                    u"the arguments of the call of tool \"%1\" are not a JSON object"_s.arg(
                        call.name)};
            }
            arguments = parsed->toObject();
        }
        reply.toolCalls.append(
            {call.id.isEmpty() ? u"call_%1"_s.arg(i) : call.id, call.name, arguments});
    }
    const bool wantsJson = structured && reply.toolCalls.isEmpty();
    if (reply.text.isEmpty() && !m_refusal.isEmpty()) {
        if (wantsJson) {
            return Error{ErrorCode::BadGateway, u"the model refused: %1"_s.arg(m_refusal)};
        }
        reply.text = m_refusal;
    }
    reply.finishReason = !m_finishReason.isEmpty()   ? m_finishReason
                         : reply.toolCalls.isEmpty() ? u"stop"_s
                                                     : u"tool_calls"_s;
    if (wantsJson) {
        reply.structured = parseModelJson(reply.text);
        if (!reply.structured) {
            return Error{ErrorCode::BadGateway,
                         u"the answer is not valid JSON for the response schema"_s};
        }
    }
    return reply;
}

// ---- Errors ------------------------------------------------------------------------------

QString httpErrorDetail(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QJsonValue error = object.value(u"error"_s);
    for (const QJsonValue &candidate : {error.toObject().value(u"message"_s),
                                        error,
                                        object.value(u"message"_s),
                                        object.value(u"detail"_s)}) {
        if (candidate.isString() && !candidate.toString().trimmed().isEmpty()) {
            return candidate.toString().trimmed();
        }
    }
    return QString::fromUtf8(body).left(kMaxDetailChars).simplified();
}

ErrorCode codeForStatus(int status)
{
    switch (status) {
    case 408:
    case 504:
        return ErrorCode::GatewayTimeout;
    case 429: // rate limited or out of quota: worth a later retry, not a broken upstream
    case 503:
        return ErrorCode::Unavailable;
    default:
        return ErrorCode::BadGateway;
    }
}

QString redacted(QString text, const QByteArray &secret)
{
    if (!secret.isEmpty()) {
        text.replace(QString::fromUtf8(secret), u"[redacted]"_s);
    }
    return text;
}

} // namespace Gestalt::OpenAiWire
