// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class AppService;
class AuditLog;
class ConnectionService;
class ManagedSubjectRelations;
class ManagedSubjectService;
class TokenService;

// /api/v1/authorization/subjects/* — managed subjects (service accounts), every route of the
// contract's table (http-api.md "Managed Subjects", gestalt-facts §5.5). Callers must be a browser
// session or an unscoped user-owned API token (403 "scoped API tokens cannot manage managed
// subjects" / "subject-owned API tokens cannot manage managed subjects"). Management roles live in
// the store as relationships on managed_subject:<service_account:id>; app grants are the same
// dynamic app relationships the admin API writes.
class ManagedSubjectRoutes final
{
public:
    struct Deps
    {
        ManagedSubjectService &service;
        ManagedSubjectRelations &relations;
        TokenService &tokens;
        ConnectionService &connections;
        AppService &apps;
        AuditLog &audit;
    };

    explicit ManagedSubjectRoutes(Deps deps);
    ~ManagedSubjectRoutes();
    Q_DISABLE_COPY_MOVE(ManagedSubjectRoutes)
    void registerRoutes(Router &router);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace Gestalt
