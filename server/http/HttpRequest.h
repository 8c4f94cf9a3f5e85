// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Principal.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrlQuery>

#include <optional>

namespace Gestalt {

// One request as handlers see it: a plain value copied out of QHttpServerRequest, so handlers
// never touch QtHttpServer types and may keep it after the socket is gone.
struct HttpRequest
{
    QString method;      // upper-case token as sent ("GET", "POST", ...)
    QString path;        // percent-decoded path, for messages
    QString encodedPath; // as received, for routing segment by segment
    QUrlQuery query;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress remoteAddress; // the peer
    QHostAddress clientAddress; // the caller: the peer, or what a trusted proxy forwarded
    quint16 localPort = 0;
    QString requestId;
    QString routeTemplate; // e.g. "/api/v1/tokens/{id}", set by the router
    QHash<QString, QString> pathParams;
    std::optional<Principal> principal; // set for routes that require authentication

    // Case-insensitive header lookup; several values are joined with ", ".
    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    [[nodiscard]] QString pathParam(const QString &name) const { return pathParams.value(name); }
    [[nodiscard]] QString queryValue(const QString &name) const;
    [[nodiscard]] QString cookie(const QString &name) const;

    // The body as a JSON object: 400 "invalid JSON body" when it is not JSON,
    // 400 "JSON body must be an object" when it is another JSON value. An empty body is {} when
    // emptyIsEmptyObject is set (for routes whose body is optional).
    [[nodiscard]] Result<QJsonObject> jsonObject(bool emptyIsEmptyObject = false) const;
};

} // namespace Gestalt
