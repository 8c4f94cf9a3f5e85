// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "subjects/ManagedSubjectRoutes.h"

#include "audit/AuditLog.h"
#include "subjects/ManagedSubjectRoutes_p.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

QJsonObject ManagedSubjectRoutes::Impl::subjectJson(const SubjectAccess &access)
{
    QJsonObject json = access.subject.toJson();
    json.insert(u"role"_s, ManagedSubjectService::roleName(access.role));
    return json;
}

ManagedSubjectRoutes::Impl::Impl(Deps dependencies)
    : deps(dependencies)
    , service(deps.service)
    , relations(deps.relations)
{}

Result<SubjectAccess> ManagedSubjectRoutes::Impl::admit(const HttpRequest &request,
                                                        SubjectRole needed)
{
    if (Result<void> manager = ManagedSubjectService::requireManager(*request.principal);
        !manager) {
        return manager.error();
    }
    return service.open(*request.principal, request.pathParam(u"subjectID"_s), needed);
}

void ManagedSubjectRoutes::Impl::audit(const HttpRequest &request,
                                       const QString &action,
                                       const AuditTarget &target,
                                       const std::optional<Error> &error)
{
    AuditEvent event = AuditEvent::forRequest(request, action, target);
    event.setOutcome(error);
    deps.audit.record(std::move(event));
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::change(const HttpRequest &request,
                                                        const QString &action,
                                                        SubjectRole needed,
                                                        const Change &run)
{
    AuditTarget target{ManagedSubjectKind, {}, {}};
    target.id = request.pathParam(u"subjectID"_s).left(160);
    Result<SubjectAccess> access = admit(request, needed);
    Result<HttpResponse> result =
        access ? run(request, *access, target) : Result<HttpResponse>(access.error());
    audit(request, action, target, result ? std::nullopt : std::optional<Error>(result.error()));
    return result;
}

Result<HttpResponse>
ManagedSubjectRoutes::Impl::read(const HttpRequest &request, SubjectRole needed, const Rows &get)
{
    Result<SubjectAccess> access = admit(request, needed);
    if (!access) {
        return access.error();
    }
    Result<QJsonArray> rows = get(*access);
    if (!rows) {
        return rows.error();
    }
    return HttpResponse::json(200, *rows);
}

ManagedSubjectRoutes::ManagedSubjectRoutes(Deps deps)
    : d(std::make_unique<Impl>(deps))
{}

ManagedSubjectRoutes::~ManagedSubjectRoutes() = default;

void ManagedSubjectRoutes::registerRoutes(Router &router)
{
    d->registerSubjectRoutes(router);
    d->registerRelationRoutes(router);
    d->registerCredentialRoutes(router);
}

void ManagedSubjectRoutes::Impl::registerSubjectRoutes(Router &router)
{
    router.route(u"GET"_s, SubjectsPath, RouteAuth::Authenticated, this, &Impl::listSubjects);
    router.route(u"POST"_s, SubjectsPath, RouteAuth::Authenticated, this, &Impl::createSubject);
    router.route(u"GET"_s, SubjectPath, RouteAuth::Authenticated, this, &Impl::getSubject);
    router.route(u"PATCH"_s, SubjectPath, RouteAuth::Authenticated, this, &Impl::updateSubject);
    router.route(u"DELETE"_s, SubjectPath, RouteAuth::Authenticated, this, &Impl::deleteSubject);
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::listSubjects(const HttpRequest &request)
{
    const Principal &caller = *request.principal;
    if (Result<void> manager = ManagedSubjectService::requireManager(caller); !manager) {
        return manager.error();
    }
    Result<QList<SubjectAccess>> subjects = service.list(caller);
    if (!subjects) {
        return subjects.error();
    }
    QJsonArray rows;
    for (const SubjectAccess &access : std::as_const(*subjects)) {
        rows.append(subjectJson(access));
    }
    return HttpResponse::json(200, rows);
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::createSubject(const HttpRequest &request)
{
    AuditTarget target{ManagedSubjectKind, {}, {}};
    Result<HttpResponse> result = [&]() -> Result<HttpResponse> {
        const Principal &caller = *request.principal;
        if (Result<void> manager = ManagedSubjectService::requireManager(caller); !manager) {
            return manager.error();
        }
        Result<QJsonObject> body = request.jsonObject();
        if (!body) {
            return body.error();
        }
        target.id = body->value(u"subjectId"_s).toString(body->value(u"id"_s).toString()).left(160);
        Result<ManagedSubject> created = service.create(caller, *body);
        if (!created) {
            return created.error();
        }
        target.id = created->subjectId();
        target.name = created->displayName;
        return HttpResponse::json(201, subjectJson({*created, SubjectRole::Admin, false}));
    }();
    audit(request,
          u"managed_subject.create"_s,
          target,
          result ? std::nullopt : std::optional<Error>(result.error()));
    return result;
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::getSubject(const HttpRequest &request)
{
    Result<SubjectAccess> access = admit(request, SubjectRole::Viewer);
    if (!access) {
        return access.error();
    }
    return HttpResponse::json(200, subjectJson(*access));
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::updateSubject(const HttpRequest &request)
{
    return change(request,
                  u"managed_subject.update"_s,
                  SubjectRole::Admin,
                  [this](const HttpRequest &r,
                         const SubjectAccess &access,
                         AuditTarget &target) -> Result<HttpResponse> {
                      target.id = access.subject.subjectId();
                      Result<QJsonObject> body = r.jsonObject();
                      if (!body) {
                          return body.error();
                      }
                      Result<ManagedSubject> updated = service.update(access, *body);
                      if (!updated) {
                          return updated.error();
                      }
                      target.name = updated->displayName;
                      return HttpResponse::json(
                          200, subjectJson({*updated, access.role, access.callerIsBuiltInAdmin}));
                  });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::deleteSubject(const HttpRequest &request)
{
    return change(
        request,
        u"managed_subject.delete"_s,
        SubjectRole::Admin,
        [this](const HttpRequest &,
               const SubjectAccess &access,
               AuditTarget &target) -> Result<HttpResponse> {
            target.id = access.subject.subjectId();
            target.name = access.subject.displayName;
            Result<ManagedSubjectService::Removal> removed = service.remove(access);
            if (!removed) {
                return removed.error();
            }
            return HttpResponse::json(
                removed->reloaded ? 200 : 202,
                QJsonObject{
                    {u"status"_s, removed->reloaded ? u"deleted"_s : u"deleted_pending_reload"_s},
                    {u"persisted"_s, true},
                    {u"reloaded"_s, removed->reloaded},
                    {u"subjectId"_s, access.subject.subjectId()},
                    {u"revokedTokens"_s, removed->revokedTokens},
                    {u"removedCredentials"_s, removed->removedCredentials},
                    {u"removedRelationships"_s, removed->removedRelationships}});
        });
}

namespace {

const QString RelationOk = QStringLiteral("ok");
const QString RelationDeleted = QStringLiteral("deleted");
const QString RelationPending = QStringLiteral("persisted_pending_reload");

// What a relation write's audit event names: the member (type:id), the app or the external
// subject, with its role when it has one.
QString relationTargetName(const QJsonObject &row)
{
    QString name = row.contains(u"type"_s)
                       ? row.value(u"type"_s).toString() + u':' + row.value(u"id"_s).toString()
                       : row.value(u"app"_s).toString(row.value(u"subjectId"_s).toString());
    if (row.contains(u"role"_s)) {
        name += u" (" + row.value(u"role"_s).toString() + u')';
    }
    return name;
}

// `run` with the request's JSON object body.
Result<WriteOutcome> withBody(const HttpRequest &request,
                              const std::function<Result<WriteOutcome>(const QJsonObject &)> &run)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body) {
        return body.error();
    }
    return run(*body);
}

} // namespace

Result<HttpResponse> ManagedSubjectRoutes::Impl::write(const HttpRequest &request,
                                                       const QString &action,
                                                       const QString &okStatus,
                                                       const QString &pendingStatus,
                                                       const Write &run)
{
    return change(request,
                  action,
                  SubjectRole::Admin,
                  [&](const HttpRequest &r,
                      const SubjectAccess &access,
                      AuditTarget &target) -> Result<HttpResponse> {
                      target.id = access.subject.subjectId();
                      Result<WriteOutcome> outcome = run(r, access);
                      if (!outcome) {
                          return outcome.error();
                      }
                      target.name = relationTargetName(outcome->membership);
                      return outcome->toResponse(okStatus, pendingStatus);
                  });
}

void ManagedSubjectRoutes::Impl::registerRelationRoutes(Router &router)
{
    const QString members = SubjectPath + u"/members"_s;
    router.route(u"GET"_s, members, RouteAuth::Authenticated, this, &Impl::listMembers);
    router.route(u"PUT"_s, members, RouteAuth::Authenticated, this, &Impl::putMember);
    router.route(u"DELETE"_s,
                 members + u"/{memberSubjectID}"_s,
                 RouteAuth::Authenticated,
                 this,
                 &Impl::removeMember);

    router.route(
        u"GET"_s, SubjectPath + u"/grants"_s, RouteAuth::Authenticated, this, &Impl::listGrants);
    const QString grant = SubjectPath + u"/grants/{app}"_s;
    router.route(u"PUT"_s, grant, RouteAuth::Authenticated, this, &Impl::putGrant);
    router.route(u"DELETE"_s, grant, RouteAuth::Authenticated, this, &Impl::removeGrant);

    const QString identities = SubjectPath + u"/external-identities"_s;
    router.route(
        u"GET"_s, identities, RouteAuth::Authenticated, this, &Impl::listExternalIdentities);
    router.route(u"PUT"_s, identities, RouteAuth::Authenticated, this, &Impl::putExternalIdentity);
    router.route(
        u"DELETE"_s, identities, RouteAuth::Authenticated, this, &Impl::removeExternalIdentity);
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::listMembers(const HttpRequest &request)
{
    return read(request, SubjectRole::Viewer, [this](const SubjectAccess &a) {
        return relations.members(a);
    });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::putMember(const HttpRequest &request)
{
    return write(request,
                 u"managed_subject.member.put"_s,
                 RelationOk,
                 RelationPending,
                 [this](const HttpRequest &r, const SubjectAccess &a) {
                     return withBody(
                         r, [&](const QJsonObject &body) { return relations.putMember(a, body); });
                 });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::removeMember(const HttpRequest &request)
{
    return write(request,
                 u"managed_subject.member.delete"_s,
                 RelationDeleted,
                 RelationPending,
                 [this](const HttpRequest &r, const SubjectAccess &a) {
                     return relations.removeMember(a, r.pathParam(u"memberSubjectID"_s));
                 });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::listGrants(const HttpRequest &request)
{
    return read(request, SubjectRole::Viewer, [this](const SubjectAccess &a) {
        return relations.grants(a);
    });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::putGrant(const HttpRequest &request)
{
    return write(request,
                 u"managed_subject.grant.put"_s,
                 RelationOk,
                 RelationPending,
                 [this](const HttpRequest &r, const SubjectAccess &a) {
                     return withBody(r, [&](const QJsonObject &body) {
                         return relations.putGrant(*r.principal, a, r.pathParam(u"app"_s), body);
                     });
                 });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::removeGrant(const HttpRequest &request)
{
    return write(request,
                 u"managed_subject.grant.delete"_s,
                 RelationDeleted,
                 u"deleted_pending_reload"_s,
                 [this](const HttpRequest &r, const SubjectAccess &a) {
                     return relations.removeGrant(a, r.pathParam(u"app"_s));
                 });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::listExternalIdentities(const HttpRequest &request)
{
    return read(request, SubjectRole::Admin, [this](const SubjectAccess &a) {
        return relations.externalIdentities(a);
    });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::putExternalIdentity(const HttpRequest &request)
{
    return write(request,
                 u"managed_subject.external_identity.put"_s,
                 RelationOk,
                 RelationPending,
                 [this](const HttpRequest &r, const SubjectAccess &a) {
                     return withBody(r, [&](const QJsonObject &body) {
                         return relations.putExternalIdentity(a, body);
                     });
                 });
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::removeExternalIdentity(const HttpRequest &request)
{
    return write(request,
                 u"managed_subject.external_identity.delete"_s,
                 RelationDeleted,
                 RelationPending,
                 [this](const HttpRequest &r, const SubjectAccess &a) {
                     return withBody(r, [&](const QJsonObject &body) {
                         return relations.removeExternalIdentity(a, body);
                     });
                 });
}

} // namespace Gestalt
