// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/InvocationService.h"

#include "audit/AuditLog.h"
#include "authz/AccessCheck.h"
#include "catalog/AppCatalog.h"
#include "catalog/AppConnections.h"
#include "connections/CredentialRepository.h"
#include "connections/CredentialService.h"
#include "http/HttpResponse.h"
#include "invocation/McpInvoker.h"
#include "invocation/RequestBuilder.h"
#include "invocation/UpstreamBackoff.h"
#include "limits/RateLimiter.h"
#include "metrics/ServerMetrics.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QMetaObject>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString modeLabel(ConnectionMode mode)
{
    switch (mode) {
    case ConnectionMode::User:
        return u"user"_s;
    case ConnectionMode::Platform:
        return u"platform"_s;
    case ConnectionMode::None:
    case ConnectionMode::Unspecified:
        break;
    }
    return u"none"_s;
}

} // namespace

// One invocation in flight: collects metrics labels and answers exactly once.
class InvocationService::Call final
    : public UpstreamCall
    , public std::enable_shared_from_this<Call>
{
public:
    Call(InvocationService &service, InvocationRequest request, Callback callback)
        : m_service(&service)
        , m_request(std::move(request))
        , m_callback(std::move(callback))
    {
        m_timer.start();
        m_labels.provider = u"unknown"_s;
        m_labels.operation = u"unknown"_s;
        m_labels.transport = u"rest"_s;
        m_labels.connectionMode = u"none"_s;
        m_labels.invocationSurface = m_request.surface;
        m_labels.httpBinding = m_request.httpBinding;
        m_credential.instance.clear();
    }

    void abort() override
    {
        if (m_done) {
            return;
        }
        m_canceled = true;
        if (m_upstream) {
            m_upstream->abort(); // answers through the upstream callback
        }
        if (m_cancelMcp) {
            std::exchange(m_cancelMcp, {})();
            finish(Error{ErrorCode::BadGateway, u"upstream call canceled"_s});
        }
        if (m_cancelWait) { // waiting out an upstream's Retry-After
            std::exchange(m_cancelWait, {})();
            finish(Error{ErrorCode::BadGateway, u"upstream call canceled"_s});
        }
    }

    void start();

private:
    void failLater(const Error &error)
    {
        auto self = shared_from_this();
        QMetaObject::invokeMethod(
            m_service, [self, error] { self->finish(error); }, Qt::QueuedConnection);
    }
    // start()'s steps: the app and operation, then the caller's right to run it (and its rate
    // limits), then the connection and its credential.
    [[nodiscard]] Result<void> findOperation();
    [[nodiscard]] Result<void> admitCaller();
    void resolveCredential();
    [[nodiscard]] bool isCallerScoped() const
    {
        return service().m_mcp != nullptr && McpInvoker::isCallerScoped(*m_app);
    }
    void withCredential(const Result<StoredCredential> &credential);
    void send(const CredentialMaterial *material);
    // UpstreamBackoff: false when the call failed or waits (send() runs again after the wait).
    [[nodiscard]] bool admitUpstream(const CredentialMaterial *material);
    [[nodiscard]] UpstreamBackoff::Key backoffKey() const
    {
        return {m_app->name, m_connection ? m_connection->name : QString(), m_credential.id};
    }
    void sendMcp(const AuthConfig *auth, const CredentialMaterial *material);
    // The headers that carry the credential to an upstream MCP server (none without one).
    [[nodiscard]] Result<McpInvoker::Headers>
    mcpCredentialHeaders(const AuthConfig *auth, const CredentialMaterial *material) const;
    // An upstream MCP error as the caller sees it; `credentialSent`: reconnect on a rejection.
    using McpError = std::function<Error(const Error &)>;
    void listUpstreamTools(const McpInvoker::Headers &headers, const McpError &upstreamError);
    void callUpstreamTool(const McpInvoker::Headers &headers, const McpError &upstreamError);
    void finish(Result<InvocationResult> result);
    // The service, where it must be alive: start() runs inside InvocationService::invoke(), and
    // send() checks m_service before admitUpstream() and sendMcp(). Callbacks that may run after
    // the service is gone read m_service once into a local and check it.
    [[nodiscard]] InvocationService &service() const
    {
        InvocationService *live = m_service.data();
        if (!live) {
            qFatal("InvocationService::Call: used after its service was destroyed");
        }
        return *live;
    }

    QPointer<InvocationService> m_service;
    InvocationRequest m_request;
    Callback m_callback;
    QElapsedTimer m_timer;
    OperationLabels m_labels;
    const AppDefinition *m_app = nullptr;
    const Operation *m_operation = nullptr;
    std::optional<Operation> m_upstreamOperation; // an upstream MCP tool's, owned by the call
    const AppConnection *m_connection = nullptr;
    std::shared_ptr<UpstreamCall> m_upstream;
    std::function<void()> m_cancelMcp;
    std::unique_ptr<RateLimiter::Lease> m_lease; // server.limits slots, released at finish()
    std::function<void()> m_cancelWait;
    std::chrono::milliseconds m_waited{0};
    StoredCredential m_credential; // a user credential's id, owner and instance (no secret)
    bool m_canceled = false;
    bool m_done = false;
};

