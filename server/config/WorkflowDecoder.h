// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/WorkflowConfig.h"

namespace Gestalt {

class ConfigMapReader;

// Reads `workflows`: config-managed schedules (cron, IANA time zone) and event triggers. Cron
// expressions and targets stay text and JSON here: workflows/WorkflowConfigCheck parses them
// (ConfigLoader::addCheck), so config/ knows nothing of the workflows domain.
class WorkflowDecoder final
{
public:
    [[nodiscard]] static WorkflowsConfig read(ConfigMapReader &workflows);
};

} // namespace Gestalt
