// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/Application.h"

#include "admin/AdminShellRoutes.h"
#include "admin/AdminUserRoutes.h"
#include "agents/AgentEngine.h"
#include "agents/AgentService.h"
#include "app/ProbeRoutes.h"
#include "audit/AuditLog.h"
#include "audit/AuditRepository.h"
#include "audit/AuditRoutes.h"
#include "authz/AccessCheck.h"
#include "authz/AdminAuthorizationRoutes.h"
#include "authz/AdminGuard.h"
#include "authz/Authorizer.h"
#include "authz/AuthzSnapshot.h"
#include "authz/MembershipService.h"
#include "authz/RelationshipRepository.h"
#include "catalog/AppCatalog.h"
#include "connections/ConnectionRoutes.h"
#include "connections/ConnectionService.h"
#include "connections/CredentialRepository.h"
#include "connections/CredentialService.h"
#include "core/Logging.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "crypto/Sealer.h"
#include "crypto/SecretKey.h"
#include "http/HttpServer.h"
#include "httpclient/OAuthClient.h"
#include "httpclient/UpstreamClient.h"
#include "identity/IdentityService.h"
#include "identity/LoginRoutes.h"
#include "identity/OAuthGrantRepository.h"
#include "identity/OidcProvider.h"
#include "identity/SessionTokens.h"
#include "identity/TokenRepository.h"
#include "identity/TokenRoutes.h"
#include "identity/TokenService.h"
#include "identity/UserRepository.h"
#include "invocation/AppRoutes.h"
#include "invocation/AppService.h"
#include "invocation/BindingRoutes.h"
#include "invocation/InvocationService.h"
#include "invocation/UpstreamBackoff.h"
#include "invocation/UpstreamBackoffRoutes.h"
#include "limits/LimitRoutes.h"
#include "limits/RateLimiter.h"
#include "mcp/McpRoutes.h"
#include "mcp/McpToolCatalog.h"
#include "mcp/McpUpstreams.h"
#include "mcp/oauth/McpOAuthRoutes.h"
#include "mcp/oauth/McpOAuthService.h"
#include "metrics/MetricsRegistry.h"
#include "metrics/MetricsRoutes.h"
#include "metrics/ProcessMetrics.h"
#include "metrics/ServerMetrics.h"
#include "runtime/RuntimeProvider.h"
#include "runtime/RuntimeRoutes.h"
#include "shared/Version.h"
#include "store/Database.h"
#include "subjects/ManagedSubjectRelations.h"
#include "subjects/ManagedSubjectRepository.h"
#include "subjects/ManagedSubjectRoutes.h"
#include "subjects/ManagedSubjectService.h"
#include "workflows/WorkflowEngine.h"

#include <QJsonDocument>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Another replica's authorization change reaches this one within this interval.
constexpr int authzPollMs = 2000;

HttpServerOptions serverOptions(const ServerConfig &server, const QString &name)
{
    HttpServerOptions options;
    options.name = name;
    options.limits.maxBodyBytes = server.http.maxBodyBytes;
    options.limits.maxHeaderBytes = static_cast<int>(server.http.maxHeaderBytes);
    options.limits.idleTimeoutMs = static_cast<int>(server.http.idleTimeout.count());
    options.limits.maxConnections = server.http.maxConnections;
    options.limits.maxConnectionsPerAddress = server.http.maxConnectionsPerAddress;
    options.limits.requestReadTimeoutMs = static_cast<int>(server.http.requestReadTimeout.count());
    options.limits.writeTimeoutMs = static_cast<int>(server.http.writeTimeout.count());
    options.limits.maxPipelinedRequests = server.http.maxPipelinedRequests;
    options.limits.maxPendingResponseBytes = server.http.maxPendingResponseBytes;
    options.requestTimeoutMs = static_cast<int>(server.http.requestTimeout.count());
    options.hsts = server.baseUrl.startsWith(u"https://"_s, Qt::CaseInsensitive);
    QStringList urls{server.baseUrl};
    if (server.management) {
        urls.append(server.management->baseUrl);
    }
    for (const QString &url : std::as_const(urls)) {
        if (!url.isEmpty()) {
            options.policy.extraHosts.append(QUrl(url).host(QUrl::FullyEncoded).toLower());
            options.policy.ownOrigins.append(RequestPolicy::originOf(url));
        }
    }
    options.policy.trustedProxies = server.trustedProxies;
    return options;
}

} // namespace