void InvocationService::Call::start()
{
    if (Result<void> found = findOperation(); !found) {
        failLater(found.error());
        return;
    }
    if (Result<void> admitted = admitCaller(); !admitted) {
        failLater(admitted.error());
        return;
    }
    resolveCredential();
}

Result<void> InvocationService::Call::findOperation()
{
    m_app = service().m_catalog.app(m_request.app);
    if (!m_app) {
        return Error::notFound(u"integration \"%1\" not found"_s.arg(m_request.app));
    }
    m_labels.provider = m_app->name;
    const bool callerScoped = isCallerScoped();
    if (m_request.listUpstreamTools && !callerScoped) {
        return Error::invalid(
            u"integration \"%1\" does not list tools per caller"_s.arg(m_app->name));
    }
    m_operation = m_request.listUpstreamTools ? nullptr : m_app->operation(m_request.operation);
    if (!m_operation && callerScoped) {
        // The server knows the caller's tools; the access check and the connection go by the
        // surface until it answers.
        m_upstreamOperation = Operation();
        m_upstreamOperation->id = m_request.operation;
        m_upstreamOperation->method = u"POST"_s;
        m_upstreamOperation->connection = m_app->mcpSurface->connection;
        m_upstreamOperation->transport = Operation::Transport::Mcp;
        m_operation = &*m_upstreamOperation;
    } else if (!m_operation && m_app->mcpSurface && service().m_mcp) {
        // A copy: a tools/list_changed may replace the upstream's operations during the call.
        m_upstreamOperation = service().m_mcp->operation(m_app->name, m_request.operation);
        m_operation = m_upstreamOperation ? &*m_upstreamOperation : nullptr;
    }
    if (!m_operation) {
        return Error::notFound(u"operation \"%1\" not found on integration \"%2\""_s.arg(
            m_request.operation, m_app->name));
    }
    if (m_operation->transport == Operation::Transport::Mcp) {
        m_labels.transport = u"mcp-passthrough"_s;
        if (m_request.surface == u"http") {
            return Error::invalid(u"this integration is accessible only via MCP"_s);
        }
    }
    return {};
}

Result<void> InvocationService::Call::admitCaller()
{
    if (Result<void> allowed =
            m_request.listUpstreamTools
                ? service().m_access.checkApp(m_request.principal, *m_app)
                : service().m_access.checkOperation(m_request.principal, *m_app, *m_operation);
        !allowed) {
        return allowed.error();
    }
    if (service().m_subjectCheck) {
        if (Result<void> enabled = service().m_subjectCheck(m_request.principal); !enabled) {
            return enabled.error();
        }
    }
    // The operation label is a name from config or from the upstream's tools/list, never the
    // caller's: an unknown or denied operation stays "unknown". A caller-scoped upstream's tool
    // is named by the caller, so it counts under its name only once the upstream ran it.
    if (!isCallerScoped() || !m_upstreamOperation) {
        m_labels.operation = m_operation->id;
    }
    // Rate limits and concurrency caps: after the access check (an unauthorised caller learns
    // nothing of them), before any credential or upstream work.
    if (service().m_limiter && !m_request.listUpstreamTools) {
        Result<std::unique_ptr<RateLimiter::Lease>> lease =
            service().m_limiter->acquire(m_request.principal,
                                         *m_app,
                                         m_operation->id,
                                         m_labels.operation,
                                         m_app->timeout + std::chrono::seconds(60));
        if (!lease) {
            return lease.error();
        }
        m_lease = std::move(*lease);
    }
    return {};
}

