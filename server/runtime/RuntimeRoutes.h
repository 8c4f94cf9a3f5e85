// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class AdminGuard;
class RuntimeRegistry;

// Operator routes (management listener when split), protected like every /admin/api/v1 route:
//   GET /admin/api/v1/runtime/providers → [provider.toJson()...] (bare array, gestalt-facts §9.5)
//   GET /admin/api/v1/runtime/providers/{provider}/sessions?pageSize&pageToken
//       → {"sessions":[{id, state, app, startedAt, pid?}], "nextPageToken"?}
//   GET /admin/api/v1/runtime/providers/{provider}/sessions/{session}/logs?after&limit
//       → [{seq, stream, message, observedAt}] (bare array; limit 1..1000, default 100; after ≥ 0)
// 404 unknown provider/session, 400 bad pageSize/pageToken/after/limit.
class RuntimeRoutes final
{
public:
    RuntimeRoutes(RuntimeRegistry &registry, const AdminGuard &guard);
    void registerRoutes(Router &router) const;

private:
    [[nodiscard]] Result<HttpResponse> providers(const HttpRequest &request) const;
    [[nodiscard]] Result<HttpResponse> sessions(const HttpRequest &request) const;
    [[nodiscard]] Result<HttpResponse> logs(const HttpRequest &request) const;

    RuntimeRegistry &m_registry;
    const AdminGuard &m_guard;
};

} // namespace Gestalt
