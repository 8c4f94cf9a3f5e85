// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/ConfigDecoder.h"

#include "config/AppDecoder.h"
#include "config/Config.h"
#include "config/ConfigErrors.h"
#include "config/ConfigMapReader.h"
#include "config/ConnectionDecoder.h"
#include "config/LimitsDecoder.h"
#include "config/ManifestLoader.h"
#include "config/WorkflowDecoder.h"

#include <QRegularExpression>
#include <QUrl>

#include <array>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

struct ProviderKind
{
    QStringView name;
    ProviderMap ProvidersConfig::*map;
};

constexpr std::array<ProviderKind, 12> providerKinds{{
    {u"authentication", &ProvidersConfig::authentication},
    {u"authorization", &ProvidersConfig::authorization},
    {u"indexeddb", &ProvidersConfig::indexeddb},
    {u"secrets", &ProvidersConfig::secrets},
    {u"telemetry", &ProvidersConfig::telemetry},
    {u"audit", &ProvidersConfig::audit},
    {u"externalCredentials", &ProvidersConfig::externalCredentials},
    {u"cache", &ProvidersConfig::cache},
    {u"s3", &ProvidersConfig::s3},
    {u"ui", &ProvidersConfig::ui},
    {u"workflow", &ProvidersConfig::workflow},
    {u"agent", &ProvidersConfig::agent},
}};

struct SelectionKind
{
    QStringView name;
    QString ProviderSelection::*selection;
    ProviderMap ProvidersConfig::*map;
};

constexpr std::array<SelectionKind, 7> selectionKinds{{
    {u"authentication", &ProviderSelection::authentication, &ProvidersConfig::authentication},
    {u"authorization", &ProviderSelection::authorization, &ProvidersConfig::authorization},
    {u"indexeddb", &ProviderSelection::indexeddb, &ProvidersConfig::indexeddb},
    {u"secrets", &ProviderSelection::secrets, &ProvidersConfig::secrets},
    {u"telemetry", &ProviderSelection::telemetry, &ProvidersConfig::telemetry},
    {u"audit", &ProviderSelection::audit, &ProvidersConfig::audit},
    {u"externalCredentials",
     &ProviderSelection::externalCredentials,
     &ProvidersConfig::externalCredentials},
}};

// Route segments of /api/v1 that an app name would shadow.
const QStringList &reservedAppNames()
{
    static const QStringList names{u"apps"_s,
                                   u"auth"_s,
                                   u"integrations"_s,
                                   u"tokens"_s,
                                   u"workflow"_s,
                                   u"agent"_s,
                                   u"authorization"_s,
                                   u"bindings"_s,
                                   u"s3"_s,
                                   u"provider-dev"_s};
    return names;
}

QString readHttpUrl(ConfigMapReader &r, QStringView key)
{
    QString text = r.string(key);
    if (text.isEmpty()) {
        return text;
    }
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")
        || url.host().isEmpty()) {
        r.error(key, u"expected an absolute http:// or https:// URL"_s);
    }
    return text;
}

void reference(ConfigMapReader &r,
               QStringView key,
               const QString &name,
               const QStringList &known,
               const QString &section)
{
    if (name.isEmpty() || known.contains(name)) {
        return;
    }
    QString message = u"names no %1 entry \"%2\""_s.arg(section, name);
    const QString closest = ConfigMapReader::suggestion(name, known);
    if (!closest.isEmpty()) {
        message += u" (did you mean \"%1\"?)"_s.arg(closest);
    }
    r.error(key, message);
}

} // namespace

ConfigDecoder::ConfigDecoder(ConfigErrors &errors)
    : m_errors(errors)
{}

void ConfigDecoder::read(const ConfigNode &rootNode, Config &config) const
{
    SourceLocation start = rootNode.location();
    ConfigMapReader root(&rootNode, QString(), start, m_errors);
    root.skip({u"apiVersion"});
    (void)root.refused(
        u"providerRepositories",
        ConfigMapReader::notSupportedYet(u"provider repositories and package sources"_s));
    readAuthorization(root, config);
    readConnections(root, config);
    readProviders(root, config);
    readRuntime(root, config);
    readServer(root, config);
    readApps(root, config);
    {
        ConfigMapReader workflows = root.map(u"workflows");
        config.workflows = WorkflowDecoder::read(workflows);
    }
    {
        ConfigMapReader agents = root.map(u"agents");
        AgentsConfig &a = config.agents;
        a.pollInterval = agents.duration(u"pollInterval", a.pollInterval);
        a.turnLease = agents.duration(u"turnLease", a.turnLease);
        a.streamHeartbeat = agents.duration(u"streamHeartbeat", a.streamHeartbeat);
        a.maxModelCalls = int(agents.integer(u"maxModelCalls", a.maxModelCalls, 1, 256));
        if (a.turnLease < 2 * a.pollInterval) {
            agents.errorHere(u"turnLease must be at least twice pollInterval"_s);
        }
    }
}

