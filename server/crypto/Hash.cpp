// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "crypto/Hash.h"

#include "crypto/OpenSslBytes.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace Gestalt::Crypto {

namespace {

constexpr int kSha256Size = 32;

size_t sizeOf(const QByteArray &data)
{
    return static_cast<size_t>(data.size());
}

} // namespace

QByteArray sha256(const QByteArray &data)
{
    QByteArray digest(kSha256Size, Qt::Uninitialized);
    unsigned int length = 0;
    if (EVP_Digest(data.constData(),
                   sizeOf(data),
                   reinterpret_cast<unsigned char *>(digest.data()),
                   &length,
                   EVP_sha256(),
                   nullptr)
            != 1
        || length != kSha256Size) {
        qFatal("SHA-256 failed in OpenSSL");
    }
    return digest;
}

QString sha256Hex(const QByteArray &data)
{
    return QString::fromLatin1(sha256(data).toHex());
}

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data)
{
    QByteArray mac(kSha256Size, Qt::Uninitialized);
    size_t length = 0;
    // constData() is never null, not even for an empty key, which OpenSSL wants.
    if (EVP_Q_mac(nullptr,
                  "HMAC",
                  nullptr,
                  "SHA256",
                  nullptr,
                  key.constData(),
                  sizeOf(key),
                  bytesOf(data),
                  sizeOf(data),
                  reinterpret_cast<unsigned char *>(mac.data()),
                  sizeOf(mac),
                  &length)
            == nullptr
        || length != kSha256Size) {
        qFatal("HMAC-SHA256 failed in OpenSSL");
    }
    return mac;
}

QString hmacSha256Hex(const QByteArray &key, const QByteArray &data)
{
    return QString::fromLatin1(hmacSha256(key, data).toHex());
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size()) {
        return false;
    }
    return CRYPTO_memcmp(a.constData(), b.constData(), sizeOf(a)) == 0;
}

} // namespace Gestalt::Crypto
