// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/McpInvoker.h"

#include "catalog/AppDefinition.h"

namespace Gestalt {

bool McpInvoker::isCallerScoped(const AppDefinition &app)
{
    if (!app.mcpSurface || app.mcpSurface->url.isEmpty()) {
        return false;
    }
    const AppConnection *connection = app.connection(
        app.mcpSurface->connection.isEmpty() ? app.defaultConnection : app.mcpSurface->connection);
    return connection != nullptr && connection->mode() != ConnectionMode::None;
}

} // namespace Gestalt
