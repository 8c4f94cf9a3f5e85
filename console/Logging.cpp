// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "Logging.h"

namespace Gestalt::Console {

Q_LOGGING_CATEGORY(lcConsoleApi, "gestalt.console.api", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConsoleSecrets, "gestalt.console.secrets", QtInfoMsg)

} // namespace Gestalt::Console
