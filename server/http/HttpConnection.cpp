// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/HttpConnection.h"

#include "core/Logging.h"

#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const char *const connectionProperty = "gestalt.connection";

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, const ConnectionLimits &limits)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
    , m_parser({.maxHeaderBytes = limits.maxHeaderBytes, .maxBodyBytes = limits.maxBodyBytes})
{
    socket->setProperty(connectionProperty, QVariant::fromValue(static_cast<QObject *>(this)));
    // Connected before QtHttpServer binds its own readyRead slot, so the guard always runs first.
    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);

    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(m_limits.idleTimeoutMs);
    connect(&m_idleTimer, &QTimer::timeout, this, &HttpConnection::onIdleTimeout);
    m_idleTimer.start();

    m_headTimer.setSingleShot(true);
    m_headTimer.setInterval(m_limits.headerTimeoutMs);
    connect(&m_headTimer, &QTimer::timeout, this, [this] {
        reject({ErrorCode::RequestTimeout, u"timed out reading the request header"_s});
    });

    m_requestTimer.setSingleShot(true);
    m_requestTimer.setInterval(m_limits.requestReadTimeoutMs);
    connect(&m_requestTimer, &QTimer::timeout, this, [this] {
        if (!m_closing) {
            reject({ErrorCode::RequestTimeout, u"timed out reading the request"_s});
        }
    });

    m_writeTimer.setSingleShot(true);
    m_writeTimer.setInterval(m_limits.writeTimeoutMs);
    connect(&m_writeTimer, &QTimer::timeout, this, [this] {
        if (QTcpSocket *current = m_socket; current && current->bytesToWrite() > 0) {
            qCInfo(lcHttp).noquote() << "http: client does not read its responses, aborting"
                                     << "remote=" << current->peerAddress().toString();
            current->abort();
        }
    });
}

HttpConnection::~HttpConnection() = default;

HttpConnection *HttpConnection::of(QTcpSocket *socket)
{
    if (!socket) {
        return nullptr;
    }
    return qobject_cast<HttpConnection *>(socket->property(connectionProperty).value<QObject *>());
}

RequestHead HttpConnection::takeRequestHead()
{
    m_requestTimer.stop();
    if (m_heads.isEmpty()) {
        return {};
    }
    return m_heads.dequeue();
}

