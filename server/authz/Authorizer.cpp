// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/Authorizer.h"

#include "authz/AuthzSnapshot.h"
#include "catalog/AppCatalog.h"
#include "shared/wire/Authorization.h"

#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString lowerEmail(const QString &email)
{
    return email.trimmed().toLower();
}

void addSorted(QStringList &roles, const QStringList &more)
{
    for (const QString &role : more) {
        if (!role.isEmpty() && !roles.contains(role)) {
            roles.append(role);
        }
    }
}

} // namespace

QJsonObject MembershipRow::toJson() const
{
    Wire::MemberRow row;
    row.subjectId = subjectId;
    row.email = email;
    row.role = role;
    row.source = isStatic ? u"static"_s : u"dynamic"_s;
    row.effective = effective;
    row.isMutable = !isStatic;
    row.shadowedBy = shadowedBy;
    row.selectorKind = subjectId.isEmpty() ? u"email"_s : u"subject_id"_s;
    row.selectorValue = subjectId.isEmpty() ? email : subjectId;
    return row.toJson();
}

const QStringList &Authorizer::baseRoles()
{
    static const QStringList roles{u"viewer"_s, u"editor"_s, u"admin"_s};
    return roles;
}

Authorizer::Authorizer(const AuthorizationConfig &policies,
                       const AdminConfig &admin,
                       const AppCatalog &catalog,
                       const AuthzSnapshot &snapshot)
    : m_policies(policies)
    , m_admin(admin)
    , m_catalog(catalog)
    , m_snapshot(snapshot)
{}

std::optional<QString> Authorizer::staticRole(const QString &policyName,
                                              const QString &subjectId,
                                              const QString &email) const
{
    const auto policy = m_policies.policies.constFind(policyName);
    if (policy == m_policies.policies.cend()) {
        return std::nullopt;
    }
    const QString normalized = lowerEmail(email);
    for (const PolicyMember &member : policy->members) {
        if ((!member.subjectId.isEmpty() && member.subjectId == subjectId)
            || (!member.email.isEmpty() && subjectId.startsWith(u"user:"_s)
                && member.email == normalized)) {
            return member.role;
        }
    }
    return std::nullopt;
}

bool Authorizer::policiesName(const QString &subjectId) const
{
    for (const AuthorizationPolicy &policy : m_policies.policies) {
        for (const PolicyMember &member : policy.members) {
            if (!member.subjectId.isEmpty() && member.subjectId == subjectId) {
                return true;
            }
        }
    }
    return false;
}

RoleDecision Authorizer::decide(const QString &policyName,
                                const ResourceRef &resource,
                                const QString &subjectId,
                                const QString &email) const
{
    if (std::optional<QString> role = staticRole(policyName, subjectId, email)) {
        return {RoleDecision::Source::Static, *role};
    }
    if (std::optional<QString> role = m_snapshot.relation(subjectId, resource)) {
        return {RoleDecision::Source::Dynamic, *role};
    }
    const auto policy = m_policies.policies.constFind(policyName);
    if (policy != m_policies.policies.cend() && policy->defaultEffect == PolicyEffect::Allow
        && subjectId.startsWith(u"user:"_s)) {
        return {RoleDecision::Source::Default, u"viewer"_s};
    }
    return {};
}

RoleDecision Authorizer::appRole(const Principal &principal, const AppDefinition &app) const
{
    return appRole(principal.subjectId, principal.email, app);
}

RoleDecision
Authorizer::appRole(const QString &subjectId, const QString &email, const AppDefinition &app) const
{
    if (app.authorizationPolicy.isEmpty()) {
        return {RoleDecision::Source::Open, {}};
    }
    return decide(
        app.authorizationPolicy, {ResourceType::App.toString(), app.name}, subjectId, email);
}

RoleDecision Authorizer::adminRole(const Principal &principal) const
{
    if (!adminPolicySet()) {
        return {RoleDecision::Source::Open, {}};
    }
    return decide(m_admin.authorizationPolicy,
                  {ResourceType::Admin.toString(), AdminResourceId.toString()},
                  principal.subjectId,
                  principal.email);
}

bool Authorizer::isAdmin(const Principal &principal) const
{
    const RoleDecision decision = adminRole(principal);
    return decision.source == RoleDecision::Source::Open
           || (decision.allowed() && m_admin.allowedRoles.contains(decision.role));
}

