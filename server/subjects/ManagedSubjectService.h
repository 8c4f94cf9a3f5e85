// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "authz/Relationship.h"
#include "core/Principal.h"
#include "identity/TokenService.h"
#include "shared/Result.h"
#include "subjects/ManagedSubject.h"

#include <QJsonObject>
#include <QList>

namespace Gestalt {

class Authorizer;
class CredentialRepository;
class ManagedSubjectRepository;
class MembershipService;
class RelationshipRepository;

// Management roles on a managed subject, weakest first (admin ≥ editor ≥ viewer).
enum class SubjectRole {
    None,
    Viewer,
    Editor,
    Admin,
};

// One managed subject as one caller may handle it.
struct SubjectAccess
{
    ManagedSubject subject;
    SubjectRole role = SubjectRole::None; // the caller's
    bool callerIsBuiltInAdmin = false;

    [[nodiscard]] SubjectId subjectId() const;   // service_account:<id>
    [[nodiscard]] ResourceRef resource() const;  // managed_subject / service_account:<id>
    [[nodiscard]] TokenOwner tokenOwner() const; // {"subject", <id>, service_account:<id>}
    // The managed subject acting on its own (integrations are resolved for it).
    [[nodiscard]] Principal principal() const;
};

// The rules of managed subjects (gestalt-facts §5.5), without HTTP: who may manage them, and
// create/update/delete with the delete cascade (ManagedSubjectRelations: members, grants,
// external identities). Management roles are relationships
// `<user> viewer|editor|admin managed_subject:<service_account:id>`. Built-in admins (only when
// server.admin.authorizationPolicy is set) hold `admin` on every managed subject.
class ManagedSubjectService final
{
public:
    struct Deps
    {
        ManagedSubjectRepository &subjects;
        RelationshipRepository &relationships;
        MembershipService &memberships;
        const Authorizer &authorizer;
        TokenService &tokens;
        CredentialRepository &credentials;
    };
    explicit ManagedSubjectService(Deps deps);

    static constexpr qsizetype MaxDisplayNameLength = 256;
    static constexpr qsizetype MaxDescriptionLength = 2048;

    [[nodiscard]] static QString roleName(SubjectRole role);
    // A session or an unscoped user-owned API token (403 otherwise).
    [[nodiscard]] static Result<void> requireManager(const Principal &caller);

    // The subject named by a path ("service_account:<id>" or the bare id) when `caller` holds at
    // least `needed`: 404 when it does not exist or the caller holds no role on it (its existence
    // is not revealed), 403 when the caller's role is too weak.
    [[nodiscard]] Result<SubjectAccess>
    open(const Principal &caller, const QString &pathId, SubjectRole needed);
    [[nodiscard]] Result<QList<SubjectAccess>> list(const Principal &caller);
    // body {id | subjectId, kind?, displayName?, description?}; the caller becomes admin. An id
    // the config's policies or existing relationships already name (a static admin, an app
    // grant...) is taken by whoever creates it, so only a built-in admin may (403 otherwise).
    [[nodiscard]] Result<ManagedSubject> create(const Principal &caller, const QJsonObject &body);
    // body {displayName?, description?}.
    [[nodiscard]] Result<ManagedSubject> update(const SubjectAccess &access,
                                                const QJsonObject &body);
    struct Removal
    {
        int revokedTokens = 0;
        int removedCredentials = 0;
        int removedRelationships = 0;
        bool reloaded = true; // the snapshot dropped its grants already
    };
    // Revokes its tokens, removes its credentials, soft-deletes it, then removes every
    // relationship it is part of (its grants, members and external identities).
    [[nodiscard]] Result<Removal> remove(const SubjectAccess &access);

private:
    [[nodiscard]] bool isBuiltInAdmin(const Principal &caller) const;
    // Do the config's policies or any stored relationship (static or dynamic, as subject or as
    // managed resource) name service_account:<id>?
    [[nodiscard]] Result<bool> isNamedElsewhere(const QString &subjectId);
    // May `caller` create service_account:<id>? 403 when nobody has it yet but the config or a
    // stored relationship names it, unless the caller is a built-in admin.
    [[nodiscard]] Result<void> mayCreate(const Principal &caller, const QString &id);
    [[nodiscard]] Result<SubjectRole> roleOf(const Principal &caller,
                                             const ManagedSubject &subject);

    Deps m_deps;
};

} // namespace Gestalt