void InvocationService::Call::resolveCredential()
{
    Result<const AppConnection *> connection =
        AppConnections::resolve(*m_app, m_operation, m_request.connection);
    if (!connection) {
        failLater(connection.error());
        return;
    }
    m_connection = *connection;
    const ConnectionMode mode =
        m_connection && !m_request.withoutCredential ? m_connection->mode() : ConnectionMode::None;
    m_labels.connectionMode = modeLabel(mode);
    auto self = shared_from_this();
    if (mode == ConnectionMode::None) {
        QMetaObject::invokeMethod(
            m_service, [self] { self->send(nullptr); }, Qt::QueuedConnection);
        return;
    }
    if (mode == ConnectionMode::Platform) {
        service().m_credentialService.resolvePlatform(
            m_app->name,
            m_app->egress,
            *m_connection,
            [self](const Result<StoredCredential> &credential) {
                self->withCredential(credential);
            });
        return;
    }
    Result<StoredCredential> stored = service().selectCredential(
        m_request.principal.subjectId, *m_app, *m_connection, m_request.instance);
    if (!stored) {
        failLater(stored.error());
        return;
    }
    service().m_credentialService.resolveFresh(
        m_app->name,
        m_app->egress,
        *m_connection,
        *stored,
        [self](const Result<StoredCredential> &credential) { self->withCredential(credential); });
}

void InvocationService::Call::withCredential(const Result<StoredCredential> &credential)
{
    if (!credential) {
        finish(credential.error());
        return;
    }
    if (m_labels.connectionMode == u"user") {
        m_credential.id = credential->id;
        m_credential.subjectId = credential->subjectId;
        m_credential.instance = credential->instance;
    }
    const CredentialMaterial material{credential->accessToken, credential->metadata};
    send(&material);
}

bool InvocationService::Call::admitUpstream(const CredentialMaterial *material)
{
    if (!service().m_backoff) {
        return true;
    }
    Result<std::chrono::milliseconds> admitted = service().m_backoff->admit(backoffKey(), m_waited);
    if (!admitted) {
        finish(admitted.error());
        return false;
    }
    if (admitted->count() == 0) {
        return true;
    }
    m_waited += *admitted;
    std::optional<CredentialMaterial> kept =
        material ? std::optional<CredentialMaterial>(*material) : std::nullopt;
    auto self = shared_from_this();
    m_cancelWait = service().m_backoff->after(*admitted, [self, kept] {
        self->m_cancelWait = {};
        self->send(kept ? &*kept : nullptr);
    });
    return false;
}

void InvocationService::Call::send(const CredentialMaterial *material)
{
    InvocationService *live = m_service;
    if (m_canceled || !live) {
        finish(Error{ErrorCode::BadGateway, u"upstream call canceled"_s});
        return;
    }
    const AuthConfig *auth =
        m_connection && m_connection->config.auth ? &*m_connection->config.auth : nullptr;
    if (m_operation->transport == Operation::Transport::Mcp) {
        sendMcp(auth, material);
        return;
    }
    if (!admitUpstream(material)) {
        return;
    }
    Result<UpstreamRequest> request =
        RequestBuilder::build(*m_app, *m_operation, m_request.params, auth, material);
    if (!request) {
        finish(request.error());
        return;
    }
    UpstreamOptions options;
    options.timeout = m_app->timeout;
    options.egress = m_app->egress;
    auto self = shared_from_this();
    m_upstream =
        live->m_upstream->send(*request, options, [self](Result<UpstreamResponse> response) {
            self->m_upstream.reset();
            if (!response) {
                self->finish(response.error());
                return;
            }
            if (InvocationService *owner = self->m_service; owner && owner->m_backoff) {
                owner->m_backoff->noteResponse(self->backoffKey(),
                                               self->m_credential.subjectId,
                                               self->m_credential.instance,
                                               response->status,
                                               response->headers);
            }
            if (response->status == 401) {
                self->finish(CredentialService::reconnectRequired(self->m_app->name));
                return;
            }
            self->finish(InvocationResult{
                response->status, response->contentType, std::move(response->body)});
        });
}

