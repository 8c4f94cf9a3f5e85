// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/Application.h"

#include "Logging.h"
#include "app/ProbeRoutes.h"
#include "apps/AppCatalog.h"
#include "apps/AppRoutes.h"
#include "apps/BindingRoutes.h"
#include "apps/InvocationService.h"
#include "authz/AccessCheck.h"
#include "connections/ConnectionRoutes.h"
#include "connections/ConnectionService.h"
#include "connections/CredentialRepository.h"
#include "connections/CredentialService.h"
#include "connections/OAuthClient.h"
#include "crypto/Random.h"
#include "crypto/Sealer.h"
#include "crypto/SecretKey.h"
#include "http/HttpServer.h"
#include "identity/IdentityService.h"
#include "identity/TokenRoutes.h"
#include "identity/TokenService.h"
#include "metrics/MetricsRegistry.h"
#include "metrics/MetricsRoutes.h"
#include "metrics/ProcessMetrics.h"
#include "metrics/ServerMetrics.h"
#include "shared/Version.h"
#include "store/Database.h"
#include "store/TokenRepository.h"
#include "store/UserRepository.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

HttpServerOptions serverOptions(const ServerConfig &server, const QString &name)
{
    HttpServerOptions options;
    options.name = name;
    options.limits.maxBodyBytes = server.http.maxBodyBytes;
    options.limits.maxHeaderBytes = static_cast<int>(server.http.maxHeaderBytes);
    options.limits.idleTimeoutMs = static_cast<int>(server.http.idleTimeout.count());
    options.limits.maxConnections = server.http.maxConnections;
    options.requestTimeoutMs = static_cast<int>(server.http.requestTimeout.count());
    options.hsts = server.baseUrl.startsWith(u"https://"_s, Qt::CaseInsensitive);
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
}

Result<std::unique_ptr<Application>> Application::create(const Config &config, Clock clock)
{
    if (Result<void> ready = config.validateForServe(); !ready) {
        return ready.error();
    }
    std::unique_ptr<Application> app(new Application(config, std::move(clock)));

    Result<Crypto::SecretKey> key = Crypto::SecretKey::derive(config.server.encryptionKey);
    if (!key) {
        return key.error();
    }
    app->m_sealer = std::make_unique<Crypto::Sealer>(*key);

    Result<AppCatalog> catalog = AppCatalog::build(config);
    if (!catalog) {
        return catalog.error();
    }
    app->m_catalog = std::make_unique<AppCatalog>(std::move(catalog).value());

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
    app->m_serverMetrics = std::make_unique<ServerMetrics>(*app->m_metrics, Gestalt::version());
    ProcessMetrics().install(*app->m_metrics);

    app->m_users = std::make_unique<UserRepository>(*app->m_database);
    app->m_tokens = std::make_unique<TokenRepository>(*app->m_database);
    app->m_identity = std::make_unique<IdentityService>(*app->m_users, *app->m_tokens, app->m_clock);
    const QStringList appNames = config.apps.keys();
    app->m_tokenService = std::make_unique<TokenService>(
        *app->m_tokens, *app->m_identity, config.server.apiTokenTtl,
        [appNames](const QString &name) { return appNames.contains(name); }, app->m_clock);

    Application *self = app.get();
    app->m_access = std::make_unique<AccessCheck>();
    app->m_credentials = std::make_unique<CredentialRepository>(*app->m_database, *app->m_sealer);
    app->m_oauth = std::make_unique<OAuthClient>();
    app->m_credentialService = std::make_unique<CredentialService>(
        *app->m_credentials, *app->m_oauth, app->m_clock, Crypto::uuidV4());
    app->m_invocations = std::make_unique<InvocationService>(
        *app->m_catalog, *app->m_access, *app->m_credentials, *app->m_credentialService,
        *app->m_serverMetrics);
    app->m_connectionService = std::make_unique<ConnectionService>(
        *app->m_catalog, *app->m_access, *app->m_credentials, *app->m_oauth,
        app->m_invocations->upstream(), *app->m_sealer, app->m_clock,
        [self] { return self->publicBaseUrl(); });

    app->registerRoutes();
    return app;
}

void Application::registerRoutes()
{
    m_probeRoutes = std::make_unique<ProbeRoutes>(*m_database, [this] {
        switch (m_phase) {
        case Phase::Starting:
            return u"still starting"_s;
        case Phase::Stopping:
            return u"shutting down"_s;
        case Phase::Serving:
            break;
        }
        return QString();
    });
    m_metricsRoutes = std::make_unique<MetricsRoutes>(*m_metrics);
    m_tokenRoutes = std::make_unique<TokenRoutes>(*m_tokenService);
    m_appRoutes = std::make_unique<AppRoutes>(*m_catalog, *m_access, *m_credentials,
                                              *m_invocations);
    m_connectionRoutes = std::make_unique<ConnectionRoutes>(
        *m_connectionService, *m_identity,
        m_config.server.baseUrl.startsWith(u"https://"_s, Qt::CaseInsensitive));
    m_bindingRoutes = std::make_unique<BindingRoutes>(*m_catalog, *m_invocations, m_clock);

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

    if (m_config.server.management) {
        // The operator surface moves to its own listener and is 404 on the public one.
        m_managementServer =
            std::make_unique<HttpServer>(serverOptions(m_config.server, u"management"_s));
        m_managementServer->setAuthenticator(m_identity.get());
        m_managementServer->setObserver(observe);
        m_probeRoutes->registerRoutes(m_managementServer->router());
        m_metricsRoutes->registerRoutes(m_managementServer->router(), RouteAuth::Public);
    } else {
        m_probeRoutes->registerRoutes(publicRoutes);
        m_metricsRoutes->registerRoutes(publicRoutes, RouteAuth::Authenticated);
    }
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
        const QString host = mgmt.host.isEmpty() ? pub.host : mgmt.host;
        Result<quint16> managementPort =
            m_managementServer->listen(host, static_cast<quint16>(mgmt.port));
        if (!managementPort) {
            return managementPort.error();
        }
        m_managementPort = *managementPort;
        qCInfo(lcApp).noquote() << "app: management listener on" << host << "port"
                                << *m_managementPort;
    }
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

int Application::activeRequests() const
{
    return m_publicServer->activeRequests()
        + (m_managementServer ? m_managementServer->activeRequests() : 0);
}

void Application::shutdown(int timeoutMs)
{
    qCInfo(lcApp) << "app: shutting down, waiting for" << activeRequests() << "open requests";
    m_phase = Phase::Stopping;
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
