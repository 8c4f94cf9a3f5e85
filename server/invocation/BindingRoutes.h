// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"
#include "invocation/BindingVerifier.h"

namespace Gestalt {

class AppCatalog;
class InvocationService;
struct AppDefinition;
struct HttpBinding;

// Hosted HTTP bindings (apps.<name>.http): routes /api/v1/<app><path> verified by the binding's
// security scheme instead of a session, running the target operation as
// system:http_binding:<app>:<binding> (at once, or after an immediate `ack`). Also the older
// GET /api/v1/bindings listing.
class BindingRoutes final
{
public:
    BindingRoutes(const AppCatalog &catalog,
                  InvocationService &invocations,
                  Clock clock,
                  BindingVerifier::Environment environment = {});
    void registerRoutes(Router &router);

private:
    void handle(const AppDefinition &app,
                const QString &bindingName,
                const HttpBinding &binding,
                const HttpRequest &request,
                const Responder &responder);
    [[nodiscard]] Result<HttpResponse> list(const HttpRequest &request) const;

    const AppCatalog &m_catalog;
    InvocationService &m_invocations;
    BindingVerifier m_verifier;
};

} // namespace Gestalt
