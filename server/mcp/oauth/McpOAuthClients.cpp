// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/oauth/McpOAuthClients.h"

#include "crypto/Base64.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "crypto/Sealer.h"
#include "http/HttpRequest.h"
#include "mcp/oauth/McpOAuthSupport.h"
#include "shared/JsonParse.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace Gestalt::McpOAuth {

namespace {

const QString clientPrefix = u"gst_mcp_client_"_s;
const QByteArray clientAd = "gestalt.mcp.client"_ba;
const QString authorizationCode = u"authorization_code"_s;
const QString refreshToken = u"refresh_token"_s;
const QString methodNone = u"none"_s;
const QString methodPost = u"client_secret_post"_s;
const QString methodBasic = u"client_secret_basic"_s;

constexpr qsizetype maxBodyBytes = qsizetype{64} * 1024;
constexpr qsizetype maxRedirectUris = 10;
constexpr qsizetype maxClientNameLength = 200;
// Keeps the authorize URL, client id included, within the 2048 characters a login `next` takes.
constexpr qsizetype maxClientIdLength = 1400;

QStringList toStringList(const QJsonValue &value)
{
    QStringList list;
    for (const auto &item : value.toArray()) {
        list.append(item.toString());
    }
    return list;
}

Error invalidClient(const QString &description)
{
    return failure(u"invalid_client"_s, description, ErrorCode::Unauthenticated);
}

// Reads registration metadata (RFC 7591 §2) into the claims of a client id, or fails.
Result<QJsonObject> registrationClaims(const QJsonObject &body)
{
    const QJsonValue uris = body.value(u"redirect_uris"_s);
    const QJsonArray uriArray = uris.toArray();
    if (!uris.isArray() || uriArray.isEmpty() || uriArray.size() > maxRedirectUris) {
        return failure(u"invalid_redirect_uri"_s,
                       u"redirect_uris must be an array of 1 to %1 URIs"_s.arg(maxRedirectUris));
    }
    for (const auto &uri : uriArray) {
        if (!uri.isString() || !isAllowedRedirectUri(uri.toString())) {
            return failure(u"invalid_redirect_uri"_s,
                           u"redirect URIs must be https, http on a loopback host, or a "
                           "private-use scheme such as com.example.app, without a fragment"_s);
        }
    }
    const QJsonValue method = body.value(u"token_endpoint_auth_method"_s);
    const QString authMethod =
        method.isUndefined() || method.isNull() ? methodNone : method.toString();
    if (!QStringList{methodNone, methodPost, methodBasic}.contains(authMethod)) {
        return failure(u"invalid_client_metadata"_s,
                       u"token_endpoint_auth_method must be none, client_secret_post or "
                       "client_secret_basic"_s);
    }
    const auto stringArray = [&body](const QString &name,
                                     const QStringList &fallback,
                                     const QStringList &allowed) -> std::optional<QStringList> {
        const QJsonValue value = body.value(name);
        if (value.isUndefined() || value.isNull()) {
            return fallback;
        }
        QStringList list;
        for (const auto &item : value.toArray()) {
            if (!item.isString() || !allowed.contains(item.toString())) {
                return std::nullopt;
            }
            if (!list.contains(item.toString())) {
                list.append(item.toString());
            }
        }
        return value.isArray() && !list.isEmpty() ? std::optional(list) : std::nullopt;
    };
    const std::optional<QStringList> grants = stringArray(
        u"grant_types"_s, {authorizationCode, refreshToken}, {authorizationCode, refreshToken});
    if (!grants || !grants->contains(authorizationCode)) {
        return failure(u"invalid_client_metadata"_s,
                       u"grant_types must include authorization_code and may add "
                       "refresh_token"_s);
    }
    if (!stringArray(u"response_types"_s, {u"code"_s}, {u"code"_s})) {
        return failure(u"invalid_client_metadata"_s, u"response_types must be [\"code\"]"_s);
    }
    QJsonObject claims{{u"v"_s, 1},
                       {u"r"_s, uriArray},
                       {u"m"_s, authMethod},
                       {u"g"_s, QJsonArray::fromStringList(*grants)}};
    const QJsonValue name = body.value(u"client_name"_s);
    if (!name.isUndefined() && !name.isNull()) {
        if (!name.isString() || name.toString().size() > maxClientNameLength) {
            return failure(u"invalid_client_metadata"_s,
                           u"client_name must be a string of at most %1 characters"_s.arg(
                               maxClientNameLength));
        }
        claims.insert(u"n"_s, name);
    }
    if (authMethod != methodNone) {
        claims.insert(u"k"_s, Crypto::base64UrlEncode(Crypto::randomBytes(32)));
    }
    return claims;
}

} // namespace

