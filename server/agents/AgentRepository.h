// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "agents/AgentRecords.h"
#include "shared/Result.h"

#include <QHash>
#include <QList>
#include <QStringList>

#include <optional>

namespace Gestalt {

class Database;

// SQL for the agent tables (migration 0006). Events get their seq from the turn's next_seq in the
// transaction that inserts them, so seq is gap-free and increasing per turn whichever replica
// writes.
class AgentRepository final
{
public:
    explicit AgentRepository(Database &database);

    // --- sessions
    [[nodiscard]] Result<void> insertSession(const AgentSession &session);
    [[nodiscard]] Result<std::optional<AgentSession>> findSession(const QString &id);
    // Newest first. An empty provider and no state match everything.
    [[nodiscard]] Result<QList<AgentSession>> listSessions(const QString &ownerSubjectId,
                                                           const QString &provider,
                                                           std::optional<AgentSession::State> state,
                                                           int limit);
    [[nodiscard]] Result<void> updateSession(const AgentSession &session);

    // --- turns
    [[nodiscard]] Result<void>
    insertTurn(const AgentTurn &turn, const QString &leaseOwner, const QDateTime &leaseUntil);
    [[nodiscard]] Result<std::optional<AgentTurn>> findTurn(const QString &id);
    // Oldest first (the conversation's order).
    [[nodiscard]] Result<QList<AgentTurn>>
    listTurns(const QString &sessionId, std::optional<AgentTurn::Status> status, int limit);
    // Writes status, outputs, message and times; renews the lease of `leaseOwner`.
    [[nodiscard]] Result<void> saveTurn(const AgentTurn &turn, const QDateTime &leaseUntil);
    // Flags an unfinished turn for its executor; returns the turn after the change (unchanged when
    // it already finished).
    [[nodiscard]] Result<std::optional<AgentTurn>> requestCancel(const QString &id,
                                                                 const QString &reason);
    // Extends the leases of `ids` held by `owner`; returns those whose cancel was requested
    // (id → reason).
    [[nodiscard]] Result<QHash<QString, QString>>
    renew(const QStringList &ids, const QString &owner, const QDateTime &leaseUntil);
    // Unfinished turns whose lease expired before `now` (their replica went away).
    [[nodiscard]] Result<QStringList> abandoned(const QDateTime &now, int limit);
    // Takes over an abandoned turn's lease (conditional on it still being expired): true when
    // the caller now holds it.
    [[nodiscard]] Result<bool> takeOver(const QString &id,
                                        const QString &owner,
                                        const QDateTime &now,
                                        const QDateTime &leaseUntil);

    // --- events
    // Assigns the next seq of the turn and stores the event; returns it with seq and id set.
    [[nodiscard]] Result<AgentEvent> appendEvent(AgentEvent event);
    // Events with seq > after, ascending, at most `limit`.
    [[nodiscard]] Result<QList<AgentEvent>>
    listEvents(const QString &turnId, qint64 after, int limit);

    // --- interactions
    [[nodiscard]] Result<void> insertInteraction(const AgentInteraction &interaction);
    [[nodiscard]] Result<std::optional<AgentInteraction>> findInteraction(const QString &id);
    [[nodiscard]] Result<QList<AgentInteraction>> listInteractions(const QString &turnId);
    // pending → resolved with `resolution`: false when it was not pending any more.
    [[nodiscard]] Result<bool>
    resolveInteraction(const QString &id, const QJsonValue &resolution, const QDateTime &now);
    // Every pending interaction of the turn → canceled.
    [[nodiscard]] Result<void> cancelInteractions(const QString &turnId, const QDateTime &now);

    // --- idempotency keys
    struct Claim
    {
        enum class State {
            Claimed, // ours: create the resource, then complete() (or release() on failure)
            Pending, // another request with this key is being handled
            Done,    // created before: resourceId
        };
        State state = State::Claimed;
        QString resourceId;
        QString requestHash; // of the first request (Pending/Done)
    };
    // A pending claim older than `staleBefore` (its request died) is taken over.
    [[nodiscard]] Result<Claim> claimKey(const QString &scope,
                                         const QString &owner,
                                         const QString &key,
                                         const QString &requestHash,
                                         const QDateTime &now,
                                         const QDateTime &staleBefore);
    [[nodiscard]] Result<void> completeKey(const QString &scope,
                                           const QString &owner,
                                           const QString &key,
                                           const QString &resourceId);
    [[nodiscard]] Result<void>
    releaseKey(const QString &scope, const QString &owner, const QString &key);

private:
    Database &m_database;
};

} // namespace Gestalt
