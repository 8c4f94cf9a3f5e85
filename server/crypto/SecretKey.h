// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QByteArray>
#include <QString>

namespace Gestalt::Crypto {

// The 32-byte master key of a gestaltd instance (server.encryptionKey), used to seal stored
// credentials and state tokens. Copies share one buffer; the last owner wipes it on destruction.
// Deliberately has no QDebug operator: it must never end up in a log.
class SecretKey
{
public:
    static constexpr int Size = 32;

    // 64 hex characters are taken as the raw key; anything else is a passphrase stretched with
    // Argon2id (fixed salt, t=3, m=64 MiB, p=4), so the same passphrase always gives the same key.
    [[nodiscard]] static Result<SecretKey> derive(const QString &encryptionKey);
    // raw32 must be exactly Size bytes (a programming error otherwise: aborts).
    [[nodiscard]] static SecretKey fromBytes(const QByteArray &raw32);

    SecretKey(const SecretKey &) = default;
    SecretKey(SecretKey &&) noexcept = default;
    SecretKey &operator=(const SecretKey &other);
    SecretKey &operator=(SecretKey &&other) noexcept;
    ~SecretKey();

    [[nodiscard]] const QByteArray &bytes() const { return m_bytes; }

private:
    explicit SecretKey(QByteArray bytes);
    void wipe() noexcept;

    QByteArray m_bytes;
};

} // namespace Gestalt::Crypto
