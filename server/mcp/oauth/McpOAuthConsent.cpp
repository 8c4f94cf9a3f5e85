// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/oauth/McpOAuthConsent.h"

#include "mcp/oauth/McpOAuthSupport.h"

#include <QCryptographicHash>
#include <QJsonObject>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Gestalt::McpOAuth {

namespace {

const QString consentPrefix = u"gst_mcp_consent_"_s;
const QByteArray consentAd = "gestalt.mcp.consent"_ba;

const QString pageStyle = uR"(
body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0;
display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15);padding:2rem;
max-width:28rem;width:100%;box-sizing:border-box}
h1{font-size:1.25rem;margin:0 0 1rem}p{line-height:1.5;margin:0 0 1rem}
.who{color:#5a6272;font-size:.9rem}code{word-break:break-all}
.buttons{display:flex;gap:.75rem;justify-content:flex-end;margin-top:1.5rem}
button{font:inherit;padding:.5rem 1.25rem;border-radius:6px;border:1px solid #c3c8d1;
background:#fff;cursor:pointer}
button.approve{background:#2457d6;border-color:#2457d6;color:#fff})"_s;

// No form-action: Chromium checks it against every redirect that follows the submission, and
// this form exists to end in a 302 to the client (often on to a custom scheme, as claude.ai's
// callback does), which no list written here can foresee. With no script, no external resource
// and every value escaped, nothing on this page can submit a form elsewhere. The one <style>
// element is allowed by its hash, never by 'unsafe-inline'.
const QByteArray pagePolicy =
    "default-src 'none'; style-src 'sha256-"_ba
    + QCryptographicHash::hash(pageStyle.toUtf8(), QCryptographicHash::Sha256).toBase64()
    + "'; base-uri 'none'; frame-ancestors 'none'"_ba;

} // namespace

QString sealConsent(const Crypto::Sealer &sealer, const ConsentRequest &request, qint64 now)
{
    QJsonObject claims{{u"v"_s, 1},
                       {u"c"_s, request.clientDigest},
                       {u"r"_s, request.redirectUri},
                       {u"re"_s, request.explicitRedirect},
                       {u"ch"_s, request.codeChallenge},
                       {u"u"_s, request.userId},
                       {u"exp"_s, now + ConsentTtlSeconds}};
    if (!request.state.isEmpty()) {
        claims.insert(u"st"_s, request.state);
    }
    if (!request.scope.isEmpty()) {
        claims.insert(u"sc"_s, request.scope);
    }
    if (!request.resource.isEmpty()) {
        claims.insert(u"res"_s, request.resource);
    }
    return sealBlob(sealer, consentPrefix, consentAd, claims);
}

std::optional<ConsentRequest>
openConsent(const Crypto::Sealer &sealer, const QString &ticket, qint64 now)
{
    const std::optional<QJsonObject> claims =
        openBlob(sealer, ticket, consentPrefix, consentAd, now);
    if (!claims || claims->value(u"v"_s).toInt() != 1) {
        return std::nullopt;
    }
    ConsentRequest request{claims->value(u"c"_s).toString(),
                           claims->value(u"r"_s).toString(),
                           claims->value(u"re"_s).toBool(),
                           claims->value(u"ch"_s).toString(),
                           claims->value(u"st"_s).toString(),
                           claims->value(u"sc"_s).toString(),
                           claims->value(u"res"_s).toString(),
                           claims->value(u"u"_s).toString()};
    if (request.clientDigest.isEmpty() || request.redirectUri.isEmpty()
        || request.codeChallenge.isEmpty() || request.userId.isEmpty()) {
        return std::nullopt;
    }
    return request;
}

HttpResponse consentPage(const ConsentPage &page)
{
    const QString client = page.clientName.isEmpty() ? u"An MCP client"_s : page.clientName;
    const QString html =
        u"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        "<title>Authorize access to Gestalt</title><style>"_s
        + pageStyle
        + u"</style></head><body><main>"
          "<h1>Authorize access to Gestalt</h1>"
          "<p><strong>"_s
        + htmlEscape(client)
        + u"</strong> wants to use Gestalt on your behalf, with your permissions.</p>"
          "<p>If you approve, you will be sent back to <code>"_s
        + htmlEscape(redirectOrigin(page.redirectUri))
        + u"</code>. Approve only if you started this from an application you trust; "
          "the name above is the application's own claim.</p>"
          "<p class=\"who\">Signed in as "_s
        + htmlEscape(page.userEmail) + u"</p><form method=\"post\" action=\""_s
        + htmlEscape(page.action)
        + u"\" enctype=\"application/x-www-form-urlencoded\">"
          "<input type=\"hidden\" name=\""_s
        + ConsentField + u"\" value=\""_s + htmlEscape(page.ticket)
        + u"\"><div class=\"buttons\">"
          "<button type=\"submit\" name=\""_s
        + DecisionField + u"\" value=\""_s + DenyDecision
        + u"\">Deny</button>"
          "<button type=\"submit\" class=\"approve\" name=\""_s
        + DecisionField + u"\" value=\""_s + ApproveDecision
        + u"\">Approve</button></div></form></main></body></html>\n"_s;
    HttpResponse response = HttpResponse::text(200, html.toUtf8(), "text/html; charset=utf-8"_ba);
    setNoStore(response);
    response.setHeader("Content-Security-Policy"_ba, pagePolicy);
    // The authorize URL (state, challenge) stays with us; same-origin keeps the POST's Origin.
    response.setHeader("Referrer-Policy"_ba, "same-origin"_ba);
    return response;
}

QString redirectOrigin(const QString &uri)
{
    const QUrl url(uri, QUrl::StrictMode);
    return QString::fromLatin1(url.toEncoded(QUrl::RemoveUserInfo | QUrl::RemovePath
                                             | QUrl::RemoveQuery | QUrl::RemoveFragment));
}

QString htmlEscape(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        switch (c.unicode()) {
        case u'&':
            out += u"&amp;"_s;
            break;
        case u'<':
            out += u"&lt;"_s;
            break;
        case u'>':
            out += u"&gt;"_s;
            break;
        case u'"':
            out += u"&quot;"_s;
            break;
        case u'\'':
            out += u"&#39;"_s;
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace Gestalt::McpOAuth
