// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class AppCatalog;
class AppRoutes;
class AuditLog;
class Authorizer;
class ConnectionService;
class CredentialRepository;
class ManagedSubjectRepository;
class MembershipService;
class RelationshipRepository;
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
        ManagedSubjectRepository &subjects;
        RelationshipRepository &relationships;
        MembershipService &memberships;
        const Authorizer &authorizer;
        const AppCatalog &catalog;
        TokenService &tokens;
        CredentialRepository &credentials;
        ConnectionService &connections;
        AppRoutes &apps;
        AuditLog &audit;
    };

    explicit ManagedSubjectRoutes(Deps deps);
    ~ManagedSubjectRoutes();
    void registerRoutes(Router &router);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace Gestalt
