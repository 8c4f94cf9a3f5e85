// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLoggingCategory>

// Every logging category of gestalt-console, in one place. Toggle with QT_LOGGING_RULES
// ("gestalt.console.*.debug=true"). Lines name paths and states, never tokens or secrets.
namespace Gestalt::Console {

Q_DECLARE_LOGGING_CATEGORY(lcConsoleApi)
Q_DECLARE_LOGGING_CATEGORY(lcConsoleSecrets)

} // namespace Gestalt::Console
