// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Principal.h"
#include "shared/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace Gestalt {

class AccessCheck;
class AppCatalog;
class AuditLog;
class CredentialRepository;
struct AppDefinition;
struct HttpRequest;

// The app catalog as one principal sees it, with the connection state of its stored credentials:
// the listing, the operations it may run, and disconnecting one of its credentials. AppRoutes
// serves these for the caller itself, ManagedSubjectRoutes for a managed subject.
class AppService final
{
public:
    AppService(const AppCatalog &catalog,
               const AccessCheck &access,
               CredentialRepository &credentials);

    // Audits connection.disconnect (allowed or not) when set.
    void setAuditLog(AuditLog *audit) { m_audit = audit; }

    // The body of GET /api/v1/apps for `principal`: the apps it may see, with connection state
    // from its stored credentials (a managed subject's principal: service_account:<id>).
    [[nodiscard]] Result<QJsonArray> listFor(const Principal &principal) const;
    // The app `name` when `principal` may see it: 404 when there is none, 403 when hidden.
    [[nodiscard]] Result<const AppDefinition *> visibleApp(const Principal &principal,
                                                           const QString &name) const;
    // The REST operations of `app` that `principal` may run, on connections not internal.
    [[nodiscard]] QJsonArray operationsFor(const Principal &principal,
                                           const AppDefinition &app) const;
    // DELETE /api/v1/apps/{name}: removes one stored credential of `credentialSubjectId` for app
    // `name`, chosen by the request's ?_connection / ?_instance (or older ?instance). `caller`
    // must be able to see the app. Audited as connection.disconnect. The answer's body.
    [[nodiscard]] Result<QJsonObject> disconnect(const HttpRequest &request,
                                                 const Principal &caller,
                                                 const QString &name,
                                                 const QString &credentialSubjectId);

private:
    // disconnect() without the audit; `removed` names what went ("app/connection/instance").
    [[nodiscard]] Result<QJsonObject> removeCredential(const HttpRequest &request,
                                                       const Principal &caller,
                                                       const QString &name,
                                                       const QString &credentialSubjectId,
                                                       QString &removed);

    const AppCatalog &m_catalog;
    const AccessCheck &m_access;
    CredentialRepository &m_credentials;
    AuditLog *m_audit = nullptr;
};

} // namespace Gestalt
