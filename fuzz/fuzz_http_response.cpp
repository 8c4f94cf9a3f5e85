// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes the upstream HTTP/1.1 response parser (HttpResponseParser) fed in pieces cut anywhere,
// then the content decoder on the body it produced with the Content-Encoding it declared.
#include "FuzzInput.h"
#include "httpclient/HttpContentDecoder.h"
#include "httpclient/HttpResponseParser.h"

using Gestalt::HttpResponseParser;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = GestaltFuzz::bytes(data, size);
    HttpResponseParser parser;
    const bool head = !input.isEmpty() && (quint8(input.at(0)) & 0x80) != 0;
    parser.reset(head, 1 << 20);
    auto status = HttpResponseParser::Status::NeedMore;
    QByteArray in;
    GestaltFuzz::feedInPieces(input, [&](QByteArrayView piece) {
        in.append(piece);
        status = parser.feed(in);
        return status == HttpResponseParser::Status::NeedMore;
    });
    if (status == HttpResponseParser::Status::NeedMore)
        status = parser.finish();
    if (status != HttpResponseParser::Status::Done)
        return 0;
    (void)parser.keepAlive();
    const auto message = parser.takeMessage();
    for (const auto &[name, value] : message.headers) {
        if (name.compare("content-encoding", Qt::CaseInsensitive) == 0) {
            QByteArray out;
            (void)Gestalt::HttpContentDecoder::decode(value, message.body, 1 << 20, out);
        }
    }
    return 0;
}
