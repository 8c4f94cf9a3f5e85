// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/TurnRunner.h"

#include "agents/AgentDisplay.h"
#include "agents/AgentRepository.h"
#include "core/Logging.h"
#include "crypto/Random.h"
#include "http/HttpResponse.h"
#include "invocation/InvocationService.h"
#include "shared/JsonPath.h"
#include "store/SqlDialect.h"

#include <QJsonDocument>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// What the model gets back from one tool call, and what an event shows of it.
constexpr qsizetype MaxToolResultChars = qsizetype{100} * 1024;
constexpr qsizetype MaxEventOutputChars = qsizetype{16} * 1024;

// A value for an event: as it is when small, else its text cut short.
QJsonValue forEvent(const QJsonValue &value)
{
    const QString text = jsonText(value);
    if (text.size() <= MaxEventOutputChars) {
        return value;
    }
    return QString(text.left(MaxEventOutputChars) + u"…"_s);
}

} // namespace

struct TurnRunner::Active
{
    AgentTurn turn;
    Principal principal;
    ModelProvider *model = nullptr;
    QList<AgentTool> tools;
    QList<ModelMessage> conversation;
    std::shared_ptr<UpstreamCall> call; // the model request or tool call in flight
    int modelCalls = 0;
    qint64 promptTokens = 0; // summed over the turn's model calls, when the provider says
    qint64 completionTokens = 0;
    QList<ModelToolCall> pendingCalls; // of the model's last answer, not run yet
    QString waitingInteraction;        // while waiting_for_input
    ModelToolCall waitingCall;
    AgentTool waitingTool;
    bool done = false;
};

TurnRunner::TurnRunner(AgentRepository &repository,
                       InvocationService &invocations,
                       Settings settings,
                       Clock clock,
                       QObject *parent)
    : QObject(parent)
    , m_repository(repository)
    , m_invocations(invocations)
    , m_settings(settings)
    , m_clock(std::move(clock))
    , m_replicaId(u"replica-"_s + Crypto::randomHex(8))
    , m_poll(new QTimer(this))
{
    connect(m_poll, &QTimer::timeout, this, &TurnRunner::poll);
}

TurnRunner::~TurnRunner()
{
    for (const std::shared_ptr<Active> &active : std::as_const(m_active)) {
        active->done = true;
        if (active->call) {
            std::exchange(active->call, {})->abort();
        }
    }
}

QDateTime TurnRunner::leaseUntil() const
{
    return m_clock().addMSecs(m_settings.lease.count());
}

void TurnRunner::start()
{
    m_poll->start(int(m_settings.pollInterval.count()));
    QTimer::singleShot(0, this, &TurnRunner::poll);
}

void TurnRunner::stop()
{
    m_poll->stop();
    const QList<std::shared_ptr<Active>> active = m_active.values();
    for (const std::shared_ptr<Active> &turn : active) {
        finish(turn,
               AgentTurn::Status::Failed,
               u"interrupted: the server stopped while this turn ran"_s);
    }
}

void TurnRunner::run(const AgentTurn &turn,
                     const Principal &principal,
                     ModelProvider &model,
                     QList<AgentTool> tools,
                     QList<ModelMessage> history)
{
    auto active = std::make_shared<Active>();
    active->turn = turn;
    active->principal = principal;
    active->model = &model;
    active->tools = std::move(tools);
    active->conversation = std::move(history);
    m_active.insert(turn.id, active);
    active->turn.startedAt = SqlDialect::stored(m_clock());
    setStatus(active, AgentTurn::Status::Running);
    emitEvent(active,
              u"turn.started"_s,
              {{u"provider"_s, turn.provider},
               {u"model"_s, turn.model},
               {u"tools"_s, int(active->tools.size())}});
    // Ask on the next turn of the event loop: the create request is answered first.
    std::weak_ptr<Active> weak = active;
    QTimer::singleShot(0, this, [this, weak] {
        if (std::shared_ptr<Active> alive = weak.lock(); alive && !alive->done) {
            askModel(alive);
        }
    });
}

