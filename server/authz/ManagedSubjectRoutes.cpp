// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/ManagedSubjectRoutes.h"

#include "audit/AuditLog.h"
#include "authz/ManagedSubjectRoutes_p.h"

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
    , service({deps.subjects, deps.relationships, deps.memberships, deps.authorizer, deps.tokens,
               deps.credentials})
    , relations(deps.relationships, deps.memberships, deps.authorizer, deps.catalog)
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

void ManagedSubjectRoutes::Impl::audit(const HttpRequest &request, const QString &action,
                                       const AuditTarget &target,
                                       const std::optional<Error> &error)
{
    AuditEvent event;
    event.context = AuditContext::fromRequest(request);
    event.setPrincipal(*request.principal);
    event.action = action;
    event.targetKind = target.kind;
    event.targetId = target.id;
    event.targetName = target.name;
    event.allowed = !error.has_value();
    if (error) {
        event.error = publicMessage(*error);
    }
    deps.audit.record(std::move(event));
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::change(const HttpRequest &request,
                                                        const QString &action,
                                                        SubjectRole needed, const Change &run)
{
    AuditTarget target;
    target.id = request.pathParam(u"subjectID"_s).left(160);
    Result<SubjectAccess> access = admit(request, needed);
    Result<HttpResponse> result =
        access ? run(request, *access, target) : Result<HttpResponse>(access.error());
    audit(request, action, target, result ? std::nullopt : std::optional<Error>(result.error()));
    return result;
}

Result<HttpResponse> ManagedSubjectRoutes::Impl::read(const HttpRequest &request,
                                                      SubjectRole needed, const Rows &get)
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
    router.route(u"GET"_s, SubjectsPath, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) -> Result<HttpResponse> {
                     const Principal &caller = *request.principal;
                     if (Result<void> manager = ManagedSubjectService::requireManager(caller);
                         !manager) {
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
                 });
    router.route(u"POST"_s, SubjectsPath, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) -> Result<HttpResponse> {
                     AuditTarget target;
                     const Result<HttpResponse> result = [&]() -> Result<HttpResponse> {
                         const Principal &caller = *request.principal;
                         if (Result<void> manager = ManagedSubjectService::requireManager(caller);
                             !manager) {
                             return manager.error();
                         }
                         Result<QJsonObject> body = request.jsonObject();
                         if (!body) {
                             return body.error();
                         }
                         target.id = body->value(u"subjectId"_s)
                                         .toString(body->value(u"id"_s).toString())
                                         .left(160);
                         Result<ManagedSubject> created = service.create(caller, *body);
                         if (!created) {
                             return created.error();
                         }
                         target.id = created->subjectId();
                         target.name = created->displayName;
                         return HttpResponse::json(
                             201, subjectJson({*created, SubjectRole::Admin, false}));
                     }();
                     audit(request, u"managed_subject.create"_s, target,
                           result ? std::nullopt : std::optional<Error>(result.error()));
                     return result;
                 });
    router.route(u"GET"_s, SubjectPath, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) -> Result<HttpResponse> {
                     Result<SubjectAccess> access = admit(request, SubjectRole::Viewer);
                     if (!access) {
                         return access.error();
                     }
                     return HttpResponse::json(200, subjectJson(*access));
                 });
    router.route(
        u"PATCH"_s, SubjectPath, RouteAuth::Authenticated, [this](const HttpRequest &request) {
            return change(request, u"managed_subject.update"_s, SubjectRole::Admin,
                          [this](const HttpRequest &r, const SubjectAccess &access,
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
                              return HttpResponse::json(200,
                                                        subjectJson({*updated, access.role,
                                                                     access.callerIsBuiltInAdmin}));
                          });
        });
    router.route(
        u"DELETE"_s, SubjectPath, RouteAuth::Authenticated, [this](const HttpRequest &request) {
            return change(
                request, u"managed_subject.delete"_s, SubjectRole::Admin,
                [this](const HttpRequest &, const SubjectAccess &access,
                       AuditTarget &target) -> Result<HttpResponse> {
                    target.id = access.subject.subjectId();
                    target.name = access.subject.displayName;
                    Result<ManagedSubjectService::Removal> removed = service.remove(access);
                    if (!removed) {
                        return removed.error();
                    }
                    return HttpResponse::json(
                        removed->reloaded ? 200 : 202,
                        QJsonObject{{u"status"_s, removed->reloaded ? u"deleted"_s
                                                                    : u"deleted_pending_reload"_s},
                                    {u"persisted"_s, true},
                                    {u"reloaded"_s, removed->reloaded},
                                    {u"subjectId"_s, access.subject.subjectId()},
                                    {u"revokedTokens"_s, removed->revokedTokens},
                                    {u"removedCredentials"_s, removed->removedCredentials},
                                    {u"removedRelationships"_s, removed->removedRelationships}});
                });
        });
}

