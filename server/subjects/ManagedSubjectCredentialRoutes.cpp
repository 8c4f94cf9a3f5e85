// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The credential side of ManagedSubjectRoutes: integrations resolved for the managed subject,
// connecting and disconnecting its upstream credentials, and its API tokens.
#include "connections/ConnectionService.h"
#include "identity/TokenService.h"
#include "invocation/AppService.h"
#include "subjects/ManagedSubjectRoutes_p.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

void ManagedSubjectRoutes::Impl::registerCredentialRoutes(Router &router)
{
    const QString integrations = SubjectPath + u"/integrations"_s;
    router.route(u"GET"_s, integrations, RouteAuth::Authenticated, this, &Impl::listIntegrations);
    router.route(u"DELETE"_s,
                 integrations + u"/{name}"_s,
                 RouteAuth::Authenticated,
                 this,
                 &Impl::disconnectIntegration);
    router.route(u"POST"_s,
                 SubjectPath + u"/auth/start-oauth"_s,
                 RouteAuth::Authenticated,
                 this,
                 &Impl::startOAuth);
    router.routeAsync(u"POST"_s,
                      SubjectPath + u"/auth/connect-manual"_s,
                      RouteAuth::Authenticated,
                      this,
                      &Impl::connectManual);

    const QString tokens = SubjectPath + u"/tokens"_s;
    router.route(u"GET"_s, tokens, RouteAuth::Authenticated, this, &Impl::listTokens);
    router.route(u"POST"_s, tokens, RouteAuth::Authenticated, this, &Impl::createToken);
    router.route(
        u"DELETE"_s, tokens + u"/{id}"_s, RouteAuth::Authenticated, this, &Impl::revokeToken);
    router.route(u"DELETE"_s, tokens, RouteAuth::Authenticated, this, &Impl::revokeAllTokens);
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::listIntegrations(const HttpRequest &request)
{
    return read(request, SubjectRole::Viewer, [this](const SubjectAccess &a) {
        return deps.apps.listFor(a.principal());
    });
}

// AppService and ConnectionService audit these (connection.*), naming the managed subject as the
// credential's owner.
Result<HttpResponse> ManagedSubjectRoutes::Impl::disconnectIntegration(const HttpRequest &request)
{
    Result<SubjectAccess> access = admit(request, SubjectRole::Editor);
    if (!access) {
        return access.error();
    }
    Result<QJsonObject> done = deps.apps.disconnect(
        request, *request.principal, request.pathParam(u"name"_s), access->subject.subjectId());
    if (!done) {
        return done.error();
    }
    return HttpResponse::json(200, *done);
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::startOAuth(const HttpRequest &request)
{
    Result<SubjectAccess> access = admit(request, SubjectRole::Editor);
    if (!access) {
        return access.error();
    }
    Result<QJsonObject> body = request.jsonObject();
    if (!body) {
        return body.error();
    }
    Result<OAuthStart> started = deps.connections.startOAuth(
        *request.principal,
        *body,
        ConnectContext{AuditContext::fromRequest(request), access->subject.subjectId()});
    if (!started) {
        return started.error();
    }
    HttpResponse response = HttpResponse::json(200, started->toJson());
    response.headers.append({"Set-Cookie"_ba, started->setCookie});
    return response;
}

// A choice between several discovered accounts continues at /api/v1/auth/pending-connection,
// proven by the same user's session or bearer token.
void ManagedSubjectRoutes::Impl::connectManual(const HttpRequest &request,
                                               const Responder &responder)
{
    Result<SubjectAccess> access = admit(request, SubjectRole::Editor);
    if (!access) {
        responder.sendError(access.error());
        return;
    }
    Result<QJsonObject> body = request.jsonObject();
    if (!body) {
        responder.sendError(body.error());
        return;
    }
    deps.connections.connectManual(
        *request.principal,
        *body,
        [responder](Result<ConnectOutcome> outcome) {
            if (!outcome) {
                responder.sendError(outcome.error());
                return;
            }
            responder.send(HttpResponse::json(200, outcome->toJson()));
        },
        ConnectContext{AuditContext::fromRequest(request), access->subject.subjectId()});
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::listTokens(const HttpRequest &request)
{
    return read(request, SubjectRole::Viewer, [this](const SubjectAccess &a) -> Result<QJsonArray> {
        Result<QList<ApiTokenRecord>> listed = deps.tokens.list(a.tokenOwner());
        if (!listed) {
            return listed.error();
        }
        QJsonArray rows;
        for (const ApiTokenRecord &token : std::as_const(*listed)) {
            rows.append(TokenService::toJson(token));
        }
        return rows;
    });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::createToken(const HttpRequest &request)
{
    return change(request,
                  u"api_token.create"_s,
                  SubjectRole::Admin,
                  [this](const HttpRequest &r,
                         const SubjectAccess &a,
                         AuditTarget &target) -> Result<HttpResponse> {
                      target = {u"api_token"_s, {}, a.subject.subjectId()};
                      Result<QJsonObject> body = r.jsonObject();
                      if (!body) {
                          return body.error();
                      }
                      Result<IssuedToken> issued = deps.tokens.issue(a.tokenOwner(), *body);
                      if (!issued) {
                          return issued.error();
                      }
                      target.id = issued->record.id;
                      QJsonObject json = TokenService::toJson(issued->record);
                      json.insert(u"token"_s, issued->plaintext);
                      return HttpResponse::json(201, json);
                  });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::revokeToken(const HttpRequest &request)
{
    return change(request,
                  u"api_token.revoke"_s,
                  SubjectRole::Admin,
                  [this](const HttpRequest &r,
                         const SubjectAccess &a,
                         AuditTarget &target) -> Result<HttpResponse> {
                      const QString id = r.pathParam(u"id"_s);
                      target = {u"api_token"_s, id.left(64), a.subject.subjectId()};
                      if (Result<void> revoked = deps.tokens.revoke(a.tokenOwner(), id); !revoked) {
                          return revoked.error();
                      }
                      return HttpResponse::json(200, QJsonObject{{u"status"_s, u"revoked"_s}});
                  });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::revokeAllTokens(const HttpRequest &request)
{
    return change(request,
                  u"api_token.revoke_all"_s,
                  SubjectRole::Admin,
                  [this](const HttpRequest &,
                         const SubjectAccess &a,
                         AuditTarget &target) -> Result<HttpResponse> {
                      target = {u"api_token"_s, {}, a.subject.subjectId()};
                      Result<int> count = deps.tokens.revokeAll(a.tokenOwner());
                      if (!count) {
                          return count.error();
                      }
                      return HttpResponse::json(
                          200, QJsonObject{{u"status"_s, u"revoked"_s}, {u"count"_s, *count}});
                  });
}

} // namespace Gestalt
