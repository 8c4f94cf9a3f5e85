// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>

namespace Gestalt {

// Undoes a Content-Encoding: gzip (x-gzip), deflate (zlib or raw) and identity. Used only for
// bodies an upstream compressed although the request carried no Accept-Encoding, so that the
// caller gets the content it asked for.
//
// zlib is the one Qt itself is linked against, resolved at run time (QLibrary "libz.so.1"):
// gestaltd does not link zlib itself. Without it, decoding reports Unsupported.
class HttpContentDecoder final
{
public:
    enum class Status {
        Decoded,     // `out` holds the content
        Unsupported, // an encoding we do not decode (br, zstd, several codings, no zlib)
        Invalid,     // corrupt or truncated data
        TooLarge,    // the decoded content exceeds maxBytes
    };

    [[nodiscard]] static Status
    decode(const QByteArray &encoding, const QByteArray &in, qint64 maxBytes, QByteArray &out);
};

} // namespace Gestalt
