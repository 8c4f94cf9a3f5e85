// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>

namespace Gestalt {

class HostedProcess;
class UpstreamClient;
struct EgressPolicy;

// A Model Context Protocol client for one upstream MCP server (an "upstream MCP app"): over stdio
// to a process the local runtime hosts, or over Streamable HTTP to a URL. It initializes by itself
// before the first request (protocol version 2025-11-25 offered; whatever the server answers among
// 2025-03-26, 2025-06-18, 2025-11-25 is used), sends notifications/initialized, and then
// correlates responses with requests by id. Server-to-client requests are answered (ping → {},
// anything else → -32601), notifications/tools/list_changed emits toolsChanged().
//
// Errors (Result):
//   - JSON-RPC error from the server → Error{BadGateway, "upstream MCP error <code>: <message>"}
//   - timeout → Error{GatewayTimeout, "upstream MCP server did not answer within <n> s"}; a
//     notifications/cancelled is sent for the request
//   - transport failure / process exit → Error{BadGateway or Unavailable, clear reason}
//   - initialize failing (JSON-RPC error, HTTP 401/403, unsupported protocol version, no answer
//     within 30 s) fails the requests waiting for it with that error; the next request tries again
//
// Destroying the client drops pending requests without calling their callbacks (after the
// destructor no callback runs); over HTTP it aborts its replies and sends a best-effort DELETE for
// the session. The UpstreamClient and the HostedProcess should outlive the client (a
// HostedProcess that goes first makes requests fail with Unavailable; an UpstreamClient that goes
// first cancels the calls in flight, and later requests fail with Unavailable).
class McpClient : public QObject
{
    Q_OBJECT

public:
    // machineCode of the error when an HTTP server answered 401 (the credential is not good).
    static constexpr QLatin1StringView CredentialRejectedCode{"credential_rejected"};

    using Callback = std::function<void(Result<QJsonObject>)>;
    using ToolsCallback = std::function<void(Result<QJsonArray>)>;
    // The params of a notifications/progress for one request ({progressToken, progress, total?,
    // message?}; progressToken is the client's own, callers put theirs in its place).
    using Progress = std::function<void(const QJsonObject &params)>;

    // stdio: one JSON message per line on the process's stdin/stdout. Every new session of the
    // process is initialized again; requests in flight when it dies fail with its exit reason.
    [[nodiscard]] static std::unique_ptr<McpClient> stdio(HostedProcess &process);
    // Streamable HTTP: POST per message (Accept: application/json, text/event-stream; JSON or SSE
    // answers), Mcp-Session-Id and MCP-Protocol-Version kept and sent, re-initialized once when the
    // server answers 404 for an expired session. `headers` go on every request (the connection's
    // credential, e.g. Authorization). A GET stream is opened after initialize to hear
    // notifications (tools/list_changed); a server answering 405 there is fine.
    // Every request goes through `upstream` under `egress` (the app's EgressPolicy): a host it
    // does not allow fails the request with Forbidden before anything is sent.
    [[nodiscard]] static std::unique_ptr<McpClient>
    http(const QUrl &url,
         QList<std::pair<QByteArray, QByteArray>> headers,
         UpstreamClient &upstream,
         const EgressPolicy &egress);

    ~McpClient() override;
    Q_DISABLE_COPY_MOVE(McpClient)

    // Sends a request (initializing first when needed). Calls back exactly once, never from inside
    // request(). The returned function cancels it (callback then not called; the server is told
    // with notifications/cancelled); it may be called any number of times, also after the client
    // is gone. The timeout runs from request() on, so it includes a pending initialize.
    // With `progress`, the request asks for progress (params._meta.progressToken = a token of
    // this client's, unique among its requests) and every notifications/progress with that token
    // reaches `progress` until the answer; none is called after the callback.
    std::function<void()> request(const QString &method,
                                  const QJsonObject &params,
                                  std::chrono::milliseconds timeout,
                                  Callback callback,
                                  Progress progress = {});

    // tools/list, following nextCursor until the end (at most 100 pages; beyond, the tools of the
    // first 100 are returned and a warning logged). The timeout applies to each page.
    void listTools(std::chrono::milliseconds timeout, ToolsCallback callback);

    [[nodiscard]] bool isInitialized() const;
    [[nodiscard]] QString protocolVersion() const; // negotiated; empty before initialize
    [[nodiscard]] QJsonObject serverInfo() const;
    [[nodiscard]] QJsonObject serverCapabilities() const;

Q_SIGNALS:
    void initialized(); // after every successful initialize (stdio: each new process)
    void toolsChanged();
    // The connection to the server went away (stdio process exited); pending requests failed.
    void disconnected(const QString &reason);

protected:
    class Private;
    explicit McpClient(std::unique_ptr<Private> d, QObject *parent = nullptr);
    std::unique_ptr<Private> d;
};

} // namespace Gestalt