Application::Application(Config config, Clock clock)
    : m_config(std::move(config))
    , m_clock(std::move(clock))
{}

Application::~Application()
{
    // Listeners first, so no request reaches a service that is being destroyed.
    m_publicServer.reset();
    m_managementServer.reset();
    // The engines go as they would in a crash (a run or turn in flight stays as it is, for its
    // lease to lapse), then calls still in flight end (canceled) while the services they answer
    // still exist.
    m_workflows.reset();
    m_agents.reset();
    m_upstream.reset();
}

Result<std::unique_ptr<Application>> Application::create(const Config &config, Clock clock)
{
    if (Result<void> ready = config.validateForServe(); !ready) {
        return ready.error();
    }
    if (const QStringList runtime = RuntimeRegistry::problems(config.runtime); !runtime.isEmpty()) {
        return Error::invalid(runtime.join(u'\n'));
    }
    std::unique_ptr<Application> app(new Application(config, std::move(clock)));
    Result<Crypto::SecretKey> key = Crypto::SecretKey::derive(config.server.encryptionKey);
    if (!key) {
        return key.error();
    }
    // One step per domain, each after the ones it needs; the first failure ends the start.
    if (Result<void> created = app->createCatalog(*key); !created) {
        return created.error();
    }
    if (Result<void> created = app->createAdminShell(); !created) {
        return created.error();
    }
    if (Result<void> created = app->createStore(); !created) {
        return created.error();
    }
    app->createMetrics();
    app->createIdentity();
    app->createAudit();
    if (Result<void> created = app->createLogin(*key); !created) {
        return created.error();
    }
    if (Result<void> created = app->createAuthorization(); !created) {
        return created.error();
    }
    app->createConnections();
    app->createSubjects();
    app->createRuntime();
    if (Result<void> created = app->createInvocation(); !created) {
        return created.error();
    }
    app->createMcp();
    if (Result<void> created = app->createAgents(); !created) {
        return created.error();
    }
    if (Result<void> created = app->createWorkflows(); !created) {
        return created.error();
    }
    app->registerRoutes();
    return app;
}

// The sealer and the one outbound client, then the catalog (what each app is).
Result<void> Application::createCatalog(const Crypto::SecretKey &key)
{
    m_sealer = std::make_unique<Crypto::Sealer>(key);
    m_upstream = std::make_unique<UpstreamClient>();
    Result<AppCatalog> catalog = AppCatalog::build(m_config);
    if (!catalog) {
        return catalog.error();
    }
    m_catalog = std::make_unique<AppCatalog>(std::move(catalog).value());
    return {};
}

Result<void> Application::createAdminShell()
{
    Result<AdminShellAssets> adminShell =
        AdminShellAssets::locate(m_config, qEnvironmentVariable("GESTALTD_ADMIN_UI_DIR"));
    if (!adminShell) {
        return adminShell.error();
    }
    m_adminShellAssets = std::make_unique<AdminShellAssets>(std::move(adminShell).value());
    return {};
}

Result<void> Application::createStore()
{
    Result<DatastoreSettings> settings =
        DatastoreSettings::fromDsn(m_config.datastoreDsn().value_or(QString()), m_config.baseDir);
    if (!settings) {
        return settings.error();
    }
    qCInfo(lcStore).noquote() << "store: opening" << settings->redacted();
    Result<std::unique_ptr<Database>> database = Database::open(*settings);
    if (!database) {
        return database.error();
    }
    m_database = std::move(database).value();
    return {};
}

