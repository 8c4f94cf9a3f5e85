// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/AppCatalog.h"

#include "catalog/OpenApiLoader.h"
#include "config/Config.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qint64 MaxIconBytes = qint64(256) * 1024;

// Collects the problems of one app, prefixed with its config path.
class Problems
{
public:
    Problems(QString prefix, QStringList &sink)
        : m_prefix(std::move(prefix))
        , m_sink(sink)
    {}
    void add(const QString &message) { m_sink.append(m_prefix + u": "_s + message); }

private:
    QString m_prefix;
    QStringList &m_sink;
};

Operation fromRest(const RestOperation &rest, const QString &surfaceConnection)
{
    Operation op;
    op.id = rest.name;
    op.originalId = rest.name;
    op.method = rest.method;
    op.path = rest.path;
    op.description = rest.description;
    op.connection = rest.connection.isEmpty() ? surfaceConnection : rest.connection;
    op.allowedRoles = rest.allowedRoles;
    op.tags = rest.tags;
    QStringList taken;
    for (const RestParameter &p : rest.parameters) {
        OperationParameter param;
        param.wireName = p.name;
        param.name = Operation::exposedName(p.name, taken);
        param.type = Operation::normalizeType(p.type);
        param.location = p.in;
        param.description = p.description;
        param.required = p.required;
        param.internal = p.internal;
        param.defaultValue = p.defaultValue;
        op.parameters.append(param);
    }
    op.synthesizeInputSchema();
    return op;
}

// A relative authorization/token URL is resolved against the app's base URL.
void resolveAuthUrls(AuthConfig &auth, const QString &baseUrl)
{
    const QUrl base(baseUrl.endsWith(u'/') ? baseUrl : baseUrl + u'/');
    for (QString *url : {&auth.authorizationUrl, &auth.tokenUrl}) {
        if (!url->isEmpty() && QUrl(*url).isRelative() && base.isValid() && !baseUrl.isEmpty()) {
            QString relative = *url;
            while (relative.startsWith(u'/')) {
                relative.remove(0, 1);
            }
            *url = base.resolved(QUrl(relative)).toString();
        }
    }
}

// Fills what the operation document knows about auth into a connection that leaves it out.
void fillFromDocument(AuthConfig &auth, const AuthConfig &hint)
{
    if (auth.authorizationUrl.isEmpty()) {
        auth.authorizationUrl = hint.authorizationUrl;
    }
    if (auth.tokenUrl.isEmpty()) {
        auth.tokenUrl = hint.tokenUrl;
    }
    if (auth.scopes.isEmpty()) {
        auth.scopes = hint.scopes;
    }
}

class AppBuilder
{
public:
    AppBuilder(const Config &config, const QString &name, const AppConfig &entry, QStringList &sink)
        : m_config(config)
        , m_entry(entry)
        , m_problems(u"apps.%1"_s.arg(name), sink)
    {
        m_app.name = name;
    }

    AppDefinition build()
    {
        checkSource();
        readPresentation();
        readSurfaces();
        applyAllowList();
        std::sort(m_app.operations.begin(),
                  m_app.operations.end(),
                  [](const Operation &a, const Operation &b) { return a.id < b.id; });
        readConnections();
        checkOperationConnections();
        readBindings();
        nameHosts();
        return m_app;
    }

private:
    // The config loader merged a local manifest in already; other kinds cannot be served.
    void checkSource()
    {
        const SourceRef &source = m_entry.source;
        if (source.kind == SourceRef::Kind::LocalPath) {
            if (!source.location.startsWith(u":/"_s) && !QFileInfo::exists(source.location)) {
                m_problems.add(u"source: no manifest at %1"_s.arg(source.location));
            }
        } else if (source.isSet()) {
            m_problems.add(
                u"source: only local manifest files are supported by this gestaltd "
                "(\"%1\"); write the surfaces inline or point source at a manifest"_s.arg(
                    source.location));
        }
    }

