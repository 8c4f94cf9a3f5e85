// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ServerConfig.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <tuple>

namespace Gestalt {

class Counter;
class MetricsRegistry;

// An upstream's "slow down" honoured per credential: after a 429 (or 503) with Retry-After,
// calls on the same credential are not sent before that time. They fail at once with 429
// upstream_rate_limited (server.limits.upstream.onRateLimited: fail, the default), or wait on a
// timer and go out then (wait), unless the time is beyond server.limits.upstream.maxWait.
//
// Kept in memory, per replica: another replica learns of the upstream's limit from its own
// first 429. A Retry-After is capped at one hour; one that is neither delay-seconds nor an
// IMF-fixdate HTTP-date is ignored. Never holds a credential's secret: the key is the app, the
// connection and the stored credential's id (empty for a platform or credential-less call).
// Counts gestaltd_upstream_rate_limited_total{app} for each call refused or delayed.
class UpstreamBackoff final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamBackoff)

public:
    static constexpr std::chrono::seconds MaxRetryAfter{3600};
    // Blocks remembered at once; beyond it the one ending first is forgotten.
    static constexpr qsizetype MaxEntries = 10'000;

    struct Key
    {
        QString app;
        QString connection;
        QString credentialId; // the stored credential's id; empty: platform or none

        [[nodiscard]] auto tied() const { return std::tie(app, connection, credentialId); }
        [[nodiscard]] bool operator<(const Key &other) const { return tied() < other.tied(); }
    };

    // One blocked credential, for GET /admin/api/v1/limits/upstream.
    struct Blocked
    {
        Key key;
        QString subject;  // the credential's owner (user:<id>, ...); empty for platform or none
        QString instance; // the credential's instance name; empty for platform or none
        QDateTime until;
    };

    UpstreamBackoff(UpstreamLimitsConfig config,
                    MetricsRegistry &metrics,
                    Clock clock,
                    QObject *parent = nullptr);
    ~UpstreamBackoff() override;

    // The delay a Retry-After value asks for, capped at MaxRetryAfter; nullopt for garbage, a
    // negative or zero delay, or a date that has passed.
    [[nodiscard]] static std::optional<std::chrono::seconds>
    parseRetryAfter(const QByteArray &value, const QDateTime &now);

    // After an upstream answer: a 429 or 503 with a usable Retry-After blocks the key until then
    // (a later block wins over an earlier one).
    void noteResponse(const Key &key,
                      const QString &subject,
                      const QString &instance,
                      int status,
                      const QList<std::pair<QByteArray, QByteArray>> &headers);

    // Before a call is sent. 0: send now. Above 0 (wait mode): wait that long, then ask again.
    // Error: 429 upstream_rate_limited with Retry-After and details.limit. `waited` is how long
    // this call has already waited: the whole wait stays within maxWait.
    [[nodiscard]] Result<std::chrono::milliseconds> admit(const Key &key,
                                                          std::chrono::milliseconds waited);

    // Runs `then` after `delay` on this object's thread, never inside the call; the returned
    // function cancels it (safe to call after it ran, or after this object is gone).
    [[nodiscard]] std::function<void()> after(std::chrono::milliseconds delay,
                                              std::function<void()> then);

    // The blocks still in force, ending soonest first.
    [[nodiscard]] QList<Blocked> blocked();
    [[nodiscard]] QDateTime now() const { return m_clock(); }

private:
    void prune(const QDateTime &now);

    UpstreamLimitsConfig m_config;
    Counter &m_limited;
    Clock m_clock;
    std::map<Key, Blocked> m_blocked;
};

} // namespace Gestalt
