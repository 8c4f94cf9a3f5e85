// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class AppService;
class InvocationService;

// The app catalog and invocation: /api/v1/apps..., the older /api/v1/integrations... names, and
// GET|POST /api/v1/{app}/{operation}.
class AppRoutes final
{
public:
    AppRoutes(AppService &apps, InvocationService &invocations);
    void registerRoutes(Router &router);

private:
    [[nodiscard]] Result<HttpResponse> list(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> operations(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> disconnect(const HttpRequest &request);
    void invoke(const HttpRequest &request, const Responder &responder);

    AppService &m_apps;
    InvocationService &m_invocations;
};

} // namespace Gestalt
