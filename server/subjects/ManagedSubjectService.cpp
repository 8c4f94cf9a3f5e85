// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "subjects/ManagedSubjectService.h"

#include "authz/Authorizer.h"
#include "authz/MembershipService.h"
#include "authz/RelationshipRepository.h"
#include "connections/CredentialRepository.h"
#include "http/JsonBodyReader.h"
#include "subjects/ManagedSubjectRelations.h"
#include "subjects/ManagedSubjectRepository.h"

#include <QHash>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString ServiceAccountPrefix = u"service_account:"_s;

SubjectRole roleFromName(const QString &name)
{
    if (name == u"admin") {
        return SubjectRole::Admin;
    }
    if (name == u"editor") {
        return SubjectRole::Editor;
    }
    return name == u"viewer" ? SubjectRole::Viewer : SubjectRole::None;
}

Error subjectNotFound(const QString &pathId)
{
    return Error::notFound(u"managed subject \"%1\" not found"_s.arg(pathId.left(160)));
}

bool hasControlCharacter(const QString &text)
{
    return std::any_of(text.begin(), text.end(), [](QChar c) {
        return c.category() == QChar::Other_Control || c.isSurrogate();
    });
}

// An optional text field as JsonBodyReader::string() read it: trimmed; 400 when too long, or
// (`singleLine`) with control characters.
Result<std::optional<QString>> checkedText(const std::optional<QString> &value,
                                           const QString &key,
                                           qsizetype maxLength,
                                           bool singleLine)
{
    if (!value) {
        return std::optional<QString>();
    }
    const QString text = value->trimmed();
    if (text.size() > maxLength) {
        return Error::invalid(u"%1 is longer than %2 characters"_s.arg(key).arg(maxLength));
    }
    if (singleLine && hasControlCharacter(text)) {
        return Error::invalid(u"%1 contains control characters"_s.arg(key));
    }
    return std::optional<QString>(text);
}

// The bare id of a managed subject named as "service_account:<id>" or "<id>".
Result<QString> bareId(const QString &name, const QString &field)
{
    QString id = name;
    if (id.startsWith(ServiceAccountPrefix)) {
        id = id.mid(ServiceAccountPrefix.size());
    } else if (id.contains(u':')) {
        return Error::invalid(u"%1 must have the form service_account:<id>"_s.arg(field));
    }
    if (!SubjectId::isValidServiceAccountId(id)) {
        return Error::invalid(u"service account id must be 1 to 128 of [A-Za-z0-9._-]"_s);
    }
    return id;
}

// The bare id a create body names by `id`, `subjectId` (service_account:<id>) or both.
Result<QString> createdId(const std::optional<QString> &id, const std::optional<QString> &subjectId)
{
    std::optional<QString> bare;
    for (const auto &[value, field] :
         {std::pair{id, u"id"_s}, std::pair{subjectId, u"subjectId"_s}}) {
        if (!value) {
            continue;
        }
        if (field == u"subjectId" && !value->startsWith(ServiceAccountPrefix)) {
            return Error::invalid(u"subjectId must have the form service_account:<id>"_s);
        }
        Result<QString> parsed = bareId(*value, field);
        if (!parsed) {
            return parsed.error();
        }
        if (bare && *bare != *parsed) {
            return Error::invalid(u"id and subjectId name different subjects"_s);
        }
        bare = *parsed;
    }
    if (!bare) {
        return Error::invalid(u"id or subjectId is required"_s);
    }
    return *bare;
}

} // namespace

SubjectId SubjectAccess::subjectId() const
{
    return {subject.kind, subject.id};
}

ResourceRef SubjectAccess::resource() const
{
    return {ResourceType::ManagedSubject.toString(), subject.subjectId()};
}

TokenOwner SubjectAccess::tokenOwner() const
{
    return {u"subject"_s, subject.id, subject.subjectId()};
}

Principal SubjectAccess::principal() const
{
    Principal principal;
    principal.subjectId = subject.subjectId();
    principal.displayName = subject.displayName;
    return principal;
}

ManagedSubjectService::ManagedSubjectService(Deps deps)
    : m_deps(deps)
{}

QString ManagedSubjectService::roleName(SubjectRole role)
{
    switch (role) {
    case SubjectRole::Admin:
        return u"admin"_s;
    case SubjectRole::Editor:
        return u"editor"_s;
    case SubjectRole::Viewer:
        return u"viewer"_s;
    case SubjectRole::None:
        break;
    }
    return {};
}

