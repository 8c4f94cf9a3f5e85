// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "apps/AppRoutes.h"

#include "apps/AppCatalog.h"
#include "apps/AppStatus.h"
#include "apps/InvocationService.h"
#include "apps/UpstreamRelay.h"
#include "audit/AuditLog.h"
#include "authz/AccessCheck.h"
#include "connections/CredentialRepository.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString ownerKind(const Principal &principal)
{
    return principal.subjectId.startsWith(u"service_account:"_s) ? u"service_account"_s
                                                                 : u"current_user"_s;
}

Result<const AppDefinition *> visibleApp(const AppCatalog &catalog, const AccessCheck &access,
                                         const Principal &principal, const QString &name)
{
    const AppDefinition *app = catalog.app(name);
    if (!app) {
        return Error::notFound(u"integration \"%1\" not found"_s.arg(name));
    }
    if (Result<void> allowed = access.checkApp(principal, *app); !allowed) {
        return allowed.error();
    }
    return app;
}

Result<Selectors> querySelectors(const HttpRequest &request)
{
    QJsonObject none;
    return Selectors::take(none, request.queryValue(u"_connection"_s),
                           request.queryValue(u"_instance"_s));
}

} // namespace

InvocationService::Callback AppRoutes::answerWith(const Responder &responder)
{
    return [responder](Result<InvocationResult> result) {
        if (!result) {
            responder.sendError(result.error());
            return;
        }
        responder.send(relayedUpstreamResponse(result->status, result->body, result->contentType));
    };
}

AppRoutes::AppRoutes(const AppCatalog &catalog, const AccessCheck &access,
                     CredentialRepository &credentials, InvocationService &invocations)
    : m_catalog(catalog)
    , m_access(access)
    , m_credentials(credentials)
    , m_invocations(invocations)
{}

void AppRoutes::registerRoutes(Router &router)
{
    const auto bind = [this](auto method) {
        return [this, method](const HttpRequest &request) { return (this->*method)(request); };
    };
    // /api/v1/integrations... are the older names of the same routes.
    for (const QString &base : {u"/api/v1/apps"_s, u"/api/v1/integrations"_s}) {
        router.route(u"GET"_s, base, RouteAuth::Authenticated, bind(&AppRoutes::list));
        router.route(u"GET"_s, base + u"/{name}/operations"_s, RouteAuth::Authenticated,
                     bind(&AppRoutes::operations));
        router.route(u"DELETE"_s, base + u"/{name}"_s, RouteAuth::Authenticated,
                     bind(&AppRoutes::disconnect));
    }
    for (const QString &method : {u"GET"_s, u"POST"_s}) {
        // GET runs the operation too: a link on another site must not (see RequestPolicy).
        router
            .routeAsync(method, u"/api/v1/{app}/{operation}"_s, RouteAuth::Authenticated,
                        [this](const HttpRequest &request, Responder responder) {
                            invoke(request, responder);
                        })
            .invokesOperation();
    }
}

Result<HttpResponse> AppRoutes::list(const HttpRequest &request)
{
    Result<QJsonArray> apps = listFor(*request.principal);
    if (!apps) {
        return apps.error();
    }
    return HttpResponse::json(200, *apps);
}

Result<QJsonArray> AppRoutes::listFor(const Principal &principal) const
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

Result<HttpResponse> AppRoutes::operations(const HttpRequest &request)
{
    Result<const AppDefinition *> app =
        visibleApp(m_catalog, m_access, *request.principal, request.pathParam(u"name"_s));
    if (!app) {
        return app.error();
    }
    if (Result<Selectors> selectors = querySelectors(request); !selectors) {
        return selectors.error();
    }
    QJsonArray operations;
    for (const Operation &op : (*app)->operations) {
        if (op.transport == Operation::Transport::Mcp
            || !m_access.canRun(*request.principal, **app, op)) {
            continue;
        }
        const AppConnection *connection = (*app)->connection(op.connection);
        if (connection && connection->exposure == ConnectionExposure::Internal) {
            continue;
        }
        operations.append(op.toJson());
    }
    return HttpResponse::json(200, operations);
}

Result<HttpResponse> AppRoutes::disconnect(const HttpRequest &request)
{
    return disconnectFor(request, *request.principal, request.pathParam(u"name"_s),
                         request.principal->subjectId);
}

