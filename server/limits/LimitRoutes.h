// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class AdminGuard;
class RateLimiter;

// Operator route, protected like every /admin/api/v1 route (management listener when split):
//   GET /admin/api/v1/limits → {"limits": [{scope, app, operation, requests, perSeconds,
//       concurrent}], "overrides": [{role, app, token, requests, perSeconds, concurrent}],
//       "usage": [{scope, app, operation, subject, requests, perSeconds, inFlight, limited}]}
// `usage` is the busiest 200 keys of their current window, from the store (on PostgreSQL: every
// replica's). Without server.limits every list is empty.
class LimitRoutes final
{
public:
    LimitRoutes(RateLimiter *limiter, const AdminGuard &guard);
    void registerRoutes(Router &router) const;

private:
    [[nodiscard]] Result<HttpResponse> limits(const HttpRequest &request) const;

    RateLimiter *m_limiter; // null without server.limits
    const AdminGuard &m_guard;
};

} // namespace Gestalt
