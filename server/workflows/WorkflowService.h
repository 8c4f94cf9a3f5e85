// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Clock.h"
#include "shared/Result.h"
#include "workflows/WorkflowRecords.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace Gestalt {

class AccessCheck;
class AppCatalog;
class JsonBodyReader;
class McpUpstreams;
class RunExecutor;
class WorkflowMetrics;

// The rules of workflows (http-api.md "Workflows") that the API, the scheduler, the config sync
// and the event publisher share: how a definition is built and checked, when a schedule fires
// next, how a run starts, who sees what, and the JSON of each. The API's seams are their own
// classes: WorkflowDefinitions (schedules, event triggers, YAML), WorkflowRunQueries (runs) and
// WorkflowEvents (publishing).
//
// A definition's steps are checked when it is created or changed, as its maker: every app and
// operation must exist and the maker must be allowed to run it (the one AccessCheck); the
// operations checked become the run's ceiling (WorkflowAuthority). Someone else's definitions and
// runs answer 404, as if they did not exist; so do the owner's own ones that reach beyond the
// scope of the token asking.
class WorkflowService final
{
public:
    using Kind = WorkflowDefinition::Kind;

    WorkflowService(const AppCatalog &catalog,
                    const AccessCheck &access,
                    WorkflowMetrics &metrics,
                    QStringList providers,
                    Clock clock);

    void setMcpUpstreams(const McpUpstreams *upstreams) { m_mcp = upstreams; }
    void setExecutor(RunExecutor *executor) { m_executor = executor; }

    // The name of the built-in engine, used when a request names no provider.
    [[nodiscard]] static QString defaultProvider() { return QStringLiteral("builtin"); }
    // The publisher "*" (config only): any subject may fire the trigger.
    [[nodiscard]] static QString anyPublisher() { return QStringLiteral("*"); }

    // A definition from a request body (or an imported / configured entry) for `owner`: shape,
    // cron and time zone, provider, and the steps checked against `checkAs`. id and times unset.
    [[nodiscard]] Result<WorkflowDefinition>
    build(Kind kind, const QJsonObject &body, const Principal &checkAs) const;
    // The first firing strictly after `after`; nullopt for paused schedules and triggers.
    [[nodiscard]] std::optional<QDateTime> nextRun(const WorkflowDefinition &definition,
                                                   const QDateTime &after) const;

    // A new pending run of `definition` (not stored).
    [[nodiscard]] WorkflowRun newRun(const WorkflowDefinition &definition,
                                     const QJsonObject &trigger) const;
    // Counts the run as started and hands it to the executor (after its row is committed).
    void started(const WorkflowRun &run);

    // 401 without a subject: every workflow belongs to one.
    [[nodiscard]] static Result<void> requireSubject(const Principal &caller);
    // The caller's own, and for a scoped token only what lies within its scope: every operation
    // a step (or an agent step's tool) names must be one the token allows. Others answer 404.
    [[nodiscard]] static bool visibleTo(const Principal &caller,
                                        const WorkflowDefinition &definition);
    [[nodiscard]] static bool visibleTo(const Principal &caller, const WorkflowRun &run);

    [[nodiscard]] static QJsonObject toJson(const WorkflowDefinition &definition);
    [[nodiscard]] static QJsonObject toJson(const WorkflowRun &run);

private:
    // May `principal` run every step? 400 for unknown apps/operations/connections or agent
    // providers, 403 when access is denied; messages name the step.
    [[nodiscard]] Result<void> checkTarget(const Principal &principal,
                                           const WorkflowTarget &target) const;
    // The schedule's cron and time zone / the trigger's match and publishers, read from `body`.
    // A trigger's match is an object of its own: its reader's result (type errors are the
    // body's).
    static void readSchedule(JsonBodyReader &body, WorkflowDefinition &definition);
    [[nodiscard]] static Result<void> readTrigger(JsonBodyReader &body,
                                                  WorkflowDefinition &definition);
    // Whether what was read holds: a known provider, a cron that fires, a real time zone, a
    // match type; sets the trigger's publishers.
    [[nodiscard]] Result<void> checkFields(WorkflowDefinition &definition,
                                           const QJsonValue &publishers,
                                           const Principal &checkAs) const;
    [[nodiscard]] Result<void> checkAgentStep(const Principal &principal,
                                              const WorkflowStep &step,
                                              const QString &where) const;
    [[nodiscard]] Result<void>
    checkAppStep(const Principal &principal, const WorkflowStep &step, const QString &where) const;

    const AppCatalog &m_catalog;
    const AccessCheck &m_access;
    WorkflowMetrics &m_metrics;
    QStringList m_providers;
    Clock m_clock;
    const McpUpstreams *m_mcp = nullptr;
    RunExecutor *m_executor = nullptr;
};

} // namespace Gestalt
