// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace Gestalt {

enum class LogStyle {
    Text, // one readable line per event (terminals)
    Json, // one JSON object per line (log shippers)
};

// Installs the process-wide message handler: every qC* line goes to stderr in the chosen style.
void installLogHandler(LogStyle style);

} // namespace Gestalt
