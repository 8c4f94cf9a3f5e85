// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gestalt {

struct HttpRequest;
namespace Crypto {
class Sealer;
}

// Dynamically registered MCP OAuth clients (RFC 7591). A client id is "gst_mcp_client_" + a sealed
// {v, r: redirect URIs, m: auth method, g: grant types, n?: name, k?: secret key, iat, exp} (365
// days). A client with a secret gets base64url(HMAC-SHA256(k, client id)): the key is random per
// client and only the server can read it out of the id, so nothing is stored.
namespace McpOAuth {

inline constexpr int ClientTtlSeconds = 365 * 24 * 3600;

struct Client
{
    QString id;
    QStringList redirectUris;
    QString authMethod; // none | client_secret_post | client_secret_basic
    QStringList grantTypes;
    QByteArray secretKey; // 32 bytes; empty for method none
    QString name;         // client_name as registered (unverified); may be empty
};

// A client that is registered (sealed by this server) and unexpired at now, or nullopt.
[[nodiscard]] std::optional<Client>
openClient(const Crypto::Sealer &sealer, const QString &id, qint64 now);
[[nodiscard]] QString clientSecret(const QString &clientId, const QByteArray &secretKey);
// Codes and refresh tokens name their client by this digest: shorter than the id, as binding.
[[nodiscard]] QString clientDigest(const QString &clientId);

struct Registration
{
    QString clientId;
    QJsonObject response; // the RFC 7591 §3.2.1 answer
};
// A registration request body (JSON) → a new client, or an invalid_redirect_uri /
// invalid_client_metadata failure (see failure() in McpOAuthSupport.h).
[[nodiscard]] Result<Registration>
registerClient(const Crypto::Sealer &sealer, const QByteArray &body, qint64 now);

// Client authentication at the token endpoint (RFC 6749 §2.3.1) by the client's registered
// method: client_id alone (none), the Basic header or a client_secret parameter. invalid_client
// (401) or invalid_request failures.
[[nodiscard]] Result<Client> authenticateClient(const Crypto::Sealer &sealer,
                                                const HttpRequest &request,
                                                const QHash<QString, QString> &form,
                                                qint64 now);

} // namespace McpOAuth
} // namespace Gestalt
