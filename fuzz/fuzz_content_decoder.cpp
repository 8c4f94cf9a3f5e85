// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes HttpContentDecoder directly (gzip, deflate as zlib or raw, identity, unknown codings):
// the first byte picks the Content-Encoding, the rest is the body; a small cap reaches TooLarge.
#include "FuzzInput.h"
#include "httpclient/HttpContentDecoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const QByteArray encodings[] = {
        "gzip", "x-gzip", "deflate", "identity", "GZIP", "br", "gzip, deflate", ""};
    const QByteArray &encoding = encodings[data[0] % std::size(encodings)];
    QByteArray out;
    (void)Gestalt::HttpContentDecoder::decode(
        encoding, GestaltFuzz::bytes(data + 1, size - 1), 64 * 1024, out);
    return 0;
}
