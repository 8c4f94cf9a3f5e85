// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/WorkflowConfig.h"

namespace Gestalt {

class ConfigMapReader;

// Reads `workflows`: config-managed schedules (cron, IANA time zone) and event triggers. Targets
// stay free-form until the workflows issue types `target.steps`.
class WorkflowDecoder final
{
public:
    [[nodiscard]] static WorkflowsConfig read(ConfigMapReader &workflows);
};

} // namespace Gestalt
