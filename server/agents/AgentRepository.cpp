// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentRepository.h"

#include "crypto/Random.h"
#include "store/Database.h"
#include "store/SqlStatement.h"
#include "store/StoredEnum.h"
#include "store/StoredJson.h"
#include "store/Transaction.h"

#include <QSqlQuery>

#include <tuple>
#include <utility>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString kSessionColumns =
    u"id, owner_subject_id, provider, model, client_ref, state, metadata_json, workspace_json, "
    u"created_by_json, created_at, updated_at, last_turn_at"_s;
const QString kTurnColumns =
    u"id, session_id, owner_subject_id, provider, model, status, request_json, created_by_json, "
    u"output_text, structured_json, status_message, cancel_requested, cancel_reason, created_at, "
    u"started_at, completed_at"_s;
const QString kEventColumns =
    u"turn_id, seq, id, type, source, visibility, data_json, display_json, created_at"_s;
const QString kInteractionColumns =
    u"id, turn_id, type, state, title, prompt, request_json, resolution_json, created_at, "
    u"resolved_at"_s;
// The statuses of a turn that is not final, from their names (AgentRecords).
const QString kUnfinished =
    u"status IN ('%1', '%2', '%3')"_s.arg(name(AgentTurn::Status::Pending),
                                          name(AgentTurn::Status::Running),
                                          name(AgentTurn::Status::WaitingForInput));

// The stored states of an idempotency claim (agent_idempotency.state); Claim::State::Claimed is
// the answer for the request that made a new pending row.
const QString kClaimPending = u"pending"_s;
const QString kClaimDone = u"done"_s;

// created_by_json holds createdBy and, for a scoped creator, its ceiling under "tokenScope".
constexpr QStringView kTokenScope = u"tokenScope";

QString createdByColumn(QJsonObject createdBy, const QJsonValue &creatorScope)
{
    createdBy.remove(kTokenScope);
    if (creatorScope.isArray()) {
        createdBy.insert(kTokenScope, creatorScope);
    }
    return StoredJson::text(createdBy);
}

std::pair<QJsonObject, QJsonValue> createdByFrom(const QVariant &column)
{
    QJsonObject createdBy = StoredJson::object(column);
    const QJsonValue scope = createdBy.take(kTokenScope);
    return {createdBy, scope.isArray() ? scope : QJsonValue(QJsonValue::Null)};
}

AgentSession sessionFrom(const QSqlQuery &q)
{
    AgentSession s;
    s.id = q.value(0).toString();
    s.ownerSubjectId = q.value(1).toString();
    s.provider = q.value(2).toString();
    s.model = q.value(3).toString();
    s.clientRef = q.value(4).toString();
    // An unknown state reads as archived: the session is listed but takes no new turns.
    const QString state = q.value(5).toString();
    s.state = StoredEnum::read(
        parseSessionState(state), state, AgentSession::State::Archived, u"agent session "_s + s.id);
    s.metadata = StoredJson::object(q.value(6));
    s.workspace = StoredJson::object(q.value(7));
    std::tie(s.createdBy, s.creatorScope) = createdByFrom(q.value(8));
    s.createdAt = SqlDialect::fromStorage(q.value(9));
    s.updatedAt = SqlDialect::fromStorage(q.value(10));
    s.lastTurnAt = SqlDialect::optionalFromStorage(q.value(11));
    return s;
}

