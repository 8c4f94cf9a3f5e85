// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "connections/ConnectionRoutes.h"

#include "connections/ConnectionService.h"
#include "http/HttpServer.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr QStringView PendingCookie = u"pending_connection_state";

bool wantsHtml(const HttpRequest &request)
{
    return request.header("accept").contains("text/html");
}

const QString pageStyle =
    u"body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;"
    "color:#1d2330}button{font:inherit;margin:.3em 0;padding:.4em 1em}"_s;

// No script, nothing loaded; the one <style> element is allowed by its hash (never by
// 'unsafe-inline'), the account choice posts back to us.
const QByteArray pagePolicy =
    "default-src 'none'; style-src 'sha256-"_ba
    + QCryptographicHash::hash(pageStyle.toUtf8(), QCryptographicHash::Sha256).toBase64()
    + "'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"_ba;

QByteArray page(const QString &title, const QString &bodyHtml)
{
    return (u"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>"_s
            + title.toHtmlEscaped() + u" · Gestalt</title><style>"_s + pageStyle
            + u"</style></head><body><h1>"_s + title.toHtmlEscaped() + u"</h1>"_s + bodyHtml
            + u"</body></html>\n"_s)
        .toUtf8();
}

HttpResponse htmlResponse(int status, const QString &title, const QString &bodyHtml)
{
    HttpResponse response =
        HttpResponse::text(status, page(title, bodyHtml), "text/html; charset=utf-8"_ba);
    response.setHeader("Content-Security-Policy"_ba, pagePolicy);
    return response;
}

HttpResponse errorFor(const HttpRequest &request, const Error &error)
{
    if (!wantsHtml(request)) {
        return HttpResponse::fromError(error);
    }
    HttpResponse response = HttpResponse::fromError(error);
    return htmlResponse(response.status,
                        u"Connection failed"_s,
                        u"<p>"_s + publicMessage(error).toHtmlEscaped()
                            + u"</p><p><a href=\"/integrations\">Back to apps</a></p>"_s);
}

HttpResponse redirectTo(const QString &location)
{
    HttpResponse response = HttpResponse::noContent(303);
    response.setHeader("Location", location.toUtf8());
    return response;
}

QString selectionForm(const QString &app, const QString &pendingToken, const QJsonArray &candidates)
{
    QString html = u"<p>Your credential for <strong>"_s + app.toHtmlEscaped()
                   + u"</strong> reaches several accounts. Choose the one to connect:</p>"_s
                     u"<form method=\"post\" action=\"/api/v1/auth/pending-connection\">"
                     u"<input type=\"hidden\" name=\"pending_token\" value=\""_s
                   + pendingToken.toHtmlEscaped() + u"\">"_s;
    for (qsizetype i = 0; i < candidates.size(); ++i) {
        html += u"<div><button type=\"submit\" name=\"candidate_index\" value=\"%1\">%2</button>"
                "</div>"_s.arg(i)
                    .arg(candidates[i][u"name"_s].toString().toHtmlEscaped());
    }
    return html + u"</form>"_s;
}

} // namespace

ConnectionRoutes::ConnectionRoutes(ConnectionService &connections,
                                   Authenticator &authenticator,
                                   bool secureCookies)
    : m_connections(connections)
    , m_authenticator(authenticator)
    , m_secureCookies(secureCookies)
{}

void ConnectionRoutes::registerRoutes(Router &router)
{
    router.route(u"POST"_s,
                 u"/api/v1/auth/start-oauth"_s,
                 RouteAuth::Authenticated,
                 this,
                 &ConnectionRoutes::startOAuth);
    router.routeAsync(
        u"GET"_s, u"/api/v1/auth/callback"_s, RouteAuth::Public, this, &ConnectionRoutes::callback);
    router.routeAsync(u"POST"_s,
                      u"/api/v1/auth/connect-manual"_s,
                      RouteAuth::Authenticated,
                      this,
                      &ConnectionRoutes::connectManual);
    router
        .route(u"POST"_s,
               u"/api/v1/auth/pending-connection"_s,
               RouteAuth::Public,
               this,
               &ConnectionRoutes::pendingConnection)
        .accepts(RouteBody::Form); // the selection page's form, or JSON
    router.route(
        u"GET"_s, u"/integrations"_s, RouteAuth::Public, this, &ConnectionRoutes::landingPage);
}

QByteArray ConnectionRoutes::bindingCookie(const QString &value) const
{
    QByteArray cookie = PendingCookie.toUtf8() + '=' + value.toUtf8()
                        + "; Path=/api/v1/auth/pending-connection; Max-Age="
                        + QByteArray::number(ConnectionService::PendingTtlSeconds)
                        + "; HttpOnly; SameSite=Lax";
    if (m_secureCookies) {
        cookie += "; Secure";
    }
    return cookie;
}

Result<HttpResponse> ConnectionRoutes::startOAuth(const HttpRequest &request)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body) {
        return body.error();
    }
    Result<OAuthStart> started = m_connections.startOAuth(
        *request.principal, *body, ConnectContext{AuditContext::fromRequest(request), {}});
    if (!started) {
        return started.error();
    }
    HttpResponse response = HttpResponse::json(200, started->toJson());
    response.headers.append({"Set-Cookie"_ba, started->setCookie});
    return response;
}

