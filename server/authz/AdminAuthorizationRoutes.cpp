// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/AdminAuthorizationRoutes.h"

#include "audit/AuditLog.h"
#include "authz/AdminGuard.h"
#include "authz/Authorizer.h"
#include "authz/MembershipService.h"
#include "catalog/AppCatalog.h"
#include "http/Paging.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// "type:id" filters of the relationships route.
void splitFilter(const QString &value, QString &type, QString &id)
{
    if (value.isEmpty()) {
        return;
    }
    type = value.section(u':', 0, 0);
    id = value.section(u':', 1);
}

} // namespace

AdminAuthorizationRoutes::AdminAuthorizationRoutes(const AdminGuard &guard,
                                                   const Authorizer &authorizer,
                                                   const AppCatalog &catalog,
                                                   MembershipService &memberships,
                                                   AuditLog &audit,
                                                   QString providerName)
    : m_guard(guard)
    , m_authorizer(authorizer)
    , m_catalog(catalog)
    , m_memberships(memberships)
    , m_audit(audit)
    , m_providerName(std::move(providerName))
{}

void AdminAuthorizationRoutes::registerRoutes(Router &router)
{
    using Self = AdminAuthorizationRoutes;
    const QString base = u"/admin/api/v1/authorization"_s;
    const RouteAuth auth = RouteAuth::Public;
    router.route(u"GET"_s, base + u"/provider"_s, auth, this, &Self::provider);
    router.route(u"GET"_s, base + u"/models"_s, auth, this, &Self::models);
    router.route(u"GET"_s, base + u"/relationships"_s, auth, this, &Self::relationships);
    for (const QString &collection : {u"apps"_s, u"plugins"_s}) {
        const QString apps = base + u'/' + collection;
        router.route(u"GET"_s, apps, auth, this, &Self::apps);
        router.route(u"GET"_s, apps + u"/{app}/members"_s, auth, this, &Self::appMembers);
        router.route(u"PUT"_s, apps + u"/{app}/members"_s, auth, this, &Self::putAppMember);
        router.route(u"DELETE"_s,
                     apps + u"/{app}/members/{subjectID}"_s,
                     auth,
                     this,
                     &Self::deleteAppMember);
    }
    router.route(u"GET"_s, base + u"/admins/members"_s, auth, this, &Self::adminMembers);
    router.route(u"PUT"_s, base + u"/admins/members"_s, auth, this, &Self::putAdminMember);
    router.route(
        u"DELETE"_s, base + u"/admins/members/{subjectID}"_s, auth, this, &Self::deleteAdminMember);
}

Result<HttpResponse> AdminAuthorizationRoutes::provider(const HttpRequest &request)
{
    if (auto admitted = m_guard.admit(request); !admitted) {
        return admitted.error();
    }
    Result<std::optional<AuthzModel>> model = m_memberships.activeModel();
    if (!model) {
        return model.error();
    }
    QJsonObject body{
        {u"name"_s, m_providerName},
        {u"capabilities"_s,
         QJsonArray{
             u"relationships.read"_s, u"relationships.write"_s, u"models.read"_s, u"evaluate"_s}}};
    if (model->has_value()) {
        body.insert(u"activeModelId"_s, (*model)->id);
        body.insert(u"activeModel"_s, (*model)->toJson(true));
    }
    return HttpResponse::json(200, body);
}

Result<HttpResponse> AdminAuthorizationRoutes::models(const HttpRequest &request)
{
    if (auto admitted = m_guard.admit(request); !admitted) {
        return admitted.error();
    }
    Result<int> size = Paging::pageSize(request);
    if (!size) {
        return size.error();
    }
    Result<AuthzModelPage> page =
        m_memberships.listModels(*size, request.queryValue(u"pageToken"_s));
    if (!page) {
        return page.error();
    }
    QJsonArray models;
    for (const AuthzModel &model : std::as_const(page->models)) {
        models.append(model.toJson());
    }
    QJsonObject body{{u"models"_s, models}};
    if (!page->nextPageToken.isEmpty()) {
        body.insert(u"nextPageToken"_s, page->nextPageToken);
    }
    return HttpResponse::json(200, body);
}

