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
struct AppDefinition;

// One app operation offered to a turn's model as a tool.
struct AgentTool
{
    QString name; // as the model sees it: <app>_<operation> (McpToolCatalog::publicName)
    QString app;
    Operation operation;
    QString connection;
    QString instance;
    bool needsApproval = false;

    // {name, description, inputSchema}: ModelRequest::tools.
    [[nodiscard]] QJsonObject definition() const;
};

namespace AgentTools {

constexpr int MaxDefaultTools = 128;

// The tools of a turn. With toolRefs: each named operation (400 for an app or operation that
// does not exist; whether the caller may run it is checked at each call, like any invocation, so
// a denied call shows in the turn's events). Without: every REST operation the caller may run
// (the one AccessCheck), at most MaxDefaultTools.
[[nodiscard]] Result<QList<AgentTool>> build(const AppCatalog &catalog,
                                             const AccessCheck &access,
                                             const Principal &principal,
                                             const QJsonArray &refs);

} // namespace AgentTools
} // namespace Gestalt
