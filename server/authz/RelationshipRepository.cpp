// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/RelationshipRepository.h"

#include "core/Logging.h"
#include "crypto/Base64.h"
#include "store/Database.h"
#include "store/SqlStatement.h"
#include "store/Transaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QSqlQuery>

#include <algorithm>
#include <tuple>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int kMaxPageSize = 500;

const QString kColumns = u"subject_kind, subject_id, relation, resource_type, resource_id, "
                         u"managed, created_at, updated_at"_s;
const QString kOrder = u" ORDER BY resource_type, resource_id, subject_kind, subject_id"_s;
const QString kKeyMatch =
    u"subject_kind = ? AND subject_id = ? AND resource_type = ? AND resource_id = ?"_s;
const QString kModelColumns = u"id, version, definition_json, active, created_at"_s;

// The unique key of a tuple in list order: resource type, resource id, subject kind, subject id.
using Key = std::tuple<QString, QString, QString, QString>;

// Values for kKeyMatch.
QVariantList keyValues(const Key &key)
{
    return {std::get<2>(key), std::get<3>(key), std::get<0>(key), std::get<1>(key)};
}

QVariantList keyValues(const SubjectId &subject, const ResourceRef &resource)
{
    return {subject.kind, subject.id, resource.type, resource.id};
}

Relationship fromRow(const QSqlQuery &query)
{
    Relationship relationship;
    relationship.subject = {query.value(0).toString(), query.value(1).toString()};
    relationship.relation = query.value(2).toString();
    relationship.resource = {query.value(3).toString(), query.value(4).toString()};
    relationship.managed = query.value(5).toBool();
    relationship.createdAt = SqlDialect::fromStorage(query.value(6));
    relationship.updatedAt = SqlDialect::fromStorage(query.value(7));
    return relationship;
}

AuthzModel modelFromRow(const QSqlQuery &query)
{
    AuthzModel model;
    model.id = query.value(0).toString();
    model.version = query.value(1).toInt();
    model.definition = QJsonDocument::fromJson(query.value(2).toString().toUtf8()).object();
    model.active = query.value(3).toBool();
    model.createdAt = SqlDialect::fromStorage(query.value(4));
    return model;
}

Result<void> checkTuple(const SubjectId &subject, const ResourceRef &resource)
{
    if (subject.kind.isEmpty() || subject.id.isEmpty()) {
        return Error::invalid(u"a relationship needs a subject"_s);
    }
    if (resource.type.isEmpty() || resource.id.isEmpty()) {
        return Error::invalid(u"a relationship needs a resource type and id"_s);
    }
    return {};
}

Result<void> checkRelationship(const Relationship &relationship)
{
    if (relationship.relation.isEmpty()) {
        return Error::invalid(u"a relationship needs a relation"_s);
    }
    return checkTuple(relationship.subject, relationship.resource);
}

// Booleans go into the SQL text, not as bound values: QSQLITE and QPSQL bind them differently.
QString sqlBool(bool value)
{
    return value ? u"TRUE"_s : u"FALSE"_s;
}

// Page tokens: base64url of the compact JSON array of the last row's sort key.
QString encodeToken(const QJsonArray &key)
{
    return Crypto::base64UrlEncode(QJsonDocument(key).toJson(QJsonDocument::Compact));
}

Result<QJsonArray> decodeToken(const QString &token, qsizetype size)
{
    const std::optional<QByteArray> bytes = Crypto::base64UrlDecode(token);
    QJsonParseError parseError{};
    const QJsonDocument document =
        bytes ? QJsonDocument::fromJson(*bytes, &parseError) : QJsonDocument();
    if (!bytes || parseError.error != QJsonParseError::NoError || !document.isArray()
        || document.array().size() != size) {
        return Error::invalid(u"invalid pageToken"_s);
    }
    return document.array();
}

// Every write transaction starts here: a write that changes nothing takes the revision row's lock,
// so writers of all replicas run one at a time on PostgreSQL and a diff (syncManaged) never
// interleaves with another. SQLite's BEGIN IMMEDIATE serialises writers already.
Result<void> lockRevision(Transaction &transaction)
{
    const Result<QSqlQuery> locked =
        Sql::run(transaction,
                 u"UPDATE authz_revision SET revision = revision WHERE id = 1"_s,
                 {},
                 u"lock authz revision"_s);
    return locked ? Result<void>() : locked.error();
}

