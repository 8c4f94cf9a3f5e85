// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Principal.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <chrono>

namespace Gestalt {

namespace Crypto {
class SecretKey;
}
struct User;

// Platform sessions (gestalt-facts §3): an HS256 JWT signed with a key derived from the
// encryption key, claims {sub: user id, email, display_name, avatar_url?, iat, exp, typ: session},
// carried in the `session_token` cookie (Path=/, HttpOnly, SameSite=Lax, Secure on https,
// Max-Age = TTL) or as a bearer token. Not stored server-side: logout clears the cookie.
class SessionTokens final
{
public:
    static constexpr QStringView CookieName = u"session_token";

    SessionTokens(const Crypto::SecretKey &key,
                  std::chrono::seconds ttl,
                  bool secureCookies,
                  Clock clock);

    [[nodiscard]] QString issue(const User &user, const QString &avatarUrl = {}) const;
    // A user principal (source Session), or 401 "invalid token" / "token has expired". MCP
    // access tokens are refused here: they are good for /mcp only.
    [[nodiscard]] Result<Principal> validate(const QString &token) const;

    // MCP OAuth access tokens: the same JWT with aud "<McpAudience>" and fam (the grant family
    // of the authorization, revoked when one of its refresh tokens is replayed).
    static constexpr QStringView McpAudience = u"gestalt:mcp";
    struct McpAccess
    {
        Principal principal;
        QString family;
    };
    [[nodiscard]] QString issueMcpAccess(const User &user, const QString &family) const;
    // An MCP access token's user and family; 401 "invalid token" for anything else.
    [[nodiscard]] Result<McpAccess> validateMcpAccess(const QString &token) const;

    [[nodiscard]] QByteArray cookie(const QString &token) const;
    [[nodiscard]] QByteArray clearingCookie() const;
    [[nodiscard]] std::chrono::seconds ttl() const { return m_ttl; }
    [[nodiscard]] bool secureCookies() const { return m_secure; }

    // Set-Cookie value for any cookie of ours with the same attributes (login_state...).
    [[nodiscard]] QByteArray
    cookieFor(QStringView name, const QString &value, std::chrono::seconds maxAge) const;

private:
    [[nodiscard]] static Result<Principal> principalOf(const QJsonObject &claims);

    QByteArray m_key;
    std::chrono::seconds m_ttl;
    bool m_secure;
    Clock m_clock;
};

} // namespace Gestalt
