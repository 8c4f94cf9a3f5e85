// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentTools.h"

#include "authz/AccessCheck.h"
#include "catalog/AppCatalog.h"
#include "mcp/McpToolCatalog.h"

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

} // namespace

QJsonObject AgentTool::definition() const
{
    QString description = operation.description.isEmpty() ? operation.title : operation.description;
    if (description.isEmpty()) {
        description = u"%1 %2 on %3"_s.arg(operation.method, operation.path, app);
    }
    return QJsonObject{{u"name"_s, name},
                       {u"description"_s, description},
                       {u"inputSchema"_s, operation.inputSchema}};
}

Result<QList<AgentTool>> AgentTools::build(const AppCatalog &catalog,
                                           const AccessCheck &access,
                                           const Principal &principal,
                                           const QJsonArray &refs)
{
    QList<AgentTool> tools;
    if (refs.isEmpty()) {
        for (const AppDefinition &app : catalog.apps()) {
            for (const Operation &op : app.operations) {
                if (op.transport != Operation::Transport::Rest
                    || !access.checkOperation(principal, app, op)) {
                    continue;
                }
                tools.append(toolFor(app, op));
                if (tools.size() >= MaxDefaultTools) {
                    return tools;
                }
            }
        }
        return tools;
    }
    for (qsizetype i = 0; i < refs.size(); ++i) {
        const QJsonObject ref = refs.at(i).toObject();
        const QString where = u"toolRefs[%1]"_s.arg(i);
        const AppDefinition *app = catalog.app(ref.value(u"appName"_s).toString());
        if (!app) {
            return Error::invalid(
                u"%1: app \"%2\" not found"_s.arg(where, ref.value(u"appName"_s).toString()));
        }
        const Operation *op = app->operation(ref.value(u"operation"_s).toString());
        if (!op || op->transport != Operation::Transport::Rest) {
            return Error::invalid(u"%1: operation \"%2\" not found on app \"%3\""_s.arg(
                where, ref.value(u"operation"_s).toString(), app->name));
        }
        AgentTool tool = toolFor(*app, *op);
        tool.connection = ref.value(u"connection"_s).toString();
        tool.instance = ref.value(u"instance"_s).toString();
        if (!ref.value(u"description"_s).toString().isEmpty()) {
            tool.operation.description = ref.value(u"description"_s).toString();
        }
        bool duplicate = false;
        for (const AgentTool &existing : std::as_const(tools)) {
            duplicate = duplicate || existing.name == tool.name;
        }
        if (!duplicate) {
            tools.append(tool);
        }
    }
    return tools;
}

} // namespace Gestalt