// In the transaction of the change, so a reader never sees one without the other.
Result<void> bumpRevision(Transaction &transaction)
{
    const Result<QSqlQuery> bumped =
        Sql::run(transaction,
                 u"UPDATE authz_revision SET revision = revision + 1 WHERE id = 1"_s,
                 {},
                 u"bump authz revision"_s);
    if (!bumped) {
        return bumped.error();
    }
    if (bumped->numRowsAffected() != 1) {
        return Error::internal(u"bump authz revision: the authz_revision row is missing"_s);
    }
    return {};
}

// Runs one writing statement in `transaction`; returns how many rows it changed.
Result<int> changeRowsIn(Transaction &transaction,
                         const QString &sql,
                         const QVariantList &values,
                         const QString &context)
{
    const Result<QSqlQuery> query = Sql::run(transaction, sql, values, context);
    if (!query) {
        return query.error();
    }
    return std::max(query->numRowsAffected(), 0);
}

// Runs one writing statement in its own transaction and bumps the revision when it changed rows.
// Returns how many it changed.
Result<int> changeRows(Database &database,
                       const QString &sql,
                       const QVariantList &values,
                       const QString &context)
{
    Transaction transaction(database);
    if (const Result<void> locked = lockRevision(transaction); !locked) {
        return locked.error();
    }
    Result<int> changed = changeRowsIn(transaction, sql, values, context);
    if (!changed) {
        return changed.error();
    }
    if (*changed > 0) {
        if (const Result<void> bumped = bumpRevision(transaction); !bumped) {
            return bumped.error();
        }
    }
    if (const Result<void> committed = transaction.commit(); !committed) {
        return committed.error();
    }
    return changed;
}

// The managed tuples syncManaged() should leave, by key; ordered, so every replica writes in the
// same order. Refuses an invalid relationship and two relations for one (subject, resource).
Result<QMap<Key, QString>> wantedTuples(const QList<Relationship> &desired)
{
    QMap<Key, QString> wanted;
    for (const Relationship &relationship : desired) {
        if (const Result<void> valid = checkRelationship(relationship); !valid) {
            return valid.error();
        }
        const Key key{relationship.resource.type,
                      relationship.resource.id,
                      relationship.subject.kind,
                      relationship.subject.id};
        const auto found = wanted.constFind(key);
        if (found != wanted.cend() && *found != relationship.relation) {
            return Error::invalid(u"managed relationships give %1 two relations on %2:%3"_s.arg(
                relationship.subject.canonical(),
                relationship.resource.type,
                relationship.resource.id));
        }
        wanted.insert(key, relationship.relation);
    }
    return wanted;
}

// The managed tuples stored now, by key.
Result<QMap<Key, QString>> readManaged(Transaction &transaction)
{
    Result<QSqlQuery> select = Sql::run(transaction,
                                        u"SELECT resource_type, resource_id, subject_kind, "
                                        u"subject_id, relation FROM authz_relationships "
                                        u"WHERE managed = TRUE"_s,
                                        {},
                                        u"read managed relationships"_s);
    if (!select) {
        return select.error();
    }
    QMap<Key, QString> existing;
    while (select->next()) {
        existing.insert({select->value(0).toString(),
                         select->value(1).toString(),
                         select->value(2).toString(),
                         select->value(3).toString()},
                        select->value(4).toString());
    }
    select->finish();
    return existing;
}

