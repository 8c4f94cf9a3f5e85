// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentService.h"

#include "agents/AgentRepository.h"
#include "agents/AgentRequest.h"
#include "agents/AgentTools.h"
#include "agents/TurnRunner.h"
#include "authz/AccessCheck.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "store/SqlDialect.h"
#include "workflows/WorkflowRecords.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// A claim on an idempotency key whose request died is taken over after this long.
constexpr qint64 StaleClaimMs = 60'000;
constexpr int MaxHistoryTurns = 50;
const QString kReservedMetadata = u"__gestalt.lifecycle."_s;

QDateTime storedNow(const Clock &clock)
{
    return SqlDialect::fromStorage(SqlDialect::toStorage(clock()));
}

// The request as the idempotency key's fingerprint: the body without the key itself.
QString requestHash(QJsonObject body, const QString &scope)
{
    body.remove(u"idempotencyKey"_s);
    return Crypto::sha256Hex(scope.toUtf8() + '\n'
                             + QJsonDocument(body).toJson(QJsonDocument::Compact));
}

Result<void> checkMetadata(const QJsonObject &metadata)
{
    for (auto it = metadata.begin(); it != metadata.end(); ++it) {
        if (it.key().startsWith(kReservedMetadata)) {
            return Error::invalid(u"metadata keys under \"%1\" are reserved"_s.arg(kReservedMetadata));
        }
    }
    return {};
}

Error turnNotFound(const QString &id)
{
    return Error::notFound(u"agent turn \"%1\" not found"_s.arg(id));
}

} // namespace

AgentService::AgentService(AgentRepository &repository, TurnRunner &runner,
                           const AppCatalog &catalog, const AccessCheck &access,
                           QMap<QString, ModelProvider *> providers, QString defaultProvider,
                           Clock clock)
    : m_repository(repository)
    , m_runner(runner)
    , m_catalog(catalog)
    , m_access(access)
    , m_providers(std::move(providers))
    , m_defaultProvider(std::move(defaultProvider))
    , m_clock(std::move(clock))
{}

Result<void> AgentService::requireSubject(const Principal &caller)
{
    if (caller.subjectId.isEmpty()) {
        return Error::unauthenticated(u"missing subject"_s);
    }
    return {};
}

Result<QString> AgentService::idempotencyKey(const QJsonObject &body, const QString &headerKey) const
{
    const QJsonValue value = body.value(u"idempotencyKey"_s);
    if (!value.isUndefined() && !value.isNull() && !value.isString()) {
        return Error::invalid(u"idempotencyKey must be a string"_s);
    }
    const QString bodyKey = value.toString().trimmed();
    const QString header = headerKey.trimmed();
    if (!bodyKey.isEmpty() && !header.isEmpty() && bodyKey != header) {
        return Error::invalid(u"idempotency key header and body must match"_s);
    }
    const QString key = bodyKey.isEmpty() ? header : bodyKey;
    if (key.size() > 255) {
        return Error::invalid(u"idempotency key must be at most 255 characters"_s);
    }
    return key;
}

Result<std::optional<QString>> AgentService::claimKey(const QString &scope,
                                                     const Principal &caller, const QString &key,
                                                     const QJsonObject &body)
{
    if (key.isEmpty()) {
        return std::optional<QString>();
    }
    const QString hash = requestHash(body, scope);
    Result<AgentRepository::Claim> claim = m_repository.claimKey(
        scope, caller.subjectId, key, hash, storedNow(m_clock), m_clock().addMSecs(-StaleClaimMs));
    if (!claim) {
        return claim.error();
    }
    switch (claim->state) {
    case AgentRepository::Claim::State::Claimed:
        return std::optional<QString>();
    case AgentRepository::Claim::State::Pending:
        return Error::conflict(
            u"a request with idempotency key \"%1\" is still being processed"_s.arg(key));
    case AgentRepository::Claim::State::Done:
        break;
    }
    if (claim->requestHash != hash) {
        return Error::conflict(
            u"idempotency key \"%1\" was already used for a different request"_s.arg(key));
    }
    return std::optional<QString>(claim->resourceId);
}

