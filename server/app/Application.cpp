// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/Application.h"

#include "Logging.h"
#include "app/ProbeRoutes.h"
#include "apps/AppCatalog.h"
#include "apps/AppRoutes.h"
#include "apps/BindingRoutes.h"
#include "apps/InvocationService.h"
#include "apps/UpstreamClient.h"
#include "apps/UpstreamBackoff.h"
#include "apps/UpstreamBackoffRoutes.h"
#include "audit/AuditLog.h"
#include "audit/AuditRepository.h"
#include "audit/AuditRoutes.h"
#include "authz/AccessCheck.h"
#include "admin/AdminShellRoutes.h"
#include "admin/AdminUserRoutes.h"
#include "authz/AdminAuthorizationRoutes.h"
#include "authz/AdminGuard.h"
#include "authz/Authorizer.h"
#include "authz/AuthzSnapshot.h"
#include "authz/ManagedSubjectRepository.h"
#include "authz/ManagedSubjectRoutes.h"
#include "authz/MembershipService.h"
#include "authz/RelationshipRepository.h"
#include "connections/ConnectionRoutes.h"
#include "connections/ConnectionService.h"
#include "connections/CredentialRepository.h"
#include "connections/CredentialService.h"
#include "connections/OAuthClient.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "crypto/Sealer.h"
#include "crypto/SecretKey.h"
#include "http/HttpServer.h"
#include "identity/IdentityService.h"
#include "identity/LoginRoutes.h"
#include "identity/OidcProvider.h"
#include "identity/SessionTokens.h"
#include "identity/TokenRoutes.h"
#include "identity/TokenService.h"
#include "limits/LimitRoutes.h"
#include "limits/RateLimiter.h"
#include "metrics/MetricsRegistry.h"
#include "metrics/MetricsRoutes.h"
#include "metrics/ProcessMetrics.h"
#include "mcp/McpOAuthRoutes.h"
#include "mcp/McpRoutes.h"
#include "mcp/McpToolCatalog.h"
#include "mcp/McpUpstreams.h"
#include "metrics/ServerMetrics.h"
#include "runtime/RuntimeProvider.h"
#include "runtime/RuntimeRoutes.h"
#include "shared/Version.h"
#include "store/Database.h"
#include "store/OAuthGrantRepository.h"
#include "store/TokenRepository.h"
#include "store/UserRepository.h"
#include "agents/AgentEngine.h"
#include "agents/AgentService.h"
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
    app->m_sealer = std::make_unique<Crypto::Sealer>(*key);
    app->m_upstream = std::make_unique<UpstreamClient>();

    Result<AppCatalog> catalog = AppCatalog::build(config);
    if (!catalog) {
        return catalog.error();
    }
    app->m_catalog = std::make_unique<AppCatalog>(std::move(catalog).value());

    Result<AdminShellAssets> adminShell =
        AdminShellAssets::locate(config, qEnvironmentVariable("GESTALTD_ADMIN_UI_DIR"));
    if (!adminShell) {
        return adminShell.error();
    }
    app->m_adminShellAssets = std::make_unique<AdminShellAssets>(std::move(adminShell).value());

    Result<DatastoreSettings> settings =
        DatastoreSettings::fromDsn(config.datastoreDsn().value_or(QString()), config.baseDir);
    if (!settings) {
        return settings.error();
    }
    qCInfo(lcStore).noquote() << "store: opening" << settings->redacted();
    Result<std::unique_ptr<Database>> database = Database::open(*settings);
    if (!database) {
        return database.error();
    }
    app->m_database = std::move(database).value();

    app->m_metrics = std::make_unique<MetricsRegistry>();
    app->m_metrics->setSeriesLimit(config.server.metricsMaxSeriesPerFamily);
    app->m_serverMetrics = std::make_unique<ServerMetrics>(*app->m_metrics, Gestalt::version());
    ProcessMetrics().install(*app->m_metrics);

    app->m_users = std::make_unique<UserRepository>(*app->m_database);
    app->m_tokens = std::make_unique<TokenRepository>(*app->m_database);
    app->m_oauthGrants = std::make_unique<OAuthGrantRepository>(*app->m_database);
    app->m_identity = std::make_unique<IdentityService>(*app->m_users, *app->m_tokens, app->m_clock);
    const QStringList appNames = config.apps.keys();
    app->m_tokenService = std::make_unique<TokenService>(
        *app->m_tokens, *app->m_identity, config.server.apiTokenTtl, config.server.cliTokenTtl,
        [appNames](const QString &name) { return appNames.contains(name); }, app->m_clock);

    app->m_auditRepository = std::make_unique<AuditRepository>(*app->m_database);
    app->m_auditLog = std::make_unique<AuditLog>(*app->m_auditRepository, app->m_clock);
    app->m_auditLog->setRetention(config.server.auditRetention);
    app->m_identity->setAuditLog(app->m_auditLog.get());

    Result<std::optional<OidcSettings>> login = OidcSettings::fromConfig(config);
    if (!login) {
        return login.error();
    }
    if (login->has_value()) {
        const OidcSettings &oidc = **login;
        app->m_sessions = std::make_unique<SessionTokens>(
            *key, oidc.sessionTtl,
            config.server.baseUrl.startsWith(u"https://"_s, Qt::CaseInsensitive), app->m_clock);
        app->m_oidc = std::make_unique<OidcProvider>(oidc, *app->m_upstream, app->m_clock);
        app->m_identity->enableLogin(*app->m_sessions, app->m_oidc.get());
        app->m_identity->setMcpGrants(app->m_oauthGrants.get());
        qCInfo(lcApp).noquote() << "app: platform login through OIDC provider"
                                << oidc.providerName << "issuer" << oidc.issuerUrl;
        if (config.server.admin.authorizationPolicy.isEmpty()) {
            qCWarning(lcApp).noquote()
                << "app: platform login is on but server.admin.authorizationPolicy is not set:"
                << "/admin and /admin/api/v1 refuse everyone (403 admin_configuration_required)"
                << "until it names a policy whose members hold one of server.admin.allowedRoles";
        }
    }

    if (Result<void> authz = app->createAuthorization(); !authz) {
        return authz.error();
    }

    Application *self = app.get();
    app->m_credentials = std::make_unique<CredentialRepository>(*app->m_database, *app->m_sealer);
    app->m_oauth = std::make_unique<OAuthClient>(*app->m_upstream);
    app->m_credentialService = std::make_unique<CredentialService>(
        *app->m_credentials, *app->m_oauth, app->m_clock, Crypto::uuidV4());
    app->m_runtime = std::make_unique<RuntimeRegistry>(config.runtime);
    app->m_invocations = std::make_unique<InvocationService>(
        *app->m_catalog, *app->m_access, *app->m_credentials, *app->m_credentialService,
        *app->m_serverMetrics, *app->m_upstream);
    app->m_mcpUpstreams =
        std::make_unique<McpUpstreams>(*app->m_catalog, *app->m_runtime, *app->m_upstream);
    app->m_invocations->setMcpUpstreams(app->m_mcpUpstreams.get());
    Result<std::unique_ptr<RateLimiter>> limiter = RateLimiter::create(
        config.server.limits, *app->m_catalog, *app->m_database, *app->m_metrics,
        [self](const Principal &p, const AppDefinition &a) {
            return self->m_authorizer->appRole(p, a).role;
        },
        app->m_clock);
    if (!limiter) {
        return limiter.error();
    }
    app->m_rateLimiter = std::move(*limiter);
    app->m_invocations->setRateLimiter(app->m_rateLimiter.get());
    app->m_upstreamBackoff = std::make_unique<UpstreamBackoff>(config.server.upstreamLimits,
                                                               *app->m_metrics, app->m_clock);
    app->m_invocations->setUpstreamBackoff(app->m_upstreamBackoff.get());
    // Workflow steps and agent tools run as their owner without a request: a disabled owner's
    // authority runs nothing (requests were refused at authentication already).
    app->m_invocations->setSubjectCheck([self](const Principal &principal) -> Result<void> {
        return principal.userId.isEmpty() ? Result<void>{}
                                          : self->m_identity->requireEnabled(principal.userId);
    });
    McpUpstreams *upstreams = app->m_mcpUpstreams.get();
    app->m_mcpTools = std::make_unique<McpToolCatalog>(
        *app->m_catalog, *app->m_access,
        [upstreams](const QString &name) { return upstreams->operations(name); });
    McpToolCatalog *tools = app->m_mcpTools.get();
    QObject::connect(upstreams, &McpUpstreams::toolsChanged, app.get(),
                     [tools] { tools->rebuild(); });
    app->m_connectionService = std::make_unique<ConnectionService>(
        *app->m_catalog, *app->m_access, *app->m_credentials, *app->m_oauthGrants,
        *app->m_oauth, *app->m_upstream, *app->m_sealer, app->m_clock,
        [self] { return self->publicBaseUrl(); });
    app->m_connectionService->setAuditLog(app->m_auditLog.get());

    Result<std::unique_ptr<AgentEngine>> agents =
        AgentEngine::create({app->m_config, *app->m_database, *app->m_catalog, *app->m_access,
                             *app->m_invocations, app->m_auditLog.get(), app->m_clock});
    if (!agents) {
        return agents.error();
    }
    app->m_agents = std::move(*agents);
    Result<std::unique_ptr<WorkflowEngine>> workflows = WorkflowEngine::create(
        {app->m_config, *app->m_database, *app->m_catalog, *app->m_access, *app->m_invocations,
         app->m_mcpUpstreams.get(), *app->m_metrics, app->m_auditLog.get(),
         app->m_agents->service().configured() ? app->m_agents.get() : nullptr, app->m_clock});
    if (!workflows) {
        return workflows.error();
    }
    app->m_workflows = std::move(*workflows);

    app->registerRoutes();
    return app;
}

