// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Principal.h"
#include "http/Router.h"
#include "shared/Clock.h"

#include <QHash>
#include <QString>

#include <functional>
#include <optional>
#include <utility>

namespace Gestalt {

class McpOAuthService;
namespace Crypto {
class Sealer;
}
namespace McpOAuth {
struct Client;
}

// gestaltd as an OAuth 2.1 authorization server for MCP clients (gestalt-facts §8; RFC 9728,
// RFC 8414, RFC 7591, RFC 7636). Client ids, codes and refresh tokens are sealed blobs
// (AES-256-GCM under the server key, bound by associated data to its kind); codes and refresh
// tokens also have a row in oauth_grants (SHA-256 of their nonce, see McpOAuthService) that one
// exchange consumes, across replicas and restarts. Every code and refresh token of one
// authorization shares a grant family; a code or refresh token presented a second time revokes
// the family: its refresh tokens stop working, and so do its access tokens (JWTs with aud
// "gestalt:mcp" and the family, accepted on /mcp only, see IdentityService).
//   GET  /.well-known/oauth-protected-resource/mcp (and without /mcp) → {resource: <base>/mcp,
//        authorization_servers: [<base>], bearer_methods_supported: ["header"], ...}
//   GET  /.well-known/oauth-authorization-server (and …/mcp) → RFC 8414 metadata: issuer,
//        authorization_endpoint, token_endpoint, registration_endpoint, response_types ["code"],
//        grant_types [authorization_code, refresh_token], code_challenge_methods ["S256"],
//        token_endpoint_auth_methods [none, client_secret_post, client_secret_basic]
//   POST /oauth/register  → 201 client (client_id gst_mcp_client_…, valid 365 days; a
//        client_secret derived from the client id when the auth method is not none)
//   GET  /oauth/authorize → PKCE S256 only; without a platform session cookie a 302 into
//        /api/v1/auth/login?next=<this request>; with one a 200 consent page (text/html, no
//        script, framing denied, never cached) naming the client (its unverified client_name,
//        else "An MCP client"), the redirect URI's scheme://host:port and the signed-in email.
//        Its one form POSTs to /oauth/authorize (x-www-form-urlencoded) the fields
//        consent=gst_mcp_consent_… (a sealed ticket, associated data "gestalt.mcp.consent":
//        client digest, redirect_uri, code_challenge, state, scope, resource, user id; 10
//        minutes) and decision=approve|deny from the pressed button. Unknown client or
//        redirect_uri: 400 JSON, never a redirect; other errors redirect with error= as RFC 6749
//        §4.1.2.1 says. No code is ever issued by a GET: a site that registered its own client
//        and navigated a signed-in browser here gets nothing without the user's click.
//   POST /oauth/authorize → the consent decision. Needs the session cookie again (SameSite=Lax:
//        a cross-site POST has none) of the user the ticket names; a bad, expired or other user's
//        ticket, a missing session or any other Content-Type: 400 JSON invalid_request, no
//        redirect. approve: 302 to redirect_uri with code=gst_mcp_code_… (5 minutes), state and
//        iss; deny: 302 with error=access_denied, state and iss.
//   POST /oauth/token     → grant_type authorization_code (code, redirect_uri, code_verifier,
//        client_id / client auth) or refresh_token; answers {access_token: an MCP access JWT
//        (audience /mcp; the REST API answers 401 to it), token_type: "Bearer", expires_in,
//        refresh_token: gst_mcp_refresh_… (30 days, single use, rotated)};
//        errors as RFC 6749 §5.2 ({error, error_description}, 400; invalid_client 401).
// Registered only when platform login is enabled (without login /mcp needs no token).
// The routes parse and answer; McpOAuthService decides and stores.
class McpOAuthRoutes final
{
public:
    McpOAuthRoutes(const Crypto::Sealer &sealer,
                   McpOAuthService &service,
                   std::function<QString()> publicBaseUrl,
                   Clock clock);
    void registerRoutes(Router &router) const;

    // The WWW-Authenticate value of a 401 from /mcp:
    // Bearer resource_metadata="<base>/.well-known/oauth-protected-resource/mcp"
    [[nodiscard]] static QByteArray challenge(const QString &publicBaseUrl);

private:
    // The route handlers. Every failure answers in the OAuth error shape (answer()).
    [[nodiscard]] Result<HttpResponse> protectedResource(const HttpRequest &request) const;
    [[nodiscard]] Result<HttpResponse> authorizationServer(const HttpRequest &request) const;
    [[nodiscard]] Result<HttpResponse> registerClient(const HttpRequest &request) const;
    [[nodiscard]] Result<HttpResponse> authorize(const HttpRequest &request) const;
    [[nodiscard]] Result<HttpResponse> decide(const HttpRequest &request) const;
    [[nodiscard]] Result<HttpResponse> token(const HttpRequest &request) const;

    // A handler's result, its failure answered as McpOAuth::errorResponse (internal ones logged).
    [[nodiscard]] static Result<HttpResponse> answer(const HttpRequest &request,
                                                     Result<HttpResponse> response);
    [[nodiscard]] Result<HttpResponse> clientRegistration(const HttpRequest &request) const;

    // GET /oauth/authorize, in its steps. Until the client and its redirect URI are known, errors
    // are shown, never redirected (authorizeTarget); after that they redirect (redirectError).
    struct AuthorizeTarget;
    [[nodiscard]] Result<HttpResponse> authorization(const HttpRequest &request) const;
    [[nodiscard]] Result<AuthorizeTarget> authorizeTarget(const HttpRequest &request,
                                                          qint64 now) const;
    // The error and description of an authorization request the client sent wrong; nullopt if
    // it is well formed.
    [[nodiscard]] static std::optional<std::pair<QString, QString>>
    authorizeQueryError(const HttpRequest &request, const QString &base);
    [[nodiscard]] static HttpResponse redirectError(const QString &redirectUri,
                                                    const QString &state,
                                                    const QString &base,
                                                    const std::pair<QString, QString> &error);
    [[nodiscard]] Result<HttpResponse> consentDecision(const HttpRequest &request) const;
    // The user of the request's session cookie, or an error.
    [[nodiscard]] Result<Principal> sessionUser(const HttpRequest &request) const;

    // POST /oauth/token: the form and client, the grant type and resource, then the exchange.
    [[nodiscard]] Result<HttpResponse> tokenExchange(const HttpRequest &request) const;
    [[nodiscard]] Result<void> checkGrant(const McpOAuth::Client &client,
                                          const QHash<QString, QString> &form) const;

    const Crypto::Sealer &m_sealer;
    McpOAuthService &m_service;
    std::function<QString()> m_publicBaseUrl;
    Clock m_clock;
};

} // namespace Gestalt
