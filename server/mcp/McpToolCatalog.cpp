// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/McpToolCatalog.h"

#include "authz/AccessCheck.h"
#include "catalog/AppCatalog.h"
#include "mcp/McpUpstreams.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString sanitize(const QString &text)
{
    QString out = text;
    for (QChar &c : out) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z')
                        || (u >= u'0' && u <= u'9') || u == u'_' || u == u'-';
        if (!ok) {
            c = u'_';
        }
    }
    return out;
}

QString prefixOf(const AppDefinition &app)
{
    if (app.mcpSurface && app.mcpSurface->toolPrefix) {
        return *app.mcpSurface->toolPrefix;
    }
    return app.name + u'_';
}

bool usesInternalConnection(const AppDefinition &app, const Operation &op)
{
    const AppConnection *connection = app.connection(op.connection);
    return connection != nullptr && connection->exposure == ConnectionExposure::Internal;
}

} // namespace

McpToolCatalog::McpToolCatalog(const AppCatalog &apps,
                               const AccessCheck &access,
                               UpstreamOperations upstreamOperations)
    : m_apps(apps)
    , m_access(access)
    , m_upstreamOperations(std::move(upstreamOperations))
{
    for (const AppDefinition &app : m_apps.apps()) {
        if (McpUpstreams::isCallerScoped(app)) {
            m_callerScoped.append(&app);
        }
    }
    rebuild();
}

bool McpToolCatalog::anyContributor(const AppCatalog &apps)
{
    for (const AppDefinition &app : apps.apps()) {
        if ((app.mcp && !app.operations.isEmpty()) || app.mcpSurface) {
            return true;
        }
    }
    return false;
}

QString McpToolCatalog::toolName(const QString &prefix, const QString &operationId)
{
    const QString cleanPrefix = sanitize(prefix);
    QString cleanId = sanitize(operationId);
    if (cleanPrefix.isEmpty() || cleanId.startsWith(cleanPrefix)) {
        return cleanId;
    }
    return cleanPrefix + cleanId;
}

QString McpToolCatalog::publicName(const AppDefinition &app, const QString &operationId)
{
    return toolName(prefixOf(app), operationId);
}

QString McpToolCatalog::operationIdFor(const AppDefinition &app, const QString &toolName)
{
    const QString prefix = sanitize(prefixOf(app));
    return toolName.startsWith(prefix) ? toolName.mid(prefix.size()) : toolName;
}

void McpToolCatalog::rebuild()
{
    m_tools.clear();
    m_byName.clear();
    const auto add = [this](const AppDefinition &app, const Operation &op) {
        QString name = publicName(app, op.id);
        if (m_byName.contains(name)) {
            int n = 2;
            while (m_byName.contains(name + u'_' + QString::number(n))) {
                ++n;
            }
            name = name + u'_' + QString::number(n);
        }
        m_byName.insert(name, int(m_tools.size()));
        m_tools.push_back(Tool{name, &app, op, definition(name, op)});
    };
    for (const AppDefinition &app : m_apps.apps()) {
        if (app.mcp) {
            for (const Operation &op : app.operations) {
                if (op.transport == Operation::Transport::Rest) {
                    add(app, op);
                }
            }
        }
        if (app.mcpSurface && m_upstreamOperations) {
            for (const Operation &op : m_upstreamOperations(app.name)) {
                add(app, op);
            }
        }
    }
}

QJsonObject McpToolCatalog::definition(const QString &name, const Operation &op)
{
    if (op.mcpTool.isEmpty()) {
        return restDefinition(name, op);
    }
    QJsonObject tool = op.mcpTool; // the upstream's entry, verbatim but for the name
    tool.insert(u"name"_s, name);
    return tool;
}

const AppDefinition *McpToolCatalog::callerScopedAppFor(const QString &toolName) const
{
    const AppDefinition *best = nullptr;
    qsizetype bestLength = -1;
    for (const AppDefinition *app : m_callerScoped) {
        const QString prefix = sanitize(prefixOf(*app));
        if (toolName.startsWith(prefix) && prefix.size() > bestLength) {
            best = app;
            bestLength = prefix.size();
        }
    }
    return best;
}

std::optional<McpToolCatalog::Tool> McpToolCatalog::callerTool(const Principal &principal,
                                                               const AppDefinition &app,
                                                               const Operation &op) const
{
    Tool tool{publicName(app, op.id), &app, op, {}};
    if (!isVisibleTo(principal, tool)) {
        return std::nullopt;
    }
    tool.definition = definition(tool.name, op);
    return tool;
}

QJsonObject McpToolCatalog::restDefinition(const QString &name, const Operation &op)
{
    QJsonObject tool{{u"name"_s, name}};
    if (!op.title.isEmpty()) {
        tool.insert(u"title"_s, op.title);
    }
    tool.insert(u"description"_s,
                op.description.isEmpty() ? (op.title.isEmpty() ? op.id : op.title)
                                         : op.description);
    QJsonObject schema = op.inputSchema;
    if (schema.value(u"type"_s) != u"object"_s) {
        schema = QJsonObject{{u"type"_s, u"object"_s}, {u"properties"_s, QJsonObject()}};
    }
    tool.insert(u"inputSchema"_s, schema);
    QJsonObject annotations = op.annotations();
    annotations.insert(u"title"_s, op.title.isEmpty() ? op.id : op.title);
    tool.insert(u"annotations"_s, annotations);
    return tool;
}

const McpToolCatalog::Tool *McpToolCatalog::tool(const QString &name) const
{
    const auto it = m_byName.constFind(name);
    return it == m_byName.cend() ? nullptr : &m_tools[size_t(*it)];
}

bool McpToolCatalog::isVisibleTo(const Principal &principal, const Tool &tool) const
{
    return !usesInternalConnection(*tool.app, tool.operation)
           && m_access.canRun(principal, *tool.app, tool.operation);
}

QList<const McpToolCatalog::Tool *> McpToolCatalog::visibleTo(const Principal &principal) const
{
    QList<const Tool *> visible;
    for (const Tool &tool : m_tools) {
        if (isVisibleTo(principal, tool)) {
            visible.append(&tool);
        }
    }
    return visible;
}

} // namespace Gestalt
