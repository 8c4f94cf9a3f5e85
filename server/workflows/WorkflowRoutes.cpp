// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowRoutes.h"

#include "audit/AuditLog.h"
#include "http/Paging.h"
#include "workflows/WorkflowService.h"
#include "workflows/WorkflowYaml.h"

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

} // namespace

WorkflowRoutes::WorkflowRoutes(WorkflowService &service)
    : m_service(service)
{}

SyncHandler WorkflowRoutes::audited(SyncHandler handler, const QString &action,
                                    const QString &targetKind, const QString &idParam)
{
    return [this, handler = std::move(handler), action, targetKind,
            idParam](const HttpRequest &request) {
        Result<HttpResponse> response = handler(request);
        if (m_audit) {
            AuditEvent event;
            event.context = AuditContext::fromRequest(request);
            event.setPrincipal(*request.principal);
            event.action = action;
            event.targetKind = targetKind;
            event.targetId = idParam.isEmpty() ? QString() : request.pathParam(idParam);
            event.allowed = response.hasValue();
            event.error = response ? QString() : publicMessage(response.error());
            m_audit->record(std::move(event));
        }
        return response;
    };
}

void WorkflowRoutes::registerRoutes(Router &router)
{
    registerDefinitionRoutes(router, Kind::Schedule);
    registerDefinitionRoutes(router, Kind::EventTrigger);
    router.route(u"POST"_s, u"/api/v1/workflow/events"_s, RouteAuth::Authenticated,
                 audited(
                     [this](const HttpRequest &request) -> Result<HttpResponse> {
                         Result<QJsonObject> body = request.jsonObject();
                         if (!body) {
                             return body.error();
                         }
                         Result<QJsonObject> published =
                             m_service.publish(*request.principal, *body);
                         if (!published) {
                             return published.error();
                         }
                         return HttpResponse::json(202, *published);
                     },
                     u"workflow.event.publish"_s, u"workflow_event"_s, QString()));
    router.route(u"GET"_s, u"/api/v1/workflow/runs"_s, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) { return listRuns(request); });
    router.route(u"GET"_s, u"/api/v1/workflow/runs/{id}"_s, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) {
                     return runResponse(
                         m_service.getRun(*request.principal, request.pathParam(u"id"_s)));
                 });
    router.route(u"POST"_s, u"/api/v1/workflow/runs/{id}/cancel"_s, RouteAuth::Authenticated,
                 audited(
                     [this](const HttpRequest &request) -> Result<HttpResponse> {
                         Result<QJsonObject> body = request.jsonObject(true);
                         if (!body) {
                             return body.error();
                         }
                         const QJsonValue reason = body->value(u"reason"_s);
                         if (!reason.isUndefined() && !reason.isNull() && !reason.isString()) {
                             return Error::invalid(u"reason must be a string"_s);
                         }
                         return runResponse(m_service.cancelRun(*request.principal,
                                                                request.pathParam(u"id"_s),
                                                                reason.toString().trimmed()));
                     },
                     u"workflow.run.cancel"_s, u"workflow_run"_s, u"id"_s));
    router.route(u"GET"_s, u"/api/v1/workflow/config/export"_s, RouteAuth::Authenticated,
                 [this](const HttpRequest &request) { return exportYaml(request); });
    router
        .route(u"POST"_s, u"/api/v1/workflow/config/import"_s, RouteAuth::Authenticated,
               audited([this](const HttpRequest &request) { return importYaml(request); },
                       u"workflow.config.import"_s, u"workflow_config"_s, QString()))
        .accepts(RouteBody::Yaml);
}

