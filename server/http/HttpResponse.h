// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Error.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace Gestalt {

// A complete response. Errors become responses only through fromError() (one JSON shape).
struct HttpResponse
{
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    [[nodiscard]] static HttpResponse json(int status, const QJsonObject &object);
    [[nodiscard]] static HttpResponse json(int status, const QJsonArray &array);
    [[nodiscard]] static HttpResponse
    text(int status, const QByteArray &body, const QByteArray &contentType);
    [[nodiscard]] static HttpResponse noContent(int status = 204);
    // A redirect (301, 302, 303...) to location, percent-encoded as needed; never cached.
    [[nodiscard]] static HttpResponse redirect(int status, const QString &location);
    // {"error": message, "code"?: machineCode}; 5xx Internal bodies say "internal error" only.
    [[nodiscard]] static HttpResponse fromError(const Error &error);

    void setHeader(const QByteArray &name, const QByteArray &value);
    [[nodiscard]] QByteArray header(const QByteArray &name) const;
};

// The text a caller may see for an error (details of internal and datastore errors are logged).
[[nodiscard]] QString publicMessage(const Error &error);
// The one mapping from domain error codes to HTTP status codes.
[[nodiscard]] int httpStatusFor(ErrorCode code);
[[nodiscard]] QByteArray reasonPhrase(int status);

} // namespace Gestalt
