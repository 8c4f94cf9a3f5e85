// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes the inbound HTTP/1.1 request framing (HttpRequestParser) fed in pieces cut anywhere (the
// first byte seeds the cuts; its bit 6 also picks small limits so the limit paths are reached).
// Beyond "no crash, no leak, no UB" it checks that:
//  - the parser never consumes more than it was given, and never takes bytes back;
//  - a request's body is exactly as long as its Content-Length framed it (0 without one), within
//    the body limit, and its head within the head limits;
//  - the cuts do not matter: the requests, the error and the bytes left over are the same as when
//    the whole input is fed at once (so no split of a head or body frames a request differently).
#include "FuzzInput.h"
#include "http/HttpRequestParser.h"

#include <cstdlib>

using Gestalt::HttpRequestLimits;
using Gestalt::HttpRequestParser;
using Gestalt::ParsedRequest;

namespace {

void check(bool condition)
{
    if (!condition)
        std::abort();
}

struct Trace
{
    QByteArray requests; // every framed request, serialised
    bool failed = false;
    int code = -1;
    QString message;
};

QByteArray serialise(const ParsedRequest &request)
{
    QByteArray out = request.method + ' ' + request.target + ' ' + request.version + '\n';
    for (const auto &[name, value] : request.headers)
        out += name + ':' + value + '\n';
    out += QByteArray::number(request.contentLength) + ' '
           + QByteArray::number(request.expectsContinue) + QByteArray::number(request.closeAfter)
           + '\n' + request.body + "\n--\n";
    return out;
}

bool isToken(const QByteArray &bytes)
{
    for (const char c : bytes) {
        if (c <= ' ' || c == ':' || quint8(c) >= 0x7f)
            return false;
    }
    return !bytes.isEmpty();
}

// Feeds what `in` holds until the parser needs more; false once it failed.
bool drain(HttpRequestParser &parser, QByteArray &in, Trace &trace)
{
    const HttpRequestLimits &limits = parser.limits();
    while (true) {
        const qsizetype before = in.size();
        const auto status = parser.feed(in);
        check(in.size() <= before);
        switch (status) {
        case HttpRequestParser::Status::NeedMore:
            return true;
        case HttpRequestParser::Status::Error: {
            const qsizetype left = in.size(); // an error stays, and consumes nothing more
            check(parser.feed(in) == HttpRequestParser::Status::Error && in.size() == left);
            trace.failed = true;
            trace.code = int(parser.error().code);
            trace.message = parser.error().message;
            check(!trace.message.isEmpty());
            return false;
        }
        case HttpRequestParser::Status::Head: {
            const ParsedRequest &head = parser.request();
            check(isToken(head.method) && !head.target.isEmpty());
            check(head.headers.size() <= limits.maxHeaderCount);
            check(head.contentLength >= -1 && head.contentLength <= limits.maxBodyBytes);
            check(head.body.isEmpty());
            for (const auto &[name, value] : head.headers) {
                check(isToken(name));
                check(!value.contains('\r') && !value.contains('\n') && !value.contains('\0'));
            }
            break;
        }
        case HttpRequestParser::Status::Request: {
            const ParsedRequest request = parser.takeRequest();
            check(request.body.size() == qMax<qint64>(request.contentLength, 0));
            trace.requests += serialise(request);
            break;
        }
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = GestaltFuzz::bytes(data, size);
    if (input.isEmpty())
        return 0;
    HttpRequestLimits limits;
    if ((quint8(input.at(0)) & 0x40) != 0) {
        limits.maxHeaderBytes = 128;
        limits.maxHeaderCount = 4;
        limits.maxBodyBytes = 64;
    }

    HttpRequestParser pieces(limits);
    Trace piecewise;
    QByteArray in;
    qsizetype fed = 0;
    qsizetype consumed = 0;
    GestaltFuzz::feedInPieces(input, [&](QByteArrayView piece) {
        in.append(piece);
        fed += piece.size();
        const qsizetype before = in.size();
        const bool going = drain(pieces, in, piecewise);
        consumed += before - in.size();
        check(consumed <= fed && consumed + in.size() == fed);
        return going;
    });

    // The same bytes at once (when the pieces stopped at an error, only the bytes fed until then).
    HttpRequestParser whole(limits);
    Trace atOnce;
    QByteArray all = input.mid(1, fed);
    drain(whole, all, atOnce);
    check(atOnce.failed == piecewise.failed);
    check(atOnce.code == piecewise.code && atOnce.message == piecewise.message);
    check(atOnce.requests == piecewise.requests);
    check(all == in);
    return 0;
}
