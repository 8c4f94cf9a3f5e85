// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/Router.h"

#include <functional>

namespace Gestalt {

class Database;

// Liveness and readiness: /health, /ready (gestaltd's shapes) and /healthz, /readyz (per check).
class ProbeRoutes final
{
public:
    // lifecycleProblem: empty while serving, else why not ("still starting", "shutting down").
    ProbeRoutes(Database &database, std::function<QString()> lifecycleProblem);
    void registerRoutes(Router &router);

private:
    // Empty when ready; otherwise check name -> reason.
    [[nodiscard]] QList<std::pair<QString, QString>> failingChecks() const;

    Database &m_database;
    std::function<QString()> m_lifecycleProblem;
};

} // namespace Gestalt