void InvocationService::Call::sendMcp(const AuthConfig *auth, const CredentialMaterial *material)
{
    if (!service().m_mcp) {
        finish(Error::unavailable(u"upstream MCP servers are not running"_s));
        return;
    }
    Result<McpInvoker::Headers> headers = mcpCredentialHeaders(auth, material);
    if (!headers) {
        finish(headers.error());
        return;
    }
    // An upstream 401 for a stored credential: reconnect, as for a REST upstream.
    const bool credentialSent = !headers->isEmpty();
    const McpError upstreamError = [app = m_app->name, credentialSent](const Error &error) {
        return credentialSent && error.machineCode == McpClient::CredentialRejectedCode
                   ? CredentialService::reconnectRequired(app)
                   : error;
    };
    if (m_request.listUpstreamTools) {
        listUpstreamTools(*headers, upstreamError);
        return;
    }
    callUpstreamTool(*headers, upstreamError);
}

Result<McpInvoker::Headers>
InvocationService::Call::mcpCredentialHeaders(const AuthConfig *auth,
                                              const CredentialMaterial *material) const
{
    McpInvoker::Headers headers;
    if (!material || m_app->mcpSurface->url.isEmpty()) {
        return headers;
    }
    // The credential goes upstream the way the connection's auth block says (bearer by
    // default), exactly as for a REST call to the server's URL.
    AppDefinition target = *m_app;
    target.baseUrl = m_app->mcpSurface->url;
    Operation post;
    post.id = m_operation->id;
    post.method = u"POST"_s;
    Result<UpstreamRequest> request =
        RequestBuilder::build(target, post, QJsonObject(), auth, material);
    if (!request) {
        return request.error();
    }
    for (const auto &[name, value] : request->headers) {
        if (name.compare("content-type", Qt::CaseInsensitive) != 0) {
            headers.append({name, value});
        }
    }
    return headers;
}

void InvocationService::Call::listUpstreamTools(const McpInvoker::Headers &headers,
                                                const McpError &upstreamError)
{
    auto self = shared_from_this();
    service().m_mcp->listToolsFor(
        *m_app, headers, m_app->timeout, [self, upstreamError](Result<QList<Operation>> tools) {
            if (!tools) {
                self->finish(upstreamError(tools.error()));
                return;
            }
            InvocationResult answer;
            answer.upstreamTools = *tools;
            self->finish(std::move(answer));
        });
}

void InvocationService::Call::callUpstreamTool(const McpInvoker::Headers &headers,
                                               const McpError &upstreamError)
{
    auto self = shared_from_this();
    // The upstream's own name (an allowedOperations alias is ours); a caller-scoped app's tool
    // is found by the name the caller used.
    const QString tool =
        m_operation->originalId.isEmpty() ? m_operation->id : m_operation->originalId;
    // A caller-scoped app's tool is known once its server answered: the access check then
    // runs on it (its allowedRoles too), exactly as tools/list filtered it.
    const McpInvoker::ToolGate gate = [self](const Operation &resolved) -> Result<void> {
        InvocationService *live = self->m_service;
        if (!live) {
            return Error::unavailable(u"server shutting down"_s);
        }
        return live->m_access.checkOperation(self->m_request.principal, *self->m_app, resolved);
    };
    m_cancelMcp = service().m_mcp->callTool(
        *m_app,
        tool,
        m_request.params,
        headers,
        m_app->timeout,
        gate,
        [self, upstreamError](Result<QJsonObject> result) {
            self->m_cancelMcp = {};
            if (!result) {
                self->finish(upstreamError(result.error()));
                return;
            }
            InvocationResult answer;
            answer.contentType = "application/json";
            answer.body = QJsonDocument(*result).toJson(QJsonDocument::Compact);
            answer.toolResult = *result;
            self->finish(std::move(answer));
        },
        m_request.progress);
}

