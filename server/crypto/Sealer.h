// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/SecretKey.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QString>

namespace Gestalt::Crypto {

// Authenticated encryption with AES-256-GCM. Sealed data is nonce (12 random bytes) || ciphertext
// || tag (16 bytes). Random nonces keep a key safe for about 2^32 seals, far beyond what one
// gestaltd instance produces. Every failure to open reads "sealed data is invalid", whatever the
// cause. All methods are const and thread-safe.
//
// Associated data is authenticated but not encrypted: it binds the sealed value to its context
// (say, a credential to its row), so it cannot be moved elsewhere. open() must be given the same.
class Sealer
{
public:
    static constexpr int NonceSize = 12;
    static constexpr int TagSize = 16;
    static constexpr int Overhead = NonceSize + TagSize;

    explicit Sealer(SecretKey key);

    [[nodiscard]] QByteArray seal(const QByteArray &plaintext) const;
    [[nodiscard]] QByteArray seal(const QByteArray &plaintext,
                                  const QByteArray &associatedData) const;
    [[nodiscard]] Result<QByteArray> open(const QByteArray &sealed) const;
    [[nodiscard]] Result<QByteArray> open(const QByteArray &sealed,
                                          const QByteArray &associatedData) const;

    // Standard base64 for values stored in the database. An empty plaintext is stored as an empty
    // string, and an empty string opens to an empty plaintext.
    [[nodiscard]] QString sealToBase64(const QByteArray &plaintext) const;
    [[nodiscard]] Result<QByteArray> openBase64(const QString &text) const;

    // base64url without padding, for state tokens and cookies. Empty plaintexts are sealed too.
    [[nodiscard]] QString sealToUrlToken(const QByteArray &plaintext) const;
    [[nodiscard]] Result<QByteArray> openUrlToken(const QString &token) const;

private:
    SecretKey m_key;
};

} // namespace Gestalt::Crypto