Result<HttpResponse> AdminAuthorizationRoutes::relationships(const HttpRequest &request)
{
    if (auto admitted = m_guard.admit(request); !admitted) {
        return admitted.error();
    }
    Result<int> size = Paging::pageSize(request);
    if (!size) {
        return size.error();
    }
    Result<std::optional<AuthzModel>> model = m_memberships.activeModel();
    if (!model) {
        return model.error();
    }
    const QString modelId = request.queryValue(u"modelId"_s);
    if (!modelId.isEmpty() && (!model->has_value() || (*model)->id != modelId)) {
        return Error::notFound(u"authorization model \"%1\" not found"_s.arg(modelId.left(128)));
    }
    RelationshipFilter filter;
    splitFilter(request.queryValue(u"subject"_s), filter.subjectType, filter.subjectId);
    splitFilter(request.queryValue(u"resource"_s), filter.resourceType, filter.resourceId);
    for (const auto &[key, field] : {std::pair{u"subjectType"_s, &filter.subjectType},
                                     std::pair{u"subjectId"_s, &filter.subjectId},
                                     std::pair{u"resourceType"_s, &filter.resourceType},
                                     std::pair{u"resourceId"_s, &filter.resourceId}}) {
        if (const QString value = request.queryValue(key); !value.isEmpty()) {
            *field = value;
        }
    }
    filter.relation = request.queryValue(u"relation"_s);
    Result<RelationshipPage> page =
        m_memberships.listRelationships(filter, *size, request.queryValue(u"pageToken"_s));
    if (!page) {
        return page.error();
    }
    QJsonArray items;
    for (const Relationship &relationship : std::as_const(page->relationships)) {
        items.append(relationship.toJson());
    }
    QJsonObject body{{u"relationships"_s, items}};
    if (!page->nextPageToken.isEmpty()) {
        body.insert(u"nextPageToken"_s, page->nextPageToken);
    }
    if (model->has_value()) {
        body.insert(u"modelId"_s, (*model)->id);
    }
    return HttpResponse::json(200, body);
}

Result<HttpResponse> AdminAuthorizationRoutes::apps(const HttpRequest &request)
{
    if (auto admitted = m_guard.admit(request); !admitted) {
        return admitted.error();
    }
    QJsonArray items;
    for (const AppDefinition &app : m_catalog.apps()) {
        if (!app.authorizationPolicy.isEmpty()) {
            items.append(QJsonObject{{u"name"_s, app.name},
                                     {u"displayName"_s, app.displayName},
                                     {u"authorizationPolicy"_s, app.authorizationPolicy}});
        }
    }
    return HttpResponse::json(200, items);
}

Result<AdminAuthorizationRoutes::Target>
AdminAuthorizationRoutes::appTarget(const HttpRequest &request) const
{
    const QString name = request.pathParam(u"app"_s);
    const AppDefinition *app = m_catalog.app(name);
    if (!app) {
        return Error::notFound(u"app \"%1\" not found"_s.arg(name.left(128)));
    }
    if (app->authorizationPolicy.isEmpty()) {
        return Error::invalid(u"app \"%1\" does not declare authorizationPolicy"_s.arg(name));
    }
    return Target{app->authorizationPolicy, {ResourceType::App.toString(), app->name}, app->name};
}

AdminAuthorizationRoutes::Target AdminAuthorizationRoutes::adminTarget() const
{
    return Target{m_authorizer.adminConfig().authorizationPolicy,
                  {ResourceType::Admin.toString(), Authorizer::AdminResourceId.toString()},
                  {}};
}

HttpResponse AdminAuthorizationRoutes::listMembers(const Target &target)
{
    QJsonArray rows;
    const QList<MembershipRow> members =
        m_authorizer.members(target.policy, target.resource, [this](const QString &subject) {
            return m_memberships.emailOf(subject);
        });
    for (const MembershipRow &member : members) {
        QJsonObject row = member.toJson();
        if (!target.app.isEmpty()) {
            row.insert(u"app"_s, target.app);
            row.insert(u"plugin"_s, target.app);
        }
        rows.append(row);
    }
    return HttpResponse::json(200, rows);
}

Result<HttpResponse> AdminAuthorizationRoutes::putMember(const HttpRequest &request,
                                                         const Target &target)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body) {
        return body.error();
    }
    const QStringList roles = m_authorizer.rolesFor(target.resource.type);
    Result<QString> role = MembershipService::roleFrom(*body, roles);
    if (!role) {
        return role.error();
    }
    Result<SubjectId> subject = m_memberships.subjectFrom(*body);
    if (!subject) {
        return subject.error();
    }
    const QString email = m_memberships.emailOf(subject->canonical());
    if (m_authorizer.staticRole(target.policy, subject->canonical(), email)) {
        return Error::conflict(u"subject \"%1\" already has static authorization on %2"_s.arg(
            subject->canonical(),
            target.app.isEmpty() ? u"the admin surface"_s : u"app \"%1\""_s.arg(target.app)));
    }
    Result<WriteOutcome> outcome = m_memberships.put(*subject, *role, target.resource);
    if (!outcome) {
        return outcome.error();
    }
    recordChange(request, target, u"put"_s, subject->canonical());
    if (!email.isEmpty()) {
        outcome->membership.insert(u"email"_s, email);
    }
    return outcome->toResponse(u"ok"_s, u"persisted_pending_reload"_s);
}

