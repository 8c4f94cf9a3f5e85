// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class AuditLog;
class TokenService;

// /api/v1/tokens: the caller's own API tokens.
class TokenRoutes final
{
public:
    explicit TokenRoutes(TokenService &tokens);
    void registerRoutes(Router &router);
    // Every call writes an audit event (api_token.create/list/revoke/revoke_all).
    void setAuditLog(AuditLog *audit) { m_audit = audit; }

private:
    // The routes: each one answers through its action below and audits the answer.
    [[nodiscard]] Result<HttpResponse> create(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> list(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> revoke(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> revokeAll(const HttpRequest &request);
    // Records `action` on the api_token named by the {id} path parameter (empty without one),
    // allowed or not as `response` says, and returns `response`.
    [[nodiscard]] Result<HttpResponse>
    audited(const HttpRequest &request, const QString &action, Result<HttpResponse> response) const;

    [[nodiscard]] Result<HttpResponse> issueToken(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> listTokens(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> revokeToken(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> revokeAllTokens(const HttpRequest &request);

    TokenService &m_tokens;
    AuditLog *m_audit = nullptr;
};

} // namespace Gestalt