std::optional<Client> openClient(const Crypto::Sealer &sealer, const QString &id, qint64 now)
{
    const std::optional<QJsonObject> claims = openBlob(sealer, id, clientPrefix, clientAd, now);
    if (!claims || claims->value(u"v"_s).toInt() != 1) {
        return std::nullopt;
    }
    Client client{id,
                  toStringList(claims->value(u"r"_s)),
                  claims->value(u"m"_s).toString(),
                  toStringList(claims->value(u"g"_s)),
                  {},
                  claims->value(u"n"_s).toString()};
    if (client.authMethod != methodNone) {
        const std::optional<QByteArray> key =
            Crypto::base64UrlDecode(claims->value(u"k"_s).toString());
        if (!key || key->size() != 32) {
            return std::nullopt;
        }
        client.secretKey = *key;
    }
    return client;
}

QString clientSecret(const QString &clientId, const QByteArray &secretKey)
{
    return Crypto::base64UrlEncode(Crypto::hmacSha256(secretKey, clientId.toUtf8()));
}

QString clientDigest(const QString &clientId)
{
    return Crypto::base64UrlEncode(Crypto::sha256(clientId.toUtf8()));
}

Result<Registration>
registerClient(const Crypto::Sealer &sealer, const QByteArray &body, qint64 now)
{
    if (body.size() > maxBodyBytes) {
        return failure(u"invalid_client_metadata"_s, u"registration exceeds 64 KiB"_s);
    }
    const std::optional<QJsonObject> document = parseJsonObject(body);
    if (!document) {
        return failure(u"invalid_client_metadata"_s, u"registration must be a JSON object"_s);
    }
    Result<QJsonObject> claims = registrationClaims(*document);
    if (!claims) {
        return claims.error();
    }
    claims->insert(u"iat"_s, now);
    claims->insert(u"exp"_s, now + ClientTtlSeconds);
    const QString id = sealBlob(sealer, clientPrefix, clientAd, *claims);
    if (id.size() > maxClientIdLength) {
        return failure(u"invalid_client_metadata"_s,
                       u"client metadata is too large (use fewer or shorter redirect URIs)"_s);
    }
    QJsonObject answer{{u"client_id"_s, id},
                       {u"client_id_issued_at"_s, now},
                       {u"redirect_uris"_s, claims->value(u"r"_s)},
                       {u"token_endpoint_auth_method"_s, claims->value(u"m"_s)},
                       {u"grant_types"_s, claims->value(u"g"_s)},
                       {u"response_types"_s, QJsonArray{u"code"_s}}};
    if (claims->contains(u"n"_s)) {
        answer.insert(u"client_name"_s, claims->value(u"n"_s));
    }
    if (claims->contains(u"k"_s)) {
        const std::optional<QByteArray> key =
            Crypto::base64UrlDecode(claims->value(u"k"_s).toString());
        answer.insert(u"client_secret"_s, clientSecret(id, key.value_or(QByteArray())));
        answer.insert(u"client_secret_expires_at"_s, 0);
    }
    return Registration{id, answer};
}

Result<Client> authenticateClient(const Crypto::Sealer &sealer,
                                  const HttpRequest &request,
                                  const QHash<QString, QString> &form,
                                  qint64 now)
{
    std::optional<std::pair<QString, QString>> basic;
    const QByteArray authorization = request.header("authorization"_ba);
    if (authorization.left(6).compare("basic ", Qt::CaseInsensitive) == 0) {
        const auto decoded = QByteArray::fromBase64Encoding(
            authorization.mid(6).trimmed(), QByteArray::AbortOnBase64DecodingErrors);
        const qsizetype colon = decoded ? decoded.decoded.indexOf(':') : -1;
        if (colon < 0) {
            return invalidClient(u"malformed Basic client credentials"_s);
        }
        basic = std::pair{formDecode(decoded.decoded.left(colon)),
                          formDecode(decoded.decoded.mid(colon + 1))};
    }
    const QString bodyId = form.value(u"client_id"_s);
    const bool bodySecret = form.contains(u"client_secret"_s);
    if (basic && bodySecret) {
        return failure(u"invalid_request"_s, u"use only one client authentication method"_s);
    }
    if (basic && !bodyId.isEmpty() && bodyId != basic->first) {
        return invalidClient(u"client_id does not match the client credentials"_s);
    }
    const QString id = basic ? basic->first : bodyId;
    if (id.isEmpty()) {
        return invalidClient(u"client_id is required"_s);
    }
    const std::optional<Client> client = openClient(sealer, id, now);
    if (!client) {
        return invalidClient(u"unknown or expired client"_s);
    }
    if (client->authMethod == methodNone) {
        if ((basic && !basic->second.isEmpty()) || !form.value(u"client_secret"_s).isEmpty()) {
            return invalidClient(u"this client has no secret"_s);
        }
        return *client;
    }
    const bool presented = client->authMethod == methodBasic ? basic.has_value() : bodySecret;
    const QString secret = basic ? basic->second : form.value(u"client_secret"_s);
    if (!presented
        || !Crypto::constantTimeEquals(secret.toUtf8(),
                                       clientSecret(client->id, client->secretKey).toUtf8())) {
        return invalidClient(u"client authentication failed"_s);
    }
    return *client;
}

} // namespace Gestalt::McpOAuth
