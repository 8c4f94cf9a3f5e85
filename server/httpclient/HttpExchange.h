// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httpclient/HttpResponseParser.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace Gestalt {

class HttpClientConnection;

// Where connections go: connections are pooled per origin.
struct HttpOrigin
{
    bool tls = false;
    QString host; // a name (ACE form) or an address; an IPv6 address without brackets
    quint16 port = 0;
    // Every address the host resolves to must be public (EgressPolicy::isPublicAddress), else
    // the exchange ends with HttpOutcome::EgressDenied. Part of the key: a connection opened
    // for a host the config names is never reused for one a caller or an upstream chose.
    bool publicOnly = false;

    [[nodiscard]] QString key() const
    {
        const QString scheme = tls ? QStringLiteral("https://") : QStringLiteral("http://");
        return scheme + host + u':' + QString::number(port)
               + (publicOnly ? QStringLiteral(" public") : QString());
    }
};

// How one request/response exchange ended.
enum class HttpOutcome {
    Response,      // a complete response (any status)
    ConnectFailed, // DNS, connection refused, TLS handshake (certificate) failure, ...
    ClosedEmpty,   // the connection closed or broke after the request, before any response byte
    Truncated,     // the connection closed or broke after the head, before the body ended
    Invalid,       // what came back is not a well-formed HTTP/1.x response
    TooLarge,      // the body exceeds the cap
    EgressDenied,  // publicOnly, and the host resolved to a non-public address: nothing was sent
};

struct HttpExchangeResult
{
    HttpOutcome outcome = HttpOutcome::ConnectFailed;
    bool reusedConnection = false; // the request went out on a connection used before
    HttpResponseMessage response;  // for HttpOutcome::Response
};

// One request through HttpConnectionPool. The owner keeps it alive until `done` has run or it
// called HttpConnectionPool::cancel().
struct HttpExchange
{
    HttpOrigin origin;
    QByteArray request; // the whole request as written: head and body
    bool headRequest = false;
    bool idempotent = false; // may be sent again after the stale keep-alive race
    qint64 maxBodyBytes = 0;
    std::function<void(HttpExchangeResult)> done; // exactly once, unless canceled
    // Streaming (set both): the final head as soon as it is parsed, then the body in pieces as
    // they arrive; `done` then tells how the body ended (a Response has an empty body). Either
    // may cancel the exchange; nothing more is reported after that.
    std::function<void(const HttpResponseMessage &head)> head;
    std::function<void(const QByteArray &bytes)> body;
    // A stream may stay open for long: it does not count against the origin's connection cap.
    [[nodiscard]] bool streaming() const { return bool(head); }

    // The pool's bookkeeping.
    HttpClientConnection *connection = nullptr;
    bool queued = false;
    bool retried = false;
    bool needsFreshConnection = false;
};

} // namespace Gestalt