void TurnRunner::askModel(const std::shared_ptr<Active> &active)
{
    if (++active->modelCalls > m_settings.maxModelCalls) {
        finish(active,
               AgentTurn::Status::Failed,
               u"the model kept calling tools: stopped after %1 model calls"_s.arg(
                   m_settings.maxModelCalls));
        return;
    }
    ModelRequest request;
    request.model = active->turn.model;
    request.messages = active->conversation;
    for (const AgentTool &tool : std::as_const(active->tools)) {
        request.tools.append(tool.definition());
    }
    request.responseSchema = active->turn.request.value(u"responseSchema"_s).toObject();
    request.modelOptions = active->turn.request.value(u"modelOptions"_s).toObject();
    request.turnId = active->turn.id;
    const QString source = u"provider:"_s + active->turn.provider;
    std::weak_ptr<Active> weak = active;
    ModelStreamSink sink;
    sink.textDelta = [this, weak, source](const QString &text) {
        if (std::shared_ptr<Active> alive = weak.lock(); alive && !alive->done) {
            emitEvent(alive, u"assistant.delta"_s, {{u"text"_s, text}}, source);
        }
    };
    sink.reasoningDelta = [this, weak, source](const QString &text) {
        if (std::shared_ptr<Active> alive = weak.lock(); alive && !alive->done) {
            emitEvent(alive, u"reasoning.delta"_s, {{u"text"_s, text}}, source);
        }
    };
    active->call = active->model->complete(request, sink, [this, weak](Result<ModelReply> reply) {
        if (std::shared_ptr<Active> alive = weak.lock(); alive && !alive->done) {
            alive->call.reset();
            modelAnswered(alive, std::move(reply));
        }
    });
}

void TurnRunner::modelAnswered(const std::shared_ptr<Active> &active, Result<ModelReply> reply)
{
    if (!reply) {
        finish(active, AgentTurn::Status::Failed, reply.error().message);
        return;
    }
    active->promptTokens += reply->usage.value(u"promptTokens"_s).toInteger();
    active->completionTokens += reply->usage.value(u"completionTokens"_s).toInteger();
    const QString source = u"provider:"_s + active->turn.provider;
    if (!reply->text.isEmpty()) {
        emitEvent(active, u"assistant.completed"_s, {{u"text"_s, reply->text}}, source);
    }
    ModelMessage said;
    said.role = ModelMessage::Role::Assistant;
    said.text = reply->text;
    said.toolCalls = reply->toolCalls;
    active->conversation.append(said);
    if (!reply->toolCalls.isEmpty()) {
        active->pendingCalls = reply->toolCalls;
        nextTool(active);
        return;
    }
    active->turn.outputText = reply->text;
    if (reply->structured) {
        active->turn.structuredOutput = *reply->structured;
    }
    finish(active, AgentTurn::Status::Succeeded, QString());
}

