// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/SourceLocation.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <chrono>

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
    // Where it was written, for the errors of the workflows check (workflows/WorkflowConfigCheck):
    // the entry (key path and place), its `cron`, and whether a target was written to check.
    QString path;
    SourceLocation location;
    SourceLocation cronLocation;
    bool targetWritten = false;
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
    // Subject ids whose events fire it, or "*" for any publisher. None: only system:config
    // publishes to it, so no HTTP caller fires it.
    QStringList publishers;
    bool paused = false;
    QString provider;
    QJsonObject target;
    QList<WorkflowPermission> permissions;
    // As for WorkflowSchedule.
    QString path;
    SourceLocation location;
    bool targetWritten = false;
};

struct WorkflowsConfig
{
    // The built-in engine (server/workflows/). How often a replica looks for due schedules and
    // for runs nobody executes.
    std::chrono::milliseconds pollInterval = std::chrono::seconds(1);
    // How long a replica's claim on a run holds without renewal (it renews every third of it);
    // after a crash, another replica (or the restarted one) takes over the run then.
    std::chrono::milliseconds runLease = std::chrono::seconds(30);
    // A schedule due while no replica ran fires once at start when the firing it missed is at
    // most this old; older ones are skipped.
    std::chrono::milliseconds missedRunGrace = std::chrono::minutes(15);
    int maxConcurrentRuns = 32;                                           // per replica
    std::chrono::milliseconds runRetention = std::chrono::hours(24 * 30); // finished runs

    QMap<QString, WorkflowSchedule> schedules;
    QMap<QString, WorkflowEventTrigger> eventTriggers;
};

} // namespace Gestalt
