// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "authz/Relationship.h"
#include "config/AuthorizationConfig.h"
#include "config/ServerConfig.h"
#include "core/Principal.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gestalt {

class AppCatalog;
class AuthzSnapshot;
struct AppDefinition;

// The role a subject holds on an app or on the built-in admin surface, and why.
struct RoleDecision
{
    enum class Source {
        None,    // denied: no static member, no dynamic grant, no default for this subject
        Open,    // the app declares no authorizationPolicy: any authenticated subject
        Static,  // a member of the policy in the config
        Dynamic, // a grant in the authorization store
        Default, // `default: allow` gave a user `viewer`
    };
    Source source = Source::None;
    QString role; // empty for None and Open

    [[nodiscard]] bool allowed() const { return source != Source::None; }
};

// One merged membership row (static and dynamic) as the admin API lists it.
struct MembershipRow
{
    QString role;
    bool isStatic = false;
    bool effective = true;
    QString subjectId;  // canonical; empty for a static row written by email
    QString email;      // known email (user rows), or the static selector
    QString shadowedBy; // "static" when a static row hides this dynamic one

    [[nodiscard]] QJsonObject toJson() const;
};

// Policy evaluation (gestalt-facts §5.2): static members win, then dynamic grants from the
// snapshot, then `default: allow` → `viewer` for users only; per-operation allowedRoles after.
// Reads only memory (config + snapshot): cheap enough for every request.
class Authorizer final
{
public:
    // The resource id of the built-in admin surface in the store.
    static constexpr QStringView AdminResourceId = u"gestalt";
    // The roles every app and the admin surface know, besides those the config names.
    static const QStringList &baseRoles(); // viewer, editor, admin

    Authorizer(const AuthorizationConfig &policies,
               const AdminConfig &admin,
               const AppCatalog &catalog,
               const AuthzSnapshot &snapshot);

    // The role of `principal` on `app` (an app without policy: Open).
    [[nodiscard]] RoleDecision appRole(const Principal &principal, const AppDefinition &app) const;
    [[nodiscard]] RoleDecision
    appRole(const QString &subjectId, const QString &email, const AppDefinition &app) const;
    // The role of `principal` on the built-in admin surface; Open when no admin policy is set.
    [[nodiscard]] RoleDecision adminRole(const Principal &principal) const;
    [[nodiscard]] bool adminPolicySet() const { return !m_admin.authorizationPolicy.isEmpty(); }
    // Admitted to /admin and /admin/api/v1 (role in server.admin.allowedRoles, or open).
    [[nodiscard]] bool isAdmin(const Principal &principal) const;
    // May change built-in admin memberships (open, or role `admin`).
    [[nodiscard]] bool canWriteAdmins(const Principal &principal) const;

    // Static members of a policy that match the subject (by subject id or user email).
    [[nodiscard]] std::optional<QString>
    staticRole(const QString &policyName, const QString &subjectId, const QString &email) const;
    // Does any policy of the config (an app's or the admin surface's, used or not) list
    // `subjectId` (canonical) as a member?
    [[nodiscard]] bool policiesName(const QString &subjectId) const;
    // Merged rows for an app with a policy, or for the admin surface (`app` empty).
    [[nodiscard]] QList<MembershipRow>
    members(const QString &policyName,
            const ResourceRef &resource,
            const std::function<QString(const QString &)> &emailOf) const;

    // The roles a resource of `type` knows (base roles plus every role the config names for it).
    [[nodiscard]] QStringList rolesFor(QStringView resourceType) const;
    // The model the store should hold for this config: {"types": {type: [roles...]}}.
    [[nodiscard]] QJsonObject model() const;
    // The config's static members as managed relationships (resource types app_static /
    // admin_static; email-only members are left out: they have no subject id yet).
    [[nodiscard]] QList<Relationship> staticRelationships() const;

    [[nodiscard]] const AuthorizationConfig &policies() const { return m_policies; }
    [[nodiscard]] const AdminConfig &adminConfig() const { return m_admin; }

private:
    [[nodiscard]] RoleDecision decide(const QString &policyName,
                                      const ResourceRef &resource,
                                      const QString &subjectId,
                                      const QString &email) const;

    const AuthorizationConfig &m_policies;
    const AdminConfig &m_admin;
    const AppCatalog &m_catalog;
    const AuthzSnapshot &m_snapshot;
};

} // namespace Gestalt
