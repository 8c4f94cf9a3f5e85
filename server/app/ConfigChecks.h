// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ConfigLoader.h"

namespace Gestalt {

// Adds the domains' own config rules (today: workflows' cron expressions and targets) to a
// loader, so `gestaltd serve`, `gestaltd validate` and the tests load configs alike.
void addConfigChecks(ConfigLoader &loader);

} // namespace Gestalt
