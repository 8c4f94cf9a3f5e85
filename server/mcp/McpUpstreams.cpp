// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/McpUpstreams.h"

#include "Logging.h"
#include "apps/AppCatalog.h"
#include "crypto/Hash.h"
#include "runtime/RuntimeProvider.h"

#include <QJsonArray>
#include <QNetworkAccessManager>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace Gestalt {

namespace {

constexpr auto discoveryTimeout = 30s;
constexpr int maxCredentialClients = 256;

Operation operationFromTool(const QJsonObject &tool, const McpSurface &surface)
{
    Operation op;
    op.id = tool.value(u"name"_s).toString();
    op.originalId = op.id;
    op.method = u"POST"_s;
    op.title = tool.value(u"title"_s).toString();
    if (op.title.isEmpty()) {
        op.title = tool.value(u"annotations"_s).toObject().value(u"title"_s).toString();
    }
    op.description = tool.value(u"description"_s).toString();
    op.inputSchema = tool.value(u"inputSchema"_s).toObject();
    op.connection = surface.connection;
    op.transport = Operation::Transport::Mcp;
    return op;
}

QByteArray fingerprint(const McpUpstreams::Headers &headers)
{
    if (headers.isEmpty()) {
        return {};
    }
    QByteArray all;
    for (const auto &[name, value] : headers) {
        all += name.toLower() + ':' + value + '\n';
    }
    return Crypto::sha256(all);
}

} // namespace

struct McpUpstreams::Upstream
{
    const AppDefinition *app = nullptr;
    HostedProcess *process = nullptr; // owned by its runtime provider
    std::unique_ptr<McpClient> client; // stdio, or URL without a credential
    std::map<QByteArray, std::unique_ptr<McpClient>> byCredential; // URL with a credential
    QList<Operation> operations;
    QHash<QString, QJsonObject> tools;
    bool discovering = false;
    bool rediscover = false;
    QTimer retry;
    int failures = 0;
};

