// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowEngine.h"

#include "workflows/DefinitionRepository.h"
#include "workflows/RunExecutor.h"
#include "workflows/RunRepository.h"
#include "workflows/WorkflowConfigSync.h"
#include "workflows/WorkflowDefinitions.h"
#include "workflows/WorkflowEvents.h"
#include "workflows/WorkflowMetrics.h"
#include "workflows/WorkflowRoutes.h"
#include "workflows/WorkflowRunQueries.h"
#include "workflows/WorkflowScheduler.h"
#include "workflows/WorkflowService.h"

namespace Gestalt {

namespace {

// Replicas starting together may race to create the same config rows; the loser retries.
constexpr int ReconcileAttempts = 3;

} // namespace

Result<std::unique_ptr<WorkflowEngine>> WorkflowEngine::create(const Deps &deps)
{
    std::unique_ptr<WorkflowEngine> engine(new WorkflowEngine());
    const WorkflowsConfig &config = deps.config.workflows;
    engine->m_metrics = std::make_unique<WorkflowMetrics>(deps.metrics);
    engine->m_definitions = std::make_unique<DefinitionRepository>(deps.database);
    engine->m_runs = std::make_unique<RunRepository>(deps.database);
    engine->m_service = std::make_unique<WorkflowService>(deps.catalog,
                                                          deps.access,
                                                          *engine->m_metrics,
                                                          deps.config.providers.workflow.keys(),
                                                          deps.clock);
    engine->m_service->setMcpUpstreams(deps.mcpUpstreams);
    engine->m_executor = std::make_unique<RunExecutor>(
        *engine->m_runs, deps.invocations, *engine->m_metrics, config, deps.clock);
    engine->m_executor->setAgentSteps(deps.agents);
    engine->m_service->setExecutor(engine->m_executor.get());
    engine->m_scheduler = std::make_unique<WorkflowScheduler>(deps.database,
                                                              *engine->m_definitions,
                                                              *engine->m_runs,
                                                              *engine->m_service,
                                                              *engine->m_metrics,
                                                              config,
                                                              deps.clock);
    engine->m_definitionApi = std::make_unique<WorkflowDefinitions>(
        deps.database, *engine->m_definitions, *engine->m_service, deps.clock);
    engine->m_runApi = std::make_unique<WorkflowRunQueries>(
        *engine->m_runs, *engine->m_metrics, engine->m_executor.get(), deps.clock);
    engine->m_events = std::make_unique<WorkflowEvents>(*engine->m_definitions,
                                                        *engine->m_runs,
                                                        *engine->m_service,
                                                        *engine->m_metrics,
                                                        deps.clock);
    engine->m_routes = std::make_unique<WorkflowRoutes>(
        WorkflowRoutes::Deps{*engine->m_definitionApi, *engine->m_runApi, *engine->m_events});
    engine->m_routes->setAuditLog(deps.audit);

    Result<void> reconciled;
    for (int attempt = 0; attempt < ReconcileAttempts; ++attempt) {
        reconciled = WorkflowConfigSync::reconcile(
            config, deps.database, *engine->m_definitions, *engine->m_service, deps.clock);
        if (reconciled || reconciled.error().code != ErrorCode::Conflict) {
            break;
        }
    }
    if (!reconciled) {
        return reconciled.error();
    }
    return engine;
}

WorkflowEngine::~WorkflowEngine() = default;

void WorkflowEngine::registerRoutes(Router &router)
{
    m_routes->registerRoutes(router);
}

void WorkflowEngine::start()
{
    m_executor->start();
    m_scheduler->start();
}

void WorkflowEngine::stop()
{
    m_scheduler->stop();
    m_executor->stop();
}

int WorkflowEngine::activeSteps() const
{
    return m_executor->activeSteps();
}

} // namespace Gestalt