void WorkflowRoutes::registerDefinitionRoutes(Router &router, Kind kind)
{
    const bool schedule = kind == Kind::Schedule;
    const QString base = schedule ? u"/api/v1/workflow/schedules"_s
                                  : u"/api/v1/workflow/event-triggers"_s;
    const QString action = schedule ? u"workflow.schedule."_s : u"workflow.event_trigger."_s;
    const QString target = schedule ? u"workflow_schedule"_s : u"workflow_event_trigger"_s;
    const QString item = base + u"/{id}"_s;

    router.route(u"GET"_s, base, RouteAuth::Authenticated,
                 [this, kind](const HttpRequest &request) -> Result<HttpResponse> {
                     Result<QList<WorkflowDefinition>> list =
                         m_service.list(*request.principal, kind);
                     if (!list) {
                         return list.error();
                     }
                     QJsonArray json;
                     for (const WorkflowDefinition &d : std::as_const(*list)) {
                         json.append(WorkflowService::toJson(d));
                     }
                     return HttpResponse::json(200, json);
                 });
    router.route(u"POST"_s, base, RouteAuth::Authenticated,
                 audited(
                     [this, kind](const HttpRequest &request) -> Result<HttpResponse> {
                         Result<QJsonObject> body = request.jsonObject();
                         if (!body) {
                             return body.error();
                         }
                         return definitionResponse(
                             201, m_service.create(*request.principal, kind, *body));
                     },
                     action + u"create"_s, target, QString()));
    router.route(u"GET"_s, item, RouteAuth::Authenticated,
                 [this, kind](const HttpRequest &request) {
                     return definitionResponse(
                         200, m_service.get(*request.principal, kind, request.pathParam(u"id"_s)));
                 });
    router.route(u"PUT"_s, item, RouteAuth::Authenticated,
                 audited(
                     [this, kind](const HttpRequest &request) -> Result<HttpResponse> {
                         Result<QJsonObject> body = request.jsonObject();
                         if (!body) {
                             return body.error();
                         }
                         return definitionResponse(200,
                                                   m_service.update(*request.principal, kind,
                                                                    request.pathParam(u"id"_s),
                                                                    *body));
                     },
                     action + u"update"_s, target, u"id"_s));
    router.route(u"DELETE"_s, item, RouteAuth::Authenticated,
                 audited(
                     [this, kind](const HttpRequest &request) -> Result<HttpResponse> {
                         if (Result<void> done = m_service.remove(*request.principal, kind,
                                                                  request.pathParam(u"id"_s));
                             !done) {
                             return done.error();
                         }
                         return HttpResponse::json(200, QJsonObject{{u"status"_s, u"deleted"_s}});
                     },
                     action + u"delete"_s, target, u"id"_s));
    for (const bool pause : {true, false}) {
        router.route(u"POST"_s, item + (pause ? u"/pause"_s : u"/resume"_s),
                     RouteAuth::Authenticated,
                     audited(
                         [this, kind, pause](const HttpRequest &request) {
                             return definitionResponse(
                                 200, m_service.setPaused(*request.principal, kind,
                                                          request.pathParam(u"id"_s), pause));
                         },
                         action + (pause ? u"pause"_s : u"resume"_s), target, u"id"_s));
    }
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
    filter.status = request.queryValue(u"status"_s);
    filter.pageSize = *size;
    filter.pageToken = request.queryValue(u"pageToken"_s);
    Result<RunPage> page = m_service.listRuns(*request.principal, filter);
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

Result<HttpResponse> WorkflowRoutes::exportYaml(const HttpRequest &request)
{
    Result<QByteArray> yaml = m_service.exportYaml(*request.principal);
    if (!yaml) {
        return yaml.error();
    }
    HttpResponse response =
        HttpResponse::text(200, *yaml, "application/yaml; charset=utf-8"_ba);
    response.setHeader("Content-Disposition"_ba, "attachment; filename=\"workflows.yaml\""_ba);
    return response;
}

Result<HttpResponse> WorkflowRoutes::importYaml(const HttpRequest &request)
{
    static const QList<QByteArray> accepted{"application/yaml"_ba, "application/x-yaml"_ba,
                                            "text/yaml"_ba, "text/x-yaml"_ba};
    if (!accepted.contains(mediaType(request))) {
        return Error{ErrorCode::UnsupportedMediaType,
                     u"workflow import takes YAML: send Content-Type application/yaml"_s};
    }
    const QByteArray charset = request.header("content-type"_ba).toLower();
    if (charset.contains("charset=") && !charset.contains("charset=utf-8")
        && !charset.contains("charset=\"utf-8\"")) {
        return Error{ErrorCode::UnsupportedMediaType, u"workflow import YAML must be UTF-8"_s};
    }
    Result<QJsonObject> imported = m_service.importYaml(*request.principal, request.body);
    if (!imported) {
        return imported.error();
    }
    return HttpResponse::json(200, *imported);
}

} // namespace Gestalt