void Application::createMetrics()
{
    m_metrics = std::make_unique<MetricsRegistry>();
    m_metrics->setSeriesLimit(m_config.server.metricsMaxSeriesPerFamily);
    m_serverMetrics = std::make_unique<ServerMetrics>(*m_metrics, Gestalt::version());
    ProcessMetrics().install(*m_metrics);
}

void Application::createIdentity()
{
    m_users = std::make_unique<UserRepository>(*m_database);
    m_tokens = std::make_unique<TokenRepository>(*m_database);
    m_oauthGrants = std::make_unique<OAuthGrantRepository>(*m_database);
    m_identity = std::make_unique<IdentityService>(*m_users, *m_tokens, m_clock);
    const QStringList appNames = m_config.apps.keys();
    m_tokenService = std::make_unique<TokenService>(
        *m_tokens,
        *m_identity,
        m_config.server.apiTokenTtl,
        m_config.server.cliTokenTtl,
        [appNames](const QString &name) { return appNames.contains(name); },
        m_clock);
}

void Application::createAudit()
{
    m_auditRepository = std::make_unique<AuditRepository>(*m_database);
    m_auditLog = std::make_unique<AuditLog>(*m_auditRepository, m_clock);
    m_auditLog->setRetention(m_config.server.auditRetention);
    m_identity->setAuditLog(m_auditLog.get());
}

// Platform login through OIDC, when configured: sessions, the provider, MCP OAuth grants.
Result<void> Application::createLogin(const Crypto::SecretKey &key)
{
    Result<std::optional<OidcSettings>> login = OidcSettings::fromConfig(m_config);
    if (!login) {
        return login.error();
    }
    if (!login->has_value()) {
        return {};
    }
    const OidcSettings &oidc = **login;
    m_sessions = std::make_unique<SessionTokens>(
        key,
        oidc.sessionTtl,
        m_config.server.baseUrl.startsWith(u"https://"_s, Qt::CaseInsensitive),
        m_clock);
    m_oidc = std::make_unique<OidcProvider>(oidc, *m_upstream, m_clock);
    m_identity->enableLogin(*m_sessions, m_oidc.get());
    m_identity->setMcpGrants(m_oauthGrants.get());
    qCInfo(lcApp).noquote() << "app: platform login through OIDC provider" << oidc.providerName
                            << "issuer" << oidc.issuerUrl;
    if (m_config.server.admin.authorizationPolicy.isEmpty()) {
        qCWarning(lcApp).noquote()
            << "app: platform login is on but server.admin.authorizationPolicy is not set:"
            << "/admin and /admin/api/v1 refuse everyone (403 admin_configuration_required)"
            << "until it names a policy whose members hold one of server.admin.allowedRoles";
    }
    return {};
}

void Application::createConnections()
{
    m_credentials = std::make_unique<CredentialRepository>(*m_database, *m_sealer);
    m_oauth = std::make_unique<OAuthClient>(*m_upstream);
    m_credentialService =
        std::make_unique<CredentialService>(*m_credentials, *m_oauth, m_clock, Crypto::uuidV4());
    m_connectionService = std::make_unique<ConnectionService>(*m_catalog,
                                                              *m_access,
                                                              *m_credentials,
                                                              *m_oauthGrants,
                                                              *m_oauth,
                                                              *m_upstream,
                                                              *m_sealer,
                                                              m_clock,
                                                              [this] { return publicBaseUrl(); });
    m_connectionService->setAuditLog(m_auditLog.get());
}

// Managed subjects (service accounts): their repository, rules and relations.
void Application::createSubjects()
{
    m_managedSubjects = std::make_unique<ManagedSubjectRepository>(*m_database, m_clock);
    m_managedSubjectService =
        std::make_unique<ManagedSubjectService>(ManagedSubjectService::Deps{*m_managedSubjects,
                                                                            *m_relationships,
                                                                            *m_memberships,
                                                                            *m_authorizer,
                                                                            *m_tokenService,
                                                                            *m_credentials});
    m_managedSubjectRelations = std::make_unique<ManagedSubjectRelations>(
        *m_relationships, *m_memberships, *m_authorizer, *m_catalog);
}