void TurnRunner::nextTool(const std::shared_ptr<Active> &active)
{
    if (active->pendingCalls.isEmpty()) {
        askModel(active);
        return;
    }
    const ModelToolCall call = active->pendingCalls.takeFirst();
    const AgentTool *tool = nullptr;
    for (const AgentTool &candidate : std::as_const(active->tools)) {
        if (candidate.name == call.name) {
            tool = &candidate;
        }
    }
    if (!tool) {
        const QString error = u"unknown tool \"%1\" (not offered to this turn)"_s.arg(call.name);
        toolDone(active,
                 call,
                 {{u"toolCallId"_s, call.id}, {u"tool"_s, call.name}, {u"error"_s, error}},
                 QJsonObject{{u"error"_s, error}},
                 true);
        return;
    }
    if (!tool->needsApproval) {
        callTool(active, *tool, call);
        return;
    }
    AgentInteraction interaction;
    interaction.id = Crypto::uuidV4();
    interaction.turnId = active->turn.id;
    interaction.type = u"approval"_s;
    interaction.title = u"Approve %1"_s.arg(tool->name);
    interaction.prompt = tool->isUpstreamMcp()
                             ? u"Allow this turn to call the MCP tool %1 on app \"%2\"?"_s.arg(
                                 tool->operation.id, tool->app)
                             : u"Allow this turn to call %1 %2 on app \"%3\"?"_s.arg(
                                 tool->operation.method, tool->operation.id, tool->app);
    interaction.request = {{u"toolCallId"_s, call.id},
                           {u"tool"_s, tool->name},
                           {u"app"_s, tool->app},
                           {u"operation"_s, tool->operation.id},
                           {u"method"_s, tool->operation.method},
                           {u"arguments"_s, call.arguments}};
    interaction.createdAt = SqlDialect::stored(m_clock());
    if (Result<void> stored = m_repository.insertInteraction(interaction); !stored) {
        finish(active, AgentTurn::Status::Failed, u"could not store the approval request"_s);
        return;
    }
    active->waitingInteraction = interaction.id;
    active->waitingCall = call;
    active->waitingTool = *tool;
    emitEvent(active,
              u"interaction.requested"_s,
              {{u"interactionId"_s, interaction.id},
               {u"type"_s, interaction.type},
               {u"title"_s, interaction.title},
               {u"prompt"_s, interaction.prompt},
               {u"request"_s, interaction.request}});
    setStatus(active, AgentTurn::Status::WaitingForInput);
}

void TurnRunner::interactionResolved(const QString &turnId, const QString &interactionId)
{
    const std::shared_ptr<Active> active = m_active.value(turnId);
    if (!active || active->waitingInteraction != interactionId) {
        return;
    }
    Result<std::optional<AgentInteraction>> found = m_repository.findInteraction(interactionId);
    if (!found || !*found || (*found)->state != AgentInteraction::State::Resolved) {
        return;
    }
    const QJsonValue resolution = (*found)->resolution;
    const QJsonObject r = resolution.toObject();
    const bool approved = r.value(u"approved"_s).toBool()
                          || r.value(u"decision"_s).toString() == u"approve"
                          || r.value(u"decision"_s).toString() == u"approved";
    approvalDecided(active, approved, resolution);
}

void TurnRunner::approvalDecided(const std::shared_ptr<Active> &active,
                                 bool approved,
                                 const QJsonValue &resolution)
{
    const QString interactionId = std::exchange(active->waitingInteraction, {});
    emitEvent(active,
              u"interaction.resolved"_s,
              {{u"interactionId"_s, interactionId},
               {u"approved"_s, approved},
               {u"resolution"_s, resolution}});
    setStatus(active, AgentTurn::Status::Running);
    if (approved) {
        callTool(active, active->waitingTool, active->waitingCall);
        return;
    }
    const ModelToolCall call = active->waitingCall;
    const QString error = u"denied: the operator did not approve this call"_s;
    toolDone(active,
             call,
             {{u"toolCallId"_s, call.id}, {u"tool"_s, call.name}, {u"error"_s, error}},
             QJsonObject{{u"error"_s, error}},
             true);
}

void TurnRunner::callTool(const std::shared_ptr<Active> &active,
                          const AgentTool &tool,
                          const ModelToolCall &call)
{
    emitEvent(active,
              u"tool.started"_s,
              {{u"toolCallId"_s, call.id},
               {u"tool"_s, tool.name},
               {u"label"_s, tool.name},
               {u"app"_s, tool.app},
               {u"operation"_s, tool.operation.id},
               {u"arguments"_s, call.arguments}},
              u"tool"_s);
    InvocationRequest request;
    request.principal = active->principal;
    request.app = tool.app;
    request.operation = tool.operation.id;
    request.params = call.arguments;
    request.connection = tool.connection;
    request.instance = tool.instance;
    request.surface = u"agent"_s;
    request.audit.source = u"agent"_s;
    request.audit.requestId = active->turn.id;
    std::weak_ptr<Active> weak = active;
    active->call = m_invocations.invoke(
        request, [this, weak, call, tool](const Result<InvocationResult> &result) {
            std::shared_ptr<Active> alive = weak.lock();
            if (!alive || alive->done) {
                return;
            }
            alive->call.reset();
            toolAnswered(alive, call, tool, result);
        });
}

