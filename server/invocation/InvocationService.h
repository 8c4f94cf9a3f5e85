// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditEvent.h"
#include "catalog/AppConnections.h"
#include "catalog/AppDefinition.h"
#include "connections/StoredCredential.h"
#include "core/Principal.h"
#include "httpclient/UpstreamClient.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace Gestalt {

class AuditLog;
class McpInvoker;

class AccessCheck;
class AppCatalog;
class CredentialRepository;
class CredentialService;
class RateLimiter;
class ServerMetrics;
class UpstreamBackoff;

// One operation call, from any door (REST now; MCP, workflows and agents later).
struct InvocationRequest
{
    Principal principal;
    QString app;
    QString operation;
    QJsonObject params;                       // selectors removed
    QString connection;                       // _connection, empty for the default rules
    QString instance;                         // _instance, empty to auto-select
    QString surface = QStringLiteral("http"); // metrics label gestalt_invocation_surface
    QString httpBinding;            // metrics label gestalt_http_binding, for hosted bindings
    bool withoutCredential = false; // hosted binding with credentialMode none
    AuditContext audit; // request id, client address, user agent, source for the audit event
    // Operations of upstream MCP apps: the server's notifications/progress params for the call
    // ({progress, total?, message?} and the upstream's token), until the callback.
    std::function<void(const QJsonObject &)> progress;
    // For a caller-scoped upstream MCP app (McpInvoker::isCallerScoped): instead of running
    // `operation`, list the tools its server shows the caller's credential
    // (InvocationResult::upstreamTools). Needs the app's access only; not audited or counted.
    bool listUpstreamTools = false;
};

struct InvocationResult
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    // An upstream MCP tool's CallToolResult, passed through /mcp verbatim (body holds its JSON).
    std::optional<QJsonObject> toolResult = std::nullopt;
    std::optional<QList<Operation>> upstreamTools = std::nullopt; // listUpstreamTools
};

// Runs operations: app and operation lookup → the access check → connection and instance choice
// → credential (refreshed first when it expires soon) → the upstream request → the answer, with
// gestaltd_operation_* metrics. Never blocks the event loop. Errors follow gestalt-facts §10.2.
class InvocationService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InvocationService)

public:
    using Callback = std::function<void(Result<InvocationResult>)>;

    // `upstream` is the server's one UpstreamClient (owned by Application), shared with every
    // component that makes outbound requests; it must outlive the service.
    InvocationService(const AppCatalog &catalog,
                      const AccessCheck &access,
                      CredentialRepository &credentials,
                      CredentialService &credentialService,
                      ServerMetrics &metrics,
                      UpstreamClient &upstream,
                      QObject *parent = nullptr);
    ~InvocationService() override;

    // Every finished invocation writes an audit event (action = operation id).
    void setAuditLog(AuditLog *audit) { m_audit = audit; }
    // Operations of upstream MCP apps (tools discovered at run time) run through it.
    void setMcpUpstreams(McpInvoker *upstreams) { m_mcp = upstreams; }
    // Asked before every invocation, whoever runs it (REST, MCP, a workflow step or an agent
    // tool as its owner): a disabled user's authority runs nothing.
    using SubjectCheck = std::function<Result<void>(const Principal &)>;
    void setSubjectCheck(SubjectCheck check) { m_subjectCheck = std::move(check); }
    // server.limits: asked after the access check, before any credential or upstream work
    // (null when nothing is configured: no cost).
    void setRateLimiter(RateLimiter *limiter) { m_limiter = limiter; }
    // REST operations honour an upstream's 429/503 Retry-After per credential through it.
    void setUpstreamBackoff(UpstreamBackoff *backoff) { m_backoff = backoff; }

    // Calls back exactly once (never from inside invoke()). The handle aborts the call.
    std::shared_ptr<UpstreamCall> invoke(const InvocationRequest &request, Callback callback);

    // The caller's stored credential for a user-mode connection: the named instance, else the
    // only one. 412 not_connected when none, 409 instance_selection_required when several,
    // 412 reconnect_required when it is marked invalid.
    [[nodiscard]] Result<StoredCredential> selectCredential(const QString &subjectId,
                                                            const AppDefinition &app,
                                                            const AppConnection &connection,
                                                            const QString &instance);

    // The server's one UpstreamClient (the one passed in).
    [[nodiscard]] UpstreamClient &upstream() { return *m_upstream; }

private:
    class Call;

    const AppCatalog &m_catalog;
    const AccessCheck &m_access;
    CredentialRepository &m_credentials;
    CredentialService &m_credentialService;
    ServerMetrics &m_metrics;
    AuditLog *m_audit = nullptr;
    McpInvoker *m_mcp = nullptr;
    SubjectCheck m_subjectCheck;
    RateLimiter *m_limiter = nullptr;
    UpstreamClient *m_upstream; // shared, not owned
    UpstreamBackoff *m_backoff = nullptr;
};

} // namespace Gestalt