void Application::createRuntime()
{
    m_runtime = std::make_unique<RuntimeRegistry>(m_config.runtime);
}

// Calling an operation: the service, its rate limits and upstream backoff.
Result<void> Application::createInvocation()
{
    m_invocations = std::make_unique<InvocationService>(
        *m_catalog, *m_access, *m_credentials, *m_credentialService, *m_serverMetrics, *m_upstream);
    m_invocations->setAuditLog(m_auditLog.get());
    m_appService = std::make_unique<AppService>(*m_catalog, *m_access, *m_credentials);
    m_appService->setAuditLog(m_auditLog.get());
    Result<std::unique_ptr<RateLimiter>> limiter = RateLimiter::create(
        m_config.server.limits,
        *m_catalog,
        *m_database,
        *m_metrics,
        [this](const Principal &p, const AppDefinition &a) {
            return m_authorizer->appRole(p, a).role;
        },
        m_clock);
    if (!limiter) {
        return limiter.error();
    }
    m_rateLimiter = std::move(*limiter);
    m_invocations->setRateLimiter(m_rateLimiter.get());
    m_upstreamBackoff =
        std::make_unique<UpstreamBackoff>(m_config.server.upstreamLimits, *m_metrics, m_clock);
    m_invocations->setUpstreamBackoff(m_upstreamBackoff.get());
    // Workflow steps and agent tools run as their owner without a request: a disabled owner's
    // authority runs nothing (requests were refused at authentication already).
    m_invocations->setSubjectCheck([this](const Principal &principal) -> Result<void> {
        return principal.userId.isEmpty() ? Result<void>{}
                                          : m_identity->requireEnabled(principal.userId);
    });
    return {};
}

// The upstream MCP servers (which the invocation service calls) and the tool catalog of /mcp.
void Application::createMcp()
{
    m_mcpUpstreams = std::make_unique<McpUpstreams>(*m_catalog, *m_runtime, *m_upstream);
    m_invocations->setMcpUpstreams(m_mcpUpstreams.get());
    McpUpstreams *upstreams = m_mcpUpstreams.get();
    m_mcpTools =
        std::make_unique<McpToolCatalog>(*m_catalog, *m_access, [upstreams](const QString &name) {
            return upstreams->operations(name);
        });
    McpToolCatalog *tools = m_mcpTools.get();
    QObject::connect(upstreams, &McpUpstreams::toolsChanged, this, [tools] { tools->rebuild(); });
    if (m_sessions) {
        m_mcpOAuth = std::make_unique<McpOAuthService>(
            *m_sealer, *m_sessions, *m_users, *m_oauthGrants, m_clock);
    }
}

Result<void> Application::createAgents()
{
    Result<std::unique_ptr<AgentEngine>> agents = AgentEngine::create({m_config,
                                                                       *m_database,
                                                                       *m_catalog,
                                                                       *m_access,
                                                                       *m_invocations,
                                                                       m_mcpUpstreams.get(),
                                                                       m_auditLog.get(),
                                                                       m_clock});
    if (!agents) {
        return agents.error();
    }
    m_agents = std::move(*agents);
    return {};
}

Result<void> Application::createWorkflows()
{
    Result<std::unique_ptr<WorkflowEngine>> workflows =
        WorkflowEngine::create({m_config,
                                *m_database,
                                *m_catalog,
                                *m_access,
                                *m_invocations,
                                m_mcpUpstreams.get(),
                                *m_metrics,
                                m_auditLog.get(),
                                m_agents->service().configured() ? m_agents.get() : nullptr,
                                m_clock});
    if (!workflows) {
        return workflows.error();
    }
    m_workflows = std::move(*workflows);
    return {};
}

