// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/Config.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <memory>

namespace Gestalt {

class AccessCheck;
class AgentStepRunner;
class AppCatalog;
class AuditLog;
class Database;
class DefinitionRepository;
class InvocationService;
class McpUpstreams;
class MetricsRegistry;
class Router;
class RunExecutor;
class RunRepository;
class WorkflowDefinitions;
class WorkflowEvents;
class WorkflowMetrics;
class WorkflowRoutes;
class WorkflowRunQueries;
class WorkflowScheduler;
class WorkflowService;

// The built-in workflow engine: its repositories, service, executor, scheduler and routes,
// built from the config and owned together (Application holds one).
class WorkflowEngine final
{
public:
    struct Deps
    {
        const Config &config;
        Database &database;
        const AppCatalog &catalog;
        const AccessCheck &access;
        InvocationService &invocations;
        const McpUpstreams *mcpUpstreams;
        MetricsRegistry &metrics;
        AuditLog *audit;
        AgentStepRunner *agents; // runs `agent` steps; null: no agent provider
        Clock clock;
    };

    // Reconciles the config-managed workflows (errors name the config entry).
    [[nodiscard]] static Result<std::unique_ptr<WorkflowEngine>> create(const Deps &deps);
    ~WorkflowEngine();
    WorkflowEngine(const WorkflowEngine &) = delete;
    WorkflowEngine &operator=(const WorkflowEngine &) = delete;
    WorkflowEngine(WorkflowEngine &&) = delete;
    WorkflowEngine &operator=(WorkflowEngine &&) = delete;

    void registerRoutes(Router &router);
    // Starts firing schedules and executing runs / stops taking new work (in-flight steps end).
    void start();
    void stop();
    [[nodiscard]] int activeSteps() const;

    [[nodiscard]] WorkflowService &service() { return *m_service; }
    [[nodiscard]] RunExecutor &executor() { return *m_executor; }
    [[nodiscard]] WorkflowScheduler &scheduler() { return *m_scheduler; }

private:
    WorkflowEngine() = default;

    std::unique_ptr<WorkflowMetrics> m_metrics;
    std::unique_ptr<DefinitionRepository> m_definitions;
    std::unique_ptr<RunRepository> m_runs;
    std::unique_ptr<WorkflowService> m_service;
    std::unique_ptr<RunExecutor> m_executor;
    std::unique_ptr<WorkflowScheduler> m_scheduler;
    // The API's seams: schedules and triggers, runs, events.
    std::unique_ptr<WorkflowDefinitions> m_definitionApi;
    std::unique_ptr<WorkflowRunQueries> m_runApi;
    std::unique_ptr<WorkflowEvents> m_events;
    std::unique_ptr<WorkflowRoutes> m_routes;
};

} // namespace Gestalt
