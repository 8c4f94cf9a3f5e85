// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/McpOAuthRoutes.h"

#include "Logging.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "crypto/Sealer.h"
#include "identity/SessionTokens.h"
#include "mcp/McpOAuthClients.h"
#include "mcp/McpOAuthConsent.h"
#include "mcp/McpOAuthSupport.h"
#include "store/OAuthGrantRepository.h"
#include "store/User.h"
#include "store/UserRepository.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace Gestalt {

using McpOAuth::failure;
using McpOAuth::Client;
using McpOAuth::ConsentRequest;

namespace {

const QString codePrefix = u"gst_mcp_code_"_s;
const QString refreshPrefix = u"gst_mcp_refresh_"_s;
const QByteArray codeAd = "gestalt.mcp.code"_ba;
const QByteArray refreshAd = "gestalt.mcp.refresh"_ba;
const QString authorizationCode = u"authorization_code"_s;
const QString refreshToken = u"refresh_token"_s;

constexpr qint64 codeTtl = 5 * 60;
constexpr qint64 refreshTtl = 30LL * 24 * 3600;
constexpr qsizetype maxNextLength = 2048; // what LoginRoutes::isSafeNext takes

bool isOurResource(QString resource, const QString &base)
{
    if (resource.endsWith(u'/')) {
        resource.chop(1);
    }
    return resource == base + u"/mcp"_s || resource == base;
}

} // namespace

McpOAuthRoutes::McpOAuthRoutes(const Crypto::Sealer &sealer,
                               const SessionTokens &sessions,
                               UserRepository &users,
                               OAuthGrantRepository &grants,
                               std::function<QString()> publicBaseUrl,
                               Clock clock)
    : m_sealer(sealer)
    , m_sessions(sessions)
    , m_users(users)
    , m_grants(grants)
    , m_publicBaseUrl(std::move(publicBaseUrl))
    , m_clock(std::move(clock))
{}

void McpOAuthRoutes::registerRoutes(Router &router)
{
    // Every failure of these endpoints answers in the OAuth error shape.
    const auto bind = [this](auto method) {
        return [this, method](const HttpRequest &request) -> Result<HttpResponse> {
            Result<HttpResponse> response = (this->*method)(request);
            if (!response) {
                if (response.error().machineCode.isEmpty()) {
                    qCWarning(lcMcp).noquote()
                        << "oauth:" << request.path << "failed:" << response.error().message;
                }
                return McpOAuth::errorResponse(response.error());
            }
            return response;
        };
    };
    const QString resourceMetadata = u"/.well-known/oauth-protected-resource"_s;
    const QString serverMetadata = u"/.well-known/oauth-authorization-server"_s;
    for (const QString &path : {resourceMetadata, QString(resourceMetadata + u"/mcp"_s)}) {
        router.route(u"GET"_s, path, RouteAuth::Public, bind(&McpOAuthRoutes::protectedResource));
    }
    for (const QString &path : {serverMetadata, QString(serverMetadata + u"/mcp"_s)}) {
        router.route(u"GET"_s, path, RouteAuth::Public,
                     bind(&McpOAuthRoutes::authorizationServer));
    }
    // Registration and the token endpoint carry no cookie and are called by MCP clients, some
    // of them pages on another origin; the consent form is the gateway's own page.
    router
        .route(u"POST"_s, u"/oauth/register"_s, RouteAuth::Public,
               bind(&McpOAuthRoutes::registerClient))
        .callableFromAnySite();
    router.route(u"GET"_s, u"/oauth/authorize"_s, RouteAuth::Public,
                 bind(&McpOAuthRoutes::authorize));
    // Both read forms only: McpOAuth::readForm() answers any other body as an OAuth error.
    router
        .route(u"POST"_s, u"/oauth/authorize"_s, RouteAuth::Public,
               bind(&McpOAuthRoutes::decide))
        .accepts(RouteBody::Any);
    router.route(u"POST"_s, u"/oauth/token"_s, RouteAuth::Public, bind(&McpOAuthRoutes::token))
        .accepts(RouteBody::Any)
        .callableFromAnySite();
}

