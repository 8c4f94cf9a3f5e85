// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connections/ConnectTarget.h"
#include "core/Principal.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <functional>

namespace Gestalt {

class AppCatalog;
class OAuthClient;
class OAuthGrantRepository;
struct OAuthTokens;
namespace Crypto {
class Sealer;
}

// A started app OAuth flow: the authorization URL, its state, and the Set-Cookie value that binds
// the flow to the browser that started it (the callback needs the cookie back).
struct OAuthStart
{
    QString url;
    QString state;
    QByteArray setCookie;

    [[nodiscard]] QJsonObject toJson() const;
};

// The OAuth side of connecting an app: the authorization redirect and its state, the callback's
// checks, and the code exchange. The state is sealed (10 minutes, PKCE verifier inside) and also
// stored hashed in oauth_grants: single use across replicas and restarts, bound to the browser that
// started the flow (cookie oauth_binding_<id>, HttpOnly, SameSite=Lax, Path=/api/v1/auth/callback,
// Secure on https; its SHA-256 is stored) and to the subject who started it.
class OAuthConnect final
{
public:
    // The public base URL ("http://127.0.0.1:8080"): server.baseUrl, else the bound listener.
    using BaseUrl = std::function<QString()>;
    // A callback whose state passed every check: its target and PKCE verifier.
    struct Callback
    {
        ConnectTarget target;
        QString verifier;
    };
    // The exchanged tokens as a credential, and the target with the params the token response
    // gave (token_response params).
    struct Exchanged
    {
        ConnectTarget target;
        StoredCredential credential;
    };
    using ExchangeCallback = std::function<void(Result<Exchanged>)>;

    OAuthConnect(const AppCatalog &catalog,
                 OAuthGrantRepository &grants,
                 OAuthClient &oauth,
                 const Crypto::Sealer &sealer,
                 Clock clock,
                 BaseUrl baseUrl);

    // The authorization redirect for a resolved target; stores the state.
    [[nodiscard]] Result<OAuthStart> start(const ConnectTarget &target);
    // Checks the state (sealed, stored, unused, unexpired), the browser binding (`cookies`: the
    // callback request's cookie reader) and the caller (`principal`: the subject who started the
    // flow, null refused), then consumes the state. Refuses before any code is exchanged.
    [[nodiscard]] Result<Callback> check(const QString &code,
                                         const QString &state,
                                         const std::function<QString(const QString &)> &cookies,
                                         const Principal *principal);
    // Exchanges the code of a checked callback.
    void exchange(const Callback &checked, const QString &code, ExchangeCallback callback);

    // The name of the cookie that binds the flow of this state to its browser.
    [[nodiscard]] static QString bindingCookieName(const QString &state);

    static constexpr int StateTtlSeconds = 10 * 60;

private:
    // The sealed state's target and verifier.
    [[nodiscard]] Result<Callback> openState(const QString &state) const;
    [[nodiscard]] QString redirectUrl(const ConnectTarget &target) const;
    [[nodiscard]] Exchanged exchanged(ConnectTarget target, const OAuthTokens &tokens) const;

    const AppCatalog &m_catalog;
    OAuthGrantRepository &m_grants;
    OAuthClient &m_oauth;
    const Crypto::Sealer &m_sealer;
    Clock m_clock;
    BaseUrl m_baseUrl;
};

} // namespace Gestalt
