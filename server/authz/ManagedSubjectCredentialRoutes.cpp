// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The credential side of ManagedSubjectRoutes: integrations resolved for the managed subject,
// connecting and disconnecting its upstream credentials, and its API tokens.
#include "apps/AppRoutes.h"
#include "authz/ManagedSubjectRoutes_p.h"
#include "connections/ConnectionService.h"
#include "identity/TokenService.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

void ManagedSubjectRoutes::Impl::registerCredentialRoutes(Router &router)
{
    router.route(u"GET"_s, SubjectPath + u"/integrations"_s, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) {
                     return read(request, SubjectRole::Viewer, [this](const SubjectAccess &a) {
                         return deps.apps.listFor(a.principal());
                     });
                 });
    // AppRoutes and ConnectionService audit these (connection.*), naming the managed subject as
    // the credential's owner.
    router.route(u"DELETE"_s, SubjectPath + u"/integrations/{name}"_s, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) -> Result<HttpResponse> {
                     Result<SubjectAccess> access = admit(request, SubjectRole::Editor);
                     if (!access) {
                         return access.error();
                     }
                     return deps.apps.disconnectFor(request, *request.principal,
                                                    request.pathParam(u"name"_s),
                                                    access->subject.subjectId());
                 });
    router.route(u"POST"_s, SubjectPath + u"/auth/start-oauth"_s, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) -> Result<HttpResponse> {
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
                         ConnectContext{AuditContext::fromRequest(request),
                                        access->subject.subjectId()});
                     if (!started) {
                         return started.error();
                     }
                     HttpResponse response = HttpResponse::json(200, started->toJson());
                     response.headers.append({"Set-Cookie"_ba, started->setCookie});
                     return response;
                 });
    // A choice between several discovered accounts continues at
    // /api/v1/auth/pending-connection, proven by the same user's session or bearer token.
    router.routeAsync(u"POST"_s, SubjectPath + u"/auth/connect-manual"_s,
                      RouteAuth::Authenticated,
                      [this](const HttpRequest &request, Responder responder) {
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
                              *request.principal, *body,
                              [responder](Result<ConnectOutcome> outcome) {
                                  if (!outcome) {
                                      responder.sendError(outcome.error());
                                      return;
                                  }
                                  responder.send(HttpResponse::json(200, outcome->toJson()));
                              },
                              ConnectContext{AuditContext::fromRequest(request),
                                             access->subject.subjectId()});
                      });

    const QString tokens = SubjectPath + u"/tokens"_s;
    router.route(u"GET"_s, tokens, RouteAuth::Authenticated, [this](const HttpRequest &request) {
        return read(request, SubjectRole::Viewer,
                    [this](const SubjectAccess &a) -> Result<QJsonArray> {
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
    });
    router.route(
        u"POST"_s, tokens, RouteAuth::Authenticated, [this](const HttpRequest &request) {
            return change(request, u"api_token.create"_s, SubjectRole::Admin,
                          [this](const HttpRequest &r, const SubjectAccess &a,
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
        });
    router.route(
        u"DELETE"_s, tokens + u"/{id}"_s, RouteAuth::Authenticated,
        [this](const HttpRequest &request) {
            return change(request, u"api_token.revoke"_s, SubjectRole::Admin,
                          [this](const HttpRequest &r, const SubjectAccess &a,
                                 AuditTarget &target) -> Result<HttpResponse> {
                              const QString id = r.pathParam(u"id"_s);
                              target = {u"api_token"_s, id.left(64), a.subject.subjectId()};
                              if (Result<void> revoked = deps.tokens.revoke(a.tokenOwner(), id);
                                  !revoked) {
                                  return revoked.error();
                              }
                              return HttpResponse::json(200,
                                                        QJsonObject{{u"status"_s, u"revoked"_s}});
                          });
        });
    router.route(
        u"DELETE"_s, tokens, RouteAuth::Authenticated, [this](const HttpRequest &request) {
            return change(request, u"api_token.revoke_all"_s, SubjectRole::Admin,
                          [this](const HttpRequest &, const SubjectAccess &a,
                                 AuditTarget &target) -> Result<HttpResponse> {
                              target = {u"api_token"_s, {}, a.subject.subjectId()};
                              Result<int> count = deps.tokens.revokeAll(a.tokenOwner());
                              if (!count) {
                                  return count.error();
                              }
                              return HttpResponse::json(
                                  200, QJsonObject{{u"status"_s, u"revoked"_s},
                                                   {u"count"_s, *count}});
                          });
        });
}

} // namespace Gestalt
