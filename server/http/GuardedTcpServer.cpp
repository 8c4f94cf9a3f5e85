// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/GuardedTcpServer.h"

#include "core/Logging.h"

#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace Gestalt {

GuardedTcpServer::GuardedTcpServer(const ConnectionLimits &limits,
                                   std::function<QByteArray(const Error &)> errorWriter,
                                   QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
    , m_errorWriter(std::move(errorWriter))
{}

GuardedTcpServer::~GuardedTcpServer() = default;

void GuardedTcpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    if (m_connections >= m_limits.maxConnections) {
        qCWarning(lcHttp) << "http: connection limit reached, refusing" << socket->peerAddress();
        socket->write(m_errorWriter({ErrorCode::Unavailable, u"too many connections"_s}));
        socket->disconnectFromHost();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        return;
    }
    // One address may not hold every slot (slow clients from one host lock everyone else out).
    const QHostAddress peer = socket->peerAddress();
    int &fromPeer = m_perAddress[peer];
    if (m_limits.maxConnectionsPerAddress > 0 && fromPeer >= m_limits.maxConnectionsPerAddress) {
        qCWarning(lcHttp) << "http: per-address connection limit reached, refusing" << peer;
        socket->write(
            m_errorWriter({ErrorCode::Unavailable, u"too many connections from this address"_s}));
        socket->disconnectFromHost();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        return;
    }
    ++fromPeer;
    ++m_connections;
    auto *connection = new HttpConnection(socket, m_limits);
    connection->setErrorWriter(m_errorWriter);
    connect(connection, &QObject::destroyed, this, [this, peer] {
        --m_connections;
        const auto it = m_perAddress.find(peer);
        if (it != m_perAddress.end() && --it.value() <= 0) {
            m_perAddress.erase(it);
        }
    });
    addPendingConnection(socket);
    Q_EMIT newConnection();
}

} // namespace Gestalt
