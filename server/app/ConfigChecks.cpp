// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/ConfigChecks.h"

#include "workflows/WorkflowConfigCheck.h"

namespace Gestalt {

void addConfigChecks(ConfigLoader &loader)
{
    loader.addCheck(&WorkflowConfigCheck::check);
}

} // namespace Gestalt
