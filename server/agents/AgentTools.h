// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/Operation.h"
#include "core/Principal.h"
#include "shared/Result.h"

#include <QJsonArray>
#include <QList>

namespace Gestalt {

class AccessCheck;
class AppCatalog;
class McpUpstreams;
struct AppDefinition;

// One app operation offered to a turn's model as a tool: a REST operation, or a tool of the
// app's upstream MCP server (operation.transport Mcp, from its tools/list). Either runs through
// InvocationService as the turn's caller, as /api/v1/{app}/{operation} and /mcp tools/call do.
struct AgentTool
{
    QString name; // as the model sees it: <app>_<operation> (McpToolCatalog::publicName)
    QString app;
    Operation operation;
    QString connection;
    QString instance;
    bool needsApproval = false;

    // {name, description, inputSchema}: ModelRequest::tools. An upstream MCP tool's
    // description and inputSchema are its server's (allowedOperations may replace the
    // description).
    [[nodiscard]] QJsonObject definition() const;
    [[nodiscard]] bool isUpstreamMcp() const
    {
        return operation.transport == Operation::Transport::Mcp;
    }
};

namespace AgentTools {

constexpr int MaxDefaultTools = 128;

// The tools of a turn. With toolRefs: each named operation, a REST one or a tool the app's
// upstream MCP server lists (400 for an app, operation or tool that does not exist; 503 while
// the server has not listed its tools yet). Whether the caller may run it is checked at each
// call, like any invocation, so a denied call shows in the turn's events. Without toolRefs:
// every REST operation and upstream MCP tool the caller may run (the one AccessCheck), at most
// MaxDefaultTools. `mcp` may be null (no upstream MCP servers). Apps whose server lists tools
// per caller (McpInvoker::isCallerScoped) are refused by name and left out of the default.
[[nodiscard]] Result<QList<AgentTool>> build(const AppCatalog &catalog,
                                             const AccessCheck &access,
                                             const McpUpstreams *mcp,
                                             const Principal &principal,
                                             const QJsonArray &refs);

} // namespace AgentTools
} // namespace Gestalt
