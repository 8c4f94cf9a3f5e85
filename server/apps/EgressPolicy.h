// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ServerConfig.h"
#include "shared/Result.h"

#include <QString>
#include <QStringList>

namespace Gestalt {

// Where one component of the server may send requests: an app (its REST/GraphQL upstream, its
// MCP server over HTTP, its OAuth endpoints), the OIDC login provider, an agent model provider.
// Every outbound request of gestaltd goes through UpstreamClient, which applies it.
struct EgressPolicy
{
    // The component's egress.allowedHosts: names ("api.example.com") or "*.example.com" (any
    // subdomain, not the apex), compared case-insensitively. Empty: defaultAction decides.
    QStringList allowedHosts;
    // server.egress.defaultAction, for a component without allowedHosts.
    EgressAction defaultAction = EgressAction::Allow;

    // May a request go to `host` at all? Forbidden "egress to host \"h\" is not allowed" when
    // allowedHosts is set and does not match, or is empty under defaultAction: deny.
    [[nodiscard]] Result<void> checkHost(const QString &host) const;

    // Does `host` match one of the patterns? Empty patterns match nothing.
    [[nodiscard]] static bool matches(const QString &host, const QStringList &patterns);
};

} // namespace Gestalt
