// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentRoutes.h"

#include "agents/AgentService.h"
#include "audit/AuditLog.h"
#include "http/JsonBodyReader.h"
#include "http/QueryParams.h"
#include "http/Responder.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int MaxListLimit = 500;
constexpr int MaxEventLimit = 1000;

// The query of the session and turn lists: ?view=full|summary (and the older summary=true;
// default full) and ?limit.
struct ListQuery
{
    bool summary = false;
    int limit = 100;
};

Result<ListQuery> listQuery(const HttpRequest &request)
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
    Result<qint64> limit = QueryParams::integer(request, u"limit"_s, 100, 1, MaxListLimit);
    if (!limit) {
        return limit.error();
    }
    return ListQuery{view == u"summary" || summary == u"true", int(*limit)};
}

// ?after and ?limit of a turn's events (limit=0: the default page).
struct EventQuery
{
    qint64 after = 0;
    int limit = 0;
};

Result<EventQuery> eventQuery(const HttpRequest &request)
{
    Result<qint64> after = QueryParams::integer(request, u"after"_s, 0, 0, INT64_MAX);
    Result<qint64> limit = QueryParams::integer(request, u"limit"_s, 100, 0, MaxEventLimit);
    if (!after || !limit) {
        return !after ? after.error() : limit.error();
    }
    return EventQuery{*after, int(*limit)};
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

// 200 with the JSON array of `items`, each through `toJson`.
template<typename T, typename ToJson>
Result<HttpResponse> list(const Result<QList<T>> &items, ToJson toJson)
{
    if (!items) {
        return items.error();
    }
    QJsonArray json;
    for (const T &item : *items) {
        json.append(toJson(item));
    }
    return HttpResponse::json(200, json);
}

// The cancel body {reason?}, trimmed. Its other fields are ignored, as they always were.
Result<QString> cancelReason(const HttpRequest &request)
{
    Result<QJsonObject> body = request.jsonObject(true);
    if (!body) {
        return body.error();
    }
    JsonBodyReader reader(*body);
    const QString reason = reader.string(u"reason").value_or(QString()).trimmed();
    for (auto it = body->constBegin(); it != body->constEnd(); ++it) {
        reader.skip({it.key()});
    }
    if (Result<void> ok = reader.finish(); !ok) {
        return ok.error();
    }
    return reason;
}

} // namespace

AgentRoutes::AgentRoutes(AgentService &service,
                         AgentEventStream::Settings streamSettings,
                         QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_streamSettings(streamSettings)
{}

void AgentRoutes::registerRoutes(Router &router)
{
    constexpr RouteAuth auth = RouteAuth::Authenticated;
    router.route(u"GET"_s, u"/api/v1/agent/providers"_s, auth, this, &AgentRoutes::providers);

    router.route(u"POST"_s, u"/api/v1/agent/sessions"_s, auth, this, &AgentRoutes::createSession);
    router.route(u"GET"_s, u"/api/v1/agent/sessions"_s, auth, this, &AgentRoutes::listSessions);
    router.route(u"GET"_s, u"/api/v1/agent/sessions/{id}"_s, auth, this, &AgentRoutes::session);
    router.route(
        u"PATCH"_s, u"/api/v1/agent/sessions/{id}"_s, auth, this, &AgentRoutes::patchSession);

    router.route(
        u"POST"_s, u"/api/v1/agent/sessions/{id}/turns"_s, auth, this, &AgentRoutes::createTurn);
    router.route(
        u"GET"_s, u"/api/v1/agent/sessions/{id}/turns"_s, auth, this, &AgentRoutes::listTurns);
    router.route(u"GET"_s, u"/api/v1/agent/turns/{id}"_s, auth, this, &AgentRoutes::turn);
    router.route(
        u"POST"_s, u"/api/v1/agent/turns/{id}/cancel"_s, auth, this, &AgentRoutes::cancelTurn);

    router.route(u"GET"_s, u"/api/v1/agent/turns/{id}/events"_s, auth, this, &AgentRoutes::events);
    router.routeAsync(
        u"GET"_s, u"/api/v1/agent/turns/{id}/events/stream"_s, auth, this, &AgentRoutes::stream);

    router.route(u"GET"_s,
                 u"/api/v1/agent/turns/{id}/interactions"_s,
                 auth,
                 this,
                 &AgentRoutes::interactions);
    router.route(u"POST"_s,
                 u"/api/v1/agent/turns/{id}/interactions/{interactionId}/resolve"_s,
                 auth,
                 this,
                 &AgentRoutes::resolveInteraction);
}

Result<void> AgentRoutes::requireConfigured() const
{
    if (!m_service.configured()) {
        return Error{ErrorCode::PreconditionFailed, u"agent is not configured"_s};
    }
    return {};
}

Result<HttpResponse> AgentRoutes::audited(const HttpRequest &request,
                                          const QString &action,
                                          Result<HttpResponse> response) const
{
    if (m_audit) {
        AuditEvent event = AuditEvent::forRequest(
            request, action, {action.section(u'.', 1, 1), request.pathParam(u"id"_s), {}});
        event.setOutcome(response);
        m_audit->record(std::move(event));
    }
    return response;
}

Result<HttpResponse> AgentRoutes::providers(const HttpRequest & /*request*/)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    QJsonArray providers;
    for (const QString &name : m_service.providerNames()) {
        providers.append(
            QJsonObject{{u"name"_s, name},
                        {u"default"_s, name == m_service.defaultProvider()},
                        {u"defaultModel"_s, m_service.provider(name)->defaultModel()}});
    }
    return HttpResponse::json(200, QJsonObject{{u"providers"_s, providers}});
}