// Deletes the stored managed tuples no longer wanted and updates those whose relation changed.
Result<int> changeExisting(Transaction &transaction,
                           const QMap<Key, QString> &existing,
                           const QMap<Key, QString> &wanted,
                           const QVariant &now)
{
    int changes = 0;
    for (auto it = existing.cbegin(); it != existing.cend(); ++it) {
        const auto target = wanted.constFind(it.key());
        Result<int> changed = 0;
        if (target == wanted.cend()) {
            changed = changeRowsIn(transaction,
                                   u"DELETE FROM authz_relationships WHERE managed = TRUE AND "_s
                                       + kKeyMatch,
                                   keyValues(it.key()),
                                   u"delete managed relationship"_s);
        } else if (*target != it.value()) {
            changed = changeRowsIn(transaction,
                                   u"UPDATE authz_relationships SET relation = ?, updated_at = ? "
                                   u"WHERE managed = TRUE AND "_s
                                       + kKeyMatch,
                                   QVariantList{*target, now} + keyValues(it.key()),
                                   u"update managed relationship"_s);
        }
        if (!changed) {
            return changed.error();
        }
        changes += *changed;
    }
    return changes;
}

// Inserts the wanted managed tuples not stored yet; a dynamic tuple on the same key wins.
Result<int> insertMissing(Transaction &transaction,
                          const QMap<Key, QString> &existing,
                          const QMap<Key, QString> &wanted,
                          const QVariant &now)
{
    int changes = 0;
    for (auto it = wanted.cbegin(); it != wanted.cend(); ++it) {
        if (existing.contains(it.key())) {
            continue;
        }
        const auto &[resourceType, resourceId, subjectKind, subjectId] = it.key();
        const Result<int> inserted =
            changeRowsIn(transaction,
                         u"INSERT INTO authz_relationships ("_s + kColumns
                             + u") VALUES (?, ?, ?, ?, ?, TRUE, ?, ?) ON CONFLICT DO NOTHING"_s,
                         {subjectKind, subjectId, it.value(), resourceType, resourceId, now, now},
                         u"insert managed relationship"_s);
        if (!inserted) {
            return inserted.error();
        }
        if (*inserted == 0) {
            // A dynamic tuple holds this (subject, resource); it is never written over.
            qCWarning(lcAuthz).noquote()
                << "managed relationship" << subjectKind + u':' + subjectId << "on"
                << resourceType + u':' + resourceId << "skipped: a dynamic one exists";
        }
        changes += *inserted;
    }
    return changes;
}

int clampPageSize(int pageSize)
{
    return std::clamp(pageSize, 1, kMaxPageSize);
}

} // namespace

RelationshipRepository::RelationshipRepository(Database &database, Clock clock)
    : m_database(database)
    , m_clock(std::move(clock))
{}

Result<bool> RelationshipRepository::put(const Relationship &relationship)
{
    if (const Result<void> valid = checkRelationship(relationship); !valid) {
        return valid.error();
    }
    const QVariant now = SqlDialect::toStorage(m_clock());
    // The WHERE of DO UPDATE makes writing the same relation again a no-op (0 rows changed).
    const Result<int> changed = changeRows(
        m_database,
        u"INSERT INTO authz_relationships ("_s + kColumns + u") VALUES (?, ?, ?, ?, ?, "_s
            + sqlBool(relationship.managed)
            + u", ?, ?) ON CONFLICT (subject_kind, subject_id, resource_type, resource_id) "
              u"DO UPDATE SET relation = excluded.relation, managed = excluded.managed, "
              u"updated_at = excluded.updated_at "
              u"WHERE authz_relationships.relation <> excluded.relation "
              u"OR authz_relationships.managed <> excluded.managed"_s,
        {relationship.subject.kind,
         relationship.subject.id,
         relationship.relation,
         relationship.resource.type,
         relationship.resource.id,
         now,
         now},
        u"write relationship"_s);
    if (!changed) {
        return changed.error();
    }
    return *changed > 0;
}

Result<bool> RelationshipRepository::remove(const SubjectId &subject, const ResourceRef &resource)
{
    if (const Result<void> valid = checkTuple(subject, resource); !valid) {
        return valid.error();
    }
    const Result<int> removed = changeRows(m_database,
                                           u"DELETE FROM authz_relationships WHERE "_s + kKeyMatch,
                                           keyValues(subject, resource),
                                           u"delete relationship"_s);
    if (!removed) {
        return removed.error();
    }
    return *removed > 0;
}