Result<AgentService::Created<AgentSession>>
AgentService::createSession(const Principal &caller, const QJsonObject &body,
                            const QString &headerKey)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    if (Result<void> ok = AgentRequest::onlyKnown(
            body,
            {u"provider"_s, u"model"_s, u"clientRef"_s, u"metadata"_s, u"modelOptions"_s,
             u"idempotencyKey"_s, u"workspace"_s},
            u"agent session"_s);
        !ok) {
        return ok.error();
    }
    Result<QString> key = idempotencyKey(body, headerKey);
    Result<QString> provider = AgentRequest::optionalString(body, u"provider"_s);
    Result<QString> model = AgentRequest::optionalString(body, u"model"_s);
    Result<QString> clientRef = AgentRequest::optionalString(body, u"clientRef"_s);
    Result<QJsonObject> metadata = AgentRequest::optionalObject(body, u"metadata"_s);
    Result<QJsonObject> options = AgentRequest::optionalObject(body, u"modelOptions"_s);
    Result<QJsonObject> workspace = AgentRequest::workspace(body.value(u"workspace"_s));
    for (const Result<QString> *r : {&key, &provider, &model, &clientRef}) {
        if (!*r) {
            return r->error();
        }
    }
    for (const Result<QJsonObject> *r : {&metadata, &options, &workspace}) {
        if (!*r) {
            return r->error();
        }
    }
    if (Result<void> ok = checkMetadata(*metadata); !ok) {
        return ok.error();
    }
    AgentSession session;
    session.provider = provider->isEmpty() ? m_defaultProvider : *provider;
    if (session.provider.isEmpty()) {
        return Error::invalid(u"provider is required: several agent providers are configured and "
                              u"none is the default (%1)"_s.arg(m_providers.keys().join(u", "_s)));
    }
    ModelProvider *backend = m_providers.value(session.provider);
    if (!backend) {
        return Error::invalid(u"unknown agent provider \"%1\" (configured: %2)"_s.arg(
            session.provider, m_providers.keys().join(u", "_s)));
    }
    session.id = Crypto::uuidV4();
    session.ownerSubjectId = caller.subjectId;
    session.model = model->isEmpty() ? backend->defaultModel() : *model;
    session.clientRef = *clientRef;
    session.metadata = *metadata;
    if (!options->isEmpty()) {
        session.metadata.insert(kReservedMetadata + u"modelOptions"_s, *options);
    }
    session.workspace = *workspace;
    session.createdBy = WorkflowAuthority::of(caller, {}).actorJson();
    session.creatorScope = AccessCheck::tokenCeiling(caller);
    session.createdAt = storedNow(m_clock);
    session.updatedAt = session.createdAt;

    const QString scope = u"session"_s;
    Result<std::optional<QString>> earlier = claimKey(scope, caller, *key, body);
    if (!earlier) {
        return earlier.error();
    }
    if (*earlier) {
        Result<AgentSession> existing = this->session(caller, **earlier);
        if (!existing) {
            return existing.error();
        }
        return Created<AgentSession>{*existing, true};
    }
    if (Result<void> stored = m_repository.insertSession(session); !stored) {
        if (!key->isEmpty()) {
            (void)m_repository.releaseKey(scope, caller.subjectId, *key);
        }
        return stored.error();
    }
    if (!key->isEmpty()) {
        if (Result<void> done = m_repository.completeKey(scope, caller.subjectId, *key, session.id);
            !done) {
            return done.error();
        }
    }
    return Created<AgentSession>{session, false};
}

Result<QList<AgentSession>> AgentService::listSessions(const Principal &caller,
                                                       const QString &provider,
                                                       const QString &state, int limit)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    if (!state.isEmpty() && state != u"active" && state != u"archived") {
        return Error::invalid(u"state must be active or archived"_s);
    }
    Result<QList<AgentSession>> sessions =
        m_repository.listSessions(caller.subjectId, provider, state, limit);
    if (!sessions || !caller.isScopedToken()) {
        return sessions;
    }
    QList<AgentSession> visible;
    for (AgentSession &s : *sessions) {
        Result<bool> ok = visibleTo(caller, s);
        if (!ok) {
            return ok.error();
        }
        if (*ok) {
            visible.append(std::move(s));
        }
    }
    return visible;
}

Result<bool> AgentService::visibleTo(const Principal &caller, const AgentSession &session) const
{
    if (session.ownerSubjectId != caller.subjectId) {
        return false;
    }
    if (!caller.isScopedToken()) {
        return true;
    }
    if (!AccessCheck::ceilingWithin(session.creatorScope, caller)) {
        return false;
    }
    // Its turns' outputs are the conversation a new turn continues: all of them must be within.
    Result<QList<AgentTurn>> turns = m_repository.listTurns(session.id, QString(), 1000);
    if (!turns) {
        return turns.error();
    }
    for (const AgentTurn &t : std::as_const(*turns)) {
        if (!AccessCheck::ceilingWithin(t.creatorScope, caller)) {
            return false;
        }
    }
    return true;
}

