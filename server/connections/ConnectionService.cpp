// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "connections/ConnectionService.h"

#include "apps/AppCatalog.h"
#include "apps/AppStatus.h"
#include "apps/InvocationService.h"
#include "apps/RequestBuilder.h"
#include "apps/UpstreamClient.h"
#include "audit/AuditLog.h"
#include "authz/AccessCheck.h"
#include "connections/CredentialRepository.h"
#include "connections/OAuthClient.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "crypto/SealedToken.h"
#include "http/HttpResponse.h"
#include "shared/JsonPath.h"
#include "store/OAuthGrantRepository.h"

#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int DiscoveryTimeoutSeconds = 30;
const QString StateType = u"oauth_state"_s;
const QString PendingType = u"pending_connection"_s;

QJsonObject mapToJson(const QMap<QString, QString> &map)
{
    QJsonObject json;
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        json.insert(it.key(), it.value());
    }
    return json;
}

QMap<QString, QString> jsonToMap(const QJsonObject &json)
{
    QMap<QString, QString> map;
    for (auto it = json.constBegin(); it != json.constEnd(); ++it) {
        map.insert(it.key(), it.value().toString());
    }
    return map;
}

QString scalarText(const QJsonValue &value)
{
    if (value.isString()) {
        return value.toString();
    }
    if (value.isDouble()) {
        return QString::number(value.toDouble(), 'g', 17);
    }
    if (value.isBool()) {
        return value.toBool() ? u"true"_s : u"false"_s;
    }
    return {};
}

// Values that come from a token response or a discovery answer end up in URLs and headers
// ({param} interpolation): only plain tokens are kept (gestalt-facts §2.5).
QString metadataValue(const QJsonValue &value)
{
    static const QRegularExpression plain(u"^[a-zA-Z0-9._:/-]+$"_s);
    const QString text = scalarText(value);
    return plain.match(text).hasMatch() ? text : QString();
}

// The app a request body names, for audit events of requests that failed before resolving it.
QString requestedApp(const QJsonObject &body)
{
    const QJsonValue name =
        body.contains(u"integration"_s) ? body.value(u"integration"_s) : body.value(u"app"_s);
    return name.toString().left(128);
}

std::optional<Error> errorOf(const auto &result)
{
    return result ? std::nullopt : std::optional<Error>(result.error());
}

Error setupFailed(const QString &app)
{
    return {ErrorCode::BadGateway, u"connection setup failed for integration \"%1\""_s.arg(app)};
}

} // namespace

QJsonObject ConnectOutcome::toJson() const
{
    if (!selectionRequired) {
        return {{u"status"_s, u"connected"_s}, {u"integration"_s, app}};
    }
    return {{u"status"_s, u"selection_required"_s},
            {u"integration"_s, app},
            {u"selectionUrl"_s, u"/api/v1/auth/pending-connection"_s},
            {u"pendingToken"_s, pendingToken},
            {u"candidates"_s, candidates}};
}

QJsonObject OAuthStart::toJson() const
{
    return {{u"url"_s, url}, {u"state"_s, state}};
}

QString ConnectionService::bindingCookieName(const QString &state)
{
    return u"oauth_binding_"_s + Crypto::sha256Hex(state.toUtf8()).left(16);
}

struct ConnectionService::Target
{
    const AppDefinition *app = nullptr;
    const AppConnection *connection = nullptr;
    QString subjectId;      // whose credential
    QString actorSubjectId; // who connects it (differs for managed subjects)
    QString instance;
    QMap<QString, QString> params;
    QStringList scopes;

    // "app/connection/instance", the audit target name.
    [[nodiscard]] QString describe() const
    {
        return app->name + u'/' + connection->name + u'/' + instance;
    }
};

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
    , m_grants(grants)
    , m_oauth(oauth)
    , m_upstream(upstream)
    , m_sealer(sealer)
    , m_clock(std::move(clock))
    , m_baseUrl(std::move(baseUrl))
{}

