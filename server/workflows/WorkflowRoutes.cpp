// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowRoutes.h"

#include "audit/AuditLog.h"
#include "http/Paging.h"
#include "workflows/WorkflowDefinitions.h"
#include "workflows/WorkflowEvents.h"
#include "workflows/WorkflowRunQueries.h"
#include "workflows/WorkflowService.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

using Kind = WorkflowDefinition::Kind;

Result<HttpResponse> definitionResponse(int status, const Result<WorkflowDefinition> &definition)
{
    if (!definition) {
        return definition.error();
    }
    return HttpResponse::json(status, WorkflowService::toJson(*definition));
}

Result<HttpResponse> runResponse(const Result<WorkflowRun> &run)
{
    if (!run) {
        return run.error();
    }
    return HttpResponse::json(200, WorkflowService::toJson(*run));
}

// Content-Type without parameters, lower case.
QByteArray mediaType(const HttpRequest &request)
{
    QByteArray type = request.header("content-type"_ba);
    const qsizetype semicolon = type.indexOf(';');
    if (semicolon >= 0) {
        type.truncate(semicolon);
    }
    return type.trimmed().toLower();
}

// The id a route's path names, as its audit target's id.
AuditTarget pathTarget(const HttpRequest &request, const QString &kind)
{
    return {kind, request.pathParam(u"id"_s), {}};
}

} // namespace

class WorkflowRoutes::DefinitionRoutes final
{
public:
    DefinitionRoutes(WorkflowRoutes &routes, Kind kind)
        : m_routes(routes)
        , m_definitions(routes.m_deps.definitions)
        , m_kind(kind)
        , m_action(kind == Kind::Schedule ? u"workflow.schedule."_s : u"workflow.event_trigger."_s)
        , m_target(kind == Kind::Schedule ? u"workflow_schedule"_s : u"workflow_event_trigger"_s)
    {}

    void registerRoutes(Router &router)
    {
        const QString base = m_kind == Kind::Schedule ? u"/api/v1/workflow/schedules"_s
                                                      : u"/api/v1/workflow/event-triggers"_s;
        const QString item = base + u"/{id}"_s;
        const RouteAuth auth = RouteAuth::Authenticated;
        router.route(u"GET"_s, base, auth, this, &DefinitionRoutes::list);
        router.route(u"POST"_s, base, auth, this, &DefinitionRoutes::create);
        router.route(u"GET"_s, item, auth, this, &DefinitionRoutes::get);
        router.route(u"PUT"_s, item, auth, this, &DefinitionRoutes::update);
        router.route(u"DELETE"_s, item, auth, this, &DefinitionRoutes::remove);
        router.route(u"POST"_s, item + u"/pause"_s, auth, this, &DefinitionRoutes::pause);
        router.route(u"POST"_s, item + u"/resume"_s, auth, this, &DefinitionRoutes::resume);
    }

private:
    Result<HttpResponse> list(const HttpRequest &request)
    {
        Result<QList<WorkflowDefinition>> list = m_definitions.list(*request.principal, m_kind);
        if (!list) {
            return list.error();
        }
        QJsonArray json;
        for (const WorkflowDefinition &d : std::as_const(*list)) {
            json.append(WorkflowService::toJson(d));
        }
        return HttpResponse::json(200, json);
    }

    Result<HttpResponse> create(const HttpRequest &request)
    {
        Result<QJsonObject> body = request.jsonObject();
        return audited(
            request,
            u"create"_s,
            {m_target, {}, {}},
            body ? definitionResponse(201, m_definitions.create(*request.principal, m_kind, *body))
                 : Result<HttpResponse>(body.error()));
    }

    Result<HttpResponse> get(const HttpRequest &request)
    {
        return definitionResponse(
            200, m_definitions.get(*request.principal, m_kind, request.pathParam(u"id"_s)));
    }