Result<AgentSession> AgentService::session(const Principal &caller, const QString &id)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<std::optional<AgentSession>> found = m_repository.findSession(id);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return Error::notFound(u"agent session \"%1\" not found"_s.arg(id));
    }
    Result<bool> visible = visibleTo(caller, **found);
    if (!visible) {
        return visible.error();
    }
    if (!*visible) {
        return Error::notFound(u"agent session \"%1\" not found"_s.arg(id));
    }
    return **found;
}

Result<AgentSession> AgentService::patchSession(const Principal &caller, const QString &id,
                                                const QJsonObject &body)
{
    Result<AgentSession> current = session(caller, id);
    if (!current) {
        return current;
    }
    if (Result<void> ok = AgentRequest::onlyKnown(body, {u"clientRef"_s, u"state"_s, u"metadata"_s},
                                                  u"agent session update"_s);
        !ok) {
        return ok.error();
    }
    AgentSession s = *current;
    Result<QString> clientRef = AgentRequest::optionalString(body, u"clientRef"_s);
    Result<QString> state = AgentRequest::optionalString(body, u"state"_s);
    Result<QJsonObject> metadata = AgentRequest::optionalObject(body, u"metadata"_s);
    if (!clientRef || !state) {
        return (!clientRef ? clientRef : state).error();
    }
    if (!metadata) {
        return metadata.error();
    }
    if (body.contains(u"clientRef"_s)) {
        s.clientRef = *clientRef;
    }
    if (!state->isEmpty()) {
        if (*state != u"active" && *state != u"archived") {
            return Error::invalid(u"state must be active or archived"_s);
        }
        s.state = *state;
    }
    if (body.contains(u"metadata"_s)) {
        if (Result<void> ok = checkMetadata(*metadata); !ok) {
            return ok.error();
        }
        // The reserved keys (modelOptions) stay; the caller's keys are replaced.
        QJsonObject merged = *metadata;
        for (auto it = s.metadata.begin(); it != s.metadata.end(); ++it) {
            if (it.key().startsWith(kReservedMetadata)) {
                merged.insert(it.key(), it.value());
            }
        }
        s.metadata = merged;
    }
    s.updatedAt = storedNow(m_clock);
    if (Result<void> done = m_repository.updateSession(s); !done) {
        return done.error();
    }
    return s;
}

QList<ModelMessage> AgentService::history(const QString &sessionId) const
{
    QList<ModelMessage> out;
    Result<QList<AgentTurn>> turns = m_repository.listTurns(sessionId, u"succeeded"_s, 1000);
    if (!turns) {
        return out;
    }
    const QList<AgentTurn> recent = turns->mid(std::max<qsizetype>(0, turns->size() - MaxHistoryTurns));
    for (const AgentTurn &turn : recent) {
        out.append(AgentRequest::toModel(turn.request.value(u"messages"_s).toArray()));
        ModelMessage answer;
        answer.role = ModelMessage::Role::Assistant;
        answer.text = turn.outputText;
        out.append(answer);
    }
    return out;
}