Result<int> RelationshipRepository::removeAllInvolving(const SubjectId &subject,
                                                       const ResourceRef &resource)
{
    if (const Result<void> valid = checkTuple(subject, resource); !valid) {
        return valid.error();
    }
    return changeRows(
        m_database,
        u"DELETE FROM authz_relationships WHERE (subject_kind = ? AND subject_id = ?) "
        u"OR (resource_type = ? AND resource_id = ?)"_s,
        keyValues(subject, resource),
        u"delete relationships"_s);
}

Result<std::optional<Relationship>> RelationshipRepository::find(const SubjectId &subject,
                                                                 const ResourceRef &resource)
{
    return Sql::first(
        Sql::run(m_database,
                 u"SELECT "_s + kColumns + u" FROM authz_relationships WHERE "_s + kKeyMatch,
                 keyValues(subject, resource),
                 u"find relationship"_s),
        fromRow);
}

Result<RelationshipPage> RelationshipRepository::list(const RelationshipFilter &filter,
                                                      int pageSize,
                                                      const QString &pageToken)
{
    const int limit = clampPageSize(pageSize);
    QStringList conditions;
    QVariantList values;
    const auto match = [&](const QString &column, const QString &value) {
        if (!value.isEmpty()) {
            conditions.append(column + u" = ?"_s);
            values.append(value);
        }
    };
    match(u"subject_kind"_s, filter.subjectType);
    match(u"subject_id"_s, filter.subjectId);
    match(u"relation"_s, filter.relation);
    match(u"resource_type"_s, filter.resourceType);
    match(u"resource_id"_s, filter.resourceId);
    if (filter.managed) {
        conditions.append(u"managed = "_s + sqlBool(*filter.managed));
    }
    if (!pageToken.isEmpty()) {
        const Result<QJsonArray> after = decodeToken(pageToken, 4);
        if (!after) {
            return after.error();
        }
        for (const auto &part : *after) {
            if (!part.isString()) {
                return Error::invalid(u"invalid pageToken"_s);
            }
            values.append(part.toString());
        }
        conditions.append(
            u"(resource_type, resource_id, subject_kind, subject_id) > (?, ?, ?, ?)"_s);
    }
    values.append(limit + 1); // one more tells whether there is a next page
    const QString where =
        conditions.isEmpty() ? QString() : u" WHERE "_s + conditions.join(u" AND "_s);
    Result<QSqlQuery> query = Sql::run(m_database,
                                       u"SELECT "_s + kColumns + u" FROM authz_relationships"_s
                                           + where + kOrder + u" LIMIT ?"_s,
                                       values,
                                       u"list relationships"_s);
    if (!query) {
        return query.error();
    }
    RelationshipPage page;
    while (query->next()) {
        if (page.relationships.size() == limit) {
            const Relationship &last = page.relationships.constLast();
            page.nextPageToken = encodeToken(
                {last.resource.type, last.resource.id, last.subject.kind, last.subject.id});
            break;
        }
        page.relationships.append(fromRow(*query));
    }
    return page;
}

Result<QList<Relationship>> RelationshipRepository::loadDynamic()
{
    return Sql::all(Sql::run(m_database,
                             u"SELECT "_s + kColumns
                                 + u" FROM authz_relationships WHERE managed = FALSE"_s + kOrder,
                             {},
                             u"load relationships"_s),
                    fromRow);
}

Result<qint64> RelationshipRepository::revision()
{
    Result<QSqlQuery> query = Sql::run(m_database,
                                       u"SELECT revision FROM authz_revision WHERE id = 1"_s,
                                       {},
                                       u"read authz revision"_s);
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return Error::internal(u"read authz revision: the authz_revision row is missing"_s);
    }
    return query->value(0).toLongLong();
}