    Result<HttpResponse> update(const HttpRequest &request)
    {
        Result<QJsonObject> body = request.jsonObject();
        return audited(
            request,
            u"update"_s,
            pathTarget(request, m_target),
            body ? definitionResponse(
                200,
                m_definitions.update(*request.principal, m_kind, request.pathParam(u"id"_s), *body))
                 : Result<HttpResponse>(body.error()));
    }

    Result<HttpResponse> remove(const HttpRequest &request)
    {
        const Result<void> removed =
            m_definitions.remove(*request.principal, m_kind, request.pathParam(u"id"_s));
        return audited(request,
                       u"delete"_s,
                       pathTarget(request, m_target),
                       removed ? Result<HttpResponse>(
                           HttpResponse::json(200, QJsonObject{{u"status"_s, u"deleted"_s}}))
                               : Result<HttpResponse>(removed.error()));
    }

    Result<HttpResponse> pause(const HttpRequest &request) { return setPaused(request, true); }
    Result<HttpResponse> resume(const HttpRequest &request) { return setPaused(request, false); }

    Result<HttpResponse> setPaused(const HttpRequest &request, bool paused)
    {
        return audited(request,
                       paused ? u"pause"_s : u"resume"_s,
                       pathTarget(request, m_target),
                       definitionResponse(
                           200,
                           m_definitions.setPaused(
                               *request.principal, m_kind, request.pathParam(u"id"_s), paused)));
    }

    // workflow.schedule.<verb> / workflow.event_trigger.<verb>
    Result<HttpResponse> audited(const HttpRequest &request,
                                 const QString &verb,
                                 const AuditTarget &target,
                                 Result<HttpResponse> response) const
    {
        return m_routes.audited(request, m_action + verb, target, std::move(response));
    }

    WorkflowRoutes &m_routes;
    WorkflowDefinitions &m_definitions;
    Kind m_kind;
    QString m_action;
    QString m_target;
};

WorkflowRoutes::WorkflowRoutes(Deps deps)
    : m_deps(deps)
    , m_schedules(std::make_unique<DefinitionRoutes>(*this, Kind::Schedule))
    , m_triggers(std::make_unique<DefinitionRoutes>(*this, Kind::EventTrigger))
{}

WorkflowRoutes::~WorkflowRoutes() = default;

Result<HttpResponse> WorkflowRoutes::audited(const HttpRequest &request,
                                             const QString &action,
                                             const AuditTarget &target,
                                             Result<HttpResponse> response) const
{
    if (m_audit) {
        AuditEvent event = AuditEvent::forRequest(request, action, target);
        event.setOutcome(response);
        m_audit->record(std::move(event));
    }
    return response;
}

void WorkflowRoutes::registerRoutes(Router &router)
{
    m_schedules->registerRoutes(router);
    m_triggers->registerRoutes(router);
    const RouteAuth auth = RouteAuth::Authenticated;
    router.route(
        u"POST"_s, u"/api/v1/workflow/events"_s, auth, this, &WorkflowRoutes::publishEvent);
    router.route(u"GET"_s, u"/api/v1/workflow/runs"_s, auth, this, &WorkflowRoutes::listRuns);
    router.route(u"GET"_s, u"/api/v1/workflow/runs/{id}"_s, auth, this, &WorkflowRoutes::getRun);
    router.route(
        u"POST"_s, u"/api/v1/workflow/runs/{id}/cancel"_s, auth, this, &WorkflowRoutes::cancelRun);
    router.route(
        u"GET"_s, u"/api/v1/workflow/config/export"_s, auth, this, &WorkflowRoutes::exportYaml);
    router
        .route(
            u"POST"_s, u"/api/v1/workflow/config/import"_s, auth, this, &WorkflowRoutes::importYaml)
        .accepts(RouteBody::Yaml);
}

Result<HttpResponse> WorkflowRoutes::publishEvent(const HttpRequest &request)
{
    Result<QJsonObject> body = request.jsonObject();
    Result<QJsonObject> published =
        body ? m_deps.events.publish(*request.principal, *body) : Result<QJsonObject>(body.error());
    return audited(request,
                   u"workflow.event.publish"_s,
                   {u"workflow_event"_s, {}, {}},
                   published ? Result<HttpResponse>(HttpResponse::json(202, *published))
                             : Result<HttpResponse>(published.error()));
}

