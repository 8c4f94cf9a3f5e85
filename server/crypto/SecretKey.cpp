// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "crypto/SecretKey.h"

#include "core/Logging.h"

#include <algorithm>

#include <argon2.h>
#include <openssl/crypto.h>

using namespace Qt::StringLiterals;

namespace Gestalt::Crypto {

namespace {

// Changing any of these changes every derived key, and with it makes all sealed data unreadable.
constexpr QByteArrayView kArgon2Salt("gestalt-derivekey-v1");
constexpr quint32 kArgon2TimeCost = 3;
constexpr quint32 kArgon2MemoryKiB = 64 * 1024;
constexpr quint32 kArgon2Parallelism = 4;

constexpr int kHexKeyLength = 2 * SecretKey::Size;

bool isHexDigit(QChar c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

bool isRawHexKey(const QString &key)
{
    return key.size() == kHexKeyLength && std::all_of(key.cbegin(), key.cend(), isHexDigit);
}

} // namespace

Result<SecretKey> SecretKey::derive(const QString &encryptionKey)
{
    if (encryptionKey.isEmpty()) {
        return Error::invalid(u"server.encryptionKey is required"_s);
    }

    if (isRawHexKey(encryptionKey)) {
        QByteArray hex = encryptionKey.toLatin1();
        SecretKey key(QByteArray::fromHex(hex));
        OPENSSL_cleanse(hex.data(), static_cast<size_t>(hex.size()));
        qCDebug(lcCrypto) << "Using server.encryptionKey as a raw 256-bit hex key";
        return key;
    }

    QByteArray password = encryptionKey.toUtf8();
    QByteArray derived(Size, '\0');
    const int rc = argon2id_hash_raw(kArgon2TimeCost,
                                     kArgon2MemoryKiB,
                                     kArgon2Parallelism,
                                     password.constData(),
                                     static_cast<size_t>(password.size()),
                                     kArgon2Salt.constData(),
                                     static_cast<size_t>(kArgon2Salt.size()),
                                     derived.data(),
                                     static_cast<size_t>(derived.size()));
    OPENSSL_cleanse(password.data(), static_cast<size_t>(password.size()));
    if (rc != ARGON2_OK) {
        OPENSSL_cleanse(derived.data(), static_cast<size_t>(derived.size()));
        return Error::internal(u"Argon2id key derivation failed: "_s
                               + QString::fromLatin1(argon2_error_message(rc)));
    }
    qCDebug(lcCrypto) << "Derived the encryption key from a passphrase with Argon2id";
    return SecretKey(std::move(derived));
}

SecretKey SecretKey::fromBytes(const QByteArray &raw32)
{
    return SecretKey(raw32);
}

SecretKey::SecretKey(QByteArray bytes)
    : m_bytes(std::move(bytes))
{
    if (m_bytes.size() != Size) {
        // Only the length, never the bytes.
        qFatal("SecretKey: expected %d key bytes, got %s",
               Size,
               QByteArray::number(m_bytes.size()).constData());
    }
}

SecretKey &SecretKey::operator=(const SecretKey &other)
{
    if (this != &other) {
        wipe();
        m_bytes = other.m_bytes;
    }
    return *this;
}

SecretKey &SecretKey::operator=(SecretKey &&other) noexcept
{
    if (this != &other) {
        wipe();
        m_bytes = std::move(other.m_bytes);
    }
    return *this;
}

SecretKey::~SecretKey()
{
    wipe();
}

void SecretKey::wipe() noexcept
{
    // Copies share the buffer (implicit sharing): only the last owner may wipe it, and data() on a
    // shared buffer would detach into a fresh copy instead of touching the shared bytes.
    if (m_bytes.isDetached() && !m_bytes.isEmpty()) {
        OPENSSL_cleanse(m_bytes.data(), static_cast<size_t>(m_bytes.size()));
    }
}

} // namespace Gestalt::Crypto
