// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpResponse.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace Gestalt {

struct HttpRequest;
namespace Crypto {
class Sealer;
}

// The pieces of the MCP OAuth authorization server (McpOAuthRoutes) that need no route state:
// the OAuth error shape, form decoding, redirect URI rules, PKCE and sealed blobs.
namespace McpOAuth {

// An OAuth failure: `oauthCode` (RFC 6749 §5.2 / RFC 7591 §3.2.2 / RFC 8707 error code) travels
// as the machine code, the description as the message. InvalidArgument answers 400,
// Unauthenticated 401.
[[nodiscard]] Error failure(const QString &oauthCode,
                            const QString &description,
                            ErrorCode code = ErrorCode::InvalidArgument);

// The one place an OAuth error body is built: {error, error_description}, never cached. An
// error without an OAuth code (an internal one) answers 500 {error: "server_error"}; a 401 says
// WWW-Authenticate: Basic (RFC 6749 §5.2, invalid_client).
[[nodiscard]] HttpResponse errorResponse(const Error &error);

// The metadata documents, for the server whose public base URL is base: RFC 9728 protected
// resource metadata of <base>/mcp, and RFC 8414 authorization server metadata.
[[nodiscard]] QJsonObject protectedResourceMetadata(const QString &base);
[[nodiscard]] QJsonObject authorizationServerMetadata(const QString &base);

// Cache-Control: no-store and Pragma: no-cache, as token and registration answers need.
void setNoStore(HttpResponse &response);
// 302 to location (ASCII), never cached.
[[nodiscard]] HttpResponse redirect(const QString &location);
// uri (which has no fragment) with the parameters appended to its query, every value
// percent-encoded outside the unreserved characters (so `+` stays a plus for any parser).
[[nodiscard]] QString withQuery(const QString &uri,
                                const QList<std::pair<QString, QString>> &params);

// application/x-www-form-urlencoded text: `+` is a space, then percent-decoding.
[[nodiscard]] QString formDecode(const QByteArray &text);
// A whole form body; nullopt when a parameter repeats (RFC 6749 §3.2).
[[nodiscard]] std::optional<QHash<QString, QString>> parseForm(const QByteArray &body);
// The body of a POST that must be a form (RFC 6749 §3.2): x-www-form-urlencoded, at most 64 KiB,
// no parameter twice; otherwise an invalid_request failure in which `what` names the request.
[[nodiscard]] Result<QHash<QString, QString>> readForm(const HttpRequest &request,
                                                       const QString &what);

// A redirect URI a client may register (RFC 6749 §3.1.2, RFC 8252 §7): printable ASCII, absolute,
// no fragment or user info; https; http only on a loopback host (127.0.0.1, [::1], localhost, any
// port); or a private-use scheme that contains a dot (com.example.app:/cb) or is a known native
// client's (cursor, vscode, ...).
[[nodiscard]] bool isAllowedRedirectUri(const QString &uri);

// RFC 7636 §4.2: an S256 challenge is base64url, 43 to 128 characters.
[[nodiscard]] bool isValidCodeChallenge(const QString &challenge);
// RFC 7636 §4.1: 43 to 128 characters of [A-Za-z0-9-._~].
[[nodiscard]] bool isValidCodeVerifier(const QString &verifier);
// base64url(SHA-256(verifier)), without padding.
[[nodiscard]] QString s256(const QString &verifier);

// prefix + base64url(seal(compact JSON claims, associatedData)).
[[nodiscard]] QString sealBlob(const Crypto::Sealer &sealer,
                               const QString &prefix,
                               const QByteArray &associatedData,
                               const QJsonObject &claims);
// The claims of a blob from sealBlob with the same prefix and associated data whose "exp" (unix
// seconds) is after now; nullopt for anything else, whatever the reason.
[[nodiscard]] std::optional<QJsonObject> openBlob(const Crypto::Sealer &sealer,
                                                  const QString &blob,
                                                  const QString &prefix,
                                                  const QByteArray &associatedData,
                                                  qint64 now);

} // namespace McpOAuth
} // namespace Gestalt
