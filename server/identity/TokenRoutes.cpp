// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/TokenRoutes.h"

#include "audit/AuditLog.h"
#include "identity/TokenService.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Token routes manage the calling user's own tokens, with a session or an unscoped user-owned
// API token. A managed subject's token cannot; neither can a token limited to some apps or
// operations (nor a workflow run): it would mint an unscoped token, revoke its owner's others,
// or list them, and so leave its limits. Listing is refused too: a scoped token has no business
// learning which other tokens its owner holds.
Result<TokenOwner> userOwner(const HttpRequest &request)
{
    const Principal &principal = *request.principal;
    if (!principal.isUser() || principal.tokenOwnerKind == u"subject"_s) {
        return Error::forbidden(u"API token routes require a user caller"_s);
    }
    if (principal.isScopedToken()) {
        return Error::forbidden(u"scoped API tokens cannot manage API tokens"_s);
    }
    return TokenOwner{u"user"_s, principal.userId, principal.subjectId};
}

} // namespace

TokenRoutes::TokenRoutes(TokenService &tokens)
    : m_tokens(tokens)
{}

void TokenRoutes::registerRoutes(Router &router)
{
    router.route(
        u"POST"_s, u"/api/v1/tokens"_s, RouteAuth::Authenticated, this, &TokenRoutes::create);
    router.route(u"GET"_s, u"/api/v1/tokens"_s, RouteAuth::Authenticated, this, &TokenRoutes::list);
    router.route(
        u"DELETE"_s, u"/api/v1/tokens"_s, RouteAuth::Authenticated, this, &TokenRoutes::revokeAll);
    router.route(u"DELETE"_s,
                 u"/api/v1/tokens/{id}"_s,
                 RouteAuth::Authenticated,
                 this,
                 &TokenRoutes::revoke);
}

Result<HttpResponse> TokenRoutes::audited(const HttpRequest &request,
                                          const QString &action,
                                          Result<HttpResponse> response) const
{
    if (m_audit != nullptr) {
        AuditEvent event = AuditEvent::forRequest(
            request, action, {u"api_token"_s, request.pathParam(u"id"_s), {}});
        event.setOutcome(response);
        m_audit->record(std::move(event));
    }
    return response;
}

Result<HttpResponse> TokenRoutes::create(const HttpRequest &request)
{
    return audited(request, u"api_token.create"_s, issueToken(request));
}

Result<HttpResponse> TokenRoutes::list(const HttpRequest &request)
{
    return audited(request, u"api_token.list"_s, listTokens(request));
}

Result<HttpResponse> TokenRoutes::revoke(const HttpRequest &request)
{
    return audited(request, u"api_token.revoke"_s, revokeToken(request));
}

Result<HttpResponse> TokenRoutes::revokeAll(const HttpRequest &request)
{
    return audited(request, u"api_token.revoke_all"_s, revokeAllTokens(request));
}

Result<HttpResponse> TokenRoutes::issueToken(const HttpRequest &request)
{
    Result<TokenOwner> owner = userOwner(request);
    if (!owner) {
        return owner.error();
    }
    Result<QJsonObject> body = request.jsonObject();
    if (!body) {
        return body.error();
    }
    Result<IssuedToken> issued = m_tokens.issue(*owner, *body);
    if (!issued) {
        return issued.error();
    }
    QJsonObject json = TokenService::toJson(issued->record);
    json.insert(u"token"_s, issued->plaintext);
    return HttpResponse::json(201, json);
}

Result<HttpResponse> TokenRoutes::listTokens(const HttpRequest &request)
{
    Result<TokenOwner> owner = userOwner(request);
    if (!owner) {
        return owner.error();
    }
    Result<QList<ApiTokenRecord>> tokens = m_tokens.list(*owner);
    if (!tokens) {
        return tokens.error();
    }
    QJsonArray json;
    for (const ApiTokenRecord &token : std::as_const(*tokens)) {
        json.append(TokenService::toJson(token));
    }
    return HttpResponse::json(200, json);
}

Result<HttpResponse> TokenRoutes::revokeToken(const HttpRequest &request)
{
    Result<TokenOwner> owner = userOwner(request);
    if (!owner) {
        return owner.error();
    }
    if (Result<void> revoked = m_tokens.revoke(*owner, request.pathParam(u"id"_s)); !revoked) {
        return revoked.error();
    }
    return HttpResponse::json(200, QJsonObject{{u"status"_s, u"revoked"_s}});
}

Result<HttpResponse> TokenRoutes::revokeAllTokens(const HttpRequest &request)
{
    Result<TokenOwner> owner = userOwner(request);
    if (!owner) {
        return owner.error();
    }
    Result<int> count = m_tokens.revokeAll(*owner);
    if (!count) {
        return count.error();
    }
    return HttpResponse::json(200, QJsonObject{{u"status"_s, u"revoked"_s}, {u"count"_s, *count}});
}

} // namespace Gestalt
