// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowMetrics.h"

#include "metrics/Counter.h"
#include "metrics/Histogram.h"
#include "metrics/MetricsRegistry.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

WorkflowMetrics::WorkflowMetrics(MetricsRegistry &registry)
    : m_runsStarted(registry.counter(u"gestaltd_workflow_runs_started_total"_s,
                                     u"Workflow runs created, by what started them."_s,
                                     {u"gestalt_workflow_trigger_kind"_s}))
    , m_runsFinished(registry.counter(u"gestaltd_workflow_runs_finished_total"_s,
                                      u"Workflow runs that reached a final status."_s,
                                      {u"gestalt_workflow_run_status"_s}))
    , m_stepDuration(
          registry.histogram(u"gestaltd_workflow_step_duration_seconds"_s,
                             u"Duration of workflow steps."_s,
                             {u"gestalt_workflow_step_kind"_s, u"gestalt_workflow_step_status"_s}))
    , m_scheduleLag(registry.histogram(
          u"gestaltd_workflow_schedule_lag_seconds"_s,
          u"Delay between the time a schedule was due and the time its run was created."_s,
          {},
          {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900}))
    , m_eventsPublished(registry.counter(u"gestaltd_workflow_events_published_total"_s,
                                         u"Workflow events published."_s))
{}

void WorkflowMetrics::runStarted(const QString &triggerKind)
{
    m_runsStarted.labels({triggerKind}).inc();
}

void WorkflowMetrics::runFinished(WorkflowRun::Status status)
{
    m_runsFinished.labels({name(status)}).inc();
}

void WorkflowMetrics::stepFinished(const QString &kind,
                                   WorkflowRunStep::Status status,
                                   double seconds)
{
    m_stepDuration.labels({kind, name(status)}).observe(seconds);
}

void WorkflowMetrics::scheduleFired(double lagSeconds)
{
    m_scheduleLag.labels().observe(lagSeconds < 0 ? 0 : lagSeconds);
}

void WorkflowMetrics::eventPublished()
{
    m_eventsPublished.labels().inc();
}

} // namespace Gestalt
