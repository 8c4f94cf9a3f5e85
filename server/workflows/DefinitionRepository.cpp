// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/DefinitionRepository.h"

#include "store/Database.h"
#include "store/SqlStatement.h"
#include "store/StoredJson.h"
#include "store/Transaction.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString kDefinitionColumns =
    u"id, kind, owner_subject_id, managed_by, config_key, provider, paused, "
    u"cron, timezone, next_run_at, match_type, match_source, match_subject, "
    u"target_json, authority_json, publishers_json, created_at, updated_at"_s;
const QString kSelectDefinitions =
    u"SELECT "_s + kDefinitionColumns + u" FROM workflow_definitions "_s;

WorkflowDefinition definitionFromRow(const QSqlQuery &query)
{
    WorkflowDefinition d;
    d.id = query.value(0).toString();
    // Anything but a schedule reads as an event trigger (as it always has).
    d.kind = WorkflowDefinition::parseKind(query.value(1).toString())
                 .value_or(WorkflowDefinition::Kind::EventTrigger);
    d.ownerSubjectId = query.value(2).toString();
    d.managedBy = query.value(3).toString();
    d.configKey = query.value(4).toString();
    d.provider = query.value(5).toString();
    d.paused = query.value(6).toBool();
    d.cron = query.value(7).toString();
    d.timezone = query.value(8).toString();
    d.nextRunAt = SqlDialect::optionalFromStorage(query.value(9));
    d.matchType = query.value(10).toString();
    d.matchSource = query.value(11).toString();
    d.matchSubject = query.value(12).toString();
    // Stored targets were validated when written; a failure here means a hand-edited row.
    Result<WorkflowTarget> target = WorkflowTarget::fromJson(StoredJson::object(query.value(13)));
    if (target) {
        d.target = *target;
    }
    d.authority = WorkflowAuthority::fromJson(StoredJson::object(query.value(14)));
    for (const auto &publisher : StoredJson::array(query.value(15))) {
        d.publishers.append(publisher.toString());
    }
    d.createdAt = SqlDialect::fromStorage(query.value(16));
    d.updatedAt = SqlDialect::fromStorage(query.value(17));
    return d;
}

// Every column but id, kind and created_at, in kDefinitionColumns order.
QVariantList mutableValues(const WorkflowDefinition &d)
{
    return {d.ownerSubjectId,
            d.managedBy,
            Sql::text(d.configKey),
            Sql::text(d.provider),
            d.paused,
            Sql::text(d.cron),
            Sql::text(d.timezone),
            SqlDialect::toStorage(d.nextRunAt),
            Sql::text(d.matchType),
            Sql::text(d.matchSource),
            Sql::text(d.matchSubject),
            StoredJson::text(d.target.toJson()),
            StoredJson::text(d.authority.toJson()),
            StoredJson::text(QJsonArray::fromStringList(d.publishers))};
}

} // namespace

DefinitionRepository::DefinitionRepository(Database &database)
    : m_database(database)
{}

Result<void> DefinitionRepository::insert(const WorkflowDefinition &definition)
{
    Transaction transaction(m_database);
    if (Result<void> done = insert(transaction, definition); !done) {
        return done;
    }
    return transaction.commit();
}

Result<void> DefinitionRepository::insert(Transaction &transaction,
                                          const WorkflowDefinition &definition)
{
    const QVariantList values =
        QVariantList{definition.id, WorkflowDefinition::kindName(definition.kind)}
        + mutableValues(definition)
        + QVariantList{SqlDialect::toStorage(definition.createdAt),
                       SqlDialect::toStorage(definition.updatedAt)};
    Result<QSqlQuery> query =
        Sql::run(transaction,
                 u"INSERT INTO workflow_definitions ("_s + kDefinitionColumns
                     + u") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                 values,
                 u"insert workflow definition"_s);
    if (!query) {
        if (query.error().code == ErrorCode::Conflict) {
            return Error::conflict(u"workflow id \"%1\" is already taken"_s.arg(definition.id));
        }
        return query.error();
    }
    return {};
}

Result<bool> DefinitionRepository::update(const WorkflowDefinition &definition)
{
    Transaction transaction(m_database);
    Result<bool> updated = update(transaction, definition);
    if (!updated) {
        return updated;
    }
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return updated;
}

Result<bool> DefinitionRepository::update(Transaction &transaction,
                                          const WorkflowDefinition &definition)
{
    Result<QSqlQuery> query = Sql::run(
        transaction,
        u"UPDATE workflow_definitions SET owner_subject_id = ?, managed_by = ?, config_key = ?, "
        u"provider = ?, paused = ?, cron = ?, timezone = ?, next_run_at = ?, match_type = ?, "
        u"match_source = ?, match_subject = ?, target_json = ?, authority_json = ?, "
        u"publishers_json = ?, updated_at = ? WHERE id = ?"_s,
        mutableValues(definition)
            + QVariantList{SqlDialect::toStorage(definition.updatedAt), definition.id},
        u"update workflow definition"_s);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected() > 0;
}

