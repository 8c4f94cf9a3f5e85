// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apps/Operation.h"
#include "mcp/McpClient.h"

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

class QNetworkAccessManager;

namespace Gestalt {

class AppCatalog;
class HostedProcess;
class RuntimeRegistry;
struct AppDefinition;

// The upstream MCP servers of apps with `surfaces.mcp`: a stdio `command` hosted by a runtime
// provider (the app's `runtime.provider`, else the default one) or a Streamable HTTP `url`. Their
// tools are discovered when the server comes up and again on notifications/tools/list_changed,
// and become MCP-only operations of the app (transport Mcp, id = the upstream tool name).
// URL servers get one client per credential (the caller's connection headers), so upstream
// sessions never mix users; discovery uses the client without a credential.
class McpUpstreams final : public QObject
{
    Q_OBJECT

public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    McpUpstreams(const AppCatalog &catalog, RuntimeRegistry &runtime, QObject *parent = nullptr);
    ~McpUpstreams() override;

    // Hosts the stdio servers and connects the URL ones; discovery runs in the background.
    void start();
    [[nodiscard]] bool hasApps() const { return !m_upstreams.empty(); }

    [[nodiscard]] QList<Operation> operations(const QString &app) const;
    [[nodiscard]] std::optional<Operation> operation(const QString &app, const QString &tool) const;
    // The tools/list entry the upstream gave for a tool (verbatim).
    [[nodiscard]] QJsonObject definition(const QString &app, const QString &tool) const;

    // tools/call on the app's server; the result object passes through verbatim. With
    // `progress`, the server's progress notifications for the call reach it. The returned
    // function cancels the call.
    std::function<void()> callTool(const AppDefinition &app, const QString &tool,
                                   const QJsonObject &arguments, const Headers &headers,
                                   std::chrono::milliseconds timeout, McpClient::Callback callback,
                                   McpClient::Progress progress = {});

Q_SIGNALS:
    void toolsChanged();

private:
    struct Upstream;
    void discover(Upstream &upstream);
    [[nodiscard]] McpClient *clientFor(Upstream &upstream, const Headers &headers);

    const AppCatalog &m_catalog;
    RuntimeRegistry &m_runtime;
    QNetworkAccessManager *m_network; // child
    std::map<QString, std::unique_ptr<Upstream>> m_upstreams;
};

} // namespace Gestalt