AgentTurn turnFrom(const QSqlQuery &q)
{
    AgentTurn t;
    t.id = q.value(0).toString();
    t.sessionId = q.value(1).toString();
    t.ownerSubjectId = q.value(2).toString();
    t.provider = q.value(3).toString();
    t.model = q.value(4).toString();
    t.request = StoredJson::object(q.value(6));
    std::tie(t.createdBy, t.creatorScope) = createdByFrom(q.value(7));
    t.outputText = q.value(8).toString();
    t.structuredOutput = StoredJson::value(q.value(9));
    t.statusMessage = q.value(10).toString();
    t.cancelRequested = q.value(11).toBool();
    t.cancelReason = q.value(12).toString();
    t.createdAt = SqlDialect::fromStorage(q.value(13));
    t.startedAt = SqlDialect::optionalFromStorage(q.value(14));
    t.completedAt = SqlDialect::optionalFromStorage(q.value(15));
    // An unknown status reads as failed, so the turn is final here and never run.
    const QString status = q.value(5).toString();
    t.status = StoredEnum::read(parseTurnStatus(status),
                                status,
                                AgentTurn::Status::Failed,
                                u"agent turn "_s + t.id,
                                &t.statusMessage);
    return t;
}

AgentEvent eventFrom(const QSqlQuery &q)
{
    AgentEvent e;
    e.turnId = q.value(0).toString();
    e.seq = q.value(1).toLongLong();
    e.id = q.value(2).toString();
    e.type = q.value(3).toString();
    e.source = q.value(4).toString();
    e.visibility = q.value(5).toString();
    e.data = StoredJson::object(q.value(6));
    e.display = StoredJson::object(q.value(7));
    e.createdAt = SqlDialect::fromStorage(q.value(8));
    return e;
}

AgentInteraction interactionFrom(const QSqlQuery &q)
{
    AgentInteraction i;
    i.id = q.value(0).toString();
    i.turnId = q.value(1).toString();
    i.type = q.value(2).toString();
    // An unknown state reads as canceled.
    const QString state = q.value(3).toString();
    i.state = StoredEnum::read(parseInteractionState(state),
                               state,
                               AgentInteraction::State::Canceled,
                               u"agent interaction "_s + i.id);
    i.title = q.value(4).toString();
    i.prompt = q.value(5).toString();
    i.request = StoredJson::object(q.value(6));
    i.resolution = StoredJson::value(q.value(7));
    i.createdAt = SqlDialect::fromStorage(q.value(8));
    i.resolvedAt = SqlDialect::optionalFromStorage(q.value(9));
    return i;
}

} // namespace

AgentRepository::AgentRepository(Database &database)
    : m_database(database)
{}

Result<void> AgentRepository::insertSession(const AgentSession &s)
{
    Result<QSqlQuery> done = Sql::run(m_database,
                                      u"INSERT INTO agent_sessions ("_s + kSessionColumns
                                          + u") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                                      {s.id,
                                       s.ownerSubjectId,
                                       s.provider,
                                       Sql::text(s.model),
                                       Sql::text(s.clientRef),
                                       name(s.state),
                                       StoredJson::text(s.metadata),
                                       StoredJson::text(s.workspace),
                                       createdByColumn(s.createdBy, s.creatorScope),
                                       SqlDialect::toStorage(s.createdAt),
                                       SqlDialect::toStorage(s.updatedAt),
                                       SqlDialect::toStorage(s.lastTurnAt)},
                                      u"insert agent session"_s);
    return done ? Result<void>() : Result<void>(done.error());
}

Result<std::optional<AgentSession>> AgentRepository::findSession(const QString &id)
{
    return Sql::first(
        Sql::run(m_database,
                 u"SELECT "_s + kSessionColumns + u" FROM agent_sessions WHERE id = ?"_s,
                 {id},
                 u"find agent session"_s),
        sessionFrom);
}

Result<QList<AgentSession>> AgentRepository::listSessions(const QString &owner,
                                                          const QString &provider,
                                                          std::optional<AgentSession::State> state,
                                                          int limit)
{
    const QString stateName = state ? name(*state) : QString();
    return Sql::all(
        Sql::run(
            m_database,
            u"SELECT "_s + kSessionColumns
                + u" FROM agent_sessions WHERE owner_subject_id = ? AND (? = '' OR provider = ?) "
                  u"AND (? = '' OR state = ?) ORDER BY created_at DESC, id DESC LIMIT ?"_s,
            {owner,
             Sql::text(provider),
             Sql::text(provider),
             Sql::text(stateName),
             Sql::text(stateName),
             limit},
            u"list agent sessions"_s),
        sessionFrom);
}

