// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "agents/AgentEventStream.h"
#include "http/Router.h"

#include <QObject>
#include <QPointer>

namespace Gestalt {

class AgentService;
class AuditLog;

// /api/v1/agent/*: sessions, turns, events and their SSE stream, interactions (http-api.md
// "Agents"). Every route answers 412 "agent is not configured" without an agent provider, and
// every write records an audit event (agent.<kind>.<verb> on the path's {id}).
class AgentRoutes final : public QObject
{
    Q_OBJECT

public:
    AgentRoutes(AgentService &service,
                AgentEventStream::Settings streamSettings,
                QObject *parent = nullptr);

    void setAuditLog(AuditLog *audit) { m_audit = audit; }
    void registerRoutes(Router &router);
    // Ends every open event stream (shutdown).
    void closeStreams();

private:
    // GET /providers
    Result<HttpResponse> providers(const HttpRequest &request);
    // /sessions and /sessions/{id}
    Result<HttpResponse> createSession(const HttpRequest &request);
    Result<HttpResponse> listSessions(const HttpRequest &request);
    Result<HttpResponse> session(const HttpRequest &request);
    Result<HttpResponse> patchSession(const HttpRequest &request);
    // /sessions/{id}/turns and /turns/{id}
    Result<HttpResponse> createTurn(const HttpRequest &request);
    Result<HttpResponse> listTurns(const HttpRequest &request);
    Result<HttpResponse> turn(const HttpRequest &request);
    Result<HttpResponse> cancelTurn(const HttpRequest &request);
    // /turns/{id}/events and its SSE stream
    Result<HttpResponse> events(const HttpRequest &request);
    void stream(const HttpRequest &request, const Responder &responder);
    // /turns/{id}/interactions
    Result<HttpResponse> interactions(const HttpRequest &request);
    Result<HttpResponse> resolveInteraction(const HttpRequest &request);

    // 412 without an agent provider.
    [[nodiscard]] Result<void> requireConfigured() const;
    // Records `action` on the path's {id} with the response's outcome; returns the response.
    Result<HttpResponse>
    audited(const HttpRequest &request, const QString &action, Result<HttpResponse> response) const;

    AgentService &m_service;
    AgentEventStream::Settings m_streamSettings;
    AuditLog *m_audit = nullptr;
    QList<QPointer<AgentEventStream>> m_streams;
};

} // namespace Gestalt
