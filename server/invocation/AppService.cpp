// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/AppService.h"

#include "audit/AuditEvent.h"
#include "audit/AuditLog.h"
#include "authz/AccessCheck.h"
#include "catalog/AppCatalog.h"
#include "catalog/AppConnections.h"
#include "connections/CredentialRepository.h"
#include "http/HttpRequest.h"
#include "invocation/AppStatus.h"

#include <QUrl>
#include <QUrlQuery>

#include <utility>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString ownerKind(const Principal &principal)
{
    return principal.subjectId.startsWith(u"service_account:"_s) ? u"service_account"_s
                                                                 : u"current_user"_s;
}

// The older contract named the instance `?instance=`; it still works. Any other parameter than
// it, _connection and _instance is refused.
Result<QString> legacyInstance(const HttpRequest &request)
{
    QString instance;
    for (const auto &[key, value] : request.query.queryItems(QUrl::FullyDecoded)) {
        if (key == u"instance") {
            instance = value;
        } else if (key != u"_connection" && key != u"_instance") {
            return Error::invalid(u"unsupported query parameter \"%1\""_s.arg(key));
        }
    }
    return instance;
}

using CredentialMatch = std::pair<QString, StoredCredential>; // connection name, credential

// The one stored credential the selectors choose: 404 when none, 409 naming them when several.
Result<CredentialMatch> onlyMatch(const AppDefinition &app, const QList<CredentialMatch> &matches)
{
    if (matches.isEmpty()) {
        return Error::notFound(u"no stored connection for integration \"%1\""_s.arg(app.name));
    }
    if (matches.size() > 1) {
        QStringList names;
        for (const auto &[connection, credential] : matches) {
            names.append(connection + u'/' + credential.instance);
        }
        return Error::conflict(
            u"multiple connections exist for \"%1\" (%2); specify "
            "?_connection=NAME and/or ?_instance=NAME"_s.arg(app.name, names.join(u", "_s)));
    }
    return matches.first();
}

} // namespace

AppService::AppService(const AppCatalog &catalog,
                       const AccessCheck &access,
                       CredentialRepository &credentials)
    : m_catalog(catalog)
    , m_access(access)
    , m_credentials(credentials)
{}

Result<QJsonArray> AppService::listFor(const Principal &principal) const
{
    Result<QList<StoredCredential>> credentials = m_credentials.list(principal.subjectId);
    if (!credentials) {
        return credentials.error();
    }
    QJsonArray apps;
    for (const AppDefinition &app : m_catalog.apps()) {
        if (m_access.canSeeApp(principal, app)) {
            apps.append(AppStatus::describe(app, *credentials, ownerKind(principal)));
        }
    }
    return apps;
}

Result<const AppDefinition *> AppService::visibleApp(const Principal &principal,
                                                     const QString &name) const
{
    const AppDefinition *app = m_catalog.app(name);
    if (!app) {
        return Error::notFound(u"integration \"%1\" not found"_s.arg(name));
    }
    if (Result<void> allowed = m_access.checkApp(principal, *app); !allowed) {
        return allowed.error();
    }
    return app;
}

QJsonArray AppService::operationsFor(const Principal &principal, const AppDefinition &app) const
{
    QJsonArray operations;
    for (const Operation &op : app.operations) {
        if (op.transport == Operation::Transport::Mcp || !m_access.canRun(principal, app, op)) {
            continue;
        }
        const AppConnection *connection = app.connection(op.connection);
        if (connection && connection->exposure == ConnectionExposure::Internal) {
            continue;
        }
        operations.append(op.toJson());
    }
    return operations;
}

Result<QJsonObject> AppService::disconnect(const HttpRequest &request,
                                           const Principal &caller,
                                           const QString &name,
                                           const QString &credentialSubjectId)
{
    QString removed;
    Result<QJsonObject> outcome =
        removeCredential(request, caller, name, credentialSubjectId, removed);
    if (m_audit) {
        AuditEvent event = AuditEvent::forRequest(
            request,
            u"connection.disconnect"_s,
            {u"connection"_s, credentialSubjectId, removed.isEmpty() ? name.left(128) : removed});
        event.setPrincipal(caller);
        event.setOutcome(outcome);
        m_audit->record(std::move(event));
    }
    return outcome;
}

Result<QJsonObject> AppService::removeCredential(const HttpRequest &request,
                                                 const Principal &caller,
                                                 const QString &name,
                                                 const QString &credentialSubjectId,
                                                 QString &removed)
{
    const Result<QString> legacy = legacyInstance(request);
    if (!legacy) {
        return legacy.error();
    }
    Result<const AppDefinition *> app = visibleApp(caller, name);
    if (!app) {
        return app.error();
    }
    QJsonObject legacyParams;
    if (!legacy->isEmpty()) {
        legacyParams.insert(u"_instance"_s, *legacy);
    }
    Result<Selectors> selectors = Selectors::take(
        legacyParams, request.queryValue(u"_connection"_s), request.queryValue(u"_instance"_s));
    if (!selectors) {
        return selectors.error();
    }
    if (!selectors->connection.isEmpty() && !(*app)->connection(selectors->connection)) {
        return Error::invalid(u"integration \"%1\" has no connection \"%2\""_s.arg(
            (*app)->name, selectors->connection));
    }
    QList<CredentialMatch> matches;
    for (const AppConnection &connection : (*app)->connections) {
        if (connection.mode() != ConnectionMode::User
            || (!selectors->connection.isEmpty() && connection.name != selectors->connection)) {
            continue;
        }
        Result<QList<StoredCredential>> stored =
            m_credentials.list(credentialSubjectId, connection.connectionId);
        if (!stored) {
            return stored.error();
        }
        for (const StoredCredential &credential : std::as_const(*stored)) {
            if (selectors->instance.isEmpty() || credential.instance == selectors->instance) {
                matches.append({connection.name, credential});
            }
        }
    }
    const Result<CredentialMatch> match = onlyMatch(**app, matches);
    if (!match) {
        return match.error();
    }
    const auto &[connectionName, credential] = *match;
    if (Result<bool> deleted = m_credentials.remove(credential.id); !deleted) {
        return deleted.error();
    }
    removed = (*app)->name + u'/' + connectionName + u'/' + credential.instance;
    return QJsonObject{{u"status"_s, u"disconnected"_s}};
}

} // namespace Gestalt
