// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace Gestalt::JsonRpc {

// JSON-RPC 2.0 error codes (https://www.jsonrpc.org/specification#error_object).
enum Code : int {
    ParseError = -32700,
    InvalidRequest = -32600,
    MethodNotFound = -32601,
    InvalidParams = -32602,
    InternalError = -32603,
};

[[nodiscard]] QJsonObject result(const QJsonValue &id, const QJsonValue &result);
[[nodiscard]] QJsonObject error(const QJsonValue &id, int code, const QString &message);
// A notification (no id); params left out when empty.
[[nodiscard]] QJsonObject notification(const QString &method, const QJsonObject &params = {});

// What one element of a POST body is.
enum class Kind {
    Request,      // method + id
    Notification, // method, no id
    Response,     // result or error + id (a client answering a server request)
    Invalid,
};
// Classifies a message; `why` says what is wrong with an Invalid one.
[[nodiscard]] Kind classify(const QJsonValue &message, QString *why);

} // namespace Gestalt::JsonRpc
