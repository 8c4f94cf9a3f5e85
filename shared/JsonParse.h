// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <optional>

namespace Gestalt {

// `bytes` as one JSON object: nullopt for invalid JSON, trailing text or any other top-level
// value. For documents from elsewhere (token parts, discovery documents, token responses) whose
// reader only needs to know that they are not an object.
[[nodiscard]] inline std::optional<QJsonObject> parseJsonObject(const QByteArray &bytes)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return std::nullopt;
    }
    return document.object();
}

} // namespace Gestalt
