// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

namespace Gestalt {

class MetricsRegistry;

// GET /metrics in the Prometheus text format. Authenticated on the public listener, open on the
// management listener (protect that one at the network).
class MetricsRoutes final
{
public:
    explicit MetricsRoutes(MetricsRegistry &registry);
    void registerRoutes(Router &router, RouteAuth auth);

private:
    MetricsRegistry &m_registry;
};

} // namespace Gestalt
