// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentRoutes.h"

#include "agents/AgentRepository.h"
#include "agents/AgentService.h"
#include "agents/TurnRunner.h"
#include "audit/AuditLog.h"
#include "http/Responder.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int MaxListLimit = 500;
constexpr int MaxEventLimit = 1000;

// ?name as an integer in [min, max]; `fallback` when absent.
Result<qint64> intParam(const HttpRequest &request, const QString &name, qint64 fallback,
                        qint64 min, qint64 max)
{
    const QString text = request.queryValue(name);
    if (text.isEmpty()) {
        return fallback;
    }
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < min || value > max) {
        return Error::invalid(u"%1 must be an integer from %2 to %3"_s.arg(name).arg(min).arg(max));
    }
    return value;
}

// view=full|summary and the older summary=true; false: full.
Result<bool> summaryView(const HttpRequest &request)
{
    const QString view = request.queryValue(u"view"_s);
    const QString summary = request.queryValue(u"summary"_s);
    if (!view.isEmpty() && view != u"full" && view != u"summary") {
        return Error::invalid(u"view must be full or summary"_s);
    }
    if (!summary.isEmpty() && summary != u"true" && summary != u"false") {
        return Error::invalid(u"summary must be true or false"_s);
    }
    if (view == u"full" && summary == u"true") {
        return Error::invalid(u"view=full and summary=true contradict each other"_s);
    }
    return view == u"summary" || summary == u"true";
}

QString idempotencyHeader(const HttpRequest &request)
{
    return QString::fromUtf8(request.header("idempotency-key"_ba));
}

template<typename T>
Result<HttpResponse> created(const Result<typename AgentService::Created<T>> &result)
{
    if (!result) {
        return result.error();
    }
    HttpResponse response = HttpResponse::json(201, result->value.toJson());
    if (result->replayed) {
        response.setHeader("Idempotent-Replayed"_ba, "true"_ba);
    }
    return response;
}

template<typename T>
Result<HttpResponse> one(const Result<T> &result)
{
    if (!result) {
        return result.error();
    }
    return HttpResponse::json(200, result->toJson());
}

Result<HttpResponse> reasonBody(const HttpRequest &request, QString &reason)
{
    Result<QJsonObject> body = request.jsonObject(true);
    if (!body) {
        return body.error();
    }
    const QJsonValue value = body->value(u"reason"_s);
    if (!value.isUndefined() && !value.isNull() && !value.isString()) {
        return Error::invalid(u"reason must be a string"_s);
    }
    reason = value.toString().trimmed();
    return HttpResponse::noContent();
}

} // namespace

