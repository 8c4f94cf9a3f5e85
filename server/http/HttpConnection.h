// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpRequestParser.h"
#include "shared/Error.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QQueue>
#include <QTimer>

#include <map>

class QTcpSocket;

namespace Gestalt {

// Limits every listener enforces before QtHttpServer 6.4 (which has none) sees a byte.
struct ConnectionLimits
{
    qint64 maxBodyBytes = qint64(1024) * 1024;
    int maxHeaderBytes = 16 * 1024;
    int idleTimeoutMs = 120 * 1000;
    int headerTimeoutMs = 10 * 1000;
    // From the first byte of a request to its last body byte (slow bodies, not only slow heads).
    int requestReadTimeoutMs = 30 * 1000;
    // Unflushed response bytes must make progress within this time, or the connection is aborted.
    int writeTimeoutMs = 30 * 1000;
    // Backpressure: no further request is read while this many responses are unanswered or
    // unflushed, or while this many response bytes wait for the client to read them.
    int maxPipelinedRequests = 16;
    qint64 maxPendingResponseBytes = qint64(1024) * 1024;
    int maxConnections = 1024;
    int maxConnectionsPerAddress = 256;
};

// What the guard learnt from a request's head, handed to the dispatcher in request order.
struct RequestHead
{
    QByteArray method;
    bool closeAfter = false;
};

// Per-socket state (a child of the socket, so it dies with it):
//  - the guard: frames each request head as it arrives (HttpRequestParser) and rejects it before
//    QtHttpServer buffers it (413 body too large, 431 head too large or too many fields, 411
//    chunked, 400 malformed or ambiguously framed, 408 slow head),
//    answers Expect: 100-continue, and notes Connection: close / HTTP/1.0;
//  - ordered responses: each request reserves a slot; bytes leave in request order even when
//    handlers finish out of order (pipelining with asynchronous handlers);
//  - backpressure: while too many responses are unanswered or unread by the client, the next
//    request is not read (the socket's read buffer is capped, so TCP pushes back on the client);
//  - the idle timeout, the write deadline (a client that does not read is aborted), the
//    whole-request read deadline, and closing after a response that asked for it.
class HttpConnection final : public QObject
{
    Q_OBJECT

public:
    HttpConnection(QTcpSocket *socket, const ConnectionLimits &limits);
    ~HttpConnection() override;
    Q_DISABLE_COPY_MOVE(HttpConnection)

    [[nodiscard]] static HttpConnection *of(QTcpSocket *socket);

    [[nodiscard]] RequestHead takeRequestHead();
    // True once a response that closes the connection is queued: later requests are ignored.
    [[nodiscard]] bool isClosing() const { return m_closing; }

    // Reserve the next response slot, fill it (possibly in several writes, for streams), finish it.
    [[nodiscard]] quint64 reserveSlot(bool closeAfter);
    void write(quint64 slot, const QByteArray &bytes, bool finished);
    void setStreaming(bool streaming) { m_streaming = streaming; }

    // Reject the request being read: the error is queued in order, then the connection closes.
    void reject(const Error &error);

    void setErrorWriter(std::function<QByteArray(const Error &)> writer)
    {
        m_errorWriter = std::move(writer);
    }

private:
    struct Slot
    {
        QByteArray pending;
        bool finished = false;
        bool closeAfter = false;
    };

    void onReadyRead();
    void onIdleTimeout();
    void onBytesWritten();
    // True while the responses queued on this connection are over the backpressure limits.
    [[nodiscard]] bool isBackedUp() const;
    void pauseReading();
    void resumeReadingIfDrained();
    void armWriteDeadline();
    void flush();
    void closeGracefully();

    QPointer<QTcpSocket> m_socket;
    ConnectionLimits m_limits;
    // The head being read (peeked, not taken: QtHttpServer reads the same bytes) and its framing.
    QByteArray m_headBuffer;
    HttpRequestParser m_parser;
    bool m_readingHead = false;
    bool m_rejected = false;
    bool m_closing = false;
    bool m_streaming = false;
    // Reading is paused: the guard holds its own socket transaction so QtHttpServer sees no
    // bytes; resuming rolls it back and the held bytes are parsed as they would have been.
    bool m_paused = false;
    qint64 m_pendingBytes = 0; // queued in slots, not yet handed to the socket
    QQueue<RequestHead> m_heads;
    std::map<quint64, Slot> m_slots;
    quint64 m_nextSlot = 0;
    QTimer m_idleTimer;
    QTimer m_headTimer;
    QTimer m_requestTimer;
    QTimer m_writeTimer;
    std::function<QByteArray(const Error &)> m_errorWriter;
};

} // namespace Gestalt
