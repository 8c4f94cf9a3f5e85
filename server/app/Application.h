// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/Config.h"
#include "http/Router.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace Gestalt {

class AccessCheck;
class McpOAuthRoutes;
class McpOAuthService;
class McpRoutes;
class McpToolCatalog;
class McpUpstreams;
class RuntimeRegistry;
class RuntimeRoutes;
class AdminAuthorizationRoutes;
class AdminShellAssets;
class AdminShellRoutes;
class AdminUserRoutes;
class AdminGuard;
class AppCatalog;
class AuditLog;
class AuditRepository;
class AuditRoutes;
class Authorizer;
class AuthzSnapshot;
class LoginRoutes;
class ManagedSubjectRelations;
class ManagedSubjectRepository;
class ManagedSubjectService;
class ManagedSubjectRoutes;
class MembershipService;
class OidcProvider;
class RelationshipRepository;
class SessionTokens;
class AppRoutes;
class AppService;
class BindingRoutes;
class ConnectionRoutes;
class ConnectionService;
class CredentialRepository;
class CredentialService;
class Database;
class InvocationService;
class LimitRoutes;
class RateLimiter;
class UpstreamBackoff;
class UpstreamBackoffRoutes;
class OAuthClient;
class OAuthGrantRepository;
class HttpServer;
class IdentityService;
class MetricsRegistry;
class ProbeRoutes;
class MetricsRoutes;
class ServerMetrics;
class TokenRepository;
class TokenRoutes;
class TokenService;
class UpstreamClient;
class UserRepository;
class WorkflowEngine;
class AgentEngine;
struct RequestRecord;
namespace Crypto {
class Sealer;
class SecretKey;
} // namespace Crypto

// Builds every service from the config and owns their lifetimes, in dependency order.
// Tests start it on port 0 exactly as gestaltd does.
class Application final : public QObject
{
    Q_OBJECT

public:
    // Derives the key, opens (and migrates) the datastore, wires services and routes.
    [[nodiscard]] static Result<std::unique_ptr<Application>> create(const Config &config,
                                                                     Clock clock = systemClock());
    ~Application() override;
    Q_DISABLE_COPY_MOVE(Application)

    // Binds the public listener and, when configured, the management listener.
    [[nodiscard]] Result<void> start();
    [[nodiscard]] quint16 publicPort() const { return m_publicPort; }
    [[nodiscard]] std::optional<quint16> managementPort() const { return m_managementPort; }

    // Stops accepting connections, lets open requests finish (at most timeoutMs), then emits
    // stopped(). The datastore closes when the Application is destroyed.
    void shutdown(int timeoutMs = 30000);

    [[nodiscard]] const Config &config() const { return m_config; }
    [[nodiscard]] Database &database() { return *m_database; }
    [[nodiscard]] const AppCatalog &catalog() const { return *m_catalog; }
    [[nodiscard]] AuthzSnapshot &authzSnapshot() { return *m_authzSnapshot; }
    [[nodiscard]] AuditLog &auditLog() { return *m_auditLog; }
    [[nodiscard]] RuntimeRegistry &runtime() { return *m_runtime; }
    [[nodiscard]] McpUpstreams &mcpUpstreams() { return *m_mcpUpstreams; }
    [[nodiscard]] WorkflowEngine &workflows() { return *m_workflows; }
    [[nodiscard]] AgentEngine &agents() { return *m_agents; }
    // The route table of the public listener (tests walk every authenticated route).
    [[nodiscard]] const Router &publicRouter() const;
    // Platform sessions; null when login is disabled.
    [[nodiscard]] const SessionTokens *sessions() const { return m_sessions.get(); }
    // server.baseUrl, else http://<public host>:<bound port>.
    [[nodiscard]] QString publicBaseUrl() const;

Q_SIGNALS:
    void stopped();

private:
    Application(Config config, Clock clock);
    // The creation steps of create(), one per domain, in this order.
    [[nodiscard]] Result<void> createCatalog(const Crypto::SecretKey &key);
    [[nodiscard]] Result<void> createAdminShell();
    [[nodiscard]] Result<void> createStore();
    void createMetrics();
    void createIdentity();
    void createAudit();
    [[nodiscard]] Result<void> createLogin(const Crypto::SecretKey &key);
    [[nodiscard]] Result<void> createAuthorization();
    void createConnections();
    void createSubjects();
    void createRuntime();
    [[nodiscard]] Result<void> createInvocation();
    void createMcp();
    [[nodiscard]] Result<void> createAgents();
    [[nodiscard]] Result<void> createWorkflows();