McpUpstreams::McpUpstreams(const AppCatalog &catalog, RuntimeRegistry &runtime, QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
    , m_runtime(runtime)
    , m_network(new QNetworkAccessManager(this))
{
    for (const AppDefinition &app : m_catalog.apps()) {
        if (app.mcpSurface) {
            auto upstream = std::make_unique<Upstream>();
            upstream->app = &app;
            upstream->retry.setSingleShot(true);
            m_upstreams.emplace(app.name, std::move(upstream));
        }
    }
}

McpUpstreams::~McpUpstreams()
{
    for (auto &[name, upstream] : m_upstreams) {
        upstream->client.reset();
        upstream->byCredential.clear();
        if (upstream->process) {
            upstream->process->stop();
        }
    }
}

void McpUpstreams::start()
{
    for (auto &[name, entry] : m_upstreams) {
        Upstream *upstream = entry.get();
        const McpSurface &surface = *upstream->app->mcpSurface;
        connect(&upstream->retry, &QTimer::timeout, this, [this, upstream] { discover(*upstream); });
        if (!surface.command.isEmpty()) {
            RuntimeProvider *provider = upstream->app->runtimeProvider.isEmpty()
                ? m_runtime.defaultProvider()
                : m_runtime.provider(upstream->app->runtimeProvider);
            if (!provider) {
                qCWarning(lcMcp).noquote() << "mcp: app" << name << "has no runtime provider";
                continue;
            }
            HostSpec spec;
            spec.app = name;
            spec.command = surface.command + surface.args;
            spec.env = surface.env;
            spec.workingDir = surface.workingDir;
            Result<HostedProcess *> hosted = provider->host(spec);
            if (!hosted) {
                qCWarning(lcMcp).noquote()
                    << "mcp: cannot host app" << name << ":" << hosted.error().message;
                continue;
            }
            upstream->process = *hosted;
            upstream->client = McpClient::stdio(*upstream->process);
            upstream->process->start();
        } else {
            upstream->client = McpClient::http(QUrl(surface.url), {}, *m_network);
        }
        connect(upstream->client.get(), &McpClient::initialized, this,
                [this, upstream] { discover(*upstream); });
        connect(upstream->client.get(), &McpClient::toolsChanged, this,
                [this, upstream] { discover(*upstream); });
        if (upstream->process == nullptr) {
            discover(*upstream); // a URL server: initializes on the first request
        }
    }
}

void McpUpstreams::discover(Upstream &upstream)
{
    if (!upstream.client) {
        return;
    }
    if (upstream.discovering) {
        upstream.rediscover = true;
        return;
    }
    upstream.discovering = true;
    upstream.rediscover = false;
    Upstream *target = &upstream;
    QPointer<McpUpstreams> self(this);
    upstream.client->listTools(discoveryTimeout, [self, target](Result<QJsonArray> tools) {
        if (!self) {
            return;
        }
        target->discovering = false;
        const QString &name = target->app->name;
        if (!tools) {
            ++target->failures;
            const int seconds = std::min(60, 1 << std::min(target->failures, 6));
            qCWarning(lcMcp).noquote() << "mcp: tool discovery for app" << name
                                       << "failed:" << tools.error().message << "- retrying in"
                                       << seconds << "s";
            if (!target->process) {
                target->retry.start(std::chrono::seconds(seconds));
            }
            return;
        }
        target->failures = 0;
        QList<Operation> operations;
        QHash<QString, QJsonObject> definitions;
        for (const QJsonValue &value : std::as_const(*tools)) {
            const QJsonObject tool = value.toObject();
            const QString toolName = tool.value(u"name"_s).toString();
            if (toolName.isEmpty() || definitions.contains(toolName)) {
                continue;
            }
            definitions.insert(toolName, tool);
            operations.append(operationFromTool(tool, *target->app->mcpSurface));
        }
        std::sort(operations.begin(), operations.end(),
                  [](const Operation &a, const Operation &b) { return a.id < b.id; });
        target->operations = operations;
        target->tools = definitions;
        qCInfo(lcMcp).noquote() << "mcp: app" << name << "offers" << operations.size()
                                << "tools from its upstream MCP server";
        Q_EMIT self->toolsChanged();
        if (target->rediscover) {
            self->discover(*target);
        }
    });
}

QList<Operation> McpUpstreams::operations(const QString &app) const
{
    const auto it = m_upstreams.find(app);
    return it == m_upstreams.end() ? QList<Operation>() : it->second->operations;
}

std::optional<Operation> McpUpstreams::operation(const QString &app, const QString &tool) const
{
    const auto it = m_upstreams.find(app);
    if (it == m_upstreams.end()) {
        return std::nullopt;
    }
    for (const Operation &op : it->second->operations) {
        if (op.id == tool) {
            return op;
        }
    }
    return std::nullopt;
}

QJsonObject McpUpstreams::definition(const QString &app, const QString &tool) const
{
    const auto it = m_upstreams.find(app);
    return it == m_upstreams.end() ? QJsonObject() : it->second->tools.value(tool);
}

McpClient *McpUpstreams::clientFor(Upstream &upstream, const Headers &headers)
{
    if (upstream.process || headers.isEmpty()) {
        return upstream.client.get();
    }
    const QByteArray key = fingerprint(headers);
    auto it = upstream.byCredential.find(key);
    if (it != upstream.byCredential.end()) {
        return it->second.get();
    }
    if (int(upstream.byCredential.size()) >= maxCredentialClients) {
        upstream.byCredential.erase(upstream.byCredential.begin());
    }
    std::unique_ptr<McpClient> client =
        McpClient::http(QUrl(upstream.app->mcpSurface->url), headers, *m_network);
    McpClient *raw = client.get();
    Upstream *target = &upstream;
    connect(raw, &McpClient::toolsChanged, this, [this, target] { discover(*target); });
    upstream.byCredential.emplace(key, std::move(client));
    return raw;
}

std::function<void()> McpUpstreams::callTool(const AppDefinition &app, const QString &tool,
                                             const QJsonObject &arguments,
                                             const Headers &headers,
                                             std::chrono::milliseconds timeout,
                                             McpClient::Callback callback,
                                             McpClient::Progress progress)
{
    const auto it = m_upstreams.find(app.name);
    McpClient *client = it == m_upstreams.end() ? nullptr : clientFor(*it->second, headers);
    if (!client) {
        QMetaObject::invokeMethod(
            this,
            [callback = std::move(callback), name = app.name] {
                callback(Error::unavailable(
                    u"the upstream MCP server of integration \"%1\" is not available"_s.arg(name)));
            },
            Qt::QueuedConnection);
        return [] {};
    }
    QJsonObject params{{u"name"_s, tool}, {u"arguments"_s, arguments}};
    return client->request(u"tools/call"_s, params, timeout, std::move(callback),
                           std::move(progress));
}

} // namespace Gestalt