Result<void> AgentRepository::updateSession(const AgentSession &s)
{
    Result<QSqlQuery> done = Sql::run(
        m_database,
        u"UPDATE agent_sessions SET client_ref = ?, state = ?, metadata_json = ?, updated_at = ?, "
        u"last_turn_at = ? WHERE id = ?"_s,
        {Sql::text(s.clientRef),
         name(s.state),
         StoredJson::text(s.metadata),
         SqlDialect::toStorage(s.updatedAt),
         SqlDialect::toStorage(s.lastTurnAt),
         s.id},
        u"update agent session"_s);
    return done ? Result<void>() : Result<void>(done.error());
}

Result<void> AgentRepository::insertTurn(const AgentTurn &t,
                                         const QString &leaseOwner,
                                         const QDateTime &leaseUntil)
{
    Transaction tx(m_database);
    Result<QSqlQuery> inserted = Sql::run(
        tx,
        u"INSERT INTO agent_turns ("_s + kTurnColumns
            + u", lease_owner, lease_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
              u"?, ?, ?, ?, ?)"_s,
        {t.id,
         t.sessionId,
         t.ownerSubjectId,
         t.provider,
         Sql::text(t.model),
         name(t.status),
         StoredJson::text(t.request),
         createdByColumn(t.createdBy, t.creatorScope),
         Sql::text(t.outputText),
         StoredJson::valueColumn(t.structuredOutput),
         Sql::text(t.statusMessage),
         t.cancelRequested,
         Sql::text(t.cancelReason),
         SqlDialect::toStorage(t.createdAt),
         SqlDialect::toStorage(t.startedAt),
         SqlDialect::toStorage(t.completedAt),
         leaseOwner,
         SqlDialect::toStorage(leaseUntil)},
        u"insert agent turn"_s);
    if (!inserted) {
        return inserted.error();
    }
    Result<QSqlQuery> touched = Sql::run(
        tx,
        u"UPDATE agent_sessions SET last_turn_at = ?, updated_at = ? WHERE id = ?"_s,
        {SqlDialect::toStorage(t.createdAt), SqlDialect::toStorage(t.createdAt), t.sessionId},
        u"touch agent session"_s);
    if (!touched) {
        return touched.error();
    }
    return tx.commit();
}

Result<std::optional<AgentTurn>> AgentRepository::findTurn(const QString &id)
{
    return Sql::first(Sql::run(m_database,
                               u"SELECT "_s + kTurnColumns + u" FROM agent_turns WHERE id = ?"_s,
                               {id},
                               u"find agent turn"_s),
                      turnFrom);
}

Result<QList<AgentTurn>> AgentRepository::listTurns(const QString &sessionId,
                                                    std::optional<AgentTurn::Status> status,
                                                    int limit)
{
    const QString statusName = status ? name(*status) : QString();
    return Sql::all(
        Sql::run(m_database,
                 u"SELECT "_s + kTurnColumns
                     + u" FROM agent_turns WHERE session_id = ? AND (? = '' OR status = ?) "
                       u"ORDER BY created_at, id LIMIT ?"_s,
                 {sessionId, Sql::text(statusName), Sql::text(statusName), limit},
                 u"list agent turns"_s),
        turnFrom);
}

Result<void> AgentRepository::saveTurn(const AgentTurn &t, const QDateTime &leaseUntil)
{
    Result<QSqlQuery> done =
        Sql::run(m_database,
                 u"UPDATE agent_turns SET status = ?, output_text = ?, structured_json = ?, "
                 u"status_message = ?, started_at = ?, completed_at = ?, lease_expires_at = ? "
                 u"WHERE id = ?"_s,
                 {name(t.status),
                  Sql::text(t.outputText),
                  StoredJson::valueColumn(t.structuredOutput),
                  Sql::text(t.statusMessage),
                  SqlDialect::toStorage(t.startedAt),
                  SqlDialect::toStorage(t.completedAt),
                  SqlDialect::toStorage(leaseUntil),
                  t.id},
                 u"save agent turn"_s);
    return done ? Result<void>() : Result<void>(done.error());
}

