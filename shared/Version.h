// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Gestalt {

// The project version (from CMake), shown by `gestaltd version` and the console's status bar.
[[nodiscard]] QString version();

} // namespace Gestalt
