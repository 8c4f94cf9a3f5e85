// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "limits/LimitStore.h"

#include "core/Logging.h"
#include "limits/SlidingWindow.h"
#include "store/Database.h"
#include "store/SqlStatement.h"
#include "store/Transaction.h"

#include <QSqlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Advisory-lock class of rate-limit keys (the second key is hashtext(limit key)). The
// two-integer lock space does not overlap the single-bigint one of the migrations.
constexpr int advisoryLockClass = 0x6c696d; // "lim"

void sortByRequests(QList<LimitUsage> &rows, int max)
{
    std::stable_sort(rows.begin(), rows.end(), [](const LimitUsage &a, const LimitUsage &b) {
        if (a.requests != b.requests) {
            return a.requests > b.requests;
        }
        return a.inFlight > b.inFlight;
    });
    if (rows.size() > max) {
        rows.resize(max);
    }
}

} // namespace

QString LimitKey::id() const
{
    // Scope and app names have no '|' (app names are [A-Za-z0-9._-]); the subject carries its
    // length, so no subject or operation name can make two keys collide.
    return scope + u'|' + app + u'|' + QString::number(perSeconds) + u'|'
           + QString::number(subject.size()) + u':' + subject + u'|' + operation;
}

// --- memory ------------------------------------------------------------------------------------

namespace {

template<typename C>
void roll(C &c, qint64 nowMs)
{
    const qint64 start = SlidingWindow::windowStart(nowMs, c.key.perSeconds);
    if (c.windowStart != start) {
        c.previous = c.windowStart + c.key.perSeconds * 1000 == start ? c.current : 0;
        c.current = 0;
        c.limited = 0;
        c.windowStart = start;
    }
}

} // namespace

MemoryLimitStore::Counter &MemoryLimitStore::counter(const LimitKey &key, qint64 nowMs)
{
    Counter &c = m_counters[key.id()];
    if (c.key.scope.isEmpty()) {
        c.key = key;
    }
    roll(c, nowMs);
    return c;
}

Result<LimitDecision> MemoryLimitStore::acquire(const QList<LimitCheck> &checks,
                                                const QString &leaseId,
                                                qint64 nowMs,
                                                qint64 /*leaseExpiresMs*/)
{
    LimitDecision decision;
    for (qsizetype i = 0; i < checks.size() && decision.admitted(); ++i) {
        const LimitCheck &check = checks.at(i);
        Counter &c = counter(check.key, nowMs);
        if (check.spec.concurrent && c.inFlight >= *check.spec.concurrent) {
            decision = {i, true, 1};
        } else if (check.spec.requests
                   && !SlidingWindow::admits(
                       c.previous, c.current, nowMs, check.key.perSeconds, *check.spec.requests)) {
            decision = {
                i,
                false,
                SlidingWindow::retryAfterSeconds(
                    c.previous, c.current, nowMs, check.key.perSeconds, *check.spec.requests)};
        }
    }
    if (!decision.admitted()) {
        counter(checks.at(decision.refused).key, nowMs).limited += 1;
        return decision;
    }
    QStringList held;
    for (const LimitCheck &check : checks) {
        Counter &c = counter(check.key, nowMs);
        c.current += 1;
        if (check.spec.concurrent) {
            c.inFlight += 1;
            held.append(check.key.id());
        }
    }
    if (!held.isEmpty()) {
        m_leases.insert(leaseId, held);
    }
    return decision;
}

void MemoryLimitStore::release(const QString &leaseId)
{
    const QStringList held = m_leases.take(leaseId);
    for (const QString &id : held) {
        auto it = m_counters.find(id);
        if (it != m_counters.end() && it->inFlight > 0) {
            it->inFlight -= 1;
        }
    }
}

Result<QList<LimitUsage>> MemoryLimitStore::usage(qint64 nowMs, int max)
{
    QList<LimitUsage> rows;
    for (Counter &c : m_counters) {
        roll(c, nowMs);
        if (c.current == 0 && c.inFlight == 0 && c.limited == 0) {
            continue;
        }
        rows.append({c.key, c.current, c.inFlight, c.limited});
    }
    sortByRequests(rows, max);
    return rows;
}

void MemoryLimitStore::prune(qint64 nowMs)
{
    for (auto it = m_counters.begin(); it != m_counters.end();) {
        const Counter &c = *it;
        const bool stale = c.inFlight == 0 && c.windowStart + 2 * c.key.perSeconds * 1000 <= nowMs;
        it = stale ? m_counters.erase(it) : std::next(it);
    }
}

// --- PostgreSQL --------------------------------------------------------------------------------

