// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class Authenticator;
class ConnectionService;

// How users connect apps: /api/v1/auth/start-oauth, /callback, /connect-manual,
// /pending-connection, and the small /integrations page a browser lands on afterwards.
// Browser-facing answers are HTML when the browser asked for HTML, JSON otherwise.
class ConnectionRoutes final
{
public:
    // `secureCookies`: the public base URL is https.
    ConnectionRoutes(ConnectionService &connections,
                     Authenticator &authenticator,
                     bool secureCookies);
    void registerRoutes(Router &router);

private:
    [[nodiscard]] Result<HttpResponse> startOAuth(const HttpRequest &request);
    void callback(const HttpRequest &request, const Responder &responder);
    void connectManual(const HttpRequest &request, const Responder &responder);
    [[nodiscard]] Result<HttpResponse> pendingConnection(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> landingPage(const HttpRequest &request);

    [[nodiscard]] QByteArray bindingCookie(const QString &value) const;

    ConnectionService &m_connections;
    Authenticator &m_authenticator;
    bool m_secureCookies;
};

} // namespace Gestalt
