// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentTools.h"

#include "authz/AccessCheck.h"
#include "catalog/AppCatalog.h"
#include "mcp/McpToolCatalog.h"
#include "mcp/McpUpstreams.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

AgentTool toolFor(const AppDefinition &app, const Operation &op)
{
    AgentTool tool;
    tool.name = McpToolCatalog::publicName(app, op.id);
    tool.app = app.name;
    tool.operation = op;
    tool.needsApproval = app.needsApproval(op);
    return tool;
}

// Adds `tool` unless one of that name is there already; false when `tools` is full.
bool addTool(QList<AgentTool> &tools, AgentTool tool, qsizetype limit)
{
    for (const AgentTool &existing : std::as_const(tools)) {
        if (existing.name == tool.name) {
            return true;
        }
    }
    tools.append(std::move(tool));
    return tools.size() < limit;
}

// The operations of `app` a turn may offer: its REST ones and its upstream MCP server's tools
// (shared discovery only: a caller-scoped server's are known per credential).
QList<Operation> offeredOperations(const AppDefinition &app, const McpUpstreams *mcp)
{
    QList<Operation> operations;
    for (const Operation &op : app.operations) {
        if (op.transport == Operation::Transport::Rest) {
            operations.append(op);
        }
    }
    if (mcp && app.mcpSurface && !McpInvoker::isCallerScoped(app)) {
        operations.append(mcp->operations(app.name));
    }
    return operations;
}

QList<AgentTool> defaultTools(const AppCatalog &catalog,
                              const AccessCheck &access,
                              const McpUpstreams *mcp,
                              const Principal &principal)
{
    QList<AgentTool> tools;
    for (const AppDefinition &app : catalog.apps()) {
        for (const Operation &op : offeredOperations(app, mcp)) {
            if (!access.checkOperation(principal, app, op)) {
                continue;
            }
            if (!addTool(tools, toolFor(app, op), AgentTools::MaxDefaultTools)) {
                return tools;
            }
        }
    }
    return tools;
}

// The operation a toolRef names on `app`: a REST operation, else a tool its upstream MCP
// server lists (by id: the upstream name or its allowedOperations alias).
Result<Operation> refOperation(const AppDefinition &app,
                               const QString &name,
                               const McpUpstreams *mcp,
                               const QString &where)
{
    if (const Operation *op = app.operation(name);
        op && op->transport == Operation::Transport::Rest) {
        return *op;
    }
    if (!app.mcpSurface || !mcp) {
        return Error::invalid(
            u"%1: operation \"%2\" not found on app \"%3\""_s.arg(where, name, app.name));
    }
    if (McpInvoker::isCallerScoped(app)) {
        return Error{ErrorCode::NotImplemented,
                     u"%1: app \"%2\" lists its MCP tools per caller; agent turns cannot offer "
                     u"them yet"_s.arg(where, app.name)};
    }
    if (std::optional<Operation> tool = mcp->operation(app.name, name)) {
        return *tool;
    }
    if (!mcp->discovered(app.name)) {
        return Error::unavailable(
            u"%1: the MCP server of app \"%2\" has not listed its tools yet; try again"_s.arg(
                where, app.name));
    }
    return Error::invalid(
        u"%1: the MCP server of app \"%2\" lists no tool \"%3\""_s.arg(where, app.name, name));
}

} // namespace

QJsonObject AgentTool::definition() const
{
    QString description = operation.description.isEmpty() ? operation.title : operation.description;
    if (description.isEmpty()) {
        description = isUpstreamMcp() ? u"tool %1 of app %2"_s.arg(operation.id, app)
                                      : u"%1 %2 on %3"_s.arg(operation.method, operation.path, app);
    }
    QJsonObject schema = operation.inputSchema;
    if (schema.isEmpty()) {
        schema = QJsonObject{{u"type"_s, u"object"_s}};
    }
    return QJsonObject{
        {u"name"_s, name}, {u"description"_s, description}, {u"inputSchema"_s, schema}};
}

Result<QList<AgentTool>> AgentTools::build(const AppCatalog &catalog,
                                           const AccessCheck &access,
                                           const McpUpstreams *mcp,
                                           const Principal &principal,
                                           const QJsonArray &refs)
{
    if (refs.isEmpty()) {
        return defaultTools(catalog, access, mcp, principal);
    }
    QList<AgentTool> tools;
    for (qsizetype i = 0; i < refs.size(); ++i) {
        const QJsonObject ref = refs.at(i).toObject();
        const QString where = u"toolRefs[%1]"_s.arg(i);
        const AppDefinition *app = catalog.app(ref.value(u"appName"_s).toString());
        if (!app) {
            return Error::invalid(
                u"%1: app \"%2\" not found"_s.arg(where, ref.value(u"appName"_s).toString()));
        }
        Result<Operation> op = refOperation(*app, ref.value(u"operation"_s).toString(), mcp, where);
        if (!op) {
            return op.error();
        }
        AgentTool tool = toolFor(*app, *op);
        tool.connection = ref.value(u"connection"_s).toString();
        tool.instance = ref.value(u"instance"_s).toString();
        if (!ref.value(u"description"_s).toString().isEmpty()) {
            tool.operation.description = ref.value(u"description"_s).toString();
        }
        addTool(tools, std::move(tool), refs.size() + 1);
    }
    return tools;
}

} // namespace Gestalt
