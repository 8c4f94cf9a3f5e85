// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "metrics/MetricsRoutes.h"

#include "metrics/MetricsRegistry.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

MetricsRoutes::MetricsRoutes(MetricsRegistry &registry)
    : m_registry(registry)
{}

void MetricsRoutes::registerRoutes(Router &router, RouteAuth auth)
{
    router.route(u"GET"_s, u"/metrics"_s, auth, [this](const HttpRequest &) {
        return Result<HttpResponse>(HttpResponse::text(
            200, m_registry.exposition(), "text/plain; version=0.0.4; charset=utf-8"_ba));
    });
}

} // namespace Gestalt
