// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "connections/ConnectionService.h"

#include "audit/AuditLog.h"
#include "authz/AccessCheck.h"
#include "catalog/AppCatalog.h"
#include "catalog/AppConnections.h"
#include "connections/CredentialRepository.h"
#include "http/JsonBodyReader.h"

#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// The app a request body names: "integration", or "app".
QJsonValue appName(const QJsonObject &body)
{
    return body.contains(u"integration"_s) ? body.value(u"integration"_s) : body.value(u"app"_s);
}

// The app a request body names, for audit events of requests that failed before resolving it.
QString requestedApp(const QJsonObject &body)
{
    return appName(body).toString().left(128);
}

// Whose credential a connect request writes, for its audit event: the target's subject once
// resolved, else the managed subject of the context, else the caller.
QString auditSubject(const Result<ConnectTarget> &target,
                     const Principal &principal,
                     const ConnectContext &context)
{
    if (target) {
        return target->subjectId;
    }
    return context.credentialSubjectId.isEmpty() ? principal.subjectId
                                                 : context.credentialSubjectId;
}

std::optional<Error> errorOf(const auto &result)
{
    return result ? std::nullopt : std::optional<Error>(result.error());
}

// A manual credential of named fields: the connection's declared fields, each a non-empty
// string, all of them given. Stored as the JSON object text.
Result<QString> namedFields(const AuthConfig &auth, const QJsonValue &named)
{
    if (!named.isObject() || named.toObject().isEmpty()) {
        return Error::invalid(u"credentials must be an object of field values"_s);
    }
    const QJsonObject fields = named.toObject();
    for (auto it = fields.constBegin(); it != fields.constEnd(); ++it) {
        const bool declared =
            auth.credentials.isEmpty()
            || std::any_of(auth.credentials.cbegin(),
                           auth.credentials.cend(),
                           [&](const CredentialField &f) { return f.name == it.key(); });
        if (!declared) {
            return Error::invalid(u"unknown credential field \"%1\""_s.arg(it.key()));
        }
        if (!it.value().isString() || it.value().toString().isEmpty()) {
            return Error::invalid(
                u"credential field \"%1\" must be a non-empty string"_s.arg(it.key()));
        }
    }
    for (const CredentialField &field : auth.credentials) {
        if (!fields.contains(field.name)) {
            return Error::invalid(u"credential field \"%1\" is required"_s.arg(field.name));
        }
    }
    return QString::fromUtf8(QJsonDocument(fields).toJson(QJsonDocument::Compact));
}

// A manual credential of one value; wrapped as the one declared field when the connection maps
// fields to headers or basic auth.
Result<QString> singleValue(const AuthConfig &auth, const QJsonValue &single)
{
    if (!single.isString() || single.toString().isEmpty()) {
        return Error::invalid(u"credential is required"_s);
    }
    const bool mapped = !auth.authMapping.headers.isEmpty() || auth.authMapping.basic;
    if (mapped && auth.credentials.size() == 1) {
        return QString::fromUtf8(QJsonDocument(QJsonObject{{auth.credentials.first().name, single}})
                                     .toJson(QJsonDocument::Compact));
    }
    return single.toString();
}

} // namespace

