// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "metrics/ProcessMetrics.h"

#include "core/Logging.h"
#include "metrics/MetricsRegistry.h"

#include <QDir>
#include <QFile>

#include <limits>
#include <optional>

#if defined(Q_OS_UNIX)
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

std::optional<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        qCDebug(lcMetrics) << "cannot read" << path << file.errorString();
        return std::nullopt;
    }
    return file.readAll();
}

// The fields of /proc/<pid>/stat after "(comm)": index 0 is field 3 (state) of proc(5).
QList<QByteArray> statFieldsAfterComm(const QByteArray &stat)
{
    const qsizetype commEnd = stat.lastIndexOf(')'); // comm may contain spaces and ')'
    if (commEnd < 0) {
        return {};
    }
    return stat.mid(commEnd + 1).simplified().split(' ');
}

std::optional<double> fieldAsDouble(const QList<QByteArray> &fields, int procFieldNumber)
{
    const qsizetype index = procFieldNumber - 3;
    if (index < 0 || index >= fields.size()) {
        return std::nullopt;
    }
    bool ok = false;
    const auto value = static_cast<double>(fields.at(index).toULongLong(&ok));
    return ok ? std::optional<double>(value) : std::nullopt;
}

std::optional<double> bootTimeSeconds(const QByteArray &procStat)
{
    for (const QByteArray &line : procStat.split('\n')) {
        if (line.startsWith("btime ")) {
            bool ok = false;
            const auto value = static_cast<double>(line.mid(6).trimmed().toULongLong(&ok));
            return ok ? std::optional<double>(value) : std::nullopt;
        }
    }
    return std::nullopt;
}

std::optional<double> maxOpenFiles(const QByteArray &limits)
{
    for (const QByteArray &line : limits.split('\n')) {
        if (!line.startsWith("Max open files")) {
            continue;
        }
        const QList<QByteArray> columns = line.mid(14).simplified().split(' ');
        if (columns.isEmpty()) {
            return std::nullopt;
        }
        if (columns.constFirst() == "unlimited") {
            return std::numeric_limits<double>::infinity();
        }
        bool ok = false;
        const auto value = static_cast<double>(columns.constFirst().toULongLong(&ok));
        return ok ? std::optional<double>(value) : std::nullopt;
    }
    return std::nullopt;
}

MetricFamily family(const QString &name,
                    const QString &help,
                    MetricFamily::Type type,
                    std::optional<double> value)
{
    MetricFamily result;
    result.name = name;
    result.help = help;
    result.type = type;
    if (value) {
        result.samples.append({name, {}, *value});
    }
    return result;
}

double systemClockTicks()
{
#if defined(Q_OS_UNIX)
    const long ticks = sysconf(_SC_CLK_TCK);
    if (ticks > 0) {
        return static_cast<double>(ticks);
    }
#endif
    return 100;
}

double systemPageSize()
{
#if defined(Q_OS_UNIX)
    const long size = sysconf(_SC_PAGESIZE);
    if (size > 0) {
        return static_cast<double>(size);
    }
#endif
    return 4096;
}

} // namespace

ProcessMetrics::ProcessMetrics()
    : ProcessMetrics(u"/proc"_s, systemClockTicks(), systemPageSize())
{}

ProcessMetrics::ProcessMetrics(QString procRoot, double clockTicksPerSecond, double pageSizeBytes)
    : m_procRoot(std::move(procRoot))
    , m_clockTicksPerSecond(clockTicksPerSecond)
    , m_pageSizeBytes(pageSizeBytes)
{}

QList<MetricFamily> ProcessMetrics::collect() const
{
    std::optional<double> cpuSeconds;
    std::optional<double> startTime;
    std::optional<double> virtualMemory;
    std::optional<double> residentMemory;
    if (const std::optional<QByteArray> stat = readFile(m_procRoot + u"/self/stat")) {
        const QList<QByteArray> fields = statFieldsAfterComm(*stat);
        const std::optional<double> utime = fieldAsDouble(fields, 14);
        const std::optional<double> stime = fieldAsDouble(fields, 15);
        if (utime && stime) {
            cpuSeconds = (*utime + *stime) / m_clockTicksPerSecond;
        }
        const std::optional<double> startTicks = fieldAsDouble(fields, 22);
        const std::optional<QByteArray> procStat = readFile(m_procRoot + u"/stat");
        const std::optional<double> bootTime = procStat ? bootTimeSeconds(*procStat) : std::nullopt;
        if (startTicks && bootTime) {
            startTime = *bootTime + *startTicks / m_clockTicksPerSecond;
        }
        virtualMemory = fieldAsDouble(fields, 23);
        if (const std::optional<double> rssPages = fieldAsDouble(fields, 24)) {
            residentMemory = *rssPages * m_pageSizeBytes;
        }
    }

    std::optional<double> openFds;
    const QDir fdDir(m_procRoot + u"/self/fd");
    if (fdDir.exists()) {
        openFds = static_cast<double>(
            fdDir.entryList(QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot)
                .size());
    }
    std::optional<double> maxFds;
    if (const std::optional<QByteArray> limits = readFile(m_procRoot + u"/self/limits")) {
        maxFds = maxOpenFiles(*limits);
    }

    using Type = MetricFamily::Type;
    return {
        family(u"process_cpu_seconds_total"_s,
               u"Total user and system CPU time spent in seconds."_s,
               Type::Counter,
               cpuSeconds),
        family(u"process_max_fds"_s,
               u"Maximum number of open file descriptors."_s,
               Type::Gauge,
               maxFds),
        family(u"process_open_fds"_s, u"Number of open file descriptors."_s, Type::Gauge, openFds),
        family(u"process_resident_memory_bytes"_s,
               u"Resident memory size in bytes."_s,
               Type::Gauge,
               residentMemory),
        family(u"process_start_time_seconds"_s,
               u"Start time of the process since unix epoch in seconds."_s,
               Type::Gauge,
               startTime),
        family(u"process_virtual_memory_bytes"_s,
               u"Virtual memory size in bytes."_s,
               Type::Gauge,
               virtualMemory),
    };
}

void ProcessMetrics::install(MetricsRegistry &registry) const
{
    registry.addCollector([metrics = *this] { return metrics.collect(); });
}

} // namespace Gestalt
