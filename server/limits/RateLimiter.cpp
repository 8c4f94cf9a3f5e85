// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "limits/RateLimiter.h"

#include "catalog/AppCatalog.h"
#include "crypto/Random.h"
#include "metrics/Counter.h"
#include "metrics/Gauge.h"
#include "metrics/MetricsRegistry.h"
#include "store/Database.h"

#include <QJsonArray>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int pruneIntervalMs = 60'000;
constexpr int maxUsageRows = 200;

const QString subjectScope = u"subject"_s;
const QString appSubjectScope = u"app-subject"_s;
const QString appTotalScope = u"app-total"_s;
const QString operationSubjectScope = u"operation-subject"_s;
const QString operationTotalScope = u"operation-total"_s;

QJsonValue optionalNumber(const std::optional<qint64> &value)
{
    return value ? QJsonValue(double(*value)) : QJsonValue(QJsonValue::Null);
}

QJsonValue optionalText(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QString interval(qint64 seconds)
{
    switch (seconds) {
    case 1:
        return u"second"_s;
    case 60:
        return u"minute"_s;
    case 3600:
        return u"hour"_s;
    case 86400:
        return u"day"_s;
    default:
        return u"%1 seconds"_s.arg(seconds);
    }
}

QString whom(const LimitKey &key)
{
    if (key.scope == subjectScope) {
        return u"for each caller"_s;
    }
    const QString callers =
        key.scope.endsWith(u"-total"_s) ? u"for all callers"_s : u"for each caller"_s;
    if (key.scope.startsWith(u"operation-"_s)) {
        return u"%1 of operation \"%2\" of app \"%3\""_s.arg(callers, key.operation, key.app);
    }
    return u"%1 of app \"%2\""_s.arg(callers, key.app);
}

QJsonObject
specJson(const QString &scope, const QString &app, const QString &operation, const LimitSpec &spec)
{
    return {{u"scope"_s, scope},
            {u"app"_s, optionalText(app)},
            {u"operation"_s, optionalText(operation)},
            {u"requests"_s, optionalNumber(spec.requests)},
            {u"perSeconds"_s, double(spec.perSeconds)},
            {u"concurrent"_s, optionalNumber(spec.concurrent)}};
}

} // namespace

RateLimiter::Lease::Lease(RateLimiter *limiter, QString id, QString app, bool holdsSlots)
    : m_limiter(limiter)
    , m_id(std::move(id))
    , m_app(std::move(app))
    , m_holdsSlots(holdsSlots)
{
    limiter->m_inFlight.labels({m_app}).inc();
}

RateLimiter::Lease::~Lease()
{
    release();
}

void RateLimiter::Lease::release()
{
    if (m_released) {
        return;
    }
    m_released = true;
    if (RateLimiter *limiter = m_limiter) {
        if (m_holdsSlots) {
            limiter->m_store->release(m_id);
        }
        limiter->m_inFlight.labels({m_app}).dec();
    }
}

