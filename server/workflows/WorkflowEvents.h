// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Clock.h"
#include "shared/Result.h"

#include <QJsonObject>

namespace Gestalt {

class DefinitionRepository;
class RunRepository;
class WorkflowMetrics;
class WorkflowService;
struct Principal;

// Publishing a workflow event (http-api.md "Events"): the event is normalized and starts a run
// of every matching trigger the publisher may fire. An event fires a trigger only when its owner
// published it (a scoped token: a trigger within its scope) or the trigger's publishers name the
// publisher.
class WorkflowEvents final
{
public:
    WorkflowEvents(DefinitionRepository &definitions,
                   RunRepository &runs,
                   WorkflowService &rules,
                   WorkflowMetrics &metrics,
                   Clock clock);

    // {status: "published", event, publishedBy}.
    [[nodiscard]] Result<QJsonObject> publish(const Principal &caller, const QJsonObject &body);

private:
    // The event of a request body: id, specVersion and time filled in, empty fields dropped.
    [[nodiscard]] Result<QJsonObject> normalize(const QJsonObject &body) const;
    // Starts a run of every trigger matching `event` that `caller` may fire.
    [[nodiscard]] Result<void> fire(const Principal &caller, const QJsonObject &event);

    DefinitionRepository &m_definitions;
    RunRepository &m_runs;
    WorkflowService &m_rules;
    WorkflowMetrics &m_metrics;
    Clock m_clock;
};

} // namespace Gestalt