    // The routes of each domain, then both listeners with their route tables.
    void registerRoutes();
    void createProbeRoutes();
    void createIdentityRoutes();
    void createInvocationRoutes();
    void createConnectionRoutes();
    void createAuthorizationRoutes();
    void createAuditRoutes();
    void registerMcpRoutes(Router &router);
    [[nodiscard]] std::function<void(const RequestRecord &)> requestObserver();
    void registerOperatorRoutes(Router &router);
    [[nodiscard]] int activeRequests() const;

    Config m_config;
    Clock m_clock;
    enum class Phase {
        Starting,
        Serving,
        Stopping,
    };
    Phase m_phase = Phase::Starting;
    quint16 m_publicPort = 0;
    std::optional<quint16> m_managementPort;

    std::unique_ptr<Crypto::Sealer> m_sealer;
    // Every outbound request of the server goes through this one client (destroyed right after
    // the listeners, while every service that waits on a call is still there).
    std::unique_ptr<UpstreamClient> m_upstream;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<MetricsRegistry> m_metrics;
    std::unique_ptr<ServerMetrics> m_serverMetrics;
    std::unique_ptr<UserRepository> m_users;
    std::unique_ptr<TokenRepository> m_tokens;
    std::unique_ptr<OAuthGrantRepository> m_oauthGrants;
    std::unique_ptr<IdentityService> m_identity;
    std::unique_ptr<TokenService> m_tokenService;
    std::unique_ptr<AppCatalog> m_catalog;
    std::unique_ptr<AuditRepository> m_auditRepository;
    std::unique_ptr<AuditLog> m_auditLog;
    std::unique_ptr<SessionTokens> m_sessions;
    std::unique_ptr<OidcProvider> m_oidc;
    std::unique_ptr<RelationshipRepository> m_relationships;
    std::unique_ptr<AuthzSnapshot> m_authzSnapshot;
    std::unique_ptr<Authorizer> m_authorizer;
    std::unique_ptr<MembershipService> m_memberships;
    std::unique_ptr<ManagedSubjectRepository> m_managedSubjects;
    std::unique_ptr<ManagedSubjectService> m_managedSubjectService;
    std::unique_ptr<ManagedSubjectRelations> m_managedSubjectRelations;
    std::unique_ptr<AdminGuard> m_adminGuard;
    std::unique_ptr<AccessCheck> m_access;
    std::unique_ptr<CredentialRepository> m_credentials;
    std::unique_ptr<OAuthClient> m_oauth;
    std::unique_ptr<CredentialService> m_credentialService;
    std::unique_ptr<RuntimeRegistry> m_runtime;
    std::unique_ptr<McpUpstreams> m_mcpUpstreams; // stopped before the runtime goes
    std::unique_ptr<RateLimiter> m_rateLimiter;   // null without server.limits; outlives calls
    std::unique_ptr<LimitRoutes> m_limitRoutes;
    std::unique_ptr<UpstreamBackoff> m_upstreamBackoff; // outlives the calls waiting on it
    std::unique_ptr<InvocationService> m_invocations;
    std::unique_ptr<McpToolCatalog> m_mcpTools;
    std::unique_ptr<ConnectionService> m_connectionService;
    std::unique_ptr<AgentEngine> m_agents;       // before m_invocations goes
    std::unique_ptr<WorkflowEngine> m_workflows; // before m_agents goes
    std::unique_ptr<ProbeRoutes> m_probeRoutes;
    std::unique_ptr<MetricsRoutes> m_metricsRoutes;
    std::unique_ptr<TokenRoutes> m_tokenRoutes;
    std::unique_ptr<AppService> m_appService;
    std::unique_ptr<AppRoutes> m_appRoutes;
    std::unique_ptr<ConnectionRoutes> m_connectionRoutes;
    std::unique_ptr<BindingRoutes> m_bindingRoutes;
    std::unique_ptr<LoginRoutes> m_loginRoutes;
    std::unique_ptr<AdminAuthorizationRoutes> m_adminAuthorizationRoutes;
    std::unique_ptr<ManagedSubjectRoutes> m_managedSubjectRoutes;
    std::unique_ptr<AuditRoutes> m_auditRoutes;
    std::unique_ptr<McpOAuthService> m_mcpOAuth; // null without platform login
    std::unique_ptr<McpRoutes> m_mcpRoutes;
    std::unique_ptr<McpOAuthRoutes> m_mcpOAuthRoutes;
    std::unique_ptr<RuntimeRoutes> m_runtimeRoutes;
    std::unique_ptr<AdminUserRoutes> m_adminUserRoutes;
    std::unique_ptr<UpstreamBackoffRoutes> m_upstreamBackoffRoutes;
    std::unique_ptr<AdminShellAssets> m_adminShellAssets;
    std::unique_ptr<AdminShellRoutes> m_adminShellRoutes;
    std::unique_ptr<HttpServer> m_publicServer;
    std::unique_ptr<HttpServer> m_managementServer;
};

} // namespace Gestalt
