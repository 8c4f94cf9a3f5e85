// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace Gestalt::Crypto {

// JSON Web Tokens (RFC 7519) in compact JWS form. HS256 only for now; RS256/ES256 via JWKS will
// reuse decode() and checkTimes() and only add their signature check.
//
// Verification fails with Unauthenticated: "invalid token" for anything malformed, any other
// algorithm (including "none"), a "crit" header or a bad signature; "token has expired" /
// "token is not yet valid" only once the signature is known to be good.
class Jwt
{
public:
    // Allowed clock difference for "exp" and "nbf".
    static constexpr int LeewaySeconds = 60;

    Jwt() = delete;

    // Header {"alg":"HS256","typ":"JWT"}. The key must not be empty.
    [[nodiscard]] static QString signHs256(const QByteArray &key, const QJsonObject &claims);
    // "exp" is required, "nbf" is checked when present.
    [[nodiscard]] static Result<QJsonObject>
    verifyHs256(const QByteArray &key, const QString &token, const QDateTime &now);

    // Shared with the asymmetric verifier (crypto/Jwks.h).
    // Unauthenticated "invalid token": the one answer to anything malformed or unverifiable.
    [[nodiscard]] static Error invalidToken();
    // A token split into its parts; nothing in it is verified yet.
    struct Parts
    {
        QJsonObject header;
        QByteArray payload;      // the decoded JSON, parsed only after the signature is checked
        QByteArray signingInput; // "<header>.<payload>" as in the token
        QByteArray signature;
    };

    // Three strict base64url parts, a JSON object header without "crit"; else "invalid token".
    [[nodiscard]] static Result<Parts> decode(const QString &token);
    // "exp" (required) and "nbf" (when present) against `now` with LeewaySeconds.
    [[nodiscard]] static Result<void> checkTimes(const QJsonObject &claims, const QDateTime &now);

private:
    [[nodiscard]] static Result<QJsonObject> checkClaims(const QByteArray &payload,
                                                         const QDateTime &now);
};

} // namespace Gestalt::Crypto
