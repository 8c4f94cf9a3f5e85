// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>

namespace Gestalt::Crypto {

// OpenSSL takes bytes as unsigned char; Qt keeps them as char. The one place the pointer is cast.
[[nodiscard]] inline const unsigned char *bytesOf(const char *data)
{
    return reinterpret_cast<const unsigned char *>(data);
}

[[nodiscard]] inline unsigned char *bytesOf(char *data)
{
    return reinterpret_cast<unsigned char *>(data);
}

[[nodiscard]] inline const unsigned char *bytesOf(const QByteArray &data)
{
    return bytesOf(data.constData());
}

} // namespace Gestalt::Crypto