void ManagedSubjectRoutes::Impl::registerRelationRoutes(Router &router)
{
    // A write through ManagedSubjectRelations answered as WriteOutcome::toResponse.
    const auto write = [this](const QString &action, const QString &okStatus,
                              const QString &pendingStatus,
                              std::function<Result<WriteOutcome>(const HttpRequest &,
                                                                 const SubjectAccess &)> run) {
        return [this, action, okStatus, pendingStatus, run](const HttpRequest &request) {
            return change(request, action, SubjectRole::Admin,
                          [&](const HttpRequest &r, const SubjectAccess &access,
                              AuditTarget &target) -> Result<HttpResponse> {
                              target.id = access.subject.subjectId();
                              Result<WriteOutcome> outcome = run(r, access);
                              if (!outcome) {
                                  return outcome.error();
                              }
                              const QJsonObject &row = outcome->membership;
                              target.name = row.contains(u"type"_s)
                                  ? row.value(u"type"_s).toString() + u':'
                                      + row.value(u"id"_s).toString()
                                  : row.value(u"app"_s).toString(
                                        row.value(u"subjectId"_s).toString());
                              if (row.contains(u"role"_s)) {
                                  target.name += u" (" + row.value(u"role"_s).toString() + u')';
                              }
                              return outcome->toResponse(okStatus, pendingStatus);
                          });
        };
    };
    const auto withBody = [](const HttpRequest &request,
                             const std::function<Result<WriteOutcome>(const QJsonObject &)> &run)
        -> Result<WriteOutcome> {
        Result<QJsonObject> body = request.jsonObject();
        if (!body) {
            return body.error();
        }
        return run(*body);
    };
    const QString ok = u"ok"_s;
    const QString deleted = u"deleted"_s;
    const QString pending = u"persisted_pending_reload"_s;

    router.route(u"GET"_s, SubjectPath + u"/members"_s, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) {
                     return read(request, SubjectRole::Viewer, [this](const SubjectAccess &a) {
                         return relations.members(a);
                     });
                 });
    router.route(u"PUT"_s, SubjectPath + u"/members"_s, RouteAuth::Authenticated,
                 write(u"managed_subject.member.put"_s, ok, pending,
                       [this, withBody](const HttpRequest &r, const SubjectAccess &a) {
                           return withBody(r, [&](const QJsonObject &body) {
                               return relations.putMember(a, body);
                           });
                       }));
    router.route(u"DELETE"_s, SubjectPath + u"/members/{memberSubjectID}"_s, RouteAuth::Authenticated,
                 write(u"managed_subject.member.delete"_s, deleted, pending,
                       [this](const HttpRequest &r, const SubjectAccess &a) {
                           return relations.removeMember(a, r.pathParam(u"memberSubjectID"_s));
                       }));

    router.route(u"GET"_s, SubjectPath + u"/grants"_s, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) {
                     return read(request, SubjectRole::Viewer, [this](const SubjectAccess &a) {
                         return relations.grants(a);
                     });
                 });
    router.route(u"PUT"_s, SubjectPath + u"/grants/{app}"_s, RouteAuth::Authenticated,
                 write(u"managed_subject.grant.put"_s, ok, pending,
                       [this, withBody](const HttpRequest &r, const SubjectAccess &a) {
                           return withBody(r, [&](const QJsonObject &body) {
                               return relations.putGrant(*r.principal, a,
                                                         r.pathParam(u"app"_s), body);
                           });
                       }));
    router.route(u"DELETE"_s, SubjectPath + u"/grants/{app}"_s, RouteAuth::Authenticated,
                 write(u"managed_subject.grant.delete"_s, deleted, u"deleted_pending_reload"_s,
                       [this](const HttpRequest &r, const SubjectAccess &a) {
                           return relations.removeGrant(a, r.pathParam(u"app"_s));
                       }));

    const QString identities = SubjectPath + u"/external-identities"_s;
    router.route(u"GET"_s, identities, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) {
                     return read(request, SubjectRole::Admin, [this](const SubjectAccess &a) {
                         return relations.externalIdentities(a);
                     });
                 });
    router.route(u"PUT"_s, identities, RouteAuth::Authenticated,
                 write(u"managed_subject.external_identity.put"_s, ok, pending,
                       [this, withBody](const HttpRequest &r, const SubjectAccess &a) {
                           return withBody(r, [&](const QJsonObject &body) {
                               return relations.putExternalIdentity(a, body);
                           });
                       }));
    router.route(u"DELETE"_s, identities, RouteAuth::Authenticated,
                 write(u"managed_subject.external_identity.delete"_s, deleted, pending,
                       [this, withBody](const HttpRequest &r, const SubjectAccess &a) {
                           return withBody(r, [&](const QJsonObject &body) {
                               return relations.removeExternalIdentity(a, body);
                           });
                       }));
}

} // namespace Gestalt
