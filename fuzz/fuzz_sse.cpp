// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes the MCP text/event-stream parser (SseParser), fed in pieces cut anywhere, with a small
// event cap so the overflow path is reached too; each event's data then goes through the JSON-RPC
// classification the MCP client applies to it.
#include "FuzzInput.h"
#include "httpclient/SseParser.h"
#include "mcp/client/JsonRpc.h"

#include <QJsonDocument>
#include <QJsonParseError>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Gestalt::SseParser parser(4096);
    GestaltFuzz::feedInPieces(GestaltFuzz::bytes(data, size), [&](QByteArrayView piece) {
        for (const auto &event : parser.feed(piece)) {
            QJsonParseError error{};
            const auto document = QJsonDocument::fromJson(event.data, &error);
            if (error.error == QJsonParseError::NoError && document.isObject()) {
                QString why;
                (void)Gestalt::JsonRpc::classify(document.object(), &why);
            }
        }
        return !parser.overflowed();
    });
    (void)parser.lastEventId();
    (void)parser.retryMs();
    return 0;
}