void ConnectionService::audit(const AuditContext &context, const Principal *principal,
                              const QString &actor, const QString &action,
                              const QString &credentialSubject, const QString &what,
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
    event.targetKind = u"connection"_s;
    event.targetId = credentialSubject;
    event.targetName = what;
    event.allowed = !error.has_value();
    if (error) {
        event.error = publicMessage(*error);
    }
    m_audit->record(std::move(event));
}

Result<ConnectionService::Target> ConnectionService::target(const Principal &principal,
                                                            const QJsonObject &body,
                                                            const QString &credentialSubjectId)
{
    static const QRegularExpression paramPattern(u"^[a-zA-Z0-9._-]+$"_s);
    const QJsonValue nameValue =
        body.contains(u"integration"_s) ? body.value(u"integration"_s) : body.value(u"app"_s);
    if (!nameValue.isString() || nameValue.toString().isEmpty()) {
        return Error::invalid(u"integration is required"_s);
    }
    Target t;
    t.subjectId = credentialSubjectId.isEmpty() ? principal.subjectId : credentialSubjectId;
    t.actorSubjectId = principal.subjectId;
    t.app = m_catalog.app(nameValue.toString());
    if (!t.app) {
        return Error::notFound(u"integration \"%1\" not found"_s.arg(nameValue.toString()));
    }
    if (Result<void> allowed = m_access.checkApp(principal, *t.app); !allowed) {
        return Error::forbidden(u"operation access denied"_s);
    }
    QJsonObject selectors{{u"_connection"_s, body.value(u"connection"_s)},
                          {u"_instance"_s, body.value(u"instance"_s)}};
    Result<Selectors> chosen = Selectors::take(selectors, {}, {});
    if (!chosen) {
        return chosen.error();
    }
    Result<const AppConnection *> connection =
        InvocationService::resolveConnection(*t.app, nullptr, chosen->connection);
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

    const QJsonValue paramsValue = body.value(u"connectionParams"_s);
    if (!paramsValue.isUndefined() && !paramsValue.isNull() && !paramsValue.isObject()) {
        return Error::invalid(u"connectionParams must be an object"_s);
    }
    const QJsonObject given = paramsValue.toObject();
    const QMap<QString, ConnectionParam> &declared = t.connection->config.params;
    for (auto it = given.constBegin(); it != given.constEnd(); ++it) {
        const auto param = declared.constFind(it.key());
        if (param == declared.constEnd() || param->from != ConnectionParam::From::User) {
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
    const QJsonValue scopes = body.value(u"scopes"_s);
    if (!scopes.isUndefined() && !scopes.isNull()) {
        if (!scopes.isArray()) {
            return Error::invalid(u"scopes must be an array of strings"_s);
        }
        for (const QJsonValue &scope : scopes.toArray()) {
            if (!scope.isString()) {
                return Error::invalid(u"scopes must be an array of strings"_s);
            }
            t.scopes.append(scope.toString());
        }
    }
    return t;
}

Result<OAuthStart> ConnectionService::startOAuth(const Principal &principal,
                                                 const QJsonObject &body,
                                                 const ConnectContext &context)
{
    const Result<Target> t = target(principal, body, context.credentialSubjectId);
    const Result<OAuthStart> started = [&]() -> Result<OAuthStart> {
        if (!t) {
            return t.error();
        }
        return oauthUrl(*t);
    }();
    audit(context.audit, &principal, {}, u"connection.oauth.start"_s,
          t ? t->subjectId
            : (context.credentialSubjectId.isEmpty() ? principal.subjectId
                                                     : context.credentialSubjectId),
          t ? t->describe() : requestedApp(body), errorOf(started));
    return started;
}

Result<OAuthStart> ConnectionService::oauthUrl(const Target &t)
{
    if (!AppStatus::authTypes(*t.connection).contains(u"oauth"_s)) {
        return Error::invalid(u"connection \"%1\" on integration \"%2\" does not support OAuth"_s.arg(
            t.connection->name, t.app->name));
    }
    const AuthConfig &auth = *t.connection->config.auth;
    const QString verifier = auth.pkce ? OAuthClient::newCodeVerifier() : QString();
    const QDateTime now = m_clock();
    const QJsonObject claims{{u"typ"_s, StateType},
                             {u"sid"_s, t.subjectId},
                             {u"act"_s, t.actorSubjectId},
                             {u"int"_s, t.app->name},
                             {u"con"_s, t.connection->name},
                             {u"ins"_s, t.instance},
                             {u"ver"_s, verifier},
                             {u"cp"_s, mapToJson(t.params)}};
    const QString state =
        Crypto::SealedToken::encode(m_sealer, claims, now.addSecs(StateTtlSeconds));
    const QString binding = Crypto::randomUrlToken(32);
    OAuthGrant grant;
    grant.hash = Crypto::sha256Hex(state.toUtf8());
    grant.kind = OAuthGrant::AppState.toString();
    grant.subjectId = t.actorSubjectId;
    grant.bindingHash = Crypto::sha256Hex(binding.toUtf8());
    grant.createdAt = now;
    grant.expiresAt = now.addSecs(StateTtlSeconds);
    if (Result<void> stored = m_grants.insert(grant, now); !stored) {
        return stored.error();
    }
    const QString base = m_baseUrl();
    const QString redirect =
        auth.redirectUrl.isEmpty() ? base + u"/api/v1/auth/callback"_s : auth.redirectUrl;
    const QUrl url =
        OAuthClient::authorizationUrl(auth, redirect, state, t.scopes, verifier, t.params);
    OAuthStart started;
    started.url = url.toString(QUrl::FullyEncoded);
    started.state = state;
    started.setCookie = bindingCookieName(state).toUtf8() + '=' + binding.toUtf8()
                        + "; Path=/api/v1/auth/callback; Max-Age="
                        + QByteArray::number(StateTtlSeconds) + "; HttpOnly; SameSite=Lax";
    if (base.startsWith(u"https://"_s, Qt::CaseInsensitive)) {
        started.setCookie += "; Secure";
    }
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
    const auto fail = [this, &callback, &auditContext, &action](const Error &error) {
        audit(auditContext, nullptr, {}, action, {}, {}, error);
        QMetaObject::invokeMethod(
            this, [callback, error] { callback(error); }, Qt::QueuedConnection);
    };
    if (code.isEmpty() || state.isEmpty()) {
        fail(Error::invalid(u"missing code or state parameter"_s));
        return;
    }
    Result<QJsonObject> claims = Crypto::SealedToken::decode(m_sealer, state, m_clock());
    if (!claims || claims->value(u"typ"_s).toString() != StateType) {
        fail(Error::invalid(u"invalid or expired oauth state"_s));
        return;
    }
    Target t;
    t.subjectId = claims->value(u"sid"_s).toString();
    t.actorSubjectId = claims->value(u"act"_s).toString();
    if (t.actorSubjectId.isEmpty()) {
        t.actorSubjectId = t.subjectId;
    }
    t.app = m_catalog.app(claims->value(u"int"_s).toString());
    t.connection = t.app ? t.app->connection(claims->value(u"con"_s).toString()) : nullptr;
    if (!t.connection || !t.connection->config.auth) {
        fail(Error::invalid(u"invalid or expired oauth state"_s));
        return;
    }
    t.instance = claims->value(u"ins"_s).toString();
    t.params = jsonToMap(claims->value(u"cp"_s).toObject());

    // The stored state: the browser that started the flow and the subject who did.
    const QString stateHash = Crypto::sha256Hex(state.toUtf8());
    const Result<std::optional<OAuthGrant>> stored = m_grants.find(stateHash, OAuthGrant::AppState);
    if (!stored) {
        fail(stored.error());
        return;
    }
    if (!stored->has_value()) {
        fail(Error::invalid(u"invalid or expired oauth state"_s));
        return;
    }
    const QString binding = cookies(bindingCookieName(state));
    if (binding.isEmpty()
        || !Crypto::constantTimeEquals(Crypto::sha256Hex(binding.toUtf8()).toLatin1(),
                                       (*stored)->bindingHash.toLatin1())) {
        fail(Error::forbidden(u"this OAuth flow was started in another browser; start it again "
                              "from this browser"_s));
        return;
    }
    if (!principal) {
        fail(Error::forbidden(u"this OAuth flow needs the session of the user who started it; "
                              "sign in and open the link again"_s));
        return;
    }
    if (principal->subjectId != (*stored)->subjectId) {
        fail(Error::forbidden(u"this OAuth flow was started by another user; sign in as the "
                              "user who started it, or start it again"_s));
        return;
    }
    const Result<std::optional<OAuthGrant>> consumed =
        m_grants.consume(stateHash, OAuthGrant::AppState, m_clock());
    if (!consumed) {
        fail(consumed.error());
        return;
    }
    if (!consumed->has_value()) {
        fail(Error::invalid(u"the oauth state was used already or has expired; start again"_s));
        return;
    }
    callback = [this, callback, auditContext, action, actor = t.actorSubjectId,
                subject = t.subjectId, what = t.describe()](Result<ConnectOutcome> outcome) {
        audit(auditContext, nullptr, actor, action, subject, what, errorOf(outcome));
        callback(std::move(outcome));
    };
    const AuthConfig &auth = *t.connection->config.auth;
    const QString redirect = auth.redirectUrl.isEmpty()
        ? m_baseUrl() + u"/api/v1/auth/callback"_s
        : auth.redirectUrl;
    m_oauth.exchangeCode(
        auth, code, redirect, claims->value(u"ver"_s).toString(), t.params, t.app->egress,
        [this, t, callback](Result<OAuthTokens> tokens) {
            if (!tokens) {
                // The app's egress policy refusing the token URL (403), or an oversized answer,
                // is said as it is; anything else is "token exchange failed".
                const Error &error = tokens.error();
                callback(error.machineCode == u"token_response_too_large"_s
                                 || error.code == ErrorCode::Forbidden
                             ? error
                             : Error{ErrorCode::BadGateway, u"token exchange failed"_s});
                return;
            }
            StoredCredential credential;
            credential.accessToken = tokens->accessToken;
            credential.refreshToken = tokens->refreshToken;
            credential.tokenType = tokens->tokenType;
            if (tokens->expiresInSeconds) {
                credential.expiresAt = m_clock().addSecs(*tokens->expiresInSeconds);
            }
            Target withToken = t;
            for (auto it = t.connection->config.params.constBegin();
                 it != t.connection->config.params.constEnd(); ++it) {
                if (it->from == ConnectionParam::From::TokenResponse) {
                    const QString field = it->field.isEmpty() ? it.key() : it->field;
                    const QString value = metadataValue(jsonPathValue(tokens->raw, field));
                    if (!value.isEmpty()) {
                        withToken.params.insert(it.key(), value);
                    }
                }
            }
            finishConnect(withToken, credential, callback);
        });
}

void ConnectionService::connectManual(const Principal &principal, const QJsonObject &body,
                                      Callback callback, const ConnectContext &context)
{
    Result<Target> t = target(principal, body, context.credentialSubjectId);
    callback = [this, callback, principal, auditContext = context.audit,
                subject = t ? t->subjectId
                            : (context.credentialSubjectId.isEmpty() ? principal.subjectId
                                                                     : context.credentialSubjectId),
                what = t ? t->describe() : requestedApp(body)](Result<ConnectOutcome> outcome) {
        audit(auditContext, &principal, {}, u"connection.manual.connect"_s, subject, what,
              errorOf(outcome));
        callback(std::move(outcome));
    };
    const auto fail = [this, &callback](const Error &error) {
        QMetaObject::invokeMethod(
            this, [callback, error] { callback(error); }, Qt::QueuedConnection);
    };
    if (!t) {
        fail(t.error());
        return;
    }
    if (!AppStatus::authTypes(*t->connection).contains(u"manual"_s)) {
        fail(Error::invalid(u"integration \"%1\" does not support manual auth; use OAuth connect "
                            "instead"_s.arg(t->app->name)));
        return;
    }
    const AuthConfig &auth = *t->connection->config.auth;
    const QJsonValue single = body.value(u"credential"_s);
    const QJsonValue named = body.value(u"credentials"_s);
    StoredCredential credential;
    if (!named.isUndefined() && !named.isNull()) {
        if (!named.isObject() || named.toObject().isEmpty()) {
            fail(Error::invalid(u"credentials must be an object of field values"_s));
            return;
        }
        const QJsonObject fields = named.toObject();
        for (auto it = fields.constBegin(); it != fields.constEnd(); ++it) {
            const bool declared = auth.credentials.isEmpty()
                || std::any_of(auth.credentials.cbegin(), auth.credentials.cend(),
                               [&](const CredentialField &f) { return f.name == it.key(); });
            if (!declared) {
                fail(Error::invalid(u"unknown credential field \"%1\""_s.arg(it.key())));
                return;
            }
            if (!it.value().isString() || it.value().toString().isEmpty()) {
                fail(Error::invalid(u"credential field \"%1\" must be a non-empty string"_s.arg(
                    it.key())));
                return;
            }
        }
        for (const CredentialField &field : auth.credentials) {
            if (!fields.contains(field.name)) {
                fail(Error::invalid(u"credential field \"%1\" is required"_s.arg(field.name)));
                return;
            }
        }
        credential.accessToken =
            QString::fromUtf8(QJsonDocument(fields).toJson(QJsonDocument::Compact));
    } else {
        if (!single.isString() || single.toString().isEmpty()) {
            fail(Error::invalid(u"credential is required"_s));
            return;
        }
        const bool mapped = !auth.authMapping.headers.isEmpty() || auth.authMapping.basic;
        if (mapped && auth.credentials.size() == 1) {
            credential.accessToken = QString::fromUtf8(
                QJsonDocument(QJsonObject{{auth.credentials.first().name, single}})
                    .toJson(QJsonDocument::Compact));
        } else {
            credential.accessToken = single.toString();
        }
    }
    finishConnect(*t, credential, callback);
}

void ConnectionService::finishConnect(const Target &target, StoredCredential credential,
                                      Callback callback)
{
    credential.subjectId = target.subjectId;
    credential.connectionId = target.connection->connectionId;
    credential.instance = target.instance;
    credential.metadata = target.params;
    const std::optional<DiscoveryConfig> &discovery = target.connection->config.discovery;
    if (!discovery) {
        Result<ConnectOutcome> stored = store(target, credential, {});
        QMetaObject::invokeMethod(
            this, [callback, stored] { callback(stored); }, Qt::QueuedConnection);
        return;
    }
    UpstreamRequest request;
    request.method = u"GET"_s;
    request.url = QUrl(RequestBuilder::interpolate(discovery->url, target.params));
    request.headers.append({"Authorization"_ba, "Bearer "_ba + credential.accessToken.toUtf8()});
    request.headers.append({"Accept"_ba, "application/json"_ba});
    UpstreamOptions options;
    options.timeout = std::chrono::seconds(DiscoveryTimeoutSeconds);
    options.egress = target.app->egress;
    std::shared_ptr<UpstreamCall> call = m_upstream.send(
        request, options,
        [this, target, credential, callback, discovery = *discovery](
            Result<UpstreamResponse> response) {
            if (!response || response->status != 200) {
                callback(setupFailed(target.app->name));
                return;
            }
            const QJsonValue document = parseJsonValue(response->body);
            const QJsonValue items = discovery.itemsPath.isEmpty()
                ? document
                : jsonPathValue(document, discovery.itemsPath);
            QJsonArray candidates;
            for (const QJsonValue &item : items.toArray()) {
                const QString id = scalarText(jsonPathValue(
                    item, discovery.idPath.isEmpty() ? u"id"_s : discovery.idPath));
                if (id.isEmpty()) {
                    continue;
                }
                QString name = scalarText(jsonPathValue(
                    item, discovery.namePath.isEmpty() ? u"name"_s : discovery.namePath));
                QJsonObject metadata;
                for (auto it = discovery.metadata.constBegin();
                     it != discovery.metadata.constEnd(); ++it) {
                    const QString value = metadataValue(jsonPathValue(item, it.value()));
                    if (!value.isEmpty()) {
                        metadata.insert(it.key(), value);
                    }
                }
                candidates.append(QJsonObject{{u"id"_s, id},
                                              {u"name"_s, name.isEmpty() ? id : name},
                                              {u"metadata"_s, metadata}});
            }
            if (candidates.isEmpty()) {
                callback(setupFailed(target.app->name));
                return;
            }
            if (candidates.size() == 1) {
                callback(store(target, credential, candidates.first().toObject()));
                return;
            }
            const QDateTime expires = m_clock().addSecs(PendingTtlSeconds);
            const QString bind = Crypto::randomUrlToken(16);
            QJsonObject tok{{u"acc"_s, credential.accessToken},
                            {u"ref"_s, credential.refreshToken},
                            {u"typ"_s, credential.tokenType}};
            if (credential.expiresAt) {
                tok.insert(u"exp"_s, credential.expiresAt->toMSecsSinceEpoch());
            }
            const QJsonObject claims{{u"typ"_s, PendingType},
                                     {u"sid"_s, target.subjectId},
                                     {u"act"_s, target.actorSubjectId},
                                     {u"int"_s, target.app->name},
                                     {u"con"_s, target.connection->name},
                                     {u"ins"_s, target.instance},
                                     {u"cp"_s, mapToJson(target.params)},
                                     {u"tok"_s, tok},
                                     {u"bind"_s, bind},
                                     {u"cand"_s, candidates}};
            ConnectOutcome outcome;
            outcome.app = target.app->name;
            outcome.selectionRequired = true;
            outcome.pendingToken = Crypto::SealedToken::encode(m_sealer, claims, expires);
            outcome.bindingCookie = Crypto::SealedToken::encode(
                m_sealer, QJsonObject{{u"typ"_s, u"pending_binding"_s}, {u"bind"_s, bind}},
                expires);
            for (const QJsonValue &candidate : std::as_const(candidates)) {
                outcome.candidates.append(
                    QJsonObject{{u"id"_s, candidate[u"id"_s]}, {u"name"_s, candidate[u"name"_s]}});
            }
            callback(outcome);
        });
    Q_UNUSED(call)
}

Result<ConnectOutcome> ConnectionService::store(const Target &target, StoredCredential credential,
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

Result<QJsonObject> ConnectionService::openPending(const QString &pendingToken,
                                                   const QString &bindingCookie,
                                                   const Principal *principal)
{
    if (pendingToken.isEmpty()) {
        return Error::invalid(u"pending_token is required"_s);
    }
    const QDateTime now = m_clock();
    Result<QJsonObject> claims = Crypto::SealedToken::decode(m_sealer, pendingToken, now);
    if (!claims) {
        // Tell an expired token apart from a forged one: an expired token still opens when
        // read as of long ago.
        Result<QJsonObject> old = Crypto::SealedToken::decode(
            m_sealer, pendingToken, QDateTime::fromSecsSinceEpoch(0, Qt::UTC));
        if (old && old->value(u"typ"_s).toString() == PendingType) {
            return Error{ErrorCode::Gone, u"the pending connection has expired; connect again"_s};
        }
        return Error::invalid(u"invalid pending connection token"_s);
    }
    if (claims->value(u"typ"_s).toString() != PendingType) {
        return Error::invalid(u"invalid pending connection token"_s);
    }
    const QString actor = claims->value(u"act"_s).toString();
    bool proven = principal
        && (principal->subjectId == claims->value(u"sid"_s).toString()
            || (!actor.isEmpty() && principal->subjectId == actor));
    if (!proven && !bindingCookie.isEmpty()) {
        Result<QJsonObject> binding = Crypto::SealedToken::decode(m_sealer, bindingCookie, now);
        proven = binding && binding->value(u"typ"_s).toString() == u"pending_binding"
            && binding->value(u"bind"_s).toString() == claims->value(u"bind"_s).toString();
    }
    if (!proven) {
        return Error::unauthenticated(
            u"the pending connection belongs to another browser or user"_s);
    }
    return claims;
}

Result<ConnectionService::PendingChoice>
ConnectionService::readPending(const QString &pendingToken, const QString &bindingCookie,
                               const Principal *principal)
{
    Result<QJsonObject> claims = openPending(pendingToken, bindingCookie, principal);
    if (!claims) {
        return claims.error();
    }
    return PendingChoice{claims->value(u"int"_s).toString(),
                         claims->value(u"cand"_s).toArray()};
}

Result<ConnectOutcome> ConnectionService::choosePending(const QString &pendingToken,
                                                        const QString &bindingCookie,
                                                        const Principal *principal,
                                                        const QString &candidateIndex,
                                                        const QString &candidateId,
                                                        const AuditContext &auditContext)
{
    Result<QJsonObject> opened = openPending(pendingToken, bindingCookie, principal);
    if (!opened) {
        audit(auditContext, principal, {}, u"connection.pending.select"_s, {}, {}, opened.error());
        return opened.error();
    }
    QString actor = opened->value(u"act"_s).toString();
    if (actor.isEmpty()) {
        actor = opened->value(u"sid"_s).toString();
    }
    const QString what = opened->value(u"int"_s).toString() + u'/'
        + opened->value(u"con"_s).toString() + u'/' + opened->value(u"ins"_s).toString();
    Result<ConnectOutcome> chosen =
        choose(*opened, candidateIndex, candidateId);
    audit(auditContext, principal, actor, u"connection.pending.select"_s,
          opened->value(u"sid"_s).toString(), what, errorOf(chosen));
    return chosen;
}

Result<ConnectOutcome> ConnectionService::choose(const QJsonObject &claims,
                                                 const QString &candidateIndex,
                                                 const QString &candidateId)
{
    const QJsonArray candidates = claims.value(u"cand"_s).toArray();
    QJsonObject chosen;
    if (!candidateIndex.isEmpty()) {
        bool ok = false;
        const int index = candidateIndex.toInt(&ok);
        if (!ok || index < 0 || index >= candidates.size()) {
            return Error::invalid(u"candidate not found"_s);
        }
        chosen = candidates.at(index).toObject();
    } else {
        for (const QJsonValue &candidate : candidates) {
            if (candidate[u"id"_s].toString() == candidateId) {
                chosen = candidate.toObject();
            }
        }
        if (chosen.isEmpty()) {
            return Error::invalid(u"candidate not found"_s);
        }
    }
    Target t;
    t.subjectId = claims.value(u"sid"_s).toString();
    t.app = m_catalog.app(claims.value(u"int"_s).toString());
    t.connection = t.app ? t.app->connection(claims.value(u"con"_s).toString()) : nullptr;
    if (!t.connection) {
        return Error::invalid(u"invalid pending connection token"_s);
    }
    t.instance = claims.value(u"ins"_s).toString();
    t.params = jsonToMap(claims.value(u"cp"_s).toObject());
    const QJsonObject tok = claims.value(u"tok"_s).toObject();
    StoredCredential credential;
    credential.subjectId = t.subjectId;
    credential.connectionId = t.connection->connectionId;
    credential.instance = t.instance;
    credential.metadata = t.params;
    credential.accessToken = tok.value(u"acc"_s).toString();
    credential.refreshToken = tok.value(u"ref"_s).toString();
    credential.tokenType = tok.value(u"typ"_s).toString();
    if (tok.contains(u"exp"_s)) {
        credential.expiresAt =
            QDateTime::fromMSecsSinceEpoch(qint64(tok.value(u"exp"_s).toDouble()), Qt::UTC);
    }
    return store(t, credential, chosen);
}

} // namespace Gestalt
