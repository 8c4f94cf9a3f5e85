// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "subjects/ManagedSubjectRelations.h"

#include "authz/Authorizer.h"
#include "authz/RelationshipRepository.h"
#include "catalog/AppCatalog.h"
#include "http/JsonBodyReader.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int PageSize = 500;

const QStringList &managementRoles()
{
    return Authorizer::baseRoles(); // viewer, editor, admin
}

// 400 `unknown field "x"` for a key of `body` outside `fields` (read by MembershipService).
Result<void> onlyFields(const QJsonObject &body, std::initializer_list<QStringView> fields)
{
    JsonBodyReader reader(body);
    reader.skip(fields);
    return reader.finish();
}

// {type, id} of an external identity.
Result<SubjectId> externalIdentityFrom(const QJsonObject &body)
{
    JsonBodyReader reader(body);
    const QJsonValue type = reader.value(u"type");
    const QJsonValue id = reader.value(u"id");
    reader.skip({u"resourceId"});
    if (Result<void> fields = reader.finish(); !fields) {
        return fields.error();
    }
    static const QRegularExpression typePattern(u"^[a-z_]{1,32}$"_s);
    if (!type.isString() || !typePattern.match(type.toString()).hasMatch()) {
        return Error::invalid(u"type is required and must be 1 to 32 of [a-z_]"_s);
    }
    if (const QString kind = type.toString();
        kind == u"user" || kind == u"service_account" || kind == u"system") {
        return Error::invalid(u"external identity type \"%1\" is reserved"_s.arg(kind));
    }
    if (!id.isString() || id.toString().isEmpty()) {
        return Error::invalid(u"id is required and must be a non-empty string"_s);
    }
    return SubjectId::parse(type.toString() + u':' + id.toString());
}

QJsonObject identityJson(const SubjectId &identity, const SubjectAccess &access)
{
    return {{u"type"_s, identity.kind},
            {u"id"_s, identity.id},
            {u"resourceId"_s, access.subject.subjectId()}};
}

QJsonObject grantJson(const QString &app, const QString &role, bool isStatic)
{
    return {{u"app"_s, app},
            {u"plugin"_s, app},
            {u"role"_s, role},
            {u"source"_s, isStatic ? u"static"_s : u"dynamic"_s},
            {u"mutable"_s, !isStatic}};
}

} // namespace

ManagedSubjectRelations::ManagedSubjectRelations(RelationshipRepository &relationships,
                                                 MembershipService &memberships,
                                                 const Authorizer &authorizer,
                                                 const AppCatalog &catalog)
    : m_relationships(relationships)
    , m_memberships(memberships)
    , m_authorizer(authorizer)
    , m_catalog(catalog)
{}

Result<QList<Relationship>> ManagedSubjectRelations::readAll(RelationshipRepository &relationships,
                                                             RelationshipFilter filter)
{
    filter.managed = false;
    QList<Relationship> all;
    QString pageToken;
    do {
        Result<RelationshipPage> page = relationships.list(filter, PageSize, pageToken);
        if (!page) {
            return page.error();
        }
        all += page->relationships;
        pageToken = page->nextPageToken;
    } while (!pageToken.isEmpty());
    return all;
}

Result<QList<Relationship>>
ManagedSubjectRelations::memberRelationships(const SubjectAccess &access)
{
    RelationshipFilter filter;
    filter.resourceType = access.resource().type;
    filter.resourceId = access.resource().id;
    Result<QList<Relationship>> all = readAll(m_relationships, filter);
    if (!all) {
        return all.error();
    }
    QList<Relationship> members;
    for (const Relationship &relationship : std::as_const(*all)) {
        if (managementRoles().contains(relationship.relation)) {
            members.append(relationship);
        }
    }
    return members;
}

Result<QJsonArray> ManagedSubjectRelations::members(const SubjectAccess &access)
{
    Result<QList<Relationship>> members = memberRelationships(access);
    if (!members) {
        return members.error();
    }
    QJsonArray rows;
    for (const Relationship &member : std::as_const(*members)) {
        QJsonObject row{{u"subjectId"_s, member.subject.canonical()}, {u"role"_s, member.relation}};
        if (const QString email = m_memberships.emailOf(member.subject.canonical());
            !email.isEmpty()) {
            row.insert(u"email"_s, email);
        }
        rows.append(row);
    }
    return rows;
}

