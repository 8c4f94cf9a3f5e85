// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/LimitsConfig.h"
#include "shared/Result.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace Gestalt {

class Database;

// What one limit counts: scope (subject, app-subject, app-total, operation-subject,
// operation-total), app and operation (empty when the scope has none) and the caller's subject
// (empty for totals; a token id for a token override). Never secret.
struct LimitKey
{
    QString scope;
    QString app;
    QString operation;
    QString subject;
    qint64 perSeconds = 60;

    // One string per counter (the spec's interval included: a changed `per` starts afresh).
    [[nodiscard]] QString id() const;
};

struct LimitCheck
{
    LimitKey key;
    LimitSpec spec;
};

// The answer to acquire(): admitted, or the index of the first refusing check.
struct LimitDecision
{
    qsizetype refused = -1;
    bool concurrency = false; // the refusal is the in-flight cap (else the request count)
    int retryAfterSeconds = 0;

    [[nodiscard]] bool admitted() const { return refused < 0; }
};

// Current use of one key: requests in its current fixed window, calls in flight, and calls
// refused in this window.
struct LimitUsage
{
    LimitKey key;
    qint64 requests = 0;
    qint64 inFlight = 0;
    qint64 limited = 0;
};

// Counts requests and holds concurrency leases. acquire() decides all checks of one call
// together: either every one admits it (each request count goes up by one and a lease is taken
// for every in-flight cap) or nothing is counted but the refusing key's `limited`.
class LimitStore
{
public:
    virtual ~LimitStore() = default;
    [[nodiscard]] virtual Result<LimitDecision> acquire(const QList<LimitCheck> &checks,
                                                        const QString &leaseId,
                                                        qint64 nowMs,
                                                        qint64 leaseExpiresMs) = 0;
    virtual void release(const QString &leaseId) = 0;
    // The busiest keys first (by requests in their current window), at most `max`.
    [[nodiscard]] virtual Result<QList<LimitUsage>> usage(qint64 nowMs, int max) = 0;
    // Forgets windows and leases that can no longer matter.
    virtual void prune(qint64 nowMs) = 0;
};

// One replica (SQLite deployments): everything in memory, on the event loop's thread. Exact.
class MemoryLimitStore final : public LimitStore
{
public:
    [[nodiscard]] Result<LimitDecision> acquire(const QList<LimitCheck> &checks,
                                                const QString &leaseId,
                                                qint64 nowMs,
                                                qint64 leaseExpiresMs) override;
    void release(const QString &leaseId) override;
    [[nodiscard]] Result<QList<LimitUsage>> usage(qint64 nowMs, int max) override;
    void prune(qint64 nowMs) override;

private:
    struct Counter
    {
        LimitKey key;
        qint64 windowStart = 0;
        qint64 current = 0;
        qint64 previous = 0;
        qint64 limited = 0;
        qint64 inFlight = 0;
    };
    Counter &counter(const LimitKey &key, qint64 nowMs);

    QHash<QString, Counter> m_counters;
    QHash<QString, QStringList> m_leases; // lease id → counter ids holding a slot
};

// PostgreSQL (several replicas on one database): counters and leases are rows
// (0011_rate_limits.sql). One transaction per call takes a transaction-scoped advisory lock per
// key (in key order, so two calls never deadlock), reads the two windows and the live leases,
// and writes the counts: decisions on one key are serialised across replicas, so replicas share
// each limit exactly (the only approximation is the sliding window's, see SlidingWindow). A
// lease lapses at its expiry (a crashed replica's slots come back then); expired leases and old
// windows are deleted by prune().
class SqlLimitStore final : public LimitStore
{
public:
    explicit SqlLimitStore(Database &database);
    [[nodiscard]] Result<LimitDecision> acquire(const QList<LimitCheck> &checks,
                                                const QString &leaseId,
                                                qint64 nowMs,
                                                qint64 leaseExpiresMs) override;
    void release(const QString &leaseId) override;
    [[nodiscard]] Result<QList<LimitUsage>> usage(qint64 nowMs, int max) override;
    void prune(qint64 nowMs) override;

private:
    Database &m_database;
};

} // namespace Gestalt
