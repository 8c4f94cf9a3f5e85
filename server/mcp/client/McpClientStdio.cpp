// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/client/McpClientStdio.h"

#include "core/Logging.h"
#include "runtime/HostedProcess.h"
#include "runtime/RuntimeSession.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace Gestalt {

McpStdioTransport::McpStdioTransport(McpTransportHost &host, HostedProcess &process)
    : McpClientTransport(host)
    , m_process(&process)
{
    connect(&process, &HostedProcess::stdoutLine, this, &McpStdioTransport::readLine);
    connect(&process, &HostedProcess::sessionStarted, this, [this] { m_host.connectionUp(); });
    connect(&process, &HostedProcess::sessionEnded, this, [this](const QString &reason) {
        m_host.connectionLost(
            reason, Error{ErrorCode::Unavailable, u"upstream MCP server exited: %1"_s.arg(reason)});
    });
    if (process.isRunning()) {
        // Already up: initialize once the client is assembled and its signals connected.
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (m_process && m_process->isRunning()) {
                    m_host.connectionUp();
                }
            },
            Qt::QueuedConnection);
    }
}

Error McpStdioTransport::unavailable() const
{
    const QString reason = m_process ? m_process->unavailableReason() : u"removed"_s;
    return Error{ErrorCode::Unavailable, u"upstream MCP server is not running (%1)"_s.arg(reason)};
}

Result<void> McpStdioTransport::available() const
{
    if (m_process && (m_process->isRunning() || waitsForConnection())) {
        return {};
    }
    return unavailable();
}

bool McpStdioTransport::waitsForConnection() const
{
    // A process that is being launched: requests wait for it to be up.
    const RuntimeSession *session = m_process ? m_process->session() : nullptr;
    return session != nullptr && session->state() == RuntimeSession::State::Starting;
}

void McpStdioTransport::sendRequest(qint64 id, const QJsonObject &message, bool initialize)
{
    Q_UNUSED(initialize)
    if (m_process.isNull()
        || !m_process->write(QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n')) {
        m_host.failRequest(id, unavailable());
    }
}

void McpStdioTransport::sendMessage(const QJsonObject &message, std::function<void()> done)
{
    if (m_process) {
        m_process->write(QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n');
    }
    if (done) {
        done();
    }
}

void McpStdioTransport::readLine(const QByteArray &line)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || document.isNull()) {
        if (!line.trimmed().isEmpty()) {
            qCDebug(lcMcp) << "mcp client: ignoring a stdout line that is not JSON (" << line.size()
                           << "bytes)";
        }
        return;
    }
    if (document.isObject()) {
        m_host.receive(document.object());
        return;
    }
    const QJsonArray batch = document.array();
    for (const auto &message : batch) {
        if (message.isObject()) {
            m_host.receive(message.toObject());
        }
    }
}

} // namespace Gestalt
