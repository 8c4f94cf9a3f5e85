// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"
#include "workflows/WorkflowRecords.h"

#include <memory>

namespace Gestalt {

class AuditLog;
class WorkflowDefinitions;
class WorkflowEvents;
class WorkflowRunQueries;
struct AuditTarget;

// /api/v1/workflow/*: schedules, event triggers, events, runs and the YAML export/import
// (http-api.md "Workflows"). Every change is audited (workflow.schedule.create, ...).
class WorkflowRoutes final
{
public:
    struct Deps
    {
        WorkflowDefinitions &definitions;
        WorkflowRunQueries &runs;
        WorkflowEvents &events;
    };

    explicit WorkflowRoutes(Deps deps);
    ~WorkflowRoutes();
    WorkflowRoutes(const WorkflowRoutes &) = delete;
    WorkflowRoutes &operator=(const WorkflowRoutes &) = delete;
    WorkflowRoutes(WorkflowRoutes &&) = delete;
    WorkflowRoutes &operator=(WorkflowRoutes &&) = delete;

    void registerRoutes(Router &router);
    void setAuditLog(AuditLog *audit) { m_audit = audit; }

private:
    // The routes of one kind of definition: /schedules or /event-triggers.
    class DefinitionRoutes;

    // Records the audit event of a change (when there is an audit log) and passes the response on.
    [[nodiscard]] Result<HttpResponse> audited(const HttpRequest &request,
                                               const QString &action,
                                               const AuditTarget &target,
                                               Result<HttpResponse> response) const;

    [[nodiscard]] Result<HttpResponse> publishEvent(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> listRuns(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> getRun(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> cancelRun(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> cancelRunBody(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> exportYaml(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> importYaml(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> importYamlBody(const HttpRequest &request);

    Deps m_deps;
    AuditLog *m_audit = nullptr;
    std::unique_ptr<DefinitionRoutes> m_schedules;
    std::unique_ptr<DefinitionRoutes> m_triggers;
};

} // namespace Gestalt
