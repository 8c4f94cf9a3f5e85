// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentEngine.h"

#include "agents/AgentRepository.h"
#include "agents/AgentRoutes.h"
#include "agents/AgentService.h"
#include "agents/OpenAiModel.h"
#include "agents/ScriptedModel.h"
#include "agents/TurnRunner.h"
#include "httpclient/UpstreamClient.h"
#include "invocation/InvocationService.h"

#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// The handle of a workflow agent step: aborting it cancels the turn.
class StepCall final : public UpstreamCall
{
public:
    std::function<void()> onAbort;
    void abort() override
    {
        if (onAbort) {
            std::exchange(onAbort, {})();
        }
    }
};

// `upstream` carries an openai provider's requests, under the entry's egress.allowedHosts (else
// server.egress.defaultAction).
Result<std::unique_ptr<ModelProvider>> makeModel(const QString &name,
                                                 const ProviderEntry &entry,
                                                 const Config &config,
                                                 UpstreamClient &upstream)
{
    const QString kind = entry.source.location;
    if (entry.source.kind != SourceRef::Kind::Builtin
        || (kind != u"scripted" && kind != u"openai")) {
        return Error::invalid(
            u"providers.agent.%1.source: expected scripted or openai (the built-in "
            u"agent providers)"_s.arg(name));
    }
    if (kind == u"scripted") {
        Result<std::unique_ptr<ScriptedModel>> model = ScriptedModel::create(name, entry.config);
        if (!model) {
            return model.error();
        }
        return std::unique_ptr<ModelProvider>(std::move(*model));
    }
    EgressPolicy egress;
    egress.allowedHosts = entry.egress.allowedHosts;
    egress.defaultAction = config.server.egressDefaultAction;
    egress.addNamedUrl(entry.config.value(u"baseUrl"_s).toString().trimmed());
    Result<std::unique_ptr<OpenAiModel>> model =
        OpenAiModel::create(name, entry.config, upstream, std::move(egress));
    if (!model) {
        return model.error();
    }
    return std::unique_ptr<ModelProvider>(std::move(*model));
}

} // namespace

QStringList AgentEngine::problems(const Config &config)
{
    QStringList out;
    const ProviderMap &entries = config.providers.agent;
    UpstreamClient upstream; // only to build the models: nothing is sent
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        if (Result<std::unique_ptr<ModelProvider>> model =
                makeModel(it.key(), it.value(), config, upstream);
            !model) {
            out.append(model.error().message);
        }
    }
    return out;
}

Result<std::unique_ptr<AgentEngine>> AgentEngine::create(const Deps &deps)
{
    std::unique_ptr<AgentEngine> engine(new AgentEngine());
    QMap<QString, ModelProvider *> providers;
    QString defaultProvider;
    const ProviderMap &entries = deps.config.providers.agent;
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        Result<std::unique_ptr<ModelProvider>> model =
            makeModel(it.key(), it.value(), deps.config, deps.invocations.upstream());
        if (!model) {
            return model.error();
        }
        providers.insert(it.key(), model->get());
        engine->m_models.push_back(std::move(*model));
        if (it.value().isDefault || entries.size() == 1) {
            defaultProvider = it.key();
        }
    }
    const AgentsConfig &settings = deps.config.agents;
    engine->m_repository = std::make_unique<AgentRepository>(deps.database);
    TurnRunner::Settings runnerSettings;
    runnerSettings.pollInterval = settings.pollInterval;
    runnerSettings.lease = settings.turnLease;
    runnerSettings.maxModelCalls = settings.maxModelCalls;
    engine->m_runner = std::make_unique<TurnRunner>(
        *engine->m_repository, deps.invocations, runnerSettings, deps.clock);
    engine->m_service = std::make_unique<AgentService>(*engine->m_repository,
                                                       *engine->m_runner,
                                                       deps.catalog,
                                                       deps.access,
                                                       providers,
                                                       defaultProvider,
                                                       deps.clock);
    engine->m_service->setMcpUpstreams(deps.mcpUpstreams);
    AgentEventStream::Settings streamSettings;
    streamSettings.pollInterval = settings.pollInterval;
    streamSettings.heartbeat = settings.streamHeartbeat;
    engine->m_routes = std::make_unique<AgentRoutes>(*engine->m_service, streamSettings);
    engine->m_routes->setAuditLog(deps.audit);
    return engine;
}

AgentEngine::~AgentEngine()
{
    // Streams and turns hold references to the runner and repository: end them first.
    m_routes.reset();
    m_service.reset();
    m_runner.reset();
}

void AgentEngine::registerRoutes(Router &router)
{
    m_routes->registerRoutes(router);
}

void AgentEngine::start()
{
    m_runner->start();
}

void AgentEngine::stop()
{
    m_routes->closeStreams();
    m_runner->stop();
}