Result<void> Application::createAuthorization()
{
    m_relationships = std::make_unique<RelationshipRepository>(*m_database, m_clock);
    m_authzSnapshot = std::make_unique<AuthzSnapshot>(*m_relationships);
    m_authorizer = std::make_unique<Authorizer>(m_config.authorization, m_config.server.admin,
                                                *m_catalog, *m_authzSnapshot);
    const QJsonObject model = m_authorizer->model();
    const QString modelId = Crypto::sha256Hex(QJsonDocument(model).toJson(QJsonDocument::Compact))
                                .left(16);
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
    m_memberships = std::make_unique<MembershipService>(*m_relationships, *m_authzSnapshot, *m_users);
    m_managedSubjects = std::make_unique<ManagedSubjectRepository>(*m_database, m_clock);
    m_access = std::make_unique<AccessCheck>(*m_authorizer);
    m_adminGuard = std::make_unique<AdminGuard>(*m_authorizer, *m_identity, *m_catalog,
                                                [this] { return m_identity->loginEnabled(); });
    return {};
}

void Application::registerRoutes()
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
        return QString();
    });
    m_metricsRoutes = std::make_unique<MetricsRoutes>(*m_metrics);
    m_tokenRoutes = std::make_unique<TokenRoutes>(*m_tokenService);
    m_tokenRoutes->setAuditLog(m_auditLog.get());
    m_invocations->setAuditLog(m_auditLog.get());
    m_appRoutes = std::make_unique<AppRoutes>(*m_catalog, *m_access, *m_credentials,
                                              *m_invocations);
    m_appRoutes->setAuditLog(m_auditLog.get());
    m_connectionRoutes = std::make_unique<ConnectionRoutes>(
        *m_connectionService, *m_identity,
        m_config.server.baseUrl.startsWith(u"https://"_s, Qt::CaseInsensitive));
    m_bindingRoutes = std::make_unique<BindingRoutes>(*m_catalog, *m_invocations, m_clock);
    m_loginRoutes = std::make_unique<LoginRoutes>(
        *m_identity, m_sessions.get(), m_oidc.get(), *m_tokenService, *m_sealer, *m_auditLog,
        m_clock,
        LoginRoutes::Options{m_config.server.management ? m_config.server.management->baseUrl
                                                        : QString(),
                             [this] { return publicBaseUrl(); },
                             static_cast<qsizetype>(m_config.server.loginMaxUsedStates)});
    m_adminAuthorizationRoutes = std::make_unique<AdminAuthorizationRoutes>(
        *m_adminGuard, *m_authorizer, *m_catalog, *m_relationships, *m_memberships, *m_auditLog,
        m_config.server.providers.authorization.isEmpty()
            ? u"database"_s
            : m_config.server.providers.authorization);
    m_managedSubjectRoutes = std::make_unique<ManagedSubjectRoutes>(ManagedSubjectRoutes::Deps{
        *m_managedSubjects, *m_relationships, *m_memberships, *m_authorizer, *m_catalog,
        *m_tokenService, *m_credentials, *m_connectionService, *m_appRoutes, *m_auditLog});
    m_auditRoutes = std::make_unique<AuditRoutes>(
        *m_auditRepository, *m_auditLog,
        [this](const HttpRequest &request) { return m_adminGuard->requireAdmin(*request.principal); });

    const auto observe = [this](const RequestRecord &record) {
        m_serverMetrics->recordHttpRequest(record.method, record.route, record.status,
                                           record.seconds, record.requestBytes,
                                           record.responseBytes);
    };
    m_publicServer = std::make_unique<HttpServer>(serverOptions(m_config.server, u"public"_s));
    m_publicServer->setAuthenticator(m_identity.get());
    m_publicServer->setObserver(observe);
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
    if (McpToolCatalog::anyContributor(*m_catalog)) {
        McpRoutes::Options mcpOptions;
        if (m_sessions) {
            mcpOptions.challenge = [this] { return QString::fromUtf8(McpOAuthRoutes::challenge(publicBaseUrl())); };
            m_mcpOAuthRoutes = std::make_unique<McpOAuthRoutes>(
                *m_sealer, *m_sessions, *m_users, *m_oauthGrants,
                [this] { return publicBaseUrl(); }, m_clock);
            m_mcpOAuthRoutes->registerRoutes(publicRoutes);
        }
        m_mcpRoutes = std::make_unique<McpRoutes>(*m_mcpTools, *m_invocations, *m_identity,
                                                  std::move(mcpOptions));
        m_mcpRoutes->registerRoutes(publicRoutes);
    }

    if (m_config.server.management) {
        // The operator surface moves to its own listener and is 404 on the public one.
        m_managementServer =
            std::make_unique<HttpServer>(serverOptions(m_config.server, u"management"_s));
        m_managementServer->setAuthenticator(m_identity.get());
        m_managementServer->setObserver(observe);
        m_probeRoutes->registerRoutes(m_managementServer->router());
        m_metricsRoutes->registerRoutes(m_managementServer->router(), RouteAuth::Public);
        registerOperatorRoutes(m_managementServer->router());
    } else {
        m_probeRoutes->registerRoutes(publicRoutes);
        m_metricsRoutes->registerRoutes(publicRoutes, RouteAuth::Authenticated);
        registerOperatorRoutes(publicRoutes);
    }
}