RateLimiter::RateLimiter(LimitsConfig config,
                         std::unique_ptr<LimitStore> store,
                         MetricsRegistry &metrics,
                         RoleOf roleOf,
                         Clock clock,
                         QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_store(std::move(store))
    , m_roleOf(std::move(roleOf))
    , m_clock(std::move(clock))
    , m_limited(metrics.counter(u"gestaltd_rate_limited_total"_s,
                                u"App operations refused by a server.limits rate limit or "
                                u"concurrency cap."_s,
                                {u"app"_s, u"operation"_s, u"scope"_s, u"kind"_s}))
    , m_inFlight(metrics.gauge(u"gestaltd_rate_limit_in_flight"_s,
                               u"App operations in flight on this replica that passed "
                               u"server.limits."_s,
                               {u"app"_s}))
{
    auto *timer = new QTimer(this);
    timer->start(pruneIntervalMs);
    connect(timer, &QTimer::timeout, this, [this] { m_store->prune(nowMs()); });
}

RateLimiter::~RateLimiter() = default;

Result<std::unique_ptr<RateLimiter>> RateLimiter::create(const LimitsConfig &config,
                                                         const AppCatalog &catalog,
                                                         Database &database,
                                                         MetricsRegistry &metrics,
                                                         RoleOf roleOf,
                                                         Clock clock)
{
    if (!config.isConfigured()) {
        return std::unique_ptr<RateLimiter>();
    }
    if (const QStringList found = problems(config, catalog); !found.isEmpty()) {
        return Error::invalid(found.join(u'\n'));
    }
    std::unique_ptr<LimitStore> store;
    if (database.dialect().isPostgres()) {
        store = std::make_unique<SqlLimitStore>(database);
    } else {
        store = std::make_unique<MemoryLimitStore>();
    }
    return std::make_unique<RateLimiter>(
        config, std::move(store), metrics, std::move(roleOf), std::move(clock));
}

qint64 RateLimiter::nowMs() const
{
    return m_clock().toMSecsSinceEpoch();
}

QStringList RateLimiter::problems(const LimitsConfig &config, const AppCatalog &catalog)
{
    QStringList out;
    for (auto it = config.apps.cbegin(); it != config.apps.cend(); ++it) {
        const AppDefinition *app = catalog.app(it.key());
        const QString path = u"server.limits.apps.%1"_s.arg(it.key());
        if (!app) {
            out.append(u"%1: names no app \"%2\""_s.arg(path, it.key()));
            continue;
        }
        for (auto op = it->operations.cbegin(); op != it->operations.cend(); ++op) {
            if (!app->operation(op.key()) && !app->mcpSurface) {
                out.append(u"%1.operations.%2: app \"%3\" has no operation \"%2\""_s.arg(
                    path, op.key(), it.key()));
            }
        }
    }
    for (qsizetype i = 0; i < config.overrides.size(); ++i) {
        const QString &app = config.overrides.at(i).app;
        if (!app.isEmpty() && !catalog.app(app)) {
            out.append(u"server.limits.overrides[%1].app: names no app \"%2\""_s.arg(i).arg(app));
        }
    }
    return out;
}

QList<LimitCheck> RateLimiter::checksFor(const Principal &principal,
                                         const AppDefinition &app,
                                         const QString &operation) const
{
    const QString subject = principal.subjectId.isEmpty() ? u"anonymous"_s : principal.subjectId;
    QList<LimitCheck> checks;
    const auto add = [&checks](const QString &scope,
                               const QString &appName,
                               const QString &operationName,
                               const QString &who,
                               const LimitSpec &spec) {
        if (spec.isSet()) {
            checks.append({LimitKey{scope, appName, operationName, who, spec.perSeconds}, spec});
        }
    };

    // Top level: each caller, every app together; a token override replaces it.
    LimitSpec top = m_config.perSubject;
    QString topSubject = subject;
    if (!principal.tokenId.isEmpty()) {
        for (const LimitOverride &entry : m_config.overrides) {
            if (!entry.token.isEmpty() && entry.token == principal.tokenId) {
                top = entry.perSubject;
                topSubject = u"token:"_s + principal.tokenId;
                break;
            }
        }
    }
    add(subjectScope, QString(), QString(), topSubject, top);

    const auto appIt = m_config.apps.constFind(app.name);
    const AppLimits *appLimits = appIt != m_config.apps.cend() ? &*appIt : nullptr;
    LimitSpec perSubject = appLimits ? appLimits->perSubject : LimitSpec();
    QString role;
    bool roleKnown = false;
    for (const LimitOverride &entry : m_config.overrides) {
        if (entry.role.isEmpty()) {
            continue;
        }
        // Without `app`, an override replaces an app's configured perSubject only.
        if (entry.app.isEmpty() ? !perSubject.isSet() : entry.app != app.name) {
            continue;
        }
        if (!roleKnown) {
            role = m_roleOf ? m_roleOf(principal, app) : QString();
            roleKnown = true;
        }
        if (!role.isEmpty() && role == entry.role) {
            perSubject = entry.perSubject;
            break;
        }
    }
    add(appSubjectScope, app.name, QString(), subject, perSubject);
    if (!appLimits) {
        return checks;
    }
    add(appTotalScope, app.name, QString(), QString(), appLimits->total);
    const auto opIt = appLimits->operations.constFind(operation);
    if (opIt != appLimits->operations.cend()) {
        add(operationSubjectScope, app.name, operation, subject, opIt->perSubject);
        add(operationTotalScope, app.name, operation, QString(), opIt->total);
    }
    return checks;
}

Result<std::unique_ptr<RateLimiter::Lease>> RateLimiter::acquire(const Principal &principal,
                                                                 const AppDefinition &app,
                                                                 const QString &operation,
                                                                 const QString &metricsOperation,
                                                                 std::chrono::milliseconds leaseTtl)
{
    const QList<LimitCheck> checks = checksFor(principal, app, operation);
    if (checks.isEmpty()) {
        return std::unique_ptr<Lease>();
    }
    const qint64 now = nowMs();
    const QString leaseId = Crypto::uuidV4();
    Result<LimitDecision> decision =
        m_store->acquire(checks, leaseId, now, now + qint64(leaseTtl.count()));
    if (!decision) {
        return decision.error();
    }
    if (decision->admitted()) {
        const bool holdsSlots =
            std::any_of(checks.cbegin(), checks.cend(), [](const LimitCheck &c) {
                return c.spec.concurrent.has_value();
            });
        return std::make_unique<Lease>(this, leaseId, app.name, holdsSlots);
    }
    const LimitCheck &check = checks.at(decision->refused);
    const QString kind = decision->concurrency ? u"concurrent"_s : u"requests"_s;
    m_limited.labels({app.name, metricsOperation, check.key.scope, kind}).inc();
    const QString what = decision->concurrency
                             ? u"%1 concurrent calls"_s.arg(*check.spec.concurrent)
                             : u"%1 requests per %2"_s.arg(*check.spec.requests)
                                   .arg(interval(check.spec.perSeconds));
    QJsonObject limit = specJson(check.key.scope, check.key.app, check.key.operation, check.spec);
    limit.insert(u"kind"_s, kind);
    Error error{ErrorCode::TooManyRequests,
                u"rate limit exceeded: %1 %2"_s.arg(what, whom(check.key)),
                u"rate_limited"_s};
    error.retryAfterSeconds = qMax(1, decision->retryAfterSeconds);
    error.details = {{u"limit"_s, limit}};
    return error;
}

Result<QJsonObject> RateLimiter::toJson() const
{
    QJsonArray limits;
    if (m_config.perSubject.isSet()) {
        limits.append(specJson(subjectScope, {}, {}, m_config.perSubject));
    }
    for (auto it = m_config.apps.cbegin(); it != m_config.apps.cend(); ++it) {
        if (it->perSubject.isSet()) {
            limits.append(specJson(appSubjectScope, it.key(), {}, it->perSubject));
        }
        if (it->total.isSet()) {
            limits.append(specJson(appTotalScope, it.key(), {}, it->total));
        }
        for (auto op = it->operations.cbegin(); op != it->operations.cend(); ++op) {
            if (op->perSubject.isSet()) {
                limits.append(specJson(operationSubjectScope, it.key(), op.key(), op->perSubject));
            }
            if (op->total.isSet()) {
                limits.append(specJson(operationTotalScope, it.key(), op.key(), op->total));
            }
        }
    }
    QJsonArray overrides;
    for (const LimitOverride &entry : m_config.overrides) {
        overrides.append(
            QJsonObject{{u"role"_s, optionalText(entry.role)},
                        {u"app"_s, optionalText(entry.app)},
                        {u"token"_s, optionalText(entry.token)},
                        {u"requests"_s, optionalNumber(entry.perSubject.requests)},
                        {u"perSeconds"_s, double(entry.perSubject.perSeconds)},
                        {u"concurrent"_s, optionalNumber(entry.perSubject.concurrent)}});
    }
    Result<QList<LimitUsage>> rows = m_store->usage(nowMs(), maxUsageRows);
    if (!rows) {
        return rows.error();
    }
    QJsonArray usage;
    for (const LimitUsage &row : std::as_const(*rows)) {
        usage.append(QJsonObject{{u"scope"_s, row.key.scope},
                                 {u"app"_s, optionalText(row.key.app)},
                                 {u"operation"_s, optionalText(row.key.operation)},
                                 {u"subject"_s, optionalText(row.key.subject)},
                                 {u"requests"_s, double(row.requests)},
                                 {u"perSeconds"_s, double(row.key.perSeconds)},
                                 {u"inFlight"_s, double(row.inFlight)},
                                 {u"limited"_s, double(row.limited)}});
    }
    return QJsonObject{{u"limits"_s, limits}, {u"overrides"_s, overrides}, {u"usage"_s, usage}};
}

} // namespace Gestalt