namespace {

// Locks the keys in key order: two calls sharing keys take them in the same order. (SQLite, used by
// the unit tests: BEGIN IMMEDIATE already serialises writers.)
Result<void> lockKeys(Transaction &transaction, QStringList ids)
{
    ids.sort();
    ids.removeDuplicates();
    for (const QString &id : std::as_const(ids)) {
        const Result<QSqlQuery> locked = Sql::run(transaction,
                                                  u"SELECT pg_advisory_xact_lock(?, hashtext(?))"_s,
                                                  {advisoryLockClass, id},
                                                  u"lock rate limit"_s);
        if (!locked) {
            return locked.error();
        }
    }
    return {};
}

// Calls of the key in flight (unexpired leases).
Result<qint64> inFlight(Transaction &transaction, const QString &id, qint64 nowMs)
{
    Result<QSqlQuery> leases =
        Sql::run(transaction,
                 u"SELECT COUNT(*) FROM rate_limit_leases WHERE limit_key = ? AND expires_at > ?"_s,
                 {id, nowMs},
                 u"count rate limit leases"_s);
    if (!leases) {
        return leases.error();
    }
    return leases->next() ? leases->value(0).toLongLong() : 0;
}

// Requests of the key in the previous and the current fixed window.
struct WindowCounts
{
    qint64 previous = 0;
    qint64 current = 0;
};

Result<WindowCounts>
windowCounts(Transaction &transaction, const QString &id, qint64 start, qint64 per)
{
    Result<QSqlQuery> windows = Sql::run(transaction,
                                         u"SELECT window_start, requests FROM rate_limit_counters "
                                         u"WHERE limit_key = ? AND window_start IN (?, ?)"_s,
                                         {id, start, start - per * 1000},
                                         u"read rate limit"_s);
    if (!windows) {
        return windows.error();
    }
    WindowCounts counts;
    while (windows->next()) {
        (windows->value(0).toLongLong() == start ? counts.current : counts.previous) =
            windows->value(1).toLongLong();
    }
    return counts;
}

// The first check that refuses the call, as MemoryLimitStore::acquire decides it.
Result<LimitDecision> decide(Transaction &transaction,
                             const QList<LimitCheck> &checks,
                             const QStringList &ids,
                             qint64 nowMs)
{
    for (qsizetype i = 0; i < checks.size(); ++i) {
        const LimitCheck &check = checks.at(i);
        const qint64 per = check.key.perSeconds;
        if (check.spec.concurrent) {
            const Result<qint64> held = inFlight(transaction, ids.at(i), nowMs);
            if (!held) {
                return held.error();
            }
            if (*held >= *check.spec.concurrent) {
                return LimitDecision{i, true, 1};
            }
        }
        if (check.spec.requests) {
            const qint64 start = SlidingWindow::windowStart(nowMs, per);
            const Result<WindowCounts> counts = windowCounts(transaction, ids.at(i), start, per);
            if (!counts) {
                return counts.error();
            }
            if (!SlidingWindow::admits(
                    counts->previous, counts->current, nowMs, per, *check.spec.requests)) {
                return LimitDecision{
                    i,
                    false,
                    SlidingWindow::retryAfterSeconds(
                        counts->previous, counts->current, nowMs, per, *check.spec.requests)};
            }
        }
    }
    return LimitDecision{};
}

// Counts one request of the key in its current window: admitted, or refused (`limited`).
Result<void> countRequest(
    Transaction &transaction, const LimitKey &key, const QString &id, qint64 nowMs, bool limited)
{
    const Result<QSqlQuery> counted = Sql::run(
        transaction,
        u"INSERT INTO rate_limit_counters (limit_key, window_start, scope, app, operation, "
        u"subject, per_seconds, requests, limited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        u"ON CONFLICT (limit_key, window_start) DO UPDATE SET "
        u"requests = rate_limit_counters.requests + excluded.requests, "
        u"limited = rate_limit_counters.limited + excluded.limited"_s,
        {id,
         SlidingWindow::windowStart(nowMs, key.perSeconds),
         key.scope,
         Sql::text(key.app),
         Sql::text(key.operation),
         Sql::text(key.subject),
         key.perSeconds,
         limited ? 0 : 1,
         limited ? 1 : 0},
        u"count rate limit"_s);
    return counted ? Result<void>() : counted.error();
}

Result<void> takeLease(Transaction &transaction,
                       const QString &leaseId,
                       const LimitKey &key,
                       const QString &id,
                       qint64 leaseExpiresMs)
{
    const Result<QSqlQuery> taken = Sql::run(
        transaction,
        u"INSERT INTO rate_limit_leases (lease_id, limit_key, scope, app, operation, subject, "
        u"per_seconds, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s,
        {leaseId,
         id,
         key.scope,
         Sql::text(key.app),
         Sql::text(key.operation),
         Sql::text(key.subject),
         key.perSeconds,
         leaseExpiresMs},
        u"take rate limit lease"_s);
    return taken ? Result<void>() : taken.error();
}

} // namespace

