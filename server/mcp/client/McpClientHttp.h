// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httpclient/UpstreamClient.h"
#include "mcp/client/McpClientTransport.h"

#include <QByteArray>
#include <QList>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <chrono>

namespace Gestalt {

// MCP Streamable HTTP (2025-03-26 .. 2025-11-25): one POST per message, answered with JSON or an
// SSE stream; Mcp-Session-Id and MCP-Protocol-Version sent once known; a GET SSE stream for server
// notifications after initialize (reconnected a few times with backoff; a server answering 405
// has none); a POST stream that ends before its response after an event id is resumed with GET
// + Last-Event-ID. Bodies are capped at 64 MiB. The destructor aborts everything and sends a
// best-effort DELETE for the session. Internal to McpClient (McpClient::http()).
//
// Every request goes through UpstreamClient::stream() (DELETE: send()) under the app's
// EgressPolicy: a host it does not allow is refused before anything is sent (Forbidden, passed on
// as it is). No redirect is followed. The GET stream and the SSE answers have no deadline once
// their head arrived (the McpClient times out the requests); a POST waits at most
// PostHeadTimeout for its head (McpClient's own timeout usually ends it earlier), the GET stream
// StreamHeadTimeout.
class McpHttpTransport final : public McpClientTransport
{
    Q_OBJECT

public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    static constexpr qint64 MaxBodyBytes = 64LL * 1024 * 1024;
    static constexpr std::chrono::milliseconds PostHeadTimeout = std::chrono::minutes(30);
    static constexpr std::chrono::milliseconds StreamHeadTimeout = std::chrono::seconds(30);
    static constexpr std::chrono::milliseconds DeleteTimeout = std::chrono::seconds(10);

    McpHttpTransport(McpTransportHost &host,
                     QUrl url,
                     Headers headers,
                     UpstreamClient &upstream,
                     EgressPolicy egress);
    ~McpHttpTransport() override;
    Q_DISABLE_COPY_MOVE(McpHttpTransport)

    [[nodiscard]] Result<void> available() const override { return {}; }
    void sendRequest(qint64 id, const QJsonObject &message, bool initialize) override;
    void sendMessage(const QJsonObject &message, std::function<void()> done) override;
    void abandon(qint64 id) override;
    void negotiated(const QString &protocolVersion) override;
    void ready() override;
    void resetSession() override;

private:
    class Exchange;

    [[nodiscard]] UpstreamRequest makeRequest(const QString &method,
                                              const QByteArray &accept) const;
    [[nodiscard]] UpstreamOptions options(std::chrono::milliseconds timeout) const;
    void
    post(const QJsonObject &message, qint64 requestId, bool initialize, std::function<void()> done);
    void start(Exchange *exchange,
               const UpstreamRequest &request,
               std::chrono::milliseconds headTimeout);
    void startGet(Exchange *exchange);
    void resume(Exchange *exchange);
    void openStream();
    void onHead(Exchange *exchange, const UpstreamResponseHead &head);
    void onData(Exchange *exchange, const QByteArray &chunk);
    void onEnd(Exchange *exchange, const Result<void> &ended);
    void dispatch(Exchange *exchange, const QByteArray &json);
    void deliver(Exchange *exchange, const QJsonObject &message);
    void fail(Exchange *exchange, const Error &error);
    void finish(Exchange *exchange);
    void streamEnded(Exchange *exchange, bool wasListening);

    QUrl m_url;
    Headers m_headers;
    QPointer<UpstreamClient> m_upstream;
    EgressPolicy m_egress;
    QByteArray m_sessionId;
    QByteArray m_protocolVersion;
    QList<Exchange *> m_exchanges; // children, in flight
    QPointer<Exchange> m_stream;   // the GET stream for server notifications
    QByteArray m_streamLastEventId;
    int m_streamAttempts = 0; // reconnects since the stream last delivered a message
    QTimer m_streamTimer;
};

} // namespace Gestalt
