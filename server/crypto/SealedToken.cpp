// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "crypto/SealedToken.h"

#include "crypto/Base64.h"
#include "shared/JsonParse.h"

#include <QJsonDocument>
#include <QJsonValue>

using namespace Qt::StringLiterals;

namespace Gestalt::Crypto {

namespace {

const QString kExpiry = u"exp"_s;

Error invalidSealedToken()
{
    return Error::invalid(u"invalid or expired token"_s);
}

} // namespace

QString SealedToken::encode(const Sealer &sealer, QJsonObject claims, const QDateTime &expiresAt)
{
    Q_ASSERT(expiresAt.isValid());
    claims.insert(kExpiry, expiresAt.toSecsSinceEpoch());
    const QByteArray json = QJsonDocument(claims).toJson(QJsonDocument::Compact);
    return base64UrlEncode(sealer.seal(json, AssociatedData.toByteArray()));
}

Result<QJsonObject>
SealedToken::decode(const Sealer &sealer, const QString &token, const QDateTime &now)
{
    const std::optional<QByteArray> sealed = base64UrlDecode(token);
    if (!sealed) {
        return invalidSealedToken();
    }
    const Result<QByteArray> json = sealer.open(*sealed, AssociatedData.toByteArray());
    if (!json) {
        return invalidSealedToken();
    }
    std::optional<QJsonObject> parsed = parseJsonObject(*json);
    if (!parsed) {
        return invalidSealedToken();
    }
    QJsonObject claims = std::move(*parsed);
    const QJsonValue expiry = claims.value(kExpiry);
    if (!expiry.isDouble() || !now.isValid()
        || static_cast<double>(now.toSecsSinceEpoch()) >= expiry.toDouble()) {
        return invalidSealedToken();
    }
    return claims;
}

} // namespace Gestalt::Crypto
