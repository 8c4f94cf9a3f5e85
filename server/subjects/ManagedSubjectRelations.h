// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "authz/MembershipService.h"
#include "authz/Relationship.h"
#include "shared/Result.h"
#include "subjects/ManagedSubjectService.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Gestalt {

class AppCatalog;
class Authorizer;
class RelationshipRepository;
struct AppDefinition;

// The relationships of one managed subject, for callers ManagedSubjectService::open() admitted:
//   members              `<user|service_account> viewer|editor|admin managed_subject:<sa>`
//   external identities  `<type>:<id> assume managed_subject:<sa>` (type not user,
//                        service_account or system, so they never collide with members)
//   app grants           `<sa> <role> app:<app>` (the dynamic grants of the admin API; `default:
//                        allow` never applies to service accounts, so these are what opens an
//                        app with a policy to them)
// Every write goes through MembershipService (snapshot reload, 200/202).
class ManagedSubjectRelations final
{
public:
    ManagedSubjectRelations(RelationshipRepository &relationships,
                            MembershipService &memberships,
                            const Authorizer &authorizer,
                            const AppCatalog &catalog);

    static constexpr QStringView AssumeRelation = u"assume";

    // Every non-managed relationship matching `filter`, all pages.
    [[nodiscard]] static Result<QList<Relationship>> readAll(RelationshipRepository &relationships,
                                                             RelationshipFilter filter);

    // [{subjectId, role, email?}]
    [[nodiscard]] Result<QJsonArray> members(const SubjectAccess &access);
    // body {subjectId | email, role}; 409 when it would leave the subject without an admin.
    [[nodiscard]] Result<WriteOutcome> putMember(const SubjectAccess &access,
                                                 const QJsonObject &body);
    [[nodiscard]] Result<WriteOutcome> removeMember(const SubjectAccess &access,
                                                    const QString &memberId);

    // [{app, plugin, role, source: dynamic|static, mutable}]
    [[nodiscard]] Result<QJsonArray> grants(const SubjectAccess &access);
    // body {role}. Only apps with an authorizationPolicy (an app without one is open to every
    // authenticated subject already: 400). The caller must hold `role` on the app, or be the
    // app's admin, or a built-in admin: 403 "app role cannot grant requested role".
    [[nodiscard]] Result<WriteOutcome> putGrant(const Principal &caller,
                                                const SubjectAccess &access,
                                                const QString &app,
                                                const QJsonObject &body);
    [[nodiscard]] Result<WriteOutcome> removeGrant(const SubjectAccess &access, const QString &app);

    // [{type, id, resourceId}]
    [[nodiscard]] Result<QJsonArray> externalIdentities(const SubjectAccess &access);
    // body {type, id}: type [a-z_]{1,32}, id 1..256 characters.
    [[nodiscard]] Result<WriteOutcome> putExternalIdentity(const SubjectAccess &access,
                                                           const QJsonObject &body);
    [[nodiscard]] Result<WriteOutcome> removeExternalIdentity(const SubjectAccess &access,
                                                              const QJsonObject &body);

private:
    // The relationships on the subject's resource holding a management role.
    [[nodiscard]] Result<QList<Relationship>> memberRelationships(const SubjectAccess &access);
    // 409 when `member` is the only admin and would stop being one.
    [[nodiscard]] Result<void>
    keepAnAdmin(const SubjectAccess &access, const SubjectId &member, const QString &newRole);

    RelationshipRepository &m_relationships;
    MembershipService &m_memberships;
    const Authorizer &m_authorizer;
    const AppCatalog &m_catalog;
};

} // namespace Gestalt
