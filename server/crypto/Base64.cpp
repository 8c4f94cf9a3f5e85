// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "crypto/Base64.h"

namespace Gestalt::Crypto {

namespace {

constexpr auto kStandard = QByteArray::Base64Encoding;
constexpr auto kUrl = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

std::optional<QByteArray> decodeStrict(QStringView text, QByteArray::Base64Options options)
{
    // toLatin1() turns anything outside Latin-1 into '?', which the decoder rejects like any other
    // byte outside the alphabet.
    const QByteArray ascii = text.toLatin1();
    auto result =
        QByteArray::fromBase64Encoding(ascii, options | QByteArray::AbortOnBase64DecodingErrors);
    if (!result || result.decoded.toBase64(options) != ascii) {
        return std::nullopt;
    }
    return std::move(result.decoded);
}

} // namespace

QString base64Encode(const QByteArray &data)
{
    return QString::fromLatin1(data.toBase64(kStandard));
}

std::optional<QByteArray> base64Decode(QStringView text)
{
    return decodeStrict(text, kStandard);
}

QString base64UrlEncode(const QByteArray &data)
{
    return QString::fromLatin1(data.toBase64(kUrl));
}

std::optional<QByteArray> base64UrlDecode(QStringView text)
{
    return decodeStrict(text, kUrl);
}

} // namespace Gestalt::Crypto