SqlLimitStore::SqlLimitStore(Database &database)
    : m_database(database)
{}

Result<LimitDecision> SqlLimitStore::acquire(const QList<LimitCheck> &checks,
                                             const QString &leaseId,
                                             qint64 nowMs,
                                             qint64 leaseExpiresMs)
{
    Transaction transaction(m_database);
    QStringList ids;
    for (const LimitCheck &check : checks) {
        ids.append(check.key.id());
    }
    if (m_database.dialect().isPostgres()) {
        if (const Result<void> locked = lockKeys(transaction, ids); !locked) {
            return locked.error();
        }
    }
    Result<LimitDecision> decision = decide(transaction, checks, ids, nowMs);
    if (!decision) {
        return decision.error();
    }
    if (!decision->admitted()) {
        const qsizetype i = decision->refused;
        if (Result<void> done = countRequest(transaction, checks.at(i).key, ids.at(i), nowMs, true);
            !done) {
            return done.error();
        }
    } else {
        for (qsizetype i = 0; i < checks.size(); ++i) {
            const LimitCheck &check = checks.at(i);
            if (Result<void> done = countRequest(transaction, check.key, ids.at(i), nowMs, false);
                !done) {
                return done.error();
            }
            if (!check.spec.concurrent) {
                continue;
            }
            if (Result<void> done =
                    takeLease(transaction, leaseId, check.key, ids.at(i), leaseExpiresMs);
                !done) {
                return done.error();
            }
        }
    }
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return decision;
}

void SqlLimitStore::release(const QString &leaseId)
{
    const Result<QSqlQuery> query = Sql::run(m_database,
                                             u"DELETE FROM rate_limit_leases WHERE lease_id = ?"_s,
                                             {leaseId},
                                             u"release rate limit lease"_s);
    if (!query) {
        // The lease lapses at its expiry instead.
        qCWarning(lcStore).noquote() << "limits: cannot release a lease:" << query.error().message;
    }
}

Result<QList<LimitUsage>> SqlLimitStore::usage(qint64 nowMs, int max)
{
    QHash<QString, LimitUsage> byKey;
    QStringList order;
    {
        Result<QSqlQuery> query = Sql::run(
            m_database,
            u"SELECT limit_key, scope, app, operation, subject, per_seconds, requests, limited "
            u"FROM rate_limit_counters WHERE window_start + per_seconds * 1000 > ? "
            u"AND window_start <= ? ORDER BY requests DESC LIMIT ?"_s,
            {nowMs, nowMs, max},
            u"read rate limits"_s);
        if (!query) {
            return query.error();
        }
        while (query->next()) {
            LimitUsage row;
            row.key = {query->value(1).toString(),
                       query->value(2).toString(),
                       query->value(3).toString(),
                       query->value(4).toString(),
                       query->value(5).toLongLong()};
            row.requests = query->value(6).toLongLong();
            row.limited = query->value(7).toLongLong();
            const QString id = query->value(0).toString();
            order.append(id);
            byKey.insert(id, row);
        }
    }
    {
        Result<QSqlQuery> query =
            Sql::run(m_database,
                     u"SELECT limit_key, scope, app, operation, subject, per_seconds, COUNT(*) "
                     u"FROM rate_limit_leases WHERE expires_at > ? "
                     u"GROUP BY limit_key, scope, app, operation, subject, per_seconds"_s,
                     {nowMs},
                     u"read rate limit leases"_s);
        if (!query) {
            return query.error();
        }
        while (query->next()) {
            const QString id = query->value(0).toString();
            auto it = byKey.find(id);
            if (it == byKey.end()) {
                LimitUsage row;
                row.key = {query->value(1).toString(),
                           query->value(2).toString(),
                           query->value(3).toString(),
                           query->value(4).toString(),
                           query->value(5).toLongLong()};
                order.append(id);
                it = byKey.insert(id, row);
            }
            it->inFlight = query->value(6).toLongLong();
        }
    }
    QList<LimitUsage> rows;
    for (const QString &id : std::as_const(order)) {
        rows.append(byKey.value(id));
    }
    sortByRequests(rows, max);
    return rows;
}

void SqlLimitStore::prune(qint64 nowMs)
{
    for (const QString &sql :
         {u"DELETE FROM rate_limit_leases WHERE expires_at <= ?"_s,
          u"DELETE FROM rate_limit_counters WHERE window_start + 2 * per_seconds * 1000 <= ?"_s}) {
        const Result<QSqlQuery> query = Sql::run(m_database, sql, {nowMs}, u"prune rate limits"_s);
        if (!query) {
            qCWarning(lcStore).noquote() << "limits: prune failed:" << query.error().message;
        }
    }
}

} // namespace Gestalt
