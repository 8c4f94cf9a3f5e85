// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "metrics/Histogram.h"

#include <QMutexLocker>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Gestalt {

HistogramChild::HistogramChild(QList<double> upperBounds)
    : m_upperBounds(std::move(upperBounds))
    , m_counts(m_upperBounds.size() + 1, 0)
{}

void HistogramChild::observe(double value)
{
    const qsizetype bucket =
        std::isnan(value) ? m_upperBounds.size()
                          : std::lower_bound(m_upperBounds.cbegin(), m_upperBounds.cend(), value)
                                - m_upperBounds.cbegin();
    const QMutexLocker locker(&m_mutex);
    ++m_counts[bucket];
    m_sum += value;
    ++m_count;
}

HistogramChild::Snapshot HistogramChild::snapshot() const
{
    Snapshot snapshot;
    const QMutexLocker locker(&m_mutex);
    snapshot.cumulativeCounts.reserve(m_counts.size());
    quint64 cumulative = 0;
    for (const quint64 count : m_counts) {
        cumulative += count;
        snapshot.cumulativeCounts.append(cumulative);
    }
    snapshot.sum = m_sum;
    snapshot.count = m_count;
    return snapshot;
}

quint64 HistogramChild::count() const
{
    const QMutexLocker locker(&m_mutex);
    return m_count;
}

double HistogramChild::sum() const
{
    const QMutexLocker locker(&m_mutex);
    return m_sum;
}

Histogram::Histogram(QString name,
                     QString help,
                     QStringList labelNames,
                     const QList<double> &buckets)
    : LabeledFamily(
        std::move(name), std::move(help), std::move(labelNames), MetricFamily::Type::Histogram)
    , m_upperBounds(normalizedBuckets(buckets))
{
    for (const double bound : std::as_const(m_upperBounds)) {
        m_leValues.append(QString::fromLatin1(formatPrometheusValue(bound)));
    }
    m_leValues.append(u"+Inf"_s);
}

QList<double> Histogram::normalizedBuckets(QList<double> buckets)
{
    buckets.removeIf([](double bound) { return !std::isfinite(bound); });
    std::sort(buckets.begin(), buckets.end());
    buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
    return buckets;
}

MetricFamily Histogram::collect() const
{
    MetricFamily family = emptyFamily();
    const QString bucketName = name() + u"_bucket";
    const QString sumName = name() + u"_sum";
    const QString countName = name() + u"_count";
    forEachChild([&](const QStringList &values, const HistogramChild &child) {
        const HistogramChild::Snapshot snapshot = child.snapshot();
        const MetricLabels labels = labelPairs(values);
        for (qsizetype i = 0; i < snapshot.cumulativeCounts.size(); ++i) {
            MetricLabels bucketLabels = labels;
            bucketLabels.append({u"le"_s, m_leValues.at(i)});
            family.samples.append({bucketName,
                                   std::move(bucketLabels),
                                   static_cast<double>(snapshot.cumulativeCounts.at(i))});
        }
        family.samples.append({sumName, labels, snapshot.sum});
        family.samples.append({countName, labels, static_cast<double>(snapshot.count)});
    });
    return family;
}

std::unique_ptr<HistogramChild> Histogram::createChild() const
{
    return std::make_unique<HistogramChild>(m_upperBounds);
}

} // namespace Gestalt
