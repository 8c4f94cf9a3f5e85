// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"
#include "invocation/InvocationService.h"
#include "mcp/McpToolCatalog.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <variant>

namespace Gestalt {

class Authenticator;

// /mcp: the Model Context Protocol over Streamable HTTP, stateless (gestalt-facts §8). Every POST
// carries one JSON-RPC message (or, for protocol 2025-03-26, a batch) and gets a JSON answer: 200
// with the response(s), 202 when it held only notifications or responses. No Mcp-Session-Id is
// issued, so GET (a server-to-client stream) and DELETE (ending a session) answer 405.
// Authentication is the API's (session cookie or bearer); a 401 carries
// WWW-Authenticate: Bearer resource_metadata=… when MCP OAuth is on. Requests whose Origin (or,
// on a loopback listener, Host) is foreign get 403: DNS rebinding protection.
// Methods: initialize (versions 2025-03-26, 2025-06-18, 2025-11-25; anything else → the latest),
// ping, tools/list (cursor pages of 100), tools/call. Tool failures are results with isError.
// A tools/call with params._meta.progressToken, from a client that accepts text/event-stream,
// gets the upstream MCP server's progress notifications: at the first one the answer becomes an
// SSE stream (the notifications, then the response); without any it stays plain JSON.
class McpRoutes final
{
public:
    static constexpr int PageSize = 100;
    static const QStringList &supportedVersions(); // oldest first

    struct Options
    {
        std::function<QString()> challenge; // WWW-Authenticate value; null: no challenge
    };

    McpRoutes(const McpToolCatalog &tools,
              InvocationService &invocations,
              Authenticator &authenticator,
              Options options);
    void registerRoutes(Router &router);

private:
    using Reply = std::function<void(QJsonObject)>;
    // Sends a server-to-client message before the response (an SSE event); null when the POST
    // cannot take a stream (a batch, or an Accept without text/event-stream).
    using Notify = std::function<void(const QJsonObject &message)>;

    // The messages of a POST body: one, or a batch (protocol 2025-03-26); `refused` when the body
    // is no JSON-RPC message at all.
    struct Messages
    {
        QJsonArray messages;
        bool batch = false;
        std::optional<HttpResponse> refused;
    };

    // Parse (headers, then body), dispatch each request, answer once every request is answered.
    void post(const HttpRequest &request, const Responder &responder);
    // The 415/406/400 answer to a wrong Content-Type, Accept or MCP-Protocol-Version.
    [[nodiscard]] static std::optional<HttpResponse> refuseHeaders(const HttpRequest &request);
    [[nodiscard]] static Messages readMessages(const HttpRequest &request);
    [[nodiscard]] static Messages refusal(HttpResponse response);
    // Handles one request message; `reply` gets the JSON-RPC response object.
    void dispatch(const HttpRequest &request,
                  const Principal &principal,
                  const QJsonObject &message,
                  bool inBatch,
                  const Notify &notify,
                  Reply reply);
    [[nodiscard]] QJsonObject initialize(const QJsonObject &params) const;
    void listTools(const HttpRequest &request,
                   const Principal &principal,
                   const QJsonValue &id,
                   const QJsonObject &params,
                   Reply reply);
    // The invocation a tools/call asks for, or the JSON-RPC response that refuses it.
    [[nodiscard]] std::variant<InvocationRequest, QJsonObject>
    toolInvocation(const HttpRequest &request,
                   const Principal &principal,
                   const QJsonValue &id,
                   const QJsonObject &params) const;
    void callTool(const HttpRequest &request,
                  const Principal &principal,
                  const QJsonValue &id,
                  const QJsonObject &params,
                  const Notify &notify,
                  Reply reply);

    const McpToolCatalog &m_tools;
    InvocationService &m_invocations;
    Authenticator &m_authenticator;
    Options m_options;
};

} // namespace Gestalt