void TurnRunner::toolAnswered(const std::shared_ptr<Active> &active,
                              const ModelToolCall &call,
                              const AgentTool &tool,
                              const Result<InvocationResult> &result)
{
    QJsonObject event{{u"toolCallId"_s, call.id}, {u"tool"_s, tool.name}};
    if (!result) {
        const QString error = publicMessage(result.error());
        event.insert(u"error"_s, error);
        toolDone(active, call, event, QJsonObject{{u"error"_s, error}}, true);
        return;
    }
    QJsonValue output = parseJsonValue(result->body);
    if (output.isUndefined()) {
        output = QString::fromUtf8(result->body.left(MaxToolResultChars));
    }
    event.insert(u"status"_s, result->status);
    event.insert(u"output"_s, forEvent(output));
    // An upstream MCP tool's CallToolResult goes to the model as it is, isError included.
    if (result->toolResult && result->toolResult->value(u"isError"_s).toBool()) {
        event.insert(u"error"_s, u"the tool reported an error"_s);
        toolDone(active, call, event, output, true);
        return;
    }
    if (result->status >= 400) {
        const QString error = u"the app answered %1"_s.arg(result->status);
        event.insert(u"error"_s, error);
        toolDone(
            active,
            call,
            event,
            QJsonObject{{u"error"_s, error}, {u"status"_s, result->status}, {u"body"_s, output}},
            true);
        return;
    }
    toolDone(active, call, event, output, false);
}

void TurnRunner::toolDone(const std::shared_ptr<Active> &active,
                          const ModelToolCall &call,
                          const QJsonObject &event,
                          const QJsonValue &resultForModel,
                          bool failed)
{
    emitEvent(active, failed ? u"tool.failed"_s : u"tool.completed"_s, event, u"tool"_s);
    ModelMessage result;
    result.role = ModelMessage::Role::Tool;
    result.toolCallId = call.id;
    result.text = jsonText(resultForModel).left(MaxToolResultChars);
    active->conversation.append(result);
    nextTool(active);
}

bool TurnRunner::cancel(const QString &turnId, const QString &reason)
{
    const std::shared_ptr<Active> active = m_active.value(turnId);
    if (!active) {
        return false;
    }
    if (active->call) {
        std::exchange(active->call, {})->abort();
    }
    if (!active->waitingInteraction.isEmpty()) {
        const QString interactionId = std::exchange(active->waitingInteraction, {});
        if (Result<void> done =
                m_repository.cancelInteractions(turnId, SqlDialect::stored(m_clock()));
            !done) {
            qCWarning(lcAgent) << "agent: canceling interactions of" << turnId
                               << "failed:" << done.error().message;
        }
        emitEvent(active, u"interaction.canceled"_s, {{u"interactionId"_s, interactionId}});
    }
    emitEvent(active, u"turn.canceled"_s, {{u"reason"_s, reason}});
    finish(active,
           AgentTurn::Status::Canceled,
           reason.isEmpty() ? u"canceled"_s : u"canceled: "_s + reason);
    return true;
}

