// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ConnectionConfig.h"
#include "config/ProviderConfig.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace Gestalt {

struct OpenApiSurface
{
    QString document; // absolute path, ":/" resource, or URL
    QString baseUrl;  // overrides servers[0].url
    QString connection;
};

struct RestParameter
{
    QString name;
    QString type; // string (empty), integer, number, boolean, array, object...
    QString in;   // query, header, path, body; empty: dropped when calling upstream
    QString description;
    bool required = false;
    bool internal = false;
    QJsonValue defaultValue; // Undefined when not given
};

struct RestOperation
{
    QString name; // the operation id
    QString description;
    QString method = QStringLiteral("GET");
    QString path;
    QString connection;
    QStringList allowedRoles;
    QStringList tags;
    QList<RestParameter> parameters;
};

struct RestSurface
{
    QString baseUrl;
    QString connection;
    QList<RestOperation> operations;
};

// Upstream MCP server: remote (`url`) or a local process (`command`, hosted by the runtime).
struct McpSurface
{
    QString url;
    QStringList command; // program and leading arguments
    QStringList args;
    QMap<QString, QString> env;
    QString workingDir; // absolute
    QString connection;
    // Prefix of the tool names re-exposed through /mcp; nullopt: "<app>_". An empty prefix keeps
    // the upstream names (e.g. a gateway in front of a single MCP server).
    std::optional<QString> toolPrefix;
};

struct GraphqlSurface
{
    QString url;
    QString connection;
};

struct AppSurfaces
{
    std::optional<OpenApiSurface> openapi;
    std::optional<RestSurface> rest;
    std::optional<McpSurface> mcp;
    std::optional<GraphqlSurface> graphql;

    [[nodiscard]] bool isEmpty() const { return !openapi && !rest && !mcp && !graphql; }
};

// When an agent's call of an operation waits for an operator's approval (an `approval`
// interaction): per app (`approval`) and per operation (allowedOperations.<op>.approval).
enum class ApprovalRule {
    Default, // operations: the app's rule; apps: Never
    Never,
    Writes,   // apps only: every method but GET, HEAD and OPTIONS
    Required, // always
};

struct AllowedOperation
{
    QString alias;
    QString description;
    QStringList allowedRoles;
    QStringList tags;
    ApprovalRule approval = ApprovalRule::Default; // Default | Never | Required
};

struct AppInvoke
{
    QString app; // `app`, or `plugin` as written by older configs
    QStringList operations;
    QString surface;
    QString credentialMode;
};

// securitySchemes.<name> of hosted HTTP bindings. The secret is resolved at request time.
struct SecurityScheme
{
    QString type; // hmac, apiKey, http, none
    QString secretEnv;
    QString secretValue; // literal secret: never log it
    QString signatureHeader;
    QString signaturePrefix;
    QString payloadTemplate;
    QString timestampHeader;
    int maxAgeSeconds = 0;
    QString name;   // apiKey
    QString in;     // apiKey: header, query
    QString scheme; // http: bearer, basic
};

struct HttpAck
{
    int status = 200;
    QMap<QString, QString> headers;
    QJsonValue body; // Undefined when not given
};

struct HttpRequestBody
{
    bool required = false;
    QJsonObject content; // media type -> schema (free-form)
};

// apps.<name>.http.<binding>: a hosted route /api/v1/<app><path>.
struct HttpBinding
{
    QString path;
    QString method = QStringLiteral("POST");
    QString credentialMode;
    QString security;
    QString target; // operation id
    std::optional<HttpRequestBody> requestBody;
    std::optional<HttpAck> ack;
};

struct AppUi
{
    QString path;
    QString bundle;
};

// apps.<name> (alias plugins.<name>). The map key is the public app name.
struct AppConfig
{
    SourceRef source; // optional when surfaces are written inline
    QJsonObject config;
    QString displayName;
    QString description;
    QString iconFile; // absolute
    QString authorizationPolicy;
    QString authProvider; // auth.provider: "server" or a providers.authentication key
    std::optional<AppUi> ui;
    AppSurfaces surfaces;
    QMap<QString, AppConnectionBinding> connections;
    QString defaultConnection;
    // nullopt: every operation; otherwise an allowlist keyed by the original operation id.
    std::optional<QMap<QString, AllowedOperation>> allowedOperations;
    QList<AppInvoke> invokes;
    QMap<QString, SecurityScheme> securitySchemes;
    QMap<QString, HttpBinding> http;
    bool mcp = false;
    QMap<QString, QString> headers;
    EgressConfig egress;
    QMap<QString, QString> env;
    std::chrono::milliseconds timeout = std::chrono::seconds(30); // per operation
    ApprovalRule approval = ApprovalRule::Never; // agent tool calls: Never | Writes | Required
    QJsonObject runtime;                         // free-form until the runtime issue types it
};

} // namespace Gestalt
