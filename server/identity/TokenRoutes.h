// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class TokenService;

// /api/v1/tokens: the caller's own API tokens.
class TokenRoutes final
{
public:
    explicit TokenRoutes(TokenService &tokens);
    void registerRoutes(Router &router);

private:
    [[nodiscard]] Result<HttpResponse> create(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> list(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> revoke(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> revokeAll(const HttpRequest &request);

    TokenService &m_tokens;
};

} // namespace Gestalt
