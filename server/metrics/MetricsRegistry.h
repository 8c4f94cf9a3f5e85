// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "metrics/Counter.h"
#include "metrics/Gauge.h"
#include "metrics/Histogram.h"
#include "shared/PrometheusText.h"

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace Gestalt {

// The metric families of one gestaltd process. The application owns one and passes references
// to whoever records metrics; there is no global instance.
//
// Registration and labels() are thread-safe; families and their children live as long as the
// registry, so references to them may be cached on hot paths.
class MetricsRegistry final
{
public:
    using Collector = std::function<QList<MetricFamily>()>;

    MetricsRegistry();
    ~MetricsRegistry();
    Q_DISABLE_COPY_MOVE(MetricsRegistry)

    // Each returns the family called name, registering it on first use. Registering a name again
    // returns the existing family if type and label names (and buckets) match; anything else is a
    // programming error (asserts; release builds log it and return a family that is not exposed).
    // Names must be valid Prometheus names; label names must not start with "__".
    Counter &counter(const QString &name, const QString &help, const QStringList &labelNames = {});
    Gauge &gauge(const QString &name, const QString &help, const QStringList &labelNames = {});
    Histogram &histogram(const QString &name,
                         const QString &help,
                         const QStringList &labelNames = {},
                         const QList<double> &buckets = secondsBuckets());

    // Adds families computed at scrape time (process metrics, pool sizes, ...). Collectors run
    // without the registry lock held, on the thread calling collect(). A family whose name is
    // already taken (by a registered family or an earlier collector) is dropped with a warning.
    void addCollector(Collector collector);

    // The most children (label combinations) of any one registered family (default
    // MetricBase::DefaultSeriesLimit), for the families registered so far and later. Updates
    // beyond it are counted in gestaltd_metrics_series_dropped_total{family} (exposed once a
    // family first reached its limit).
    void setSeriesLimit(qsizetype limit);

    // Every family, registered and collected, sorted by name; samples in a stable order.
    [[nodiscard]] QList<MetricFamily> collect() const;
    // collect() in the text exposition format (see prometheusTextContentType()).
    [[nodiscard]] QByteArray exposition() const;

    // Buckets for durations in seconds: 5 ms to 10 s.
    [[nodiscard]] static QList<double> secondsBuckets();
    // Buckets for sizes in bytes: 100 B to 10 MB, in powers of ten.
    [[nodiscard]] static QList<double> byteSizeBuckets();

private:
    [[nodiscard]] MetricBase *findLocked(const QString &name) const;
    template<typename Family>
    Family &addLocked(std::unique_ptr<Family> family);
    template<typename Family>
    Family &rejectLocked(std::unique_ptr<Family> family, const MetricBase &existing);

    mutable QMutex m_mutex;
    std::map<QString, std::unique_ptr<MetricBase>> m_families;
    std::vector<std::unique_ptr<MetricBase>> m_rejected;
    QList<Collector> m_collectors;
    qsizetype m_seriesLimit = MetricBase::DefaultSeriesLimit;
};

} // namespace Gestalt
