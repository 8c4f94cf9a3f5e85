// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ServerConfig.h"
#include "shared/Result.h"

#include <QString>
#include <QStringList>

class QHostAddress;

namespace Gestalt {

// Where one component of the server may send requests: an app (its REST/GraphQL upstream, its
// MCP server over HTTP, its OAuth endpoints), the OIDC login provider, an agent model provider.
// Every outbound request of gestaltd goes through UpstreamClient, which applies it.
//
// Two checks:
//   1. checkHost(), before anything is sent: allowedHosts, or defaultAction without them.
//   2. The address check, after DNS resolution: a host that is not NAMED (a host the operator
//      wrote literally in this component's config, or an exact allowedHosts entry) comes from
//      caller- or upstream-controlled values ({param} interpolation from connection params,
//      discovery results, token responses, documents an upstream serves). Every address it
//      resolves to must be public (isPublicAddress); one that is not refuses the request, and
//      the connection goes to the address that was checked (no second lookup to rebind).
// A default-constructed policy names nothing: every host must resolve to public addresses. A
// component that talks to hosts of its own config must name them (addNamedUrl()).
struct EgressPolicy
{
    // The component's egress.allowedHosts: names ("api.example.com") or "*.example.com" (any
    // subdomain, not the apex), compared case-insensitively. Empty: defaultAction decides.
    QStringList allowedHosts;
    // server.egress.defaultAction, for a component without allowedHosts.
    EgressAction defaultAction = EgressAction::Allow;
    // Hosts written literally in the component's config (URLs whose host holds no "{"), in
    // the form QUrl::host() gives them. They may resolve to any address: the operator chose them.
    QStringList namedHosts;

    // May a request go to `host` at all? Forbidden "egress to host \"h\" is not allowed" when
    // allowedHosts is set and does not match, or is empty under defaultAction: deny.
    [[nodiscard]] Result<void> checkHost(const QString &host) const;

    // Must every address `host` resolves to be public? True unless the host is named (namedHosts
    // or an exact, non-wildcard allowedHosts entry).
    [[nodiscard]] bool requiresPublicAddress(const QString &host) const;

    // Adds the host of `url` to namedHosts, unless its authority holds a "{" placeholder (a value
    // filled at run time is not the operator's choice) or it has no host.
    void addNamedUrl(const QString &url);

    // Does `host` match one of the patterns? Empty patterns match nothing.
    [[nodiscard]] static bool matches(const QString &host, const QStringList &patterns);

    // Is `address` a public unicast address? False for unspecified (0.0.0.0/8, ::), loopback
    // (127/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16,
    // the cloud metadata address among them, fe80::/10), shared CGNAT space (100.64/10), IETF
    // protocol assignments (192.0.0/24), benchmarking (198.18/15), multicast (224/4, ff00::/8),
    // reserved (240/4) and broadcast, site-local (fec0::/10), discard-only (100::/64) and the
    // local-use NAT64 prefix (64:ff9b:1::/48). IPv6 addresses that carry an IPv4 address
    // (IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16)
    // are judged by that IPv4 address.
    [[nodiscard]] static bool isPublicAddress(const QHostAddress &address);
};

} // namespace Gestalt