Result<HttpResponse> AppRoutes::disconnectFor(const HttpRequest &request, const Principal &caller,
                                              const QString &name,
                                              const QString &credentialSubjectId)
{
    QString removed;
    Result<HttpResponse> outcome = removeCredential(request, caller, name, credentialSubjectId,
                                                    removed);
    if (m_audit) {
        AuditEvent event;
        event.context = AuditContext::fromRequest(request);
        event.setPrincipal(caller);
        event.action = u"connection.disconnect"_s;
        event.targetKind = u"connection"_s;
        event.targetId = credentialSubjectId;
        event.targetName = removed.isEmpty() ? name.left(128) : removed;
        event.allowed = outcome.hasValue();
        if (!outcome) {
            event.error = publicMessage(outcome.error());
        }
        m_audit->record(std::move(event));
    }
    return outcome;
}

Result<HttpResponse> AppRoutes::removeCredential(const HttpRequest &request,
                                                 const Principal &caller, const QString &name,
                                                 const QString &credentialSubjectId,
                                                 QString &removed)
{
    // The older contract named the instance `?instance=`; it still works.
    QString legacyInstance;
    for (const auto &[key, value] : request.query.queryItems(QUrl::FullyDecoded)) {
        if (key == u"instance") {
            legacyInstance = value;
        } else if (key != u"_connection" && key != u"_instance") {
            return Error::invalid(u"unsupported query parameter \"%1\""_s.arg(key));
        }
    }
    Result<const AppDefinition *> app = visibleApp(m_catalog, m_access, caller, name);
    if (!app) {
        return app.error();
    }
    QJsonObject legacy;
    if (!legacyInstance.isEmpty()) {
        legacy.insert(u"_instance"_s, legacyInstance);
    }
    Result<Selectors> selectors = Selectors::take(legacy, request.queryValue(u"_connection"_s),
                                                  request.queryValue(u"_instance"_s));
    if (!selectors) {
        return selectors.error();
    }
    if (!selectors->connection.isEmpty() && !(*app)->connection(selectors->connection)) {
        return Error::invalid(u"integration \"%1\" has no connection \"%2\""_s.arg(
            (*app)->name, selectors->connection));
    }
    QList<std::pair<QString, StoredCredential>> matches;
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
    if (matches.isEmpty()) {
        return Error::notFound(
            u"no stored connection for integration \"%1\""_s.arg((*app)->name));
    }
    if (matches.size() > 1) {
        QStringList names;
        for (const auto &[connection, credential] : std::as_const(matches)) {
            names.append(connection + u'/' + credential.instance);
        }
        return Error::conflict(u"multiple connections exist for \"%1\" (%2); specify "
                               "?_connection=NAME and/or ?_instance=NAME"_s.arg(
                                   (*app)->name, names.join(u", "_s)));
    }
    const auto &[connectionName, credential] = matches.first();
    Result<bool> deleted = m_credentials.remove(credential.id);
    if (!deleted) {
        return deleted.error();
    }
    removed = (*app)->name + u'/' + connectionName + u'/' + credential.instance;
    return HttpResponse::json(200, QJsonObject{{u"status"_s, u"disconnected"_s}});
}

void AppRoutes::invoke(const HttpRequest &request, const Responder &responder)
{
    InvocationRequest call;
    call.principal = *request.principal;
    call.audit = AuditContext::fromRequest(request);
    call.app = request.pathParam(u"app"_s);
    call.operation = request.pathParam(u"operation"_s);
    if (request.method == u"POST") {
        Result<QJsonObject> body = request.jsonObject(true);
        if (!body) {
            responder.sendError(body.error());
            return;
        }
        call.params = *body;
    } else {
        // GET: every query parameter, first value only, as a string.
        for (const auto &[key, value] : request.query.queryItems(QUrl::FullyDecoded)) {
            if (!call.params.contains(key)) {
                call.params.insert(key, value);
            }
        }
    }
    Result<Selectors> selectors = Selectors::take(
        call.params, request.queryValue(u"_connection"_s), request.queryValue(u"_instance"_s));
    if (!selectors) {
        responder.sendError(selectors.error());
        return;
    }
    call.connection = selectors->connection;
    call.instance = selectors->instance;
    std::shared_ptr<UpstreamCall> handle = m_invocations.invoke(call, answerWith(responder));
    Q_UNUSED(handle) // the call lives until it answers; a gone client simply gets nothing
}

} // namespace Gestalt