Result<std::optional<WorkflowDefinition>> DefinitionRepository::find(const QString &id)
{
    Result<QList<WorkflowDefinition>> rows =
        Sql::all(Sql::run(m_database,
                          kSelectDefinitions + u"WHERE id = ?"_s,
                          {id},
                          u"find workflow definition"_s),
                 definitionFromRow);
    if (!rows) {
        return rows.error();
    }
    return rows->isEmpty() ? std::nullopt : std::optional(rows->first());
}

Result<std::optional<WorkflowDefinition>> DefinitionRepository::find(Transaction &transaction,
                                                                     const QString &id)
{
    return Sql::first(Sql::run(transaction,
                               kSelectDefinitions + u"WHERE id = ?"_s,
                               {id},
                               u"find workflow definition"_s),
                      definitionFromRow);
}

Result<QList<WorkflowDefinition>> DefinitionRepository::list(const QString &ownerSubjectId,
                                                             WorkflowDefinition::Kind kind)
{
    QVariantList values;
    if (!ownerSubjectId.isEmpty()) {
        values.append(ownerSubjectId);
    }
    values.append(WorkflowDefinition::kindName(kind));
    return Sql::all(Sql::run(m_database,
                             kSelectDefinitions
                                 + (ownerSubjectId.isEmpty()
                                        ? u"WHERE kind = ? ORDER BY id"_s
                                        : u"WHERE owner_subject_id = ? AND kind = ? ORDER BY id"_s),
                             values,
                             u"list workflow definitions"_s),
                    definitionFromRow);
}

Result<QList<WorkflowDefinition>> DefinitionRepository::listManagedByConfig()
{
    return Sql::all(Sql::run(m_database,
                             kSelectDefinitions + u"WHERE managed_by = 'config' ORDER BY id"_s,
                             {},
                             u"list config workflow definitions"_s),
                    definitionFromRow);
}

Result<bool> DefinitionRepository::remove(const QString &id)
{
    Transaction transaction(m_database);
    Result<bool> removed = remove(transaction, id);
    if (!removed) {
        return removed;
    }
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return removed;
}

Result<bool> DefinitionRepository::remove(Transaction &transaction, const QString &id)
{
    Result<QSqlQuery> query = Sql::run(transaction,
                                       u"DELETE FROM workflow_definitions WHERE id = ?"_s,
                                       {id},
                                       u"delete workflow definition"_s);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected() > 0;
}

Result<QList<WorkflowDefinition>> DefinitionRepository::dueSchedules(const QDateTime &now,
                                                                     int limit)
{
    return Sql::all(Sql::run(m_database,
                             kSelectDefinitions
                                 + u"WHERE next_run_at IS NOT NULL AND next_run_at <= ? AND "
                                   u"paused = FALSE ORDER BY next_run_at LIMIT ?"_s,
                             {SqlDialect::toStorage(now), limit},
                             u"list due schedules"_s),
                    definitionFromRow);
}

Result<std::optional<QDateTime>> DefinitionRepository::earliestDue()
{
    Result<QSqlQuery> query = Sql::run(m_database,
                                       u"SELECT MIN(next_run_at) FROM workflow_definitions "
                                       u"WHERE next_run_at IS NOT NULL AND paused = FALSE"_s,
                                       {},
                                       u"earliest due schedule"_s);
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return std::optional<QDateTime>();
    }
    return SqlDialect::optionalFromStorage(query->value(0));
}

Result<bool> DefinitionRepository::advance(Transaction &transaction,
                                           const QString &id,
                                           const QDateTime &due,
                                           const std::optional<QDateTime> &next)
{
    Result<QSqlQuery> query =
        Sql::run(transaction,
                 u"UPDATE workflow_definitions SET next_run_at = ? "
                 u"WHERE id = ? AND next_run_at = ? AND paused = FALSE"_s,
                 {SqlDialect::toStorage(next), id, SqlDialect::toStorage(due)},
                 u"advance schedule"_s);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected() == 1;
}

Result<QList<WorkflowDefinition>> DefinitionRepository::matchingTriggers(const QString &type,
                                                                         const QString &source,
                                                                         const QString &subject)
{
    return Sql::all(Sql::run(m_database,
                             kSelectDefinitions
                                 + u"WHERE kind = ? AND match_type = ? AND paused = FALSE "
                                   u"AND (match_source = '' OR match_source = ?) "
                                   u"AND (match_subject = '' OR match_subject = ?) ORDER BY id"_s,
                             {WorkflowDefinition::kindName(WorkflowDefinition::Kind::EventTrigger),
                              type,
                              Sql::text(source),
                              Sql::text(subject)},
                             u"match event triggers"_s),
                    definitionFromRow);
}

} // namespace Gestalt