void ConfigDecoder::readAuthorization(ConfigMapReader &root, Config &config)
{
    ConfigMapReader authorization = root.map(u"authorization");
    for (const ConfigMapReader::Child &child : authorization.entries(u"policies")) {
        ConfigMapReader p(child, root.errors());
        AuthorizationPolicy policy;
        policy.defaultEffect =
            p.choice(u"default",
                     {{u"allow", PolicyEffect::Allow}, {u"deny", PolicyEffect::Deny}},
                     PolicyEffect::Deny);
        for (const ConfigMapReader::Child &item : p.items(u"members")) {
            ConfigMapReader m(item, root.errors());
            PolicyMember member;
            member.subjectId = m.string(u"subjectID");
            member.email = m.string(u"email").trimmed().toLower();
            if (member.subjectId.isEmpty() == member.email.isEmpty()) {
                m.error(u"subjectID"_s, u"set exactly one of subjectID and email"_s);
            } else if (!member.subjectId.isEmpty() && !member.subjectId.contains(u':')) {
                m.error(u"subjectID"_s,
                        u"expected a canonical subject id such as user:<id> or "
                        u"service_account:<id>"_s);
            }
            member.role = m.requiredString(u"role");
            policy.members.append(member);
        }
        config.authorization.policies.insert(child.name, policy);
    }
}

void ConfigDecoder::readConnections(ConfigMapReader &root, Config &config)
{
    for (const ConfigMapReader::Child &child : root.entries(u"connections")) {
        ConfigMapReader c(child, root.errors());
        config.connections.insert(child.name, ConnectionDecoder::readTopLevel(c));
    }
}

void ConfigDecoder::readProviders(ConfigMapReader &root, Config &config)
{
    ConfigMapReader providers = root.map(u"providers");
    for (const ProviderKind &kind : providerKinds) {
        if (refuseProviderKind(providers, kind.name)) {
            continue;
        }
        ProviderMap &map = config.providers.*kind.map;
        QStringList defaults;
        for (const ConfigMapReader::Child &child : providers.entries(kind.name)) {
            ConfigMapReader entry(child, root.errors());
            map.insert(child.name, readProviderEntry(entry, kind.name));
            if (map.value(child.name).isDefault) {
                defaults.append(child.name);
            }
            if (kind.name == u"indexeddb") {
                checkDatastoreDsn(*child.node, child.path, root.errors());
            }
        }
        if (defaults.size() > 1) {
            providers.error(
                kind.name,
                u"only one entry may set default: true (found %1)"_s.arg(defaults.join(u", "_s)));
        }
    }
}

QString ConfigDecoder::refusedKindReason(QStringView kind)
{
    if (kind == u"telemetry" || kind == u"audit") {
        return ConfigMapReader::notSupportedYet(u"telemetry and audit providers"_s);
    }
    if (kind == u"externalCredentials") {
        return u"external credentials providers are executable and would keep users' "
               u"credentials outside gestaltd; this gestaltd keeps them sealed in its own "
               u"datastore"_s;
    }
    return {};
}

bool ConfigDecoder::refuseProviderKind(ConfigMapReader &providers, QStringView kind)
{
    if (const QString reason = refusedKindReason(kind); !reason.isEmpty()) {
        (void)providers.refused(kind, reason);
        return true;
    }
    if (kind == u"cache" || kind == u"s3") {
        const bool present = providers.has(kind);
        providers.ignored(kind,
                          u"only executable plugins bind cache and s3 providers, and this "
                          u"gestaltd runs declarative apps only: nothing can use it"_s);
        return present;
    }
    return false;
}

