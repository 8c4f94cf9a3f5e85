// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "metrics/MetricsRegistry.h"

#include "core/Logging.h"

#include <QMutexLocker>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString SeriesDroppedName = u"gestaltd_metrics_series_dropped_total"_s;

[[maybe_unused]] bool hasValidNames(const QString &name, const QStringList &labelNames)
{
    if (!isValidMetricName(name)) {
        return false;
    }
    for (const QString &label : labelNames) {
        if (!isValidLabelName(label) || label.startsWith(u"__") || labelNames.count(label) != 1) {
            return false;
        }
    }
    return true;
}

} // namespace

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricBase *MetricsRegistry::findLocked(const QString &name) const
{
    const auto it = m_families.find(name);
    return it == m_families.end() ? nullptr : it->second.get();
}

template<typename Family>
Family &MetricsRegistry::addLocked(std::unique_ptr<Family> family)
{
    Q_ASSERT_X(hasValidNames(family->name(), family->labelNames()),
               "MetricsRegistry",
               "invalid metric or label name");
    Family &result = *family;
    result.setSeriesLimit(m_seriesLimit);
    m_families.emplace(family->name(), std::move(family));
    return result;
}

template<typename Family>
Family &MetricsRegistry::rejectLocked(std::unique_ptr<Family> family, const MetricBase &existing)
{
    Q_ASSERT_X(false, "MetricsRegistry", "metric registered twice with different type or labels");
    qCCritical(lcMetrics) << "metric" << family->name() << "registered again as"
                          << metricTypeName(family->type()) << family->labelNames() << "but it is"
                          << metricTypeName(existing.type()) << existing.labelNames()
                          << "- the new one is not exposed";
    Family &result = *family;
    m_rejected.push_back(std::move(family));
    return result;
}

Counter &
MetricsRegistry::counter(const QString &name, const QString &help, const QStringList &labelNames)
{
    const QMutexLocker locker(&m_mutex);
    MetricBase *existing = findLocked(name);
    if (!existing) {
        return addLocked(std::make_unique<Counter>(name, help, labelNames));
    }
    if (existing->type() == MetricFamily::Type::Counter && existing->labelNames() == labelNames) {
        return static_cast<Counter &>(*existing);
    }
    return rejectLocked(std::make_unique<Counter>(name, help, labelNames), *existing);
}

Gauge &
MetricsRegistry::gauge(const QString &name, const QString &help, const QStringList &labelNames)
{
    const QMutexLocker locker(&m_mutex);
    MetricBase *existing = findLocked(name);
    if (!existing) {
        return addLocked(std::make_unique<Gauge>(name, help, labelNames));
    }
    if (existing->type() == MetricFamily::Type::Gauge && existing->labelNames() == labelNames) {
        return static_cast<Gauge &>(*existing);
    }
    return rejectLocked(std::make_unique<Gauge>(name, help, labelNames), *existing);
}

Histogram &MetricsRegistry::histogram(const QString &name,
                                      const QString &help,
                                      const QStringList &labelNames,
                                      const QList<double> &buckets)
{
    Q_ASSERT_X(!labelNames.contains(u"le"_s), "MetricsRegistry", "histograms reserve label le");
    const QMutexLocker locker(&m_mutex);
    MetricBase *existing = findLocked(name);
    if (!existing) {
        return addLocked(std::make_unique<Histogram>(name, help, labelNames, buckets));
    }
    if (existing->type() == MetricFamily::Type::Histogram && existing->labelNames() == labelNames
        && static_cast<Histogram &>(*existing).buckets() == Histogram::normalizedBuckets(buckets)) {
        return static_cast<Histogram &>(*existing);
    }
    return rejectLocked(std::make_unique<Histogram>(name, help, labelNames, buckets), *existing);
}

void MetricsRegistry::setSeriesLimit(qsizetype limit)
{
    const QMutexLocker locker(&m_mutex);
    m_seriesLimit = qMax<qsizetype>(1, limit);
    for (const auto &[name, family] : m_families) {
        family->setSeriesLimit(m_seriesLimit);
    }
}

void MetricsRegistry::addCollector(Collector collector)
{
    const QMutexLocker locker(&m_mutex);
    m_collectors.append(std::move(collector));
}

QList<MetricFamily> MetricsRegistry::collect() const
{
    QList<MetricFamily> families;
    QList<Collector> collectors;
    {
        const QMutexLocker locker(&m_mutex);
        families.reserve(static_cast<qsizetype>(m_families.size()));
        MetricFamily dropped;
        dropped.name = SeriesDroppedName;
        dropped.help = u"Metric updates not recorded because their family was at its series "
                       u"limit."_s;
        dropped.type = MetricFamily::Type::Counter;
        for (const auto &[name, family] : m_families) {
            families.append(family->collect());
            if (const quint64 count = family->droppedSeries(); count > 0) {
                dropped.samples.append(
                    {SeriesDroppedName, {{u"family"_s, name}}, static_cast<double>(count)});
            }
        }
        if (!dropped.samples.isEmpty()) { // exposed once a family first hits its limit
            families.append(dropped);
        }
        collectors = m_collectors;
    }

    QSet<QString> names;
    for (const MetricFamily &family : std::as_const(families)) {
        names.insert(family.name);
    }
    for (const Collector &collector : std::as_const(collectors)) {
        const QList<MetricFamily> collected = collector();
        for (const MetricFamily &family : collected) {
            if (!isValidMetricName(family.name) || names.contains(family.name)) {
                qCWarning(lcMetrics) << "dropping collected metric family" << family.name
                                     << "(invalid or duplicate name)";
                continue;
            }
            names.insert(family.name);
            families.append(family);
        }
    }
    std::stable_sort(families.begin(),
                     families.end(),
                     [](const MetricFamily &a, const MetricFamily &b) { return a.name < b.name; });
    return families;
}

QByteArray MetricsRegistry::exposition() const
{
    return writePrometheusText(collect());
}

QList<double> MetricsRegistry::secondsBuckets()
{
    return {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};
}

QList<double> MetricsRegistry::byteSizeBuckets()
{
    return {100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000};
}

} // namespace Gestalt
