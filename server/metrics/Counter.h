// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "metrics/LabeledFamily.h"

#include <atomic>

namespace Gestalt {

// One time series of a counter: only goes up. Lock-free.
class CounterChild final
{
public:
    CounterChild() = default;
    ~CounterChild() = default;
    Q_DISABLE_COPY_MOVE(CounterChild)

    // Adds amount; a negative or NaN amount is a programming error and is ignored (with a warning).
    void inc(double amount = 1);
    [[nodiscard]] double value() const;

private:
    std::atomic<double> m_value = 0;
};

// A counter family, created through MetricsRegistry::counter(). Its name ends in `_total`.
class Counter final : public LabeledFamily<CounterChild>
{
public:
    Counter(QString name, QString help, QStringList labelNames);

    [[nodiscard]] MetricFamily collect() const override;

protected:
    [[nodiscard]] std::unique_ptr<CounterChild> createChild() const override;
};

} // namespace Gestalt
