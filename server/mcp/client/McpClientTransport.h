// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>

namespace Gestalt {

// What a transport reports to the McpClient core (internal to McpClient).
class McpTransportHost
{
public:
    // One JSON-RPC message from the server (response, notification or request).
    virtual void receive(const QJsonObject &message) = 0;
    // The transport could not deliver a request or will never see its response.
    virtual void failRequest(qint64 id, const Error &error) = 0;
    // HTTP: the server does not know the session the request was sent with (404). `current`:
    // that session is still the client's one (then the client re-initializes).
    virtual void sessionExpired(qint64 id, bool current) = 0;
    // stdio: a fresh process is up (initialize it) / the process went away.
    virtual void connectionUp() = 0;
    virtual void connectionLost(const QString &reason, const Error &error) = 0;

protected:
    ~McpTransportHost() = default;
};

// How messages reach one upstream MCP server: stdio (McpStdioTransport) or Streamable HTTP
// (McpHttpTransport). Internal to McpClient.
class McpClientTransport : public QObject
{
    Q_OBJECT

public:
    explicit McpClientTransport(McpTransportHost &host)
        : m_host(host)
    {}

    // An error when requests cannot be sent now (stdio: no process runs).
    [[nodiscard]] virtual Result<void> available() const = 0;
    // True when available() but not yet able to initialize (stdio: the process is starting).
    [[nodiscard]] virtual bool waitsForConnection() const { return false; }
    // Sends a request; its response comes through receive() or failRequest().
    virtual void sendRequest(qint64 id, const QJsonObject &message, bool initialize) = 0;
    // Sends a notification or a response; `done` (may be empty) runs once it was handed over.
    virtual void sendMessage(const QJsonObject &message, std::function<void()> done = {}) = 0;
    // The client no longer waits for this request (timed out, cancelled).
    virtual void abandon(qint64 id) { Q_UNUSED(id) }
    // initialize succeeded with this protocol version / the client is ready for traffic.
    virtual void negotiated(const QString &protocolVersion) { Q_UNUSED(protocolVersion) }
    virtual void ready() {}
    // Forget the session before initializing a new one.
    virtual void resetSession() {}

protected:
    McpTransportHost &m_host;
};

} // namespace Gestalt
