// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"
#include "workflows/WorkflowRecords.h"

#include <QList>

#include <optional>

namespace Gestalt {

class Database;
class Transaction;

// SQL for `workflow_definitions`: schedules and event triggers.
class DefinitionRepository final
{
public:
    explicit DefinitionRepository(Database &database);

    // 409 "workflow id \"x\" is already taken" when the id exists (any owner, any kind).
    [[nodiscard]] Result<void> insert(const WorkflowDefinition &definition);
    [[nodiscard]] Result<void> insert(Transaction &transaction,
                                      const WorkflowDefinition &definition);
    // Replaces every column but id, kind and createdAt. False when the id does not exist.
    [[nodiscard]] Result<bool> update(const WorkflowDefinition &definition);
    [[nodiscard]] Result<bool> update(Transaction &transaction,
                                      const WorkflowDefinition &definition);
    [[nodiscard]] Result<std::optional<WorkflowDefinition>> find(const QString &id);
    [[nodiscard]] Result<std::optional<WorkflowDefinition>> find(Transaction &transaction,
                                                                 const QString &id);
    // One owner's (or every owner's, for an empty owner) definitions of a kind, by id.
    [[nodiscard]] Result<QList<WorkflowDefinition>> list(const QString &ownerSubjectId,
                                                         WorkflowDefinition::Kind kind);
    [[nodiscard]] Result<QList<WorkflowDefinition>> listManagedByConfig();
    [[nodiscard]] Result<bool> remove(const QString &id);
    [[nodiscard]] Result<bool> remove(Transaction &transaction, const QString &id);

    // Unpaused schedules whose next_run_at is at or before `now`, earliest first.
    [[nodiscard]] Result<QList<WorkflowDefinition>> dueSchedules(const QDateTime &now, int limit);
    // The earliest next_run_at of any unpaused schedule.
    [[nodiscard]] Result<std::optional<QDateTime>> earliestDue();
    // Moves a schedule's next_run_at from `due` to `next` (nullopt: none) inside `transaction`:
    // false when another replica (or a change) moved it first — the firing is not ours.
    [[nodiscard]] Result<bool> advance(Transaction &transaction,
                                       const QString &id,
                                       const QDateTime &due,
                                       const std::optional<QDateTime> &next);
    // Unpaused event triggers whose match equals the event (empty source/subject match any).
    [[nodiscard]] Result<QList<WorkflowDefinition>>
    matchingTriggers(const QString &type, const QString &source, const QString &subject);

private:
    Database &m_database;
};

} // namespace Gestalt
