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
#include "http/JsonBodyReader.h"
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
            return Error::invalid(
                u"metadata keys under \"%1\" are reserved"_s.arg(kReservedMetadata));
        }
    }
    return {};
}

Error turnNotFound(const QString &id)
{
    return Error::notFound(u"agent turn \"%1\" not found"_s.arg(id));
}

// A string field, trimmed; empty when absent.
QString trimmedString(JsonBodyReader &body, QStringView key)
{
    return body.string(key).value_or(QString()).trimmed();
}

// The idempotency key of a create: the body's idempotencyKey (already read) or the
// Idempotency-Key header; both given, they must match.
Result<QString> idempotencyKey(const QString &bodyKey, const QString &headerKey)
{
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

// A claimed idempotency key, released when the create fails before complete() (an RAII guard
// like Transaction): a retry with the same key can then go on.
class KeyClaim final
{
public:
    KeyClaim(AgentRepository &repository, QString scope, QString owner, QString key)
        : m_repository(repository)
        , m_scope(std::move(scope))
        , m_owner(std::move(owner))
        , m_key(std::move(key))
    {}
    KeyClaim(const KeyClaim &) = delete;
    KeyClaim &operator=(const KeyClaim &) = delete;
    KeyClaim(KeyClaim &&) = delete;
    KeyClaim &operator=(KeyClaim &&) = delete;
    ~KeyClaim()
    {
        if (!m_completed && !m_key.isEmpty()) {
            (void)m_repository.releaseKey(m_scope, m_owner, m_key);
        }
    }

    // Names the created resource under the key. The claim is kept even when that fails.
    [[nodiscard]] Result<void> complete(const QString &resourceId)
    {
        m_completed = true;
        if (m_key.isEmpty()) {
            return {};
        }
        return m_repository.completeKey(m_scope, m_owner, m_key, resourceId);
    }

private:
    AgentRepository &m_repository;
    QString m_scope;
    QString m_owner;
    QString m_key;
    bool m_completed = false;
};

} // namespace

// A session create body, read and checked.
struct AgentService::SessionBody
{
    QString key; // the idempotency key; empty when none
    QString provider;
    QString model;
    QString clientRef;
    QJsonObject metadata;
    QJsonObject options;
    QJsonObject workspace;
};

// A turn create body, read and checked.
struct AgentService::TurnBody
{
    QString key; // the idempotency key; empty when none
    QString model;
    QString toolSource;
    QJsonArray messages;
    std::optional<QJsonArray> toolRefs; // set when the body names them
    QJsonObject responseSchema;
    QJsonObject metadata;
    QJsonObject options;
};

