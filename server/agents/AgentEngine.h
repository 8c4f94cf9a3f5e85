// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/Config.h"
#include "shared/Clock.h"
#include "shared/Result.h"
#include "workflows/AgentStepRunner.h"

#include <QObject>

#include <memory>

namespace Gestalt {

class AccessCheck;
class AgentRepository;
class AgentRoutes;
class AgentService;
class AppCatalog;
class AuditLog;
class Database;
class InvocationService;
class McpUpstreams;
class ModelProvider;
class Router;
class TurnRunner;

// The built-in agent engine: the model providers of providers.agent (source: scripted | openai),
// the repository, the turn runner, the service and the routes, owned together. It also runs the
// `agent` steps of workflow runs (AgentStepRunner): a step is one turn in a session the run
// owner holds (one per sessionKey), waited for until it ends.
class AgentEngine final
    : public QObject
    , public AgentStepRunner
{
    Q_OBJECT

public:
    struct Deps
    {
        const Config &config;
        Database &database;
        const AppCatalog &catalog;
        const AccessCheck &access;
        InvocationService &invocations;
        const McpUpstreams *mcpUpstreams; // their tools are offered to turns; may be null
        AuditLog *audit;
        Clock clock;
    };

    // Errors name the providers.agent entry whose config is wrong.
    [[nodiscard]] static Result<std::unique_ptr<AgentEngine>> create(const Deps &deps);
    // What create() would refuse in providers.agent, every problem (gestaltd validate).
    [[nodiscard]] static QStringList problems(const Config &config);
    ~AgentEngine() override;
    Q_DISABLE_COPY_MOVE(AgentEngine)

    void registerRoutes(Router &router);
    void start();
    // Ends event streams and fails the turns still running here.
    void stop();
    [[nodiscard]] int activeTurns() const;
    [[nodiscard]] AgentService &service() { return *m_service; }

    // AgentStepRunner
    [[nodiscard]] bool hasProvider(const QString &provider) const override;
    std::shared_ptr<UpstreamCall> runStep(const Principal &principal,
                                          const QString &runId,
                                          const WorkflowStep &step,
                                          const QJsonObject &agent,
                                          std::function<void(Result<QJsonValue>)> done) override;

private:
    AgentEngine() = default;
    // The session of an agent step: the run owner's active one for the step's sessionKey (else
    // for the run), created when there is none.
    [[nodiscard]] Result<QString>
    stepSession(const Principal &principal, const QString &runId, const QJsonObject &agent);

    std::vector<std::unique_ptr<ModelProvider>> m_models;
    std::unique_ptr<AgentRepository> m_repository;
    std::unique_ptr<TurnRunner> m_runner;
    std::unique_ptr<AgentService> m_service;
    std::unique_ptr<AgentRoutes> m_routes;
};

} // namespace Gestalt
