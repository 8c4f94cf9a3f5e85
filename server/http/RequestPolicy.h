// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

namespace Gestalt {

struct HttpRequest;

// What a route accepts as a request body. A request that carries a body of another media type
// is answered 415 before the route's handler runs; a request without a body needs no type.
enum class RouteBody {
    Json, // application/json or application/*+json (the default)
    Form, // application/x-www-form-urlencoded (OAuth token endpoint, consent page)
    Yaml, // application/yaml, application/x-yaml, text/yaml, text/x-yaml
    Any,  // the handler reads the body itself (hosted bindings verify their own signatures)
};

// Which browsers may call a route that changes state or invokes an operation.
enum class RouteSites {
    SameOrigin, // a request a browser marks as cross-site is refused with 403 (the default)
    Any,        // OAuth endpoints that another site's page or an upstream legitimately calls
};

using Subnet = std::pair<QHostAddress, int>;

// The rules every request passes in HttpServer::dispatch, before authentication and before its
// handler: one place for the browser-facing protections (docs/SECURITY.md, "Web pages").
struct RequestPolicy
{
    // Host names (lower-case, no port) besides loopback names and addresses that a request to a
    // loopback listener may name: the hosts of server.baseUrl and server.management.baseUrl.
    QStringList extraHosts;
    // Origins ("scheme://host[:port]") of the gateway's own pages besides the request's own
    // Host: server.baseUrl and server.management.baseUrl.
    QStringList ownOrigins;
    // Peers whose X-Forwarded-For is believed (server.trustedProxies).
    QList<Subnet> trustedProxies;

    // 403 when a request to a loopback listener names a host that is not the gateway's: a web
    // page that rebinds its own DNS name to 127.0.0.1 sends its own name.
    [[nodiscard]] Result<void> checkHost(const HttpRequest &request) const;
    // True when a browser sent the request from another site's page: Sec-Fetch-Site:
    // cross-site, an Origin that is not one of the gateway's own, or Sec-Fetch-Site: same-site
    // without an Origin (a sibling host's link). Non-browser clients send neither header.
    [[nodiscard]] bool isCrossSite(const HttpRequest &request) const;
    // The caller's address: the peer, or, when the peer is a trusted proxy, the right-most
    // X-Forwarded-For entry that is not itself a trusted proxy.
    [[nodiscard]] QHostAddress clientAddress(const HttpRequest &request) const;

    [[nodiscard]] static Result<void> checkBodyType(const HttpRequest &request, RouteBody body);
    // "host" or "[v6]" of a Host header or URL authority, lower-case, without the port.
    [[nodiscard]] static QString hostOf(const QString &authority);
    // The origin "scheme://host[:port]" of a URL, lower-case, default port left out.
    [[nodiscard]] static QString originOf(const QString &url);
    [[nodiscard]] static bool isLoopbackHost(const QString &host);
};

// Text from a request made safe for a one-line log record: control characters, DEL and the
// backslash become \xNN escapes, so a %0A in a path cannot start a forged line.
[[nodiscard]] QString escapeForLog(const QString &text);

} // namespace Gestalt
