// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

// A workflow value: where a step's input (or one field of it) comes from. Exactly one of
//
//   {"literal": <any JSON>}                 the value itself
//   {"from": "<path>"}                      a value of the run: event.data.id,
//   trigger.scheduledFor,
//                                           steps.<id>.output.items.0.name
//   {"template": "text {{ <path> }} text"}  a string; each {{ path }} is replaced by the value
//                                           (strings as they are, other JSON as compact JSON)
//   {"fields": {"<name>": <value>, ...}}    an object built field by field
//
// except that "literal" (an object) and "fields" may be combined: the fields are set over the
// literal's keys. Paths start with `event`, `trigger` or `steps.<id>.output` where <id> is an
// earlier step; decimal segments index arrays.
namespace Gestalt::WorkflowValue {

// Checks the shape and every path (`earlierSteps`: the ids a path may name). `where` prefixes
// messages ("workflow step \"b\" input").
[[nodiscard]] Result<void>
validate(const QJsonValue &value, const QStringList &earlierSteps, const QString &where);

// The value in `context` ({event?, trigger, steps: {<id>: {output}}}): 400-style Error
// "<where>: \"steps.a.output.x\" is not set" when a path finds nothing.
[[nodiscard]] Result<QJsonValue>
resolve(const QJsonValue &value, const QJsonObject &context, const QString &where);

} // namespace Gestalt::WorkflowValue