Result<void> ManagedSubjectService::requireManager(const Principal &caller)
{
    if (caller.tokenOwnerKind == u"subject") {
        return Error::forbidden(u"subject-owned API tokens cannot manage managed subjects"_s);
    }
    if (caller.isScopedToken()) {
        return Error::forbidden(u"scoped API tokens cannot manage managed subjects"_s);
    }
    if (!caller.isUser()) {
        return Error::forbidden(u"managed subjects can only be managed by users"_s);
    }
    return {};
}

bool ManagedSubjectService::isBuiltInAdmin(const Principal &caller) const
{
    // Without an admin policy every caller counts as admin on /admin: that must not open every
    // managed subject to every user.
    return m_deps.authorizer.adminPolicySet() && m_deps.authorizer.isAdmin(caller);
}

Result<bool> ManagedSubjectService::isNamedElsewhere(const QString &subjectId)
{
    if (m_deps.authorizer.policiesName(subjectId)) {
        return true;
    }
    Result<SubjectId> subject = SubjectId::parse(subjectId);
    if (!subject) {
        return subject.error();
    }
    RelationshipFilter held; // its grants and memberships, from the config (managed) or not
    held.subjectType = subject->kind;
    held.subjectId = subject->id;
    RelationshipFilter on; // roles on it, left by anything but its own creation
    on.resourceType = ResourceType::ManagedSubject.toString();
    on.resourceId = subjectId;
    for (const RelationshipFilter &filter : {held, on}) {
        Result<RelationshipPage> page = m_deps.relationships.list(filter, 1, QString());
        if (!page) {
            return page.error();
        }
        if (!page->relationships.isEmpty()) {
            return true;
        }
    }
    return false;
}

Result<SubjectRole> ManagedSubjectService::roleOf(const Principal &caller,
                                                  const ManagedSubject &subject)
{
    if (isBuiltInAdmin(caller)) {
        return SubjectRole::Admin;
    }
    Result<SubjectId> callerId = SubjectId::parse(caller.subjectId);
    if (!callerId) {
        return SubjectRole::None;
    }
    Result<std::optional<Relationship>> found = m_deps.relationships.find(
        *callerId, {ResourceType::ManagedSubject.toString(), subject.subjectId()});
    if (!found) {
        return found.error();
    }
    return found->has_value() ? roleFromName((*found)->relation) : SubjectRole::None;
}

Result<SubjectAccess>
ManagedSubjectService::open(const Principal &caller, const QString &pathId, SubjectRole needed)
{
    Result<QString> id = bareId(pathId, u"subjectID"_s);
    if (!id) {
        return id.error();
    }
    Result<std::optional<ManagedSubject>> found = m_deps.subjects.find(*id);
    if (!found) {
        return found.error();
    }
    if (!found->has_value()) {
        return subjectNotFound(pathId);
    }
    Result<SubjectRole> role = roleOf(caller, **found);
    if (!role) {
        return role.error();
    }
    if (*role == SubjectRole::None) {
        return subjectNotFound(pathId);
    }
    if (*role < needed) {
        return Error::forbidden(u"managed subject %1 role required"_s.arg(roleName(needed)));
    }
    return SubjectAccess{**found, *role, isBuiltInAdmin(caller)};
}

Result<QList<SubjectAccess>> ManagedSubjectService::list(const Principal &caller)
{
    QHash<QString, SubjectRole> roles; // bare id → role
    std::optional<QStringList> ids;
    if (!isBuiltInAdmin(caller)) {
        Result<SubjectId> callerId = SubjectId::parse(caller.subjectId);
        if (!callerId) {
            return QList<SubjectAccess>();
        }
        RelationshipFilter filter;
        filter.subjectType = callerId->kind;
        filter.subjectId = callerId->id;
        filter.resourceType = ResourceType::ManagedSubject.toString();
        Result<QList<Relationship>> held =
            ManagedSubjectRelations::readAll(m_deps.relationships, filter);
        if (!held) {
            return held.error();
        }
        ids = QStringList();
        for (const Relationship &relationship : std::as_const(*held)) {
            const SubjectRole role = roleFromName(relationship.relation);
            if (role != SubjectRole::None
                && relationship.resource.id.startsWith(ServiceAccountPrefix)) {
                const QString id = relationship.resource.id.mid(ServiceAccountPrefix.size());
                ids->append(id);
                roles.insert(id, role);
            }
        }
        if (ids->isEmpty()) {
            return QList<SubjectAccess>();
        }
    }
    Result<QList<ManagedSubject>> subjects = m_deps.subjects.list(ids);
    if (!subjects) {
        return subjects.error();
    }
    QList<SubjectAccess> out;
    for (const ManagedSubject &subject : std::as_const(*subjects)) {
        out.append({subject, ids ? roles.value(subject.id) : SubjectRole::Admin, !ids});
    }
    return out;
}

