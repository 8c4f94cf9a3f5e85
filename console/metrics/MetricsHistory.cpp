// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "metrics/MetricsHistory.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

const QString appLabel = u"gestalt_provider"_s;
const QString requestsFamily = u"gestaltd_operation_count_total"_s;
const QString errorsFamily = u"gestaltd_operation_error_count_total"_s;
const QString durationFamily = u"gestaltd_operation_duration_seconds"_s;
const QString memoryFamily = u"process_resident_memory_bytes"_s;

QString labelValue(const MetricLabels &labels, const QString &name)
{
    for (const auto &[key, value] : labels) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

QString seriesKey(const MetricSample &sample)
{
    QString key = sample.name;
    for (const auto &[name, value] : sample.labels) {
        key += u'\x1f' + name + u'=' + value;
    }
    return key;
}

// The upper bound of a histogram bucket sample; nullopt when its `le` is not a number.
std::optional<double> upperBound(const MetricSample &sample)
{
    const QString le = labelValue(sample.labels, u"le"_s);
    if (le == u"+Inf"_s) {
        return qInf();
    }
    bool ok = false;
    const double bound = le.toDouble(&ok);
    return ok ? std::optional<double>(bound) : std::nullopt;
}

// How much a counter grew between two scrapes; a smaller value means it restarted from zero.
double increase(double previous, double current)
{
    return current >= previous ? current - previous : current;
}

} // namespace

MetricsHistory::MetricsHistory(std::chrono::seconds window)
    : m_window(window)
{}

void MetricsHistory::setWindow(std::chrono::seconds window)
{
    m_window = window;
    if (m_previous) {
        prune(m_previous->at);
    }
}

void MetricsHistory::clear()
{
    m_previous.reset();
    m_points.clear();
    m_latest.clear();
    m_memory.clear();
    m_serverVersion.clear();
    m_scrapes = 0;
}

std::optional<QString> MetricsHistory::addScrape(const QByteArray &text, const QDateTime &at)
{
    Result<QList<MetricFamily>> families = parsePrometheusText(text);
    if (!families) {
        m_previous.reset();
        return families.error().message;
    }
    addFamilies(*families, at);
    return std::nullopt;
}

MetricsHistory::Snapshot MetricsHistory::snapshotOf(const QList<MetricFamily> &families,
                                                    const QDateTime &at)
{
    Snapshot snapshot;
    snapshot.at = at;
    for (const MetricFamily &family : families) {
        const bool requests = family.name == requestsFamily;
        const bool errors = family.name == errorsFamily;
        const bool duration = family.name == durationFamily;
        if (!requests && !errors && !duration) {
            continue;
        }
        for (const MetricSample &sample : family.samples) {
            const QString app = labelValue(sample.labels, appLabel);
            if (app.isEmpty() || !std::isfinite(sample.value)) {
                continue;
            }
            AppTotals &totals = snapshot.totals[app];
            if (requests) {
                totals.requests += sample.value;
            } else if (errors) {
                totals.errors += sample.value;
            } else if (!sample.name.endsWith(u"_bucket"_s) || !upperBound(sample)) {
                continue; // _sum and _count are not needed
            }
            snapshot.values.insert(seriesKey(sample), sample.value);
        }
    }
    return snapshot;
}

void MetricsHistory::addFamilies(const QList<MetricFamily> &families, const QDateTime &at)
{
    ++m_scrapes;
    for (const MetricFamily &family : families) {
        if (family.name == memoryFamily && !family.samples.isEmpty()) {
            m_memory.append({at, family.samples.first().value});
        } else if (family.name == u"target_info"_s && !family.samples.isEmpty()) {
            m_serverVersion = labelValue(family.samples.first().labels, u"service_version"_s);
        }
    }
    Snapshot current = snapshotOf(families, at);
    if (m_previous && m_previous->at < at) {
        const double seconds = double(m_previous->at.msecsTo(at)) / 1000.0;
        // Per-app increases, summed from per-series increases.
        QHash<QString, AppTotals> delta;
        for (const MetricFamily &family : families) {
            for (const MetricSample &sample : family.samples) {
                const QString key = seriesKey(sample);
                const auto value = current.values.constFind(key);
                if (value == current.values.cend()) {
                    continue;
                }
                const double grown = increase(m_previous->values.value(key, 0), *value);
                AppTotals &d = delta[labelValue(sample.labels, appLabel)];
                if (family.name == requestsFamily) {
                    d.requests += grown;
                } else if (family.name == errorsFamily) {
                    d.errors += grown;
                } else {
                    d.buckets[*upperBound(sample)] += grown;
                }
            }
        }
        for (auto it = current.totals.cbegin(); it != current.totals.cend(); ++it) {
            const QString &app = it.key();
            const AppTotals d = delta.value(app);
            const QList<std::pair<double, double>> buckets(d.buckets.keyValueBegin(),
                                                           d.buckets.keyValueEnd());
            AppSummary summary;
            summary.app = app;
            summary.requestsPerSecond = d.requests / seconds;
            summary.errorsPerSecond = d.errors / seconds;
            summary.p95Seconds = histogramQuantile(0.95, buckets);
            summary.totalRequests = it->requests;
            summary.totalErrors = it->errors;
            m_latest.insert(app, summary);
            QMap<Series, QList<Point>> &series = m_points[app];
            series[Series::RequestsPerSecond].append({at, summary.requestsPerSecond});
            series[Series::ErrorsPerSecond].append({at, summary.errorsPerSecond});
            const double p50 = histogramQuantile(0.5, buckets);
            if (std::isfinite(p50)) {
                series[Series::LatencyP50Seconds].append({at, p50});
            }
            if (std::isfinite(summary.p95Seconds)) {
                series[Series::LatencyP95Seconds].append({at, summary.p95Seconds});
            }
        }
    } else {
        for (auto it = current.totals.cbegin(); it != current.totals.cend(); ++it) {
            AppSummary summary;
            summary.app = it.key();
            summary.totalRequests = it->requests;
            summary.totalErrors = it->errors;
            m_latest.insert(it.key(), summary);
            m_points[it.key()];
        }
    }
    m_previous = std::move(current);
    prune(at);
}

void MetricsHistory::prune(const QDateTime &now)
{
    const QDateTime cutoff = now.addSecs(-qint64(m_window.count()));
    const auto old = [&](const Point &p) {
        return p.at < cutoff;
    };
    for (auto &series : m_points) {
        for (auto &points : series) {
            points.removeIf(old);
        }
    }
    m_memory.removeIf(old);
}

QStringList MetricsHistory::apps() const
{
    return m_points.keys();
}

QList<MetricsHistory::Point> MetricsHistory::points(Series series, const QString &app) const
{
    return m_points.value(app).value(series);
}

QList<MetricsHistory::Point> MetricsHistory::memoryBytes() const
{
    return m_memory;
}

QList<MetricsHistory::AppSummary> MetricsHistory::busiest() const
{
    QList<AppSummary> out = m_latest.values();
    std::sort(out.begin(), out.end(), [](const AppSummary &a, const AppSummary &b) {
        if (a.requestsPerSecond != b.requestsPerSecond) {
            return a.requestsPerSecond > b.requestsPerSecond;
        }
        if (a.totalRequests != b.totalRequests) {
            return a.totalRequests > b.totalRequests;
        }
        return a.app < b.app;
    });
    return out;
}

} // namespace Gestalt::Console
