// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/Config.h"
#include "config/ConfigErrors.h"

namespace Gestalt {

// The workflows section's own rules, which config/ leaves to this domain: every schedule's cron
// expression parses, and every written target is a valid workflow target. Errors carry the place
// and key path the config decoder recorded, as its own do. The composition root adds it to the
// ConfigLoader (ConfigLoader::addCheck) for `gestaltd serve` and `gestaltd validate`.
class WorkflowConfigCheck final
{
public:
    static void check(const Config &config, ConfigErrors &errors);
};

} // namespace Gestalt
