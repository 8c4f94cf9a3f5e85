// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <utility>

namespace Gestalt::Test {

// A tiny misbehaving HTTP server on 127.0.0.1:<free port>, ONLY for what a real upstream
// (Debian httpbin, see HttpbinProcess) cannot do: reset a connection mid-response, answer bytes
// that are not HTTP, send a body of a chosen size, never answer at all. Everything an honest
// HTTP API does belongs in tests against httpbin instead.
//
// It answers every request on every connection with the current behaviour, as soon as the
// request (its head, and a body of the declared Content-Length) has arrived. Connections stay
// open between requests (keep-alive) unless the behaviour closes them.
class FakeUpstream final : public QObject
{
    Q_OBJECT

public:
    enum class Behaviour {
        Reply,   // setReply(): a well-formed response with Content-Length (default 200 "{}")
        Reset,   // a response head announcing 100000 bytes, a few bytes, then a TCP reset
        Garbage, // bytes that are not HTTP, then close
        Raw,     // setRawReply(): exactly these bytes, then (by default) close
        Body,    // a 200 with a body of setBodySize() bytes ('x'), with or without Content-Length
        Hang,    // read the request, never answer, keep the connection open
        // The keep-alive race: answer a connection's first request like Reply, then close the
        // connection WITHOUT answering when a later request arrives on it.
        StaleKeepAlive,
    };

    explicit FakeUpstream(QObject *parent = nullptr);
    ~FakeUpstream() override;

    // Listens on 127.0.0.1, port 0. False when that fails (it should not).
    [[nodiscard]] bool start();
    // "http://127.0.0.1:<port>" (no trailing slash).
    [[nodiscard]] QString baseUrl() const;
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }

    void setBehaviour(Behaviour behaviour) { m_behaviour = behaviour; }
    void setReply(int status,
                  const QList<std::pair<QByteArray, QByteArray>> &headers,
                  const QByteArray &body);
    // For Behaviour::Raw: exactly these bytes (a malformed response, say), then a close unless
    // closeAfter is false.
    void setRawReply(const QByteArray &bytes, bool closeAfter = true);
    // For Behaviour::Reply: close the connection after each response, without saying so in a
    // "Connection: close" header.
    void setCloseAfterReply(bool close) { m_closeAfterReply = close; }
    // For Behaviour::Body. Without a declared length the body ends when the connection closes.
    void setBodySize(qint64 bytes, bool declareLength);

    // Connections accepted so far (0 proves that nothing reached the server).
    [[nodiscard]] int connectionCount() const { return m_connections; }
    // Request heads received so far, oldest first.
    [[nodiscard]] const QList<QByteArray> &requests() const { return m_requests; }

Q_SIGNALS:
    void requestReceived();

private:
    void acceptConnections();
    void readFrom(QTcpSocket *socket);
    void answer(QTcpSocket *socket, int requestOnConnection);
    [[nodiscard]] QByteArray replyBytes() const;

    QTcpServer m_server;
    QList<QPointer<QTcpSocket>> m_sockets;
    Behaviour m_behaviour = Behaviour::Reply;
    int m_status = 200;
    QList<std::pair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body = "{}";
    QByteArray m_raw;
    bool m_rawClose = true;
    bool m_closeAfterReply = false;
    qint64 m_bodySize = 0;
    bool m_declareLength = true;
    int m_connections = 0;
    QList<QByteArray> m_requests;
};

} // namespace Gestalt::Test
