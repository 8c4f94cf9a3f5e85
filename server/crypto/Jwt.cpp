// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "crypto/Jwt.h"

#include "core/Logging.h"
#include "crypto/Base64.h"
#include "crypto/Hash.h"
#include "shared/JsonParse.h"

#include <QJsonDocument>
#include <QJsonValue>

using namespace Qt::StringLiterals;

namespace Gestalt::Crypto {

Error Jwt::invalidToken()
{
    return Error::unauthenticated(u"invalid token"_s);
}

QString Jwt::signHs256(const QByteArray &key, const QJsonObject &claims)
{
    Q_ASSERT(!key.isEmpty());
    const QString signingInput =
        base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})"_ba) + u'.'
        + base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return signingInput + u'.' + base64UrlEncode(hmacSha256(key, signingInput.toLatin1()));
}

Result<QJsonObject>
Jwt::verifyHs256(const QByteArray &key, const QString &token, const QDateTime &now)
{
    Result<Parts> parts = decode(token);
    if (!parts) {
        return parts.error();
    }
    if (parts->header.value(u"alg"_s) != u"HS256"_s) {
        qCDebug(lcCrypto) << "JWT rejected: algorithm is not HS256";
        return invalidToken();
    }
    if (key.isEmpty()
        || !constantTimeEquals(hmacSha256(key, parts->signingInput), parts->signature)) {
        qCDebug(lcCrypto) << "JWT rejected: bad signature";
        return invalidToken();
    }
    return checkClaims(parts->payload, now);
}

Result<Jwt::Parts> Jwt::decode(const QString &token)
{
    const qsizetype firstDot = token.indexOf(u'.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf(u'.', firstDot + 1);
    if (secondDot < 0 || token.indexOf(u'.', secondDot + 1) >= 0) {
        qCDebug(lcCrypto) << "JWT rejected: not three parts";
        return invalidToken();
    }
    const QStringView view(token);
    const std::optional<QByteArray> header = base64UrlDecode(view.first(firstDot));
    std::optional<QByteArray> payload =
        base64UrlDecode(view.sliced(firstDot + 1, secondDot - firstDot - 1));
    std::optional<QByteArray> signature = base64UrlDecode(view.sliced(secondDot + 1));
    if (!header || !payload || !signature) {
        qCDebug(lcCrypto) << "JWT rejected: bad base64url";
        return invalidToken();
    }
    std::optional<QJsonObject> headerObject = parseJsonObject(*header);
    if (!headerObject) {
        qCDebug(lcCrypto) << "JWT rejected: header is no JSON object";
        return invalidToken();
    }
    // RFC 7515 section 4.1.11: extensions marked critical must be understood; we know none.
    if (headerObject->contains(u"crit"_s)) {
        qCDebug(lcCrypto) << "JWT rejected: unsupported critical header";
        return invalidToken();
    }
    // All three parts decoded strictly, so the token is plain ASCII here.
    return Parts{std::move(*headerObject),
                 std::move(*payload),
                 view.first(secondDot).toLatin1(),
                 std::move(*signature)};
}

Result<QJsonObject> Jwt::checkClaims(const QByteArray &payload, const QDateTime &now)
{
    std::optional<QJsonObject> claims = parseJsonObject(payload);
    if (!claims) {
        qCDebug(lcCrypto) << "JWT rejected: payload is no JSON object";
        return invalidToken();
    }
    if (Result<void> times = checkTimes(*claims, now); !times) {
        return times.error();
    }
    return std::move(*claims);
}

Result<void> Jwt::checkTimes(const QJsonObject &claims, const QDateTime &now)
{
    const QJsonValue expiry = claims.value(u"exp"_s);
    const QJsonValue notBefore = claims.value(u"nbf"_s);
    if (!expiry.isDouble() || !(notBefore.isUndefined() || notBefore.isDouble())
        || !now.isValid()) {
        qCDebug(lcCrypto) << "JWT rejected: missing or malformed exp/nbf";
        return invalidToken();
    }
    const auto nowSeconds = static_cast<double>(now.toSecsSinceEpoch());
    if (nowSeconds >= expiry.toDouble() + LeewaySeconds) {
        return Error::unauthenticated(u"token has expired"_s);
    }
    if (notBefore.isDouble() && nowSeconds + LeewaySeconds < notBefore.toDouble()) {
        return Error::unauthenticated(u"token is not yet valid"_s);
    }
    return {};
}

} // namespace Gestalt::Crypto
