// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apps/InvocationService.h"
#include "http/Router.h"

namespace Gestalt {

class AccessCheck;
class AppCatalog;
class CredentialRepository;

// The app catalog and invocation: /api/v1/apps..., the older /api/v1/integrations... names, and
// GET|POST /api/v1/{app}/{operation}.
class AppRoutes final
{
public:
    AppRoutes(const AppCatalog &catalog, const AccessCheck &access,
              CredentialRepository &credentials, InvocationService &invocations);
    void registerRoutes(Router &router);

    // Sends an invocation's outcome: the upstream status, body and Content-Type, or the error.
    [[nodiscard]] static InvocationService::Callback answerWith(const Responder &responder);

private:
    [[nodiscard]] Result<HttpResponse> list(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> operations(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> disconnect(const HttpRequest &request);
    void invoke(const HttpRequest &request, const Responder &responder);

    const AppCatalog &m_catalog;
    const AccessCheck &m_access;
    CredentialRepository &m_credentials;
    InvocationService &m_invocations;
};

} // namespace Gestalt
