// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/RunExecutor.h"

#include "core/Logging.h"
#include "crypto/Random.h"
#include "http/HttpResponse.h"
#include "invocation/InvocationService.h"
#include "shared/JsonPath.h"
#include "store/SqlDialect.h"
#include "workflows/AgentStepRunner.h"
#include "workflows/RunRepository.h"
#include "workflows/WorkflowMetrics.h"
#include "workflows/WorkflowValue.h"

#include <QJsonArray>
#include <QTimer>

#include <optional>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int MaxErrorBodyChars = 300;

QString stepKind(const WorkflowStep &step)
{
    return step.kind == WorkflowStep::Kind::Agent ? u"agent"_s : u"app"_s;
}

// The text of an MCP CallToolResult's content, for an isError result.
QString toolErrorText(const QJsonObject &result)
{
    QStringList parts;
    for (const auto &item : result.value(u"content"_s).toArray()) {
        if (item[u"type"_s].toString() == u"text") {
            parts.append(item[u"text"_s].toString());
        }
    }
    return parts.isEmpty() ? u"the tool reported an error"_s
                           : parts.join(u' ').left(MaxErrorBodyChars);
}

// The first step still to run.
std::optional<int> nextPending(const WorkflowRun &run)
{
    for (int i = 0; i < run.steps.size(); ++i) {
        if (run.steps.at(i).status == WorkflowRunStep::Status::Pending) {
            return i;
        }
    }
    return std::nullopt;
}

// How errors about a step's input (or an agent step's prompt) name it.
QString inputWhere(const WorkflowStep &step)
{
    return u"workflow step \"%1\" input"_s.arg(step.id);
}

// An app step's output from its invocation: an MCP tool's structured content (or the whole
// result), else the upstream's JSON body (its text when not JSON); 4xx/5xx and tool errors fail.
void deliver(const Result<InvocationResult> &result,
             const QString &app,
             const QString &operation,
             const std::function<void(Result<QJsonValue>, int)> &done)
{
    if (!result) {
        done(Error{result.error().code, publicMessage(result.error())}, 0);
        return;
    }
    if (result->toolResult) {
        const QJsonObject &tool = *result->toolResult;
        if (tool.value(u"isError"_s).toBool()) {
            done(Error::invalid(toolErrorText(tool)), result->status);
            return;
        }
        done(tool.contains(u"structuredContent"_s) ? tool.value(u"structuredContent"_s)
                                                   : QJsonValue(tool),
             result->status);
        return;
    }
    QJsonValue body = parseJsonValue(result->body);
    if (body.isUndefined()) {
        body = result->body.isEmpty() ? QJsonValue() : QJsonValue(QString::fromUtf8(result->body));
    }
    if (result->status >= 400) {
        done(Error::invalid(u"app \"%1\" operation \"%2\" answered %3: %4"_s.arg(
                 app,
                 operation,
                 QString::number(result->status),
                 QString::fromUtf8(result->body).simplified().left(MaxErrorBodyChars))),
             result->status);
        return;
    }
    done(body, result->status);
}

} // namespace

struct RunExecutor::Active
{
    WorkflowRun run;
    std::shared_ptr<UpstreamCall> call;
    bool stepInFlight = false;
    QElapsedTimer stepTimer;
    bool cancel = false;
    QString cancelReason;
    bool dropped = false;
};

RunExecutor::RunExecutor(RunRepository &runs,
                         InvocationService &invocations,
                         WorkflowMetrics &metrics,
                         const WorkflowsConfig &config,
                         Clock clock,
                         QObject *parent)
    : QObject(parent)
    , m_runs(runs)
    , m_invocations(invocations)
    , m_metrics(metrics)
    , m_config(config)
    , m_clock(std::move(clock))
    , m_replicaId(u"replica-"_s + Crypto::randomHex(8))
    , m_poll(new QTimer(this))
{
    connect(m_poll, &QTimer::timeout, this, &RunExecutor::poll);
}

RunExecutor::~RunExecutor()
{
    for (const std::shared_ptr<Active> &active : std::as_const(m_active)) {
        active->dropped = true;
        if (active->call) {
            active->call->abort();
        }
    }
}

bool RunExecutor::hasAgentProvider(const QString &provider) const
{
    return m_agents != nullptr && m_agents->hasProvider(provider);
}

