// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class AdminGuard;
class AuditLog;
class IdentityService;

// Operator routes for users (management listener when split), protected like every
// /admin/api/v1 route (AdminGuard::admit):
//   GET  /admin/api/v1/users?pageSize&pageToken
//        → {"users":[{id, email, displayName?, createdAt, disabled, disabledAt?}],
//        "nextPageToken"?}
//   POST /admin/api/v1/users/{id}/disable → the user (idempotent: keeps the first disabledAt)
//   POST /admin/api/v1/users/{id}/enable  → the user
// A disabled user keeps their tokens, connections and memberships, but every credential of theirs
// (session cookie, API or CLI token, provider token, MCP token) gets 403 "user_disabled" on every
// replica within IdentityService::userStateCacheMs; enabling restores them. Nobody can disable
// their own user (409 "cannot_disable_self": an admin cannot lock the last admin seat out by
// accident), nor the anonymous local user (400). 404 unknown user. Audited as user.disable /
// user.enable.
class AdminUserRoutes final
{
public:
    AdminUserRoutes(const AdminGuard &guard, IdentityService &identity, AuditLog &audit);
    void registerRoutes(Router &router);

private:
    [[nodiscard]] Result<HttpResponse> list(const HttpRequest &request) const;
    [[nodiscard]] Result<HttpResponse> disable(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> enable(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> setDisabled(const HttpRequest &request, bool disabled);

    const AdminGuard &m_guard;
    IdentityService &m_identity;
    AuditLog &m_audit;
};

} // namespace Gestalt
