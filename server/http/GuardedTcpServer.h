// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpConnection.h"

#include <QHash>
#include <QHostAddress>
#include <QTcpServer>

namespace Gestalt {

// The QTcpServer handed to QAbstractHttpServer::bind(): it attaches an HttpConnection guard to
// every socket before QtHttpServer connects its parser, and caps concurrent connections,
// in all and per client address.
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT

public:
    GuardedTcpServer(const ConnectionLimits &limits,
                     std::function<QByteArray(const Error &)> errorWriter,
                     QObject *parent = nullptr);
    ~GuardedTcpServer() override;
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)

    [[nodiscard]] int connectionCount() const { return m_connections; }

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    ConnectionLimits m_limits;
    std::function<QByteArray(const Error &)> m_errorWriter;
    int m_connections = 0;
    QHash<QHostAddress, int> m_perAddress;
};

} // namespace Gestalt
