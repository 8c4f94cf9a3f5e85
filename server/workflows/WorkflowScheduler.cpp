// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowScheduler.h"

#include "core/Logging.h"
#include "shared/TimeFormat.h"
#include "store/Transaction.h"
#include "workflows/DefinitionRepository.h"
#include "workflows/RunRepository.h"
#include "workflows/WorkflowMetrics.h"
#include "workflows/WorkflowService.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int BatchSize = 100;
constexpr int MaxBatchesPerTick = 50;
// Bound on occurrences walked to find the latest missed one (a minutely schedule down a month).
constexpr int MaxMissedWalk = 50000;

} // namespace

WorkflowScheduler::WorkflowScheduler(Database &database,
                                     DefinitionRepository &definitions,
                                     RunRepository &runs,
                                     WorkflowService &service,
                                     WorkflowMetrics &metrics,
                                     const WorkflowsConfig &config,
                                     Clock clock,
                                     QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_definitions(definitions)
    , m_runs(runs)
    , m_service(service)
    , m_metrics(metrics)
    , m_config(config)
    , m_clock(std::move(clock))
    , m_timer(new QTimer(this))
    , m_wake(new QTimer(this))
{
    connect(m_timer, &QTimer::timeout, this, [this] { tick(); });
    m_wake->setSingleShot(true);
    m_wake->setTimerType(Qt::PreciseTimer);
    connect(m_wake, &QTimer::timeout, this, [this] { tick(); });
}

void WorkflowScheduler::start()
{
    m_timer->start(int(m_config.pollInterval.count()));
    QTimer::singleShot(0, this, [this] { tick(); });
}

void WorkflowScheduler::stop()
{
    m_timer->stop();
    m_wake->stop();
}

void WorkflowScheduler::armWake(bool progressed)
{
    if (!m_timer->isActive()) {
        return; // stopped, or tick() called by hand
    }
    Result<std::optional<QDateTime>> earliest = m_definitions.earliestDue();
    if (!earliest || !*earliest) {
        return;
    }
    // +1 ms: a timer may fire a little early, and next_run_at must have passed by then.
    const qint64 untilDue = m_clock().msecsTo(**earliest);
    if (untilDue <= 0 && !progressed) {
        return; // due but not fired (the store failed?): the poll tries again, no busy loop
    }
    const qint64 delay = std::max<qint64>(0, untilDue) + 1;
    if (delay < m_timer->remainingTime()) {
        m_wake->start(int(delay));
    }
}

int WorkflowScheduler::tick()
{
    int started = 0;
    bool anyAdvanced = false;
    for (int batch = 0; batch < MaxBatchesPerTick; ++batch) {
        const QDateTime now = m_clock();
        Result<QList<WorkflowDefinition>> due = m_definitions.dueSchedules(now, BatchSize);
        if (!due) {
            qCWarning(lcWorkflow) << "workflow: reading due schedules failed:"
                                  << due.error().message;
            break;
        }
        int advanced = 0;
        for (const WorkflowDefinition &schedule : std::as_const(*due)) {
            const QDateTime dueAt = *schedule.nextRunAt;
            // The latest occurrence at or before now (the due one unless the server was away).
            QDateTime latest = dueAt;
            for (int i = 0; i < MaxMissedWalk; ++i) {
                const std::optional<QDateTime> next = m_service.nextRun(schedule, latest);
                if (!next || *next > now) {
                    break;
                }
                latest = *next;
            }
            const qint64 lagMs = latest.msecsTo(now);
            const bool fire = lagMs <= qint64(m_config.missedRunGrace.count());
            const std::optional<QDateTime> next = m_service.nextRun(schedule, now);
            Transaction transaction(m_database);
            Result<bool> ours = m_definitions.advance(transaction, schedule.id, dueAt, next);
            if (!ours) {
                qCWarning(lcWorkflow) << "workflow: advancing schedule" << schedule.id
                                      << "failed:" << ours.error().message;
                continue;
            }
            if (!*ours) {
                continue; // another replica fired it, or it changed meanwhile
            }
            ++advanced;
            anyAdvanced = true;
            std::optional<WorkflowRun> run;
            if (fire) {
                run = m_service.newRun(schedule,
                                       QJsonObject{{u"kind"_s, u"schedule"_s},
                                                   {u"scheduleId"_s, schedule.id},
                                                   {u"scheduledFor"_s, isoUtc(latest)}});
                if (Result<void> stored = m_runs.insert(transaction, *run); !stored) {
                    qCWarning(lcWorkflow) << "workflow: starting a run of schedule" << schedule.id
                                          << "failed:" << stored.error().message;
                    continue;
                }
            }
            if (Result<void> committed = transaction.commit(); !committed) {
                qCWarning(lcWorkflow) << "workflow: firing schedule" << schedule.id
                                      << "failed:" << committed.error().message;
                continue;
            }
            if (!run) {
                qCInfo(lcWorkflow).noquote()
                    << u"workflow: schedule %1 missed its firing at %2 (more than the grace "
                       u"window ago); it next runs at %3"_s.arg(
                           schedule.id, isoUtc(latest), next ? isoUtc(*next) : u"never"_s);
                continue;
            }
            m_metrics.scheduleFired(double(lagMs) / 1000.0);
            m_service.started(*run);
            ++started;
        }
        if (due->size() < BatchSize || advanced == 0) {
            break;
        }
    }
    prune();
    armWake(anyAdvanced);
    return started;
}

void WorkflowScheduler::prune()
{
    const QDateTime now = m_clock();
    if (m_lastPrune.isValid() && m_lastPrune.secsTo(now) < 3600) {
        return;
    }
    m_lastPrune = now;
    Result<int> pruned = m_runs.pruneFinished(now.addMSecs(-m_config.runRetention.count()));
    if (!pruned) {
        qCWarning(lcWorkflow) << "workflow: pruning old runs failed:" << pruned.error().message;
    } else if (*pruned > 0) {
        qCInfo(lcWorkflow) << "workflow: pruned" << *pruned << "finished runs";
    }
}

} // namespace Gestalt