QByteArray McpOAuthRoutes::challenge(const QString &publicBaseUrl)
{
    return "Bearer resource_metadata=\""_ba + publicBaseUrl.toUtf8()
           + "/.well-known/oauth-protected-resource/mcp\""_ba;
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

Result<HttpResponse> McpOAuthRoutes::registerClient(const HttpRequest &request) const
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

Result<HttpResponse> McpOAuthRoutes::authorize(const HttpRequest &request) const
{
    const QString base = m_publicBaseUrl();
    const qint64 now = m_clock().toSecsSinceEpoch();
    const auto repeated = [&request](const QString &name) {
        return request.query.allQueryItemValues(name).size() > 1;
    };
    // Until the client and its redirect URI are known, errors are shown, never redirected.
    if (repeated(u"client_id"_s) || repeated(u"redirect_uri"_s)) {
        return failure(u"invalid_request"_s, u"client_id and redirect_uri must not repeat"_s);
    }
    const std::optional<Client> client =
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

    const QString state = request.queryValue(u"state"_s);
    const auto fail = [&](const QString &error, const QString &description) {
        QList<std::pair<QString, QString>> params{{u"error"_s, error},
                                                  {u"error_description"_s, description}};
        if (!state.isEmpty()) {
            params.append({u"state"_s, state});
        }
        params.append({u"iss"_s, base});
        return McpOAuth::redirect(McpOAuth::withQuery(redirectUri, params));
    };
    for (const QString &name : {u"response_type"_s, u"code_challenge"_s, u"code_challenge_method"_s,
                                u"state"_s, u"resource"_s, u"scope"_s}) {
        if (repeated(name)) {
            return fail(u"invalid_request"_s, name + u" must not repeat"_s);
        }
    }
    const QString responseType = request.queryValue(u"response_type"_s);
    if (responseType != u"code"_s) {
        return responseType.isEmpty()
                   ? fail(u"invalid_request"_s, u"response_type is required"_s)
                   : fail(u"unsupported_response_type"_s, u"response_type must be code"_s);
    }
    const QString challenge = request.queryValue(u"code_challenge"_s);
    if (challenge.isEmpty()) {
        return fail(u"invalid_request"_s, u"code_challenge is required (PKCE)"_s);
    }
    if (request.queryValue(u"code_challenge_method"_s) != u"S256"_s) {
        return fail(u"invalid_request"_s, u"code_challenge_method must be S256"_s);
    }
    if (!McpOAuth::isValidCodeChallenge(challenge)) {
        return fail(u"invalid_request"_s,
                    u"code_challenge must be 43 to 128 base64url characters"_s);
    }
    const QString resource = request.queryValue(u"resource"_s);
    if (!resource.isEmpty() && !isOurResource(resource, base)) {
        return fail(u"invalid_target"_s, u"resource must be "_s + base + u"/mcp"_s);
    }

    const Result<Principal> principal = sessionUser(request);
    if (!principal) {
        const QString next = u"/oauth/authorize?"_s + request.query.toString(QUrl::FullyEncoded);
        if (next.size() > maxNextLength) {
            return fail(u"invalid_request"_s, u"authorization request is too long"_s);
        }
        return McpOAuth::redirect(base + u"/api/v1/auth/login?next="_s
                                  + QString::fromLatin1(QUrl::toPercentEncoding(next)));
    }

    // A signed-in user still decides: a redirect straight away would hand a code to whoever
    // registered a client and sent the user's browser here.
    const ConsentRequest consent{McpOAuth::clientDigest(client->id),
                                 redirectUri,
                                 explicitRedirect,
                                 challenge,
                                 state,
                                 request.queryValue(u"scope"_s),
                                 resource,
                                 principal->userId};
    return McpOAuth::consentPage({client->name, redirectUri, principal->email,
                                  base + u"/oauth/authorize"_s,
                                  McpOAuth::sealConsent(m_sealer, consent, now)});
}

Result<HttpResponse> McpOAuthRoutes::decide(const HttpRequest &request) const
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
        Result<QString> code = issueCode(*consent);
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
    const QString session = request.cookie(SessionTokens::CookieName.toString());
    if (session.isEmpty()) {
        return Error::unauthenticated(u"no session"_s);
    }
    Result<Principal> principal = m_sessions.validate(session);
    if (principal && principal->userId.isEmpty()) {
        return Error::unauthenticated(u"the session names no user"_s);
    }
    return principal;
}