void TurnRunner::finish(const std::shared_ptr<Active> &active,
                        AgentTurn::Status status,
                        const QString &message)
{
    if (active->done) {
        return;
    }
    if (status == AgentTurn::Status::Failed) {
        emitEvent(active, u"turn.failed"_s, {{u"message"_s, message}});
    } else if (status == AgentTurn::Status::Succeeded) {
        QJsonObject data{{u"outputText"_s, active->turn.outputText},
                         {u"modelCalls"_s, active->modelCalls}};
        if (active->promptTokens > 0 || active->completionTokens > 0) {
            data.insert(u"usage"_s,
                        QJsonObject{{u"promptTokens"_s, active->promptTokens},
                                    {u"completionTokens"_s, active->completionTokens}});
        }
        emitEvent(active, u"turn.completed"_s, data);
    }
    active->done = true;
    if (active->call) {
        std::exchange(active->call, {})->abort();
    }
    active->turn.statusMessage = message;
    active->turn.completedAt = SqlDialect::stored(m_clock());
    setStatus(active, status);
    m_active.remove(active->turn.id);
    Q_EMIT turnFinished(active->turn);
}

void TurnRunner::emitEvent(const std::shared_ptr<Active> &active,
                           const QString &type,
                           const QJsonObject &data,
                           const QString &source)
{
    AgentEvent event;
    event.turnId = active->turn.id;
    event.type = type;
    event.source = source;
    event.data = data;
    event.display = AgentDisplay::project(type, data);
    event.createdAt = SqlDialect::stored(m_clock());
    Result<AgentEvent> stored = m_repository.appendEvent(event);
    if (!stored) {
        qCWarning(lcAgent) << "agent: storing event" << type << "of turn" << active->turn.id
                           << "failed:" << stored.error().message;
        return;
    }
    Q_EMIT eventsChanged(active->turn.id);
}

void TurnRunner::setStatus(const std::shared_ptr<Active> &active, AgentTurn::Status status)
{
    active->turn.status = status;
    save(active);
    Q_EMIT eventsChanged(active->turn.id);
}

void TurnRunner::save(const std::shared_ptr<Active> &active)
{
    if (Result<void> saved = m_repository.saveTurn(active->turn, leaseUntil()); !saved) {
        qCWarning(lcAgent) << "agent: saving turn" << active->turn.id
                           << "failed:" << saved.error().message;
    }
}

void TurnRunner::poll()
{
    if (!m_active.isEmpty()) {
        Result<QHash<QString, QString>> canceled =
            m_repository.renew(m_active.keys(), m_replicaId, leaseUntil());
        if (canceled) {
            for (auto it = canceled->begin(); it != canceled->end(); ++it) {
                cancel(it.key(), it.value());
            }
        }
        // Interactions resolved through another replica.
        const QList<std::shared_ptr<Active>> waiting = m_active.values();
        for (const std::shared_ptr<Active> &active : waiting) {
            if (!active->waitingInteraction.isEmpty()) {
                interactionResolved(active->turn.id, active->waitingInteraction);
            }
        }
    }
    // Turns whose replica went away: fail them once, whoever notices first.
    Result<QStringList> abandoned = m_repository.abandoned(m_clock(), 50);
    if (!abandoned) {
        return;
    }
    for (const QString &id : std::as_const(*abandoned)) {
        Result<bool> ours = m_repository.takeOver(id, m_replicaId, m_clock(), leaseUntil());
        if (!ours || !*ours) {
            continue;
        }
        Result<std::optional<AgentTurn>> turn = m_repository.findTurn(id);
        if (!turn || !*turn) {
            continue;
        }
        auto active = std::make_shared<Active>();
        active->turn = **turn;
        if (Result<void> done = m_repository.cancelInteractions(id, SqlDialect::stored(m_clock()));
            !done) {
            qCWarning(lcAgent) << "agent: canceling interactions of" << id
                               << "failed:" << done.error().message;
        }
        m_active.insert(id, active);
        finish(active,
               AgentTurn::Status::Failed,
               u"interrupted: the server running this turn stopped"_s);
    }
}

} // namespace Gestalt
