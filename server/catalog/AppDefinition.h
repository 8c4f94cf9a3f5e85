// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/Operation.h"
#include "config/AppConfig.h"
#include "config/ConnectionConfig.h"
#include "httpclient/EgressPolicy.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace Gestalt {

// One connection of an app with its `ref` resolved.
struct AppConnection
{
    QString name;         // local name in the app ("default", "plugin"...)
    QString connectionId; // credential namespace: top-level id, else "<app>:<name>"
    ConnectionConfig config;
    ConnectionExposure exposure = ConnectionExposure::User;

    [[nodiscard]] ConnectionMode mode() const { return config.effectiveMode(); }
};

// An app as the gateway serves it: config, manifest and operation document merged and checked.
struct AppDefinition
{
    QString name;
    QString displayName;
    QString description;
    QString iconSvg; // file contents
    QString authorizationPolicy;
    bool mcp = false;     // operations exposed as MCP tools
    bool mcpOnly = false; // operations come only from an upstream MCP surface
    QString baseUrl;      // may hold {param} placeholders filled from connection params
    QMap<QString, QString> headers;
    // allowedHosts, server.egress.defaultAction when it has none, and the hosts its config
    // writes literally (namedHosts: base URL, MCP and GraphQL URLs, OAuth and discovery URLs).
    EgressPolicy egress;
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
    ApprovalRule approval = ApprovalRule::Never; // for agent tool calls; see needsApproval()
    QList<Operation> operations;                 // sorted by id
    QMap<QString, AppConnection> connections;
    QString defaultConnection; // resolved local name; empty when the app has no connection
    QMap<QString, SecurityScheme> securitySchemes;
    QMap<QString, HttpBinding> http;
    std::optional<McpSurface> mcpSurface;
    QString runtimeProvider; // runtime.provider for a hosted MCP command; empty: the default
    // As configured; already applied to `operations`, applied to an upstream MCP server's tools
    // when they are discovered. nullopt: everything is exposed.
    std::optional<QMap<QString, AllowedOperation>> allowedOperations;

    [[nodiscard]] const Operation *operation(const QString &id) const;
    // Does an agent's call of `op` wait for an operator's approval? The operation's own rule,
    // else the app's (Writes: any method but GET, HEAD and OPTIONS).
    [[nodiscard]] bool needsApproval(const Operation &op) const;
    [[nodiscard]] const AppConnection *connection(const QString &connectionName) const;
};

// An allowedOperations entry on the operation it names: alias (as id), description,
// allowedRoles and tags where the entry sets them.
void applyAllowedOperation(Operation &op, const AllowedOperation &allowed);

} // namespace Gestalt
