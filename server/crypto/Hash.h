// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

// SHA-256, HMAC-SHA256 and constant-time comparison (OpenSSL). Hex output is lowercase.
namespace Gestalt::Crypto {

[[nodiscard]] QByteArray sha256(const QByteArray &data);
[[nodiscard]] QString sha256Hex(const QByteArray &data);

[[nodiscard]] QByteArray hmacSha256(const QByteArray &key, const QByteArray &data);
[[nodiscard]] QString hmacSha256Hex(const QByteArray &key, const QByteArray &data);

// Compares secrets (tokens, MACs, hashes) in time independent of their content. Only the lengths
// may leak: arrays of different length are unequal straight away.
[[nodiscard]] bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace Gestalt::Crypto
