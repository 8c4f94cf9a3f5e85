// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/HttpConnectionPool.h"

#include "core/Logging.h"
#include "httpclient/HttpClientConnection.h"

#include <QTimer>

#include <algorithm>
#include <limits>

namespace Gestalt {

HttpConnectionPool::HttpConnectionPool(QObject *parent)
    : QObject(parent)
    , m_idleTimer(new QTimer(this))
{
    m_idleTimer->setSingleShot(true);
    connect(m_idleTimer, &QTimer::timeout, this, &HttpConnectionPool::sweepIdle);
    m_clock.start();
}

// The connections are children: deleting them closes their sockets and reports nothing.
HttpConnectionPool::~HttpConnectionPool() = default;

void HttpConnectionPool::start(HttpExchange *exchange)
{
    const QString key = exchange->origin.key();
    exchange->queued = true;
    m_origins[key].waiting.push_back(exchange);
    dispatch(key);
}

void HttpConnectionPool::cancel(HttpExchange *exchange)
{
    if (exchange->queued) {
        const QString key = exchange->origin.key();
        std::deque<HttpExchange *> &waiting = m_origins[key].waiting;
        waiting.erase(std::remove(waiting.begin(), waiting.end(), exchange), waiting.end());
        exchange->queued = false;
        forgetIfUnused(key);
        return;
    }
    HttpClientConnection *connection = std::exchange(exchange->connection, nullptr);
    if (!connection) {
        return; // done already ran, or the exchange never started
    }
    const QString key = connection->originKey();
    OriginState &origin = m_origins[key];
    release(origin, connection, exchange);
    drop(origin, connection); // a half-read response: the connection cannot be reused
    dispatch(key);
    forgetIfUnused(key);
}

void HttpConnectionPool::dispatch(const QString &key)
{
    const auto found = m_origins.find(key);
    if (found == m_origins.end()) {
        return;
    }
    OriginState &origin = *found;
    while (!origin.waiting.empty()) {
        HttpExchange *exchange = origin.waiting.front();
        HttpClientConnection *connection = nullptr;
        if (!exchange->needsFreshConnection && !origin.idle.empty()) {
            connection = origin.idle.back().connection;
            origin.idle.pop_back();
        } else if (exchange->streaming()
                   || origin.open - origin.streaming < MaxConnectionsPerOrigin) {
            connection = new HttpClientConnection(
                exchange->origin,
                [this](HttpClientConnection *c, HttpExchangeResult result) {
                    connectionFinished(c, std::move(result));
                },
                [this](HttpClientConnection *c) { connectionLost(c); },
                this);
            ++origin.open;
        } else if (!origin.idle.empty()) {
            // A retry needs a fresh connection and the origin is at the cap: trade the
            // oldest idle connection for one.
            drop(origin, origin.idle.front().connection);
            origin.idle.pop_front();
            continue;
        } else {
            return; // wait for a connection to free up
        }
        origin.waiting.pop_front();
        exchange->queued = false;
        exchange->connection = connection;
        connection->setExchange(exchange);
        if (exchange->streaming()) {
            ++origin.streaming;
        }
        connection->send(exchange->request, exchange->headRequest, exchange->maxBodyBytes);
    }
}

void HttpConnectionPool::connectionFinished(HttpClientConnection *connection,
                                            HttpExchangeResult result)
{
    const QString key = connection->originKey();
    OriginState &origin = m_origins[key];
    HttpExchange *exchange = connection->exchange();
    release(origin, connection, exchange);
    if (connection->isIdle()) {
        origin.idle.push_back({connection, m_clock.elapsed()});
        if (!m_idleTimer->isActive()) {
            m_idleTimer->start(IdleTimeout);
        }
    } else {
        drop(origin, connection);
    }
    if (!exchange) {
        dispatch(key);
        forgetIfUnused(key);
        return;
    }
    exchange->connection = nullptr;
    if (result.outcome == HttpOutcome::ClosedEmpty && result.reusedConnection
        && exchange->idempotent && !exchange->retried) {
        qCDebug(lcHttp) << "upstream" << key << "closed a kept-alive connection; sending again";
        exchange->retried = true;
        exchange->needsFreshConnection = true;
        exchange->queued = true;
        origin.waiting.push_front(exchange);
        dispatch(key);
        return;
    }
    dispatch(key);
    forgetIfUnused(key);
    // The owner may free the exchange from inside its callback: take the callback out first.
    const std::function<void(HttpExchangeResult)> done = std::exchange(exchange->done, nullptr);
    if (done) {
        done(std::move(result));
    }
}

void HttpConnectionPool::connectionLost(HttpClientConnection *connection)
{
    const QString key = connection->originKey();
    OriginState &origin = m_origins[key];
    const auto found = std::find_if(
        origin.idle.begin(), origin.idle.end(), [connection](const IdleConnection &idle) {
            return idle.connection == connection;
        });
    if (found != origin.idle.end()) {
        origin.idle.erase(found);
        drop(origin, connection);
    }
    dispatch(key);
    forgetIfUnused(key);
}

void HttpConnectionPool::release(OriginState &origin,
                                 HttpClientConnection *connection,
                                 HttpExchange *exchange)
{
    connection->setExchange(nullptr);
    if (exchange && exchange->streaming()) {
        --origin.streaming;
    }
}

void HttpConnectionPool::drop(OriginState &origin, HttpClientConnection *connection)
{
    connection->close();
    connection->deleteLater(); // it may be inside one of its own slots
    --origin.open;
}

void HttpConnectionPool::forgetIfUnused(const QString &key)
{
    const auto found = m_origins.find(key);
    if (found != m_origins.end() && found->open == 0 && found->waiting.empty()) {
        m_origins.erase(found);
    }
}

void HttpConnectionPool::sweepIdle()
{
    const qint64 now = m_clock.elapsed();
    const qint64 timeout = IdleTimeout.count();
    qint64 next = std::numeric_limits<qint64>::max();
    for (auto it = m_origins.begin(); it != m_origins.end();) {
        OriginState &origin = *it;
        while (!origin.idle.empty() && origin.idle.front().sinceMs + timeout <= now) {
            drop(origin, origin.idle.front().connection);
            origin.idle.pop_front();
        }
        if (!origin.idle.empty()) {
            next = std::min(next, origin.idle.front().sinceMs + timeout);
        }
        if (origin.open == 0 && origin.waiting.empty()) {
            it = m_origins.erase(it);
        } else {
            ++it;
        }
    }
    if (next != std::numeric_limits<qint64>::max()) {
        m_idleTimer->start(std::chrono::milliseconds(std::max<qint64>(0, next - now)));
    }
}

} // namespace Gestalt
