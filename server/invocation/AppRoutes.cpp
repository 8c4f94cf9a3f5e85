// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/AppRoutes.h"

#include "catalog/AppConnections.h"
#include "invocation/AppService.h"
#include "invocation/InvocationService.h"
#include "invocation/UpstreamRelay.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt {

AppRoutes::AppRoutes(AppService &apps, InvocationService &invocations)
    : m_apps(apps)
    , m_invocations(invocations)
{}

void AppRoutes::registerRoutes(Router &router)
{
    // /api/v1/integrations... are the older names of the same routes.
    for (const QString &base : {u"/api/v1/apps"_s, u"/api/v1/integrations"_s}) {
        router.route(u"GET"_s, base, RouteAuth::Authenticated, this, &AppRoutes::list);
        router.route(u"GET"_s,
                     base + u"/{name}/operations"_s,
                     RouteAuth::Authenticated,
                     this,
                     &AppRoutes::operations);
        router.route(u"DELETE"_s,
                     base + u"/{name}"_s,
                     RouteAuth::Authenticated,
                     this,
                     &AppRoutes::disconnect);
    }
    for (const QString &method : {u"GET"_s, u"POST"_s}) {
        // GET runs the operation too: a link on another site must not (see RequestPolicy).
        router
            .routeAsync(method,
                        u"/api/v1/{app}/{operation}"_s,
                        RouteAuth::Authenticated,
                        this,
                        &AppRoutes::invoke)
            .invokesOperation();
    }
}

Result<HttpResponse> AppRoutes::list(const HttpRequest &request)
{
    Result<QJsonArray> apps = m_apps.listFor(*request.principal);
    if (!apps) {
        return apps.error();
    }
    return HttpResponse::json(200, *apps);
}

Result<HttpResponse> AppRoutes::operations(const HttpRequest &request)
{
    Result<const AppDefinition *> app =
        m_apps.visibleApp(*request.principal, request.pathParam(u"name"_s));
    if (!app) {
        return app.error();
    }
    QJsonObject none;
    if (Result<Selectors> selectors = Selectors::take(
            none, request.queryValue(u"_connection"_s), request.queryValue(u"_instance"_s));
        !selectors) {
        return selectors.error();
    }
    return HttpResponse::json(200, m_apps.operationsFor(*request.principal, **app));
}

Result<HttpResponse> AppRoutes::disconnect(const HttpRequest &request)
{
    Result<QJsonObject> done = m_apps.disconnect(
        request, *request.principal, request.pathParam(u"name"_s), request.principal->subjectId);
    if (!done) {
        return done.error();
    }
    return HttpResponse::json(200, *done);
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
    std::shared_ptr<UpstreamCall> handle = m_invocations.invoke(call, relayInvocationTo(responder));
    Q_UNUSED(handle) // the call lives until it answers; a gone client simply gets nothing
}

} // namespace Gestalt
