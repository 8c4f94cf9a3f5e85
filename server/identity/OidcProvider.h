// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/Jwks.h"
#include "identity/OidcSettings.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QObject>
#include <QTimer>

#include <functional>

namespace Gestalt {

class UpstreamClient;

// Who the identity provider says logged in.
struct OidcIdentity
{
    QString subject;     // "sub"
    QString email;       // lower-cased, trimmed; required
    QString displayName; // "name", else "preferred_username", else empty
    QString avatarUrl;   // "picture"
};

// The built-in OpenID Connect relying party: discovery (<issuer>/.well-known/openid-configuration,
// its "issuer" must equal issuerUrl), the JWKS (cached; refreshed every hour, and at most once a
// minute when a token names an unknown kid), the authorization-code flow with state, nonce and
// PKCE S256, and ID-token validation: RS256/ES256 signature against the JWKS, iss, aud contains
// clientId (azp = clientId when several), exp/nbf/iat with 60 s leeway, nonce, email present,
// email_verified not false, email domain in allowedDomains.
// Every request (discovery, JWKS, token endpoint) goes through the server's UpstreamClient under
// settings().egress, and calls back on the thread that owns the client (the provider's): no
// redirect is followed (a 3xx answer fails the fetch), the discovered token_endpoint and jwks_uri
// must be hosts the egress policy allows (else discovery fails, naming the host), 10 s per
// request, 256 KiB for discovery and the JWKS, 1 MiB for a token response (refused as it streams).
class OidcProvider final : public QObject
{
    Q_OBJECT

public:
    // `upstream` must outlive the provider.
    OidcProvider(OidcSettings settings,
                 UpstreamClient &upstream,
                 Clock clock,
                 QObject *parent = nullptr);
    ~OidcProvider() override;
    Q_DISABLE_COPY_MOVE(OidcProvider)

    // Fetches discovery and the JWKS; retries with backoff (1 s doubling to 60 s) until both
    // worked; emits ready() once.
    void start();
    [[nodiscard]] bool isReady() const;
    [[nodiscard]] QString lastError() const; // why it is not ready (no secrets)
    [[nodiscard]] const OidcSettings &settings() const { return m_settings; }

    struct LoginStart
    {
        QString url;          // the IdP authorization URL to send the browser to
        QString nonce;        // keep (sealed in the login_state cookie) for completeLogin
        QString codeVerifier; // empty without PKCE
    };
    // 503 "authentication provider is not ready" before discovery worked.
    [[nodiscard]] Result<LoginStart> beginLogin(const QString &state, const QString &redirectUri);

    using LoginCallback = std::function<void(Result<OidcIdentity>)>;
    // Exchanges the code at the token endpoint (client_secret_basic when a secret is set, else
    // client_id in the body; code_verifier when given), validates the ID token (refreshing the JWKS
    // once for an unknown kid) and answers. Errors are Unauthenticated with a reason for the log.
    void completeLogin(const QString &code,
                       const QString &redirectUri,
                       const QString &nonce,
                       const QString &codeVerifier,
                       LoginCallback callback);

    // A bearer token issued by the provider (an ID token or a JWT access token): same checks as
    // an ID token without nonce; "aud" must contain clientId or one of `audiences`. Unauthenticated
    // "invalid token" otherwise. An unknown kid triggers a background JWKS refresh.
    [[nodiscard]] Result<OidcIdentity> validateBearer(const QString &token);
    // Does this look like a token of this issuer (unverified "iss" equals the issuer)?
    [[nodiscard]] bool isOwnToken(const QString &token) const;

Q_SIGNALS:
    void ready();

private:
    struct Impl;
    OidcSettings m_settings;
    Clock m_clock;
    std::unique_ptr<Impl> d;
};

} // namespace Gestalt