Result<void> RelationshipRepository::syncManaged(const QList<Relationship> &desired)
{
    const Result<QMap<Key, QString>> wanted = wantedTuples(desired);
    if (!wanted) {
        return wanted.error();
    }
    const QVariant now = SqlDialect::toStorage(m_clock());

    Transaction transaction(m_database);
    if (const Result<void> locked = lockRevision(transaction); !locked) {
        return locked.error();
    }
    const Result<QMap<Key, QString>> existing = readManaged(transaction);
    if (!existing) {
        return existing.error();
    }
    const Result<int> changed = changeExisting(transaction, *existing, *wanted, now);
    if (!changed) {
        return changed.error();
    }
    const Result<int> inserted = insertMissing(transaction, *existing, *wanted, now);
    if (!inserted) {
        return inserted.error();
    }
    const int changes = *changed + *inserted;
    if (changes > 0) {
        if (const Result<void> bumped = bumpRevision(transaction); !bumped) {
            return bumped.error();
        }
        qCInfo(lcAuthz) << "managed relationships synchronised:" << changes << "changed";
    }
    return transaction.commit();
}

Result<AuthzModel> RelationshipRepository::activateModel(const QString &id,
                                                         const QJsonObject &definition)
{
    if (id.isEmpty()) {
        return Error::invalid(u"an authorization model needs an id"_s);
    }
    Transaction transaction(m_database);
    // The lock serialises replicas that write a new model at once, so versions stay 1, 2, ...
    if (const Result<void> locked = lockRevision(transaction); !locked) {
        return locked.error();
    }
    const QString definitionJson =
        QString::fromUtf8(QJsonDocument(definition).toJson(QJsonDocument::Compact));
    const QList<std::pair<QString, QVariantList>> steps = {
        {u"INSERT INTO authz_models (id, version, definition_json, active, created_at) VALUES "
         u"(?, (SELECT COALESCE(MAX(version), 0) + 1 FROM authz_models), ?, FALSE, ?) "
         u"ON CONFLICT (id) DO NOTHING"_s,
         {id, definitionJson, SqlDialect::toStorage(m_clock())}},
        {u"UPDATE authz_models SET active = FALSE WHERE active = TRUE AND id <> ?"_s, {id}},
        {u"UPDATE authz_models SET active = TRUE WHERE id = ? AND active = FALSE"_s, {id}},
    };
    for (const auto &[sql, values] : steps) {
        if (const Result<QSqlQuery> done = Sql::run(transaction, sql, values, u"activate model"_s);
            !done) {
            return done.error();
        }
    }
    Result<QSqlQuery> select =
        Sql::run(transaction,
                 u"SELECT "_s + kModelColumns + u" FROM authz_models WHERE id = ?"_s,
                 {id},
                 u"read authz model"_s);
    if (!select) {
        return select.error();
    }
    if (!select->next()) {
        return Error::internal(u"activate authz model: no row after insert"_s);
    }
    const AuthzModel model = modelFromRow(*select);
    select->finish();
    if (const Result<void> committed = transaction.commit(); !committed) {
        return committed.error();
    }
    return model;
}

Result<std::optional<AuthzModel>> RelationshipRepository::activeModel()
{
    return Sql::first(
        Sql::run(m_database,
                 u"SELECT "_s + kModelColumns + u" FROM authz_models WHERE active = TRUE"_s,
                 {},
                 u"read active authz model"_s),
        modelFromRow);
}

Result<AuthzModelPage> RelationshipRepository::listModels(int pageSize, const QString &pageToken)
{
    const int limit = clampPageSize(pageSize);
    QVariantList values;
    if (!pageToken.isEmpty()) {
        const Result<QJsonArray> key = decodeToken(pageToken, 1);
        if (!key) {
            return key.error();
        }
        const int before = key->first().toInt(-1); // -1 unless an integral number
        if (before < 1) {
            return Error::invalid(u"invalid pageToken"_s);
        }
        values.append(before);
    }
    values.append(limit + 1);
    Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"SELECT "_s + kModelColumns + u" FROM authz_models"_s
                     + (values.size() > 1 ? u" WHERE version < ?"_s : QString())
                     + u" ORDER BY version DESC LIMIT ?"_s,
                 values,
                 u"list authz models"_s);
    if (!query) {
        return query.error();
    }
    AuthzModelPage page;
    while (query->next()) {
        if (page.models.size() == limit) {
            page.nextPageToken = encodeToken({page.models.constLast().version});
            break;
        }
        page.models.append(modelFromRow(*query));
    }
    return page;
}

} // namespace Gestalt
