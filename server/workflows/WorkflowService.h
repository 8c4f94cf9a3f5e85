// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/Clock.h"
#include "config/WorkflowConfig.h"
#include "shared/Result.h"
#include "workflows/RunRepository.h"
#include "workflows/WorkflowRecords.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace Gestalt {

class AccessCheck;
class AppCatalog;
class Database;
class DefinitionRepository;
class McpUpstreams;
class RunExecutor;
class Transaction;
class WorkflowMetrics;

// The rules of the workflow API (http-api.md "Workflows"): schedules and event triggers owned by
// the subject that made them, events fanned out to every matching trigger, runs and their cancel.
//
// A definition's steps are checked when it is created or changed, as its maker: every app and
// operation must exist and the maker must be allowed to run it (the one AccessCheck); the
// operations checked become the run's ceiling (WorkflowAuthority). Someone else's definitions and
// runs answer 404, as if they did not exist; so do the owner's own ones that reach beyond the
// scope of the token asking. An event fires a trigger only when its owner published it (a scoped
// token: a trigger within its scope) or the trigger's publishers name the publisher.
class WorkflowService final
{
public:
    using Kind = WorkflowDefinition::Kind;

    WorkflowService(Database &database, DefinitionRepository &definitions, RunRepository &runs,
                    const AppCatalog &catalog, const AccessCheck &access, WorkflowMetrics &metrics,
                    const WorkflowsConfig &config, QStringList providers, Clock clock);

    void setMcpUpstreams(const McpUpstreams *upstreams) { m_mcp = upstreams; }
    void setExecutor(RunExecutor *executor) { m_executor = executor; }

    // The name of the built-in engine, used when a request names no provider.
    [[nodiscard]] static QString defaultProvider() { return QStringLiteral("builtin"); }

    // --- Schedules and event triggers -----------------------------------------------------
    [[nodiscard]] Result<WorkflowDefinition> create(const Principal &caller, Kind kind,
                                                    const QJsonObject &body);
    [[nodiscard]] Result<WorkflowDefinition> update(const Principal &caller, Kind kind,
                                                    const QString &id, const QJsonObject &body);
    [[nodiscard]] Result<WorkflowDefinition> get(const Principal &caller, Kind kind,
                                                 const QString &id);
    [[nodiscard]] Result<QList<WorkflowDefinition>> list(const Principal &caller, Kind kind);
    [[nodiscard]] Result<void> remove(const Principal &caller, Kind kind, const QString &id);
    [[nodiscard]] Result<WorkflowDefinition> setPaused(const Principal &caller, Kind kind,
                                                       const QString &id, bool paused);

    // A definition from a request body (or an imported / configured entry) for `owner`: shape,
    // cron and time zone, provider, and the steps checked against `checkAs`. id and times unset.
    [[nodiscard]] Result<WorkflowDefinition> build(Kind kind, const QJsonObject &body,
                                                   const Principal &checkAs) const;
    // May `principal` run every step? 400 for unknown apps/operations/connections or agent
    // providers, 403 when access is denied; messages name the step.
    [[nodiscard]] Result<void> checkTarget(const Principal &principal,
                                           const WorkflowTarget &target) const;
    // The first firing strictly after `after`; nullopt for paused schedules and triggers.
    [[nodiscard]] std::optional<QDateTime> nextRun(const WorkflowDefinition &definition,
                                                   const QDateTime &after) const;

    // --- YAML export / import (WorkflowYaml) ---------------------------------------------------
    [[nodiscard]] Result<QByteArray> exportYaml(const Principal &caller);
    // All or nothing: every entry is built and checked as the caller first, then written in one
    // transaction. An id of the caller's updates it (same kind only); an id someone else (or
    // the config) holds is a 409. {status: "imported", created: n, updated: n}.
    [[nodiscard]] Result<QJsonObject> importYaml(const Principal &caller, const QByteArray &yaml);

    // --- Events and runs ----------------------------------------------------------------------
    // Normalizes the event and starts a run for every matching trigger: {status, event}.
    [[nodiscard]] Result<QJsonObject> publish(const Principal &caller, const QJsonObject &body);
    [[nodiscard]] Result<RunPage> listRuns(const Principal &caller, RunFilter filter);
    [[nodiscard]] Result<WorkflowRun> getRun(const Principal &caller, const QString &id);
    [[nodiscard]] Result<WorkflowRun> cancelRun(const Principal &caller, const QString &id,
                                                const QString &reason);

    // A new pending run of `definition` (not stored).
    [[nodiscard]] WorkflowRun newRun(const WorkflowDefinition &definition,
                                     const QJsonObject &trigger) const;
    // Counts the run as started and hands it to the executor (after its row is committed).
    void started(const WorkflowRun &run);

    [[nodiscard]] static QJsonObject toJson(const WorkflowDefinition &definition);
    [[nodiscard]] static QJsonObject toJson(const WorkflowRun &run);

private:
    [[nodiscard]] Result<WorkflowDefinition> owned(const Principal &caller, Kind kind,
                                                   const QString &id);
    [[nodiscard]] static Result<void> requireSubject(const Principal &caller);
    // The caller's own, and for a scoped token only what lies within its scope: every operation
    // a step (or an agent step's tool) names must be one the token allows. Others answer 404.
    [[nodiscard]] static bool visibleTo(const Principal &caller,
                                        const WorkflowDefinition &definition);
    [[nodiscard]] static bool visibleTo(const Principal &caller, const WorkflowRun &run);

    Database &m_database;
    DefinitionRepository &m_definitions;
    RunRepository &m_runs;
    const AppCatalog &m_catalog;
    const AccessCheck &m_access;
    WorkflowMetrics &m_metrics;
    const WorkflowsConfig &m_config;
    QStringList m_providers;
    Clock m_clock;
    const McpUpstreams *m_mcp = nullptr;
    RunExecutor *m_executor = nullptr;
};

} // namespace Gestalt