void Application::registerOperatorRoutes(Router &router)
{
    m_runtimeRoutes = std::make_unique<RuntimeRoutes>(*m_runtime, *m_adminGuard);
    m_runtimeRoutes->registerRoutes(router);
    m_adminAuthorizationRoutes->registerRoutes(router);
    m_adminUserRoutes =
        std::make_unique<AdminUserRoutes>(*m_adminGuard, *m_users, *m_identity, *m_auditLog);
    m_adminUserRoutes->registerRoutes(router);
    m_limitRoutes = std::make_unique<LimitRoutes>(m_rateLimiter.get(), *m_adminGuard);
    m_limitRoutes->registerRoutes(router);
    m_upstreamBackoffRoutes =
        std::make_unique<UpstreamBackoffRoutes>(*m_adminGuard, *m_upstreamBackoff);
    m_upstreamBackoffRoutes->registerRoutes(router);
    m_adminShellRoutes = std::make_unique<AdminShellRoutes>(
        *m_adminShellAssets, *m_adminGuard,
        AdminShellRoutes::Options{
            m_config.server.management.has_value(), m_config.server.baseUrl,
            m_config.server.management ? m_config.server.management->baseUrl : QString(),
            [this] { return publicBaseUrl(); }, [this] { return m_identity->loginEnabled(); }});
    m_adminShellRoutes->registerRoutes(router);
}

Result<void> Application::start()
{
    const ListenerConfig &pub = m_config.server.publicListener;
    Result<quint16> publicPort =
        m_publicServer->listen(pub.host, static_cast<quint16>(pub.port));
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
