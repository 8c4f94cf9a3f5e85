// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "metrics/MetricBase.h"

#include "core/Logging.h"

namespace Gestalt {

MetricBase::MetricBase(QString name, QString help, QStringList labelNames, MetricFamily::Type type)
    : m_name(std::move(name))
    , m_help(std::move(help))
    , m_labelNames(std::move(labelNames))
    , m_type(type)
{}

QStringList MetricBase::checkedLabelValues(const QStringList &values) const
{
    if (values.size() == m_labelNames.size()) {
        return values;
    }
    Q_ASSERT_X(false, "MetricBase::labels", "number of label values differs from label names");
    qCCritical(lcMetrics) << "metric" << m_name << "expects" << m_labelNames.size()
                          << "label values, got" << values;
    QStringList fixed = values.mid(0, m_labelNames.size());
    while (fixed.size() < m_labelNames.size()) {
        fixed.append(QString());
    }
    return fixed;
}

MetricLabels MetricBase::labelPairs(const QStringList &values) const
{
    MetricLabels labels;
    labels.reserve(m_labelNames.size());
    for (qsizetype i = 0; i < m_labelNames.size() && i < values.size(); ++i) {
        labels.append({m_labelNames.at(i), values.at(i)});
    }
    return labels;
}

MetricFamily MetricBase::emptyFamily() const
{
    MetricFamily family;
    family.name = m_name;
    family.help = m_help;
    family.type = m_type;
    return family;
}

} // namespace Gestalt
