// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/oauth/McpOAuthRoutes.h"

#include "core/Logging.h"
#include "identity/SessionTokens.h"
#include "mcp/oauth/McpOAuthClients.h"
#include "mcp/oauth/McpOAuthConsent.h"
#include "mcp/oauth/McpOAuthService.h"
#include "mcp/oauth/McpOAuthSupport.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace Gestalt {

using McpOAuth::Client;
using McpOAuth::ConsentRequest;
using McpOAuth::failure;

namespace {

constexpr qsizetype maxNextLength = 2048; // what LoginRoutes::isSafeNext takes

bool isOurResource(QString resource, const QString &base)
{
    if (resource.endsWith(u'/')) {
        resource.chop(1);
    }
    return resource == base + u"/mcp"_s || resource == base;
}

} // namespace

struct McpOAuthRoutes::AuthorizeTarget
{
    Client client;
    QString redirectUri;
    bool explicitRedirect = false;
};

McpOAuthRoutes::McpOAuthRoutes(const Crypto::Sealer &sealer,
                               McpOAuthService &service,
                               std::function<QString()> publicBaseUrl,
                               Clock clock)
    : m_sealer(sealer)
    , m_service(service)
    , m_publicBaseUrl(std::move(publicBaseUrl))
    , m_clock(std::move(clock))
{}

void McpOAuthRoutes::registerRoutes(Router &router) const
{
    const QString resourceMetadata = u"/.well-known/oauth-protected-resource"_s;
    const QString serverMetadata = u"/.well-known/oauth-authorization-server"_s;
    for (const QString &path : {resourceMetadata, QString(resourceMetadata + u"/mcp"_s)}) {
        router.route(u"GET"_s, path, RouteAuth::Public, this, &McpOAuthRoutes::protectedResource);
    }
    for (const QString &path : {serverMetadata, QString(serverMetadata + u"/mcp"_s)}) {
        router.route(u"GET"_s, path, RouteAuth::Public, this, &McpOAuthRoutes::authorizationServer);
    }
    // Registration and the token endpoint carry no cookie and are called by MCP clients, some
    // of them pages on another origin; the consent form is the gateway's own page.
    router
        .route(u"POST"_s,
               u"/oauth/register"_s,
               RouteAuth::Public,
               this,
               &McpOAuthRoutes::registerClient)
        .callableFromAnySite();
    router.route(
        u"GET"_s, u"/oauth/authorize"_s, RouteAuth::Public, this, &McpOAuthRoutes::authorize);
    // Both read forms only: McpOAuth::readForm() answers any other body as an OAuth error.
    router.route(u"POST"_s, u"/oauth/authorize"_s, RouteAuth::Public, this, &McpOAuthRoutes::decide)
        .accepts(RouteBody::Any);
    router.route(u"POST"_s, u"/oauth/token"_s, RouteAuth::Public, this, &McpOAuthRoutes::token)
        .accepts(RouteBody::Any)
        .callableFromAnySite();
}

QByteArray McpOAuthRoutes::challenge(const QString &publicBaseUrl)
{
    return R"(Bearer resource_metadata=")"_ba + publicBaseUrl.toUtf8()
           + R"(/.well-known/oauth-protected-resource/mcp")"_ba;
}

Result<HttpResponse> McpOAuthRoutes::answer(const HttpRequest &request,
                                            Result<HttpResponse> response)
{
    if (response) {
        return response;
    }
    if (response.error().machineCode.isEmpty()) {
        qCWarning(lcMcp).noquote()
            << "oauth:" << request.path << "failed:" << response.error().message;
    }
    return McpOAuth::errorResponse(response.error());
}

Result<HttpResponse> McpOAuthRoutes::registerClient(const HttpRequest &request) const
{
    return answer(request, clientRegistration(request));
}

Result<HttpResponse> McpOAuthRoutes::authorize(const HttpRequest &request) const
{
    return answer(request, authorization(request));
}

Result<HttpResponse> McpOAuthRoutes::decide(const HttpRequest &request) const
{
    return answer(request, consentDecision(request));
}

Result<HttpResponse> McpOAuthRoutes::token(const HttpRequest &request) const
{
    return answer(request, tokenExchange(request));
}

Result<HttpResponse> McpOAuthRoutes::protectedResource(const HttpRequest &) const
{
    HttpResponse response =
        HttpResponse::json(200, McpOAuth::protectedResourceMetadata(m_publicBaseUrl()));
    response.setHeader("Access-Control-Allow-Origin"_ba, "*"_ba);
    return response;
}

Result<HttpResponse> McpOAuthRoutes::authorizationServer(const HttpRequest &) const
{
    HttpResponse response =
        HttpResponse::json(200, McpOAuth::authorizationServerMetadata(m_publicBaseUrl()));
    response.setHeader("Access-Control-Allow-Origin"_ba, "*"_ba);
    return response;
}