Result<std::optional<AgentTurn>> AgentRepository::requestCancel(const QString &id,
                                                                const QString &reason)
{
    Result<QSqlQuery> done = Sql::run(m_database,
                                      u"UPDATE agent_turns SET cancel_requested = TRUE, "
                                      u"cancel_reason = ? WHERE id = ? AND "_s
                                          + kUnfinished,
                                      {Sql::text(reason), id},
                                      u"cancel agent turn"_s);
    if (!done) {
        return done.error();
    }
    return findTurn(id);
}

Result<QHash<QString, QString>>
AgentRepository::renew(const QStringList &ids, const QString &owner, const QDateTime &leaseUntil)
{
    QHash<QString, QString> canceled;
    for (const QString &id : ids) {
        Result<QSqlQuery> done = Sql::run(
            m_database,
            u"UPDATE agent_turns SET lease_expires_at = ? WHERE id = ? AND lease_owner = ?"_s,
            {SqlDialect::toStorage(leaseUntil), id, owner},
            u"renew agent turn"_s);
        if (!done) {
            return done.error();
        }
        Result<QSqlQuery> flagged = Sql::run(
            m_database,
            u"SELECT cancel_reason FROM agent_turns WHERE id = ? AND cancel_requested = TRUE"_s,
            {id},
            u"read agent turn cancel"_s);
        if (!flagged) {
            return flagged.error();
        }
        if (flagged->next()) {
            canceled.insert(id, flagged->value(0).toString());
        }
    }
    return canceled;
}

Result<QStringList> AgentRepository::abandoned(const QDateTime &now, int limit)
{
    return Sql::all(Sql::run(m_database,
                             u"SELECT id FROM agent_turns WHERE "_s + kUnfinished
                                 + u" AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT ?"_s,
                             {SqlDialect::toStorage(now), limit},
                             u"list abandoned agent turns"_s),
                    Sql::firstColumnText);
}

Result<bool> AgentRepository::takeOver(const QString &id,
                                       const QString &owner,
                                       const QDateTime &now,
                                       const QDateTime &leaseUntil)
{
    Result<QSqlQuery> done =
        Sql::run(m_database,
                 u"UPDATE agent_turns SET lease_owner = ?, lease_expires_at = ? "
                 u"WHERE id = ? AND lease_expires_at < ? AND "_s
                     + kUnfinished,
                 {owner, SqlDialect::toStorage(leaseUntil), id, SqlDialect::toStorage(now)},
                 u"take over agent turn"_s);
    if (!done) {
        return done.error();
    }
    return done->numRowsAffected() == 1;
}

