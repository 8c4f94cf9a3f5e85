// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

// Cryptographically secure randomness (OpenSSL RAND_bytes). A failing generator aborts the process:
// there is no safe way to continue without one.
namespace Gestalt::Crypto {

[[nodiscard]] QByteArray randomBytes(int count);
// 2 * byteCount lowercase hex characters.
[[nodiscard]] QString randomHex(int byteCount);
// byteCount random bytes as base64url without padding: safe in URLs, cookies and file names.
[[nodiscard]] QString randomUrlToken(int byteCount);
// A random (version 4) UUID, lowercase, without braces.
[[nodiscard]] QString uuidV4();

} // namespace Gestalt::Crypto