Result<HttpResponse> McpOAuthRoutes::clientRegistration(const HttpRequest &request) const
{
    Result<McpOAuth::Registration> registration =
        McpOAuth::registerClient(m_sealer, request.body, m_clock().toSecsSinceEpoch());
    if (!registration) {
        return registration.error();
    }
    HttpResponse response = HttpResponse::json(201, registration->response);
    McpOAuth::setNoStore(response);
    return response;
}

Result<HttpResponse> McpOAuthRoutes::authorization(const HttpRequest &request) const
{
    const QString base = m_publicBaseUrl();
    const qint64 now = m_clock().toSecsSinceEpoch();
    const Result<AuthorizeTarget> target = authorizeTarget(request, now);
    if (!target) {
        return target.error();
    }
    const QString state = request.queryValue(u"state"_s);
    if (const auto error = authorizeQueryError(request, base)) {
        return redirectError(target->redirectUri, state, base, *error);
    }

    const Result<Principal> principal = sessionUser(request);
    if (!principal) {
        const QString next = u"/oauth/authorize?"_s + request.query.toString(QUrl::FullyEncoded);
        if (next.size() > maxNextLength) {
            return redirectError(target->redirectUri,
                                 state,
                                 base,
                                 {u"invalid_request"_s, u"authorization request is too long"_s});
        }
        return McpOAuth::redirect(base + u"/api/v1/auth/login?next="_s
                                  + QString::fromLatin1(QUrl::toPercentEncoding(next)));
    }

    // A signed-in user still decides: a redirect straight away would hand a code to whoever
    // registered a client and sent the user's browser here.
    const ConsentRequest consent{McpOAuth::clientDigest(target->client.id),
                                 target->redirectUri,
                                 target->explicitRedirect,
                                 request.queryValue(u"code_challenge"_s),
                                 state,
                                 request.queryValue(u"scope"_s),
                                 request.queryValue(u"resource"_s),
                                 principal->userId};
    return McpOAuth::consentPage({target->client.name,
                                  target->redirectUri,
                                  principal->email,
                                  base + u"/oauth/authorize"_s,
                                  McpOAuth::sealConsent(m_sealer, consent, now)});
}

Result<McpOAuthRoutes::AuthorizeTarget> McpOAuthRoutes::authorizeTarget(const HttpRequest &request,
                                                                        qint64 now) const
{
    if (request.query.allQueryItemValues(u"client_id"_s).size() > 1
        || request.query.allQueryItemValues(u"redirect_uri"_s).size() > 1) {
        return failure(u"invalid_request"_s, u"client_id and redirect_uri must not repeat"_s);
    }
    std::optional<Client> client =
        McpOAuth::openClient(m_sealer, request.queryValue(u"client_id"_s), now);
    if (!client) {
        return failure(u"invalid_client"_s, u"unknown or expired client_id"_s);
    }
    const bool explicitRedirect = request.query.hasQueryItem(u"redirect_uri"_s);
    QString redirectUri = request.queryValue(u"redirect_uri"_s);
    if (!explicitRedirect && client->redirectUris.size() == 1) {
        redirectUri = client->redirectUris.constFirst();
    } else if (!client->redirectUris.contains(redirectUri)) {
        return failure(u"invalid_request"_s,
                       explicitRedirect ? u"redirect_uri is not registered for this client"_s
                                        : u"redirect_uri is required"_s);
    }
    return AuthorizeTarget{std::move(*client), redirectUri, explicitRedirect};
}

std::optional<std::pair<QString, QString>>
McpOAuthRoutes::authorizeQueryError(const HttpRequest &request, const QString &base)
{
    for (const QString &name : {u"response_type"_s,
                                u"code_challenge"_s,
                                u"code_challenge_method"_s,
                                u"state"_s,
                                u"resource"_s,
                                u"scope"_s}) {
        if (request.query.allQueryItemValues(name).size() > 1) {
            return std::pair{u"invalid_request"_s, name + u" must not repeat"_s};
        }
    }
    const QString responseType = request.queryValue(u"response_type"_s);
    if (responseType.isEmpty()) {
        return std::pair{u"invalid_request"_s, u"response_type is required"_s};
    }
    if (responseType != u"code"_s) {
        return std::pair{u"unsupported_response_type"_s, u"response_type must be code"_s};
    }
    const QString challenge = request.queryValue(u"code_challenge"_s);
    if (challenge.isEmpty()) {
        return std::pair{u"invalid_request"_s, u"code_challenge is required (PKCE)"_s};
    }
    if (request.queryValue(u"code_challenge_method"_s) != u"S256"_s) {
        return std::pair{u"invalid_request"_s, u"code_challenge_method must be S256"_s};
    }
    if (!McpOAuth::isValidCodeChallenge(challenge)) {
        return std::pair{u"invalid_request"_s,
                         u"code_challenge must be 43 to 128 base64url characters"_s};
    }
    const QString resource = request.queryValue(u"resource"_s);
    if (!resource.isEmpty() && !isOurResource(resource, base)) {
        return std::pair{u"invalid_target"_s, u"resource must be "_s + base + u"/mcp"_s};
    }
    return std::nullopt;
}

