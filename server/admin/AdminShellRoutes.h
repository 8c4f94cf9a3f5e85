// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "admin/AdminShell.h"
#include "http/Router.h"

#include <functional>

namespace Gestalt {

class AdminGuard;

// The /admin web shell (http-api.md, the /admin row; gestalt-facts §9.4):
//   GET /admin            → 301 /admin/ (query kept)
//   GET /admin/           → index.html, rewritten (rewriteAdminIndex)
//   GET /admin/{path...}  → the file, or index.html for a path whose last segment has no "."
//                           (deep links); JSON 404 otherwise and under /admin/api/
//   GET /                 → 301 /admin/ (query kept), on the management listener only
// With server.admin.authorizationPolicy set, the shell and its files need what /admin/api/v1
// needs (AdminGuard): without credentials a browser is sent to the login (on the management
// listener through the public one: `<public base>/api/v1/auth/login?next=<management
// base>/admin/…`, which needs server.management.baseUrl), and a signed-in user without an admin
// role gets 403.
class AdminShellRoutes final
{
public:
    struct Options
    {
        bool managementListener = false;
        QString clientUiUrl;                    // server.baseUrl, or empty: no Client UI link
        QString managementBaseUrl;              // server.management.baseUrl (may be empty)
        std::function<QString()> publicBaseUrl; // for the login round trip
        std::function<bool()> loginEnabled;
    };

    AdminShellRoutes(AdminShellAssets assets, const AdminGuard &guard, Options options);
    void registerRoutes(Router &router) const;

private:
    [[nodiscard]] Result<HttpResponse> serve(const HttpRequest &request) const;
    [[nodiscard]] HttpResponse refused(const HttpRequest &request, const Error &error) const;
    [[nodiscard]] QString loginBase() const;

    AdminShellAssets m_assets;
    const AdminGuard &m_guard;
    Options m_options;
};

} // namespace Gestalt