Result<HttpResponse> WorkflowRoutes::listRuns(const HttpRequest &request)
{
    Result<int> size = Paging::pageSize(request);
    if (!size) {
        return size.error();
    }
    RunFilter filter;
    filter.app = request.queryValue(u"app"_s);
    if (filter.app.isEmpty()) {
        filter.app = request.queryValue(u"plugin"_s); // the older name
    }
    filter.pageSize = *size;
    filter.pageToken = request.queryValue(u"pageToken"_s);
    Result<RunPage> page =
        m_deps.runs.list(*request.principal, filter, request.queryValue(u"status"_s));
    if (!page) {
        return page.error();
    }
    QJsonArray json;
    for (const WorkflowRun &run : std::as_const(page->runs)) {
        json.append(WorkflowService::toJson(run));
    }
    HttpResponse response = HttpResponse::json(200, json);
    if (!page->nextPageToken.isEmpty()) {
        response.setHeader("Gestalt-Next-Page-Token"_ba, page->nextPageToken.toLatin1());
    }
    return response;
}

Result<HttpResponse> WorkflowRoutes::getRun(const HttpRequest &request)
{
    return runResponse(m_deps.runs.get(*request.principal, request.pathParam(u"id"_s)));
}

Result<HttpResponse> WorkflowRoutes::cancelRun(const HttpRequest &request)
{
    return audited(request,
                   u"workflow.run.cancel"_s,
                   pathTarget(request, u"workflow_run"_s),
                   cancelRunBody(request));
}

Result<HttpResponse> WorkflowRoutes::cancelRunBody(const HttpRequest &request)
{
    Result<QJsonObject> body = request.jsonObject(true);
    if (!body) {
        return body.error();
    }
    // The body is optional and lenient (as before the strict reader): only its reason is read.
    const QJsonValue reason = body->value(u"reason"_s);
    if (!reason.isUndefined() && !reason.isNull() && !reason.isString()) {
        return Error::invalid(u"reason must be a string"_s);
    }
    return runResponse(m_deps.runs.cancel(
        *request.principal, request.pathParam(u"id"_s), reason.toString().trimmed()));
}

Result<HttpResponse> WorkflowRoutes::exportYaml(const HttpRequest &request)
{
    Result<QByteArray> yaml = m_deps.definitions.exportYaml(*request.principal);
    if (!yaml) {
        return yaml.error();
    }
    HttpResponse response = HttpResponse::text(200, *yaml, "application/yaml; charset=utf-8"_ba);
    response.setHeader("Content-Disposition"_ba, R"(attachment; filename="workflows.yaml")"_ba);
    return response;
}

Result<HttpResponse> WorkflowRoutes::importYaml(const HttpRequest &request)
{
    return audited(request,
                   u"workflow.config.import"_s,
                   {u"workflow_config"_s, {}, {}},
                   importYamlBody(request));
}

Result<HttpResponse> WorkflowRoutes::importYamlBody(const HttpRequest &request)
{
    static const QList<QByteArray> accepted{
        "application/yaml"_ba, "application/x-yaml"_ba, "text/yaml"_ba, "text/x-yaml"_ba};
    if (!accepted.contains(mediaType(request))) {
        return Error{ErrorCode::UnsupportedMediaType,
                     u"workflow import takes YAML: send Content-Type application/yaml"_s};
    }
    const QByteArray charset = request.header("content-type"_ba).toLower();
    if (charset.contains("charset=") && !charset.contains("charset=utf-8")
        && !charset.contains("charset=\"utf-8\"")) {
        return Error{ErrorCode::UnsupportedMediaType, u"workflow import YAML must be UTF-8"_s};
    }
    Result<QJsonObject> imported = m_deps.definitions.importYaml(*request.principal, request.body);
    if (!imported) {
        return imported.error();
    }
    return HttpResponse::json(200, *imported);
}

} // namespace Gestalt
