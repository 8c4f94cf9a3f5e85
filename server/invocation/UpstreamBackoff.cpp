// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/UpstreamBackoff.h"

#include "metrics/Counter.h"
#include "metrics/MetricsRegistry.h"

#include <QJsonObject>
#include <QLocale>
#include <QPointer>
#include <QTimeZone>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

UpstreamBackoff::UpstreamBackoff(UpstreamLimitsConfig config,
                                 MetricsRegistry &metrics,
                                 Clock clock,
                                 QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_limited(metrics.counter(u"gestaltd_upstream_rate_limited_total"_s,
                                u"Calls refused or delayed because their upstream answered 429 "
                                "or 503 with Retry-After for the same credential."_s,
                                {u"app"_s}))
    , m_clock(std::move(clock))
{}

UpstreamBackoff::~UpstreamBackoff() = default;

std::optional<std::chrono::seconds> UpstreamBackoff::parseRetryAfter(const QByteArray &value,
                                                                     const QDateTime &now)
{
    const QByteArray text = value.trimmed();
    if (text.isEmpty()) {
        return std::nullopt;
    }
    const bool digits =
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) {
        bool ok = false;
        const qint64 seconds = text.toLongLong(&ok);
        if (ok && seconds <= 0) {
            return std::nullopt;
        }
        // Too many digits for a number is a very long delay: capped like any other.
        return ok ? std::min(std::chrono::seconds(seconds), MaxRetryAfter) : MaxRetryAfter;
    }
    // HTTP-date, IMF-fixdate only (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
    const QDateTime parsed =
        QLocale::c().toDateTime(QString::fromLatin1(text), u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s);
    if (!parsed.isValid()) {
        return std::nullopt;
    }
    const QDateTime date(parsed.date(), parsed.time(), QTimeZone::utc());
    const qint64 seconds = now.secsTo(date);
    if (seconds <= 0) {
        return std::nullopt;
    }
    return std::min(std::chrono::seconds(seconds), MaxRetryAfter);
}

void UpstreamBackoff::noteResponse(const Key &key,
                                   const QString &subject,
                                   const QString &instance,
                                   int status,
                                   const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    if (status != 429 && status != 503) {
        return;
    }
    QByteArray retryAfter;
    for (const auto &[name, value] : headers) {
        if (name.compare("retry-after", Qt::CaseInsensitive) == 0) {
            retryAfter = value;
            break;
        }
    }
    const QDateTime now = m_clock();
    const std::optional<std::chrono::seconds> delay = parseRetryAfter(retryAfter, now);
    if (!delay) {
        return;
    }
    const QDateTime until = now.addSecs(delay->count());
    prune(now);
    auto it = m_blocked.find(key);
    if (it != m_blocked.end()) {
        it->second.until = std::max(it->second.until, until);
        return;
    }
    if (qsizetype(m_blocked.size()) >= MaxEntries) {
        auto first =
            std::min_element(m_blocked.begin(), m_blocked.end(), [](const auto &a, const auto &b) {
                return a.second.until < b.second.until;
            });
        m_blocked.erase(first);
    }
    m_blocked.emplace(key, Blocked{key, subject, instance, until});
}

Result<std::chrono::milliseconds> UpstreamBackoff::admit(const Key &key,
                                                         std::chrono::milliseconds waited)
{
    auto it = m_blocked.find(key);
    if (it == m_blocked.end()) {
        return std::chrono::milliseconds(0);
    }
    const QDateTime now = m_clock();
    const qint64 remaining = now.msecsTo(it->second.until);
    if (remaining <= 0) {
        m_blocked.erase(it);
        return std::chrono::milliseconds(0);
    }
    if (waited.count() == 0) { // once per call, however often it waits
        m_limited.labels({key.app}).inc();
    }
    if (m_config.onRateLimited == UpstreamRateLimitAction::Wait
        && waited + std::chrono::milliseconds(remaining) <= m_config.maxWait) {
        return std::chrono::milliseconds(remaining);
    }
    const int seconds = int((remaining + 999) / 1000);
    Error error{
        ErrorCode::TooManyRequests,
        u"upstream \"%1\" asked to slow down for this credential; retry in %2 s"_s.arg(key.app).arg(
            seconds),
        u"upstream_rate_limited"_s};
    error.retryAfterSeconds = seconds;
    error.details.insert(u"limit"_s,
                         QJsonObject{{u"scope"_s, u"upstream"_s},
                                     {u"app"_s, key.app},
                                     {u"connection"_s, key.connection}});
    return error;
}

std::function<void()> UpstreamBackoff::after(std::chrono::milliseconds delay,
                                             std::function<void()> then)
{
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer);
    connect(timer, &QTimer::timeout, this, [timer, then = std::move(then)] {
        timer->deleteLater();
        then();
    });
    timer->start(delay);
    return [guard = QPointer<QTimer>(timer)] {
        if (guard) {
            guard->stop();
            guard->deleteLater();
        }
    };
}

QList<UpstreamBackoff::Blocked> UpstreamBackoff::blocked()
{
    prune(m_clock());
    QList<Blocked> list;
    list.reserve(qsizetype(m_blocked.size()));
    for (const auto &[key, entry] : m_blocked) {
        list.append(entry);
    }
    std::sort(list.begin(), list.end(), [](const Blocked &a, const Blocked &b) {
        return a.until < b.until;
    });
    return list;
}

void UpstreamBackoff::prune(const QDateTime &now)
{
    for (auto it = m_blocked.begin(); it != m_blocked.end();) {
        it = it->second.until <= now ? m_blocked.erase(it) : std::next(it);
    }
}

} // namespace Gestalt
