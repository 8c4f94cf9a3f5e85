// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "support/RawHttpClient.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt::Test {

QByteArray RawResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

bool RawResponse::hasHeader(const QByteArray &name) const
{
    return std::any_of(headers.cbegin(), headers.cend(), [&](const auto &h) {
        return h.first.compare(name, Qt::CaseInsensitive) == 0;
    });
}

RawHttpClient::RawHttpClient(quint16 port)
{
    QObject::connect(&m_socket, &QTcpSocket::disconnected, &m_socket, [this] { m_closed = true; });
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    QEventLoop loop;
    QObject::connect(&m_socket, &QTcpSocket::connected, &loop, &QEventLoop::quit);
    QObject::connect(&m_socket, &QTcpSocket::errorOccurred, &loop, &QEventLoop::quit);
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    if (m_socket.state() != QAbstractSocket::ConnectedState) {
        loop.exec();
    }
}

bool RawHttpClient::isConnected() const
{
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

void RawHttpClient::send(const QByteArray &bytes)
{
    m_socket.write(bytes);
    m_socket.flush();
}

bool RawHttpClient::parseOne(bool noBody, RawResponse *out)
{
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        return false;
    }
    const QList<QByteArray> lines = m_buffer.left(end).split('\n');
    RawResponse response;
    response.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        response.headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
    }
    qsizetype consumed = end + 4;
    const bool bodyless =
        noBody || response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodyless) {
        if (response.header("transfer-encoding").contains("chunked")) {
            qsizetype pos = consumed;
            QByteArray body;
            for (;;) {
                const qsizetype lineEnd = m_buffer.indexOf("\r\n", pos);
                if (lineEnd < 0) {
                    return false;
                }
                bool ok = false;
                const qsizetype size = m_buffer.mid(pos, lineEnd - pos).toLongLong(&ok, 16);
                if (!ok || m_buffer.size() < lineEnd + 2 + size + 2) {
                    return false;
                }
                body += m_buffer.mid(lineEnd + 2, size);
                pos = lineEnd + 2 + size + 2;
                if (size == 0) {
                    break;
                }
            }
            response.body = body;
            consumed = pos;
        } else {
            const qsizetype length = response.header("content-length").toLongLong();
            if (m_buffer.size() < consumed + length) {
                return false;
            }
            response.body = m_buffer.mid(consumed, length);
            consumed += length;
        }
    }
    m_buffer.remove(0, consumed);
    *out = response;
    return true;
}

QList<RawResponse> RawHttpClient::read(int count, int timeoutMs, const QList<int> &noBody)
{
    QList<RawResponse> responses;
    QDeadlineTimer deadline(timeoutMs);
    while (responses.size() < count && !deadline.hasExpired()) {
        m_buffer += m_socket.readAll();
        RawResponse response;
        while (responses.size() < count
               && parseOne(noBody.contains(int(responses.size())), &response)) {
            responses.append(response);
        }
        if (responses.size() >= count || (m_closed && m_socket.bytesAvailable() == 0)) {
            break;
        }
        QEventLoop loop;
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &loop, &QEventLoop::quit);
        QObject::connect(&m_socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
        QTimer::singleShot(qMax<qint64>(1, deadline.remainingTime()), &loop, &QEventLoop::quit);
        loop.exec();
    }
    return responses;
}

bool RawHttpClient::waitForClosed(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!m_closed && !deadline.hasExpired()) {
        QEventLoop loop;
        QObject::connect(&m_socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &loop, &QEventLoop::quit);
        QTimer::singleShot(qMax<qint64>(1, deadline.remainingTime()), &loop, &QEventLoop::quit);
        loop.exec();
        m_buffer += m_socket.readAll();
    }
    return m_closed;
}

RawResponse rawRequest(quint16 port, const QByteArray &bytes, int timeoutMs)
{
    RawHttpClient client(port);
    client.send(bytes);
    const QList<RawResponse> responses = client.read(1, timeoutMs);
    return responses.value(0);
}

} // namespace Gestalt::Test
