// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "crypto/Sealer.h"

#include "crypto/Base64.h"
#include "crypto/OpenSslBytes.h"
#include "crypto/Random.h"

#include <algorithm>
#include <array>
#include <climits>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>

using namespace Qt::StringLiterals;

namespace Gestalt::Crypto {

namespace {

struct CipherContextFree
{
    void operator()(EVP_CIPHER_CTX *ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

enum class Direction {
    Encrypt,
    Decrypt,
};

// EVP counts in int; feed larger buffers in pieces.
constexpr qsizetype kMaxChunk = INT_MAX / 2;

Error invalidSealedData()
{
    return Error::invalid(u"sealed data is invalid"_s);
}

CipherContext startCipher(Direction direction, const SecretKey &key, const char *nonce)
{
    if (key.bytes().size() != SecretKey::Size) {
        qFatal("Sealer: used with a moved-from SecretKey");
    }
    CipherContext ctx(EVP_CIPHER_CTX_new());
    if (!ctx) {
        qFatal("EVP_CIPHER_CTX_new failed: out of memory");
    }
    // AES-GCM's default IV length is the 12 bytes used here.
    const auto init = direction == Direction::Encrypt ? &EVP_EncryptInit_ex : &EVP_DecryptInit_ex;
    if (init(
            ctx.get(), EVP_aes_256_gcm(), nullptr, bytesOf(key.bytes().constData()), bytesOf(nonce))
        != 1) {
        qFatal("AES-256-GCM initialisation failed in OpenSSL");
    }
    return ctx;
}

// Runs data through the cipher; out == nullptr feeds associated data. Returns false on failure.
bool update(EVP_CIPHER_CTX *ctx, Direction direction, const char *in, qsizetype size, char *out)
{
    const auto step = direction == Direction::Encrypt ? &EVP_EncryptUpdate : &EVP_DecryptUpdate;
    for (qsizetype offset = 0; offset < size;) {
        const int chunk = static_cast<int>(std::min(size - offset, kMaxChunk));
        int written = 0;
        if (step(ctx, out ? bytesOf(out + offset) : nullptr, &written, bytesOf(in + offset), chunk)
                != 1
            || (out && written != chunk)) {
            return false;
        }
        offset += chunk;
    }
    return true;
}

} // namespace

Sealer::Sealer(SecretKey key)
    : m_key(std::move(key))
{}

QByteArray Sealer::seal(const QByteArray &plaintext) const
{
    return seal(plaintext, QByteArray());
}

QByteArray Sealer::seal(const QByteArray &plaintext, const QByteArray &associatedData) const
{
    const QByteArray nonce = randomBytes(NonceSize);
    QByteArray sealed(Overhead + plaintext.size(), Qt::Uninitialized);
    char *out = sealed.data();
    std::copy(nonce.cbegin(), nonce.cend(), out);

    char *tagOut = out + NonceSize + plaintext.size();

    CipherContext ctx = startCipher(Direction::Encrypt, m_key, nonce.constData());
    bool ok = update(ctx.get(),
                     Direction::Encrypt,
                     associatedData.constData(),
                     associatedData.size(),
                     nullptr)
              && update(ctx.get(),
                        Direction::Encrypt,
                        plaintext.constData(),
                        plaintext.size(),
                        out + NonceSize);
    // GCM's final step writes nothing, but gets room for a block all the same.
    std::array<unsigned char, 16> scratch{};
    int written = 0;
    ok = ok && EVP_EncryptFinal_ex(ctx.get(), scratch.data(), &written) == 1 && written == 0;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, TagSize, tagOut) == 1;
    if (!ok) {
        qFatal("AES-256-GCM encryption failed in OpenSSL");
    }
    return sealed;
}

Result<QByteArray> Sealer::open(const QByteArray &sealed) const
{
    return open(sealed, QByteArray());
}

Result<QByteArray> Sealer::open(const QByteArray &sealed, const QByteArray &associatedData) const
{
    if (sealed.size() < Overhead) {
        return invalidSealedData();
    }
    const qsizetype ciphertextSize = sealed.size() - Overhead;
    const char *ciphertext = sealed.constData() + NonceSize;
    std::array<char, TagSize> tag{};
    std::copy_n(ciphertext + ciphertextSize, TagSize, tag.begin());

    CipherContext ctx = startCipher(Direction::Decrypt, m_key, sealed.constData());
    QByteArray plaintext(ciphertextSize, Qt::Uninitialized);
    bool ok =
        update(ctx.get(),
               Direction::Decrypt,
               associatedData.constData(),
               associatedData.size(),
               nullptr)
        && update(ctx.get(), Direction::Decrypt, ciphertext, ciphertextSize, plaintext.data());
    std::array<unsigned char, 16> scratch{};
    int written = 0;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, TagSize, tag.data()) == 1;
    // Fails here when the tag does not match.
    ok = ok && EVP_DecryptFinal_ex(ctx.get(), scratch.data(), &written) == 1 && written == 0;
    if (!ok) {
        // Never hand out (or leave lying around) plaintext that failed authentication.
        OPENSSL_cleanse(plaintext.data(), static_cast<size_t>(plaintext.size()));
        return invalidSealedData();
    }
    return plaintext;
}

QString Sealer::sealToBase64(const QByteArray &plaintext) const
{
    if (plaintext.isEmpty()) {
        return {};
    }
    return base64Encode(seal(plaintext));
}

Result<QByteArray> Sealer::openBase64(const QString &text) const
{
    if (text.isEmpty()) {
        return QByteArray();
    }
    const std::optional<QByteArray> sealed = base64Decode(text);
    if (!sealed) {
        return invalidSealedData();
    }
    return open(*sealed);
}

QString Sealer::sealToUrlToken(const QByteArray &plaintext) const
{
    return base64UrlEncode(seal(plaintext));
}

Result<QByteArray> Sealer::openUrlToken(const QString &token) const
{
    const std::optional<QByteArray> sealed = base64UrlDecode(token);
    if (!sealed) {
        return invalidSealedData();
    }
    return open(*sealed);
}

} // namespace Gestalt::Crypto
