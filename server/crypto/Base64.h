// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

#include <optional>

// Strict base64 codecs for tokens and stored values. Decoding accepts only the canonical spelling
// (no whitespace, no stray bits, padding exactly as encode() writes it), so every value has exactly
// one text form and a token cannot be altered without changing the bytes it carries.
namespace Gestalt::Crypto {

// RFC 4648 section 4 ("+/"), with "=" padding.
[[nodiscard]] QString base64Encode(const QByteArray &data);
[[nodiscard]] std::optional<QByteArray> base64Decode(QStringView text);

// RFC 4648 section 5 ("-_"), without padding, as JWTs and URL tokens use it.
[[nodiscard]] QString base64UrlEncode(const QByteArray &data);
[[nodiscard]] std::optional<QByteArray> base64UrlDecode(QStringView text);

} // namespace Gestalt::Crypto
