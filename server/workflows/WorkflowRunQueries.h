// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Clock.h"
#include "shared/Result.h"
#include "workflows/WorkflowRecords.h"

namespace Gestalt {

class RunExecutor;
class RunRepository;
class WorkflowMetrics;

// The caller's workflow runs through the API: list, read and cancel. Someone else's runs, and the
// owner's own ones beyond the scope of the token asking, answer 404 (WorkflowService::visibleTo).
class WorkflowRunQueries final
{
public:
    // `executor` (may be null) stops a run it executes at once when it is canceled.
    WorkflowRunQueries(RunRepository &runs,
                       WorkflowMetrics &metrics,
                       RunExecutor *executor,
                       Clock clock);

    // status: the filter's text as given (empty: any); an unknown one is a 400.
    [[nodiscard]] Result<RunPage>
    list(const Principal &caller, RunFilter filter, const QString &status);
    [[nodiscard]] Result<WorkflowRun> get(const Principal &caller, const QString &id);
    [[nodiscard]] Result<WorkflowRun>
    cancel(const Principal &caller, const QString &id, const QString &reason);

private:
    RunRepository &m_runs;
    WorkflowMetrics &m_metrics;
    RunExecutor *m_executor;
    Clock m_clock;
};

} // namespace Gestalt