int AgentEngine::activeTurns() const
{
    return m_runner->activeTurns();
}

bool AgentEngine::hasProvider(const QString &provider) const
{
    return provider.isEmpty() ? m_service->configured() : m_service->provider(provider) != nullptr;
}

Result<QString>
AgentEngine::stepSession(const Principal &principal, const QString &runId, const QJsonObject &agent)
{
    // One session per sessionKey for the run's owner (the conversation goes on from run to run),
    // else one per run.
    const QString sessionKey = agent.value(u"sessionKey"_s).toString();
    const QString clientRef =
        sessionKey.isEmpty() ? u"workflow-run:"_s + runId : u"workflow:"_s + sessionKey;
    const QString provider = agent.value(u"provider"_s).toString().isEmpty()
                                 ? m_service->defaultProvider()
                                 : agent.value(u"provider"_s).toString();
    Result<QList<AgentSession>> sessions =
        m_service->listSessions(principal, provider, AgentSession::State::Active, 500);
    if (!sessions) {
        return sessions.error();
    }
    QString sessionId;
    for (const AgentSession &s : std::as_const(*sessions)) {
        if (s.clientRef == clientRef) {
            sessionId = s.id;
        }
    }
    if (!sessionId.isEmpty()) {
        return sessionId;
    }
    QJsonObject body{{u"provider"_s, provider}, {u"clientRef"_s, clientRef}};
    if (agent.contains(u"model"_s)) {
        body.insert(u"model"_s, agent.value(u"model"_s));
    }
    Result<AgentService::Created<AgentSession>> created =
        m_service->createSession(principal, body, QString());
    if (!created) {
        return created.error();
    }
    return created->value.id;
}

namespace {

// The turn create body of an agent step: its messages and prompt, model, schema, options, tools.
QJsonObject stepTurnBody(const QJsonObject &agent)
{
    QJsonArray messages = agent.value(u"messages"_s).toArray();
    if (agent.contains(u"prompt"_s)) {
        messages.append(QJsonObject{{u"role"_s, u"user"_s}, {u"text"_s, agent.value(u"prompt"_s)}});
    }
    QJsonObject body{{u"messages"_s, messages}};
    for (const QString &key : {u"model"_s, u"responseSchema"_s, u"modelOptions"_s}) {
        if (agent.contains(key)) {
            body.insert(key, agent.value(key));
        }
    }
    if (agent.contains(u"tools"_s)) {
        body.insert(u"toolRefs"_s, agent.value(u"tools"_s));
    }
    return body;
}

// A step's result from its finished turn: the structured output, else {text, turnId}; an error
// unless it succeeded.
Result<QJsonValue> stepResult(const AgentTurn &t)
{
    if (t.status != AgentTurn::Status::Succeeded) {
        return Error::invalid(u"agent turn %1 %2: %3"_s.arg(t.id, name(t.status), t.statusMessage));
    }
    return t.structuredOutput.isUndefined()
               ? QJsonValue(QJsonObject{{u"text"_s, t.outputText}, {u"turnId"_s, t.id}})
               : t.structuredOutput;
}

} // namespace

std::shared_ptr<UpstreamCall> AgentEngine::runStep(const Principal &principal,
                                                   const QString &runId,
                                                   const WorkflowStep &step,
                                                   const QJsonObject &agent,
                                                   std::function<void(Result<QJsonValue>)> done)
{
    auto call = std::make_shared<StepCall>();
    const auto fail = [this, done](const Error &error) {
        QTimer::singleShot(0, this, [done, error] { done(error); });
    };
    Result<QString> sessionId = stepSession(principal, runId, agent);
    if (!sessionId) {
        fail(sessionId.error());
        return call;
    }
    // The run and step name the turn: a retried step finds the turn it started.
    Result<AgentService::Created<AgentTurn>> turn =
        m_service->createTurn(principal, *sessionId, stepTurnBody(agent), runId + u":"_s + step.id);
    if (!turn) {
        fail(turn.error());
        return call;
    }
    if (turn->value.isTerminal()) {
        const AgentTurn t = turn->value;
        QTimer::singleShot(0, this, [done, t] { done(stepResult(t)); });
        return call;
    }
    const QString turnId = turn->value.id;
    auto finished = std::make_shared<QMetaObject::Connection>();
    *finished = connect(m_runner.get(),
                        &TurnRunner::turnFinished,
                        this,
                        [turnId, done, finished](const AgentTurn &t) {
                            if (t.id == turnId) {
                                QObject::disconnect(*finished);
                                done(stepResult(t));
                            }
                        });
    QPointer<AgentEngine> self(this);
    call->onAbort = [self, principal, turnId] {
        if (self) {
            (void)self->m_service->cancelTurn(principal, turnId, u"workflow run canceled"_s);
        }
    };
    return call;
}

} // namespace Gestalt
