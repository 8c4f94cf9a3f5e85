// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"
#include "workflows/WorkflowRecords.h"

namespace Gestalt {

class AuditLog;
class WorkflowService;

// /api/v1/workflow/*: schedules, event triggers, events, runs and the YAML export/import
// (http-api.md "Workflows"). Every change is audited (workflow.schedule.create, ...).
class WorkflowRoutes final
{
public:
    explicit WorkflowRoutes(WorkflowService &service);
    void registerRoutes(Router &router);
    void setAuditLog(AuditLog *audit) { m_audit = audit; }

private:
    void registerDefinitionRoutes(Router &router, WorkflowDefinition::Kind kind);
    [[nodiscard]] SyncHandler audited(SyncHandler handler, const QString &action,
                                      const QString &targetKind, const QString &idParam);

    [[nodiscard]] Result<HttpResponse> listRuns(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> exportYaml(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> importYaml(const HttpRequest &request);

    WorkflowService &m_service;
    AuditLog *m_audit = nullptr;
};

} // namespace Gestalt