Result<void> Application::createAuthorization()
{
    m_relationships = std::make_unique<RelationshipRepository>(*m_database, m_clock);
    m_authzSnapshot = std::make_unique<AuthzSnapshot>(*m_relationships);
    m_authorizer = std::make_unique<Authorizer>(
        m_config.authorization, m_config.server.admin, *m_catalog, *m_authzSnapshot);
    const QJsonObject model = m_authorizer->model();
    const QString modelId =
        Crypto::sha256Hex(QJsonDocument(model).toJson(QJsonDocument::Compact)).left(16);
    if (Result<AuthzModel> active = m_relationships->activateModel(modelId, model); !active) {
        return active.error();
    }
    if (Result<void> synced = m_relationships->syncManaged(m_authorizer->staticRelationships());
        !synced) {
        return synced.error();
    }
    if (Result<void> loaded = m_authzSnapshot->reload(); !loaded) {
        return loaded.error();
    }
    m_authzSnapshot->startPolling(authzPollMs);
    m_memberships =
        std::make_unique<MembershipService>(*m_relationships, *m_authzSnapshot, *m_users);
    m_access = std::make_unique<AccessCheck>(*m_authorizer);
    m_adminGuard = std::make_unique<AdminGuard>(
        *m_authorizer, *m_identity, *m_catalog, [this] { return m_identity->loginEnabled(); });
    return {};
}

void Application::registerRoutes()
{
    createProbeRoutes();
    createIdentityRoutes();
    createInvocationRoutes();
    createConnectionRoutes();
    createAuthorizationRoutes();
    createAuditRoutes();

    m_publicServer = std::make_unique<HttpServer>(serverOptions(m_config.server, u"public"_s));
    m_publicServer->setAuthenticator(m_identity.get());
    m_publicServer->setObserver(requestObserver());
    // Registration order breaks ties between equally literal templates: keep it.
    Router &publicRoutes = m_publicServer->router();
    m_tokenRoutes->registerRoutes(publicRoutes);
    m_appRoutes->registerRoutes(publicRoutes);
    m_connectionRoutes->registerRoutes(publicRoutes);
    m_bindingRoutes->registerRoutes(publicRoutes);
    m_loginRoutes->registerRoutes(publicRoutes);
    m_managedSubjectRoutes->registerRoutes(publicRoutes);
    m_auditRoutes->registerRoutes(publicRoutes);
    m_workflows->registerRoutes(publicRoutes);
    m_agents->registerRoutes(publicRoutes);
    registerMcpRoutes(publicRoutes);

    if (m_config.server.management) {
        // The operator surface moves to its own listener and is 404 on the public one.
        m_managementServer =
            std::make_unique<HttpServer>(serverOptions(m_config.server, u"management"_s));
        m_managementServer->setAuthenticator(m_identity.get());
        m_managementServer->setObserver(requestObserver());
        m_probeRoutes->registerRoutes(m_managementServer->router());
        m_metricsRoutes->registerRoutes(m_managementServer->router(), RouteAuth::Public);
        registerOperatorRoutes(m_managementServer->router());
    } else {
        m_probeRoutes->registerRoutes(publicRoutes);
        m_metricsRoutes->registerRoutes(publicRoutes, RouteAuth::Authenticated);
        registerOperatorRoutes(publicRoutes);
    }
}

std::function<void(const RequestRecord &)> Application::requestObserver()
{
    return [this](const RequestRecord &record) {
        m_serverMetrics->recordHttpRequest(record.method,
                                           record.route,
                                           record.status,
                                           record.seconds,
                                           record.requestBytes,
                                           record.responseBytes);
    };
}

// Readiness (what /readyz reports besides the datastore) and metrics.
void Application::createProbeRoutes()
{
    m_probeRoutes = std::make_unique<ProbeRoutes>(*m_database, [this]() -> QString {
        switch (m_phase) {
        case Phase::Starting:
            return u"still starting"_s;
        case Phase::Stopping:
            return u"shutting down"_s;
        case Phase::Serving:
            break;
        }
        if (m_oidc && !m_oidc->isReady()) {
            return u"authentication provider is not ready: "_s + m_oidc->lastError();
        }
        return {};
    });
    m_metricsRoutes = std::make_unique<MetricsRoutes>(*m_metrics);
}

