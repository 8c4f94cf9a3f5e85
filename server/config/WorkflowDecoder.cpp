// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/WorkflowDecoder.h"

#include "config/AppDecoder.h"
#include "config/ConfigErrors.h"
#include "config/ConfigMapReader.h"

#include <QRegularExpression>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

bool isValidCron(const QString &cron)
{
    static const QStringList descriptors{u"@yearly"_s,
                                         u"@annually"_s,
                                         u"@monthly"_s,
                                         u"@weekly"_s,
                                         u"@daily"_s,
                                         u"@midnight"_s,
                                         u"@hourly"_s};
    if (descriptors.contains(cron.trimmed())) {
        return true;
    }
    static const QRegularExpression field(u"^[0-9A-Za-z*/,?-]+$"_s);
    const QStringList fields = cron.split(u' ', Qt::SkipEmptyParts);
    if (fields.size() != 5) {
        return false;
    }
    for (const QString &f : fields) {
        if (!field.match(f).hasMatch()) {
            return false;
        }
    }
    return true;
}

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

QJsonObject readTarget(ConfigMapReader &r)
{
    if (!r.has(u"target") && r.isMap()) {
        r.errorHere(u"target is required"_s);
    }
    return r.object(u"target");
}

} // namespace

WorkflowsConfig WorkflowDecoder::read(ConfigMapReader &workflows)
{
    WorkflowsConfig config;
    for (const ConfigMapReader::Child &child : workflows.entries(u"schedules")) {
        ConfigMapReader r(child, workflows.errors());
        WorkflowSchedule schedule;
        schedule.cron = r.requiredString(u"cron");
        if (!schedule.cron.isEmpty() && !isValidCron(schedule.cron)) {
            r.error(u"cron",
                    u"expected 5 fields (minute hour day-of-month month day-of-week) or a "
                    u"descriptor like @daily"_s);
        }
        schedule.timezone = r.string(u"timezone", schedule.timezone);
        if (!QTimeZone(schedule.timezone.toUtf8()).isValid()) {
            r.error(u"timezone", u"unknown time zone \"%1\""_s.arg(schedule.timezone));
        }
        schedule.paused = r.boolean(u"paused", false);
        schedule.provider = r.string(u"provider");
        schedule.target = readTarget(r);
        schedule.permissions = readPermissions(r);
        config.schedules.insert(child.name, schedule);
    }
    for (const ConfigMapReader::Child &child : workflows.entries(u"eventTriggers")) {
        ConfigMapReader r(child, workflows.errors());
        WorkflowEventTrigger trigger;
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
        trigger.target = readTarget(r);
        trigger.permissions = readPermissions(r);
        config.eventTriggers.insert(child.name, trigger);
    }
    return config;
}

} // namespace Gestalt
