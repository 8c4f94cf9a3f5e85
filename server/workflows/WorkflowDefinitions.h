// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Clock.h"
#include "shared/Result.h"
#include "workflows/WorkflowRecords.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace Gestalt {

class Database;
class DefinitionRepository;
class Transaction;
class WorkflowService;

namespace WorkflowYaml {
struct Entry;
}

// Schedules and event triggers through the API (http-api.md "Workflows"): create, change, pause,
// list and remove the caller's own, and their YAML export / import. Each is built and checked by
// WorkflowService::build() as its maker; someone else's answer 404, as if they did not exist.
class WorkflowDefinitions final
{
public:
    using Kind = WorkflowDefinition::Kind;

    WorkflowDefinitions(Database &database,
                        DefinitionRepository &definitions,
                        const WorkflowService &rules,
                        Clock clock);

    [[nodiscard]] Result<WorkflowDefinition>
    create(const Principal &caller, Kind kind, const QJsonObject &body);
    [[nodiscard]] Result<WorkflowDefinition>
    update(const Principal &caller, Kind kind, const QString &id, const QJsonObject &body);
    [[nodiscard]] Result<WorkflowDefinition>
    get(const Principal &caller, Kind kind, const QString &id);
    [[nodiscard]] Result<QList<WorkflowDefinition>> list(const Principal &caller, Kind kind);
    [[nodiscard]] Result<void> remove(const Principal &caller, Kind kind, const QString &id);
    [[nodiscard]] Result<WorkflowDefinition>
    setPaused(const Principal &caller, Kind kind, const QString &id, bool paused);

    // --- YAML export / import (WorkflowYaml) ---------------------------------------------------
    [[nodiscard]] Result<QByteArray> exportYaml(const Principal &caller);
    // All or nothing: every entry is built and checked as the caller first, then written in one
    // transaction. An id of the caller's updates it (same kind only); an id someone else (or
    // the config) holds is a 409. {status: "imported", created: n, updated: n}.
    [[nodiscard]] Result<QJsonObject> importYaml(const Principal &caller, const QByteArray &yaml);

private:
    enum class Imported {
        Created,
        Updated,
    };

    [[nodiscard]] Result<WorkflowDefinition>
    owned(const Principal &caller, Kind kind, const QString &id);
    // Writes one import entry in `transaction`; errors name the entry's path.
    [[nodiscard]] Result<Imported> importEntry(Transaction &transaction,
                                               const Principal &caller,
                                               const WorkflowYaml::Entry &entry,
                                               const QDateTime &now);
    // The stored definition after a change: updatedAt now, the next firing from then on.
    [[nodiscard]] Result<WorkflowDefinition> store(WorkflowDefinition definition);
    [[nodiscard]] QDateTime now() const;

    Database &m_database;
    DefinitionRepository &m_definitions;
    const WorkflowService &m_rules;
    Clock m_clock;
};

} // namespace Gestalt