AgentRoutes::AgentRoutes(AgentService &service, AgentRepository &repository, TurnRunner &runner,
                         AgentEventStream::Settings streamSettings, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_repository(repository)
    , m_runner(runner)
    , m_streamSettings(streamSettings)
{}

SyncHandler AgentRoutes::guarded(SyncHandler handler, const QString &action)
{
    return [this, handler = std::move(handler), action](const HttpRequest &request)
               -> Result<HttpResponse> {
        if (!m_service.configured()) {
            return Error{ErrorCode::PreconditionFailed, u"agent is not configured"_s};
        }
        Result<HttpResponse> response = handler(request);
        if (m_audit && !action.isEmpty()) {
            AuditEvent event;
            event.context = AuditContext::fromRequest(request);
            event.setPrincipal(*request.principal);
            event.action = action;
            event.targetKind = action.section(u'.', 1, 1);
            event.targetId = request.pathParam(u"id"_s);
            event.allowed = response.hasValue();
            event.error = response ? QString() : publicMessage(response.error());
            m_audit->record(std::move(event));
        }
        return response;
    };
}

void AgentRoutes::registerRoutes(Router &router)
{
    const auto route = [&](const QString &method, const QString &path, SyncHandler handler,
                           const QString &action = {}) {
        router.route(method, path, RouteAuth::Authenticated, guarded(std::move(handler), action));
    };

    route(u"GET"_s, u"/api/v1/agent/providers"_s, [this](const HttpRequest &) {
        QJsonArray providers;
        for (const QString &name : m_service.providerNames()) {
            providers.append(QJsonObject{{u"name"_s, name},
                                         {u"default"_s, name == m_service.defaultProvider()},
                                         {u"defaultModel"_s,
                                          m_service.provider(name)->defaultModel()}});
        }
        return Result<HttpResponse>(
            HttpResponse::json(200, QJsonObject{{u"providers"_s, providers}}));
    });
    route(
        u"POST"_s, u"/api/v1/agent/sessions"_s,
        [this](const HttpRequest &request) -> Result<HttpResponse> {
            Result<QJsonObject> body = request.jsonObject(true);
            if (!body) {
                return body.error();
            }
            return created<AgentSession>(
                m_service.createSession(*request.principal, *body, idempotencyHeader(request)));
        },
        u"agent.session.create"_s);
    route(u"GET"_s, u"/api/v1/agent/sessions"_s,
          [this](const HttpRequest &request) -> Result<HttpResponse> {
              Result<bool> summary = summaryView(request);
              Result<qint64> limit = intParam(request, u"limit"_s, 100, 1, MaxListLimit);
              if (!summary || !limit) {
                  return !summary ? summary.error() : limit.error();
              }
              Result<QList<AgentSession>> sessions = m_service.listSessions(
                  *request.principal, request.queryValue(u"provider"_s),
                  request.queryValue(u"state"_s), int(*limit));
              if (!sessions) {
                  return sessions.error();
              }
              QJsonArray json;
              for (const AgentSession &s : std::as_const(*sessions)) {
                  QJsonObject item = s.toJson();
                  if (*summary) {
                      item.remove(u"metadata"_s);
                  }
                  json.append(item);
              }
              return HttpResponse::json(200, json);
          });
    route(u"GET"_s, u"/api/v1/agent/sessions/{id}"_s, [this](const HttpRequest &request) {
        return one(m_service.session(*request.principal, request.pathParam(u"id"_s)));
    });
    route(
        u"PATCH"_s, u"/api/v1/agent/sessions/{id}"_s,
        [this](const HttpRequest &request) -> Result<HttpResponse> {
            Result<QJsonObject> body = request.jsonObject();
            if (!body) {
                return body.error();
            }
            return one(m_service.patchSession(*request.principal, request.pathParam(u"id"_s), *body));
        },
        u"agent.session.update"_s);
    route(
        u"POST"_s, u"/api/v1/agent/sessions/{id}/turns"_s,
        [this](const HttpRequest &request) -> Result<HttpResponse> {
            Result<QJsonObject> body = request.jsonObject();
            if (!body) {
                return body.error();
            }
            return created<AgentTurn>(m_service.createTurn(*request.principal,
                                                           request.pathParam(u"id"_s), *body,
                                                           idempotencyHeader(request)));
        },
        u"agent.turn.create"_s);
    route(u"GET"_s, u"/api/v1/agent/sessions/{id}/turns"_s,
          [this](const HttpRequest &request) -> Result<HttpResponse> {
              Result<bool> summary = summaryView(request);
              Result<qint64> limit = intParam(request, u"limit"_s, 100, 1, MaxListLimit);
              if (!summary || !limit) {
                  return !summary ? summary.error() : limit.error();
              }
              Result<QList<AgentTurn>> turns =
                  m_service.listTurns(*request.principal, request.pathParam(u"id"_s),
                                      request.queryValue(u"status"_s), int(*limit));
              if (!turns) {
                  return turns.error();
              }
              QJsonArray json;
              for (const AgentTurn &t : std::as_const(*turns)) {
                  json.append(t.toJson(!*summary));
              }
              return HttpResponse::json(200, json);
          });
    route(u"GET"_s, u"/api/v1/agent/turns/{id}"_s, [this](const HttpRequest &request) {
        return one(m_service.turn(*request.principal, request.pathParam(u"id"_s)));
    });
    route(
        u"POST"_s, u"/api/v1/agent/turns/{id}/cancel"_s,
        [this](const HttpRequest &request) -> Result<HttpResponse> {
            QString reason;
            if (Result<HttpResponse> ok = reasonBody(request, reason); !ok) {
                return ok;
            }
            return one(m_service.cancelTurn(*request.principal, request.pathParam(u"id"_s), reason));
        },
        u"agent.turn.cancel"_s);
    route(u"GET"_s, u"/api/v1/agent/turns/{id}/events"_s,
          [this](const HttpRequest &request) -> Result<HttpResponse> {
              Result<qint64> after = intParam(request, u"after"_s, 0, 0, INT64_MAX);
              Result<qint64> limit = intParam(request, u"limit"_s, 100, 0, MaxEventLimit);
              if (!after || !limit) {
                  return !after ? after.error() : limit.error();
              }
              Result<QList<AgentEvent>> events =
                  m_service.events(*request.principal, request.pathParam(u"id"_s), *after,
                                   *limit == 0 ? 100 : int(*limit));
              if (!events) {
                  return events.error();
              }
              QJsonArray json;
              for (const AgentEvent &e : std::as_const(*events)) {
                  json.append(e.toJson());
              }
              return HttpResponse::json(200, json);
          });
    router.routeAsync(u"GET"_s, u"/api/v1/agent/turns/{id}/events/stream"_s,
                      RouteAuth::Authenticated,
                      [this](const HttpRequest &request, Responder responder) {
                          stream(request, std::move(responder));
                      });
    route(u"GET"_s, u"/api/v1/agent/turns/{id}/interactions"_s,
          [this](const HttpRequest &request) -> Result<HttpResponse> {
              Result<QList<AgentInteraction>> list =
                  m_service.interactions(*request.principal, request.pathParam(u"id"_s));
              if (!list) {
                  return list.error();
              }
              QJsonArray json;
              for (const AgentInteraction &i : std::as_const(*list)) {
                  json.append(i.toJson());
              }
              return HttpResponse::json(200, json);
          });
    route(
        u"POST"_s, u"/api/v1/agent/turns/{id}/interactions/{interactionId}/resolve"_s,
        [this](const HttpRequest &request) -> Result<HttpResponse> {
            Result<QJsonObject> body = request.jsonObject();
            if (!body) {
                return body.error();
            }
            return one(m_service.resolveInteraction(*request.principal,
                                                    request.pathParam(u"id"_s),
                                                    request.pathParam(u"interactionId"_s), *body));
        },
        u"agent.interaction.resolve"_s);
}

void AgentRoutes::stream(const HttpRequest &request, Responder responder)
{
    if (!m_service.configured()) {
        responder.sendError(Error{ErrorCode::PreconditionFailed, u"agent is not configured"_s});
        return;
    }
    const QString until = request.queryValue(u"until"_s);
    if (!until.isEmpty() && until != u"terminal" && until != u"blocked_or_terminal") {
        responder.sendError(Error::invalid(u"until must be terminal or blocked_or_terminal"_s));
        return;
    }
    Result<qint64> after = intParam(request, u"after"_s, 0, 0, INT64_MAX);
    Result<qint64> limit = intParam(request, u"limit"_s, 100, 0, MaxEventLimit);
    if (!after || !limit) {
        responder.sendError(!after ? after.error() : limit.error());
        return;
    }
    const QString turnId = request.pathParam(u"id"_s);
    if (Result<AgentTurn> owned = m_service.turn(*request.principal, turnId); !owned) {
        responder.sendError(owned.error());
        return;
    }
    AgentEventStream::Settings settings = m_streamSettings;
    if (*limit > 0) {
        settings.pageSize = int(*limit);
    }
    auto *stream = new AgentEventStream(
        m_repository, m_runner, turnId, *after,
        until == u"blocked_or_terminal" ? AgentEventStream::Until::BlockedOrTerminal
                                        : AgentEventStream::Until::Terminal,
        settings, responder.startStream(200, "text/event-stream"_ba), this);
    m_streams.removeAll(nullptr);
    m_streams.append(stream);
    stream->start();
}

void AgentRoutes::closeStreams()
{
    for (const QPointer<AgentEventStream> &stream : std::as_const(m_streams)) {
        if (stream) {
            stream->close();
        }
    }
    m_streams.clear();
}

} // namespace Gestalt
