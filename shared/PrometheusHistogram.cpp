// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/PrometheusText.h"
#include "shared/PrometheusText_p.h"

#include <QHash>

#include <algorithm>
#include <cmath>

namespace Gestalt {

using namespace PrometheusPrivate;

namespace {

using Buckets = QList<std::pair<double, double>>;

MetricLabels sortedLabels(MetricLabels labels)
{
    std::sort(labels.begin(), labels.end());
    return labels;
}

// Prometheus' almost.Equal: relative comparison, used to ignore floating point noise in buckets.
bool almostEqual(double a, double b, double epsilon)
{
    if (a == b) {
        return true;
    }
    constexpr double minNormal = std::numeric_limits<double>::min();
    const double absSum = std::abs(a) + std::abs(b);
    const double diff = std::abs(a - b);
    if (a == 0 || b == 0 || absSum < minNormal) {
        return diff < epsilon * minNormal;
    }
    return diff / std::min(absSum, std::numeric_limits<double>::max()) < epsilon;
}

// The buckets with a bound, sorted by it.
Buckets sortedBuckets(const Buckets &cumulativeBuckets)
{
    Buckets buckets;
    buckets.reserve(cumulativeBuckets.size());
    for (const auto &bucket : cumulativeBuckets) {
        if (!std::isnan(bucket.first)) {
            buckets.append(bucket);
        }
    }
    std::stable_sort(buckets.begin(), buckets.end(), [](const auto &a, const auto &b) {
        return a.first < b.first;
    });
    return buckets;
}

// Sorted, non-empty buckets with those of the same upper bound merged and their counts made
// monotonic.
Buckets mergedMonotonic(const Buckets &buckets)
{
    // Merge buckets with the same upper bound.
    Buckets merged;
    merged.reserve(buckets.size());
    for (const auto &bucket : buckets) {
        if (!merged.isEmpty() && merged.constLast().first == bucket.first) {
            merged.last().second += bucket.second;
        } else {
            merged.append(bucket);
        }
    }
    // Ignore floating point noise and force monotonic counts, as Prometheus does.
    constexpr double smallDeltaTolerance = 1e-12;
    double previous = merged.constFirst().second;
    for (qsizetype i = 1; i < merged.size(); ++i) {
        const double count = merged.at(i).second;
        if (count == previous) {
            continue;
        }
        if (almostEqual(previous, count, smallDeltaTolerance) || count < previous) {
            merged[i].second = previous;
            continue;
        }
        previous = count;
    }
    return merged;
}

// The q-quantile by linear interpolation inside its bucket, of at least two merged buckets.
double interpolatedQuantile(double q, const Buckets &merged)
{
    const double observations = merged.constLast().second;
    if (observations == 0) {
        return kNaN;
    }
    double rank = q * observations;
    const qsizetype last = merged.size() - 1;
    qsizetype b = 0;
    while (b < last && merged.at(b).second < rank) {
        ++b;
    }
    if (b == last) {
        return merged.at(last - 1).first;
    }
    if (b == 0 && merged.at(0).first <= 0) {
        return merged.at(0).first;
    }
    double bucketStart = 0;
    const double bucketEnd = merged.at(b).first;
    double count = merged.at(b).second;
    if (b > 0) {
        bucketStart = merged.at(b - 1).first;
        count -= merged.at(b - 1).second;
        rank -= merged.at(b - 1).second;
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

} // namespace

double histogramQuantile(double q, const QList<std::pair<double, double>> &cumulativeBuckets)
{
    if (std::isnan(q)) {
        return kNaN;
    }
    if (q < 0) {
        return -kInf;
    }
    if (q > 1) {
        return kInf;
    }
    const QList<std::pair<double, double>> buckets = sortedBuckets(cumulativeBuckets);
    if (buckets.isEmpty() || buckets.constLast().first != kInf) {
        return kNaN;
    }
    const QList<std::pair<double, double>> merged = mergedMonotonic(buckets);
    if (merged.size() < 2) {
        return kNaN;
    }
    return interpolatedQuantile(q, merged);
}

QList<HistogramSeries> histogramSeries(const MetricFamily &family)
{
    const QString bucketName = family.name + u"_bucket";
    const QString sumName = family.name + u"_sum";
    const QString countName = family.name + u"_count";

    QList<HistogramSeries> result;
    QHash<MetricLabels, qsizetype> indexByLabels;
    for (const MetricSample &sample : family.samples) {
        const bool isBucket = sample.name == bucketName;
        if (!isBucket && sample.name != sumName && sample.name != countName) {
            continue;
        }
        MetricLabels labels;
        std::optional<double> upperBound;
        for (const auto &label : sample.labels) {
            if (isBucket && label.first == u"le") {
                upperBound = parseFloatToken(label.second.toUtf8());
            } else {
                labels.append(label);
            }
        }
        if (isBucket && !upperBound) {
            continue; // a bucket without a usable bound carries no information
        }
        const MetricLabels key = sortedLabels(labels);
        auto it = indexByLabels.constFind(key);
        if (it == indexByLabels.cend()) {
            HistogramSeries series;
            series.labels = labels;
            result.append(std::move(series));
            it = indexByLabels.insert(key, result.size() - 1);
        }
        HistogramSeries &series = result[*it];
        if (isBucket) {
            series.buckets.append({*upperBound, sample.value});
        } else if (sample.name == sumName) {
            series.sum = sample.value;
        } else {
            series.count = sample.value;
        }
    }
    for (HistogramSeries &series : result) {
        std::stable_sort(series.buckets.begin(),
                         series.buckets.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
    }
    return result;
}

QList<std::pair<double, double>> histogramBuckets(const MetricFamily &family,
                                                  const MetricLabels &labels)
{
    const MetricLabels wanted = sortedLabels(labels);
    const QList<HistogramSeries> all = histogramSeries(family);
    for (const HistogramSeries &series : all) {
        if (sortedLabels(series.labels) == wanted) {
            return series.buckets;
        }
    }
    return {};
}

} // namespace Gestalt
