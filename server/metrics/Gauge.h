// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "metrics/LabeledFamily.h"

#include <atomic>

namespace Gestalt {

// One time series of a gauge: goes up and down. Lock-free.
class GaugeChild final
{
public:
    GaugeChild() = default;
    ~GaugeChild() = default;
    Q_DISABLE_COPY_MOVE(GaugeChild)

    void set(double value);
    void inc(double amount = 1);
    void dec(double amount = 1);
    [[nodiscard]] double value() const;

private:
    std::atomic<double> m_value = 0;
};

// A gauge family, created through MetricsRegistry::gauge().
class Gauge final : public LabeledFamily<GaugeChild>
{
public:
    Gauge(QString name, QString help, QStringList labelNames);

    [[nodiscard]] MetricFamily collect() const override;

protected:
    [[nodiscard]] std::unique_ptr<GaugeChild> createChild() const override;
};

} // namespace Gestalt
