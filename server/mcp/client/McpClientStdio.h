// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "mcp/client/McpClientTransport.h"

#include <QPointer>

namespace Gestalt {

class HostedProcess;

// MCP over a hosted process's stdin/stdout: one compact JSON message per line. Lines that are not
// JSON objects or arrays are ignored. Internal to McpClient (McpClient::stdio()).
class McpStdioTransport final : public McpClientTransport
{
    Q_OBJECT

public:
    McpStdioTransport(McpTransportHost &host, HostedProcess &process);

    [[nodiscard]] Result<void> available() const override;
    [[nodiscard]] bool waitsForConnection() const override;
    void sendRequest(qint64 id, const QJsonObject &message, bool initialize) override;
    void sendMessage(const QJsonObject &message, std::function<void()> done) override;

private:
    void readLine(const QByteArray &line);
    [[nodiscard]] Error unavailable() const;

    QPointer<HostedProcess> m_process;
};

} // namespace Gestalt
