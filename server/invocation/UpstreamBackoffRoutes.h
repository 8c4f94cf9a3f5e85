// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class AdminGuard;
class UpstreamBackoff;

// GET /admin/api/v1/limits/upstream (admins only, AdminGuard::admit): the credentials an
// upstream told to slow down, on this replica →
//   {"blocked":[{"app","connection","instance","subject","until","retryAfter"}]}
// `instance` and `subject` are null for a platform or credential-less connection; `until` is
// RFC 3339, `retryAfter` the seconds left. Names only: never a credential's id or secret.
class UpstreamBackoffRoutes final
{
public:
    UpstreamBackoffRoutes(const AdminGuard &guard, UpstreamBackoff &backoff);
    void registerRoutes(Router &router) const;

private:
    [[nodiscard]] Result<HttpResponse> list(const HttpRequest &request) const;

    const AdminGuard &m_guard;
    UpstreamBackoff &m_backoff;
};

} // namespace Gestalt
