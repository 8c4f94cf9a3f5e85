// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

#include <functional>

namespace Gestalt {

class AuditLog;

// GET /api/v1/audit-events?actor&action&resource&since&until&limit&cursor (authenticated, admin
// only) → {"events":[...], "nextCursor"?}. since/until are RFC 3339; limit 1..1000 (default 100);
// bad values 400. The route flushes the log first so a caller sees its own earlier actions.
class AuditRoutes final
{
public:
    using AdminCheck = std::function<Result<void>(const HttpRequest &)>;

    AuditRoutes(AuditLog &log, AdminCheck adminCheck);
    void registerRoutes(Router &router);

private:
    [[nodiscard]] Result<HttpResponse> list(const HttpRequest &request);

    AuditLog &m_log;
    AdminCheck m_adminCheck;
};

} // namespace Gestalt