AgentService::AgentService(AgentRepository &repository,
                           TurnRunner &runner,
                           const AppCatalog &catalog,
                           const AccessCheck &access,
                           QMap<QString, ModelProvider *> providers,
                           QString defaultProvider,
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

Result<std::optional<QString>> AgentService::claimKey(const QString &scope,
                                                      const Principal &caller,
                                                      const QString &key,
                                                      const QJsonObject &body)
{
    if (key.isEmpty()) {
        return std::optional<QString>();
    }
    const QString hash = requestHash(body, scope);
    Result<AgentRepository::Claim> claim = m_repository.claimKey(scope,
                                                                 caller.subjectId,
                                                                 key,
                                                                 hash,
                                                                 SqlDialect::stored(m_clock()),
                                                                 m_clock().addMSecs(-StaleClaimMs));
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

Result<AgentService::SessionBody> AgentService::readSessionBody(const QJsonObject &body,
                                                                const QString &headerKey)
{
    JsonBodyReader reader(body);
    SessionBody fields;
    const QString bodyKey = trimmedString(reader, u"idempotencyKey");
    fields.provider = trimmedString(reader, u"provider");
    fields.model = trimmedString(reader, u"model");
    fields.clientRef = trimmedString(reader, u"clientRef");
    fields.metadata = reader.objectValue(u"metadata").value_or(QJsonObject());
    // providerOptions: the older name of modelOptions (http-api-legacy.md "Agents").
    fields.options = reader.objectValue(reader.nameOf(u"modelOptions", {u"providerOptions"}))
                         .value_or(QJsonObject());
    const QJsonValue workspace = reader.value(u"workspace");
    if (Result<void> ok = reader.finish(); !ok) {
        return ok.error();
    }
    Result<QString> key = idempotencyKey(bodyKey, headerKey);
    if (!key) {
        return key.error();
    }
    fields.key = *key;
    Result<QJsonObject> checkedWorkspace = AgentRequest::workspace(workspace);
    if (!checkedWorkspace) {
        return checkedWorkspace.error();
    }
    fields.workspace = *checkedWorkspace;
    if (Result<void> ok = checkMetadata(fields.metadata); !ok) {
        return ok.error();
    }
    return fields;
}

Result<AgentSession> AgentService::newSession(const Principal &caller,
                                              const SessionBody &fields) const
{
    AgentSession session;
    session.provider = fields.provider.isEmpty() ? m_defaultProvider : fields.provider;
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
    session.model = fields.model.isEmpty() ? backend->defaultModel() : fields.model;
    session.clientRef = fields.clientRef;
    session.metadata = fields.metadata;
    if (!fields.options.isEmpty()) {
        session.metadata.insert(kReservedMetadata + u"modelOptions"_s, fields.options);
    }
    session.workspace = fields.workspace;
    session.createdBy = WorkflowAuthority::of(caller, {}).actorJson();
    session.creatorScope = AccessCheck::tokenCeiling(caller);
    session.createdAt = SqlDialect::stored(m_clock());
    session.updatedAt = session.createdAt;
    return session;
}

Result<AgentService::Created<AgentSession>> AgentService::createSession(const Principal &caller,
                                                                        const QJsonObject &body,
                                                                        const QString &headerKey)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<SessionBody> fields = readSessionBody(body, headerKey);
    if (!fields) {
        return fields.error();
    }
    Result<AgentSession> session = newSession(caller, *fields);
    if (!session) {
        return session.error();
    }
    const QString scope = u"session"_s;
    Result<std::optional<QString>> earlier = claimKey(scope, caller, fields->key, body);
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
    KeyClaim claim(m_repository, scope, caller.subjectId, fields->key);
    if (Result<void> stored = m_repository.insertSession(*session); !stored) {
        return stored.error();
    }
    if (Result<void> done = claim.complete(session->id); !done) {
        return done.error();
    }
    return Created<AgentSession>{*session, false};
}

Result<QList<AgentSession>> AgentService::listSessions(const Principal &caller,
                                                       const QString &provider,
                                                       const QString &state,
                                                       int limit)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    std::optional<AgentSession::State> filter;
    if (!state.isEmpty()) {
        filter = parseSessionState(state);
        if (!filter) {
            return Error::invalid(u"state must be active or archived"_s);
        }
    }
    return listSessions(caller, provider, filter, limit);
}

Result<QList<AgentSession>> AgentService::listSessions(const Principal &caller,
                                                       const QString &provider,
                                                       std::optional<AgentSession::State> state,
                                                       int limit)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
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
    Result<QList<AgentTurn>> turns = m_repository.listTurns(session.id, std::nullopt, 1000);
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

Result<AgentSession>
AgentService::patchSession(const Principal &caller, const QString &id, const QJsonObject &body)
{
    Result<AgentSession> current = session(caller, id);
    if (!current) {
        return current;
    }
    AgentSession s = *current;
    JsonBodyReader reader(body);
    const QString clientRef = trimmedString(reader, u"clientRef");
    const QString state = trimmedString(reader, u"state");
    const QJsonObject metadata = reader.objectValue(u"metadata").value_or(QJsonObject());
    if (Result<void> ok = reader.finish(); !ok) {
        return ok.error();
    }
    if (body.contains(u"clientRef"_s)) {
        s.clientRef = clientRef;
    }
    if (!state.isEmpty()) {
        const std::optional<AgentSession::State> parsed = parseSessionState(state);
        if (!parsed) {
            return Error::invalid(u"state must be active or archived"_s);
        }
        s.state = *parsed;
    }
    if (body.contains(u"metadata"_s)) {
        if (Result<void> ok = checkMetadata(metadata); !ok) {
            return ok.error();
        }
        // The reserved keys (modelOptions) stay; the caller's keys are replaced.
        QJsonObject merged = metadata;
        for (auto it = s.metadata.begin(); it != s.metadata.end(); ++it) {
            if (it.key().startsWith(kReservedMetadata)) {
                merged.insert(it.key(), it.value());
            }
        }
        s.metadata = merged;
    }
    s.updatedAt = SqlDialect::stored(m_clock());
    if (Result<void> done = m_repository.updateSession(s); !done) {
        return done.error();
    }
    return s;
}

