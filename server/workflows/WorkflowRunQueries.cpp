// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowRunQueries.h"

#include "workflows/RunExecutor.h"
#include "workflows/RunRepository.h"
#include "workflows/WorkflowMetrics.h"
#include "workflows/WorkflowService.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

WorkflowRunQueries::WorkflowRunQueries(RunRepository &runs,
                                       WorkflowMetrics &metrics,
                                       RunExecutor *executor,
                                       Clock clock)
    : m_runs(runs)
    , m_metrics(metrics)
    , m_executor(executor)
    , m_clock(std::move(clock))
{}

Result<RunPage>
WorkflowRunQueries::list(const Principal &caller, RunFilter filter, const QString &status)
{
    if (Result<void> ok = WorkflowService::requireSubject(caller); !ok) {
        return ok.error();
    }
    if (!status.isEmpty()) {
        filter.status = parseRunStatus(status);
        if (!filter.status) {
            return Error::invalid(u"status must be one of %1"_s.arg(runStatusNames()));
        }
    }
    filter.ownerSubjectId = caller.subjectId;
    Result<RunPage> page = m_runs.list(filter);
    if (!page) {
        return page;
    }
    // A scoped token sees only the runs within its scope (the page may come out shorter).
    page->runs.removeIf(
        [&caller](const WorkflowRun &run) { return !WorkflowService::visibleTo(caller, run); });
    return page;
}

Result<WorkflowRun> WorkflowRunQueries::get(const Principal &caller, const QString &id)
{
    if (Result<void> ok = WorkflowService::requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<std::optional<WorkflowRun>> run = m_runs.find(id);
    if (!run) {
        return run.error();
    }
    if (!*run || !WorkflowService::visibleTo(caller, **run)) {
        return Error::notFound(u"workflow run \"%1\" not found"_s.arg(id));
    }
    return **run;
}

Result<WorkflowRun>
WorkflowRunQueries::cancel(const Principal &caller, const QString &id, const QString &reason)
{
    Result<WorkflowRun> current = get(caller, id);
    if (!current) {
        return current;
    }
    Result<WorkflowRun> run = m_runs.requestCancel(id, reason, m_clock());
    if (!run) {
        return run;
    }
    if (run->status == WorkflowRun::Status::Canceled) {
        m_metrics.runFinished(run->status);
        return run;
    }
    // Executed here: stop it now. Elsewhere: its replica sees the request on its next renewal.
    if (m_executor && m_executor->cancelLocal(id, reason)) {
        Result<WorkflowRun> after = get(caller, id);
        return after ? after : run;
    }
    return run;
}

} // namespace Gestalt
