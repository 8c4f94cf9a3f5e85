// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/WorkflowDecoder.h"

#include "config/AppDecoder.h"
#include "config/ConfigErrors.h"
#include "config/ConfigMapReader.h"

#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QList<WorkflowPermission> readPermissions(ConfigMapReader &r)
{
    QList<WorkflowPermission> permissions;
    for (const ConfigMapReader::Child &child : r.items(u"permissions")) {
        ConfigMapReader p(child, r.errors());
        permissions.append(
            WorkflowPermission{AppDecoder::readAppName(p), p.stringList(u"operations")});
    }
    return permissions;
}

// The target stays JSON here: workflows/WorkflowConfigCheck types it (`written`: there is one
// to check).
QJsonObject readTarget(ConfigMapReader &r, bool &written)
{
    if (!r.has(u"target") && r.isMap()) {
        r.errorHere(u"target is required"_s);
        written = false;
        return {};
    }
    written = true;
    return r.object(u"target");
}

} // namespace

WorkflowsConfig WorkflowDecoder::read(ConfigMapReader &workflows)
{
    WorkflowsConfig config;
    config.pollInterval = workflows.duration(u"pollInterval", config.pollInterval);
    config.runLease = workflows.duration(u"runLease", config.runLease);
    config.missedRunGrace = workflows.duration(u"missedRunGrace", config.missedRunGrace);
    config.maxConcurrentRuns =
        int(workflows.integer(u"maxConcurrentRuns", config.maxConcurrentRuns, 1, 1024));
    config.runRetention = workflows.duration(u"runRetention", config.runRetention);
    if (config.runLease < 2 * config.pollInterval) {
        // Leases are renewed once per poll: a shorter lease would lapse between renewals.
        workflows.errorHere(u"runLease must be at least twice pollInterval"_s);
    }
    for (const ConfigMapReader::Child &child : workflows.entries(u"schedules")) {
        ConfigMapReader r(child, workflows.errors());
        WorkflowSchedule schedule;
        schedule.path = r.path();
        schedule.location = r.anchor();
        schedule.cronLocation = r.locationOf(u"cron");
        schedule.cron = r.requiredString(u"cron"); // parsed by workflows/WorkflowConfigCheck
        schedule.timezone = r.string(u"timezone", schedule.timezone);
        if (!QTimeZone(schedule.timezone.toUtf8()).isValid()) {
            r.error(u"timezone", u"unknown time zone \"%1\""_s.arg(schedule.timezone));
        }
        schedule.paused = r.boolean(u"paused", false);
        schedule.provider = r.string(u"provider");
        schedule.target = readTarget(r, schedule.targetWritten);
        schedule.permissions = readPermissions(r);
        config.schedules.insert(child.name, schedule);
    }
    for (const ConfigMapReader::Child &child : workflows.entries(u"eventTriggers")) {
        ConfigMapReader r(child, workflows.errors());
        WorkflowEventTrigger trigger;
        trigger.path = r.path();
        trigger.location = r.anchor();
        {
            ConfigMapReader match = r.map(u"match");
            if (!r.has(u"match") && r.isMap()) {
                r.errorHere(u"match is required"_s);
            }
            trigger.match.type = r.has(u"match") ? match.requiredString(u"type") : QString();
            trigger.match.source = match.string(u"source");
            trigger.match.subject = match.string(u"subject");
        }
        trigger.paused = r.boolean(u"paused", false);
        trigger.provider = r.string(u"provider");
        trigger.target = readTarget(r, trigger.targetWritten);
        trigger.permissions = readPermissions(r);
        trigger.publishers = r.stringList(u"publishers");
        config.eventTriggers.insert(child.name, trigger);
    }
    return config;
}

} // namespace Gestalt