void ConfigDecoder::readProviderPlacement(ConfigMapReader &r, QStringView kind)
{
    if (kind == u"ui") {
        for (const QStringView key : {QStringView(u"path"), QStringView(u"authorizationPolicy")}) {
            (void)r.refused(key, ConfigMapReader::notSupportedYet(u"mounted UIs"_s));
        }
    }
    if (kind != u"workflow" && kind != u"agent") {
        return;
    }
    (void)r.refused(u"indexeddb",
                    u"storage bindings serve executable providers; the built-in %1 provider keeps "
                    u"its data in gestaltd's datastore"_s.arg(kind));
    r.ignored(u"runtime",
              u"the placement of an executable provider; the %1 provider is built into gestaltd "
              u"and runs in its process"_s.arg(kind));
    if (kind == u"agent") {
        (void)r.refused(u"connections",
                        u"connection bindings serve executable agent providers; the built-in "
                        u"agent providers take their model credentials from config"_s);
        (void)r.refused(u"lifecycle",
                        u"session start hooks run commands for executable agent providers; the "
                        u"built-in agent providers run none"_s);
        for (const QStringView key : {QStringView(u"defaultHarness"), QStringView(u"harnesses")}) {
            r.ignored(key, u"read by the `gestalt agent` command line, not by gestaltd"_s);
        }
    }
}

ProviderEntry ConfigDecoder::readProviderEntry(ConfigMapReader &r, QStringView kind)
{
    readProviderPlacement(r, kind);
    ProviderEntry entry;
    if (kind == u"secrets") {
        r.skip({u"source"}); // env or file: SecretsDecoder reads it (and refuses the rest)
    } else {
        entry.source = SourceRef::read(r, u"source");
    }
    entry.config = r.object(u"config");
    entry.isDefault = r.boolean(u"default", false);
    entry.displayName = r.string(u"displayName");
    entry.description = r.string(u"description");
    entry.iconFile = r.string(u"iconFile");
    entry.env = r.stringMap(u"env");
    if (r.has(u"egress")) {
        ConfigMapReader egress = r.map(u"egress");
        entry.egress.allowedHosts = egress.stringList(u"allowedHosts");
    }
    return entry;
}

void ConfigDecoder::checkDatastoreDsn(const ConfigNode &entry,
                                      const QString &path,
                                      ConfigErrors &errors)
{
    const ConfigNode *config = entry.isMap() ? entry.child(u"config") : nullptr;
    const ConfigNode::Entry *dsn = config && config->isMap() ? config->entry(u"dsn") : nullptr;
    if (!dsn || dsn->value.isNull()) {
        return;
    }
    const QString dsnPath = path + u".config.dsn"_s;
    if (!dsn->value.isScalar()) {
        errors.add(dsn->keyLocation, dsnPath + u": expected a string"_s);
        return;
    }
    // Never echo the DSN: it may carry a password.
    const QString text = dsn->value.text();
    const qsizetype separator = text.indexOf(u"://"_s);
    const QString scheme = separator > 0 ? text.left(separator) : QString();
    static const QRegularExpression schemeRe(u"^[A-Za-z][A-Za-z0-9+.-]*$"_s);
    if (scheme.isEmpty() || !schemeRe.match(scheme).hasMatch()) {
        errors.add(dsn->keyLocation,
                   dsnPath + u": expected sqlite://<path> or postgres://<user>@<host>/<db>"_s);
    } else if (scheme != u"sqlite" && scheme != u"postgres" && scheme != u"postgresql") {
        errors.addRefusal(dsn->keyLocation,
                          dsnPath
                              + u": unsupported scheme \"%1\" (expected sqlite:// or postgres://: "
                                u"gestaltd's datastore is SQLite or PostgreSQL)"_s.arg(scheme),
                          u"providers.indexeddb.<name>.config"_s);
    } else if (text.size() == separator + 3) {
        errors.add(dsn->keyLocation, dsnPath + u": names no database"_s);
    }
}

void ConfigDecoder::readRuntime(ConfigMapReader &root, Config &config)
{
    ConfigMapReader runtime = root.map(u"runtime");
    QStringList defaults;
    for (const ConfigMapReader::Child &child : runtime.entries(u"providers")) {
        ConfigMapReader p(child, root.errors());
        RuntimeProviderConfig provider;
        provider.driver =
            p.choice(u"driver", {{u"local", RuntimeDriver::Local}}, RuntimeDriver::Local);
        provider.isDefault = p.boolean(u"default", false);
        provider.config = p.object(u"config");
        (void)p.refused(u"source",
                        u"installed runtime providers (kind: runtime, such as Modal) host "
                        u"executable plugins; this gestaltd has only the built-in local driver"_s);
        if (provider.isDefault) {
            defaults.append(child.name);
        }
        config.runtime.providers.insert(child.name, provider);
    }
    if (defaults.size() > 1) {
        runtime.error(
            u"providers",
            u"only one entry may set default: true (found %1)"_s.arg(defaults.join(u", "_s)));
    }
    config.runtime.defaultProvider = runtime.string(u"defaultProvider");
    reference(runtime,
              u"defaultProvider",
              config.runtime.defaultProvider,
              config.runtime.providers.keys(),
              u"runtime.providers"_s);
}