Result<HttpResponse> AdminAuthorizationRoutes::deleteMember(const HttpRequest &request,
                                                            const Target &target)
{
    Result<SubjectId> subject = SubjectId::parseWritable(request.pathParam(u"subjectID"_s));
    if (!subject) {
        return subject.error();
    }
    Result<WriteOutcome> outcome = m_memberships.remove(*subject, target.resource);
    if (!outcome) {
        if (outcome.error().code == ErrorCode::NotFound
            && m_authorizer.staticRole(
                target.policy, subject->canonical(), m_memberships.emailOf(subject->canonical()))) {
            return Error::conflict(u"static authorization rows are read-only; change the config"_s);
        }
        return outcome.error();
    }
    recordChange(request, target, u"delete"_s, subject->canonical());
    return outcome->toResponse(u"deleted"_s, u"persisted_pending_reload"_s);
}

Result<HttpResponse> AdminAuthorizationRoutes::appMembers(const HttpRequest &request)
{
    if (auto admitted = m_guard.admit(request, request.pathParam(u"app"_s)); !admitted) {
        return admitted.error();
    }
    Result<Target> target = appTarget(request);
    if (!target) {
        return target.error();
    }
    return listMembers(*target);
}

Result<HttpResponse> AdminAuthorizationRoutes::putAppMember(const HttpRequest &request)
{
    Result<Write> write = admitWrite(request, false);
    return write ? putMember(write->request, write->target) : write.error();
}

Result<HttpResponse> AdminAuthorizationRoutes::deleteAppMember(const HttpRequest &request)
{
    Result<Write> write = admitWrite(request, false);
    return write ? deleteMember(write->request, write->target) : write.error();
}

Result<HttpResponse> AdminAuthorizationRoutes::adminMembers(const HttpRequest &request)
{
    auto admitted = m_guard.admit(request);
    if (!admitted) {
        return admitted.error();
    }
    HttpResponse response = listMembers(adminTarget());
    response.setHeader("X-Gestalt-Can-Write"_ba,
                       admitted->canWriteAdmins && m_authorizer.adminPolicySet() ? "true"_ba
                                                                                 : "false"_ba);
    return response;
}

Result<HttpResponse> AdminAuthorizationRoutes::putAdminMember(const HttpRequest &request)
{
    Result<Write> write = admitWrite(request, true);
    return write ? putMember(write->request, write->target) : write.error();
}

Result<HttpResponse> AdminAuthorizationRoutes::deleteAdminMember(const HttpRequest &request)
{
    Result<Write> write = admitWrite(request, true);
    return write ? deleteMember(write->request, write->target) : write.error();
}

Result<AdminAuthorizationRoutes::Write>
AdminAuthorizationRoutes::admitWrite(const HttpRequest &request, bool admins) const
{
    auto admitted = m_guard.admit(request, admins ? QString() : request.pathParam(u"app"_s));
    if (!admitted) {
        return admitted.error();
    }
    Write write{request, adminTarget()};
    write.request.principal = admitted->principal;
    if (!admins) {
        Result<Target> target = appTarget(request);
        if (!target) {
            return target.error();
        }
        write.target = *target;
        return write;
    }
    if (!m_authorizer.adminPolicySet()) {
        return Error::invalid(
            u"built-in admin members need server.admin.authorizationPolicy to be set"_s);
    }
    if (!admitted->canWriteAdmins) {
        return Error::forbidden(u"admin role required to change built-in admins"_s);
    }
    return write;
}

void AdminAuthorizationRoutes::recordChange(const HttpRequest &request,
                                            const Target &target,
                                            const QString &verb,
                                            const QString &subject)
{
    const QString action =
        (target.app.isEmpty() ? u"authorization.admin_member."_s : u"authorization.app_member."_s)
        + verb;
    m_audit.record(AuditEvent::forRequest(
        request,
        action,
        {u"membership"_s, subject, target.app.isEmpty() ? u"admin"_s : target.app}));
}

} // namespace Gestalt
