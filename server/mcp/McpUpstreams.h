// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/Operation.h"
#include "invocation/McpInvoker.h"
#include "mcp/client/McpClient.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace Gestalt {

class AppCatalog;
class UpstreamClient;
class HostedProcess;
class RuntimeRegistry;
struct AppDefinition;

// The upstream MCP servers of apps with `surfaces.mcp`: a stdio `command` hosted by a runtime
// provider (the app's `runtime.provider`, else the default one) or a Streamable HTTP `url`. Their
// tools become MCP-only operations of the app (transport Mcp, originalId = the upstream tool
// name, id = it or its allowedOperations alias, mcpTool = its tools/list entry); an app's
// allowedOperations, keyed by upstream name, narrows them.
// Shared discovery: a stdio server, or a URL server without a credential, is asked for its tools
// when it comes up and again on notifications/tools/list_changed; everyone sees that list.
// Caller-scoped: a URL server behind a user or platform connection answers each credential for
// itself (tools may differ per account, and an anonymous tools/list is usually refused). Each
// credential gets its own client (upstream sessions never mix users) and its own tool list,
// fetched when its caller lists or calls tools and kept for a minute or until list_changed.
class McpUpstreams final
    : public QObject
    , public McpInvoker
{
    Q_OBJECT

public:
    // machineCode of the error for a caller-scoped tool the caller's server does not have.
    static constexpr QLatin1StringView UnknownToolCode{"unknown_tool"};

    // URL servers are reached through `client` under each app's EgressPolicy (its
    // egress.allowedHosts, server.egress.defaultAction); it must outlive this.
    McpUpstreams(const AppCatalog &catalog,
                 RuntimeRegistry &runtime,
                 UpstreamClient &client,
                 QObject *parent = nullptr);
    ~McpUpstreams() override;
    Q_DISABLE_COPY_MOVE(McpUpstreams)

    // Hosts the stdio servers and connects the URL ones; discovery runs in the background.
    void start();
    [[nodiscard]] bool hasApps() const { return !m_upstreams.empty(); }

    // isCallerScoped (McpInvoker): does the app's server list its tools per credential (see
    // above)?

    // The shared discovery's tools (none for caller-scoped apps).
    [[nodiscard]] QList<Operation> operations(const QString &app) const;
    [[nodiscard]] std::optional<Operation> operation(const QString &app,
                                                     const QString &tool) const override;
    // Has the app's server answered the shared discovery's tools/list (false for caller-scoped
    // apps and apps without an MCP surface)?
    [[nodiscard]] bool discovered(const QString &app) const;

    // A caller-scoped app's tools as the server shows them to the credential in `headers`.
    // Calls back once, never from inside.
    void listToolsFor(const AppDefinition &app,
                      const Headers &headers,
                      std::chrono::milliseconds timeout,
                      ToolsCallback callback) override;

    // ToolGate (McpInvoker): the access check of the caller on the tool a caller-scoped call
    // resolved to (its allowedOperations entry applied: alias, allowedRoles...), the same
    // AccessCheck that tools/list asks (McpToolCatalog::callerTool).

    // tools/call on the app's server (`tool`: the upstream name); the result object passes
    // through verbatim. For a
    // caller-scoped app `tool` is looked up in the credential's tool list by its public name
    // (McpToolCatalog::publicName; error UnknownToolCode when there is none), then `gate` is
    // asked: a tool it refuses is answered like one the server does not have (code Forbidden,
    // machineCode UnknownToolCode), as the caller's tools/list does not show it either. With
    // `progress`, the server's progress notifications for the call reach it. The returned
    // function cancels the call.
    std::function<void()> callTool(const AppDefinition &app,
                                   const QString &tool,
                                   const QJsonObject &arguments,
                                   const Headers &headers,
                                   std::chrono::milliseconds timeout,
                                   ToolGate gate,
                                   McpClient::Callback callback,
                                   McpClient::Progress progress) override;

Q_SIGNALS:
    void toolsChanged();

private:
    struct Upstream;
    struct CallerClient;
    void discover(Upstream &upstream);
    [[nodiscard]] std::shared_ptr<CallerClient> callerClient(Upstream &upstream,
                                                             const Headers &headers);
    void listCallerTools(const Upstream &upstream,
                         CallerClient &caller,
                         std::chrono::milliseconds timeout,
                         ToolsCallback callback);
    std::function<void()> callCallerTool(const Upstream &upstream,
                                         const std::shared_ptr<CallerClient> &caller,
                                         const QString &tool,
                                         const QJsonObject &arguments,
                                         std::chrono::milliseconds timeout,
                                         ToolGate gate,
                                         McpClient::Callback callback,
                                         McpClient::Progress progress);

    const AppCatalog &m_catalog;
    RuntimeRegistry &m_runtime;
    UpstreamClient &m_upstream;
    std::map<QString, std::unique_ptr<Upstream>> m_upstreams;
};

} // namespace Gestalt