    void readPresentation()
    {
        m_app.displayName = m_entry.displayName.isEmpty() ? m_app.name : m_entry.displayName;
        m_app.description = m_entry.description;
        m_app.authorizationPolicy = m_entry.authorizationPolicy;
        m_app.mcp = m_entry.mcp;
        m_app.headers = m_entry.headers;
        m_app.egress.allowedHosts = m_entry.egress.allowedHosts;
        m_app.egress.defaultAction = m_config.server.egressDefaultAction;
        m_app.timeout = m_entry.timeout;
        m_app.approval = m_entry.approval;
        if (!m_entry.iconFile.isEmpty()) {
            QFile icon(m_entry.iconFile);
            if (!icon.open(QIODevice::ReadOnly)) {
                m_problems.add(
                    u"iconFile: cannot read %1: %2"_s.arg(m_entry.iconFile, icon.errorString()));
            } else if (icon.size() > MaxIconBytes) {
                m_problems.add(u"iconFile: %1 is larger than 256 KiB"_s.arg(m_entry.iconFile));
            } else {
                const QString svg = QString::fromUtf8(icon.readAll());
                if (!svg.contains(u"<svg"_s)) {
                    m_problems.add(u"iconFile: %1 is not an SVG file"_s.arg(m_entry.iconFile));
                } else {
                    m_app.iconSvg = svg;
                }
            }
        }
    }

    void addOperations(const QList<Operation> &operations, const QString &surface)
    {
        for (const Operation &op : operations) {
            if (m_app.operation(op.id)) {
                m_problems.add(
                    u"surfaces.%1: operation \"%2\" is defined by another surface too"_s.arg(
                        surface, op.id));
                continue;
            }
            m_app.operations.append(op);
        }
    }