void ConfigDecoder::readServer(ConfigMapReader &root, Config &config)
{
    ConfigMapReader server = root.map(u"server");
    ServerConfig &s = config.server;
    readListeners(server, config);
    s.baseUrl = readHttpUrl(server, u"baseUrl");
    s.encryptionKey = server.string(u"encryptionKey");
    s.apiTokenTtl = server.duration(u"apiTokenTtl", s.apiTokenTtl);
    s.cliTokenTtl = server.duration(u"cliTokenTtl", s.cliTokenTtl);
    s.allowAnonymous = server.boolean(u"allowAnonymous", s.allowAnonymous);
    s.artifactsDir = server.string(u"artifactsDir", config.baseDir);
    s.logFormat = server.choice<std::optional<LogFormat>>(
        u"logFormat", {{u"text", LogFormat::Text}, {u"json", LogFormat::Json}}, std::nullopt);
    readServerSections(server, config);
}

void ConfigDecoder::readListeners(ConfigMapReader &server, Config &config)
{
    ServerConfig &s = config.server;
    {
        ConfigMapReader listener = server.map(u"public");
        s.publicListener.host = listener.string(u"host", s.publicListener.host);
        s.publicListener.port =
            static_cast<int>(listener.integer(u"port", s.publicListener.port, 0, 65535));
    }
    if (!server.has(u"management")) {
        return;
    }
    ConfigMapReader listener = server.map(u"management");
    ManagementListenerConfig management;
    // Not server.public.host: the operator surface stays on loopback unless a host is named.
    management.host = listener.string(u"host", management.host);
    if (management.host.isEmpty()) {
        management.host = ManagementListenerConfig().host;
    }
    if (!listener.has(u"port")) {
        listener.errorHere(u"port is required when the management listener is configured"_s);
    }
    management.port = static_cast<int>(listener.integer(u"port", 0, 0, 65535));
    if (management.port != 0 && management.port == s.publicListener.port) {
        listener.error(u"port",
                       u"must differ from server.public.port (both are %1)"_s.arg(management.port));
    }
    management.baseUrl = readHttpUrl(listener, u"baseUrl");
    s.management = management;
}

