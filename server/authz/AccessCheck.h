// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Principal.h"
#include "shared/Result.h"

#include <QString>

namespace Gestalt {

struct AppDefinition;
struct Operation;

// The one access check every door asks before an app is shown or an operation runs: REST
// invocation and the catalog now; MCP tools/list and tools/call, workflow steps and agent tool
// calls later. Today it enforces API-token scopes (space-separated app names) and permissions
// ([{app, operations?}]); app authorization policies and per-operation roles join it with the
// identity-and-authorization work, behind the same two functions.
class AccessCheck final
{
public:
    // May the caller see and use the app at all? 403 "token scope denied: ..." otherwise.
    [[nodiscard]] Result<void> checkApp(const Principal &principal,
                                        const AppDefinition &app) const;
    // May the caller run this operation? Implies checkApp().
    [[nodiscard]] Result<void> checkOperation(const Principal &principal,
                                              const AppDefinition &app,
                                              const Operation &operation) const;

    [[nodiscard]] bool canSeeApp(const Principal &principal, const AppDefinition &app) const
    {
        return checkApp(principal, app).hasValue();
    }
    [[nodiscard]] bool canRun(const Principal &principal, const AppDefinition &app,
                              const Operation &operation) const
    {
        return checkOperation(principal, app, operation).hasValue();
    }
};

} // namespace Gestalt