void Application::createIdentityRoutes()
{
    m_tokenRoutes = std::make_unique<TokenRoutes>(*m_tokenService);
    m_tokenRoutes->setAuditLog(m_auditLog.get());
    m_loginRoutes = std::make_unique<LoginRoutes>(
        *m_identity,
        m_sessions.get(),
        m_oidc.get(),
        *m_tokenService,
        *m_sealer,
        *m_auditLog,
        m_clock,
        LoginRoutes::Options{m_config.server.management ? m_config.server.management->baseUrl
                                                        : QString(),
                             [this] { return publicBaseUrl(); },
                             static_cast<qsizetype>(m_config.server.loginMaxUsedStates),
                             m_agents->service().configured()});
}

void Application::createInvocationRoutes()
{
    m_appRoutes = std::make_unique<AppRoutes>(*m_appService, *m_invocations);
    m_bindingRoutes = std::make_unique<BindingRoutes>(*m_catalog, *m_invocations, m_clock);
}

void Application::createConnectionRoutes()
{
    m_connectionRoutes = std::make_unique<ConnectionRoutes>(
        *m_connectionService,
        *m_identity,
        m_config.server.baseUrl.startsWith(u"https://"_s, Qt::CaseInsensitive));
}

// Admin authorization and managed subjects (service accounts).
void Application::createAuthorizationRoutes()
{
    m_adminAuthorizationRoutes =
        std::make_unique<AdminAuthorizationRoutes>(*m_adminGuard,
                                                   *m_authorizer,
                                                   *m_catalog,
                                                   *m_memberships,
                                                   *m_auditLog,
                                                   m_config.server.providers.authorization.isEmpty()
                                                       ? u"database"_s
                                                       : m_config.server.providers.authorization);
    m_managedSubjectRoutes = std::make_unique<ManagedSubjectRoutes>(
        ManagedSubjectRoutes::Deps{*m_managedSubjectService,
                                   *m_managedSubjectRelations,
                                   *m_tokenService,
                                   *m_connectionService,
                                   *m_appService,
                                   *m_auditLog});
}

void Application::createAuditRoutes()
{
    m_auditRoutes = std::make_unique<AuditRoutes>(*m_auditLog, [this](const HttpRequest &request) {
        return m_adminGuard->requireAdmin(*request.principal);
    });
}

// /mcp when an app has tools for it, and its OAuth authorization server when login is on.
void Application::registerMcpRoutes(Router &router)
{
    if (!McpToolCatalog::anyContributor(*m_catalog)) {
        return;
    }
    McpRoutes::Options mcpOptions;
    if (m_mcpOAuth) {
        mcpOptions.challenge = [this] {
            return QString::fromUtf8(McpOAuthRoutes::challenge(publicBaseUrl()));
        };
        m_mcpOAuthRoutes = std::make_unique<McpOAuthRoutes>(
            *m_sealer, *m_mcpOAuth, [this] { return publicBaseUrl(); }, m_clock);
        m_mcpOAuthRoutes->registerRoutes(router);
    }
    m_mcpRoutes = std::make_unique<McpRoutes>(
        *m_mcpTools, *m_invocations, *m_identity, std::move(mcpOptions));
    m_mcpRoutes->registerRoutes(router);
}

