// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpResponse.h"

#include <QString>

#include <optional>

namespace Gestalt {

namespace Crypto {
class Sealer;
}

// The consent step of the MCP OAuth authorization server (McpOAuthRoutes): GET /oauth/authorize
// shows a page, and its form POSTs the user's decision with a sealed ticket that carries the
// validated authorization request, so the POST needs no server state.
namespace McpOAuth {

// The form the consent page posts (application/x-www-form-urlencoded) to /oauth/authorize.
inline constexpr QStringView ConsentField = u"consent";   // the sealed ticket
inline constexpr QStringView DecisionField = u"decision"; // the pressed button
inline constexpr QStringView ApproveDecision = u"approve";
inline constexpr QStringView DenyDecision = u"deny";
inline constexpr qint64 ConsentTtlSeconds = qint64{10} * 60;

// A validated authorization request, waiting for the user's decision.
struct ConsentRequest
{
    QString clientDigest; // clientDigest(client_id)
    QString redirectUri;
    bool explicitRedirect = false; // redirect_uri was in the request (token must repeat it)
    QString codeChallenge;         // S256
    QString state;
    QString scope;
    QString resource;
    QString userId; // who was signed in when the page was shown
};

// "gst_mcp_consent_" + a sealed ticket (associated data "gestalt.mcp.consent") valid for
// ConsentTtlSeconds from now.
[[nodiscard]] QString
sealConsent(const Crypto::Sealer &sealer, const ConsentRequest &request, qint64 now);
// The request of a ticket from sealConsent that has not expired at now; nullopt otherwise.
[[nodiscard]] std::optional<ConsentRequest>
openConsent(const Crypto::Sealer &sealer, const QString &ticket, qint64 now);

// What the consent page shows; every value is HTML-escaped when rendered.
struct ConsentPage
{
    QString clientName; // empty: "An MCP client"
    QString redirectUri;
    QString userEmail;
    QString action; // the absolute URL of POST /oauth/authorize
    QString ticket;
};
// 200 text/html; charset=utf-8, never cached, with a Content-Security-Policy that allows no
// scripts or external resources (HttpServer adds X-Frame-Options and nosniff).
[[nodiscard]] HttpResponse consentPage(const ConsentPage &page);

// scheme://host[:port] of a redirect URI (host punycoded), or "scheme:" when it has no host.
[[nodiscard]] QString redirectOrigin(const QString &uri);
// &, <, >, " and ' as character references.
[[nodiscard]] QString htmlEscape(const QString &text);

} // namespace McpOAuth
} // namespace Gestalt
