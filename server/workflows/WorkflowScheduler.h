// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/WorkflowConfig.h"
#include "shared/Clock.h"

#include <QDateTime>
#include <QObject>

class QTimer;

namespace Gestalt {

class Database;
class DefinitionRepository;
class RunRepository;
class WorkflowMetrics;
class WorkflowService;

// Fires due schedules. Every poll interval it asks the database for unpaused schedules whose
// next_run_at has come and, for each, moves next_run_at forward and inserts the run in one
// transaction; the move is conditional on next_run_at still being the due time, so with several
// replicas exactly one of them fires each occurrence.
//
// Between polls a precise timer wakes the scheduler when the earliest schedule is due before the
// next poll, so a firing is not late by up to a poll interval.
//
// A schedule due while no replica ran (the server was down) fires once, for the latest
// occurrence it missed, when that occurrence is within workflows.missedRunGrace; older ones are
// skipped. Finished runs older than workflows.runRetention are pruned hourly.
class WorkflowScheduler final : public QObject
{
    Q_OBJECT

public:
    WorkflowScheduler(Database &database,
                      DefinitionRepository &definitions,
                      RunRepository &runs,
                      WorkflowService &service,
                      WorkflowMetrics &metrics,
                      const WorkflowsConfig &config,
                      Clock clock,
                      QObject *parent = nullptr);

    void start();
    void stop();
    // One pass over the due schedules (what the timer runs): how many runs it started.
    int tick();

private:
    void prune();
    // Arms m_wake for the earliest due schedule when it comes before the next poll (`progressed`:
    // this tick fired or skipped something, so a schedule already due may be retried at once).
    void armWake(bool progressed);

    Database &m_database;
    DefinitionRepository &m_definitions;
    RunRepository &m_runs;
    WorkflowService &m_service;
    WorkflowMetrics &m_metrics;
    const WorkflowsConfig &m_config;
    Clock m_clock;
    QTimer *m_timer; // child: the poll
    QTimer *m_wake;  // child: single shot at the earliest due time
    QDateTime m_lastPrune;
};

} // namespace Gestalt
