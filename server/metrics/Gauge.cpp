// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "metrics/Gauge.h"

namespace Gestalt {

void GaugeChild::set(double value)
{
    m_value.store(value, std::memory_order_relaxed);
}

void GaugeChild::inc(double amount)
{
    m_value.fetch_add(amount, std::memory_order_relaxed);
}

void GaugeChild::dec(double amount)
{
    m_value.fetch_sub(amount, std::memory_order_relaxed);
}

double GaugeChild::value() const
{
    return m_value.load(std::memory_order_relaxed);
}

Gauge::Gauge(QString name, QString help, QStringList labelNames)
    : LabeledFamily(
        std::move(name), std::move(help), std::move(labelNames), MetricFamily::Type::Gauge)
{}

MetricFamily Gauge::collect() const
{
    MetricFamily family = emptyFamily();
    forEachChild([this, &family](const QStringList &values, const GaugeChild &child) {
        family.samples.append({name(), labelPairs(values), child.value()});
    });
    return family;
}

std::unique_ptr<GaugeChild> Gauge::createChild() const
{
    return std::make_unique<GaugeChild>();
}

} // namespace Gestalt
