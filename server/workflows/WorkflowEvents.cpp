// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowEvents.h"

#include "authz/AccessCheck.h"
#include "crypto/Random.h"
#include "http/JsonBodyReader.h"
#include "shared/TimeFormat.h"
#include "workflows/DefinitionRepository.h"
#include "workflows/RunRepository.h"
#include "workflows/WorkflowMetrics.h"
#include "workflows/WorkflowService.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// May `publisher` fire `trigger`? Its owner may (a scoped token only a trigger within its scope),
// and whoever its publishers name; "*" (config only) lets anyone.
bool mayFire(const WorkflowDefinition &trigger, const Principal &publisher)
{
    if (trigger.publishers.contains(WorkflowService::anyPublisher())
        || trigger.publishers.contains(publisher.subjectId)) {
        return true;
    }
    return trigger.ownerSubjectId == publisher.subjectId
           && AccessCheck::ceilingWithin(trigger.authority.permissions, publisher);
}

} // namespace

WorkflowEvents::WorkflowEvents(DefinitionRepository &definitions,
                               RunRepository &runs,
                               WorkflowService &rules,
                               WorkflowMetrics &metrics,
                               Clock clock)
    : m_definitions(definitions)
    , m_runs(runs)
    , m_rules(rules)
    , m_metrics(metrics)
    , m_clock(std::move(clock))
{}

Result<QJsonObject> WorkflowEvents::normalize(const QJsonObject &body) const
{
    JsonBodyReader reader(body);
    QJsonObject event;
    for (const QString &key : {u"id"_s,
                               u"source"_s,
                               u"specVersion"_s,
                               u"type"_s,
                               u"subject"_s,
                               u"time"_s,
                               u"dataContentType"_s}) {
        event.insert(key, reader.string(key).value_or(QString()).trimmed());
    }
    const QJsonValue data = reader.value(u"data"_s);
    const std::optional<QJsonObject> extensions = reader.objectValue(u"extensions"_s);
    if (Result<void> read = reader.finish(); !read) {
        return read.error();
    }
    if (event.value(u"type"_s).toString().isEmpty()) {
        return Error::invalid(u"workflow event type is required"_s);
    }
    if (event.value(u"id"_s).toString().isEmpty()) {
        event.insert(u"id"_s, Crypto::uuidV4());
    }
    if (event.value(u"specVersion"_s).toString().isEmpty()) {
        event.insert(u"specVersion"_s, u"1.0"_s);
    }
    const QString timeText = event.value(u"time"_s).toString();
    QDateTime time = m_clock();
    if (!timeText.isEmpty()) {
        time = QDateTime::fromString(timeText, Qt::ISODateWithMs);
        if (!time.isValid()) {
            return Error::invalid(u"workflow event time must be an RFC 3339 timestamp"_s);
        }
    }
    event.insert(u"time"_s, isoUtc(time));
    for (const QString &key : {u"source"_s, u"subject"_s, u"dataContentType"_s}) {
        if (event.value(key).toString().isEmpty()) {
            event.remove(key);
        }
    }
    if (!data.isUndefined() && !data.isNull()) {
        event.insert(u"data"_s, data);
    }
    if (extensions) {
        event.insert(u"extensions"_s, *extensions);
    }
    return event;
}

Result<void> WorkflowEvents::fire(const Principal &caller, const QJsonObject &event)
{
    Result<QList<WorkflowDefinition>> triggers =
        m_definitions.matchingTriggers(event.value(u"type"_s).toString(),
                                       event.value(u"source"_s).toString(),
                                       event.value(u"subject"_s).toString());
    if (!triggers) {
        return triggers.error();
    }
    for (const WorkflowDefinition &trigger : std::as_const(*triggers)) {
        if (!mayFire(trigger, caller)) {
            continue;
        }
        WorkflowRun run = m_rules.newRun(trigger,
                                         QJsonObject{{u"kind"_s, u"event"_s},
                                                     {u"triggerId"_s, trigger.id},
                                                     {u"event"_s, event}});
        run.publishedBy = caller.subjectId;
        if (Result<void> stored = m_runs.insert(run); !stored) {
            return stored.error();
        }
        m_rules.started(run);
    }
    return {};
}

Result<QJsonObject> WorkflowEvents::publish(const Principal &caller, const QJsonObject &body)
{
    if (Result<void> ok = WorkflowService::requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<QJsonObject> event = normalize(body);
    if (!event) {
        return event;
    }
    m_metrics.eventPublished();
    if (Result<void> fired = fire(caller, *event); !fired) {
        return fired.error();
    }
    return QJsonObject{
        {u"status"_s, u"published"_s}, {u"event"_s, *event}, {u"publishedBy"_s, caller.subjectId}};
}

} // namespace Gestalt