Result<AgentEvent> AgentRepository::appendEvent(AgentEvent event)
{
    Transaction tx(m_database);
    // The UPDATE first: on PostgreSQL it locks the turn's row until commit, so concurrent
    // writers of one turn take seq numbers one after the other.
    Result<QSqlQuery> bumped =
        Sql::run(tx,
                 u"UPDATE agent_turns SET next_seq = next_seq + 1 WHERE id = ?"_s,
                 {event.turnId},
                 u"next agent event seq"_s);
    if (!bumped) {
        return bumped.error();
    }
    if (bumped->numRowsAffected() != 1) {
        return Error::notFound(u"agent turn \"%1\" not found"_s.arg(event.turnId));
    }
    Result<QSqlQuery> seq = Sql::run(tx,
                                     u"SELECT next_seq - 1 FROM agent_turns WHERE id = ?"_s,
                                     {event.turnId},
                                     u"read agent event seq"_s);
    if (!seq) {
        return seq.error();
    }
    if (!seq->next()) {
        return Error::notFound(u"agent turn \"%1\" not found"_s.arg(event.turnId));
    }
    event.seq = seq->value(0).toLongLong();
    seq->finish();
    if (event.id.isEmpty()) {
        event.id = Crypto::uuidV4();
    }
    Result<QSqlQuery> inserted = Sql::run(
        tx,
        u"INSERT INTO agent_events ("_s + kEventColumns + u") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
        {event.turnId,
         event.seq,
         event.id,
         event.type,
         event.source,
         event.visibility,
         StoredJson::text(event.data),
         event.display.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                 : QVariant(StoredJson::text(event.display)),
         SqlDialect::toStorage(event.createdAt)},
        u"insert agent event"_s);
    if (!inserted) {
        return inserted.error();
    }
    if (Result<void> done = tx.commit(); !done) {
        return done.error();
    }
    return event;
}

Result<QList<AgentEvent>>
AgentRepository::listEvents(const QString &turnId, qint64 after, int limit)
{
    return Sql::all(Sql::run(m_database,
                             u"SELECT "_s + kEventColumns
                                 + u" FROM agent_events WHERE turn_id = ? AND seq > ? "
                                   u"ORDER BY seq LIMIT ?"_s,
                             {turnId, after, limit},
                             u"list agent events"_s),
                    eventFrom);
}

Result<void> AgentRepository::insertInteraction(const AgentInteraction &i)
{
    Result<QSqlQuery> done = Sql::run(m_database,
                                      u"INSERT INTO agent_interactions ("_s + kInteractionColumns
                                          + u") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                                      {i.id,
                                       i.turnId,
                                       i.type,
                                       name(i.state),
                                       Sql::text(i.title),
                                       Sql::text(i.prompt),
                                       StoredJson::text(i.request),
                                       StoredJson::valueColumn(i.resolution),
                                       SqlDialect::toStorage(i.createdAt),
                                       SqlDialect::toStorage(i.resolvedAt)},
                                      u"insert agent interaction"_s);
    return done ? Result<void>() : Result<void>(done.error());
}

Result<std::optional<AgentInteraction>> AgentRepository::findInteraction(const QString &id)
{
    return Sql::first(
        Sql::run(m_database,
                 u"SELECT "_s + kInteractionColumns + u" FROM agent_interactions WHERE id = ?"_s,
                 {id},
                 u"find agent interaction"_s),
        interactionFrom);
}

Result<QList<AgentInteraction>> AgentRepository::listInteractions(const QString &turnId)
{
    return Sql::all(Sql::run(m_database,
                             u"SELECT "_s + kInteractionColumns
                                 + u" FROM agent_interactions WHERE turn_id = ? "
                                   u"ORDER BY created_at, id"_s,
                             {turnId},
                             u"list agent interactions"_s),
                    interactionFrom);
}

Result<bool> AgentRepository::resolveInteraction(const QString &id,
                                                 const QJsonValue &resolution,
                                                 const QDateTime &now)
{
    Result<QSqlQuery> done =
        Sql::run(m_database,
                 u"UPDATE agent_interactions SET state = ?, resolution_json = ?, resolved_at = ? "
                 u"WHERE id = ? AND state = ?"_s,
                 {name(AgentInteraction::State::Resolved),
                  StoredJson::valueColumn(resolution),
                  SqlDialect::toStorage(now),
                  id,
                  name(AgentInteraction::State::Pending)},
                 u"resolve agent interaction"_s);
    if (!done) {
        return done.error();
    }
    return done->numRowsAffected() == 1;
}

