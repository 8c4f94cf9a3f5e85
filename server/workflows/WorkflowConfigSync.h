// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/WorkflowConfig.h"
#include "shared/Clock.h"
#include "shared/Result.h"

namespace Gestalt {

class Database;
class DefinitionRepository;
class WorkflowService;

// Makes the config-managed schedules and triggers (workflows.schedules / workflows.eventTriggers)
// in the database match the config, at start: new keys are created, changed ones updated, keys
// gone from the config deleted, in one transaction. Ids are "cfg_" + hex(sha256(key)) (triggers
// hash "event_trigger\0" + key), so they stay stable across restarts and replicas. They act as
// system:config with the target's operations plus the entry's `permissions`. A schedule whose
// cron, time zone and pause state did not change keeps its next_run_at, so a firing missed
// while the server was down is still made up (within the grace window).
namespace WorkflowConfigSync {

[[nodiscard]] QString scheduleId(const QString &key);
[[nodiscard]] QString triggerId(const QString &key);

// Errors name the entry: `workflows.schedules.nightly: workflow step "a": app "x" not found`.
[[nodiscard]] Result<void> reconcile(const WorkflowsConfig &config,
                                     Database &database,
                                     DefinitionRepository &definitions,
                                     const WorkflowService &service,
                                     const Clock &clock);

} // namespace WorkflowConfigSync
} // namespace Gestalt
