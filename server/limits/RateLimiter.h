// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/LimitsConfig.h"
#include "core/Principal.h"
#include "limits/LimitStore.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>

namespace Gestalt {

class AppCatalog;
class Counter;
class Database;
class Gauge;
class MetricsRegistry;
struct AppDefinition;

// server.limits: rate limits (requests per interval, sliding window) and concurrency caps
// (calls in flight) per caller, per app and per operation, asked by InvocationService for every
// invocation (REST, /mcp tools, workflow steps, agent tool calls) after the access check.
//
// A caller is its canonical subject id; a token named by a token override counts as
// "token:<id>" under the override's limits. A role override replaces apps.<app>.perSubject for
// callers holding that role on the app. Over a limit: 429 rate_limited with Retry-After and
// {"limit": {...}} naming it; gestaltd_rate_limited_total{app,operation,scope,kind} counts it.
//
// Tolerance: every decision on a key is serialised (the event loop for MemoryLimitStore on SQLite;
// a per-key transaction-scoped advisory lock for SqlLimitStore on PostgreSQL), so replicas add no
// error: N replicas on one database admit exactly what one would (measured in
// tst_sec_ratelimits::twoReplicasShareOneLimit: limit 50, 2 replicas, 200 alternating calls, 50
// admitted). The request count is a sliding-window estimate (SlidingWindow): never more than
// `requests` in one fixed window of `per`; across a window boundary the previous window's calls
// are assumed evenly spread, so an interval of length `per` straddling a boundary may see up to
// 2 x `requests` in the worst case (all of the previous window's calls at its very end), and
// exactly `requests` when calls are even. Concurrency caps are exact while leases are live; the
// lease of a crashed replica, or of a call running longer than the app's timeout + 60 s, lapses
// then. A store failure (datastore unreachable) refuses the call (fails closed).
class RateLimiter final : public QObject
{
    Q_OBJECT

public:
    // The caller's authorization-policy role on an app (empty for none).
    using RoleOf = std::function<QString(const Principal &, const AppDefinition &)>;

    RateLimiter(LimitsConfig config,
                std::unique_ptr<LimitStore> store,
                MetricsRegistry &metrics,
                RoleOf roleOf,
                Clock clock,
                QObject *parent = nullptr);
    ~RateLimiter() override;
    Q_DISABLE_COPY_MOVE(RateLimiter)

    // The limiter for `config` (counting in memory on SQLite, in the database on PostgreSQL),
    // null when nothing is configured, or the problems() as one error.
    [[nodiscard]] static Result<std::unique_ptr<RateLimiter>> create(const LimitsConfig &config,
                                                                     const AppCatalog &catalog,
                                                                     Database &database,
                                                                     MetricsRegistry &metrics,
                                                                     RoleOf roleOf,
                                                                     Clock clock);

    // Unknown apps and operations in server.limits (for `gestaltd validate` and start). An app
    // with an upstream MCP surface may name tools that are discovered at run time.
    [[nodiscard]] static QStringList problems(const LimitsConfig &config,
                                              const AppCatalog &catalog);

    // Releases the call's concurrency slots when destroyed (or at release()).
    class Lease
    {
    public:
        Lease(RateLimiter *limiter, QString id, QString app, bool holdsSlots);
        ~Lease();
        Q_DISABLE_COPY_MOVE(Lease)
        void release();

    private:
        QPointer<RateLimiter> m_limiter;
        QString m_id;
        QString m_app;
        bool m_holdsSlots = false;
        bool m_released = false;
    };

    // Takes every limit that applies to the call. `metricsOperation` is the bounded operation
    // label ("unknown" for a name the caller chose). 429 rate_limited over a limit.
    [[nodiscard]] Result<std::unique_ptr<Lease>> acquire(const Principal &principal,
                                                         const AppDefinition &app,
                                                         const QString &operation,
                                                         const QString &metricsOperation,
                                                         std::chrono::milliseconds leaseTtl);

    // GET /admin/api/v1/limits: {"limits": [...], "overrides": [...], "usage": [...]}.
    [[nodiscard]] Result<QJsonObject> toJson() const;

private:
    [[nodiscard]] QList<LimitCheck>
    checksFor(const Principal &principal, const AppDefinition &app, const QString &operation) const;
    [[nodiscard]] qint64 nowMs() const;

    LimitsConfig m_config;
    std::unique_ptr<LimitStore> m_store;
    RoleOf m_roleOf;
    Clock m_clock;
    Counter &m_limited;
    Gauge &m_inFlight;
};

} // namespace Gestalt
