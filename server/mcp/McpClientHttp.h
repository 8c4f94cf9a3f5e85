// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "mcp/McpClientTransport.h"

#include <QByteArray>
#include <QList>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkRequest;

namespace Gestalt {

// MCP Streamable HTTP (2025-03-26 .. 2025-11-25): one POST per message, answered with JSON or an
// SSE stream; Mcp-Session-Id and MCP-Protocol-Version sent once known; a GET SSE stream for server
// notifications after initialize (reconnected a few times with backoff; a server answering 405
// has none); a POST stream that ends before its response after an event id is resumed with GET
// + Last-Event-ID. Bodies are capped at 64 MiB. The destructor aborts everything and sends a
// best-effort DELETE for the session. Internal to McpClient (McpClient::http()).
class McpHttpTransport final : public McpClientTransport
{
    Q_OBJECT

public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    static constexpr qint64 MaxBodyBytes = 64LL * 1024 * 1024;

    McpHttpTransport(McpTransportHost &host, QUrl url, Headers headers,
                     QNetworkAccessManager &network);
    ~McpHttpTransport() override;

    [[nodiscard]] Result<void> available() const override { return {}; }
    void sendRequest(qint64 id, const QJsonObject &message, bool initialize) override;
    void sendMessage(const QJsonObject &message, std::function<void()> done) override;
    void abandon(qint64 id) override;
    void negotiated(const QString &protocolVersion) override;
    void ready() override;
    void resetSession() override;

private:
    class Exchange;

    [[nodiscard]] QNetworkRequest makeRequest(const QByteArray &accept) const;
    void post(const QJsonObject &message, qint64 requestId, bool initialize,
              std::function<void()> done);
    void wire(Exchange *exchange);
    void startGet(Exchange *exchange);
    void resume(Exchange *exchange);
    void openStream();
    void onHeaders(Exchange *exchange);
    void onData(Exchange *exchange);
    void onFinished(Exchange *exchange);
    void dispatch(Exchange *exchange, const QByteArray &json);
    void deliver(Exchange *exchange, const QJsonObject &message);
    void fail(Exchange *exchange, const Error &error);
    void finish(Exchange *exchange);
    void streamEnded(Exchange *exchange, bool wasListening);

    QUrl m_url;
    Headers m_headers;
    QPointer<QNetworkAccessManager> m_network;
    QByteArray m_sessionId;
    QByteArray m_protocolVersion;
    QList<Exchange *> m_exchanges; // children, in flight
    QPointer<Exchange> m_stream; // the GET stream for server notifications
    QByteArray m_streamLastEventId;
    int m_streamAttempts = 0; // reconnects since the stream last delivered a message
    QTimer m_streamTimer;
};

} // namespace Gestalt
