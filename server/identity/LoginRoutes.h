// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"
#include "shared/Clock.h"

#include <QHash>

#include <deque>
#include <functional>

namespace Gestalt {

class AuditLog;
class IdentityService;
class OidcProvider;
class SessionTokens;
class TokenService;
struct OidcIdentity;

namespace Crypto {
class Sealer;
}

// Platform login (gestalt-facts §3): /api/v1/auth/info, /login (POST → {url}; GET → 302 with a
// safe `next`), /login/callback, /logout. The login state travels in a sealed `login_state`
// cookie (state, nonce, PKCE verifier, next; 10 minutes) and is good for one callback. With login
// disabled, info says so and the login routes answer 404 "auth is disabled". info also reports
// `features.agent`: whether the agent routes are configured.
class LoginRoutes final
{
public:
    using BaseUrl = std::function<QString()>;
    static constexpr qsizetype DefaultMaxUsedStates = 10'000;

    struct Options
    {
        QString managementBaseUrl; // server.management.baseUrl: `next` may point at its /admin
        BaseUrl publicBaseUrl;     // for the default redirect URL
        // server.login.maxUsedStates: used login states remembered (to refuse a replay) until
        // they expire; beyond it the oldest is forgotten first.
        qsizetype maxUsedStates = DefaultMaxUsedStates;
        // An agent provider is configured: info's features.agent. The composition root says
        // so (identity/ is below agents/ and does not ask it).
        bool agentConfigured = false;
    };

    LoginRoutes(IdentityService &identity,
                const SessionTokens *sessions,
                OidcProvider *provider,
                TokenService &tokens,
                const Crypto::Sealer &sealer,
                AuditLog &audit,
                Clock clock,
                Options options);
    void registerRoutes(Router &router);

    static constexpr QStringView StateCookie = u"login_state";
    static constexpr int StateTtlSeconds = 10 * 60;

    // A `next` we may redirect to after login: "/path" (not "//", no backslash or control
    // characters), or an absolute URL under the management listener's /admin.
    [[nodiscard]] static bool isSafeNext(const QString &next, const QString &managementBaseUrl);

private:
    [[nodiscard]] Result<HttpResponse> info(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> startPost(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> startGet(const HttpRequest &request);
    // The callback's steps: the CLI's browser leg (a redirect to its loopback listener), the
    // sealed login state, then, once the provider answered, the session or the CLI token.
    void callback(const HttpRequest &request, const Responder &responder);
    [[nodiscard]] static Result<HttpResponse> cliHandoff(const QString &code, const QString &state);
    [[nodiscard]] Result<QJsonObject> checkState(const HttpRequest &request, const QString &state);
    void completeLogin(const HttpRequest &request,
                       const Responder &responder,
                       const QJsonObject &stateClaims,
                       bool cli,
                       const Result<OidcIdentity> &identity);
    [[nodiscard]] Result<HttpResponse> cliTokenResponse(const Principal &principal);
    [[nodiscard]] HttpResponse
    sessionResponse(const Principal &principal, const OidcIdentity &identity, const QString &next);
    [[nodiscard]] Result<HttpResponse> logout(const HttpRequest &request);

    struct Started
    {
        QString url;
        QByteArray cookie;
    };
    [[nodiscard]] Result<Started> begin(const QString &state, const QString &next);
    [[nodiscard]] QString redirectUri() const;
    [[nodiscard]] Result<void> enabled() const;
    // Remembers a used login state until it expires; false when it was used already.
    [[nodiscard]] bool consumeOnce(const QString &nonce, qint64 expiresAt);
    void audit(const HttpRequest &request,
               const QString &action,
               bool allowed,
               const QString &error,
               const QString &subjectId = {});

    IdentityService &m_identity;
    const SessionTokens *m_sessions;
    OidcProvider *m_provider;
    TokenService &m_tokens;
    const Crypto::Sealer &m_sealer;
    AuditLog &m_audit;
    Clock m_clock;
    Options m_options;
    QHash<QString, qint64> m_usedStates; // nonce → exp (unix seconds)
    std::deque<QString> m_usedOrder;     // the nonces of m_usedStates, oldest first
};

} // namespace Gestalt