Result<QString> McpOAuthRoutes::issueCode(const ConsentRequest &consent) const
{
    const QDateTime now = m_clock();
    const QString nonce = Crypto::randomUrlToken(16);
    OAuthGrant grant;
    grant.hash = Crypto::sha256Hex(nonce.toUtf8());
    grant.kind = OAuthGrant::McpCode.toString();
    grant.subjectId = consent.userId;
    grant.familyId = Crypto::uuidV4();
    grant.createdAt = now;
    grant.expiresAt = now.addSecs(codeTtl);
    if (Result<void> stored = m_grants.insert(grant, now); !stored) {
        return Error::internal(u"storing the authorization code failed: "_s
                               + stored.error().message);
    }
    QJsonObject claims{{u"v"_s, 1},
                       {u"c"_s, consent.clientDigest},
                       {u"r"_s, consent.redirectUri},
                       {u"re"_s, consent.explicitRedirect},
                       {u"ch"_s, consent.codeChallenge},
                       {u"u"_s, consent.userId},
                       {u"j"_s, nonce},
                       {u"exp"_s, now.toSecsSinceEpoch() + codeTtl}};
    if (!consent.resource.isEmpty()) {
        claims.insert(u"res"_s, consent.resource);
    }
    if (!consent.scope.isEmpty()) {
        claims.insert(u"sc"_s, consent.scope);
    }
    return McpOAuth::sealBlob(m_sealer, codePrefix, codeAd, claims);
}

Result<QString>
McpOAuthRoutes::consume(QStringView kind, const QString &nonce, const QString &usedAlready) const
{
    const QString what = kind == OAuthGrant::McpCode ? u"authorization code"_s : u"refresh token"_s;
    if (nonce.isEmpty()) {
        return failure(u"invalid_grant"_s, u"invalid or expired "_s + what);
    }
    const QString hash = Crypto::sha256Hex(nonce.toUtf8());
    const Result<std::optional<OAuthGrant>> consumed = m_grants.consume(hash, kind, m_clock());
    if (!consumed) {
        return Error::internal(
            u"consuming the %1 failed: %2"_s.arg(what, consumed.error().message));
    }
    if (consumed->has_value()) {
        return (*consumed)->familyId;
    }
    // Not consumable: used before (by anyone, on any replica), revoked, expired or unknown. A
    // grant used twice means one of the two holders is not its client: the whole family goes.
    const Result<std::optional<OAuthGrant>> known = m_grants.find(hash, kind);
    if (!known) {
        return Error::internal(u"reading the %1 failed: %2"_s.arg(what, known.error().message));
    }
    if (known->has_value() && (*known)->consumedAt && !(*known)->revoked) {
        if (Result<int> revoked = m_grants.revokeFamily((*known)->familyId); !revoked) {
            return Error::internal(u"revoking the grant failed: "_s + revoked.error().message);
        }
        qCInfo(lcMcp).noquote() << "oauth: a used" << what
                                << "was presented again; its grant family is revoked";
        return failure(u"invalid_grant"_s, usedAlready);
    }
    if (known->has_value() && (*known)->revoked) {
        return failure(u"invalid_grant"_s, u"the %1 was revoked"_s.arg(what));
    }
    return failure(u"invalid_grant"_s, u"invalid or expired "_s + what);
}

