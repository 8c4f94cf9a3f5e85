// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace Gestalt {

// One step of a workflow target: an app operation or an agent turn.
struct WorkflowStep
{
    enum class Kind {
        App,
        Agent,
    };

    QString id;
    Kind kind = Kind::App;
    // App steps.
    QString app;
    QString operation;
    QString connection;
    QString instance;
    QJsonValue input; // a workflow value (WorkflowValue); Undefined: no input
    // Agent steps: {provider, model?, sessionKey?, prompt?, messages?, tools?, responseSchema?,
    // modelOptions?} as given (validated for shape).
    QJsonObject agent;
};

// What a schedule or trigger runs: `target.steps`, in order (http-api.md "Workflows").
//
//   {"steps": [{"id": "fetch", "app": {"name": "httpbin", "operation": "get_json",
//                "connection"?: "...", "instance"?: "...", "input"?: <workflow value>}},
//              {"id": "think", "agent": {"provider": "...", "prompt": "...", ...}}]}
//
// The older single-target form `{"app"|"plugin"|"agent": {...}}` is read as one step "main".
// `plugin` is the Go gestaltd's shape: its `input` is a static object, read as {"literal": input}
// unless it is a workflow value already ({literal}, {from}, {template}, {fields}).
// Validation here is about shape only; whether the apps and operations exist and who may call
// them is WorkflowService's business.
struct WorkflowTarget
{
    static constexpr int MaxSteps = 50;

    QList<WorkflowStep> steps;

    // 400 with a message naming the step and field ("workflow step \"b\" must set exactly one
    // of app or agent").
    [[nodiscard]] static Result<WorkflowTarget> fromJson(const QJsonValue &json);
    [[nodiscard]] QJsonObject toJson() const;

    // The distinct app names of the app steps, in step order.
    [[nodiscard]] QStringList apps() const;
    [[nodiscard]] const WorkflowStep *step(const QString &id) const;
};

} // namespace Gestalt
