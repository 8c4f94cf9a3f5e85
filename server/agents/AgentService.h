// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "agents/AgentEventStream.h"
#include "agents/AgentRecords.h"
#include "agents/ModelProvider.h"
#include "core/Principal.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QList>
#include <QMap>

namespace Gestalt {

class AccessCheck;
class AgentRepository;
class AppCatalog;
class McpUpstreams;
class TurnRunner;

// The rules of the agent API (http-api.md "Agents"): sessions and turns belong to the subject
// that created them (anyone else gets 404), a turn runs on its session's provider, one turn at a
// time per session, idempotency keys on both creates. A scoped token sees only the sessions and
// turns made within its scope, and approves only tools its scope allows (403).
class AgentService final
{
public:
    template<typename T>
    struct Created
    {
        T value;
        bool replayed = false; // an earlier request with the same idempotency key made it
    };

    AgentService(AgentRepository &repository,
                 TurnRunner &runner,
                 const AppCatalog &catalog,
                 const AccessCheck &access,
                 QMap<QString, ModelProvider *> providers,
                 QString defaultProvider,
                 Clock clock);

    // The upstream MCP servers whose tools turns may offer (AgentTools::build); null: none.
    void setMcpUpstreams(const McpUpstreams *upstreams) { m_mcp = upstreams; }

    // Whether any agent provider is configured; every route answers 412 otherwise.
    [[nodiscard]] bool configured() const { return !m_providers.isEmpty(); }
    [[nodiscard]] QStringList providerNames() const { return m_providers.keys(); }
    [[nodiscard]] const QString &defaultProvider() const { return m_defaultProvider; }
    [[nodiscard]] ModelProvider *provider(const QString &name) const
    {
        return m_providers.value(name);
    }

    // `headerKey`: the Idempotency-Key header (empty when absent).
    [[nodiscard]] Result<Created<AgentSession>>
    createSession(const Principal &caller, const QJsonObject &body, const QString &headerKey);
    // state: the filter's text as given (empty: any); an unknown one is a 400.
    [[nodiscard]] Result<QList<AgentSession>>
    listSessions(const Principal &caller, const QString &provider, const QString &state, int limit);
    [[nodiscard]] Result<QList<AgentSession>> listSessions(const Principal &caller,
                                                           const QString &provider,
                                                           std::optional<AgentSession::State> state,
                                                           int limit);
    [[nodiscard]] Result<AgentSession> session(const Principal &caller, const QString &id);
    [[nodiscard]] Result<AgentSession>
    patchSession(const Principal &caller, const QString &id, const QJsonObject &body);

    [[nodiscard]] Result<Created<AgentTurn>> createTurn(const Principal &caller,
                                                        const QString &sessionId,
                                                        const QJsonObject &body,
                                                        const QString &headerKey);
    // status: the filter's text as given (empty: any); an unknown one is a 400.
    [[nodiscard]] Result<QList<AgentTurn>>
    listTurns(const Principal &caller, const QString &sessionId, const QString &status, int limit);
    [[nodiscard]] Result<AgentTurn> turn(const Principal &caller, const QString &id);
    [[nodiscard]] Result<AgentTurn>
    cancelTurn(const Principal &caller, const QString &id, const QString &reason);
    [[nodiscard]] Result<QList<AgentEvent>>
    events(const Principal &caller, const QString &turnId, qint64 after, int limit);
    [[nodiscard]] Result<QList<AgentInteraction>> interactions(const Principal &caller,
                                                               const QString &turnId);
    [[nodiscard]] Result<AgentInteraction> resolveInteraction(const Principal &caller,
                                                              const QString &turnId,
                                                              const QString &interactionId,
                                                              const QJsonObject &body);

    // The SSE stream of a turn's events after `after` (GET .../events/stream), a child of
    // `parent`, not started. The caller has checked that the turn is visible to its caller
    // (turn()) before it started `writer`'s response.
    [[nodiscard]] AgentEventStream *openEventStream(const QString &turnId,
                                                    qint64 after,
                                                    AgentEventStream::Until until,
                                                    AgentEventStream::Settings settings,
                                                    std::shared_ptr<StreamWriter> writer,
                                                    QObject *parent);

private:
    [[nodiscard]] static Result<void> requireSubject(const Principal &caller);
    // The caller's, and for a scoped token only one made within its scope whose turns all were
    // too (AccessCheck::ceilingWithin on each creator's ceiling). Others answer 404.
    [[nodiscard]] Result<bool> visibleTo(const Principal &caller,
                                         const AgentSession &session) const;
    // The caller's turn, whatever token made it (turn() adds the scope rule).
    [[nodiscard]] Result<AgentTurn> ownedTurn(const Principal &caller, const QString &id);
    struct SessionBody;
    struct TurnBody;
    // The create bodies read strictly (JsonBodyReader) and checked; `headerKey` is the
    // Idempotency-Key header.
    [[nodiscard]] static Result<SessionBody> readSessionBody(const QJsonObject &body,
                                                             const QString &headerKey);
    [[nodiscard]] static Result<TurnBody> readTurnBody(const QJsonObject &body,
                                                       const QString &headerKey);
    // The session or turn a create body describes, not stored yet.
    [[nodiscard]] Result<AgentSession> newSession(const Principal &caller,
                                                  const SessionBody &fields) const;
    [[nodiscard]] AgentTurn
    newTurn(const Principal &caller, const AgentSession &session, const TurnBody &fields) const;
    // 409 while a turn of the session is not terminal: one turn at a time.
    [[nodiscard]] Result<void> checkNoTurnInProgress(const QString &sessionId) const;
    [[nodiscard]] QList<ModelMessage> history(const QString &sessionId) const;
    // Claims an idempotency key (none: nothing to do): nullopt to go on and create, or the id
    // an earlier request with the same key and body created. 409 while that request is still
    // being handled, or when the key came with another body.
    [[nodiscard]] Result<std::optional<QString>> claimKey(const QString &scope,
                                                          const Principal &caller,
                                                          const QString &key,
                                                          const QJsonObject &body);

    AgentRepository &m_repository;
    TurnRunner &m_runner;
    const AppCatalog &m_catalog;
    const AccessCheck &m_access;
    const McpUpstreams *m_mcp = nullptr;
    QMap<QString, ModelProvider *> m_providers;
    QString m_defaultProvider;
    Clock m_clock;
};

} // namespace Gestalt