void ConfigDecoder::readServerSections(ConfigMapReader &server, Config &config)
{
    ServerConfig &s = config.server;
    {
        ConfigMapReader selection = server.map(u"providers");
        for (const SelectionKind &kind : selectionKinds) {
            if (const QString reason = refusedKindReason(kind.name); !reason.isEmpty()) {
                (void)selection.refused(kind.name, reason);
                continue;
            }
            const QString name = selection.string(kind.name);
            s.providers.*kind.selection = name;
            reference(selection,
                      kind.name,
                      name,
                      (config.providers.*kind.map).keys(),
                      u"providers."_s + kind.name);
        }
    }
    {
        ConfigMapReader admin = server.map(u"admin");
        s.admin.authorizationPolicy = admin.string(u"authorizationPolicy");
        reference(admin,
                  u"authorizationPolicy",
                  s.admin.authorizationPolicy,
                  config.authorization.policies.keys(),
                  u"authorization.policies"_s);
        s.admin.allowedRoles = admin.stringList(u"allowedRoles", s.admin.allowedRoles);
        s.admin.ui = admin.string(u"ui");
        reference(admin, u"ui", s.admin.ui, config.providers.ui.keys(), u"providers.ui"_s);
    }
    {
        ConfigMapReader egress = server.map(u"egress");
        s.egressDefaultAction =
            egress.choice(u"defaultAction",
                          {{u"allow", EgressAction::Allow}, {u"deny", EgressAction::Deny}},
                          EgressAction::Allow);
    }
    {
        ConfigMapReader http = server.map(u"http");
        HttpLimits &limits = s.http;
        limits.maxBodyBytes = http.byteSize(u"maxBodyBytes", limits.maxBodyBytes);
        limits.maxHeaderBytes = http.byteSize(u"maxHeaderBytes", limits.maxHeaderBytes);
        limits.idleTimeout = http.duration(u"idleTimeout", limits.idleTimeout);
        limits.maxConnections =
            static_cast<int>(http.integer(u"maxConnections", limits.maxConnections, 1, 1'000'000));
        limits.requestTimeout = http.duration(u"requestTimeout", limits.requestTimeout);
        limits.maxConnectionsPerAddress = static_cast<int>(http.integer(
            u"maxConnectionsPerAddress", limits.maxConnectionsPerAddress, 0, 1'000'000));
        limits.requestReadTimeout = http.duration(u"requestReadTimeout", limits.requestReadTimeout);
        limits.writeTimeout = http.duration(u"writeTimeout", limits.writeTimeout);
        limits.maxPipelinedRequests = static_cast<int>(
            http.integer(u"maxPipelinedRequests", limits.maxPipelinedRequests, 1, 10'000));
        limits.maxPendingResponseBytes =
            http.byteSize(u"maxPendingResponseBytes", limits.maxPendingResponseBytes);
    }
    {
        ConfigMapReader metrics = server.map(u"metrics");
        s.metricsMaxSeriesPerFamily =
            metrics.integer(u"maxSeriesPerFamily", s.metricsMaxSeriesPerFamily, 1, 10'000'000);
    }
    {
        ConfigMapReader login = server.map(u"login");
        s.loginMaxUsedStates = login.integer(u"maxUsedStates", s.loginMaxUsedStates, 1, 10'000'000);
    }
    s.auditRetention = server.duration(u"auditRetention", s.auditRetention);
    readGoServerKeys(server, config);
    LimitsDecoder::read(server, s.limits, s.upstreamLimits);
    for (const QString &entry : server.stringList(u"trustedProxies", {}, true)) {
        std::pair<QHostAddress, int> subnet = QHostAddress::parseSubnet(entry);
        if (subnet.first.isNull()) {
            server.error(
                u"trustedProxies",
                u"\"%1\" is not an IP address or CIDR range (e.g. 10.0.0.0/8)"_s.arg(entry));
            continue;
        }
        s.trustedProxies.append(subnet);
    }
}

void ConfigDecoder::readGoServerKeys(ConfigMapReader &server, Config &config)
{
    {
        ConfigMapReader runtime = server.map(u"runtime");
        const QString selected = runtime.string(u"defaultProvider");
        if (!selected.isEmpty()) {
            if (!config.runtime.defaultProvider.isEmpty()
                && config.runtime.defaultProvider != selected) {
                runtime.error(u"defaultProvider",
                              u"differs from runtime.defaultProvider; set one of them"_s);
            }
            config.runtime.defaultProvider = selected;
            reference(runtime,
                      u"defaultProvider",
                      selected,
                      config.runtime.providers.keys(),
                      u"runtime.providers"_s);
        }
        runtime.ignored(u"relayBaseUrl",
                        u"the callback origin of hosted runtimes; this gestaltd hosts none"_s);
    }
    {
        ConfigMapReader dev = server.map(u"dev");
        (void)dev.refused(u"attachmentState",
                          u"remote provider-dev attach serves executable providers under "
                          u"development; this gestaltd runs declarative apps only"_s);
    }
    {
        ConfigMapReader agent = server.map(u"agent");
        agent.ignored(u"defaultToolNarrowingThreshold",
                      u"a turn that names no tools is offered the operations its caller may run "
                      u"(at most 128), and every call is authorized as the caller's own"_s);
    }
}

void ConfigDecoder::readApps(ConfigMapReader &root, Config &config)
{
    const bool hasApps = root.has(u"apps");
    const bool hasPlugins = root.has(u"plugins");
    if (hasApps && hasPlugins) {
        root.error(u"plugins", u"set either apps or plugins (its older name), not both"_s);
    }
    const QStringView key = hasPlugins && !hasApps ? QStringView(u"plugins") : QStringView(u"apps");
    static const QRegularExpression nameRe(u"^[A-Za-z0-9][A-Za-z0-9._-]*$"_s);
    const AppDecoder decoder(config);
    for (const ConfigMapReader::Child &child : root.entries(key)) {
        if (!nameRe.match(child.name).hasMatch()) {
            root.errors().add(child.location,
                              child.path
                                  + u": an app name may only use letters, digits, '.', '_' and "
                                    u"'-' (it is part of /api/v1/<app>/...)"_s);
        } else if (reservedAppNames().contains(child.name)) {
            root.errors().add(
                child.location,
                child.path + u": \"%1\" is reserved by the /api/v1 routes"_s.arg(child.name));
        }
        // A local manifest (`source:`) is merged under the entry before it is decoded.
        const std::optional<ConfigNode> merged =
            ManifestLoader(root.errors()).load(*child.node, child.path);
        ConfigMapReader::Child entry = child;
        entry.pattern = u"apps.<name>"_s; // plugins.<name> is its older name
        if (merged) {
            entry.node = &*merged;
        }
        ConfigMapReader app(entry, root.errors());
        config.apps.insert(child.name, decoder.read(app));
    }
}

} // namespace Gestalt
