// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/PrometheusText.h"

#include <QList>
#include <QString>

namespace Gestalt {

class MetricsRegistry;

// The standard process metrics of the Prometheus client libraries, read from /proc (Linux) at
// scrape time: process_cpu_seconds_total, process_open_fds, process_max_fds,
// process_virtual_memory_bytes, process_resident_memory_bytes, process_start_time_seconds.
// A value that cannot be read leaves its family without samples.
class ProcessMetrics final
{
public:
    // Reads /proc/self and /proc/stat of this process.
    ProcessMetrics();
    // Reads procRoot/self/{stat,limits,fd} and procRoot/stat, with the given clock ticks per
    // second and page size (for tests).
    ProcessMetrics(QString procRoot, double clockTicksPerSecond, double pageSizeBytes);

    [[nodiscard]] QList<MetricFamily> collect() const;
    // Adds a collector reading these process metrics to registry.
    void install(MetricsRegistry &registry) const;

private:
    QString m_procRoot;
    double m_clockTicksPerSecond;
    double m_pageSizeBytes;
};

} // namespace Gestalt