    void readSurfaces()
    {
        const AppSurfaces &surfaces = m_entry.surfaces;
        if (surfaces.graphql) {
            m_problems.add(
                u"surfaces.graphql: GraphQL surfaces are not supported by this "
                "gestaltd; describe the API with an OpenAPI document or a REST manifest"_s);
        }
        if (surfaces.openapi) {
            Result<OpenApiDocument> document = OpenApiLoader::loadFile(surfaces.openapi->document);
            if (!document) {
                m_problems.add(u"surfaces.openapi.document: "_s + document.error().message);
            } else {
                QList<Operation> operations = document->operations;
                for (Operation &op : operations) {
                    if (op.connection.isEmpty()) {
                        op.connection = surfaces.openapi->connection;
                    }
                }
                addOperations(operations, u"openapi"_s);
                m_app.baseUrl = surfaces.openapi->baseUrl.isEmpty() ? document->baseUrl
                                                                    : surfaces.openapi->baseUrl;
                m_documentAuth = document->auth;
                if (m_app.baseUrl.isEmpty() && !operations.isEmpty()) {
                    m_problems.add(u"surfaces.openapi: the document has no servers[].url; set "
                                   "surfaces.openapi.baseUrl"_s);
                }
            }
        }
        if (surfaces.rest) {
            QList<Operation> operations;
            for (const RestOperation &rest : surfaces.rest->operations) {
                operations.append(fromRest(rest, surfaces.rest->connection));
            }
            addOperations(operations, u"rest"_s);
            if (!surfaces.openapi || m_app.baseUrl.isEmpty()) {
                m_app.baseUrl = surfaces.rest->baseUrl;
            }
        }
        if (surfaces.mcp) {
            m_app.mcpSurface = surfaces.mcp;
            m_app.mcpOnly = !surfaces.openapi && !surfaces.rest;
            const QString mcpUrl = surfaces.mcp->url;
            if (!mcpUrl.isEmpty()) {
                const QUrl url(mcpUrl);
                if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")
                    || url.host().isEmpty()) {
                    m_problems.add(
                        u"surfaces.mcp.url \"%1\" must be an http or https URL"_s.arg(mcpUrl));
                }
            }
        }
        m_app.runtimeProvider = m_entry.runtime.value(u"provider"_s).toString();
        if (!m_app.runtimeProvider.isEmpty()
            && !m_config.runtime.providers.contains(m_app.runtimeProvider)
            && !(m_config.runtime.providers.isEmpty() && m_app.runtimeProvider == u"local")) {
            m_problems.add(
                u"runtime.provider: no runtime provider \"%1\" (runtime.providers)"_s.arg(
                    m_app.runtimeProvider));
        }
        if (!m_app.baseUrl.isEmpty()) {
            const QUrl url(m_app.baseUrl);
            if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")
                || url.host().isEmpty()) {
                // {param} placeholders are allowed in the host; check the rest only.
                if (!m_app.baseUrl.contains(u'{')) {
                    m_problems.add(
                        u"baseUrl \"%1\" must be an http or https URL"_s.arg(m_app.baseUrl));
                }
            }
        }
    }

    void applyAllowList()
    {
        if (!m_entry.allowedOperations) {
            return;
        }
        // An upstream MCP server's tools are known only at run time: McpUpstreams applies the
        // list to them when they are discovered.
        m_app.allowedOperations = m_entry.allowedOperations;
        if (m_app.mcpOnly) {
            return;
        }
        QList<Operation> kept;
        for (auto it = m_entry.allowedOperations->constBegin();
             it != m_entry.allowedOperations->constEnd();
             ++it) {
            const Operation *found = nullptr;
            for (const Operation &op : m_app.operations) {
                if (op.originalId == it.key()) {
                    found = &op;
                }
            }
            if (!found) {
                if (!m_app.mcpSurface) {
                    m_problems.add(
                        u"allowedOperations: no operation \"%1\" in this app"_s.arg(it.key()));
                }
                continue;
            }
            Operation op = *found;
            applyAllowedOperation(op, it.value());
            const bool duplicate = std::any_of(
                kept.cbegin(), kept.cend(), [&](const Operation &k) { return k.id == op.id; });
            if (duplicate) {
                m_problems.add(
                    u"allowedOperations: two operations are exposed as \"%1\""_s.arg(op.id));
                continue;
            }
            kept.append(op);
        }
        m_app.operations = kept;
    }

    void readConnections()
    {
        for (auto it = m_entry.connections.constBegin(); it != m_entry.connections.constEnd();
             ++it) {
            const AppConnectionBinding &binding = it.value();
            AppConnection connection;
            connection.name = it.key();
            connection.exposure = binding.exposure;
            if (binding.isRef()) {
                connection.connectionId = binding.ref;
                connection.config = m_config.connections.value(binding.ref);
                if (!binding.connection.displayName.isEmpty()) {
                    connection.config.displayName = binding.connection.displayName;
                }
                if (binding.connection.credentialRefresh) {
                    connection.config.credentialRefresh = binding.connection.credentialRefresh;
                }
            } else {
                connection.connectionId = m_app.name + u':' + it.key();
                connection.config = binding.connection;
            }
            m_app.connections.insert(connection.name, connection);
        }
        if (m_app.connections.isEmpty() && m_documentAuth) {
            AppConnection connection;
            connection.name = u"default"_s;
            connection.connectionId = m_app.name + u":default"_s;
            connection.config.mode = ConnectionMode::User;
            connection.config.auth = *m_documentAuth;
            m_app.connections.insert(connection.name, connection);
        }
        QSet<ConnectionMode> modes;
        for (AppConnection &connection : m_app.connections) {
            if (connection.config.auth) {
                if (m_documentAuth) {
                    fillFromDocument(*connection.config.auth, *m_documentAuth);
                }
                resolveAuthUrls(*connection.config.auth, m_app.baseUrl);
                checkAuth(connection);
            }
            modes.insert(connection.mode());
        }
        if (modes.size() > 1) {
            m_problems.add(u"connections: all connections of one app must share one mode"_s);
        }
        resolveDefaultConnection();
    }

    void checkAuth(const AppConnection &connection)
    {
        const AuthConfig &auth = *connection.config.auth;
        const QString where = u"connections.%1.auth"_s.arg(connection.name);
        if (connection.mode() == ConnectionMode::Platform) {
            if (auth.tokenUrl.isEmpty()) {
                m_problems.add(where + u": a platform connection needs tokenUrl"_s);
            }
            if (auth.grantType != u"client_credentials" && auth.grantType != u"refresh_token") {
                m_problems.add(where
                               + u": a platform connection needs grantType "
                                 "client_credentials or refresh_token"_s);
            }
            if (auth.grantType == u"refresh_token" && auth.refreshToken.isEmpty()) {
                m_problems.add(where + u": grantType refresh_token needs refreshToken"_s);
            }
        }
    }

    void resolveDefaultConnection()
    {
        if (!m_entry.defaultConnection.isEmpty()) {
            if (!m_app.connections.contains(m_entry.defaultConnection)) {
                m_problems.add(u"defaultConnection: no connection \"%1\" in this app"_s.arg(
                    m_entry.defaultConnection));
            }
            m_app.defaultConnection = m_entry.defaultConnection;
        } else if (m_app.connections.contains(u"default"_s)) {
            m_app.defaultConnection = u"default"_s;
        } else if (m_app.connections.size() == 1) {
            m_app.defaultConnection = m_app.connections.firstKey();
        }
    }

    void checkOperationConnections()
    {
        for (const Operation &op : std::as_const(m_app.operations)) {
            if (!op.connection.isEmpty() && !m_app.connections.contains(op.connection)) {
                m_problems.add(u"operation \"%1\" uses connection \"%2\", which this app does not "
                               "declare"_s.arg(op.id, op.connection));
            }
        }
    }

    // The hosts this app's config writes literally are the operator's choice; any other host
    // (a {param} filled from connection params, discovery results or token responses) must
    // resolve to public addresses only (EgressPolicy::requiresPublicAddress).
    void nameHosts()
    {
        EgressPolicy &egress = m_app.egress;
        egress.addNamedUrl(m_app.baseUrl); // the REST base URL or the OpenAPI servers[0].url
        const AppSurfaces &surfaces = m_entry.surfaces;
        if (surfaces.openapi) {
            egress.addNamedUrl(surfaces.openapi->baseUrl);
        }
        if (surfaces.rest) {
            egress.addNamedUrl(surfaces.rest->baseUrl);
        }
        if (surfaces.mcp) {
            egress.addNamedUrl(surfaces.mcp->url);
        }
        if (surfaces.graphql) {
            egress.addNamedUrl(surfaces.graphql->url);
        }
        for (const AppConnection &connection : std::as_const(m_app.connections)) {
            if (const std::optional<AuthConfig> &auth = connection.config.auth) {
                egress.addNamedUrl(auth->authorizationUrl);
                egress.addNamedUrl(auth->tokenUrl);
            }
            if (const std::optional<DiscoveryConfig> &discovery = connection.config.discovery) {
                egress.addNamedUrl(discovery->url);
            }
        }
    }

    void readBindings()
    {
        m_app.securitySchemes = m_entry.securitySchemes;
        m_app.http = m_entry.http;
        QSet<QString> routes;
        for (auto it = m_entry.http.constBegin(); it != m_entry.http.constEnd(); ++it) {
            const HttpBinding &binding = it.value();
            const QString where = u"http.%1"_s.arg(it.key());
            if (!binding.security.isEmpty()
                && !m_entry.securitySchemes.contains(binding.security)) {
                m_problems.add(
                    where + u".security: no securitySchemes entry \"%1\""_s.arg(binding.security));
            }
            if (binding.target.isEmpty()) {
                m_problems.add(where + u".target: names the operation to run; it is required"_s);
            } else if (!m_app.operation(binding.target)) {
                m_problems.add(where
                               + u".target: no operation \"%1\" in this app"_s.arg(binding.target));
            }
            const QString route = binding.method + u' ' + binding.path;
            if (routes.contains(route)) {
                m_problems.add(where + u": another binding already serves %1"_s.arg(route));
            }
            routes.insert(route);
            const QString firstSegment = binding.path.section(u'/', 1, 1);
            if (binding.path.count(u'/') == 1 && m_app.operation(firstSegment)) {
                m_problems.add(
                    where
                    + u".path: %1 hides the operation \"%2\""_s.arg(binding.path, firstSegment));
            }
        }
    }

    const Config &m_config;
    const AppConfig &m_entry;
    Problems m_problems;
    AppDefinition m_app;
    std::optional<AuthConfig> m_documentAuth;
};

} // namespace

Result<AppCatalog> AppCatalog::build(const Config &config)
{
    QStringList sink;
    AppCatalog catalog;
    for (auto it = config.apps.constBegin(); it != config.apps.constEnd(); ++it) {
        catalog.m_apps.insert(it.key(), AppBuilder(config, it.key(), it.value(), sink).build());
    }
    if (!sink.isEmpty()) {
        return Error::invalid(sink.join(u'\n'));
    }
    return catalog;
}

QStringList AppCatalog::problems(const Config &config)
{
    Result<AppCatalog> catalog = build(config);
    return catalog ? QStringList() : catalog.error().message.split(u'\n');
}

const AppDefinition *AppCatalog::app(const QString &name) const
{
    const auto it = m_apps.constFind(name);
    return it == m_apps.constEnd() ? nullptr : &it.value();
}

} // namespace Gestalt
