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

// SQL for `workflow_runs`. A run is executed by the replica holding its lease
// (lease_owner/lease_expires_at); every write of the executor is conditional on still holding it.
class RunRepository final
{
public:
    explicit RunRepository(Database &database);

    [[nodiscard]] Result<void> insert(const WorkflowRun &run);
    [[nodiscard]] Result<void> insert(Transaction &transaction, const WorkflowRun &run);
    [[nodiscard]] Result<std::optional<WorkflowRun>> find(const QString &id);
    // 400 "invalid pageToken" for a token this did not write.
    [[nodiscard]] Result<RunPage> list(const RunFilter &filter);

    // Takes the lease of an unfinished run that nobody holds (or whose holder let it expire):
    // the run as stored, or nullopt when it is finished or held by someone else.
    [[nodiscard]] Result<std::optional<WorkflowRun>> claim(const QString &id,
                                                           const QString &owner,
                                                           const QDateTime &now,
                                                           const QDateTime &leaseUntil);
    // Unfinished runs nobody holds, oldest first (at most `limit`).
    [[nodiscard]] Result<QStringList> claimable(const QDateTime &now, int limit);
    // Writes the executor's state (status, steps, message, result, times) and renews the lease.
    // False when `owner` no longer holds the lease.
    [[nodiscard]] Result<bool>
    save(const WorkflowRun &run, const QString &owner, const QDateTime &leaseUntil);
    // Extends the leases of `ids` held by `owner`; returns the ones of them whose cancel was
    // requested meanwhile (id → reason).
    [[nodiscard]] Result<QHash<QString, QString>>
    renew(const QStringList &ids, const QString &owner, const QDateTime &leaseUntil);
    // Cancels a pending run nobody holds at once; otherwise flags the run for its executor.
    // 409 when the run is already finished. Returns the run after the change.
    [[nodiscard]] Result<WorkflowRun>
    requestCancel(const QString &id, const QString &reason, const QDateTime &now);
    // Deletes finished runs completed before `before`; returns how many.
    [[nodiscard]] Result<int> pruneFinished(const QDateTime &before);

private:
    Database &m_database;
};

} // namespace Gestalt
