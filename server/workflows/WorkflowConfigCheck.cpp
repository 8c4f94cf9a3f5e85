// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowConfigCheck.h"

#include "config/ConfigMapReader.h"
#include "workflows/CronExpression.h"
#include "workflows/WorkflowTarget.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

void checkTarget(const QString &path,
                 const SourceLocation &location,
                 bool written,
                 const QJsonObject &target,
                 ConfigErrors &errors)
{
    if (!written) {
        return; // the decoder already said "target is required"
    }
    if (Result<WorkflowTarget> parsed = WorkflowTarget::fromJson(target); !parsed) {
        errors.add(location,
                   (path.isEmpty() ? u"config"_s : path) + u": "_s + parsed.error().message);
    }
}

} // namespace

void WorkflowConfigCheck::check(const Config &config, ConfigErrors &errors)
{
    for (const WorkflowSchedule &schedule : config.workflows.schedules) {
        if (!schedule.cron.isEmpty()) {
            if (Result<CronExpression> cron = CronExpression::parse(schedule.cron); !cron) {
                // The parser's messages start with "cron: ", which the key path already says.
                const QString message = cron.error().message;
                errors.add(schedule.cronLocation,
                           ConfigMapReader::joinPath(schedule.path, u"cron") + u": "_s
                               + (message.startsWith(u"cron: ") ? message.mid(6) : message));
            }
        }
        checkTarget(
            schedule.path, schedule.location, schedule.targetWritten, schedule.target, errors);
    }
    for (const WorkflowEventTrigger &trigger : config.workflows.eventTriggers) {
        checkTarget(trigger.path, trigger.location, trigger.targetWritten, trigger.target, errors);
    }
}

} // namespace Gestalt
