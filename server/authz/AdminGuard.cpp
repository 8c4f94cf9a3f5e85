// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/AdminGuard.h"

#include "authz/Authorizer.h"
#include "catalog/AppCatalog.h"
#include "http/HttpServer.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Platform login without an admin policy: nobody is an admin, so the operator surface refuses
// everyone (before, it was open to anyone without credentials).
Error adminConfigurationRequired()
{
    return {ErrorCode::Forbidden,
            u"admin access is not configured: platform login is on, so set "
            u"server.admin.authorizationPolicy to an authorization policy whose members hold one "
            u"of server.admin.allowedRoles (default: admin)"_s,
            u"admin_configuration_required"_s};
}

} // namespace

AdminGuard::AdminGuard(const Authorizer &authorizer,
                       Authenticator &authenticator,
                       const AppCatalog &catalog,
                       std::function<bool()> loginEnabled)
    : m_authorizer(authorizer)
    , m_authenticator(authenticator)
    , m_catalog(catalog)
    , m_loginEnabled(std::move(loginEnabled))
{}

Result<AdminGuard::Admission> AdminGuard::admit(const HttpRequest &request,
                                                const QString &app) const
{
    Admission admission;
    if (!m_authorizer.adminPolicySet()) {
        if (m_loginEnabled()) {
            return adminConfigurationRequired();
        }
        admission.canWriteAdmins = true;
        return admission;
    }
    const bool hasCredentials =
        !request.header("authorization").isEmpty() || !request.cookie(u"session_token"_s).isEmpty();
    if (!hasCredentials && m_loginEnabled()) {
        return Error::unauthenticated(u"missing authorization"_s);
    }
    Result<Principal> principal = m_authenticator.authenticate(request);
    if (!principal) {
        return principal.error();
    }
    admission.principal = *principal;
    if (principal->isScopedToken()) {
        return Error::forbidden(u"admin access denied"_s);
    }
    if (m_authorizer.isAdmin(*principal)) {
        admission.canWriteAdmins = m_authorizer.canWriteAdmins(*principal);
        return admission;
    }
    if (!app.isEmpty()) {
        if (const AppDefinition *definition = m_catalog.app(app)) {
            const RoleDecision decision = m_authorizer.appRole(*principal, *definition);
            if (decision.allowed() && decision.role == u"admin"_s) {
                return admission;
            }
        }
    }
    return Error::forbidden(u"admin access denied"_s);
}

Result<void> AdminGuard::requireAdmin(const Principal &principal) const
{
    if (principal.isScopedToken() || principal.tokenOwnerKind == u"subject"_s) {
        return Error::forbidden(u"admin access denied"_s);
    }
    if (!m_authorizer.adminPolicySet()) {
        if (m_loginEnabled()) {
            return adminConfigurationRequired();
        }
        return {};
    }
    if (!m_authorizer.isAdmin(principal)) {
        return Error::forbidden(u"admin access denied"_s);
    }
    return {};
}

} // namespace Gestalt
