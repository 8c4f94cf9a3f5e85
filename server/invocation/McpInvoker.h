// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/Operation.h"
#include "mcp/client/McpClient.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <chrono>
#include <functional>
#include <optional>
#include <utility>

namespace Gestalt {

struct AppDefinition;

// The upstream MCP servers as invocation calls them: declared here, implemented by
// mcp/McpUpstreams (as workflows/AgentStepRunner is declared by workflows and implemented by
// agents), so invocation never includes the MCP domain above it.
class McpInvoker
{
public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;
    using ToolsCallback = std::function<void(Result<QList<Operation>>)>;
    // The access check of the caller on the tool a caller-scoped call resolved to (its
    // allowedOperations entry applied: alias, allowedRoles...), the same AccessCheck that
    // tools/list asks (McpToolCatalog::callerTool).
    using ToolGate = std::function<Result<void>(const Operation &)>;

    virtual ~McpInvoker() = default;

    // Does the app's server list its tools per credential: a URL server behind a user or
    // platform connection (McpUpstreams explains caller-scoped upstreams)?
    [[nodiscard]] static bool isCallerScoped(const AppDefinition &app);

    // The shared discovery's tool (none for caller-scoped apps).
    [[nodiscard]] virtual std::optional<Operation> operation(const QString &app,
                                                             const QString &tool) const = 0;

    // A caller-scoped app's tools as the server shows them to the credential in `headers`.
    // Calls back once, never from inside.
    virtual void listToolsFor(const AppDefinition &app,
                              const Headers &headers,
                              std::chrono::milliseconds timeout,
                              ToolsCallback callback) = 0;

    // tools/call on the app's server (`tool`: the upstream name); see McpUpstreams::callTool.
    // The returned function cancels the call.
    virtual std::function<void()> callTool(const AppDefinition &app,
                                           const QString &tool,
                                           const QJsonObject &arguments,
                                           const Headers &headers,
                                           std::chrono::milliseconds timeout,
                                           ToolGate gate,
                                           McpClient::Callback callback,
                                           McpClient::Progress progress) = 0;
};

} // namespace Gestalt