Result<ManagedSubject> ManagedSubjectService::create(const Principal &caller,
                                                     const QJsonObject &body)
{
    JsonBodyReader reader(body);
    const QJsonValue kind = reader.value(u"kind");
    const std::optional<QString> id = reader.string(u"id");
    const std::optional<QString> subjectId = reader.string(u"subjectId");
    const std::optional<QString> displayName = reader.string(u"displayName");
    const std::optional<QString> description = reader.string(u"description");
    if (Result<void> read = reader.finish(); !read) {
        return read.error();
    }
    if (!kind.isUndefined() && !kind.isNull() && kind.toString() != u"service_account") {
        return Error::invalid(u"managed subject kind must be service_account"_s);
    }
    Result<QString> bare = createdId(id, subjectId);
    if (!bare) {
        return bare.error();
    }
    Result<std::optional<QString>> name =
        checkedText(displayName, u"displayName"_s, MaxDisplayNameLength, true);
    if (!name) {
        return name.error();
    }
    Result<std::optional<QString>> about =
        checkedText(description, u"description"_s, MaxDescriptionLength, false);
    if (!about) {
        return about.error();
    }
    Result<SubjectId> creator = SubjectId::parse(caller.subjectId);
    if (!creator) {
        return creator.error();
    }
    if (Result<void> allowed = mayCreate(caller, *bare); !allowed) {
        return allowed.error();
    }
    ManagedSubject subject;
    subject.id = *bare;
    subject.displayName = name->value_or(QString());
    subject.description = about->value_or(QString());
    subject.createdBySubjectId = caller.subjectId;
    Result<ManagedSubject> created = m_deps.subjects.create(subject);
    if (!created) {
        return created.error();
    }
    const SubjectAccess access{*created, SubjectRole::Admin, false};
    if (Result<WriteOutcome> admin =
            m_deps.memberships.put(*creator, u"admin"_s, access.resource());
        !admin) {
        return admin.error();
    }
    return created;
}

Result<void> ManagedSubjectService::mayCreate(const Principal &caller, const QString &id)
{
    // Whoever creates a subject holds its tokens: an id the config or the store already names
    // would hand its roles (a static admin's, say) to that caller.
    // (An existing subject is named by its own members: that stays 409 in create().)
    Result<std::optional<ManagedSubject>> existing = m_deps.subjects.find(id);
    if (!existing) {
        return existing.error();
    }
    if (existing->has_value() || isBuiltInAdmin(caller)) {
        return {};
    }
    Result<bool> named = isNamedElsewhere(ServiceAccountPrefix + id);
    if (!named) {
        return named.error();
    }
    if (*named) {
        return Error::forbidden(
            u"managed subject id \"%1\" is already named by an authorization policy or "
            "relationship; only a built-in admin may create it"_s.arg(id));
    }
    return {};
}

Result<ManagedSubject> ManagedSubjectService::update(const SubjectAccess &access,
                                                     const QJsonObject &body)
{
    JsonBodyReader reader(body);
    const std::optional<QString> displayName = reader.string(u"displayName");
    const std::optional<QString> description = reader.string(u"description");
    if (Result<void> read = reader.finish(); !read) {
        return read.error();
    }
    Result<std::optional<QString>> name =
        checkedText(displayName, u"displayName"_s, MaxDisplayNameLength, true);
    if (!name) {
        return name.error();
    }
    Result<std::optional<QString>> about =
        checkedText(description, u"description"_s, MaxDescriptionLength, false);
    if (!about) {
        return about.error();
    }
    std::optional<QString> shown = *name;
    if (shown && shown->isEmpty()) {
        shown = access.subject.id; // an empty display name falls back to the id
    }
    return m_deps.subjects.update(access.subject.id, shown, *about);
}

Result<ManagedSubjectService::Removal> ManagedSubjectService::remove(const SubjectAccess &access)
{
    // Tokens first: whatever fails later, nobody acts as the subject any more.
    Removal removal;
    Result<int> tokens = m_deps.tokens.revokeAll(access.tokenOwner());
    if (!tokens) {
        return tokens.error();
    }
    removal.revokedTokens = *tokens;
    Result<int> credentials = m_deps.credentials.removeAllForSubject(access.subject.subjectId());
    if (!credentials) {
        return credentials.error();
    }
    removal.removedCredentials = *credentials;
    if (Result<bool> deleted = m_deps.subjects.softDelete(access.subject.id); !deleted) {
        return deleted.error();
    }
    Result<int> relationships =
        m_deps.relationships.removeAllInvolving(access.subjectId(), access.resource());
    if (!relationships) {
        return relationships.error();
    }
    removal.removedRelationships = *relationships;
    removal.reloaded = m_deps.memberships.reload();
    return removal;
}

} // namespace Gestalt
