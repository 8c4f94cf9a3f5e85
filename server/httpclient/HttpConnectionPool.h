// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httpclient/HttpExchange.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>

#include <chrono>
#include <deque>

class QTimer;

namespace Gestalt {

class HttpClientConnection;

// Persistent HTTP/1.1 connections, pooled per origin (scheme, host, port, and whether the host
// must resolve to public addresses: HttpOrigin::key()), on the owner's thread.
//
// An exchange goes out on an idle connection to its origin (the one used last), else on a new
// connection while the origin has fewer than MaxConnectionsPerOrigin, else it waits in a FIFO
// queue for the next connection that frees up. A connection goes back to the pool only after a
// complete response that allows keep-alive; after `Connection: close`, HTTP/1.0 without
// keep-alive, a body ended by the close, an error, a cancel (timeout, abort) it is closed. Idle
// connections close after IdleTimeout, or as soon as the server closes them.
//
// The stale keep-alive race: a server may close an idle connection just as a request goes out on
// it. When a REUSED connection closes before any byte of the response arrived, an idempotent
// request (HttpExchange::idempotent: GET, HEAD, PUT, DELETE) is sent once more, on a fresh
// connection; any other request fails (HttpOutcome::ClosedEmpty).
//
// Streams (HttpExchange::streaming(): an SSE GET may stay open for hours) take an idle connection
// like any exchange, or else always a new one: a connection carrying a stream does not count
// against MaxConnectionsPerOrigin, so long-lived streams never starve the origin's other calls.
// Once its stream ends, a connection counts again (and goes back to the pool if reusable). The
// streams themselves are bounded by their callers (an MCP client holds one GET stream).
class HttpConnectionPool final : public QObject
{
    Q_OBJECT

public:
    static constexpr int MaxConnectionsPerOrigin = 64;
    static constexpr std::chrono::milliseconds IdleTimeout = std::chrono::seconds(60);

    explicit HttpConnectionPool(QObject *parent = nullptr);
    ~HttpConnectionPool() override;
    Q_DISABLE_COPY_MOVE(HttpConnectionPool)

    // Sends the exchange; its `done` runs exactly once, from the event loop, unless canceled.
    void start(HttpExchange *exchange);
    // Forgets the exchange without calling it back, and closes its connection if it has one.
    void cancel(HttpExchange *exchange);

private:
    struct IdleConnection
    {
        HttpClientConnection *connection;
        qint64 sinceMs;
    };
    struct OriginState
    {
        std::deque<HttpExchange *> waiting;
        std::deque<IdleConnection> idle; // oldest first; reused from the back
        int open = 0;                    // connecting, busy or idle
        int streaming = 0;               // of those, carrying a stream (not counted in the cap)
    };

    void dispatch(const QString &key);
    void connectionFinished(HttpClientConnection *connection, HttpExchangeResult result);
    void connectionLost(HttpClientConnection *connection);
    void drop(OriginState &origin, HttpClientConnection *connection);
    // The connection no longer carries `exchange`: a stream's connection counts again.
    void release(OriginState &origin, HttpClientConnection *connection, HttpExchange *exchange);
    void forgetIfUnused(const QString &key);
    void sweepIdle();

    QHash<QString, OriginState> m_origins;
    QTimer *m_idleTimer; // child
    QElapsedTimer m_clock;
};

} // namespace Gestalt
