// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpServer.h"
#include "identity/User.h"
#include "shared/Clock.h"

#include <QHash>
#include <QMutex>

#include <optional>

namespace Gestalt {

class AuditLog;
class OAuthGrantRepository;
class OidcProvider;
class SessionTokens;
class TokenRepository;
class UserRepository;

// Resolves who is calling (gestalt-facts §3), in this order:
//   1. the `session_token` cookie (login enabled only): our session JWT → that user;
//   2. `Authorization: Bearer <t>`: `gst_api_...` by SHA-256 lookup (cached briefly, expiry
//      honoured, revocation forgets the cache entry at once); else our session JWT; else a token
//      of the login provider validated against its JWKS (the user is found or created by email);
//      on /mcp only, also an MCP OAuth access token whose grant family is not revoked;
//   3. nothing: the anonymous local user `anonymous@gestalt` when login is disabled, else 401
//      "missing authorization".
// On the routes that invoke an operation (the "proxy routes" of http-api-legacy.md),
// `Proxy-Authorization: Bearer <t>` counts as `Authorization: Bearer <t>`. Both present with
// different values is 400: the caller's identity is never picked from two credentials. A
// Proxy-Authorization of another scheme belongs to a proxy and is ignored.
// Failures answer 401 "invalid authorization header format" / "invalid token", and are audited
// as auth.authenticate. Whatever the credential, a user an admin disabled gets 403
// "user_disabled"; another replica's disable or enable takes effect within userStateCacheMs.
class IdentityService final : public Authenticator
{
public:
    static constexpr QStringView anonymousEmail = u"anonymous@gestalt";
    static constexpr QStringView apiTokenPrefix = u"gst_api_";
    // How long a user's enabled/disabled state is cached per replica.
    static constexpr qint64 userStateCacheMs = 2000;

    IdentityService(UserRepository &users, TokenRepository &tokens, Clock clock);
    ~IdentityService() override;
    Q_DISABLE_COPY_MOVE(IdentityService)

    [[nodiscard]] Result<Principal> authenticate(const HttpRequest &request) override;

    // Drops cached lookups for these token hashes (called when tokens are revoked).
    void forgetTokens(const QStringList &hashedTokens);
    // Drops the cached enabled/disabled state of a user (called when an admin changes it), so
    // this replica applies the change at once.
    void forgetUserState(const QString &userId);

    // Turns platform login on: sessions are accepted, anonymous access ends. `provider` may be
    // null (sessions only, tests).
    void enableLogin(const SessionTokens &sessions, OidcProvider *provider);
    [[nodiscard]] bool loginEnabled() const { return m_sessions != nullptr; }
    void setAuditLog(AuditLog *audit) { m_audit = audit; }
    // Where MCP OAuth grant families are revoked; without it /mcp takes no MCP access token.
    void setMcpGrants(OAuthGrantRepository *grants) { m_mcpGrants = grants; }
    // 403 "user_disabled" while an admin has disabled the user; unknown users pass (the
    // credential lookups refuse those).
    [[nodiscard]] Result<void> requireEnabled(const QString &userId);
    // The user behind an identity-provider email (found or created; cached a minute).
    [[nodiscard]] Result<Principal>
    userPrincipal(const QString &email, const QString &displayName, Principal::Source source);

    // Operator user management (the /admin/api/v1/users routes): a page of users by email.
    [[nodiscard]] Result<UserPage> listUsers(int pageSize, const QString &pageToken);
    // Disables or enables user `id` and forgets its cached state here; idempotent (a disabled
    // user keeps its first disabledAt). 404 "unknown user"; disabling the anonymous local user is
    // 400, and disabling `callerUserId` itself 409 "cannot_disable_self".
    [[nodiscard]] Result<User>
    setUserDisabled(const QString &id, bool disabled, const QString &callerUserId);

private:
    [[nodiscard]] Result<Principal> resolve(const HttpRequest &request);
    // The one place that reads the bearer credential: `Authorization`, or on a proxy route
    // (takesProxyAuthorization) also `Proxy-Authorization: Bearer <t>`. Empty when none.
    [[nodiscard]] static Result<QByteArray> credentialHeader(const HttpRequest &request);
    [[nodiscard]] static bool takesProxyAuthorization(const HttpRequest &request);
    [[nodiscard]] Result<Principal> anonymous();
    [[nodiscard]] Result<Principal> fromBearer(const QString &token, bool mcp);
    [[nodiscard]] Result<Principal> fromMcpAccessToken(const QString &token);
    [[nodiscard]] Result<Principal> fromApiToken(const QString &token);

    struct CachedToken
    {
        std::optional<Principal> principal; // nullopt: no such token (remembered too)
        std::optional<QDateTime> expiresAt;
        QDateTime cachedAt;
    };
    [[nodiscard]] Result<CachedToken> loadToken(const QString &hash);

    UserRepository &m_users;
    TokenRepository &m_tokens;
    Clock m_clock;
    std::optional<Principal> m_anonymous;
    const SessionTokens *m_sessions = nullptr;
    OidcProvider *m_provider = nullptr;
    AuditLog *m_audit = nullptr;
    OAuthGrantRepository *m_mcpGrants = nullptr;
    struct CachedUser
    {
        Principal principal;
        QDateTime cachedAt;
    };
    QHash<QString, CachedUser> m_userCache; // by normalized email
    QMutex m_cacheMutex;
    QHash<QString, CachedToken> m_tokenCache; // by hash; also remembers unknown hashes
    struct CachedUserState
    {
        bool disabled = false;
        QDateTime cachedAt;
    };
    QHash<QString, CachedUserState> m_userStateCache; // by user id
};

} // namespace Gestalt
