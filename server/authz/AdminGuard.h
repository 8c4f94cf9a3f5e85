// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Principal.h"
#include "shared/Result.h"

#include <QString>

#include <functional>
#include <optional>

namespace Gestalt {

class AppCatalog;
class Authenticator;
class Authorizer;
struct HttpRequest;

// Who may use the operator surface (gestalt-facts §5.4): with server.admin.authorizationPolicy
// unset, /admin/api/v1 is open only without platform login (the local anonymous mode, which
// Config::serveProblems() keeps on loopback unless server.allowAnonymous); with login on and no
// policy, every caller gets 403 "admin_configuration_required". With a policy, the caller must
// authenticate
// (session cookie, or an unscoped bearer token) and hold one of server.admin.allowedRoles —
// JSON 401 "missing authorization" / 403 "admin access denied". App member routes also admit the
// app's own admins.
class AdminGuard final
{
public:
    AdminGuard(const Authorizer &authorizer,
               Authenticator &authenticator,
               const AppCatalog &catalog,
               std::function<bool()> loginEnabled);

    struct Admission
    {
        std::optional<Principal> principal; // nullopt in open mode without credentials
        bool canWriteAdmins = false;        // X-Gestalt-Can-Write for the admins list
    };
    // For /admin/api/v1 routes (registered Public). `app`: also admit admins of this app.
    [[nodiscard]] Result<Admission> admit(const HttpRequest &request,
                                          const QString &app = {}) const;

    // For admin-only routes on the authenticated API (GET /api/v1/audit-events): a built-in
    // admin; without an admin policy only the local anonymous mode (no login) qualifies.
    [[nodiscard]] Result<void> requireAdmin(const Principal &principal) const;

private:
    const Authorizer &m_authorizer;
    Authenticator &m_authenticator;
    const AppCatalog &m_catalog;
    std::function<bool()> m_loginEnabled;
};

} // namespace Gestalt
