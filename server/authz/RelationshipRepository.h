// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "authz/Relationship.h"
#include "shared/Clock.h"
#include "shared/Result.h"

namespace Gestalt {

class Database;

// SQL for the dynamic authorization store: `authz_relationships` (unique per subject+resource),
// `authz_models`, and `authz_revision` (one row; bumped in the same transaction as every change,
// so a replica polls one integer to learn that its snapshot is stale). Works on SQLite and
// PostgreSQL alike.
class RelationshipRepository final
{
public:
    RelationshipRepository(Database &database, Clock clock);

    // Insert or replace the relation of (subject, resource). Returns true when something changed.
    [[nodiscard]] Result<bool> put(const Relationship &relationship);
    // False when there was no such tuple.
    [[nodiscard]] Result<bool> remove(const SubjectId &subject, const ResourceRef &resource);
    // Deletes every tuple whose subject is `subject` or whose resource is `resource` (deleting a
    // managed subject). Returns how many.
    [[nodiscard]] Result<int> removeAllInvolving(const SubjectId &subject,
                                                 const ResourceRef &resource);
    [[nodiscard]] Result<std::optional<Relationship>> find(const SubjectId &subject,
                                                           const ResourceRef &resource);

    // Ordered by (resource type, resource id, subject kind, subject id). pageSize 1..500;
    // pageToken is opaque (base64url), 400 "invalid pageToken" when it does not decode.
    [[nodiscard]] Result<RelationshipPage>
    list(const RelationshipFilter &filter, int pageSize, const QString &pageToken);
    // Every non-managed tuple, for the in-memory snapshot.
    [[nodiscard]] Result<QList<Relationship>> loadDynamic();
    [[nodiscard]] Result<qint64> revision();

    // Makes the managed tuples exactly `desired` (all with managed = true): deletes the others,
    // inserts the missing ones, in one transaction; bumps the revision only when something
    // changed. Never touches non-managed tuples.
    [[nodiscard]] Result<void> syncManaged(const QList<Relationship> &desired);

    // Models: writes `model` when its id is new (version = highest + 1) and marks it active.
    [[nodiscard]] Result<AuthzModel> activateModel(const QString &id,
                                                   const QJsonObject &definition);
    [[nodiscard]] Result<std::optional<AuthzModel>> activeModel();
    // Newest version first; paging as list().
    [[nodiscard]] Result<AuthzModelPage> listModels(int pageSize, const QString &pageToken);

private:
    Database &m_database;
    Clock m_clock;
};

} // namespace Gestalt