Result<void> ManagedSubjectRelations::keepAnAdmin(const SubjectAccess &access,
                                                  const SubjectId &member,
                                                  const QString &newRole)
{
    if (newRole == u"admin") {
        return {};
    }
    Result<QList<Relationship>> members = memberRelationships(access);
    if (!members) {
        return members.error();
    }
    bool memberIsAdmin = false;
    int admins = 0;
    for (const Relationship &relationship : std::as_const(*members)) {
        if (relationship.relation == u"admin") {
            ++admins;
            memberIsAdmin = memberIsAdmin || relationship.subject == member;
        }
    }
    if (memberIsAdmin && admins == 1) {
        return Error::conflict(u"managed subject \"%1\" must keep at least one admin"_s.arg(
            access.subject.subjectId()));
    }
    return {};
}

Result<WriteOutcome> ManagedSubjectRelations::putMember(const SubjectAccess &access,
                                                        const QJsonObject &body)
{
    // The role first: an email alias creates its user, so nothing may fail after that.
    Result<QString> role = MembershipService::roleFrom(body, managementRoles());
    if (!role) {
        return role.error();
    }
    if (Result<void> fields = onlyFields(body, {u"subjectId", u"email", u"role"}); !fields) {
        return fields.error();
    }
    const QJsonValue subjectValue = body.value(u"subjectId"_s);
    if (subjectValue.isString()) {
        Result<SubjectId> named = SubjectId::parseWritable(subjectValue.toString());
        if (!named) {
            return named.error();
        }
        if (!named->isUser() && !named->isServiceAccount()) {
            return Error::invalid(u"managed subject members must be users or service accounts"_s);
        }
        if (*named == access.subjectId()) {
            return Error::invalid(u"a managed subject cannot be a member of itself"_s);
        }
    }
    Result<SubjectId> member = m_memberships.subjectFrom(body);
    if (!member) {
        return member.error();
    }
    if (Result<void> kept = keepAnAdmin(access, *member, *role); !kept) {
        return kept.error();
    }
    Result<WriteOutcome> outcome = m_memberships.put(*member, *role, access.resource());
    if (!outcome) {
        return outcome.error();
    }
    if (const QString email = m_memberships.emailOf(member->canonical()); !email.isEmpty()) {
        outcome->membership.insert(u"email"_s, email);
    }
    return outcome;
}

Result<WriteOutcome> ManagedSubjectRelations::removeMember(const SubjectAccess &access,
                                                           const QString &memberId)
{
    Result<SubjectId> member = SubjectId::parseWritable(memberId);
    if (!member) {
        return member.error();
    }
    Result<std::optional<Relationship>> existing = m_relationships.find(*member, access.resource());
    if (!existing) {
        return existing.error();
    }
    if (!existing->has_value() || !managementRoles().contains((*existing)->relation)) {
        return Error::notFound(u"managed subject member not found"_s);
    }
    if (Result<void> kept = keepAnAdmin(access, *member, {}); !kept) {
        return kept.error();
    }
    return m_memberships.remove(*member, access.resource());
}

Result<QJsonArray> ManagedSubjectRelations::grants(const SubjectAccess &access)
{
    RelationshipFilter filter;
    filter.subjectType = access.subject.kind;
    filter.subjectId = access.subject.id;
    filter.resourceType = ResourceType::App.toString();
    Result<QList<Relationship>> dynamic = readAll(m_relationships, filter);
    if (!dynamic) {
        return dynamic.error();
    }
    QJsonArray rows;
    for (const Relationship &grant : std::as_const(*dynamic)) {
        rows.append(grantJson(grant.resource.id, grant.relation, false));
    }
    for (const AppDefinition &app : m_catalog.apps()) {
        if (app.authorizationPolicy.isEmpty()) {
            continue;
        }
        if (const std::optional<QString> role =
                m_authorizer.staticRole(app.authorizationPolicy, access.subject.subjectId(), {})) {
            rows.append(grantJson(app.name, *role, true));
        }
    }
    return rows;
}

