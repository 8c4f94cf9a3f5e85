// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "support/FakeUpstream.h"

#include <QTcpSocket>

#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace Gestalt::Test {

namespace {

constexpr char kBufferProperty[] = "fakeUpstreamBuffer";
constexpr char kCountProperty[] = "fakeUpstreamRequests";

// The request's declared body length (0 without one).
qsizetype declaredLength(const QByteArray &head)
{
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0
            && line.left(colon).trimmed().compare("content-length", Qt::CaseInsensitive) == 0) {
            return line.mid(colon + 1).trimmed().toLongLong();
        }
    }
    return 0;
}

QByteArray reasonFor(int status)
{
    switch (status) {
    case 200:
        return "OK"_ba;
    case 404:
        return "Not Found"_ba;
    default:
        return "Status"_ba;
    }
}

// Closes with RST instead of FIN: SO_LINGER with a zero timeout, then close().
void resetConnection(QTcpSocket *socket)
{
    socket->flush();
    const linger option{1, 0};
    ::setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &option, sizeof option);
    socket->abort();
}

} // namespace

FakeUpstream::FakeUpstream(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FakeUpstream::acceptConnections);
}

FakeUpstream::~FakeUpstream()
{
    for (const QPointer<QTcpSocket> &socket : std::as_const(m_sockets)) {
        if (socket) {
            socket->abort();
        }
    }
}

bool FakeUpstream::start()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QString FakeUpstream::baseUrl() const
{
    return u"http://127.0.0.1:%1"_s.arg(m_server.serverPort());
}

void FakeUpstream::setReply(int status,
                            const QList<std::pair<QByteArray, QByteArray>> &headers,
                            const QByteArray &body)
{
    m_behaviour = Behaviour::Reply;
    m_status = status;
    m_headers = headers;
    m_body = body;
}

void FakeUpstream::setRawReply(const QByteArray &bytes, bool closeAfter)
{
    m_behaviour = Behaviour::Raw;
    m_raw = bytes;
    m_rawClose = closeAfter;
}

void FakeUpstream::setBodySize(qint64 bytes, bool declareLength)
{
    m_behaviour = Behaviour::Body;
    m_bodySize = bytes;
    m_declareLength = declareLength;
}

void FakeUpstream::acceptConnections()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        ++m_connections;
        socket->setParent(this);
        m_sockets.append(socket);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readFrom(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void FakeUpstream::readFrom(QTcpSocket *socket)
{
    QByteArray buffer = socket->property(kBufferProperty).toByteArray() + socket->readAll();
    for (;;) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            break;
        }
        const QByteArray head = buffer.left(end + 4);
        const qsizetype total = head.size() + declaredLength(head);
        if (buffer.size() < total) {
            break; // the body is still on its way
        }
        buffer.remove(0, total);
        m_requests.append(head);
        const int count = socket->property(kCountProperty).toInt() + 1;
        socket->setProperty(kCountProperty, count);
        Q_EMIT requestReceived();
        answer(socket, count);
        if (socket->state() != QAbstractSocket::ConnectedState) {
            return;
        }
    }
    socket->setProperty(kBufferProperty, buffer);
}

QByteArray FakeUpstream::replyBytes() const
{
    QByteArray out = "HTTP/1.1 "_ba + QByteArray::number(m_status) + ' ' + reasonFor(m_status)
                     + "\r\nContent-Length: "_ba + QByteArray::number(m_body.size()) + "\r\n"_ba;
    for (const auto &[name, value] : std::as_const(m_headers)) {
        out += name + ": "_ba + value + "\r\n"_ba;
    }
    return out + "\r\n"_ba + m_body;
}

void FakeUpstream::answer(QTcpSocket *socket, int requestOnConnection)
{
    switch (m_behaviour) {
    case Behaviour::Reply:
        socket->write(replyBytes());
        if (m_closeAfterReply) {
            socket->disconnectFromHost(); // after the buffered reply is written
        }
        return;
    case Behaviour::StaleKeepAlive:
        if (requestOnConnection == 1) {
            socket->write(replyBytes());
        } else {
            socket->disconnectFromHost();
        }
        return;
    case Behaviour::Reset:
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Content-Length: 100000\r\n\r\n{\"partial\":"_ba);
        resetConnection(socket);
        return;
    case Behaviour::Garbage:
        socket->write("SSH-2.0-OpenSSH_9.2 this is not HTTP at all\r\n\x01\x02\x03\r\n\r\n"_ba);
        socket->disconnectFromHost();
        return;
    case Behaviour::Raw:
        socket->write(m_raw);
        if (m_rawClose) {
            socket->disconnectFromHost();
        }
        return;
    case Behaviour::Body: {
        QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"_ba;
        head += m_declareLength ? "Content-Length: "_ba + QByteArray::number(m_bodySize) + "\r\n"_ba
                                : "Connection: close\r\n"_ba;
        socket->write(head + "\r\n"_ba);
        socket->write(QByteArray(m_bodySize, 'x'));
        if (!m_declareLength) {
            socket->disconnectFromHost(); // after the buffered body is written
        }
        return;
    }
    case Behaviour::Hang:
        return;
    }
}

} // namespace Gestalt::Test
