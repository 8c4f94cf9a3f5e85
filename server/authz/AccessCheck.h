// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Principal.h"
#include "shared/Result.h"

#include <QJsonValue>
#include <QString>

namespace Gestalt {

class Authorizer;
struct AppDefinition;
struct Operation;

// The one access check every door asks before an app is shown or an operation runs: the REST
// invoke and catalog, MCP tools/list and tools/call, workflow steps and agent tool calls. In
// order: API-token scopes (space-separated app names) and permissions ([{app, operations?}]);
// system subjects only what their explicit permission set grants (a hosted binding: its own app);
// the app's authorizationPolicy (static member, dynamic grant, `default: allow` → viewer for users
// only); the operation's allowedRoles.
class AccessCheck final
{
public:
    explicit AccessCheck(const Authorizer &authorizer);

    // May the caller see and use the app at all? 403 otherwise.
    [[nodiscard]] Result<void> checkApp(const Principal &principal, const AppDefinition &app) const;
    // May the caller run this operation? Implies checkApp().
    [[nodiscard]] Result<void> checkOperation(const Principal &principal,
                                              const AppDefinition &app,
                                              const Operation &operation) const;

    [[nodiscard]] bool canSeeApp(const Principal &principal, const AppDefinition &app) const
    {
        return checkApp(principal, app).hasValue();
    }
    [[nodiscard]] bool
    canRun(const Principal &principal, const AppDefinition &app, const Operation &operation) const
    {
        return checkOperation(principal, app, operation).hasValue();
    }

    // The token ceiling alone (scopes / permissions; roles are not consulted): does the caller's
    // token allow `operation` on `app`? Always for an unscoped caller.
    [[nodiscard]] static bool
    tokenAllows(const Principal &principal, const QString &app, const QString &operation);
    // The caller's ceiling as [{app, operations?}] (an older space-separated scope becomes
    // entries without operations); null for an unscoped caller.
    [[nodiscard]] static QJsonValue tokenCeiling(const Principal &principal);
    // Is everything `ceiling` ([{app, operations?}], as tokenCeiling() or a workflow's
    // authority) allows also allowed by the caller's token? A null ceiling (made without a
    // scope) is within an unscoped caller's only. This is what a scoped token may see of its
    // owner's workflows and agent sessions: nothing that reaches beyond it.
    [[nodiscard]] static bool ceilingWithin(const QJsonValue &ceiling, const Principal &principal);

private:
    [[nodiscard]] Result<void> checkTokenApp(const Principal &principal,
                                             const AppDefinition &app) const;

    const Authorizer &m_authorizer;
};

} // namespace Gestalt