void Application::registerOperatorRoutes(Router &router)
{
    m_runtimeRoutes = std::make_unique<RuntimeRoutes>(*m_runtime, *m_adminGuard);
    m_runtimeRoutes->registerRoutes(router);
    m_adminAuthorizationRoutes->registerRoutes(router);
    m_adminUserRoutes = std::make_unique<AdminUserRoutes>(*m_adminGuard, *m_identity, *m_auditLog);
    m_adminUserRoutes->registerRoutes(router);
    m_limitRoutes = std::make_unique<LimitRoutes>(m_rateLimiter.get(), *m_adminGuard);
    m_limitRoutes->registerRoutes(router);
    m_upstreamBackoffRoutes =
        std::make_unique<UpstreamBackoffRoutes>(*m_adminGuard, *m_upstreamBackoff);
    m_upstreamBackoffRoutes->registerRoutes(router);
    m_adminShellRoutes = std::make_unique<AdminShellRoutes>(
        *m_adminShellAssets,
        *m_adminGuard,
        AdminShellRoutes::Options{m_config.server.management.has_value(),
                                  m_config.server.baseUrl,
                                  m_config.server.management ? m_config.server.management->baseUrl
                                                             : QString(),
                                  [this] { return publicBaseUrl(); },
                                  [this] {
                                      return m_identity->loginEnabled();
                                  }});
    m_adminShellRoutes->registerRoutes(router);
}

Result<void> Application::start()
{
    const ListenerConfig &pub = m_config.server.publicListener;
    Result<quint16> publicPort = m_publicServer->listen(pub.host, static_cast<quint16>(pub.port));
    if (!publicPort) {
        return publicPort.error();
    }
    m_publicPort = *publicPort;
    qCInfo(lcApp).noquote() << "app: public listener on" << pub.host << "port" << m_publicPort;
    if (m_managementServer) {
        const ManagementListenerConfig &mgmt = *m_config.server.management;
        const QString host = mgmt.host.isEmpty() ? u"127.0.0.1"_s : mgmt.host;
        Result<quint16> managementPort =
            m_managementServer->listen(host, static_cast<quint16>(mgmt.port));
        if (!managementPort) {
            return managementPort.error();
        }
        m_managementPort = *managementPort;
        qCInfo(lcApp).noquote() << "app: management listener on" << host << "port"
                                << *m_managementPort;
    }
    if (m_oidc) {
        m_oidc->start();
    }
    m_mcpUpstreams->start();
    m_agents->start();
    m_workflows->start();
    m_phase = Phase::Serving;
    return {};
}

QString Application::publicBaseUrl() const
{
    QString base = m_config.server.baseUrl;
    if (base.isEmpty()) {
        QString host = m_config.server.publicListener.host;
        if (host.isEmpty() || host == u"0.0.0.0" || host == u"::") {
            host = u"127.0.0.1"_s;
        } else if (host.contains(u':')) {
            host = u'[' + host + u']';
        }
        base = u"http://%1:%2"_s.arg(host).arg(m_publicPort);
    }
    while (base.endsWith(u'/')) {
        base.chop(1);
    }
    return base;
}

const Router &Application::publicRouter() const
{
    return m_publicServer->router();
}

int Application::activeRequests() const
{
    // Workflow steps in flight count too: a graceful stop lets them end and hands their runs on.
    return m_publicServer->activeRequests()
           + (m_managementServer ? m_managementServer->activeRequests() : 0)
           + m_workflows->activeSteps();
}

void Application::shutdown(int timeoutMs)
{
    qCInfo(lcApp) << "app: shutting down, waiting for" << activeRequests() << "open requests";
    m_phase = Phase::Stopping;
    m_workflows->stop();
    m_agents->stop();
    m_publicServer->stopListening();
    if (m_managementServer) {
        m_managementServer->stopListening();
    }
    auto *deadline = new QTimer(this);
    deadline->setSingleShot(true);
    deadline->start(timeoutMs);
    auto *poll = new QTimer(this);
    poll->start(20);
    connect(poll, &QTimer::timeout, this, [this, poll, deadline] {
        if (activeRequests() > 0 && deadline->isActive()) {
            return;
        }
        if (activeRequests() > 0) {
            qCWarning(lcApp) << "app: shutdown deadline passed with" << activeRequests()
                             << "requests open";
        }
        poll->stop();
        poll->deleteLater();
        deadline->deleteLater();
        Q_EMIT stopped();
    });
}

} // namespace Gestalt
