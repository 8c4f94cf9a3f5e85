// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Principal.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QJsonObject>
#include <QString>
#include <QStringView>

#include <optional>

namespace Gestalt {

class OAuthGrantRepository;
class SessionTokens;
class UserRepository;
struct User;
namespace Crypto {
class Sealer;
}
namespace McpOAuth {
struct Client;
struct ConsentRequest;

inline constexpr QStringView AuthorizationCodeGrant = u"authorization_code";
inline constexpr QStringView RefreshTokenGrant = u"refresh_token";

// The grant of a token request, as the token endpoint read it from its form.
struct TokenRequest
{
    QString grantType; // AuthorizationCodeGrant or RefreshTokenGrant
    QString code;
    std::optional<QString> redirectUri; // nullopt: the form had no redirect_uri
    QString codeVerifier;
    QString refreshToken;
};
} // namespace McpOAuth

// What the MCP OAuth authorization server (McpOAuthRoutes) decides and stores: session users,
// authorization codes and the token exchange, with the single-use rows of oauth_grants
// (OAuthGrantRepository) and the users they name. The routes parse requests and answer; failures
// here are McpOAuth::failure() errors (or internal ones), which the routes answer in the OAuth
// error shape.
class McpOAuthService final
{
public:
    McpOAuthService(const Crypto::Sealer &sealer,
                    const SessionTokens &sessions,
                    UserRepository &users,
                    OAuthGrantRepository &grants,
                    Clock clock);

    // The user of a valid session cookie value, or an error.
    [[nodiscard]] Result<Principal> sessionUser(const QString &sessionCookie) const;
    // gst_mcp_code_… for an approved consent (5 minutes), with its grant row in a new family.
    [[nodiscard]] Result<QString> issueCode(const McpOAuth::ConsentRequest &consent) const;
    // The token endpoint's answer to an authenticated client whose grant type the routes checked:
    // the code or refresh token is redeemed once, then {access_token, token_type, expires_in,
    // refresh_token? (rotated, when the client registered the grant), scope?}.
    [[nodiscard]] Result<QJsonObject> exchange(const McpOAuth::Client &client,
                                               const McpOAuth::TokenRequest &request,
                                               qint64 now) const;

private:
    // The claims of a redeemed code or refresh token, and its grant family.
    struct Redeemed
    {
        QJsonObject claims;
        QString family;
    };
    [[nodiscard]] Result<Redeemed> redeemCode(const QString &clientDigest,
                                              const McpOAuth::TokenRequest &request,
                                              qint64 now) const;
    [[nodiscard]] Result<Redeemed> redeemRefresh(const QString &clientDigest,
                                                 const McpOAuth::TokenRequest &request,
                                                 qint64 now) const;
    // The family of the code or refresh token with this nonce, consumed now; invalid_grant when
    // it was used before (which revokes its family), revoked or unknown.
    [[nodiscard]] Result<QString>
    consume(QStringView kind, const QString &nonce, const QString &usedAlready) const;
    // gst_mcp_refresh_… (30 days) in the family, with its grant row.
    [[nodiscard]] Result<QString> issueRefresh(const QString &clientDigest,
                                               const User &user,
                                               const QString &family,
                                               const QString &scope,
                                               qint64 now) const;

    const Crypto::Sealer &m_sealer;
    const SessionTokens &m_sessions;
    UserRepository &m_users;
    OAuthGrantRepository &m_grants;
    Clock m_clock;
};

} // namespace Gestalt