void RunExecutor::start()
{
    m_stopping = false;
    m_poll->start(int(m_config.pollInterval.count()));
    QTimer::singleShot(0, this, &RunExecutor::poll);
}

void RunExecutor::stop()
{
    m_stopping = true;
    m_poll->stop();
    // Runs between steps are let go at once; the others when their step ends.
    const QList<std::shared_ptr<Active>> active = m_active.values();
    for (const std::shared_ptr<Active> &run : active) {
        if (!run->stepInFlight) {
            save(run);
            m_active.remove(run->run.id);
        }
    }
}

int RunExecutor::activeSteps() const
{
    int count = 0;
    for (const std::shared_ptr<Active> &active : m_active) {
        count += active->stepInFlight ? 1 : 0;
    }
    return count;
}

QDateTime RunExecutor::leaseUntil() const
{
    if (m_stopping) {
        return m_clock().addMSecs(-1); // released: anyone may claim it now
    }
    return m_clock().addMSecs(m_config.runLease.count());
}

void RunExecutor::enqueue(const QString &runId)
{
    if (m_stopping || m_active.contains(runId)) {
        return;
    }
    if (m_active.size() >= m_config.maxConcurrentRuns) {
        m_backlog = true; // taken when a slot frees (fill()), or by another replica's poll
        return;
    }
    Result<std::optional<WorkflowRun>> run =
        m_runs.claim(runId, m_replicaId, m_clock(), leaseUntil());
    if (!run) {
        qCWarning(lcWorkflow) << "workflow: claiming run" << runId
                              << "failed:" << run.error().message;
        return;
    }
    if (*run) {
        begin(std::move(**run));
    }
}

void RunExecutor::adopt(WorkflowRun run)
{
    if (m_stopping || m_active.contains(run.id)) {
        return; // its lease lapses and whoever polls next takes it
    }
    begin(std::move(run));
}

void RunExecutor::poll()
{
    if (m_stopping) {
        return;
    }
    if (!m_active.isEmpty()) {
        Result<QHash<QString, QString>> canceled =
            m_runs.renew(m_active.keys(), m_replicaId, leaseUntil());
        if (!canceled) {
            qCWarning(lcWorkflow) << "workflow: renewing run leases failed:"
                                  << canceled.error().message;
        } else {
            for (auto it = canceled->begin(); it != canceled->end(); ++it) {
                cancelLocal(it.key(), it.value());
            }
        }
    }
    fill();
}

void RunExecutor::fill()
{
    m_fillScheduled = false;
    const int room = m_config.maxConcurrentRuns - int(m_active.size());
    if (m_stopping || room <= 0) {
        return;
    }
    Result<QStringList> ids = m_runs.claimable(m_clock(), room);
    if (!ids) {
        qCWarning(lcWorkflow) << "workflow: looking for runs failed:" << ids.error().message;
        return;
    }
    // A full page means more may wait: look again as soon as a slot frees.
    m_backlog = ids->size() == room;
    for (const QString &id : std::as_const(*ids)) {
        enqueue(id);
    }
}

void RunExecutor::slotFreed()
{
    if (m_backlog && !m_fillScheduled && !m_stopping) {
        m_fillScheduled = true;
        QTimer::singleShot(0, this, &RunExecutor::fill);
    }
}

void RunExecutor::begin(WorkflowRun run)
{
    auto active = std::make_shared<Active>();
    active->run = std::move(run);
    m_active.insert(active->run.id, active);
    WorkflowRun &r = active->run;
    for (WorkflowRunStep &step : r.steps) {
        if (step.status == WorkflowRunStep::Status::Running) {
            // Its replica went away mid-step: the upstream may have acted, so no second try.
            step.status = WorkflowRunStep::Status::Failed;
            step.completedAt = SqlDialect::stored(m_clock());
            step.error = u"interrupted: the server stopped while this step ran; it was not "
                         u"repeated"_s;
            finish(active,
                   WorkflowRun::Status::Failed,
                   u"run interrupted during step \"%1\" (the server stopped)"_s.arg(step.id));
            return;
        }
    }
    if (r.cancelRequested) {
        active->cancel = true;
        active->cancelReason = r.cancelReason;
    }
    runNext(active);
}

