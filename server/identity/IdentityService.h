// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/Clock.h"
#include "http/HttpServer.h"

#include <QHash>
#include <QMutex>

#include <optional>

namespace Gestalt {

class TokenRepository;
class UserRepository;

// Resolves who is calling: `Authorization: Bearer gst_api_...` by SHA-256 lookup (cached briefly,
// expiry honoured, revocation forgets the cache entry at once), else the anonymous local user
// `anonymous@gestalt` when no authentication provider is configured.
class IdentityService final : public Authenticator
{
public:
    static constexpr QStringView anonymousEmail = u"anonymous@gestalt";
    static constexpr QStringView apiTokenPrefix = u"gst_api_";

    IdentityService(UserRepository &users, TokenRepository &tokens, Clock clock);
    ~IdentityService() override;

    [[nodiscard]] Result<Principal> authenticate(const HttpRequest &request) override;

    // Drops cached lookups for these token hashes (called when tokens are revoked).
    void forgetTokens(const QStringList &hashedTokens);

private:
    [[nodiscard]] Result<Principal> anonymous();
    [[nodiscard]] Result<Principal> fromApiToken(const QString &token);

    struct CachedToken
    {
        std::optional<Principal> principal;  // nullopt: no such token (remembered too)
        std::optional<QDateTime> expiresAt;
        QDateTime cachedAt;
    };
    [[nodiscard]] Result<CachedToken> loadToken(const QString &hash);

    UserRepository &m_users;
    TokenRepository &m_tokens;
    Clock m_clock;
    std::optional<Principal> m_anonymous;
    QMutex m_cacheMutex;
    QHash<QString, CachedToken> m_tokenCache;  // by hash; also remembers unknown hashes
};

} // namespace Gestalt
