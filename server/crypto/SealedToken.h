// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/Sealer.h"
#include "shared/Result.h"

#include <QByteArrayView>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace Gestalt::Crypto {

// Stateless, expiring, tamper-proof and opaque tokens (OAuth state, login state, pending
// connections): the claims plus "exp" (unix seconds) as compact JSON, sealed and base64url-encoded.
// A token is valid while now < exp. Callers that issue tokens for several purposes should put the
// purpose in a claim and check it on decode.
class SealedToken
{
public:
    // Bound to every token as associated data, so a token is no sealed value of any other kind
    // (a stored credential, a cookie) and those are no tokens.
    static constexpr QByteArrayView AssociatedData{"gestalt-sealed-token-v1"};

    SealedToken() = delete;

    // Any "exp" already in claims is replaced.
    [[nodiscard]] static QString
    encode(const Sealer &sealer, QJsonObject claims, const QDateTime &expiresAt);
    // Tampered, garbage, non-object and expired tokens all give the same InvalidArgument error
    // ("invalid or expired token"), so callers cannot tell which.
    [[nodiscard]] static Result<QJsonObject>
    decode(const Sealer &sealer, const QString &token, const QDateTime &now);
};

} // namespace Gestalt::Crypto
