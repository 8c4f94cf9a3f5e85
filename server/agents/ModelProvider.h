// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httpclient/UpstreamClient.h"
#include "shared/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace Gestalt {

// One tool call the model asked for (or, in the history, made earlier).
struct ModelToolCall
{
    QString id;   // the model's call id ("call_abc"); echoed back in the tool result
    QString name; // the tool's name as offered in ModelRequest::tools
    QJsonObject arguments;
};

// One entry of the conversation sent to the model.
struct ModelMessage
{
    enum class Role {
        System,
        User,
        Assistant,
        Tool, // the result of one tool call: toolCallId + text (the result as JSON text)
    };

    Role role = Role::User;
    QString text;
    QList<ModelToolCall> toolCalls; // Assistant messages that called tools
    QString toolCallId;             // Tool messages
    QList<QJsonValue> json;         // User/System messages: `json` parts, sent as JSON text
};

struct ModelRequest
{
    QString model; // the turn's model, or the provider's default when empty
    QList<ModelMessage> messages;
    // Tools the model may call: [{name, description, inputSchema}] (JSON Schema objects).
    QJsonArray tools;
    // Empty: free text. Otherwise a JSON Schema the final answer must satisfy (structured output).
    QJsonObject responseSchema;
    // Passed through to the provider (temperature, maxTokens, ...); a provider ignores keys it
    // does not know.
    QJsonObject modelOptions;
    QString turnId; // for logs only
};

// The model's complete answer to one request.
struct ModelReply
{
    QString text;                         // the assistant's text (all deltas joined)
    QList<ModelToolCall> toolCalls;       // non-empty: run them and ask again
    std::optional<QJsonValue> structured; // with a responseSchema: the parsed JSON answer
    QString finishReason;                 // "stop", "tool_calls", "length", ...
    // Tokens the request used, when the provider says: {promptTokens, completionTokens}.
    QJsonObject usage;
};

// Streaming pieces of a reply as they arrive (before the final ModelReply).
struct ModelStreamSink
{
    std::function<void(const QString &text)> textDelta;
    std::function<void(const QString &text)> reasoningDelta; // may stay unset
};

// A language model behind an agent provider (providers.agent.<name>). The turn loop (tools,
// approvals, events) is gestaltd's; a ModelProvider only answers one request at a time.
//
// complete() never blocks the event loop and calls `done` exactly once, later (never from inside
// complete()), on the thread that called it; the sink's callbacks run before `done`. The returned
// handle aborts the request: `done` then runs with an error (its message says it was canceled).
// Failures are values with a message fit for the turn's statusMessage ("model provider \"x\":
// HTTP 401: invalid api key"), never containing the API key.
class ModelProvider
{
public:
    virtual ~ModelProvider() = default;

    [[nodiscard]] virtual QString name() const = 0;
    [[nodiscard]] virtual QString defaultModel() const = 0;
    virtual std::shared_ptr<UpstreamCall>
    complete(const ModelRequest &request,
             const ModelStreamSink &sink,
             std::function<void(Result<ModelReply>)> done) = 0;
};

} // namespace Gestalt
