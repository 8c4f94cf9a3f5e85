// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httpclient/EgressPolicy.h"
#include "shared/Result.h"

#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

class QUrl;

namespace Gestalt {

struct Config;

// The platform login provider chosen by the config (gestalt-facts §3): the entry that
// server.providers.authentication names, else the only (or `default: true`)
// providers.authentication entry. An entry named `none`, or with `source: none`, or no entry at
// all: login is disabled. An entry with `source: oidc` (or named `oidc` without a source) is the
// built-in OIDC provider; its `config:` block holds the keys below. Other sources: "unsupported
// authentication provider".
struct OidcSettings
{
    QString providerName; // the providers.authentication key
    QString issuerUrl;    // required; https unless allowInsecureHttp
    QString clientId;     // required
    QString clientSecret; // optional (public client + PKCE); never logged
    QString redirectUrl;  // default: <public base URL>/api/v1/auth/login/callback
    QStringList scopes = {
        QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("profile")};
    QStringList allowedDomains; // lower-case; empty: any
    bool pkce = true;
    std::chrono::seconds sessionTtl = std::chrono::hours(24);
    QString displayName = QStringLiteral("SSO");
    bool allowInsecureHttp = false;
    QStringList audiences; // extra accepted "aud" values for bearer tokens (clientId always)
    // Where the provider's requests may go (discovery, JWKS, token endpoint): the entry's
    // egress.allowedHosts (providers.authentication.<name>.egress) and server.egress.defaultAction.
    EgressPolicy egress;

    // nullopt: authentication is disabled. Errors name the config key ("providers.authentication.
    // sso.config.clientId: required").
    [[nodiscard]] static Result<std::optional<OidcSettings>> fromConfig(const Config &config);

    // An absolute URL we may talk to: https, or http when allowInsecureHttp is set or the host is
    // a loopback one (localhost, 127.0.0.0/8, ::1). For the issuer and the discovered endpoints.
    [[nodiscard]] bool allowsUrl(const QUrl &url) const;
};

} // namespace Gestalt