HttpResponse McpOAuthRoutes::redirectError(const QString &redirectUri,
                                           const QString &state,
                                           const QString &base,
                                           const std::pair<QString, QString> &error)
{
    QList<std::pair<QString, QString>> params{{u"error"_s, error.first},
                                              {u"error_description"_s, error.second}};
    if (!state.isEmpty()) {
        params.append({u"state"_s, state});
    }
    params.append({u"iss"_s, base});
    return McpOAuth::redirect(McpOAuth::withQuery(redirectUri, params));
}

Result<HttpResponse> McpOAuthRoutes::consentDecision(const HttpRequest &request) const
{
    const Result<QHash<QString, QString>> form = McpOAuth::readForm(request, u"the consent form"_s);
    if (!form) {
        return form.error();
    }
    const std::optional<ConsentRequest> consent = McpOAuth::openConsent(
        m_sealer, form->value(McpOAuth::ConsentField.toString()), m_clock().toSecsSinceEpoch());
    if (!consent) {
        return failure(u"invalid_request"_s,
                       u"invalid or expired consent; start the authorization again"_s);
    }
    // The session cookie is SameSite=Lax: a POST from another site arrives without it.
    const Result<Principal> principal = sessionUser(request);
    if (!principal || principal->userId != consent->userId) {
        return failure(u"invalid_request"_s,
                       u"the consent belongs to no current session of this browser; start the "
                       "authorization again"_s);
    }
    const QString decision = form->value(McpOAuth::DecisionField.toString());
    QList<std::pair<QString, QString>> params;
    if (decision == McpOAuth::ApproveDecision) {
        Result<QString> code = m_service.issueCode(*consent);
        if (!code) {
            return code.error();
        }
        params.append({u"code"_s, *code});
    } else if (decision == McpOAuth::DenyDecision) {
        params.append({u"error"_s, u"access_denied"_s});
    } else {
        return failure(u"invalid_request"_s, u"decision must be approve or deny"_s);
    }
    if (!consent->state.isEmpty()) {
        params.append({u"state"_s, consent->state});
    }
    params.append({u"iss"_s, m_publicBaseUrl()});
    return McpOAuth::redirect(McpOAuth::withQuery(consent->redirectUri, params));
}

Result<Principal> McpOAuthRoutes::sessionUser(const HttpRequest &request) const
{
    return m_service.sessionUser(request.cookie(SessionTokens::CookieName.toString()));
}

Result<HttpResponse> McpOAuthRoutes::tokenExchange(const HttpRequest &request) const
{
    const Result<QHash<QString, QString>> form =
        McpOAuth::readForm(request, u"the token request"_s);
    if (!form) {
        return form.error();
    }
    const qint64 now = m_clock().toSecsSinceEpoch();
    const Result<Client> client = McpOAuth::authenticateClient(m_sealer, request, *form, now);
    if (!client) {
        return client.error();
    }
    if (Result<void> checked = checkGrant(*client, *form); !checked) {
        return checked.error();
    }
    McpOAuth::TokenRequest grant{form->value(u"grant_type"_s),
                                 form->value(u"code"_s),
                                 std::nullopt,
                                 form->value(u"code_verifier"_s),
                                 form->value(McpOAuth::RefreshTokenGrant.toString())};
    if (form->contains(u"redirect_uri"_s)) {
        grant.redirectUri = form->value(u"redirect_uri"_s);
    }
    const Result<QJsonObject> tokens = m_service.exchange(*client, grant, now);
    if (!tokens) {
        return tokens.error();
    }
    HttpResponse response = HttpResponse::json(200, *tokens);
    McpOAuth::setNoStore(response);
    return response;
}

Result<void> McpOAuthRoutes::checkGrant(const Client &client,
                                        const QHash<QString, QString> &form) const
{
    const QString grant = form.value(u"grant_type"_s);
    if (grant.isEmpty()) {
        return failure(u"invalid_request"_s, u"grant_type is required"_s);
    }
    if (grant != McpOAuth::AuthorizationCodeGrant && grant != McpOAuth::RefreshTokenGrant) {
        return failure(u"unsupported_grant_type"_s,
                       u"grant_type must be authorization_code or refresh_token"_s);
    }
    if (!client.grantTypes.contains(grant)) {
        return failure(u"unauthorized_client"_s,
                       u"the client did not register the %1 grant"_s.arg(grant));
    }
    const QString resource = form.value(u"resource"_s);
    if (!resource.isEmpty() && !isOurResource(resource, m_publicBaseUrl())) {
        return failure(u"invalid_target"_s, u"resource is not this server's MCP endpoint"_s);
    }
    return {};
}

} // namespace Gestalt
