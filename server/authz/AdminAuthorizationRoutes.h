// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "authz/Relationship.h"
#include "http/Router.h"

namespace Gestalt {

class AdminGuard;
class AppCatalog;
class AuditLog;
class Authorizer;
class MembershipService;

// /admin/api/v1/authorization/* (gestalt-facts §5.4): provider, models and relationships for
// debugging; apps with a policy; merged app and built-in admin members with dynamic writes. The
// older /plugins names answer the same. Registered Public: AdminGuard decides.
class AdminAuthorizationRoutes final
{
public:
    AdminAuthorizationRoutes(const AdminGuard &guard,
                             const Authorizer &authorizer,
                             const AppCatalog &catalog,
                             MembershipService &memberships,
                             AuditLog &audit,
                             QString providerName);
    void registerRoutes(Router &router);

private:
    [[nodiscard]] Result<HttpResponse> provider(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> models(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> relationships(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> apps(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> appMembers(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> putAppMember(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> deleteAppMember(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> adminMembers(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> putAdminMember(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> deleteAdminMember(const HttpRequest &request);

    struct Target
    {
        QString policy;
        ResourceRef resource;
        QString app; // empty for admins
    };
    [[nodiscard]] Result<Target> appTarget(const HttpRequest &request) const;
    [[nodiscard]] Target adminTarget() const;
    [[nodiscard]] HttpResponse listMembers(const Target &target);
    [[nodiscard]] Result<HttpResponse> putMember(const HttpRequest &request, const Target &target);
    [[nodiscard]] Result<HttpResponse> deleteMember(const HttpRequest &request,
                                                    const Target &target);
    // A member write, admitted: the request with the caller set, and what it writes to.
    struct Write
    {
        HttpRequest request;
        Target target;
    };
    [[nodiscard]] Result<Write> admitWrite(const HttpRequest &request, bool admins) const;
    void recordChange(const HttpRequest &request,
                      const Target &target,
                      const QString &verb,
                      const QString &subject);

    const AdminGuard &m_guard;
    const Authorizer &m_authorizer;
    const AppCatalog &m_catalog;
    MembershipService &m_memberships;
    AuditLog &m_audit;
    QString m_providerName;
};

} // namespace Gestalt
