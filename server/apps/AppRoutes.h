// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apps/InvocationService.h"
#include "http/Router.h"

namespace Gestalt {

class AccessCheck;
class AppCatalog;
class AuditLog;
class CredentialRepository;

// The app catalog and invocation: /api/v1/apps..., the older /api/v1/integrations... names, and
// GET|POST /api/v1/{app}/{operation}.
class AppRoutes final
{
public:
    AppRoutes(const AppCatalog &catalog, const AccessCheck &access,
              CredentialRepository &credentials, InvocationService &invocations);
    void registerRoutes(Router &router);

    // Sends an invocation's outcome: the upstream status, body and Content-Type through
    // relayedUpstreamResponse() (sandboxed unless inert), or the error.
    [[nodiscard]] static InvocationService::Callback answerWith(const Responder &responder);

    // Audits connection.disconnect (allowed or not) when set.
    void setAuditLog(AuditLog *audit) { m_audit = audit; }

    // The body of GET /api/v1/apps for `principal`: the apps it may see, with connection state
    // from its stored credentials (a managed subject's principal: service_account:<id>).
    [[nodiscard]] Result<QJsonArray> listFor(const Principal &principal) const;
    // DELETE /api/v1/apps/{name}: removes one stored credential of `credentialSubjectId` for app
    // `name`, chosen by the request's ?_connection / ?_instance (or older ?instance). `caller`
    // must be able to see the app.
    [[nodiscard]] Result<HttpResponse> disconnectFor(const HttpRequest &request,
                                                     const Principal &caller,
                                                     const QString &name,
                                                     const QString &credentialSubjectId);

private:
    [[nodiscard]] Result<HttpResponse> list(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> operations(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> disconnect(const HttpRequest &request);
    // disconnectFor() without the audit; `removed` names what went ("app/connection/instance").
    [[nodiscard]] Result<HttpResponse> removeCredential(const HttpRequest &request,
                                                        const Principal &caller,
                                                        const QString &name,
                                                        const QString &credentialSubjectId,
                                                        QString &removed);
    void invoke(const HttpRequest &request, const Responder &responder);

    const AppCatalog &m_catalog;
    const AccessCheck &m_access;
    CredentialRepository &m_credentials;
    InvocationService &m_invocations;
    AuditLog *m_audit = nullptr;
};

} // namespace Gestalt
