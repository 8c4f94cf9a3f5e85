// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "agents/AgentRecords.h"
#include "agents/AgentTools.h"
#include "agents/ModelProvider.h"
#include "core/Principal.h"
#include "shared/Clock.h"

#include <QHash>
#include <QObject>

#include <chrono>
#include <memory>

class QTimer;

namespace Gestalt {

class AgentRepository;
class InvocationService;
struct InvocationResult;

// Executes agent turns on this replica: the model is asked, the tools it calls run through
// InvocationService as the turn's caller (the same path and access check as REST), their results
// go back to the model, until it answers without tool calls. A tool whose operation needs
// approval first opens an `approval` interaction and the turn waits (waiting_for_input) until it
// is resolved. Every step is an event (repository, seq per turn) and every event or status
// change is announced through eventsChanged(turnId), which the SSE streams of this replica
// follow; other replicas poll the database.
//
// The replica holds a lease on each turn it runs, renewed on every poll. A turn has no durable
// state between model calls (the conversation lives here), so a turn whose replica went away is
// failed by whichever replica notices its expired lease ("interrupted"), and a graceful stop
// fails the turns still running.
class TurnRunner final : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        std::chrono::milliseconds pollInterval = std::chrono::seconds(1);
        std::chrono::milliseconds lease = std::chrono::seconds(30);
        int maxModelCalls = 16; // per turn: a loop of tool calls ends there
    };

    TurnRunner(AgentRepository &repository,
               InvocationService &invocations,
               Settings settings,
               Clock clock,
               QObject *parent = nullptr);
    ~TurnRunner() override;
    Q_DISABLE_COPY_MOVE(TurnRunner)

    [[nodiscard]] const QString &replicaId() const { return m_replicaId; }
    [[nodiscard]] QDateTime leaseUntil() const;

    void start();
    // Fails every turn still running here ("the server stopped").
    void stop();

    // Runs a stored, pending turn. `history`: the conversation before this turn's messages.
    void run(const AgentTurn &turn,
             const Principal &principal,
             ModelProvider &model,
             QList<AgentTool> tools,
             QList<ModelMessage> history);
    // A cancel request for a turn running here: ends it now. False when it does not run here.
    bool cancel(const QString &turnId, const QString &reason);
    // An interaction of a turn running here was resolved (stored already).
    void interactionResolved(const QString &turnId, const QString &interactionId);
    [[nodiscard]] int activeTurns() const { return int(m_active.size()); }

Q_SIGNALS:
    // A turn got new events, or its status changed.
    void eventsChanged(const QString &turnId);
    // A turn reached a final status: its JSON as stored.
    void turnFinished(const Gestalt::AgentTurn &turn);

private:
    struct Active;

    void poll();
    void askModel(const std::shared_ptr<Active> &active);
    void modelAnswered(const std::shared_ptr<Active> &active, Result<ModelReply> reply);
    void nextTool(const std::shared_ptr<Active> &active);
    void callTool(const std::shared_ptr<Active> &active,
                  const AgentTool &tool,
                  const ModelToolCall &call);
    void toolAnswered(const std::shared_ptr<Active> &active,
                      const ModelToolCall &call,
                      const AgentTool &tool,
                      const Result<InvocationResult> &result);
    void toolDone(const std::shared_ptr<Active> &active,
                  const ModelToolCall &call,
                  const QJsonObject &event,
                  const QJsonValue &resultForModel,
                  bool failed);
    void approvalDecided(const std::shared_ptr<Active> &active,
                         bool approved,
                         const QJsonValue &resolution);
    void
    finish(const std::shared_ptr<Active> &active, AgentTurn::Status status, const QString &message);

    void emitEvent(const std::shared_ptr<Active> &active,
                   const QString &type,
                   const QJsonObject &data,
                   const QString &source = QStringLiteral("gestaltd"));
    void setStatus(const std::shared_ptr<Active> &active, AgentTurn::Status status);
    void save(const std::shared_ptr<Active> &active);

    AgentRepository &m_repository;
    InvocationService &m_invocations;
    Settings m_settings;
    Clock m_clock;
    QString m_replicaId;
    QTimer *m_poll; // child
    QHash<QString, std::shared_ptr<Active>> m_active;
};

} // namespace Gestalt
