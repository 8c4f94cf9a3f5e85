// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>

namespace Gestalt::Crypto {

// One public key of a JSON Web Key Set (RFC 7517/7518): RSA (n, e; at least 2048 bits) or EC
// P-256 (x, y). Keys with "use" other than "sig", unknown kty/crv or broken parameters are
// skipped when a set is parsed.
class PublicKey
{
public:
    ~PublicKey();
    PublicKey(const PublicKey &) = delete;
    PublicKey &operator=(const PublicKey &) = delete;
    PublicKey(PublicKey &&) = delete;
    PublicKey &operator=(PublicKey &&) = delete;

    [[nodiscard]] const QString &keyId() const { return m_kid; }
    [[nodiscard]] const QString &keyType() const { return m_kty; } // "RSA" | "EC"
    // The JWS algorithm this key verifies: "RS256" for RSA, "ES256" for P-256 (a key's "alg",
    // when given, must agree).
    [[nodiscard]] const QString &algorithm() const { return m_alg; }

    // RS256: PKCS#1 v1.5 over SHA-256. ES256: the JWS form r||s (64 bytes), not DER.
    [[nodiscard]] bool verify(const QByteArray &signingInput, const QByteArray &signature) const;

    [[nodiscard]] static Result<std::shared_ptr<PublicKey>> fromJwk(const QJsonObject &jwk);

private:
    PublicKey() = default;
    QString m_kid;
    QString m_kty;
    QString m_alg;
    void *m_pkey = nullptr; // EVP_PKEY*
};

class Jwks
{
public:
    // {"keys":[...]}: 400-class error when it is not a key set at all; unusable keys are skipped.
    [[nodiscard]] static Result<Jwks> parse(const QByteArray &json);

    [[nodiscard]] bool isEmpty() const { return m_keys.isEmpty(); }
    [[nodiscard]] qsizetype size() const { return m_keys.size(); }
    // By kid; with an empty kid, the only key for `alg` (nullptr when none or ambiguous).
    [[nodiscard]] std::shared_ptr<PublicKey> find(const QString &kid, const QString &alg) const;

private:
    QList<std::shared_ptr<PublicKey>> m_keys;
};

// Verifies an asymmetrically signed compact JWS (RS256 or ES256 only; "none", HS*, "crit" and
// anything else is "invalid token") against a key set and returns the header and claims once the
// signature holds. Claim checks are the caller's (see OidcProvider), except the structure.
struct VerifiedJwt
{
    QJsonObject header;
    QJsonObject claims;
};

// Unauthenticated "invalid token" for malformed tokens and bad signatures; NotFound
// "signing key not found" when no key of the set matches the header's kid (the caller may refresh
// the set and retry).
[[nodiscard]] Result<VerifiedJwt> verifyJws(const QString &token, const Jwks &keys);

// The unverified header of a compact JWS (to decide who should verify a bearer token), or an empty
// object when it is not a JWS.
[[nodiscard]] QJsonObject peekJwsHeader(const QString &token);
// Its unverified claims, or an empty object.
[[nodiscard]] QJsonObject peekJwsClaims(const QString &token);

} // namespace Gestalt::Crypto
