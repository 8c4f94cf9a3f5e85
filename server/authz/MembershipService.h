// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "authz/Relationship.h"
#include "http/HttpResponse.h"
#include "shared/Result.h"

#include <QJsonObject>
#include <QStringList>

namespace Gestalt {

class AuthzSnapshot;
class RelationshipRepository;
class UserRepository;

// A written dynamic grant and whether this process's snapshot already shows it.
struct WriteOutcome
{
    bool reloaded = true;
    QJsonObject membership; // the row written (PUT) or removed (DELETE)

    // 200 {"status": okStatus, "persisted": true, "reloaded": true, "membership"?}, or 202
    // {"status": pendingStatus, "persisted": true, "reloaded": false, ...} (gestalt-facts §5.3).
    [[nodiscard]] HttpResponse toResponse(const QString &okStatus,
                                          const QString &pendingStatus) const;
};

// Writes to the dynamic authorization store, shared by the admin authorization routes and the
// managed-subject routes: resolves who (a canonical subjectId, or a user email alias that creates
// the user), validates the role, writes, reloads the snapshot. Also the store's reads that the
// admin authorization routes answer with (models and relationships, for debugging).
class MembershipService final
{
public:
    MembershipService(RelationshipRepository &relationships,
                      AuthzSnapshot &snapshot,
                      UserRepository &users);

    static constexpr int MaxEmailLength = 320;

    // body {subjectId} or {email}: exactly one. subjectId must be canonical and not system:;
    // email must look like one (and is only for users): the user is created when missing.
    [[nodiscard]] Result<SubjectId> subjectFrom(const QJsonObject &body);
    // body.role: a string in `roles` (400 "role is required" / "invalid role \"x\" (expected
    // ...)").
    [[nodiscard]] static Result<QString> roleFrom(const QJsonObject &body,
                                                  const QStringList &roles);

    [[nodiscard]] Result<WriteOutcome>
    put(const SubjectId &subject, const QString &role, const ResourceRef &resource);
    // 404 "authorization member not found" when there is no such dynamic tuple.
    [[nodiscard]] Result<WriteOutcome> remove(const SubjectId &subject,
                                              const ResourceRef &resource);
    // Reloads the snapshot; false when that failed (the write stands: 202).
    [[nodiscard]] bool reload();

    // The user's email for a user:<id> subject (empty otherwise or unknown).
    [[nodiscard]] QString emailOf(const QString &subjectId);

    // RelationshipRepository's reads: the active model, pages of models and of relationships.
    [[nodiscard]] Result<std::optional<AuthzModel>> activeModel();
    [[nodiscard]] Result<AuthzModelPage> listModels(int pageSize, const QString &pageToken);
    [[nodiscard]] Result<RelationshipPage>
    listRelationships(const RelationshipFilter &filter, int pageSize, const QString &pageToken);

private:
    RelationshipRepository &m_relationships;
    AuthzSnapshot &m_snapshot;
    UserRepository &m_users;
};

} // namespace Gestalt