QJsonObject RunExecutor::contextOf(const WorkflowRun &run) const
{
    QJsonObject steps;
    for (const WorkflowRunStep &step : run.steps) {
        if (step.status == WorkflowRunStep::Status::Succeeded) {
            steps.insert(step.id, QJsonObject{{u"output"_s, step.output}});
        }
    }
    QJsonObject trigger = run.trigger;
    QJsonObject context{{u"trigger"_s, trigger}, {u"steps"_s, steps}};
    if (trigger.contains(u"event"_s)) {
        context.insert(u"event"_s, trigger.value(u"event"_s));
    }
    return context;
}

void RunExecutor::runNext(const std::shared_ptr<Active> &active)
{
    WorkflowRun &run = active->run;
    if (active->cancel) {
        finish(active,
               WorkflowRun::Status::Canceled,
               active->cancelReason.isEmpty() ? u"canceled"_s
                                              : u"canceled: "_s + active->cancelReason);
        return;
    }
    const std::optional<int> index = nextPending(run);
    if (!index) {
        run.result = run.steps.isEmpty() ? QJsonValue() : run.steps.last().output;
        finish(active, WorkflowRun::Status::Succeeded, QString());
        return;
    }
    if (m_stopping) {
        save(active);
        m_active.remove(run.id);
        return;
    }
    const QDateTime now = SqlDialect::stored(m_clock());
    run.status = WorkflowRun::Status::Running;
    if (!run.startedAt) {
        run.startedAt = now;
    }
    WorkflowRunStep &state = run.steps[*index];
    state.status = WorkflowRunStep::Status::Running;
    state.startedAt = now;
    if (!save(active)) {
        return;
    }
    active->stepInFlight = true;
    active->stepTimer.start();

    std::weak_ptr<Active> weak = active;
    const StepDone done = [this, weak, index = *index](Result<QJsonValue> output, int httpStatus) {
        if (std::shared_ptr<Active> alive = weak.lock(); alive && !alive->dropped) {
            stepDone(alive, index, std::move(output), httpStatus);
        }
    };
    const WorkflowStep &step = run.target.steps.at(*index);
    if (step.kind == WorkflowStep::Kind::Agent) {
        runAgentStep(active, step, done);
    } else {
        runAppStep(active, step, done);
    }
}

void RunExecutor::failSoon(const StepDone &done, const Error &error)
{
    QTimer::singleShot(0, this, [done, error] { done(error, 0); });
}

void RunExecutor::runAgentStep(const std::shared_ptr<Active> &active,
                               const WorkflowStep &step,
                               const StepDone &done)
{
    const WorkflowRun &run = active->run;
    QJsonObject agent = step.agent;
    if (agent.value(u"prompt"_s).isString()) {
        // A prompt may use {{ path }} placeholders like a template value.
        Result<QJsonValue> prompt =
            WorkflowValue::resolve(QJsonObject{{u"template"_s, agent.value(u"prompt"_s)}},
                                   contextOf(run),
                                   inputWhere(step));
        if (!prompt) {
            failSoon(done, prompt.error());
            return;
        }
        agent.insert(u"prompt"_s, *prompt);
    }
    if (m_agents == nullptr || !m_agents->hasProvider(agent.value(u"provider"_s).toString())) {
        failSoon(done,
                 Error::invalid(u"agent provider \"%1\" is not configured"_s.arg(
                     agent.value(u"provider"_s).toString())));
        return;
    }
    active->call = m_agents->runStep(
        run.authority.principal(), run.id, step, agent, [done](Result<QJsonValue> out) {
            done(std::move(out), 0);
        });
}

