// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/WorkflowConfig.h"
#include "shared/Clock.h"
#include "shared/Result.h"
#include "workflows/WorkflowRecords.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>

#include <functional>
#include <memory>

class QTimer;

namespace Gestalt {

class AgentStepRunner;
class InvocationService;
class RunRepository;
class UpstreamCall;
class WorkflowMetrics;

// Executes workflow runs on this replica, step by step, never blocking the event loop.
//
// A replica runs a run only while it holds the run's lease in the database (claimed on enqueue()
// or when polling finds runs nobody holds; renewed on every poll; every write is conditional on
// it), so with several replicas each run executes in one place. App steps go through
// InvocationService as the run's authority (the same path and access check as REST); agent steps
// through the AgentStepRunner.
//
// After a crash the lease expires and the run is taken over: if no step was in flight it resumes
// at its next step; a step that was in flight may have had effects upstream, so it is not
// repeated — the step and the run fail with "interrupted". A graceful stop lets in-flight steps
// finish and releases the leases, so the next start resumes those runs at once.
class RunExecutor final : public QObject
{
    Q_OBJECT

public:
    RunExecutor(RunRepository &runs,
                InvocationService &invocations,
                WorkflowMetrics &metrics,
                const WorkflowsConfig &config,
                Clock clock,
                QObject *parent = nullptr);
    ~RunExecutor() override;
    Q_DISABLE_COPY_MOVE(RunExecutor)

    void setAgentSteps(AgentStepRunner *agents) { m_agents = agents; }
    [[nodiscard]] bool hasAgentProvider(const QString &provider) const;

    void start();
    // No new runs or steps; in-flight steps finish (see activeSteps()).
    void stop();
    [[nodiscard]] int activeSteps() const;
    [[nodiscard]] const QString &replicaId() const { return m_replicaId; }

    // A run was created: claim and start it now when there is room (else polling will).
    void enqueue(const QString &runId);
    // Whether a new run could start here now; a run created with this replica's lease
    // (leaseUntil()) is then handed over with adopt(), without claiming it again.
    [[nodiscard]] bool hasRoom() const
    {
        return !m_stopping && m_active.size() < m_config.maxConcurrentRuns;
    }
    [[nodiscard]] QDateTime leaseUntil() const;
    void adopt(WorkflowRun run);
    // Cancels a run executing here: aborts its in-flight call and marks it canceled. False when
    // the run does not execute on this replica.
    bool cancelLocal(const QString &runId, const QString &reason);

private:
    struct Active;

    void poll();
    // Claims unheld runs up to maxConcurrentRuns.
    void fill();
    // A run left this replica: claim waiting runs soon when some were left waiting.
    void slotFreed();
    void begin(WorkflowRun run);
    // A step's end: its output (or error) and the upstream's HTTP status (0 when none).
    using StepDone = std::function<void(Result<QJsonValue>, int)>;

    // Starts the run's next pending step, or finishes the run.
    void runNext(const std::shared_ptr<Active> &active);
    void runAgentStep(const std::shared_ptr<Active> &active,
                      const WorkflowStep &step,
                      const StepDone &done);
    void runAppStep(const std::shared_ptr<Active> &active,
                    const WorkflowStep &step,
                    const StepDone &done);
    // Ends the step with `error` from the event loop (never inside runNext()).
    void failSoon(const StepDone &done, const Error &error);
    void stepDone(const std::shared_ptr<Active> &active,
                  int index,
                  Result<QJsonValue> output,
                  int httpStatus);
    void finish(const std::shared_ptr<Active> &active,
                WorkflowRun::Status status,
                const QString &message);
    // Saves the run; false (and the run is dropped here) when the lease was lost.
    bool save(const std::shared_ptr<Active> &active);
    [[nodiscard]] QJsonObject contextOf(const WorkflowRun &run) const;

    RunRepository &m_runs;
    InvocationService &m_invocations;
    WorkflowMetrics &m_metrics;
    const WorkflowsConfig &m_config;
    Clock m_clock;
    AgentStepRunner *m_agents = nullptr;
    QString m_replicaId;
    QTimer *m_poll; // child
    bool m_stopping = false;
    bool m_backlog = false; // runs may be waiting for a slot here
    bool m_fillScheduled = false;
    QHash<QString, std::shared_ptr<Active>> m_active;
};

} // namespace Gestalt
