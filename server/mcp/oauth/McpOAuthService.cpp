// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/oauth/McpOAuthService.h"

#include "core/Logging.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "crypto/Sealer.h"
#include "identity/OAuthGrantRepository.h"
#include "identity/SessionTokens.h"
#include "identity/User.h"
#include "identity/UserRepository.h"
#include "mcp/oauth/McpOAuthClients.h"
#include "mcp/oauth/McpOAuthConsent.h"
#include "mcp/oauth/McpOAuthSupport.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

using McpOAuth::Client;
using McpOAuth::ConsentRequest;
using McpOAuth::failure;
using McpOAuth::TokenRequest;

namespace {

const QString codePrefix = u"gst_mcp_code_"_s;
const QString refreshPrefix = u"gst_mcp_refresh_"_s;
const QByteArray codeAd = "gestalt.mcp.code"_ba;
const QByteArray refreshAd = "gestalt.mcp.refresh"_ba;

constexpr qint64 codeTtl = qint64{5} * 60;
constexpr qint64 refreshTtl = 30LL * 24 * 3600;

bool isForClient(const std::optional<QJsonObject> &claims, const QString &clientDigest)
{
    return claims && claims->value(u"v"_s).toInt() == 1
           && claims->value(u"c"_s).toString() == clientDigest;
}

} // namespace

McpOAuthService::McpOAuthService(const Crypto::Sealer &sealer,
                                 const SessionTokens &sessions,
                                 UserRepository &users,
                                 OAuthGrantRepository &grants,
                                 Clock clock)
    : m_sealer(sealer)
    , m_sessions(sessions)
    , m_users(users)
    , m_grants(grants)
    , m_clock(std::move(clock))
{}

Result<Principal> McpOAuthService::sessionUser(const QString &sessionCookie) const
{
    if (sessionCookie.isEmpty()) {
        return Error::unauthenticated(u"no session"_s);
    }
    Result<Principal> principal = m_sessions.validate(sessionCookie);
    if (principal && principal->userId.isEmpty()) {
        return Error::unauthenticated(u"the session names no user"_s);
    }
    return principal;
}

Result<QString> McpOAuthService::issueCode(const ConsentRequest &consent) const
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

Result<QJsonObject>
McpOAuthService::exchange(const Client &client, const TokenRequest &request, qint64 now) const
{
    const QString digest = McpOAuth::clientDigest(client.id);
    const Result<Redeemed> redeemed = request.grantType == McpOAuth::AuthorizationCodeGrant
                                          ? redeemCode(digest, request, now)
                                          : redeemRefresh(digest, request, now);
    if (!redeemed) {
        return redeemed.error();
    }
    const QJsonObject &claims = redeemed->claims;
    const Result<std::optional<User>> user = m_users.findById(claims.value(u"u"_s).toString());
    if (!user) {
        return Error::internal(u"user lookup failed: "_s + user.error().message);
    }
    if (!user->has_value()) {
        return failure(u"invalid_grant"_s, u"the user no longer exists"_s);
    }
    const QString scope = claims.value(u"sc"_s).toString();
    QJsonObject answer{{u"access_token"_s, m_sessions.issueMcpAccess(**user, redeemed->family)},
                       {u"token_type"_s, u"Bearer"_s},
                       {u"expires_in"_s, qint64(m_sessions.ttl().count())}};
    if (client.grantTypes.contains(McpOAuth::RefreshTokenGrant)) {
        Result<QString> refresh = issueRefresh(digest, **user, redeemed->family, scope, now);
        if (!refresh) {
            return refresh.error();
        }
        answer.insert(McpOAuth::RefreshTokenGrant, *refresh);
    }
    if (!scope.isEmpty()) {
        answer.insert(u"scope"_s, scope);
    }
    return answer;
}