Result<AgentService::Created<AgentTurn>> AgentService::createTurn(const Principal &caller,
                                                                  const QString &sessionId,
                                                                  const QJsonObject &body,
                                                                  const QString &headerKey)
{
    Result<AgentSession> owner = session(caller, sessionId);
    if (!owner) {
        return owner.error();
    }
    if (Result<void> ok = AgentRequest::onlyKnown(
            body,
            {u"model"_s, u"messages"_s, u"toolRefs"_s, u"toolSource"_s, u"responseSchema"_s,
             u"metadata"_s, u"modelOptions"_s, u"idempotencyKey"_s},
            u"agent turn"_s);
        !ok) {
        return ok.error();
    }
    Result<QString> key = idempotencyKey(body, headerKey);
    Result<QString> model = AgentRequest::optionalString(body, u"model"_s);
    Result<QString> toolSource = AgentRequest::optionalString(body, u"toolSource"_s);
    Result<QJsonArray> messages = AgentRequest::messages(body.value(u"messages"_s));
    Result<QJsonArray> refs = AgentRequest::toolRefs(body.value(u"toolRefs"_s));
    Result<QJsonObject> schema = AgentRequest::optionalObject(body, u"responseSchema"_s);
    Result<QJsonObject> metadata = AgentRequest::optionalObject(body, u"metadata"_s);
    Result<QJsonObject> options = AgentRequest::optionalObject(body, u"modelOptions"_s);
    for (const Result<QString> *r : {&key, &model, &toolSource}) {
        if (!*r) {
            return r->error();
        }
    }
    if (!messages) {
        return messages.error();
    }
    if (!refs) {
        return refs.error();
    }
    for (const Result<QJsonObject> *r : {&schema, &metadata, &options}) {
        if (!*r) {
            return r->error();
        }
    }
    if (!toolSource->isEmpty() && *toolSource != u"explicit" && *toolSource != u"mcp_catalog") {
        return Error::invalid(u"toolSource must be explicit or mcp_catalog"_s);
    }
    if (Result<void> ok = checkMetadata(*metadata); !ok) {
        return ok.error();
    }
    if (owner->state != u"active") {
        return Error::conflict(u"agent session \"%1\" is archived"_s.arg(sessionId));
    }
    ModelProvider *backend = m_providers.value(owner->provider);
    if (!backend) {
        return Error{ErrorCode::PreconditionFailed,
                     u"agent provider \"%1\" of this session is not configured"_s.arg(owner->provider)};
    }
    Result<QList<AgentTool>> tools = AgentTools::build(m_catalog, m_access, caller, *refs);
    if (!tools) {
        return tools.error();
    }

    const QString scope = u"turn:"_s + sessionId;
    Result<std::optional<QString>> earlier = claimKey(scope, caller, *key, body);
    if (!earlier) {
        return earlier.error();
    }
    if (*earlier) {
        Result<AgentTurn> existing = turn(caller, **earlier);
        if (!existing) {
            return existing.error();
        }
        return Created<AgentTurn>{*existing, true};
    }
    const auto release = [&] {
        if (!key->isEmpty()) {
            (void)m_repository.releaseKey(scope, caller.subjectId, *key);
        }
    };
    Result<QList<AgentTurn>> open = m_repository.listTurns(sessionId, QString(), 1000);
    if (!open) {
        release();
        return open.error();
    }
    for (const AgentTurn &t : std::as_const(*open)) {
        if (!t.isTerminal()) {
            release();
            return Error::conflict(
                u"agent session \"%1\" has a turn in progress (\"%2\"); wait for it or cancel it"_s
                    .arg(sessionId, t.id));
        }
    }

    AgentTurn t;
    t.id = Crypto::uuidV4();
    t.sessionId = sessionId;
    t.ownerSubjectId = caller.subjectId;
    t.provider = owner->provider;
    t.model = model->isEmpty() ? owner->model : *model;
    QJsonObject request{{u"messages"_s, *messages}};
    if (body.contains(u"toolRefs"_s)) {
        request.insert(u"toolRefs"_s, *refs);
    }
    if (!schema->isEmpty()) {
        request.insert(u"responseSchema"_s, *schema);
    }
    QJsonObject modelOptions =
        owner->metadata.value(kReservedMetadata + u"modelOptions"_s).toObject();
    for (auto it = options->begin(); it != options->end(); ++it) {
        modelOptions.insert(it.key(), it.value());
    }
    if (!modelOptions.isEmpty()) {
        request.insert(u"modelOptions"_s, modelOptions);
    }
    if (!metadata->isEmpty()) {
        request.insert(u"metadata"_s, *metadata);
    }
    if (!toolSource->isEmpty()) {
        request.insert(u"toolSource"_s, *toolSource);
    }
    t.request = request;
    t.createdBy = WorkflowAuthority::of(caller, {}).actorJson();
    t.creatorScope = AccessCheck::tokenCeiling(caller);
    t.createdAt = storedNow(m_clock);
    if (Result<void> stored = m_repository.insertTurn(t, m_runner.replicaId(), m_runner.leaseUntil());
        !stored) {
        release();
        return stored.error();
    }
    if (!key->isEmpty()) {
        if (Result<void> done = m_repository.completeKey(scope, caller.subjectId, *key, t.id); !done) {
            return done.error();
        }
    }
    QList<ModelMessage> conversation = history(sessionId);
    conversation.append(AgentRequest::toModel(*messages));
    m_runner.run(t, caller, *backend, *tools, conversation);
    Result<AgentTurn> started = turn(caller, t.id);
    return Created<AgentTurn>{started ? *started : t, false};
}

Result<QList<AgentTurn>> AgentService::listTurns(const Principal &caller, const QString &sessionId,
                                                 const QString &status, int limit)
{
    if (Result<AgentSession> owner = session(caller, sessionId); !owner) {
        return owner.error();
    }
    static const QStringList statuses{u"pending"_s,   u"running"_s, u"waiting_for_input"_s,
                                      u"succeeded"_s, u"failed"_s,  u"canceled"_s};
    if (!status.isEmpty() && !statuses.contains(status)) {
        return Error::invalid(u"status must be one of %1"_s.arg(statuses.join(u", "_s)));
    }
    return m_repository.listTurns(sessionId, status, limit);
}