QList<ModelMessage> AgentService::history(const QString &sessionId) const
{
    QList<ModelMessage> out;
    Result<QList<AgentTurn>> turns =
        m_repository.listTurns(sessionId, AgentTurn::Status::Succeeded, 1000);
    if (!turns) {
        return out;
    }
    const QList<AgentTurn> recent =
        turns->mid(std::max<qsizetype>(0, turns->size() - MaxHistoryTurns));
    for (const AgentTurn &turn : recent) {
        out.append(AgentRequest::toModel(turn.request.value(u"messages"_s).toArray()));
        ModelMessage answer;
        answer.role = ModelMessage::Role::Assistant;
        answer.text = turn.outputText;
        out.append(answer);
    }
    return out;
}

Result<AgentService::TurnBody> AgentService::readTurnBody(const QJsonObject &body,
                                                          const QString &headerKey)
{
    JsonBodyReader reader(body);
    TurnBody fields;
    const QString bodyKey = trimmedString(reader, u"idempotencyKey");
    fields.model = trimmedString(reader, u"model");
    fields.toolSource = trimmedString(reader, u"toolSource");
    const QJsonValue messages = reader.value(u"messages");
    const QJsonValue refs = reader.value(u"toolRefs");
    fields.responseSchema = reader.objectValue(u"responseSchema").value_or(QJsonObject());
    fields.metadata = reader.objectValue(u"metadata").value_or(QJsonObject());
    // providerOptions: the older name of modelOptions (http-api-legacy.md "Agents").
    fields.options = reader.objectValue(reader.nameOf(u"modelOptions", {u"providerOptions"}))
                         .value_or(QJsonObject());
    if (Result<void> ok = reader.finish(); !ok) {
        return ok.error();
    }
    Result<QString> key = idempotencyKey(bodyKey, headerKey);
    if (!key) {
        return key.error();
    }
    fields.key = *key;
    Result<QJsonArray> checkedMessages = AgentRequest::messages(messages);
    if (!checkedMessages) {
        return checkedMessages.error();
    }
    fields.messages = *checkedMessages;
    Result<QJsonArray> checkedRefs = AgentRequest::toolRefs(refs);
    if (!checkedRefs) {
        return checkedRefs.error();
    }
    if (!refs.isUndefined()) {
        fields.toolRefs = *checkedRefs;
    }
    if (!fields.toolSource.isEmpty() && fields.toolSource != u"explicit"
        && fields.toolSource != u"mcp_catalog") {
        return Error::invalid(u"toolSource must be explicit or mcp_catalog"_s);
    }
    if (Result<void> ok = checkMetadata(fields.metadata); !ok) {
        return ok.error();
    }
    return fields;
}

Result<void> AgentService::checkNoTurnInProgress(const QString &sessionId) const
{
    Result<QList<AgentTurn>> open = m_repository.listTurns(sessionId, std::nullopt, 1000);
    if (!open) {
        return open.error();
    }
    for (const AgentTurn &t : std::as_const(*open)) {
        if (!t.isTerminal()) {
            return Error::conflict(
                u"agent session \"%1\" has a turn in progress (\"%2\"); wait for it or cancel it"_s
                    .arg(sessionId, t.id));
        }
    }
    return {};
}

