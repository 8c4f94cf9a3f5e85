// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/MembershipService.h"

#include "authz/AuthzSnapshot.h"
#include "authz/RelationshipRepository.h"
#include "core/Logging.h"
#include "identity/UserRepository.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

bool looksLikeEmail(const QString &email)
{
    static const QRegularExpression pattern(
        u"^[^@\\s\\x00-\\x1f\\x7f]+@[^@\\s\\x00-\\x1f\\x7f]+$"_s);
    return pattern.match(email).hasMatch();
}

} // namespace

HttpResponse WriteOutcome::toResponse(const QString &okStatus, const QString &pendingStatus) const
{
    QJsonObject body{{u"status"_s, reloaded ? okStatus : pendingStatus},
                     {u"persisted"_s, true},
                     {u"reloaded"_s, reloaded}};
    if (!membership.isEmpty()) {
        body.insert(u"membership"_s, membership);
    }
    return HttpResponse::json(reloaded ? 200 : 202, body);
}

MembershipService::MembershipService(RelationshipRepository &relationships,
                                     AuthzSnapshot &snapshot,
                                     UserRepository &users)
    : m_relationships(relationships)
    , m_snapshot(snapshot)
    , m_users(users)
{}

Result<SubjectId> MembershipService::subjectFrom(const QJsonObject &body)
{
    const QJsonValue subjectValue = body.value(u"subjectId"_s);
    const QJsonValue emailValue = body.value(u"email"_s);
    const bool hasSubject = !subjectValue.isUndefined() && !subjectValue.isNull();
    const bool hasEmail = !emailValue.isUndefined() && !emailValue.isNull();
    if (hasSubject == hasEmail) {
        return Error::invalid(u"exactly one of subjectId and email is required"_s);
    }
    if (hasSubject) {
        if (!subjectValue.isString()) {
            return Error::invalid(u"subjectId must be a string"_s);
        }
        return SubjectId::parseWritable(subjectValue.toString());
    }
    if (!emailValue.isString()) {
        return Error::invalid(u"email must be a string"_s);
    }
    const QString email = emailValue.toString().trimmed();
    if (email.size() > MaxEmailLength) {
        return Error::invalid(u"email is longer than %1 characters"_s.arg(MaxEmailLength));
    }
    if (!looksLikeEmail(email)) {
        return Error::invalid(u"email is not a valid email address"_s);
    }
    Result<User> user = m_users.findOrCreateByEmail(email);
    if (!user) {
        return user.error();
    }
    return SubjectId{u"user"_s, user->id};
}

Result<QString> MembershipService::roleFrom(const QJsonObject &body, const QStringList &roles)
{
    const QJsonValue value = body.value(u"role"_s);
    if (value.isUndefined() || value.isNull() || (value.isString() && value.toString().isEmpty())) {
        return Error::invalid(u"role is required"_s);
    }
    if (!value.isString() || !roles.contains(value.toString())) {
        const QString shown = value.isString() ? value.toString().left(64) : u"(not a string)"_s;
        return Error::invalid(
            u"invalid role \"%1\" (expected one of: %2)"_s.arg(shown, roles.join(u", "_s)));
    }
    return value.toString();
}

bool MembershipService::reload()
{
    Result<void> reloaded = m_snapshot.reload();
    if (!reloaded) {
        qCWarning(lcAuthz).noquote()
            << "authz: snapshot reload after a write failed:" << reloaded.error().message;
    }
    return reloaded.hasValue();
}

Result<WriteOutcome>
MembershipService::put(const SubjectId &subject, const QString &role, const ResourceRef &resource)
{
    Relationship relationship;
    relationship.subject = subject;
    relationship.relation = role;
    relationship.resource = resource;
    if (Result<bool> written = m_relationships.put(relationship); !written) {
        return written.error();
    }
    WriteOutcome outcome;
    outcome.reloaded = reload();
    outcome.membership = QJsonObject{{u"subjectId"_s, subject.canonical()},
                                     {u"role"_s, role},
                                     {u"source"_s, u"dynamic"_s},
                                     {u"mutable"_s, true}};
    return outcome;
}

Result<WriteOutcome> MembershipService::remove(const SubjectId &subject,
                                               const ResourceRef &resource)
{
    Result<std::optional<Relationship>> existing = m_relationships.find(subject, resource);
    if (!existing) {
        return existing.error();
    }
    Result<bool> removed = m_relationships.remove(subject, resource);
    if (!removed) {
        return removed.error();
    }
    if (!*removed || !existing->has_value()) {
        return Error::notFound(u"authorization member not found"_s);
    }
    WriteOutcome outcome;
    outcome.reloaded = reload();
    outcome.membership = QJsonObject{{u"subjectId"_s, subject.canonical()},
                                     {u"role"_s, (*existing)->relation},
                                     {u"source"_s, u"dynamic"_s}};
    return outcome;
}

QString MembershipService::emailOf(const QString &subjectId)
{
    if (!subjectId.startsWith(u"user:"_s)) {
        return {};
    }
    Result<std::optional<User>> user = m_users.findById(subjectId.mid(5));
    return user && user->has_value() ? (*user)->email : QString();
}

Result<std::optional<AuthzModel>> MembershipService::activeModel()
{
    return m_relationships.activeModel();
}

Result<AuthzModelPage> MembershipService::listModels(int pageSize, const QString &pageToken)
{
    return m_relationships.listModels(pageSize, pageToken);
}

Result<RelationshipPage> MembershipService::listRelationships(const RelationshipFilter &filter,
                                                              int pageSize,
                                                              const QString &pageToken)
{
    return m_relationships.list(filter, pageSize, pageToken);
}

} // namespace Gestalt