bool Authorizer::canWriteAdmins(const Principal &principal) const
{
    const RoleDecision decision = adminRole(principal);
    return decision.source == RoleDecision::Source::Open
           || (decision.allowed() && decision.role == u"admin"_s
               && m_admin.allowedRoles.contains(decision.role));
}

QList<MembershipRow>
Authorizer::members(const QString &policyName,
                    const ResourceRef &resource,
                    const std::function<QString(const QString &)> &emailOf) const
{
    QList<MembershipRow> rows;
    QSet<QString> staticSubjects;
    QSet<QString> staticEmails;
    const auto policy = m_policies.policies.constFind(policyName);
    if (policy != m_policies.policies.cend()) {
        for (const PolicyMember &member : policy->members) {
            MembershipRow row;
            row.role = member.role;
            row.isStatic = true;
            row.subjectId = member.subjectId;
            row.email = member.subjectId.isEmpty() ? member.email : emailOf(member.subjectId);
            staticSubjects.insert(member.subjectId);
            if (!member.email.isEmpty()) {
                staticEmails.insert(member.email);
            }
            rows.append(row);
        }
    }
    for (const Relationship &relationship : m_snapshot.onResource(resource)) {
        MembershipRow row;
        row.role = relationship.relation;
        row.subjectId = relationship.subject.canonical();
        row.email = emailOf(row.subjectId);
        if (staticSubjects.contains(row.subjectId)
            || (!row.email.isEmpty() && staticEmails.contains(lowerEmail(row.email)))) {
            row.effective = false;
            row.shadowedBy = u"static"_s;
        }
        rows.append(row);
    }
    return rows;
}

QStringList Authorizer::rolesFor(QStringView resourceType) const
{
    QStringList roles = baseRoles();
    if (resourceType == ResourceType::App) {
        for (const AppDefinition &app : m_catalog.apps()) {
            if (app.authorizationPolicy.isEmpty()) {
                continue;
            }
            for (const PolicyMember &member :
                 m_policies.policies.value(app.authorizationPolicy).members) {
                addSorted(roles, {member.role});
            }
            for (const Operation &operation : app.operations) {
                addSorted(roles, operation.allowedRoles);
            }
        }
    } else if (resourceType == ResourceType::Admin) {
        addSorted(roles, m_admin.allowedRoles);
        for (const PolicyMember &member :
             m_policies.policies.value(m_admin.authorizationPolicy).members) {
            addSorted(roles, {member.role});
        }
    }
    return roles;
}

QJsonObject Authorizer::model() const
{
    const auto list = [](const QStringList &roles) {
        QStringList sorted = roles;
        sorted.sort();
        return QJsonArray::fromStringList(sorted);
    };
    return {
        {u"types"_s,
         QJsonObject{{ResourceType::App.toString(), list(rolesFor(ResourceType::App))},
                     {ResourceType::Admin.toString(), list(rolesFor(ResourceType::Admin))},
                     {ResourceType::ManagedSubject.toString(), list(baseRoles())},
                     {ResourceType::AppStatic.toString(), list(rolesFor(ResourceType::App))},
                     {ResourceType::AdminStatic.toString(), list(rolesFor(ResourceType::Admin))}}}};
}

QList<Relationship> Authorizer::staticRelationships() const
{
    QList<Relationship> out;
    QSet<QString> seen; // the first member naming a subject wins, as in decide()
    const auto add =
        [&out, &seen](const AuthorizationPolicy &policy, QStringView type, const QString &id) {
            for (const PolicyMember &member : policy.members) {
                Result<SubjectId> subject = SubjectId::parse(member.subjectId);
                if (member.subjectId.isEmpty() || !subject) {
                    continue;
                }
                const QString key = type.toString() + u'\n' + id + u'\n' + member.subjectId;
                if (seen.contains(key)) {
                    continue;
                }
                seen.insert(key);
                Relationship relationship;
                relationship.subject = *subject;
                relationship.relation = member.role;
                relationship.resource = {type.toString(), id};
                relationship.managed = true;
                out.append(relationship);
            }
        };
    for (const AppDefinition &app : m_catalog.apps()) {
        if (!app.authorizationPolicy.isEmpty()) {
            add(m_policies.policies.value(app.authorizationPolicy),
                ResourceType::AppStatic,
                app.name);
        }
    }
    if (adminPolicySet()) {
        add(m_policies.policies.value(m_admin.authorizationPolicy),
            ResourceType::AdminStatic,
            AdminResourceId.toString());
    }
    return out;
}

} // namespace Gestalt
