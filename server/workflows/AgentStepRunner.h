// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Principal.h"
#include "httpclient/UpstreamClient.h"
#include "shared/Result.h"
#include "workflows/WorkflowTarget.h"

#include <QJsonObject>
#include <QJsonValue>

#include <functional>
#include <memory>

namespace Gestalt {

// Runs the `agent` steps of workflow runs: implemented by the agents service. A step's agent
// block is passed with its prompt/messages already resolved against the run (workflow values).
class AgentStepRunner
{
public:
    virtual ~AgentStepRunner() = default;

    [[nodiscard]] virtual bool hasProvider(const QString &provider) const = 0;
    // Calls back once with the step's output (the turn's result) or an error; the handle aborts.
    virtual std::shared_ptr<UpstreamCall> runStep(const Principal &principal,
                                                  const QString &runId,
                                                  const WorkflowStep &step,
                                                  const QJsonObject &agent,
                                                  std::function<void(Result<QJsonValue>)> done) = 0;
};

} // namespace Gestalt
