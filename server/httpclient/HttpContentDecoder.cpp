// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/HttpContentDecoder.h"

#include <QLibrary>

#define ZLIB_CONST
#include <array>

#include <zlib.h>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// The three zlib entry points inflating needs, resolved from the loaded libz.so.1.
struct Zlib
{
    using Init = int (*)(z_streamp, int, const char *, int);
    using Inflate = int (*)(z_streamp, int);
    using End = int (*)(z_streamp);
    Init init = nullptr;
    Inflate inflate = nullptr;
    End end = nullptr;
};

const Zlib *zlib()
{
    static const Zlib api = [] {
        QLibrary library(u"z"_s, 1); // never unloaded
        if (!library.load()) {
            return Zlib{};
        }
        Zlib z;
        z.init = reinterpret_cast<Zlib::Init>(library.resolve("inflateInit2_"));
        z.inflate = reinterpret_cast<Zlib::Inflate>(library.resolve("inflate"));
        z.end = reinterpret_cast<Zlib::End>(library.resolve("inflateEnd"));
        return z.init && z.inflate && z.end ? z : Zlib{};
    }();
    return api.init ? &api : nullptr;
}

// windowBits as for inflateInit2(): 15 + 16 gzip, 15 zlib, -15 raw deflate.
HttpContentDecoder::Status
inflateAll(const Zlib &z, int windowBits, const QByteArray &in, qint64 maxBytes, QByteArray &out)
{
    z_stream stream{};
    stream.next_in = reinterpret_cast<const Bytef *>(in.constData());
    stream.avail_in = uInt(in.size());
    if (z.init(&stream, windowBits, ZLIB_VERSION, int(sizeof(z_stream))) != Z_OK) {
        return HttpContentDecoder::Status::Invalid;
    }
    QByteArray result;
    std::array<char, std::size_t{16} * 1024> buffer{};
    int rc = Z_OK;
    while (rc == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef *>(buffer.data());
        stream.avail_out = uInt(buffer.size());
        rc = z.inflate(&stream, Z_NO_FLUSH);
        const auto produced = qsizetype(buffer.size() - stream.avail_out);
        if (result.size() + produced > maxBytes) {
            z.end(&stream);
            return HttpContentDecoder::Status::TooLarge;
        }
        result.append(buffer.data(), produced);
    }
    z.end(&stream);
    if (rc != Z_STREAM_END) {
        return HttpContentDecoder::Status::Invalid; // corrupt, or cut short (Z_BUF_ERROR)
    }
    out = std::move(result);
    return HttpContentDecoder::Status::Decoded;
}

} // namespace

HttpContentDecoder::Status HttpContentDecoder::decode(const QByteArray &encoding,
                                                      const QByteArray &in,
                                                      qint64 maxBytes,
                                                      QByteArray &out)
{
    const QByteArray name = encoding.trimmed().toLower();
    if (name == "identity") {
        out = in;
        return Status::Decoded;
    }
    const bool gzip = name == "gzip" || name == "x-gzip";
    if (!gzip && name != "deflate") {
        return Status::Unsupported;
    }
    const Zlib *z = zlib();
    if (!z) {
        return Status::Unsupported;
    }
    if (gzip) {
        return inflateAll(*z, 15 + 16, in, maxBytes, out);
    }
    // "deflate" means the zlib format, but some servers send raw deflate data.
    const Status status = inflateAll(*z, 15, in, maxBytes, out);
    return status == Status::Invalid ? inflateAll(*z, -15, in, maxBytes, out) : status;
}

} // namespace Gestalt
