// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringView>

#include <limits>
#include <optional>
#include <utility>

namespace Gestalt {

// The Prometheus text exposition format, version 0.0.4 (Content-Type
// `text/plain; version=0.0.4; charset=utf-8`), in both directions. Pure functions and value types:
// gestaltd writes /metrics with them and gestalt-console reads it back.

using MetricLabels = QList<std::pair<QString, QString>>;

// One line of the exposition: `name{label="value",...} value`. For histograms and summaries
// the name carries the `_bucket`/`_sum`/`_count` suffix and `le`/`quantile` are ordinary labels.
struct MetricSample
{
    QString name;
    MetricLabels labels;
    double value = 0;

    // Exact comparison: a NaN value never compares equal.
    bool operator==(const MetricSample &other) const = default;
};

struct MetricFamily
{
    enum class Type {
        Counter,
        Gauge,
        Histogram,
        Summary,
        Untyped,
    };

    QString name;
    QString help;
    Type type = Type::Untyped;
    QList<MetricSample> samples;

    bool operator==(const MetricFamily &other) const = default;
};

// The Content-Type of the format: "text/plain; version=0.0.4; charset=utf-8".
[[nodiscard]] QByteArray prometheusTextContentType();

// "counter", "gauge", "histogram", "summary", "untyped": the spelling of a TYPE line.
[[nodiscard]] QString metricTypeName(MetricFamily::Type type);
[[nodiscard]] std::optional<MetricFamily::Type> metricTypeFromName(QStringView name);

// Whether name is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or label name
// ([a-zA-Z_][a-zA-Z0-9_]*).
[[nodiscard]] bool isValidMetricName(QStringView name);
[[nodiscard]] bool isValidLabelName(QStringView name);

// A sample value as the text format spells it: integral values without exponent ("1048576"),
// "+Inf", "-Inf", "NaN", anything else in the shortest form that parses back to the same double.
[[nodiscard]] QByteArray formatPrometheusValue(double value);

// Writes `# HELP`, `# TYPE` and the samples of every family, in the order given (a family without
// samples still gets its HELP and TYPE lines). Names are written as they are: callers pass valid
// metric and label names; help texts and label values are escaped.
[[nodiscard]] QByteArray writePrometheusText(const QList<MetricFamily> &families);

// Parses what Prometheus accepts from the text format: HELP/TYPE lines, other comments, blank
// lines, leading and trailing blanks, samples with or without labels (a trailing comma inside the
// braces is fine), an optional integer timestamp (ignored), escaped label values (`\\`, `\"`,
// `\n`; any other backslash sequence is kept as it is, like Prometheus does), Go float syntax
// including +Inf/-Inf/NaN, and a missing newline at the end of the input.
//
// Samples are grouped into families by name: `X_bucket`, `X_sum` and `X_count` join histogram X,
// `X`, `X_sum` and `X_count` join summary X, and a sample without a TYPE line becomes an untyped
// family of its own name. Families keep the order of their first appearance; a family announced
// by HELP/TYPE without samples is kept, with no samples.
//
// Errors (ErrorCode::InvalidArgument, message "line N: ..."): a line that is not HELP, TYPE,
// comment, blank or a well-formed sample; an unknown TYPE; a second HELP or TYPE for a family or
// a TYPE after its samples (the grouping would be ambiguous); duplicate label names; a `le` or
// `quantile` label that is not a float; text that is not UTF-8.
[[nodiscard]] Result<QList<MetricFamily>> parsePrometheusText(const QByteArray &text);

// PromQL histogram_quantile() over one classic histogram: cumulativeBuckets are (upper bound `le`,
// cumulative count) pairs in any order and must include the +Inf bucket. Linear interpolation
// inside the bucket the rank falls into, with 0 as the lower bound of the first bucket if its
// upper bound is positive; if the rank falls into the +Inf bucket the highest finite upper bound
// is returned. NaN if there are no buckets, no +Inf bucket, fewer than two distinct bounds, no
// observations, or q is NaN; -Inf for q < 0, +Inf for q > 1. Buckets with the same bound are
// merged and non-monotonic counts are flattened, as Prometheus does.
[[nodiscard]] double histogramQuantile(double q,
                                       const QList<std::pair<double, double>> &cumulativeBuckets);

// One label set of a histogram family.
struct HistogramSeries
{
    MetricLabels labels;                      // without `le`, in the order of the first sample
    QList<std::pair<double, double>> buckets; // (le, cumulative count), sorted by le
    double sum = std::numeric_limits<double>::quiet_NaN();   // NaN if there was no _sum sample
    double count = std::numeric_limits<double>::quiet_NaN(); // NaN if there was no _count sample
};

// Splits a histogram family into its label sets, in the order of their first sample.
[[nodiscard]] QList<HistogramSeries> histogramSeries(const MetricFamily &family);

// The (le, cumulative count) buckets of the series of family whose labels (other than `le`) are
// exactly labels, in any order; sorted by le. Empty if there is no such series.
[[nodiscard]] QList<std::pair<double, double>> histogramBuckets(const MetricFamily &family,
                                                                const MetricLabels &labels);

} // namespace Gestalt
