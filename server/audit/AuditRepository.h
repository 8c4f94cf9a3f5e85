// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditEvent.h"
#include "shared/Result.h"

#include <QList>

#include <optional>

namespace Gestalt {

class Database;

struct AuditQuery
{
    static constexpr int DefaultLimit = 100;
    static constexpr int MaxLimit = 1000;

    QString actor;                  // subject id, exact
    QString action;                 // exact, or a prefix when it ends with '*' ("auth.*")
    QString resource;               // matches target id or target name, exact
    std::optional<QDateTime> since; // inclusive
    std::optional<QDateTime> until; // exclusive
    int limit = DefaultLimit;       // 1..MaxLimit
    QString cursor;                 // opaque; from nextCursor
};

struct AuditPage
{
    QList<AuditEvent> events; // newest first
    QString nextCursor;       // empty on the last page
};

// SQL for `audit_events`.
class AuditRepository final
{
public:
    explicit AuditRepository(Database &database);

    // One transaction for the whole batch.
    [[nodiscard]] Result<void> insert(const QList<AuditEvent> &events);
    // 400 "invalid cursor" for a cursor that does not decode.
    [[nodiscard]] Result<AuditPage> query(const AuditQuery &query);
    // Deletes at most batchSize of the oldest events from before `before`; how many it deleted.
    [[nodiscard]] Result<qsizetype> prune(const QDateTime &before, int batchSize);

private:
    Database &m_database;
};

} // namespace Gestalt
