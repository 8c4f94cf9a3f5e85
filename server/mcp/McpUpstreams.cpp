// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/McpUpstreams.h"

#include "catalog/AppCatalog.h"
#include "core/Logging.h"
#include "crypto/Hash.h"
#include "mcp/McpToolCatalog.h"
#include "runtime/RuntimeProvider.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QPointer>
#include <QSet>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace Gestalt {

namespace {

constexpr auto discoveryTimeout = 30s;
constexpr int maxCredentialClients = 256;
constexpr auto callerToolsTtl = 60s;

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
    op.mcpTool = tool;
    return op;
}

// The operations of a tools/list answer: one per named tool (first wins), narrowed and renamed
// by the app's allowedOperations (keyed by the upstream name), sorted by id.
QList<Operation> operationsFromTools(const QJsonArray &tools, const AppDefinition &app)
{
    QList<Operation> operations;
    QSet<QString> seen;
    QSet<QString> ids;
    for (const auto &value : tools) {
        const QJsonObject tool = value.toObject();
        const QString name = tool.value(u"name"_s).toString();
        if (name.isEmpty() || seen.contains(name)) {
            continue;
        }
        seen.insert(name);
        Operation op = operationFromTool(tool, *app.mcpSurface);
        if (app.allowedOperations) {
            const auto allowed = app.allowedOperations->constFind(name);
            if (allowed == app.allowedOperations->cend()) {
                continue;
            }
            applyAllowedOperation(op, *allowed);
            if (!allowed->description.isEmpty()) {
                op.mcpTool.insert(u"description"_s, allowed->description);
            }
        }
        if (ids.contains(op.id)) {
            qCWarning(lcMcp).noquote() << "mcp: app" << app.name << "exposes two tools as" << op.id
                                       << "- keeping the first";
            continue;
        }
        ids.insert(op.id);
        operations.append(op);
    }
    std::sort(operations.begin(), operations.end(), [](const Operation &a, const Operation &b) {
        return a.id < b.id;
    });
    return operations;
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

// One credential's client of a caller-scoped server and the tools it was shown.
struct McpUpstreams::CallerClient
{
    std::unique_ptr<McpClient> client;
    QList<Operation> operations;
    QDeadlineTimer fresh{QDeadlineTimer::Forever}; // expired: list again
    bool listed = false;
    std::vector<ToolsCallback> waiting; // while a listing runs
};

struct McpUpstreams::Upstream
{
    const AppDefinition *app = nullptr;
    bool callerScoped = false;
    HostedProcess *process = nullptr;  // owned by its runtime provider
    std::unique_ptr<McpClient> client; // shared discovery: stdio, or URL without a credential
    // Caller-scoped; shared so that a call waiting for its tool list notices an eviction.
    std::map<QByteArray, std::shared_ptr<CallerClient>> byCredential;
    QList<Operation> operations; // shared discovery
    bool discovered = false;     // operations hold a listing
    bool discovering = false;
    bool rediscover = false;
    QTimer retry;
    int failures = 0;
};

McpUpstreams::McpUpstreams(const AppCatalog &catalog,
                           RuntimeRegistry &runtime,
                           UpstreamClient &client,
                           QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
    , m_runtime(runtime)
    , m_upstream(client)
{
    for (const AppDefinition &app : m_catalog.apps()) {
        if (app.mcpSurface) {
            auto upstream = std::make_unique<Upstream>();
            upstream->app = &app;
            upstream->callerScoped = isCallerScoped(app);
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
        if (upstream->callerScoped) {
            continue; // each credential's client starts with its caller's first request
        }
        connect(
            &upstream->retry, &QTimer::timeout, this, [this, upstream] { discover(*upstream); });
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
            upstream->client =
                McpClient::http(QUrl(surface.url), {}, m_upstream, upstream->app->egress);
        }
        connect(upstream->client.get(), &McpClient::initialized, this, [this, upstream] {
            discover(*upstream);
        });
        connect(upstream->client.get(), &McpClient::toolsChanged, this, [this, upstream] {
            discover(*upstream);
        });
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
            qCWarning(lcMcp).noquote()
                << "mcp: tool discovery for app" << name << "failed:" << tools.error().message
                << "- retrying in" << seconds << "s";
            // A stdio server that is down lists again when it is back (initialized); one that
            // runs but failed to list is asked again, as a URL server is.
            if (!target->process || target->process->isRunning()) {
                target->retry.start(std::chrono::seconds(seconds));
            }
            return;
        }
        target->failures = 0;
        QList<Operation> operations = operationsFromTools(*tools, *target->app);
        const auto definitions = [](const QList<Operation> &list) {
            QJsonArray all;
            for (const Operation &op : list) {
                all.append(op.mcpTool);
            }
            return all;
        };
        // A list_changed that changed nothing (servers send one after connecting) rebuilds
        // nothing.
        if (!target->discovered || definitions(operations) != definitions(target->operations)) {
            target->discovered = true;
            target->operations = std::move(operations);
            qCInfo(lcMcp).noquote() << "mcp: app" << name << "offers" << target->operations.size()
                                    << "tools from its upstream MCP server";
            Q_EMIT self->toolsChanged();
        }
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

bool McpUpstreams::discovered(const QString &app) const
{
    const auto it = m_upstreams.find(app);
    return it != m_upstreams.end() && it->second->discovered;
}

std::shared_ptr<McpUpstreams::CallerClient> McpUpstreams::callerClient(Upstream &upstream,
                                                                       const Headers &headers)
{
    const QByteArray key = fingerprint(headers);
    auto it = upstream.byCredential.find(key);
    if (it != upstream.byCredential.end()) {
        return it->second;
    }
    if (int(upstream.byCredential.size()) >= maxCredentialClients) {
        upstream.byCredential.erase(upstream.byCredential.begin());
    }
    auto caller = std::make_shared<CallerClient>();
    caller->client = McpClient::http(
        QUrl(upstream.app->mcpSurface->url), headers, m_upstream, upstream.app->egress);
    CallerClient *raw = caller.get(); // the connection dies with the client it owns
    connect(raw->client.get(), &McpClient::toolsChanged, this, [raw] {
        raw->fresh = QDeadlineTimer(0);
    });
    upstream.byCredential.emplace(key, caller);
    return caller;
}

void McpUpstreams::listCallerTools(const Upstream &upstream,
                                   CallerClient &caller,
                                   std::chrono::milliseconds timeout,
                                   ToolsCallback callback)
{
    if (caller.listed && !caller.fresh.hasExpired()) {
        QMetaObject::invokeMethod(
            this,
            [callback = std::move(callback), tools = caller.operations] { callback(tools); },
            Qt::QueuedConnection);
        return;
    }
    caller.waiting.push_back(std::move(callback));
    if (caller.waiting.size() > 1) {
        return; // the listing under way answers every waiter
    }
    CallerClient *target = &caller;
    QPointer<McpUpstreams> self(this);
    // The client (and so this callback) lives no longer than the CallerClient it belongs to.
    caller.client->listTools(timeout, [self, target, app = upstream.app](Result<QJsonArray> tools) {
        if (!self) {
            return;
        }
        Result<QList<Operation>> answer = Result<QList<Operation>>(QList<Operation>());
        if (tools) {
            target->operations = operationsFromTools(*tools, *app);
            target->listed = true;
            target->fresh = QDeadlineTimer(callerToolsTtl);
            answer = target->operations;
        } else {
            answer = tools.error();
        }
        for (ToolsCallback &waiter : std::exchange(target->waiting, {})) {
            waiter(answer);
        }
    });
}

void McpUpstreams::listToolsFor(const AppDefinition &app,
                                const Headers &headers,
                                std::chrono::milliseconds timeout,
                                ToolsCallback callback)
{
    const auto it = m_upstreams.find(app.name);
    if (it == m_upstreams.end() || !it->second->callerScoped) {
        const QList<Operation> shared = operations(app.name);
        QMetaObject::invokeMethod(
            this,
            [callback = std::move(callback), shared] { callback(shared); },
            Qt::QueuedConnection);
        return;
    }
    listCallerTools(*it->second, *callerClient(*it->second, headers), timeout, std::move(callback));
}

std::function<void()> McpUpstreams::callCallerTool(const Upstream &upstream,
                                                   const std::shared_ptr<CallerClient> &caller,
                                                   const QString &tool,
                                                   const QJsonObject &arguments,
                                                   std::chrono::milliseconds timeout,
                                                   ToolGate gate,
                                                   McpClient::Callback callback,
                                                   McpClient::Progress progress)
{
    // The tool list first (usually cached: the caller listed before calling), then the call.
    auto cancelled = std::make_shared<bool>(false);
    auto cancelCall = std::make_shared<std::function<void()>>();
    const std::weak_ptr<CallerClient> target = caller;
    const AppDefinition *app = upstream.app;
    // Matched by public name: what the caller saw in tools/list.
    const QString publicName = McpToolCatalog::publicName(*app, tool);
    QPointer<McpUpstreams> self(this);
    listCallerTools(
        upstream,
        *caller,
        timeout,
        [self,
         target,
         app,
         publicName,
         arguments,
         timeout,
         cancelled,
         cancelCall,
         gate = std::move(gate),
         callback = std::move(callback),
         progress = std::move(progress)](Result<QList<Operation>> tools) mutable {
            if (!self || *cancelled) {
                return;
            }
            if (!tools) {
                callback(tools.error());
                return;
            }
            const auto found =
                std::find_if(tools->cbegin(), tools->cend(), [&](const Operation &op) {
                    return McpToolCatalog::publicName(*app, op.id) == publicName;
                });
            if (found == tools->cend()) {
                callback(Error{ErrorCode::NotFound,
                               u"Unknown tool: %1"_s.arg(publicName.left(200)),
                               McpUpstreams::UnknownToolCode});
                return;
            }
            // Without a gate nothing is called: every caller-scoped call is checked.
            if (!gate || !gate(*found)) {
                callback(Error{ErrorCode::Forbidden,
                               u"Unknown tool: %1"_s.arg(publicName.left(200)),
                               McpUpstreams::UnknownToolCode});
                return;
            }
            const std::shared_ptr<CallerClient> client = target.lock();
            if (!client) {
                callback(Error::unavailable(u"upstream MCP client was closed"_s));
                return;
            }
            QJsonObject params{{u"name"_s, found->originalId}, {u"arguments"_s, arguments}};
            *cancelCall = client->client->request(
                u"tools/call"_s, params, timeout, std::move(callback), std::move(progress));
        });
    return [cancelled, cancelCall] {
        *cancelled = true;
        if (*cancelCall) {
            (*cancelCall)();
        }
    };
}

std::function<void()> McpUpstreams::callTool(const AppDefinition &app,
                                             const QString &tool,
                                             const QJsonObject &arguments,
                                             const Headers &headers,
                                             std::chrono::milliseconds timeout,
                                             ToolGate gate,
                                             McpClient::Callback callback,
                                             McpClient::Progress progress)
{
    const auto it = m_upstreams.find(app.name);
    if (it != m_upstreams.end() && it->second->callerScoped) {
        return callCallerTool(*it->second,
                              callerClient(*it->second, headers),
                              tool,
                              arguments,
                              timeout,
                              std::move(gate),
                              std::move(callback),
                              std::move(progress));
    }
    McpClient *client = it == m_upstreams.end() ? nullptr : it->second->client.get();
    if (!client) {
        QMetaObject::invokeMethod(
            this,
            [callback = std::move(callback), name = app.name] {
                callback(Error::unavailable(
                    u"the upstream MCP server of integration \"%1\" is not available"_s.arg(name)));
            },
            Qt::QueuedConnection);
        return [] {
        };
    }
    QJsonObject params{{u"name"_s, tool}, {u"arguments"_s, arguments}};
    return client->request(
        u"tools/call"_s, params, timeout, std::move(callback), std::move(progress));
}

} // namespace Gestalt
