// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ConnectionConfig.h"
#include "httpclient/EgressPolicy.h"
#include "shared/Result.h"

#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <optional>

namespace Gestalt {

class UpstreamClient;

struct OAuthTokens
{
    QString accessToken;  // from accessTokenPath (dot path) or access_token
    QString refreshToken; // empty when none returned
    QString tokenType;
    std::optional<qint64> expiresInSeconds; // number or numeric string in the response
    QJsonObject raw; // the whole response (token_response params); holds secrets: never log
};

// The OAuth 2.0 client side of an `auth` block (gestalt-facts §2.2–§2.3). Token requests go
// through the server's one UpstreamClient under the caller's EgressPolicy (for an app's
// connection: AppDefinition::egress): asynchronous (never block the event loop), 30 s timeout for
// the whole exchange, callback exactly once and never from inside the call. Redirects are never
// followed: a 3xx from the token endpoint is a failed exchange.
// Failures: the token URL's host refused by the egress policy → Forbidden "egress to host \"h\"
// is not allowed", nothing sent; a token URL that is not absolute http(s) → "token exchange
// failed" below, nothing sent; an `error` of "invalid_grant" in a 4xx token response → BadGateway
// with machineCode "invalid_grant" (terminal: the refresh token is dead); other non-200 (3xx
// included) / missing token / network → BadGateway "token exchange failed" (machineCode
// "token_exchange_failed"); a response body over 1 MiB (declared, or streamed) is refused by the
// response parser as it arrives and the connection closed → BadGateway machineCode
// "token_response_too_large". Messages never contain tokens or secrets.
class OAuthClient final : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(Result<OAuthTokens>)>;

    explicit OAuthClient(UpstreamClient &upstream, QObject *parent = nullptr);

    // PKCE: 43-char verifier from [A-Za-z0-9-._~]; challenge = base64url-no-pad(SHA-256).
    [[nodiscard]] static QString newCodeVerifier();
    [[nodiscard]] static QString codeChallenge(const QString &verifier);

    // client_id, redirect_uri, response_type=code, state, scope param (scopes, else auth.scopes,
    // joined by scopeSeparator; omitted when empty), authorizationParams, and with a verifier
    // code_challenge + code_challenge_method=S256. {param} placeholders in the URL are filled
    // from connectionParams.
    [[nodiscard]] static QUrl authorizationUrl(const AuthConfig &auth,
                                               const QString &redirectUri,
                                               const QString &state,
                                               const QStringList &scopes,
                                               const QString &codeVerifier,
                                               const QMap<QString, QString> &connectionParams);

    // grant_type=authorization_code, code, redirect_uri, code_verifier (when set), tokenParams;
    // client auth per clientAuth (body: client_id/client_secret; header: Basic with URL-escaped
    // id:secret); form or JSON per tokenExchange; Accept: acceptHeader (default
    // application/json).
    void exchangeCode(const AuthConfig &auth,
                      const QString &code,
                      const QString &redirectUri,
                      const QString &codeVerifier,
                      const QMap<QString, QString> &connectionParams,
                      const EgressPolicy &egress,
                      Callback callback);
    // grant_type=refresh_token + refreshParams.
    void refresh(const AuthConfig &auth,
                 const QString &refreshToken,
                 const QMap<QString, QString> &connectionParams,
                 const EgressPolicy &egress,
                 Callback callback);
    // grant_type=client_credentials (platform connections), scope from auth.scopes.
    void clientCredentials(const AuthConfig &auth, const EgressPolicy &egress, Callback callback);

    // May a token request of `auth` go out under `egress`? The Forbidden error send() would give
    // (the same EgressPolicy check on the interpolated token URL's host), for callers that must
    // know before they share a request in flight. An invalid token URL passes: post() fails it.
    [[nodiscard]] static Result<void> checkEgress(const AuthConfig &auth,
                                                  const QMap<QString, QString> &connectionParams,
                                                  const EgressPolicy &egress);

    // A token response is refused past this size, as it streams.
    static constexpr qint64 MaxResponseBytes = qint64{1024} * 1024;

private:
    void post(const AuthConfig &auth,
              const QMap<QString, QString> &connectionParams,
              const EgressPolicy &egress,
              QList<std::pair<QString, QString>> fields,
              Callback callback);

    UpstreamClient &m_upstream;
};

} // namespace Gestalt