Result<void> AgentRepository::cancelInteractions(const QString &turnId, const QDateTime &now)
{
    Result<QSqlQuery> done = Sql::run(m_database,
                                      u"UPDATE agent_interactions SET state = ?, "
                                      u"resolved_at = ? WHERE turn_id = ? AND state = ?"_s,
                                      {name(AgentInteraction::State::Canceled),
                                       SqlDialect::toStorage(now),
                                       turnId,
                                       name(AgentInteraction::State::Pending)},
                                      u"cancel agent interactions"_s);
    return done ? Result<void>() : Result<void>(done.error());
}

Result<AgentRepository::Claim> AgentRepository::claimKey(const QString &scope,
                                                         const QString &owner,
                                                         const QString &key,
                                                         const QString &requestHash,
                                                         const QDateTime &now,
                                                         const QDateTime &staleBefore)
{
    Transaction tx(m_database);
    // A pending claim left by a request that died is removed first, so the INSERT can win.
    Result<QSqlQuery> cleared =
        Sql::run(tx,
                 u"DELETE FROM agent_idempotency WHERE scope = ? AND owner_subject_id = ? AND "
                 u"idem_key = ? AND state = ? AND created_at < ?"_s,
                 {scope, owner, key, kClaimPending, SqlDialect::toStorage(staleBefore)},
                 u"clear stale claim"_s);
    if (!cleared) {
        return cleared.error();
    }
    Result<QSqlQuery> existing = Sql::run(tx,
                                          u"SELECT state, resource_id, request_hash FROM "
                                          u"agent_idempotency WHERE scope = ? AND "
                                          u"owner_subject_id = ? AND idem_key = ?"_s,
                                          {scope, owner, key},
                                          u"read idempotency key"_s);
    if (!existing) {
        return existing.error();
    }
    if (existing->next()) {
        Claim claim;
        claim.state = existing->value(0).toString() == kClaimDone ? Claim::State::Done
                                                                  : Claim::State::Pending;
        claim.resourceId = existing->value(1).toString();
        claim.requestHash = existing->value(2).toString();
        existing->finish();
        if (Result<void> done = tx.commit(); !done) {
            return done.error();
        }
        return claim;
    }
    existing->finish();
    Result<QSqlQuery> inserted =
        Sql::run(tx,
                 u"INSERT INTO agent_idempotency (scope, owner_subject_id, idem_key, request_hash, "
                 u"state, created_at) VALUES (?, ?, ?, ?, ?, ?)"_s,
                 {scope, owner, key, requestHash, kClaimPending, SqlDialect::toStorage(now)},
                 u"claim idempotency key"_s);
    if (!inserted) {
        // Another replica claimed it between our SELECT and INSERT.
        if (inserted.error().code == ErrorCode::Conflict) {
            return Claim{Claim::State::Pending, QString(), requestHash};
        }
        return inserted.error();
    }
    if (Result<void> done = tx.commit(); !done) {
        if (done.error().code == ErrorCode::Conflict) {
            return Claim{Claim::State::Pending, QString(), requestHash};
        }
        return done.error();
    }
    return Claim{};
}

Result<void> AgentRepository::completeKey(const QString &scope,
                                          const QString &owner,
                                          const QString &key,
                                          const QString &resourceId)
{
    Result<QSqlQuery> done =
        Sql::run(m_database,
                 u"UPDATE agent_idempotency SET state = ?, resource_id = ? "
                 u"WHERE scope = ? AND owner_subject_id = ? AND idem_key = ?"_s,
                 {kClaimDone, resourceId, scope, owner, key},
                 u"complete idempotency key"_s);
    return done ? Result<void>() : Result<void>(done.error());
}

Result<void>
AgentRepository::releaseKey(const QString &scope, const QString &owner, const QString &key)
{
    Result<QSqlQuery> done = Sql::run(m_database,
                                      u"DELETE FROM agent_idempotency WHERE scope = ? AND "
                                      u"owner_subject_id = ? AND idem_key = ? AND state = ?"_s,
                                      {scope, owner, key, kClaimPending},
                                      u"release idempotency key"_s);
    return done ? Result<void>() : Result<void>(done.error());
}

} // namespace Gestalt