Result<McpOAuthService::Redeemed> McpOAuthService::redeemCode(const QString &clientDigest,
                                                              const TokenRequest &request,
                                                              qint64 now) const
{
    if (request.code.isEmpty() || request.codeVerifier.isEmpty()) {
        return failure(u"invalid_request"_s, u"code and code_verifier are required"_s);
    }
    const std::optional<QJsonObject> claims =
        McpOAuth::openBlob(m_sealer, request.code, codePrefix, codeAd, now);
    if (!isForClient(claims, clientDigest)) {
        return failure(u"invalid_grant"_s, u"invalid or expired authorization code"_s);
    }
    const bool redirectMatches = request.redirectUri
                                     ? *request.redirectUri == claims->value(u"r"_s).toString()
                                     : !claims->value(u"re"_s).toBool();
    if (!redirectMatches) {
        return failure(u"invalid_grant"_s,
                       u"redirect_uri does not match the authorization request"_s);
    }
    if (!McpOAuth::isValidCodeVerifier(request.codeVerifier)
        || !Crypto::constantTimeEquals(McpOAuth::s256(request.codeVerifier).toLatin1(),
                                       claims->value(u"ch"_s).toString().toLatin1())) {
        return failure(u"invalid_grant"_s, u"code_verifier does not match the challenge"_s);
    }
    // Single use across replicas and restarts; a second use revokes the grant family.
    Result<QString> family = consume(OAuthGrant::McpCode,
                                     claims->value(u"j"_s).toString(),
                                     u"the authorization code was used already; every token "
                                     "issued for it is revoked"_s);
    if (!family) {
        return family.error();
    }
    return Redeemed{*claims, *family};
}

Result<McpOAuthService::Redeemed> McpOAuthService::redeemRefresh(const QString &clientDigest,
                                                                 const TokenRequest &request,
                                                                 qint64 now) const
{
    if (request.refreshToken.isEmpty()) {
        return failure(u"invalid_request"_s, u"refresh_token is required"_s);
    }
    const std::optional<QJsonObject> claims =
        McpOAuth::openBlob(m_sealer, request.refreshToken, refreshPrefix, refreshAd, now);
    if (!isForClient(claims, clientDigest)) {
        return failure(u"invalid_grant"_s, u"invalid or expired refresh token"_s);
    }
    Result<QString> family = consume(OAuthGrant::McpRefresh,
                                     claims->value(u"j"_s).toString(),
                                     u"the refresh token was used already; every token of its "
                                     "grant is revoked"_s);
    if (!family) {
        return family.error();
    }
    return Redeemed{*claims, *family};
}

Result<QString>
McpOAuthService::consume(QStringView kind, const QString &nonce, const QString &usedAlready) const
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

Result<QString> McpOAuthService::issueRefresh(const QString &clientDigest,
                                              const User &user,
                                              const QString &family,
                                              const QString &scope,
                                              qint64 now) const
{
    const QString nonce = Crypto::randomUrlToken(16);
    OAuthGrant next;
    next.hash = Crypto::sha256Hex(nonce.toUtf8());
    next.kind = OAuthGrant::McpRefresh.toString();
    next.subjectId = user.id;
    next.familyId = family;
    next.createdAt = QDateTime::fromSecsSinceEpoch(now, Qt::UTC);
    next.expiresAt = next.createdAt.addSecs(refreshTtl);
    if (Result<void> stored = m_grants.insert(next, next.createdAt); !stored) {
        return Error::internal(u"storing the refresh token failed: "_s + stored.error().message);
    }
    QJsonObject refresh{{u"v"_s, 1},
                        {u"c"_s, clientDigest},
                        {u"u"_s, user.id},
                        {u"j"_s, nonce},
                        {u"iat"_s, now},
                        {u"exp"_s, now + refreshTtl}};
    if (!scope.isEmpty()) {
        refresh.insert(u"sc"_s, scope);
    }
    return McpOAuth::sealBlob(m_sealer, refreshPrefix, refreshAd, refresh);
}

} // namespace Gestalt