void HttpConnection::onReadyRead()
{
    if (!m_socket) {
        return;
    }
    m_idleTimer.start();
    if (m_rejected) {
        m_socket->readAll(); // drain so the client can read our error response
        return;
    }
    if (!m_paused && !m_socket->isTransactionStarted() && isBackedUp()) {
        pauseReading();
    }
    if (m_paused) {
        // Hide the bytes from QtHttpServer inside our own transaction; resuming rolls it back.
        if (!m_socket->isTransactionStarted()) {
            m_socket->startTransaction();
        }
        static_cast<void>(m_socket->read(m_socket->bytesAvailable())); // kept for the rollback
        return;
    }
    // QtHttpServer 6.4 reads inside a transaction and stops at the end of each message: with no
    // transaction open, the unread bytes start a new request; with one open, peek() shows only the
    // bytes that arrived since its last read.
    if (!m_socket->isTransactionStarted()) {
        m_headBuffer.clear();
        m_parser.reset();
        m_readingHead = true;
    } else if (!m_readingHead) {
        return; // in a body whose length was already checked
    }
    const qint64 room = m_limits.maxHeaderBytes + 4 - m_headBuffer.size();
    m_headBuffer += m_socket->peek(qMin(m_socket->bytesAvailable(), qMax<qint64>(room, 0)));
    const HttpRequestParser::Status status = m_parser.feed(m_headBuffer);
    if (status == HttpRequestParser::Status::Error) {
        reject(m_parser.error());
        return;
    }
    if (m_headBuffer.isEmpty() && status == HttpRequestParser::Status::NeedMore) {
        return; // nothing but the empty lines a request may start with
    }
    if (!m_requestTimer.isActive()) {
        m_requestTimer.start();
    }
    if (status == HttpRequestParser::Status::NeedMore) {
        if (!m_headTimer.isActive()) {
            m_headTimer.start();
        }
        return;
    }
    // The head is complete and checked; QtHttpServer reads the body the parser allowed.
    m_headTimer.stop();
    m_readingHead = false;
    const qint64 bodyBytesPresent = m_headBuffer.size();
    m_headBuffer.clear();
    const ParsedRequest &request = m_parser.request();
    m_heads.enqueue({request.method, request.closeAfter});
    // Answer Expect: 100-continue only while the body is still to come and nothing else is
    // queued ahead of it (an interim response must not overtake an earlier answer).
    if (request.expectsContinue && request.contentLength >= 0 && bodyBytesPresent == 0
        && m_slots.empty()) {
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
}

quint64 HttpConnection::reserveSlot(bool closeAfter)
{
    const quint64 slot = m_nextSlot++;
    m_slots[slot].closeAfter = closeAfter;
    if (closeAfter) {
        m_closing = true;
    }
    m_idleTimer.start();
    return slot;
}

void HttpConnection::write(quint64 slot, const QByteArray &bytes, bool finished)
{
    const auto it = m_slots.find(slot);
    if (it == m_slots.end()) {
        return;
    }
    it->second.pending += bytes;
    it->second.finished = it->second.finished || finished;
    m_pendingBytes += bytes.size();
    flush();
    resumeReadingIfDrained();
}

void HttpConnection::flush()
{
    while (m_socket && !m_slots.empty()) {
        auto head = m_slots.begin();
        if (!head->second.pending.isEmpty()) {
            m_pendingBytes -= head->second.pending.size();
            m_socket->write(head->second.pending);
            head->second.pending.clear();
            armWriteDeadline();
        }
        if (!head->second.finished) {
            return;
        }
        const bool close = head->second.closeAfter;
        m_slots.erase(head);
        if (close) {
            closeGracefully();
            return;
        }
    }
}

void HttpConnection::reject(const Error &error)
{
    if (m_rejected || !m_socket) {
        return;
    }
    m_rejected = true;
    m_headTimer.stop();
    qCInfo(lcHttp).noquote() << "http: rejected request:" << error.message
                             << "remote=" << m_socket->peerAddress().toString();
    // QtHttpServer must not parse (and buffer) the rest: only our drain slot stays connected.
    disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    const quint64 slot = reserveSlot(true);
    write(slot, m_errorWriter ? m_errorWriter(error) : QByteArray(), true);
}

void HttpConnection::onIdleTimeout()
{
    QTcpSocket *socket = m_socket;
    if (!socket) {
        return;
    }
    if (socket->bytesToWrite() > 0) {
        socket->abort(); // idle while holding unread responses: the peer does not read
        return;
    }
    if (m_streaming || !m_slots.empty()) {
        m_idleTimer.start();
        return;
    }
    socket->disconnectFromHost();
}

void HttpConnection::onBytesWritten()
{
    m_idleTimer.start();
    m_writeTimer.stop(); // progress: the deadline starts again for what is still unflushed
    armWriteDeadline();
    resumeReadingIfDrained();
}

void HttpConnection::armWriteDeadline()
{
    if (QTcpSocket *socket = m_socket; socket && socket->bytesToWrite() > 0) {
        if (!m_writeTimer.isActive()) {
            m_writeTimer.start();
        }
    } else {
        m_writeTimer.stop();
    }
}

bool HttpConnection::isBackedUp() const
{
    const QTcpSocket *socket = m_socket;
    const qint64 unread = m_pendingBytes + (socket ? socket->bytesToWrite() : 0);
    return m_slots.size() >= static_cast<std::size_t>(m_limits.maxPipelinedRequests)
           || unread > m_limits.maxPendingResponseBytes;
}

void HttpConnection::pauseReading()
{
    QTcpSocket *socket = m_socket;
    if (!socket) { // onReadyRead() checked it
        return;
    }
    m_paused = true;
    m_headTimer.stop();
    m_requestTimer.stop();
    // Stop taking bytes from the kernel: the client's sends block instead of our memory growing.
    socket->setReadBufferSize(qMax<qint64>(1, socket->bytesAvailable()));
    qCDebug(lcHttp).noquote() << "http: pausing reads, responses are backed up"
                              << "remote=" << socket->peerAddress().toString();
}

void HttpConnection::resumeReadingIfDrained()
{
    QTcpSocket *socket = m_socket;
    if (!m_paused || !socket || m_rejected) {
        return;
    }
    // Resume below half the byte limit, so a connection at the edge does not flap.
    const qint64 unread = m_pendingBytes + socket->bytesToWrite();
    if (m_slots.size() >= static_cast<std::size_t>(m_limits.maxPipelinedRequests)
        || unread > m_limits.maxPendingResponseBytes / 2) {
        return;
    }
    m_paused = false;
    socket->setReadBufferSize(0);
    if (socket->isTransactionStarted()) {
        socket->rollbackTransaction();
    }
    if (socket->bytesAvailable() > 0) {
        QMetaObject::invokeMethod(socket, &QTcpSocket::readyRead, Qt::QueuedConnection);
    }
}

void HttpConnection::closeGracefully()
{
    QTcpSocket *current = m_socket;
    if (!current) {
        return;
    }
    current->disconnectFromHost(); // flushes what is written first
    // A peer that never reads must not keep the socket forever.
    QTimer::singleShot(5000, m_socket, [socket = m_socket] {
        if (socket && socket->state() != QAbstractSocket::UnconnectedState) {
            socket->abort();
        }
    });
}

} // namespace Gestalt