Result<AgentTurn> AgentService::ownedTurn(const Principal &caller, const QString &id)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<std::optional<AgentTurn>> found = m_repository.findTurn(id);
    if (!found) {
        return found.error();
    }
    if (!*found || (*found)->ownerSubjectId != caller.subjectId) {
        return turnNotFound(id);
    }
    return **found;
}

Result<AgentTurn> AgentService::turn(const Principal &caller, const QString &id)
{
    Result<AgentTurn> found = ownedTurn(caller, id);
    if (found && !AccessCheck::ceilingWithin(found->creatorScope, caller)) {
        return turnNotFound(id);
    }
    return found;
}

Result<AgentTurn> AgentService::cancelTurn(const Principal &caller, const QString &id,
                                           const QString &reason)
{
    Result<AgentTurn> current = turn(caller, id);
    if (!current) {
        return current;
    }
    if (current->isTerminal()) {
        return current;
    }
    // Running here: ended now. Elsewhere: the flag reaches its replica on the next lease renewal.
    if (!m_runner.cancel(id, reason)) {
        Result<std::optional<AgentTurn>> flagged = m_repository.requestCancel(id, reason);
        if (!flagged) {
            return flagged.error();
        }
    }
    return turn(caller, id);
}

Result<QList<AgentEvent>> AgentService::events(const Principal &caller, const QString &turnId,
                                               qint64 after, int limit)
{
    if (Result<AgentTurn> owner = turn(caller, turnId); !owner) {
        return owner.error();
    }
    return m_repository.listEvents(turnId, after, limit);
}

Result<QList<AgentInteraction>> AgentService::interactions(const Principal &caller,
                                                           const QString &turnId)
{
    if (Result<AgentTurn> owner = turn(caller, turnId); !owner) {
        return owner.error();
    }
    return m_repository.listInteractions(turnId);
}

Result<AgentInteraction> AgentService::resolveInteraction(const Principal &caller,
                                                          const QString &turnId,
                                                          const QString &interactionId,
                                                          const QJsonObject &body)
{
    Result<AgentTurn> owner = ownedTurn(caller, turnId);
    if (!owner) {
        return owner.error();
    }
    if (Result<void> ok = AgentRequest::onlyKnown(body, {u"resolution"_s}, u"interaction resolve"_s);
        !ok) {
        return ok.error();
    }
    if (!body.value(u"resolution"_s).isObject()) {
        return Error::invalid(u"resolution must be an object (e.g. {\"approved\": true})"_s);
    }
    Result<std::optional<AgentInteraction>> found = m_repository.findInteraction(interactionId);
    if (!found) {
        return found.error();
    }
    if (!*found || (*found)->turnId != turnId) {
        return Error::notFound(u"agent interaction \"%1\" not found"_s.arg(interactionId));
    }
    // Approving lets the tool run with the turn creator's authority: a scoped token may approve
    // only a tool its own scope allows, and act only on a turn made within its scope.
    const QString toolApp = (*found)->request.value(u"app"_s).toString();
    const QString toolOperation = (*found)->request.value(u"operation"_s).toString();
    if ((*found)->type == u"approval"
        && !AccessCheck::tokenAllows(caller, toolApp, toolOperation)) {
        return Error::forbidden(
            u"token scope denied: the token may not approve operation \"%1\" on app \"%2\""_s.arg(
                toolOperation, toolApp));
    }
    if (!AccessCheck::ceilingWithin(owner->creatorScope, caller)) {
        return turnNotFound(turnId);
    }
    const QJsonObject resolution = body.value(u"resolution"_s).toObject();
    if ((*found)->type == u"approval" && !resolution.value(u"approved"_s).isBool()
        && !resolution.value(u"decision"_s).isString()) {
        return Error::invalid(
            u"an approval is resolved with {\"approved\": true|false} (or a decision)"_s);
    }
    Result<bool> resolved =
        m_repository.resolveInteraction(interactionId, resolution, storedNow(m_clock));
    if (!resolved) {
        return resolved.error();
    }
    if (!*resolved) {
        return Error::conflict(u"agent interaction \"%1\" is %2, not pending"_s.arg(
            interactionId, (*found)->state));
    }
    m_runner.interactionResolved(turnId, interactionId);
    Result<std::optional<AgentInteraction>> after = m_repository.findInteraction(interactionId);
    if (!after || !*after) {
        return Error::internal(u"interaction vanished after resolve"_s);
    }
    return **after;
}

} // namespace Gestalt
