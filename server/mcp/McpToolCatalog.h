// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/Operation.h"
#include "core/Principal.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

namespace Gestalt {

class AccessCheck;
class AppCatalog;
struct AppDefinition;

// The MCP tools every app contributes: one per operation of an app with `mcp: true`, and one per
// tool an upstream MCP server of an app advertises. Tool name = prefix + operation id with every
// character outside [A-Za-z0-9_-] mapped to `_`; the prefix is `<app>_` (or the app's
// surfaces.mcp.toolPrefix), left out when the id already starts with it; later duplicates get
// _2, _3... Rebuilt when an upstream's tool list changes. Caller-scoped upstream apps
// (McpUpstreams::isCallerScoped) have no tools here: each caller's come from the server per
// request, named the same way (publicName).
class McpToolCatalog final
{
public:
    using UpstreamOperations = std::function<QList<Operation>(const QString &app)>;

    struct Tool
    {
        QString name;
        const AppDefinition *app = nullptr;
        Operation operation;
        QJsonObject definition; // the tools/list entry
    };

    McpToolCatalog(const AppCatalog &apps,
                   const AccessCheck &access,
                   UpstreamOperations upstreamOperations);

    void rebuild();
    // Does any app contribute tools (decides whether /mcp is mounted)?
    [[nodiscard]] static bool anyContributor(const AppCatalog &apps);

    [[nodiscard]] const Tool *tool(const QString &name) const;
    // Tools the caller may call, in catalog order: the same AccessCheck the invocation asks.
    [[nodiscard]] QList<const Tool *> visibleTo(const Principal &principal) const;
    [[nodiscard]] bool isVisibleTo(const Principal &principal, const Tool &tool) const;
    [[nodiscard]] int size() const { return int(m_tools.size()); }

    // The apps whose tools each caller gets from the server, in catalog order.
    [[nodiscard]] const QList<const AppDefinition *> &callerScopedApps() const
    {
        return m_callerScoped;
    }
    // The caller-scoped app a tool name belongs to (the longest matching prefix), or null.
    [[nodiscard]] const AppDefinition *callerScopedAppFor(const QString &toolName) const;
    // A caller-scoped app's tool, as visibleTo() would give it (null when the caller may not
    // run it).
    [[nodiscard]] std::optional<Tool>
    callerTool(const Principal &principal, const AppDefinition &app, const Operation &op) const;

    [[nodiscard]] static QString toolName(const QString &prefix, const QString &operationId);
    // toolName() with the app's prefix.
    [[nodiscard]] static QString publicName(const AppDefinition &app, const QString &operationId);
    // A tool name without the app's prefix: the operation id as far as the name tells it (the
    // same publicName() again; exact unless sanitising changed the id).
    [[nodiscard]] static QString operationIdFor(const AppDefinition &app, const QString &toolName);

private:
    [[nodiscard]] static QJsonObject definition(const QString &name, const Operation &op);
    [[nodiscard]] static QJsonObject restDefinition(const QString &name, const Operation &op);

    const AppCatalog &m_apps;
    const AccessCheck &m_access;
    UpstreamOperations m_upstreamOperations;
    QList<const AppDefinition *> m_callerScoped;
    std::vector<Tool> m_tools;
    QHash<QString, int> m_byName;
};

} // namespace Gestalt
