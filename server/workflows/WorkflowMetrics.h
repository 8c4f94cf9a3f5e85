// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "workflows/WorkflowRecords.h"

#include <QString>

namespace Gestalt {

class Counter;
class Histogram;
class MetricsRegistry;

// The workflow engine's metric families (registered at construction, so /metrics shows their
// HELP and TYPE before the first run). Label values are bounded: kinds and statuses only.
class WorkflowMetrics final
{
public:
    explicit WorkflowMetrics(MetricsRegistry &registry);

    // gestaltd_workflow_runs_started_total{gestalt_workflow_trigger_kind}
    void runStarted(const QString &triggerKind);
    // gestaltd_workflow_runs_finished_total{gestalt_workflow_run_status}
    void runFinished(WorkflowRun::Status status);
    // gestaltd_workflow_step_duration_seconds{gestalt_workflow_step_kind,gestalt_workflow_step_status}
    void stepFinished(const QString &kind, WorkflowRunStep::Status status, double seconds);
    // gestaltd_workflow_schedule_lag_seconds: firing time minus the time it was due.
    void scheduleFired(double lagSeconds);
    // gestaltd_workflow_events_published_total
    void eventPublished();

private:
    Counter &m_runsStarted;
    Counter &m_runsFinished;
    Histogram &m_stepDuration;
    Histogram &m_scheduleLag;
    Counter &m_eventsPublished;
};

} // namespace Gestalt
