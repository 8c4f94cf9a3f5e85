// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/PrometheusText.h"

#include <QString>
#include <QStringList>

#include <atomic>

namespace Gestalt {

// What every metric family of a MetricsRegistry has: a name, a help text, label names and a type,
// and a snapshot of its samples for the exposition.
class MetricBase
{
public:
    virtual ~MetricBase() = default;
    Q_DISABLE_COPY_MOVE(MetricBase)

    [[nodiscard]] const QString &name() const { return m_name; }
    [[nodiscard]] const QString &help() const { return m_help; }
    [[nodiscard]] const QStringList &labelNames() const { return m_labelNames; }
    [[nodiscard]] MetricFamily::Type type() const { return m_type; }

    // The family with its current samples: children sorted by label values, for a stable order.
    [[nodiscard]] virtual MetricFamily collect() const = 0;

    // At most limit children (label combinations); a new combination beyond it is not exposed
    // and counts as dropped. Callers' label values can then never grow the family without bound.
    void setSeriesLimit(qsizetype limit) { m_seriesLimit.store(qMax<qsizetype>(1, limit)); }
    [[nodiscard]] qsizetype seriesLimit() const { return m_seriesLimit.load(); }
    // Updates that named a new label combination while the family was at its limit.
    [[nodiscard]] quint64 droppedSeries() const { return m_droppedSeries.load(); }

    static constexpr qsizetype DefaultSeriesLimit = 10'000;

protected:
    MetricBase(QString name, QString help, QStringList labelNames, MetricFamily::Type type);

    // values, checked against labelNames() (a wrong count is a programming error: asserts, then
    // pads or truncates in release builds).
    [[nodiscard]] QStringList checkedLabelValues(const QStringList &values) const;
    // (label name, value) pairs for one child.
    [[nodiscard]] MetricLabels labelPairs(const QStringList &values) const;
    // An empty family with name, help and type filled in.
    [[nodiscard]] MetricFamily emptyFamily() const;
    void noteDroppedSeries() { m_droppedSeries.fetch_add(1); }

private:
    QString m_name;
    QString m_help;
    QStringList m_labelNames;
    MetricFamily::Type m_type;
    std::atomic<qsizetype> m_seriesLimit = DefaultSeriesLimit;
    std::atomic<quint64> m_droppedSeries = 0;
};

} // namespace Gestalt
