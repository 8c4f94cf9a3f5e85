// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"
#include "workflows/WorkflowRecords.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

// The YAML form of a caller's workflow definitions (GET /api/v1/workflow/config/export and
// POST /api/v1/workflow/config/import). It is the config file's `workflows` section, so an export
// can be pasted into a config to make its entries config-managed:
//
//   workflows:
//     schedules:
//       <id>: {cron, timezone, paused, provider?, target: {steps: [...]}}
//     eventTriggers:
//       <id>: {match: {type, source?, subject?}, paused, provider?, target: {steps: [...]}}
namespace Gestalt::WorkflowYaml {

inline constexpr qint64 MaxImportBytes = qint64(256) * 1024;

// application/yaml; charset=utf-8 text of the definitions (ids sorted, schedules first).
[[nodiscard]] QByteArray write(const QList<WorkflowDefinition> &definitions);

// One entry of an import: its id and kind and the body WorkflowService::build() takes.
struct Entry
{
    QString id;
    WorkflowDefinition::Kind kind = WorkflowDefinition::Kind::Schedule;
    QJsonObject body;
};

// Parses an import. 413 over MaxImportBytes; 400 for invalid YAML (incl. duplicate keys, aliases,
// anchors and merge keys: a definition file needs none and they are how YAML bombs expand),
// unknown keys and wrong shapes, with the path of the entry; 409 when an id appears as both a
// schedule and a trigger. An id must be 1 to 128 of [A-Za-z0-9._-] and not start with "cfg_".
[[nodiscard]] Result<QList<Entry>> read(const QByteArray &yaml);

} // namespace Gestalt::WorkflowYaml
