// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Gestalt {

// Extra scope granted to a config-managed workflow (the target's own operation is implied).
struct WorkflowPermission
{
    QString app; // `app`, or `plugin` as written by older configs
    QStringList operations;
};

struct WorkflowSchedule
{
    QString cron; // 5 fields: minute hour day-of-month month day-of-week
    QString timezone = QStringLiteral("UTC");
    bool paused = false;
    QString provider;
    QJsonObject target; // {steps: [...]}: typed by the workflows issue
    QList<WorkflowPermission> permissions;
};

struct EventMatch
{
    QString type; // required
    QString source;
    QString subject;
};

struct WorkflowEventTrigger
{
    EventMatch match;
    bool paused = false;
    QString provider;
    QJsonObject target;
    QList<WorkflowPermission> permissions;
};

struct WorkflowsConfig
{
    QMap<QString, WorkflowSchedule> schedules;
    QMap<QString, WorkflowEventTrigger> eventTriggers;
};

} // namespace Gestalt
