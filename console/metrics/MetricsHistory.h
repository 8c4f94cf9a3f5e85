// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/PrometheusText.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMap>
#include <QString>

#include <chrono>
#include <optional>

namespace Gestalt::Console {

// What the metrics page draws, computed from successive /metrics scrapes (no widgets here):
// per app (label gestalt_provider) the request and error rates of gestaltd_operation_count_total
// and gestaltd_operation_error_count_total, and latency p50/p95 from the buckets of
// gestaltd_operation_duration_seconds observed between two scrapes (PromQL's
// histogram_quantile over increase()), summed over every other label; and the process memory.
// Rates come from per-series deltas, so one series restarting from zero (a counter reset) counts
// its new value as the increase, as Prometheus' rate() does. Points older than the window go.
class MetricsHistory final
{
public:
    enum class Series {
        RequestsPerSecond,
        ErrorsPerSecond,
        LatencyP50Seconds,
        LatencyP95Seconds,
    };

    struct Point
    {
        QDateTime at;
        double value = 0;
    };

    struct AppSummary
    {
        QString app;
        double requestsPerSecond = 0; // over the last interval
        double errorsPerSecond = 0;
        double p95Seconds = qQNaN(); // over the last interval; NaN without traffic
        double totalRequests = 0;    // since the server started
        double totalErrors = 0;
    };

    explicit MetricsHistory(std::chrono::seconds window = std::chrono::minutes(15));

    void setWindow(std::chrono::seconds window);
    [[nodiscard]] std::chrono::seconds window() const { return m_window; }
    void clear();

    // Parses one scrape taken at `at` and adds its points. The first scrape (and one after a
    // parse error) only sets the baseline. Returns the parse error.
    [[nodiscard]] std::optional<QString> addScrape(const QByteArray &text, const QDateTime &at);
    void addFamilies(const QList<MetricFamily> &families, const QDateTime &at);

    // Apps seen in any scrape, sorted.
    [[nodiscard]] QStringList apps() const;
    [[nodiscard]] QList<Point> points(Series series, const QString &app) const;
    [[nodiscard]] QList<Point> memoryBytes() const;
    // Busiest first: by the latest request rate, then by total requests.
    [[nodiscard]] QList<AppSummary> busiest() const;
    // service_version of target_info, when the server sends it.
    [[nodiscard]] QString serverVersion() const { return m_serverVersion; }
    [[nodiscard]] int scrapes() const { return m_scrapes; }

private:
    struct AppTotals
    {
        double requests = 0;
        double errors = 0;
        QMap<double, double> buckets; // le → increase of the cumulative count (deltas only)
    };
    struct Snapshot
    {
        QDateTime at;
        QHash<QString, double> values;    // per series key: counters and bucket counts
        QHash<QString, AppTotals> totals; // per app, this scrape's cumulative values
    };
    [[nodiscard]] static Snapshot snapshotOf(const QList<MetricFamily> &families,
                                             const QDateTime &at);
    void prune(const QDateTime &now);

    std::chrono::seconds m_window;
    std::optional<Snapshot> m_previous;
    QMap<QString, QMap<Series, QList<Point>>> m_points;
    QHash<QString, AppSummary> m_latest;
    QList<Point> m_memory;
    QString m_serverVersion;
    int m_scrapes = 0;
};

} // namespace Gestalt::Console