void InvocationService::Call::finish(Result<InvocationResult> result)
{
    if (m_done) {
        return;
    }
    m_done = true;
    if (m_lease) {
        m_lease->release(); // whatever the outcome, also on abort
    }
    const int status = result ? result->status : httpStatusFor(result.error().code);
    if (m_upstreamOperation && result && status < 400
        && !(result->toolResult && result->toolResult->value(u"isError"_s).toBool())) {
        m_labels.operation = m_upstreamOperation->id;
    }
    m_labels.resultStatus = QString::number(status);
    m_labels.resultStatusClass =
        status >= 100 && status < 600 ? QString::number(status / 100) + u"xx"_s : u"unknown"_s;
    if (InvocationService *live = m_service; live && !m_request.listUpstreamTools) {
        live->m_metrics.recordOperation(
            m_labels,
            double(m_timer.nsecsElapsed()) / 1e9,
            !result || status >= 400
                || (result->toolResult && result->toolResult->value(u"isError"_s).toBool()));
        if (live->m_audit) {
            // No HttpRequest here (MCP, workflows and agents call too): the context came with the
            // call. Only a refusal counts as not allowed; other failures carry their error.
            AuditEvent event;
            event.context = m_request.audit;
            event.setPrincipal(m_request.principal);
            event.action = m_request.operation;
            event.setTarget({u"operation"_s, m_request.operation, m_request.app});
            event.allowed = result.hasValue()
                            || (result.error().code != ErrorCode::Forbidden
                                && result.error().code != ErrorCode::Unauthenticated);
            if (!result) {
                event.error = publicMessage(result.error());
            } else if (status >= 400) {
                event.error = u"upstream answered %1"_s.arg(status);
            }
            live->m_audit->record(std::move(event));
        }
    }
    Callback callback = std::move(m_callback);
    callback(std::move(result));
}

InvocationService::InvocationService(const AppCatalog &catalog,
                                     const AccessCheck &access,
                                     CredentialRepository &credentials,
                                     CredentialService &credentialService,
                                     ServerMetrics &metrics,
                                     UpstreamClient &upstream,
                                     QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
    , m_access(access)
    , m_credentials(credentials)
    , m_credentialService(credentialService)
    , m_metrics(metrics)
    , m_upstream(&upstream)
{}

InvocationService::~InvocationService() = default;

std::shared_ptr<UpstreamCall> InvocationService::invoke(const InvocationRequest &request,
                                                        Callback callback)
{
    auto call = std::make_shared<Call>(*this, request, std::move(callback));
    call->start();
    return call;
}

Result<StoredCredential> InvocationService::selectCredential(const QString &subjectId,
                                                             const AppDefinition &app,
                                                             const AppConnection &connection,
                                                             const QString &instance)
{
    Result<QList<StoredCredential>> stored = m_credentials.list(subjectId, connection.connectionId);
    if (!stored) {
        return stored.error();
    }
    const Error notConnected{
        ErrorCode::PreconditionFailed,
        u"no external credential stored for integration \"%1\"; connect via OAuth first"_s.arg(
            app.name),
        u"not_connected"_s};
    QList<StoredCredential> candidates;
    for (const StoredCredential &credential : std::as_const(*stored)) {
        if (instance.isEmpty() || credential.instance == instance) {
            candidates.append(credential);
        }
    }
    if (candidates.isEmpty()) {
        return notConnected;
    }
    if (candidates.size() > 1) {
        QStringList names;
        for (const StoredCredential &credential : std::as_const(candidates)) {
            names.append(credential.instance);
        }
        return Error{ErrorCode::Conflict,
                     u"multiple instances are connected for integration \"%1\" (%2); choose one "
                     "with _instance"_s.arg(app.name, names.join(u", "_s)),
                     u"instance_selection_required"_s};
    }
    if (candidates.first().invalid) {
        return CredentialService::reconnectRequired(app.name);
    }
    return candidates.first();
}

} // namespace Gestalt
