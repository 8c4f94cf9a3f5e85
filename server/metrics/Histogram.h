// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "metrics/LabeledFamily.h"

#include <QList>
#include <QMutex>

namespace Gestalt {

// One time series of a histogram: counts observations into buckets.
class HistogramChild final
{
public:
    struct Snapshot
    {
        QList<quint64> cumulativeCounts; // one per upper bound, then the +Inf bucket
        double sum = 0;
        quint64 count = 0;
    };

    explicit HistogramChild(QList<double> upperBounds);
    ~HistogramChild() = default;
    Q_DISABLE_COPY_MOVE(HistogramChild)

    // Counts value into the first bucket whose upper bound is >= value (NaN: only +Inf).
    void observe(double value);
    // A consistent view of buckets, sum and count.
    [[nodiscard]] Snapshot snapshot() const;
    [[nodiscard]] quint64 count() const;
    [[nodiscard]] double sum() const;

private:
    const QList<double> m_upperBounds;
    mutable QMutex m_mutex;
    QList<quint64> m_counts; // per bucket, not cumulative; the last one is +Inf
    double m_sum = 0;
    quint64 m_count = 0;
};

// A histogram family, created through MetricsRegistry::histogram(). Exposes `<name>_bucket`
// (with `le`), `<name>_sum` and `<name>_count`.
class Histogram final : public LabeledFamily<HistogramChild>
{
public:
    // buckets: the finite upper bounds; sorted, deduplicated, NaN and infinities dropped (+Inf is
    // always there).
    Histogram(QString name, QString help, QStringList labelNames, const QList<double> &buckets);

    [[nodiscard]] const QList<double> &buckets() const { return m_upperBounds; }
    [[nodiscard]] MetricFamily collect() const override;

    [[nodiscard]] static QList<double> normalizedBuckets(QList<double> buckets);

protected:
    [[nodiscard]] std::unique_ptr<HistogramChild> createChild() const override;

private:
    QList<double> m_upperBounds;
    QStringList m_leValues; // formatted upper bounds, then "+Inf"
};

} // namespace Gestalt
