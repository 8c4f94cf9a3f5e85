// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "agents/ModelProvider.h"
#include "shared/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

// Validation of the nested parts of the agent request bodies (http-api.md "Agents"), each object
// read strictly with JsonBodyReader: every problem is a 400 whose message names the field
// ("messages[1].parts[0].type must be one of text, json, tool_call, tool_result, image_ref",
// "unknown field \"x\" in toolRefs[0]").
namespace Gestalt::AgentRequest {

// messages[]: {role: system|user|assistant|tool, text?, parts?[], metadata?}, at least one, each
// with text or parts. Returned as given (validated).
[[nodiscard]] Result<QJsonArray> messages(const QJsonValue &value);
// toolRefs[]: {appName, operation, connection?, instance?, title?, description?}. appName's older
// names pluginName (http-api-legacy.md) and plugin are read as appName, and returned as appName
// only; two of them with different values are a 400. Undefined stays empty (the caller's tools
// are used); null is a 400.
[[nodiscard]] Result<QJsonArray> toolRefs(const QJsonValue &value);
// workspace: {checkouts: [{url, ref?, path}], cwd?}; paths relative, without "..", cwd inside a
// checkout. Undefined or null: no workspace.
[[nodiscard]] Result<QJsonObject> workspace(const QJsonValue &value);
// The model's view of validated messages: text parts joined to the text, json parts kept as
// JSON, tool_call parts as the assistant's tool calls, tool_result parts as tool messages.
[[nodiscard]] QList<ModelMessage> toModel(const QJsonArray &messages);

} // namespace Gestalt::AgentRequest