Result<HttpResponse> AgentRoutes::createSession(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    Result<QJsonObject> body = request.jsonObject(true);
    Result<HttpResponse> response = body ? created<AgentSession>(m_service.createSession(
                                        *request.principal, *body, idempotencyHeader(request)))
                                         : Result<HttpResponse>(body.error());
    return audited(request, u"agent.session.create"_s, std::move(response));
}

Result<HttpResponse> AgentRoutes::listSessions(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    Result<ListQuery> query = listQuery(request);
    if (!query) {
        return query.error();
    }
    return list(m_service.listSessions(*request.principal,
                                       request.queryValue(u"provider"_s),
                                       request.queryValue(u"state"_s),
                                       query->limit),
                [summary = query->summary](const AgentSession &s) {
                    QJsonObject item = s.toJson();
                    if (summary) {
                        item.remove(u"metadata"_s);
                    }
                    return item;
                });
}

Result<HttpResponse> AgentRoutes::session(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    return one(m_service.session(*request.principal, request.pathParam(u"id"_s)));
}

Result<HttpResponse> AgentRoutes::patchSession(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    Result<QJsonObject> body = request.jsonObject();
    Result<HttpResponse> response =
        body ? one(m_service.patchSession(*request.principal, request.pathParam(u"id"_s), *body))
             : Result<HttpResponse>(body.error());
    return audited(request, u"agent.session.update"_s, std::move(response));
}

Result<HttpResponse> AgentRoutes::createTurn(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    Result<QJsonObject> body = request.jsonObject();
    Result<HttpResponse> response =
        body ? created<AgentTurn>(m_service.createTurn(
            *request.principal, request.pathParam(u"id"_s), *body, idempotencyHeader(request)))
             : Result<HttpResponse>(body.error());
    return audited(request, u"agent.turn.create"_s, std::move(response));
}

Result<HttpResponse> AgentRoutes::listTurns(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    Result<ListQuery> query = listQuery(request);
    if (!query) {
        return query.error();
    }
    return list(m_service.listTurns(*request.principal,
                                    request.pathParam(u"id"_s),
                                    request.queryValue(u"status"_s),
                                    query->limit),
                [full = !query->summary](const AgentTurn &t) { return t.toJson(full); });
}

Result<HttpResponse> AgentRoutes::turn(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    return one(m_service.turn(*request.principal, request.pathParam(u"id"_s)));
}

Result<HttpResponse> AgentRoutes::cancelTurn(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    Result<QString> reason = cancelReason(request);
    Result<HttpResponse> response =
        reason ? one(m_service.cancelTurn(*request.principal, request.pathParam(u"id"_s), *reason))
               : Result<HttpResponse>(reason.error());
    return audited(request, u"agent.turn.cancel"_s, std::move(response));
}

Result<HttpResponse> AgentRoutes::events(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    Result<EventQuery> query = eventQuery(request);
    if (!query) {
        return query.error();
    }
    return list(m_service.events(*request.principal,
                                 request.pathParam(u"id"_s),
                                 query->after,
                                 query->limit == 0 ? 100 : query->limit),
                [](const AgentEvent &e) { return e.toJson(); });
}

void AgentRoutes::stream(const HttpRequest &request, const Responder &responder)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        responder.sendError(ok.error());
        return;
    }
    const QString until = request.queryValue(u"until"_s);
    if (!until.isEmpty() && until != u"terminal" && until != u"blocked_or_terminal") {
        responder.sendError(Error::invalid(u"until must be terminal or blocked_or_terminal"_s));
        return;
    }
    Result<EventQuery> query = eventQuery(request);
    if (!query) {
        responder.sendError(query.error());
        return;
    }
    const QString turnId = request.pathParam(u"id"_s);
    if (Result<AgentTurn> owned = m_service.turn(*request.principal, turnId); !owned) {
        responder.sendError(owned.error());
        return;
    }
    AgentEventStream::Settings settings = m_streamSettings;
    if (query->limit > 0) {
        settings.pageSize = query->limit;
    }
    AgentEventStream *stream = m_service.openEventStream(
        turnId,
        query->after,
        until == u"blocked_or_terminal" ? AgentEventStream::Until::BlockedOrTerminal
                                        : AgentEventStream::Until::Terminal,
        settings,
        responder.startStream(200, "text/event-stream"_ba),
        this);
    m_streams.removeAll(nullptr);
    m_streams.append(stream);
    stream->start();
}

Result<HttpResponse> AgentRoutes::interactions(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    return list(m_service.interactions(*request.principal, request.pathParam(u"id"_s)),
                [](const AgentInteraction &i) { return i.toJson(); });
}

Result<HttpResponse> AgentRoutes::resolveInteraction(const HttpRequest &request)
{
    if (Result<void> ok = requireConfigured(); !ok) {
        return ok.error();
    }
    Result<QJsonObject> body = request.jsonObject();
    Result<HttpResponse> response =
        body ? one(m_service.resolveInteraction(*request.principal,
                                                request.pathParam(u"id"_s),
                                                request.pathParam(u"interactionId"_s),
                                                *body))
             : Result<HttpResponse>(body.error());
    return audited(request, u"agent.interaction.resolve"_s, std::move(response));
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
