// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/LimitsConfig.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace Gestalt {

struct ListenerConfig
{
    QString host = QStringLiteral("0.0.0.0");
    int port = 8080; // 0 picks a free port (tests)
};

// server.management: the operator listener (/admin, /metrics, /health, /ready move here).
struct ManagementListenerConfig
{
    QString host = QStringLiteral("127.0.0.1"); // loopback unless set: the operator surface
    int port = 0; // required; differs from the public port unless both are 0
    QString baseUrl;
};

// server.providers: which named providers.<kind> entry serves each role (empty: not chosen).
struct ProviderSelection
{
    QString authentication;
    QString authorization;
    QString indexeddb;
    QString secrets;
    QString telemetry;
    QString audit;
    QString externalCredentials;
};

struct AdminConfig
{
    QString authorizationPolicy; // empty: /admin is open wherever it is served
    QStringList allowedRoles = {QStringLiteral("admin")};
    QString ui; // a providers.ui entry with admin/index.html
};

enum class EgressAction {
    Allow,
    Deny,
};

enum class LogFormat {
    Text,
    Json,
};

// server.http: limits of the HTTP listeners (ours; not in the Go server).
struct HttpLimits
{
    qint64 maxBodyBytes = qint64(1) << 20;    // 1 MiB
    qint64 maxHeaderBytes = qint64(16) << 10; // 16 KiB
    std::chrono::milliseconds idleTimeout = std::chrono::seconds(120);
    int maxConnections = 1024;
    int maxConnectionsPerAddress = 256; // 0: no per-address cap
    std::chrono::milliseconds requestTimeout = std::chrono::seconds(60);
    // First byte of a request to its last body byte.
    std::chrono::milliseconds requestReadTimeout = std::chrono::seconds(30);
    // Unflushed response bytes must make progress within this time, or the connection is aborted.
    std::chrono::milliseconds writeTimeout = std::chrono::seconds(30);
    // Backpressure: a connection is not read while it has this many responses unanswered or
    // unflushed, or this many response bytes the client has not read.
    int maxPipelinedRequests = 16;
    qint64 maxPendingResponseBytes = qint64(1) << 20; // 1 MiB
};

// server.limits.upstream: what calls do while an upstream's 429 (or 503) with Retry-After holds
// for their credential (UpstreamBackoff).
enum class UpstreamRateLimitAction {
    Fail, // 429 upstream_rate_limited at once, nothing sent
    Wait, // wait until the upstream's time (at most maxWait, else fail), then send
};

struct UpstreamLimitsConfig
{
    UpstreamRateLimitAction onRateLimited = UpstreamRateLimitAction::Fail;
    std::chrono::milliseconds maxWait = std::chrono::seconds(10);
};

struct ServerConfig
{
    ListenerConfig publicListener; // server.public
    std::optional<ManagementListenerConfig> management;
    QString baseUrl;
    QString encryptionKey; // never logged; presence checked by Config::validateForServe()
    std::chrono::milliseconds apiTokenTtl = std::chrono::hours(24 * 30);
    // Lifetime of the API token a CLI login mints (`gestalt login`); always finite.
    std::chrono::milliseconds cliTokenTtl = std::chrono::hours(24 * 90);
    // Serve without platform login on a non-loopback public address (everyone reaching it acts
    // as the anonymous local user). Refused at start and by `validate` unless set.
    bool allowAnonymous = false;
    QString artifactsDir; // absolute; defaults to Config::baseDir
    ProviderSelection providers;
    AdminConfig admin;
    EgressAction egressDefaultAction = EgressAction::Allow;
    HttpLimits http;
    UpstreamLimitsConfig upstreamLimits; // server.limits.upstream
    // server.metrics.maxSeriesPerFamily: label combinations kept per metric family; updates
    // beyond it count in gestaltd_metrics_series_dropped_total{family}.
    qint64 metricsMaxSeriesPerFamily = 10'000;
    // server.login.maxUsedStates: completed login states remembered against replay (each for
    // its 10 minutes); beyond it the oldest is forgotten.
    qint64 loginMaxUsedStates = 10'000;
    // server.auditRetention: stored audit events older than this are deleted (hourly job).
    std::chrono::milliseconds auditRetention = std::chrono::hours(24 * 90);
    std::optional<LogFormat> logFormat; // unset: the command line decides
    // server.trustedProxies: peers (addresses or CIDR ranges) whose X-Forwarded-For names the
    // client; from anyone else the header is ignored.
    QList<std::pair<QHostAddress, int>> trustedProxies;
    // server.limits: rate limits and concurrency caps of app operations (limits/RateLimiter.h).
    LimitsConfig limits;
};

} // namespace Gestalt