void RunExecutor::runAppStep(const std::shared_ptr<Active> &active,
                             const WorkflowStep &step,
                             const StepDone &done)
{
    const WorkflowRun &run = active->run;
    const QString where = inputWhere(step);
    Result<QJsonValue> input = step.input.isUndefined()
                                   ? Result<QJsonValue>(QJsonValue(QJsonObject()))
                                   : WorkflowValue::resolve(step.input, contextOf(run), where);
    if (input && !input->isObject()) {
        input = Error::invalid(where + u" must resolve to an object"_s);
    }
    if (!input) {
        failSoon(done, input.error());
        return;
    }
    InvocationRequest request;
    request.principal = run.authority.principal();
    request.app = step.app;
    request.operation = step.operation;
    request.params = input->toObject();
    request.connection = step.connection;
    request.instance = step.instance;
    request.surface = u"workflow"_s;
    // No HTTP request here: the invocation's audit record names the workflow and its run.
    request.audit.source = u"workflow"_s;
    request.audit.requestId = run.id;
    active->call = m_invocations.invoke(
        request,
        [done, app = step.app, operation = step.operation](const Result<InvocationResult> &result) {
            deliver(result, app, operation, done);
        });
}

void RunExecutor::stepDone(const std::shared_ptr<Active> &active,
                           int index,
                           Result<QJsonValue> output,
                           int httpStatus)
{
    active->call.reset();
    active->stepInFlight = false;
    WorkflowRun &run = active->run;
    WorkflowRunStep &state = run.steps[index];
    const WorkflowStep &step = run.target.steps.at(index);
    state.completedAt = SqlDialect::stored(m_clock());
    state.httpStatus = httpStatus;
    if (active->cancel) {
        state.status = WorkflowRunStep::Status::Canceled;
        state.error = u"canceled while running"_s;
    } else if (output) {
        state.status = WorkflowRunStep::Status::Succeeded;
        state.output = *output;
    } else {
        state.status = WorkflowRunStep::Status::Failed;
        state.error = output.error().message;
    }
    m_metrics.stepFinished(
        stepKind(step), state.status, double(active->stepTimer.nsecsElapsed()) / 1e9);
    if (state.status == WorkflowRunStep::Status::Failed) {
        finish(active,
               WorkflowRun::Status::Failed,
               u"step \"%1\" failed: %2"_s.arg(step.id, state.error));
        return;
    }
    runNext(active);
}

void RunExecutor::finish(const std::shared_ptr<Active> &active,
                         WorkflowRun::Status status,
                         const QString &message)
{
    WorkflowRun &run = active->run;
    run.status = status;
    run.statusMessage = message;
    run.completedAt = SqlDialect::stored(m_clock());
    for (WorkflowRunStep &step : run.steps) {
        if (step.status == WorkflowRunStep::Status::Pending
            || step.status == WorkflowRunStep::Status::Running) {
            step.status = status == WorkflowRun::Status::Canceled
                              ? WorkflowRunStep::Status::Canceled
                              : WorkflowRunStep::Status::Skipped;
        }
    }
    if (save(active)) {
        m_metrics.runFinished(status);
        m_active.remove(run.id);
        slotFreed();
    }
}

bool RunExecutor::save(const std::shared_ptr<Active> &active)
{
    Result<bool> held = m_runs.save(active->run, m_replicaId, leaseUntil());
    if (held && *held) {
        return true;
    }
    if (!held) {
        qCWarning(lcWorkflow) << "workflow: saving run" << active->run.id
                              << "failed:" << held.error().message;
    } else {
        qCWarning(lcWorkflow) << "workflow: lost the lease of run" << active->run.id
                              << "; another replica executes it";
    }
    // Without a store we can't keep going safely; the lease expires and the run is taken over.
    active->dropped = true;
    if (active->call) {
        active->call->abort();
        active->call.reset();
    }
    active->stepInFlight = false;
    m_active.remove(active->run.id);
    slotFreed();
    return false;
}

bool RunExecutor::cancelLocal(const QString &runId, const QString &reason)
{
    const std::shared_ptr<Active> active = m_active.value(runId);
    if (!active) {
        return false;
    }
    active->cancel = true;
    active->cancelReason = reason;
    if (active->stepInFlight) {
        // End the step now; its call's late answer finds the run gone and is ignored.
        const std::shared_ptr<UpstreamCall> call = std::exchange(active->call, {});
        int index = 0;
        while (index < active->run.steps.size()
               && active->run.steps.at(index).status != WorkflowRunStep::Status::Running) {
            ++index;
        }
        if (index < active->run.steps.size()) {
            stepDone(active, index, Error::internal(u"canceled"_s), 0);
        }
        active->dropped = true;
        if (call) {
            call->abort();
        }
    } else {
        runNext(active);
    }
    return true;
}

} // namespace Gestalt