ConnectionService::ConnectionService(const AppCatalog &catalog,
                                     const AccessCheck &access,
                                     CredentialRepository &credentials,
                                     OAuthGrantRepository &grants,
                                     OAuthClient &oauth,
                                     UpstreamClient &upstream,
                                     const Crypto::Sealer &sealer,
                                     Clock clock,
                                     BaseUrl baseUrl,
                                     QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
    , m_access(access)
    , m_credentials(credentials)
    , m_clock(clock)
    , m_oauthConnect(catalog, grants, oauth, sealer, clock, std::move(baseUrl))
    , m_discovery(upstream)
    , m_pending(catalog, sealer, std::move(clock))
{}

void ConnectionService::audit(const AuditContext &context,
                              const Principal *principal,
                              const QString &actor,
                              const QString &action,
                              const QString &credentialSubject,
                              const QString &what,
                              const std::optional<Error> &error) const
{
    if (!m_audit) {
        return;
    }
    AuditEvent event;
    event.context = context;
    if (principal) {
        event.setPrincipal(*principal);
    } else {
        event.authSource = u"none"_s;
        event.subjectId = actor;
        event.subjectKind = actor.section(u':', 0, 0);
    }
    event.action = action;
    event.setTarget({u"connection"_s, credentialSubject, what});
    event.setOutcome(error);
    m_audit->record(std::move(event));
}

Result<ConnectTarget> ConnectionService::target(const Principal &principal,
                                                const QJsonObject &body,
                                                const QString &credentialSubjectId)
{
    const QJsonValue nameValue = appName(body);
    if (!nameValue.isString() || nameValue.toString().isEmpty()) {
        return Error::invalid(u"integration is required"_s);
    }
    ConnectTarget t;
    t.subjectId = credentialSubjectId.isEmpty() ? principal.subjectId : credentialSubjectId;
    t.actorSubjectId = principal.subjectId;
    t.app = m_catalog.app(nameValue.toString());
    if (!t.app) {
        return Error::notFound(u"integration \"%1\" not found"_s.arg(nameValue.toString()));
    }
    if (Result<void> allowed = m_access.checkApp(principal, *t.app); !allowed) {
        return Error::forbidden(u"operation access denied"_s);
    }
    if (Result<void> resolved = resolveConnection(t, body); !resolved) {
        return resolved.error();
    }
    // The connect bodies stay lenient: fields this service does not read are accepted, as they
    // always were, so only the reader's type errors count (each checked before the next field).
    JsonBodyReader reader(body);
    for (const QString &key : body.keys()) {
        reader.skip({key});
    }
    const std::optional<QJsonObject> params = reader.objectValue(u"connectionParams"_s);
    if (Result<void> typed = reader.finish(); !typed) {
        return typed.error();
    }
    if (Result<void> read = readParams(t, params.value_or(QJsonObject())); !read) {
        return read.error();
    }
    std::optional<QStringList> scopes = reader.stringList(u"scopes"_s, false);
    if (Result<void> typed = reader.finish(); !typed) {
        return typed.error();
    }
    t.scopes = scopes.value_or(QStringList());
    return t;
}

Result<void> ConnectionService::resolveConnection(ConnectTarget &t, const QJsonObject &body)
{
    QJsonObject selectors{{u"_connection"_s, body.value(u"connection"_s)},
                          {u"_instance"_s, body.value(u"instance"_s)}};
    Result<Selectors> chosen = Selectors::take(selectors, {}, {});
    if (!chosen) {
        return chosen.error();
    }
    Result<const AppConnection *> connection =
        AppConnections::resolve(*t.app, nullptr, chosen->connection);
    if (!connection) {
        return connection.error();
    }
    if (!*connection) {
        return Error::invalid(
            u"integration \"%1\" has no connections to connect"_s.arg(t.app->name));
    }
    t.connection = *connection;
    if (t.connection->mode() == ConnectionMode::Platform) {
        return Error::invalid(u"deployment-managed connections cannot be connected by users"_s);
    }
    if (t.connection->mode() != ConnectionMode::User) {
        return Error::invalid(u"connection \"%1\" on integration \"%2\" needs no credential"_s.arg(
            t.connection->name, t.app->name));
    }
    t.instance = chosen->instance.isEmpty() ? u"default"_s : chosen->instance;
    return {};
}

Result<void> ConnectionService::readParams(ConnectTarget &t, const QJsonObject &given)
{
    static const QRegularExpression paramPattern(u"^[a-zA-Z0-9._-]+$"_s);
    const QMap<QString, ConnectionParam> &declared = t.connection->config.params;
    for (auto it = given.constBegin(); it != given.constEnd(); ++it) {
        if (!declared.contains(it.key())
            || declared.value(it.key()).from != ConnectionParam::From::User) {
            return Error::invalid(u"unknown connection parameter \"%1\""_s.arg(it.key()));
        }
        if (!it.value().isString() || !paramPattern.match(it.value().toString()).hasMatch()) {
            return Error::invalid(
                u"connection parameter \"%1\" must match [a-zA-Z0-9._-]+"_s.arg(it.key()));
        }
        t.params.insert(it.key(), it.value().toString());
    }
    for (auto it = declared.constBegin(); it != declared.constEnd(); ++it) {
        if (it->from != ConnectionParam::From::User || t.params.contains(it.key())) {
            continue;
        }
        if (!it->defaultValue.isEmpty()) {
            t.params.insert(it.key(), it->defaultValue);
        } else if (it->required) {
            return Error::invalid(u"connection parameter \"%1\" is required"_s.arg(it.key()));
        }
    }
    return {};
}

Result<OAuthStart> ConnectionService::startOAuth(const Principal &principal,
                                                 const QJsonObject &body,
                                                 const ConnectContext &context)
{
    const Result<ConnectTarget> t = target(principal, body, context.credentialSubjectId);
    Result<OAuthStart> started = [&]() -> Result<OAuthStart> {
        if (!t) {
            return t.error();
        }
        return m_oauthConnect.start(*t);
    }();
    audit(context.audit,
          &principal,
          {},
          u"connection.oauth.start"_s,
          auditSubject(t, principal, context),
          t ? t->describe() : requestedApp(body),
          errorOf(started));
    return started;
}

void ConnectionService::completeOAuth(const QString &code,
                                      const QString &state,
                                      const std::function<QString(const QString &)> &cookies,
                                      const Principal *principal,
                                      Callback callback,
                                      const AuditContext &auditContext)
{
    const QString action = u"connection.oauth.complete"_s;
    Result<OAuthConnect::Callback> checked = m_oauthConnect.check(code, state, cookies, principal);
    if (!checked) {
        audit(auditContext, nullptr, {}, action, {}, {}, checked.error());
        QMetaObject::invokeMethod(
            this, [callback, error = checked.error()] { callback(error); }, Qt::QueuedConnection);
        return;
    }
    const ConnectTarget &t = checked->target;
    callback = [this,
                callback,
                auditContext,
                action,
                actor = t.actorSubjectId,
                subject = t.subjectId,
                what = t.describe()](Result<ConnectOutcome> outcome) {
        audit(auditContext, nullptr, actor, action, subject, what, errorOf(outcome));
        callback(std::move(outcome));
    };
    m_oauthConnect.exchange(
        *checked, code, [this, callback](Result<OAuthConnect::Exchanged> exchanged) {
            if (!exchanged) {
                callback(exchanged.error());
                return;
            }
            finishConnect(exchanged->target, exchanged->credential, callback);
        });
}

void ConnectionService::connectManual(const Principal &principal,
                                      const QJsonObject &body,
                                      Callback callback,
                                      const ConnectContext &context)
{
    Result<ConnectTarget> t = target(principal, body, context.credentialSubjectId);
    callback = [this,
                callback,
                principal,
                auditContext = context.audit,
                subject = auditSubject(t, principal, context),
                what = t ? t->describe() : requestedApp(body)](Result<ConnectOutcome> outcome) {
        audit(auditContext,
              &principal,
              {},
              u"connection.manual.connect"_s,
              subject,
              what,
              errorOf(outcome));
        callback(std::move(outcome));
    };
    Result<StoredCredential> credential =
        t ? readManualCredential(*t, body) : Result<StoredCredential>(t.error());
    if (!credential) {
        QMetaObject::invokeMethod(
            this,
            [callback, error = credential.error()] { callback(error); },
            Qt::QueuedConnection);
        return;
    }
    finishConnect(*t, std::move(credential).value(), callback);
}

Result<StoredCredential> ConnectionService::readManualCredential(const ConnectTarget &t,
                                                                 const QJsonObject &body)
{
    if (!AppConnections::authTypes(*t.connection).contains(u"manual"_s)) {
        return Error::invalid(u"integration \"%1\" does not support manual auth; use OAuth connect "
                              "instead"_s.arg(t.app->name));
    }
    const AuthConfig &auth = *t.connection->config.auth;
    const QJsonValue named = body.value(u"credentials"_s);
    Result<QString> secret = !named.isUndefined() && !named.isNull()
                                 ? namedFields(auth, named)
                                 : singleValue(auth, body.value(u"credential"_s));
    if (!secret) {
        return secret.error();
    }
    StoredCredential credential;
    credential.accessToken = std::move(secret).value();
    return credential;
}

void ConnectionService::finishConnect(const ConnectTarget &target,
                                      StoredCredential credential,
                                      const Callback &callback)
{
    credential = target.credential(std::move(credential));
    if (!target.connection->config.discovery) {
        Result<ConnectOutcome> stored = store(target, credential, {});
        QMetaObject::invokeMethod(
            this, [callback, stored] { callback(stored); }, Qt::QueuedConnection);
        return;
    }
    m_discovery.discover(
        target, credential, [this, target, credential, callback](Result<QJsonArray> candidates) {
            if (!candidates) {
                callback(candidates.error());
                return;
            }
            if (candidates->size() == 1) {
                callback(store(target, credential, candidates->first().toObject()));
                return;
            }
            callback(m_pending.create(target, credential, *candidates));
        });
}

Result<ConnectOutcome> ConnectionService::store(const ConnectTarget &target,
                                                StoredCredential credential,
                                                const QJsonObject &candidate)
{
    if (!candidate.isEmpty()) {
        credential.externalId = candidate.value(u"id"_s).toString();
        credential.displayName = candidate.value(u"name"_s).toString();
        const QJsonObject metadata = candidate.value(u"metadata"_s).toObject();
        for (auto it = metadata.constBegin(); it != metadata.constEnd(); ++it) {
            credential.metadata.insert(it.key(), it.value().toString());
        }
        Result<QList<StoredCredential>> existing =
            m_credentials.list(target.subjectId, target.connection->connectionId);
        if (!existing) {
            return existing.error();
        }
        for (const StoredCredential &other : std::as_const(*existing)) {
            if (other.instance != target.instance && other.externalId == credential.externalId) {
                return Error::conflict(
                    u"account \"%1\" is already connected as instance \"%2\""_s.arg(
                        credential.displayName, other.instance));
            }
        }
    }
    if (Result<void> saved = m_credentials.upsert(credential, m_clock()); !saved) {
        return saved.error();
    }
    ConnectOutcome outcome;
    outcome.app = target.app->name;
    return outcome;
}

Result<ConnectionService::PendingChoice> ConnectionService::readPending(
    const QString &pendingToken, const QString &bindingCookie, const Principal *principal)
{
    Result<QJsonObject> claims = m_pending.open(pendingToken, bindingCookie, principal);
    if (!claims) {
        return claims.error();
    }
    return PendingChoice{claims->value(u"int"_s).toString(), claims->value(u"cand"_s).toArray()};
}

Result<ConnectOutcome> ConnectionService::choosePending(const QString &pendingToken,
                                                        const QString &bindingCookie,
                                                        const Principal *principal,
                                                        const QString &candidateIndex,
                                                        const QString &candidateId,
                                                        const AuditContext &auditContext)
{
    Result<QJsonObject> opened = m_pending.open(pendingToken, bindingCookie, principal);
    if (!opened) {
        audit(auditContext, principal, {}, u"connection.pending.select"_s, {}, {}, opened.error());
        return opened.error();
    }
    QString actor = opened->value(u"act"_s).toString();
    if (actor.isEmpty()) {
        actor = opened->value(u"sid"_s).toString();
    }
    const QString what = opened->value(u"int"_s).toString() + u'/'
                         + opened->value(u"con"_s).toString() + u'/'
                         + opened->value(u"ins"_s).toString();
    Result<ConnectOutcome> chosen = [&]() -> Result<ConnectOutcome> {
        Result<PendingChoices::Choice> choice =
            m_pending.choose(*opened, candidateIndex, candidateId);
        if (!choice) {
            return choice.error();
        }
        return store(choice->target, choice->credential, choice->candidate);
    }();
    audit(auditContext,
          principal,
          actor,
          u"connection.pending.select"_s,
          opened->value(u"sid"_s).toString(),
          what,
          errorOf(chosen));
    return chosen;
}

} // namespace Gestalt
