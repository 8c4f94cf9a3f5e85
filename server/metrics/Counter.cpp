// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "metrics/Counter.h"

#include "core/Logging.h"

namespace Gestalt {

void CounterChild::inc(double amount)
{
    if (!(amount >= 0)) {
        qCWarning(lcMetrics) << "ignoring counter increment by" << amount;
        return;
    }
    m_value.fetch_add(amount, std::memory_order_relaxed);
}

double CounterChild::value() const
{
    return m_value.load(std::memory_order_relaxed);
}

Counter::Counter(QString name, QString help, QStringList labelNames)
    : LabeledFamily(
        std::move(name), std::move(help), std::move(labelNames), MetricFamily::Type::Counter)
{}

MetricFamily Counter::collect() const
{
    MetricFamily family = emptyFamily();
    forEachChild([this, &family](const QStringList &values, const CounterChild &child) {
        family.samples.append({name(), labelPairs(values), child.value()});
    });
    return family;
}

std::unique_ptr<CounterChild> Counter::createChild() const
{
    return std::make_unique<CounterChild>();
}

} // namespace Gestalt