AgentTurn AgentService::newTurn(const Principal &caller,
                                const AgentSession &session,
                                const TurnBody &fields) const
{
    AgentTurn t;
    t.id = Crypto::uuidV4();
    t.sessionId = session.id;
    t.ownerSubjectId = caller.subjectId;
    t.provider = session.provider;
    t.model = fields.model.isEmpty() ? session.model : fields.model;
    QJsonObject request{{u"messages"_s, fields.messages}};
    if (fields.toolRefs) {
        request.insert(u"toolRefs"_s, *fields.toolRefs);
    }
    if (!fields.responseSchema.isEmpty()) {
        request.insert(u"responseSchema"_s, fields.responseSchema);
    }
    // The session's model options, overridden key by key by the turn's.
    QJsonObject modelOptions =
        session.metadata.value(kReservedMetadata + u"modelOptions"_s).toObject();
    for (auto it = fields.options.begin(); it != fields.options.end(); ++it) {
        modelOptions.insert(it.key(), it.value());
    }
    if (!modelOptions.isEmpty()) {
        request.insert(u"modelOptions"_s, modelOptions);
    }
    if (!fields.metadata.isEmpty()) {
        request.insert(u"metadata"_s, fields.metadata);
    }
    if (!fields.toolSource.isEmpty()) {
        request.insert(u"toolSource"_s, fields.toolSource);
    }
    t.request = request;
    t.createdBy = WorkflowAuthority::of(caller, {}).actorJson();
    t.creatorScope = AccessCheck::tokenCeiling(caller);
    t.createdAt = SqlDialect::stored(m_clock());
    return t;
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
    Result<TurnBody> fields = readTurnBody(body, headerKey);
    if (!fields) {
        return fields.error();
    }
    if (owner->state != AgentSession::State::Active) {
        return Error::conflict(u"agent session \"%1\" is archived"_s.arg(sessionId));
    }
    ModelProvider *backend = m_providers.value(owner->provider);
    if (!backend) {
        return Error{
            ErrorCode::PreconditionFailed,
            u"agent provider \"%1\" of this session is not configured"_s.arg(owner->provider)};
    }
    Result<QList<AgentTool>> tools = AgentTools::build(
        m_catalog, m_access, m_mcp, caller, fields->toolRefs.value_or(QJsonArray()));
    if (!tools) {
        return tools.error();
    }

    const QString scope = u"turn:"_s + sessionId;
    Result<std::optional<QString>> earlier = claimKey(scope, caller, fields->key, body);
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
    KeyClaim claim(m_repository, scope, caller.subjectId, fields->key);
    if (Result<void> ok = checkNoTurnInProgress(sessionId); !ok) {
        return ok.error();
    }
    const AgentTurn t = newTurn(caller, *owner, *fields);
    if (Result<void> stored =
            m_repository.insertTurn(t, m_runner.replicaId(), m_runner.leaseUntil());
        !stored) {
        return stored.error();
    }
    if (Result<void> done = claim.complete(t.id); !done) {
        return done.error();
    }
    QList<ModelMessage> conversation = history(sessionId);
    conversation.append(AgentRequest::toModel(fields->messages));
    m_runner.run(t, caller, *backend, *tools, conversation);
    Result<AgentTurn> started = turn(caller, t.id);
    return Created<AgentTurn>{started ? *started : t, false};
}

Result<QList<AgentTurn>> AgentService::listTurns(const Principal &caller,
                                                 const QString &sessionId,
                                                 const QString &status,
                                                 int limit)
{
    if (Result<AgentSession> owner = session(caller, sessionId); !owner) {
        return owner.error();
    }
    std::optional<AgentTurn::Status> filter;
    if (!status.isEmpty()) {
        filter = parseTurnStatus(status);
        if (!filter) {
            return Error::invalid(u"status must be one of %1"_s.arg(turnStatusNames()));
        }
    }
    return m_repository.listTurns(sessionId, filter, limit);
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

Result<AgentTurn>
AgentService::cancelTurn(const Principal &caller, const QString &id, const QString &reason)
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

Result<QList<AgentEvent>>
AgentService::events(const Principal &caller, const QString &turnId, qint64 after, int limit)
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
    JsonBodyReader reader(body);
    const QJsonValue resolution = reader.value(u"resolution");
    if (!resolution.isObject()) {
        reader.fail(u"resolution", u"must be an object (e.g. {\"approved\": true})"_s);
    }
    if (Result<void> ok = reader.finish(); !ok) {
        return ok.error();
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
    if ((*found)->type == u"approval" && !resolution[u"approved"_s].isBool()
        && !resolution[u"decision"_s].isString()) {
        return Error::invalid(
            u"an approval is resolved with {\"approved\": true|false} (or a decision)"_s);
    }
    Result<bool> resolved = m_repository.resolveInteraction(
        interactionId, resolution.toObject(), SqlDialect::stored(m_clock()));
    if (!resolved) {
        return resolved.error();
    }
    if (!*resolved) {
        return Error::conflict(u"agent interaction \"%1\" is %2, not pending"_s.arg(
            interactionId, name((*found)->state)));
    }
    m_runner.interactionResolved(turnId, interactionId);
    Result<std::optional<AgentInteraction>> after = m_repository.findInteraction(interactionId);
    if (!after || !*after) {
        return Error::internal(u"interaction vanished after resolve"_s);
    }
    return **after;
}

AgentEventStream *AgentService::openEventStream(const QString &turnId,
                                                qint64 after,
                                                AgentEventStream::Until until,
                                                AgentEventStream::Settings settings,
                                                std::shared_ptr<StreamWriter> writer,
                                                QObject *parent)
{
    return new AgentEventStream(
        m_repository, m_runner, turnId, after, until, settings, std::move(writer), parent);
}

} // namespace Gestalt