void ConnectionRoutes::callback(const HttpRequest &request, const Responder &responder)
{
    if (const QString providerError = request.queryValue(u"error"_s); !providerError.isEmpty()) {
        responder.send(errorFor(request,
                                Error::invalid(u"the authorization server answered: %1"_s.arg(
                                    providerError.left(200)))));
        return;
    }
    // Who is at the callback: the state's flow must have been started by the same subject (a
    // URL sent by someone else completes nothing). No valid session → no principal → refused.
    std::optional<Principal> principal;
    if (Result<Principal> resolved = m_authenticator.authenticate(request); resolved) {
        principal = *resolved;
    }
    m_connections.completeOAuth(
        request.queryValue(u"code"_s),
        request.queryValue(u"state"_s),
        [&request](const QString &name) { return request.cookie(name); },
        principal ? &*principal : nullptr,
        [this, request, responder](Result<ConnectOutcome> outcome) {
            if (!outcome) {
                responder.send(errorFor(request, outcome.error()));
                return;
            }
            if (!outcome->selectionRequired) {
                responder.send(
                    redirectTo(u"/integrations?connected="_s
                               + QString::fromUtf8(QUrl::toPercentEncoding(outcome->app))));
                return;
            }
            HttpResponse response = htmlResponse(
                200,
                u"Choose an account"_s,
                selectionForm(outcome->app, outcome->pendingToken, outcome->candidates));
            response.headers.append({"Set-Cookie"_ba, bindingCookie(outcome->bindingCookie)});
            responder.send(response);
        },
        AuditContext::fromRequest(request));
}

void ConnectionRoutes::connectManual(const HttpRequest &request, const Responder &responder)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body) {
        responder.sendError(body.error());
        return;
    }
    m_connections.connectManual(
        *request.principal,
        *body,
        [this, responder](Result<ConnectOutcome> outcome) {
            if (!outcome) {
                responder.sendError(outcome.error());
                return;
            }
            HttpResponse response = HttpResponse::json(200, outcome->toJson());
            if (outcome->selectionRequired) {
                response.headers.append({"Set-Cookie"_ba, bindingCookie(outcome->bindingCookie)});
            }
            responder.send(response);
        },
        ConnectContext{AuditContext::fromRequest(request), {}});
}

Result<HttpResponse> ConnectionRoutes::pendingConnection(const HttpRequest &request)
{
    QUrlQuery form;
    if (request.header("content-type").contains("application/json")) {
        Result<QJsonObject> body = request.jsonObject();
        if (!body) {
            return errorFor(request, body.error());
        }
        for (auto it = body->constBegin(); it != body->constEnd(); ++it) {
            form.addQueryItem(it.key(),
                              it.value().isDouble() ? QString::number(it.value().toInt())
                                                    : it.value().toString());
        }
    } else {
        QByteArray text = request.body;
        text.replace('+', ' ');
        form.setQuery(QString::fromUtf8(text));
    }
    const QString token = form.queryItemValue(u"pending_token"_s, QUrl::FullyDecoded);
    const QString index = form.queryItemValue(u"candidate_index"_s, QUrl::FullyDecoded);
    const QString id = form.queryItemValue(u"candidate_id"_s, QUrl::FullyDecoded);
    const QString cookie = request.cookie(PendingCookie.toString());
    std::optional<Principal> principal;
    // A bearer token, or the browser session of the user who started the connection (also for
    // a managed subject's pending choice).
    if (!request.header("authorization").isEmpty()
        || !request.cookie(u"session_token"_s).isEmpty()) {
        Result<Principal> resolved = m_authenticator.authenticate(request);
        if (resolved) {
            principal = *resolved;
        }
    }
    const Principal *caller = principal ? &*principal : nullptr;
    if (index.isEmpty() && id.isEmpty()) {
        Result<ConnectionService::PendingChoice> choice =
            m_connections.readPending(token, cookie, caller);
        if (!choice) {
            return errorFor(request, choice.error());
        }
        if (!wantsHtml(request)) {
            return HttpResponse::json(200,
                                      QJsonObject{{u"integration"_s, choice->app},
                                                  {u"candidates"_s, choice->candidates}});
        }
        return htmlResponse(
            200, u"Choose an account"_s, selectionForm(choice->app, token, choice->candidates));
    }
    Result<ConnectOutcome> outcome = m_connections.choosePending(
        token, cookie, caller, index, id, AuditContext::fromRequest(request));
    if (!outcome) {
        return errorFor(request, outcome.error());
    }
    if (!request.cookie(u"session_token"_s).isEmpty()) {
        return redirectTo(u"/integrations?connected="_s
                          + QString::fromUtf8(QUrl::toPercentEncoding(outcome->app)));
    }
    if (wantsHtml(request)) {
        return htmlResponse(200,
                            u"Connected"_s,
                            u"<p><strong>"_s + outcome->app.toHtmlEscaped()
                                + u"</strong> is connected. You can close this window.</p>"_s);
    }
    return HttpResponse::json(200, outcome->toJson());
}

Result<HttpResponse> ConnectionRoutes::landingPage(const HttpRequest &request)
{
    const QString app = request.queryValue(u"connected"_s);
    if (app.isEmpty()) {
        return htmlResponse(200,
                            u"Apps"_s,
                            u"<p>Connect apps through <code>POST /api/v1/auth/start-oauth</code> "
                            "or <code>POST /api/v1/auth/connect-manual</code>; "
                            "<code>GET /api/v1/apps</code> lists them.</p>"_s);
    }
    return htmlResponse(200,
                        u"Connected"_s,
                        u"<p><strong>"_s + app.toHtmlEscaped()
                            + u"</strong> is connected. You can close this window.</p>"_s);
}

} // namespace Gestalt
