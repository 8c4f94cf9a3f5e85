// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "crypto/Random.h"

#include "crypto/Base64.h"

#include <QUuid>

#include <openssl/rand.h>

namespace Gestalt::Crypto {

QByteArray randomBytes(int count)
{
    Q_ASSERT(count >= 0);
    if (count <= 0) {
        return {};
    }
    QByteArray bytes(count, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), count) != 1) {
        qFatal("RAND_bytes failed: no secure random numbers available");
    }
    return bytes;
}

QString randomHex(int byteCount)
{
    return QString::fromLatin1(randomBytes(byteCount).toHex());
}

QString randomUrlToken(int byteCount)
{
    return base64UrlEncode(randomBytes(byteCount));
}

QString uuidV4()
{
    // From RAND_bytes rather than QUuid::createUuid(), so every secret-ish id has one source.
    QByteArray bytes = randomBytes(16);
    bytes[6] = static_cast<char>((bytes.at(6) & 0x0f) | 0x40); // version 4
    bytes[8] = static_cast<char>((bytes.at(8) & 0x3f) | 0x80); // RFC 4122 variant
    return QUuid::fromRfc4122(bytes).toString(QUuid::WithoutBraces);
}

} // namespace Gestalt::Crypto
