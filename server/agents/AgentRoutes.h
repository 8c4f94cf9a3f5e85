// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "agents/AgentEventStream.h"
#include "http/Router.h"

#include <QObject>
#include <QPointer>

namespace Gestalt {

class AgentRepository;
class AgentService;
class AuditLog;
class TurnRunner;

// /api/v1/agent/*: sessions, turns, events and their SSE stream, interactions (http-api.md
// "Agents"). Every route answers 412 "agent is not configured" without an agent provider.
class AgentRoutes final : public QObject
{
    Q_OBJECT

public:
    AgentRoutes(AgentService &service, AgentRepository &repository, TurnRunner &runner,
                AgentEventStream::Settings streamSettings, QObject *parent = nullptr);

    void setAuditLog(AuditLog *audit) { m_audit = audit; }
    void registerRoutes(Router &router);
    // Ends every open event stream (shutdown).
    void closeStreams();

private:
    // Wraps a handler: 412 when unconfigured, and an audit event for writes (`action`).
    [[nodiscard]] SyncHandler guarded(SyncHandler handler, const QString &action = {});
    void stream(const HttpRequest &request, Responder responder);

    AgentService &m_service;
    AgentRepository &m_repository;
    TurnRunner &m_runner;
    AgentEventStream::Settings m_streamSettings;
    AuditLog *m_audit = nullptr;
    QList<QPointer<AgentEventStream>> m_streams;
};

} // namespace Gestalt