Result<HttpResponse> McpOAuthRoutes::token(const HttpRequest &request) const
{
    const Result<QHash<QString, QString>> form = McpOAuth::readForm(request, u"the token request"_s);
    if (!form) {
        return form.error();
    }
    const qint64 now = m_clock().toSecsSinceEpoch();
    const Result<Client> client = McpOAuth::authenticateClient(m_sealer, request, *form, now);
    if (!client) {
        return client.error();
    }
    const QString grant = form->value(u"grant_type"_s);
    if (grant.isEmpty()) {
        return failure(u"invalid_request"_s, u"grant_type is required"_s);
    }
    if (grant != authorizationCode && grant != refreshToken) {
        return failure(u"unsupported_grant_type"_s,
                       u"grant_type must be authorization_code or refresh_token"_s);
    }
    if (!client->grantTypes.contains(grant)) {
        return failure(u"unauthorized_client"_s,
                       u"the client did not register the %1 grant"_s.arg(grant));
    }
    const QString resource = form->value(u"resource"_s);
    if (!resource.isEmpty() && !isOurResource(resource, m_publicBaseUrl())) {
        return failure(u"invalid_target"_s, u"resource is not this server's MCP endpoint"_s);
    }

    const QString digest = McpOAuth::clientDigest(client->id);
    const auto forThisClient = [&digest](const std::optional<QJsonObject> &claims) {
        return claims && claims->value(u"v"_s).toInt() == 1
               && claims->value(u"c"_s).toString() == digest;
    };
    std::optional<QJsonObject> claims;
    if (grant == authorizationCode) {
        const QString verifier = form->value(u"code_verifier"_s);
        if (form->value(u"code"_s).isEmpty() || verifier.isEmpty()) {
            return failure(u"invalid_request"_s, u"code and code_verifier are required"_s);
        }
        claims = McpOAuth::openBlob(m_sealer, form->value(u"code"_s), codePrefix, codeAd, now);
        if (!forThisClient(claims)) {
            return failure(u"invalid_grant"_s, u"invalid or expired authorization code"_s);
        }
        const bool redirectMatches =
            form->contains(u"redirect_uri"_s)
                ? form->value(u"redirect_uri"_s) == claims->value(u"r"_s).toString()
                : !claims->value(u"re"_s).toBool();
        if (!redirectMatches) {
            return failure(u"invalid_grant"_s,
                           u"redirect_uri does not match the authorization request"_s);
        }
        if (!McpOAuth::isValidCodeVerifier(verifier)
            || !Crypto::constantTimeEquals(McpOAuth::s256(verifier).toLatin1(),
                                           claims->value(u"ch"_s).toString().toLatin1())) {
            return failure(u"invalid_grant"_s, u"code_verifier does not match the challenge"_s);
        }
    } else {
        if (form->value(refreshToken).isEmpty()) {
            return failure(u"invalid_request"_s, u"refresh_token is required"_s);
        }
        claims = McpOAuth::openBlob(m_sealer, form->value(refreshToken), refreshPrefix,
                                    refreshAd, now);
        if (!forThisClient(claims)) {
            return failure(u"invalid_grant"_s, u"invalid or expired refresh token"_s);
        }
    }
    // Single use across replicas and restarts; a second use revokes the grant family.
    const Result<QString> family =
        grant == authorizationCode
            ? consume(OAuthGrant::McpCode,
                      claims->value(u"j"_s).toString(),
                      u"the authorization code was used already; every token issued for it is "
                      "revoked"_s)
            : consume(OAuthGrant::McpRefresh,
                      claims->value(u"j"_s).toString(),
                      u"the refresh token was used already; every token of its grant is "
                      "revoked"_s);
    if (!family) {
        return family.error();
    }

    const Result<std::optional<User>> user = m_users.findById(claims->value(u"u"_s).toString());
    if (!user) {
        return Error::internal(u"user lookup failed: "_s + user.error().message);
    }
    if (!user->has_value()) {
        return failure(u"invalid_grant"_s, u"the user no longer exists"_s);
    }
    const QString scope = claims->value(u"sc"_s).toString();
    QJsonObject answer{{u"access_token"_s, m_sessions.issueMcpAccess(**user, *family)},
                       {u"token_type"_s, u"Bearer"_s},
                       {u"expires_in"_s, qint64(m_sessions.ttl().count())}};
    if (client->grantTypes.contains(refreshToken)) {
        const QString nonce = Crypto::randomUrlToken(16);
        OAuthGrant next;
        next.hash = Crypto::sha256Hex(nonce.toUtf8());
        next.kind = OAuthGrant::McpRefresh.toString();
        next.subjectId = (*user)->id;
        next.familyId = *family;
        next.createdAt = QDateTime::fromSecsSinceEpoch(now, Qt::UTC);
        next.expiresAt = next.createdAt.addSecs(refreshTtl);
        if (Result<void> stored = m_grants.insert(next, next.createdAt); !stored) {
            return Error::internal(u"storing the refresh token failed: "_s
                                   + stored.error().message);
        }
        QJsonObject refresh{{u"v"_s, 1},
                            {u"c"_s, digest},
                            {u"u"_s, (*user)->id},
                            {u"j"_s, nonce},
                            {u"iat"_s, now},
                            {u"exp"_s, now + refreshTtl}};
        if (!scope.isEmpty()) {
            refresh.insert(u"sc"_s, scope);
        }
        answer.insert(refreshToken,
                      McpOAuth::sealBlob(m_sealer, refreshPrefix, refreshAd, refresh));
    }
    if (!scope.isEmpty()) {
        answer.insert(u"scope"_s, scope);
    }
    HttpResponse response = HttpResponse::json(200, answer);
    McpOAuth::setNoStore(response);
    return response;
}

} // namespace Gestalt
