// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes what /mcp does with a POST body: parse it as JSON, then classify the message (or each
// element of a batch) with JsonRpc::classify.
#include "FuzzInput.h"
#include "mcp/client/JsonRpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QJsonParseError error{};
    const auto document = QJsonDocument::fromJson(GestaltFuzz::bytes(data, size), &error);
    if (error.error != QJsonParseError::NoError)
        return 0;
    QString why;
    if (document.isArray()) {
        for (const auto &element : document.array())
            (void)Gestalt::JsonRpc::classify(element, &why);
    } else {
        (void)Gestalt::JsonRpc::classify(document.object(), &why);
    }
    return 0;
}