Result<WriteOutcome> ManagedSubjectRelations::putGrant(const Principal &caller,
                                                       const SubjectAccess &access,
                                                       const QString &appName,
                                                       const QJsonObject &body)
{
    const AppDefinition *app = m_catalog.app(appName);
    if (!app) {
        return Error::notFound(u"app \"%1\" not found"_s.arg(appName.left(128)));
    }
    if (app->authorizationPolicy.isEmpty()) {
        return Error::invalid(u"app \"%1\" does not declare authorizationPolicy; every "
                              "authenticated subject may use it already"_s.arg(app->name));
    }
    if (Result<void> fields = onlyFields(body, {u"role"}); !fields) {
        return fields.error();
    }
    Result<QString> role =
        MembershipService::roleFrom(body, m_authorizer.rolesFor(ResourceType::App));
    if (!role) {
        return role.error();
    }
    const RoleDecision held = m_authorizer.appRole(caller, *app);
    const bool mayGrant = access.callerIsBuiltInAdmin
                          || (held.allowed() && (held.role == u"admin" || held.role == *role));
    if (!mayGrant) {
        return Error::forbidden(u"app role cannot grant requested role"_s);
    }
    if (m_authorizer.staticRole(app->authorizationPolicy, access.subject.subjectId(), {})) {
        return Error::conflict(
            u"subject \"%1\" already has static authorization on app \"%2\""_s.arg(
                access.subject.subjectId(), app->name));
    }
    Result<WriteOutcome> outcome =
        m_memberships.put(access.subjectId(), *role, {ResourceType::App.toString(), app->name});
    if (!outcome) {
        return outcome.error();
    }
    outcome->membership.insert(u"app"_s, app->name);
    outcome->membership.insert(u"plugin"_s, app->name);
    return outcome;
}

Result<WriteOutcome> ManagedSubjectRelations::removeGrant(const SubjectAccess &access,
                                                          const QString &app)
{
    // No catalog check: a grant outlives its app in the config and must stay removable.
    Result<WriteOutcome> outcome =
        m_memberships.remove(access.subjectId(), {ResourceType::App.toString(), app});
    if (!outcome && outcome.error().code == ErrorCode::NotFound) {
        return Error::notFound(u"managed subject grant not found"_s);
    }
    if (outcome) {
        outcome->membership.insert(u"app"_s, app);
        outcome->membership.insert(u"plugin"_s, app);
    }
    return outcome;
}

Result<QJsonArray> ManagedSubjectRelations::externalIdentities(const SubjectAccess &access)
{
    RelationshipFilter filter;
    filter.resourceType = access.resource().type;
    filter.resourceId = access.resource().id;
    filter.relation = AssumeRelation.toString();
    Result<QList<Relationship>> all = readAll(m_relationships, filter);
    if (!all) {
        return all.error();
    }
    QJsonArray rows;
    for (const Relationship &relationship : std::as_const(*all)) {
        rows.append(identityJson(relationship.subject, access));
    }
    return rows;
}

Result<WriteOutcome> ManagedSubjectRelations::putExternalIdentity(const SubjectAccess &access,
                                                                  const QJsonObject &body)
{
    Result<SubjectId> identity = externalIdentityFrom(body);
    if (!identity) {
        return identity.error();
    }
    Result<WriteOutcome> outcome =
        m_memberships.put(*identity, AssumeRelation.toString(), access.resource());
    if (!outcome) {
        return outcome.error();
    }
    outcome->membership = identityJson(*identity, access);
    return outcome;
}

Result<WriteOutcome> ManagedSubjectRelations::removeExternalIdentity(const SubjectAccess &access,
                                                                     const QJsonObject &body)
{
    Result<SubjectId> identity = externalIdentityFrom(body);
    if (!identity) {
        return identity.error();
    }
    Result<std::optional<Relationship>> existing =
        m_relationships.find(*identity, access.resource());
    if (!existing) {
        return existing.error();
    }
    if (!existing->has_value() || (*existing)->relation != AssumeRelation) {
        return Error::notFound(u"external identity not found"_s);
    }
    Result<WriteOutcome> outcome = m_memberships.remove(*identity, access.resource());
    if (!outcome) {
        return outcome.error();
    }
    outcome->membership = identityJson(*identity, access);
    return outcome;
}

} // namespace Gestalt
