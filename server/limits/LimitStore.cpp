// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "limits/LimitStore.h"

#include "Logging.h"
#include "limits/SlidingWindow.h"
#include "store/Database.h"
#include "store/Transaction.h"

#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Advisory-lock class of rate-limit keys (the second key is hashtext(limit key)). The
// two-integer lock space does not overlap the single-bigint one of the migrations.
constexpr int advisoryLockClass = 0x6c696d; // "lim"

// QtSql binds a null QString as NULL; the key columns are NOT NULL and take '' instead.
QString orEmpty(const QString &text)
{
    return text.isNull() ? u""_s : text;
}

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
                                                const QString &leaseId, qint64 nowMs,
                                                qint64 /*leaseExpiresMs*/)
{
    LimitDecision decision;
    for (qsizetype i = 0; i < checks.size() && decision.admitted(); ++i) {
        const LimitCheck &check = checks.at(i);
        Counter &c = counter(check.key, nowMs);
        if (check.spec.concurrent && c.inFlight >= *check.spec.concurrent) {
            decision = {i, true, 1};
        } else if (check.spec.requests
                   && !SlidingWindow::admits(c.previous, c.current, nowMs, check.key.perSeconds,
                                             *check.spec.requests)) {
            decision = {i, false,
                        SlidingWindow::retryAfterSeconds(c.previous, c.current, nowMs,
                                                         check.key.perSeconds,
                                                         *check.spec.requests)};
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
    for (auto it = m_counters.begin(); it != m_counters.end(); ++it) {
        Counter &c = *it;
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

SqlLimitStore::SqlLimitStore(Database &database)
    : m_database(database)
{}

Result<LimitDecision> SqlLimitStore::acquire(const QList<LimitCheck> &checks,
                                             const QString &leaseId, qint64 nowMs,
                                             qint64 leaseExpiresMs)
{
    Transaction transaction(m_database);
    // Locks in key order: two calls sharing keys take them in the same order.
    QStringList ids;
    for (const LimitCheck &check : checks) {
        ids.append(check.key.id());
    }
    QStringList lockOrder = ids;
    lockOrder.sort();
    lockOrder.removeDuplicates();
    // (SQLite, used by the unit tests: BEGIN IMMEDIATE already serialises writers.)
    if (m_database.dialect().isPostgres()) {
        Result<QSqlQuery> lock =
            transaction.prepare(u"SELECT pg_advisory_xact_lock(?, hashtext(?))"_s);
        if (!lock) {
            return lock.error();
        }
        for (const QString &id : std::as_const(lockOrder)) {
            lock->bindValue(0, advisoryLockClass);
            lock->bindValue(1, id);
            if (Result<void> done = transaction.exec(*lock, u"lock rate limit"_s); !done) {
                return done.error();
            }
        }
    }
    Result<QSqlQuery> windows = transaction.prepare(
        u"SELECT window_start, requests FROM rate_limit_counters "
        u"WHERE limit_key = ? AND window_start IN (?, ?)"_s);
    if (!windows) {
        return windows.error();
    }
    Result<QSqlQuery> leases = transaction.prepare(
        u"SELECT COUNT(*) FROM rate_limit_leases WHERE limit_key = ? AND expires_at > ?"_s);
    if (!leases) {
        return leases.error();
    }
    LimitDecision decision;
    for (qsizetype i = 0; i < checks.size() && decision.admitted(); ++i) {
        const LimitCheck &check = checks.at(i);
        const qint64 per = check.key.perSeconds;
        if (check.spec.concurrent) {
            leases->bindValue(0, ids.at(i));
            leases->bindValue(1, nowMs);
            if (Result<void> done = transaction.exec(*leases, u"count rate limit leases"_s);
                !done) {
                return done.error();
            }
            const qint64 inFlight = leases->next() ? leases->value(0).toLongLong() : 0;
            if (inFlight >= *check.spec.concurrent) {
                decision = {i, true, 1};
                break;
            }
        }
        if (check.spec.requests) {
            const qint64 start = SlidingWindow::windowStart(nowMs, per);
            windows->bindValue(0, ids.at(i));
            windows->bindValue(1, start);
            windows->bindValue(2, start - per * 1000);
            if (Result<void> done = transaction.exec(*windows, u"read rate limit"_s); !done) {
                return done.error();
            }
            qint64 current = 0;
            qint64 previous = 0;
            while (windows->next()) {
                (windows->value(0).toLongLong() == start ? current : previous) =
                    windows->value(1).toLongLong();
            }
            if (!SlidingWindow::admits(previous, current, nowMs, per, *check.spec.requests)) {
                decision = {i, false,
                            SlidingWindow::retryAfterSeconds(previous, current, nowMs, per,
                                                             *check.spec.requests)};
            }
        }
    }
    Result<QSqlQuery> count = transaction.prepare(
        u"INSERT INTO rate_limit_counters (limit_key, window_start, scope, app, operation, "
        u"subject, per_seconds, requests, limited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        u"ON CONFLICT (limit_key, window_start) DO UPDATE SET "
        u"requests = rate_limit_counters.requests + excluded.requests, "
        u"limited = rate_limit_counters.limited + excluded.limited"_s);
    if (!count) {
        return count.error();
    }
    const auto bump = [&](const LimitKey &key, const QString &id, bool limited) {
        count->bindValue(0, id);
        count->bindValue(1, SlidingWindow::windowStart(nowMs, key.perSeconds));
        count->bindValue(2, key.scope);
        count->bindValue(3, orEmpty(key.app));
        count->bindValue(4, orEmpty(key.operation));
        count->bindValue(5, orEmpty(key.subject));
        count->bindValue(6, key.perSeconds);
        count->bindValue(7, limited ? 0 : 1);
        count->bindValue(8, limited ? 1 : 0);
        return transaction.exec(*count, u"count rate limit"_s);
    };
    if (!decision.admitted()) {
        const qsizetype i = decision.refused;
        if (Result<void> done = bump(checks.at(i).key, ids.at(i), true); !done) {
            return done.error();
        }
        if (Result<void> done = transaction.commit(); !done) {
            return done.error();
        }
        return decision;
    }
    Result<QSqlQuery> take = transaction.prepare(
        u"INSERT INTO rate_limit_leases (lease_id, limit_key, scope, app, operation, subject, "
        u"per_seconds, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s);
    if (!take) {
        return take.error();
    }
    for (qsizetype i = 0; i < checks.size(); ++i) {
        const LimitCheck &check = checks.at(i);
        if (Result<void> done = bump(check.key, ids.at(i), false); !done) {
            return done.error();
        }
        if (!check.spec.concurrent) {
            continue;
        }
        take->bindValue(0, leaseId);
        take->bindValue(1, ids.at(i));
        take->bindValue(2, check.key.scope);
        take->bindValue(3, orEmpty(check.key.app));
        take->bindValue(4, orEmpty(check.key.operation));
        take->bindValue(5, orEmpty(check.key.subject));
        take->bindValue(6, check.key.perSeconds);
        take->bindValue(7, leaseExpiresMs);
        if (Result<void> done = transaction.exec(*take, u"take rate limit lease"_s); !done) {
            return done.error();
        }
    }
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return decision;
}

void SqlLimitStore::release(const QString &leaseId)
{
    Result<QSqlQuery> query =
        m_database.prepare(u"DELETE FROM rate_limit_leases WHERE lease_id = ?"_s);
    if (!query) {
        qCWarning(lcStore).noquote() << "limits: cannot release a lease:" << query.error().message;
        return;
    }
    query->addBindValue(leaseId);
    if (!query->exec()) {
        // The lease lapses at its expiry instead.
        qCWarning(lcStore).noquote() << "limits: cannot release a lease:"
                                     << SqlDialect::describe(query->lastError());
    }
}

Result<QList<LimitUsage>> SqlLimitStore::usage(qint64 nowMs, int max)
{
    QHash<QString, LimitUsage> byKey;
    QStringList order;
    {
        Result<QSqlQuery> query = m_database.prepare(
            u"SELECT limit_key, scope, app, operation, subject, per_seconds, requests, limited "
            u"FROM rate_limit_counters WHERE window_start + per_seconds * 1000 > ? "
            u"AND window_start <= ? ORDER BY requests DESC LIMIT ?"_s);
        if (!query) {
            return query.error();
        }
        query->addBindValue(nowMs);
        query->addBindValue(nowMs);
        query->addBindValue(max);
        if (!query->exec()) {
            return m_database.dialect().toError(query->lastError(), u"read rate limits"_s);
        }
        while (query->next()) {
            LimitUsage row;
            row.key = {query->value(1).toString(), query->value(2).toString(),
                       query->value(3).toString(), query->value(4).toString(),
                       query->value(5).toLongLong()};
            row.requests = query->value(6).toLongLong();
            row.limited = query->value(7).toLongLong();
            const QString id = query->value(0).toString();
            order.append(id);
            byKey.insert(id, row);
        }
    }
    {
        Result<QSqlQuery> query = m_database.prepare(
            u"SELECT limit_key, scope, app, operation, subject, per_seconds, COUNT(*) "
            u"FROM rate_limit_leases WHERE expires_at > ? "
            u"GROUP BY limit_key, scope, app, operation, subject, per_seconds"_s);
        if (!query) {
            return query.error();
        }
        query->addBindValue(nowMs);
        if (!query->exec()) {
            return m_database.dialect().toError(query->lastError(), u"read rate limit leases"_s);
        }
        while (query->next()) {
            const QString id = query->value(0).toString();
            auto it = byKey.find(id);
            if (it == byKey.end()) {
                LimitUsage row;
                row.key = {query->value(1).toString(), query->value(2).toString(),
                           query->value(3).toString(), query->value(4).toString(),
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
        Result<QSqlQuery> query = m_database.prepare(sql);
        if (!query) {
            return;
        }
        query->addBindValue(nowMs);
        if (!query->exec()) {
            qCWarning(lcStore).noquote() << "limits: prune failed:"
                                         << SqlDialect::describe(query->lastError());
        }
    }
}

} // namespace Gestalt
