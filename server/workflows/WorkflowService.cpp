// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowService.h"

#include "authz/AccessCheck.h"
#include "catalog/AppCatalog.h"
#include "catalog/AppConnections.h"
#include "core/SubjectId.h"
#include "crypto/Random.h"
#include "http/JsonBodyReader.h"
#include "mcp/McpUpstreams.h"
#include "shared/JsonPath.h"
#include "shared/TimeFormat.h"
#include "store/SqlDialect.h"
#include "workflows/CronExpression.h"
#include "workflows/RunExecutor.h"
#include "workflows/WorkflowMetrics.h"

#include <QJsonArray>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qsizetype MaxPublishers = 100;

// An event trigger's publishers: canonical subject ids, "*" only where the config grants it.
Result<QStringList> readPublishers(const QJsonValue &value, bool wildcardAllowed)
{
    if (value.isUndefined() || value.isNull()) {
        return QStringList();
    }
    if (!value.isArray()) {
        return Error::invalid(u"publishers must be an array of subject ids"_s);
    }
    const QJsonArray array = value.toArray();
    if (array.size() > MaxPublishers) {
        return Error::invalid(u"publishers may name at most %1 subjects"_s.arg(MaxPublishers));
    }
    QStringList publishers;
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isString()) {
            return Error::invalid(u"publishers[%1] must be a string"_s.arg(i));
        }
        const QString publisher = array.at(i).toString().trimmed();
        if (publisher == WorkflowService::anyPublisher()) {
            if (!wildcardAllowed) {
                return Error::invalid(
                    u"publishers[%1]: \"*\" (any publisher) can only be set in the config file"_s
                        .arg(i));
            }
        } else if (Result<SubjectId> subject = SubjectId::parse(publisher); !subject) {
            return Error::invalid(u"publishers[%1]: %2"_s.arg(i).arg(subject.error().message));
        } else if (subject->canonical() != publisher) {
            return Error::invalid(u"publishers[%1]: not a canonical subject id"_s.arg(i));
        }
        if (!publishers.contains(publisher)) {
            publishers.append(publisher);
        }
    }
    return publishers;
}

// A string field, trimmed; empty when absent.
QString trimmedString(JsonBodyReader &reader, QStringView key)
{
    return reader.string(key).value_or(QString()).trimmed();
}

} // namespace

WorkflowService::WorkflowService(const AppCatalog &catalog,
                                 const AccessCheck &access,
                                 WorkflowMetrics &metrics,
                                 QStringList providers,
                                 Clock clock)
    : m_catalog(catalog)
    , m_access(access)
    , m_metrics(metrics)
    , m_providers(std::move(providers))
    , m_clock(std::move(clock))
{}

Result<void> WorkflowService::requireSubject(const Principal &caller)
{
    if (caller.subjectId.isEmpty()) {
        return Error::unauthenticated(u"missing subject"_s);
    }
    return {};
}

Result<WorkflowDefinition>
WorkflowService::build(Kind kind, const QJsonObject &body, const Principal &checkAs) const
{
    JsonBodyReader reader(body);
    // What a response shows besides the fields: accepted (a read-back body) and ignored.
    reader.skip({u"id", u"createdAt", u"updatedAt", u"nextRunAt", u"createdBy", u"managedBy"});
    WorkflowDefinition d;
    d.kind = kind;
    d.provider = trimmedString(reader, u"provider");
    if (d.provider.isEmpty()) {
        d.provider = defaultProvider();
    }
    d.paused = reader.boolean(u"paused").value_or(false);
    QJsonValue publishers;
    Result<void> match;
    if (kind == Kind::Schedule) {
        readSchedule(reader, d);
    } else {
        match = readTrigger(reader, d);
        publishers = reader.value(u"publishers");
    }
    const QJsonValue targetJson = reader.value(u"target");
    if (Result<void> read = reader.finish(); !read) {
        return read.error();
    }
    if (!match) {
        return match.error();
    }
    if (Result<void> fields = checkFields(d, publishers, checkAs); !fields) {
        return fields.error();
    }
    Result<WorkflowTarget> target = WorkflowTarget::fromJson(targetJson);
    if (!target) {
        return target.error();
    }
    if (Result<void> allowed = checkTarget(checkAs, *target); !allowed) {
        return allowed.error();
    }
    d.target = *target;
    return d;
}

void WorkflowService::readSchedule(JsonBodyReader &body, WorkflowDefinition &definition)
{
    definition.cron = trimmedString(body, u"cron");
    definition.timezone = trimmedString(body, u"timezone");
    if (definition.timezone.isEmpty()) {
        definition.timezone = u"UTC"_s;
    }
}

Result<void> WorkflowService::readTrigger(JsonBodyReader &body, WorkflowDefinition &definition)
{
    const QJsonValue match = body.value(u"match");
    if (!match.isObject()) {
        body.fail(u"match", u"is required and must be an object"_s);
        return {};
    }
    JsonBodyReader fields(match.toObject(), u"match"_s);
    definition.matchType = trimmedString(fields, u"type");
    definition.matchSource = trimmedString(fields, u"source");
    definition.matchSubject = trimmedString(fields, u"subject");
    return fields.finish();
}

Result<void> WorkflowService::checkFields(WorkflowDefinition &definition,
                                          const QJsonValue &publishers,
                                          const Principal &checkAs) const
{
    const WorkflowDefinition &d = definition;
    if (d.provider != defaultProvider() && !m_providers.contains(d.provider)) {
        return Error::invalid(u"unknown workflow provider \"%1\""_s.arg(d.provider));
    }
    if (d.isSchedule()) {
        if (d.cron.isEmpty()) {
            return Error::invalid(u"cron is required"_s);
        }
        if (Result<CronExpression> parsed = CronExpression::parse(d.cron); !parsed) {
            return parsed.error();
        }
        if (!QTimeZone(d.timezone.toUtf8()).isValid()) {
            return Error::invalid(u"unknown time zone \"%1\" (use an IANA name such as "
                                  u"Europe/Berlin)"_s.arg(d.timezone));
        }
        return {};
    }
    if (d.matchType.isEmpty()) {
        return Error::invalid(u"match.type is required"_s);
    }
    Result<QStringList> read = readPublishers(publishers, checkAs.subjectId == SystemConfigSubject);
    if (!read) {
        return read.error();
    }
    definition.publishers = *read;
    return {};
}

Result<void> WorkflowService::checkTarget(const Principal &principal,
                                          const WorkflowTarget &target) const
{
    for (const WorkflowStep &step : target.steps) {
        const QString where = u"workflow step \"%1\""_s.arg(step.id);
        Result<void> allowed = step.kind == WorkflowStep::Kind::Agent
                                   ? checkAgentStep(principal, step, where)
                                   : checkAppStep(principal, step, where);
        if (!allowed) {
            return allowed;
        }
    }
    return {};
}

Result<void> WorkflowService::checkAgentStep(const Principal &principal,
                                             const WorkflowStep &step,
                                             const QString &where) const
{
    const QString provider = step.agent.value(u"provider"_s).toString();
    if (!m_executor || !m_executor->hasAgentProvider(provider)) {
        return Error::invalid(
            u"%1: agent provider \"%2\" is not configured"_s.arg(where, provider));
    }
    // The tools the turn may call: each must exist and be the maker's to run, as the
    // operations of app steps (they become part of the run's ceiling).
    const QJsonArray tools = step.agent.value(u"tools"_s).toArray();
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QJsonObject ref = tools.at(i).toObject();
        const QString at = u"%1 agent tools[%2]"_s.arg(where).arg(i);
        const AppDefinition *app = m_catalog.app(ref.value(u"appName"_s).toString());
        const Operation *op = app ? app->operation(ref.value(u"operation"_s).toString()) : nullptr;
        if (!op) {
            return Error::invalid(u"%1: no operation \"%2\" on app \"%3\""_s.arg(
                at, ref.value(u"operation"_s).toString(), ref.value(u"appName"_s).toString()));
        }
        if (Result<void> ok = m_access.checkOperation(principal, *app, *op); !ok) {
            return Error{ok.error().code, at + u": "_s + ok.error().message};
        }
    }
    return {};
}

Result<void> WorkflowService::checkAppStep(const Principal &principal,
                                           const WorkflowStep &step,
                                           const QString &where) const
{
    const AppDefinition *app = m_catalog.app(step.app);
    if (!app) {
        return Error::invalid(u"%1: app \"%2\" not found"_s.arg(where, step.app));
    }
    std::optional<Operation> operation;
    if (const Operation *declared = app->operation(step.operation)) {
        operation = *declared;
    } else if (m_mcp && app->mcpSurface) {
        operation = m_mcp->operation(app->name, step.operation);
        if (!operation && McpUpstreams::isCallerScoped(*app)) {
            // Its tools are known per caller only: the app's access is what can be checked.
            if (Result<void> ok = m_access.checkApp(principal, *app); !ok) {
                return Error{ok.error().code, where + u": "_s + ok.error().message};
            }
            if (!AccessCheck::tokenAllows(principal, app->name, step.operation)) {
                return Error::forbidden(
                    u"%1: token scope denied: the token has no permission for operation "
                    u"\"%2\" on app \"%3\""_s.arg(where, step.operation, app->name));
            }
            return {};
        }
    }
    if (!operation) {
        return Error::invalid(
            u"%1: operation \"%2\" not found on app \"%3\""_s.arg(where, step.operation, step.app));
    }
    if (Result<void> ok = m_access.checkOperation(principal, *app, *operation); !ok) {
        return Error{ok.error().code, where + u": "_s + ok.error().message};
    }
    if (Result<const AppConnection *> connection =
            AppConnections::resolve(*app, &*operation, step.connection);
        !connection) {
        return Error{connection.error().code, where + u": "_s + connection.error().message};
    }
    return {};
}

std::optional<QDateTime> WorkflowService::nextRun(const WorkflowDefinition &definition,
                                                  const QDateTime &after) const
{
    if (!definition.isSchedule() || definition.paused) {
        return std::nullopt;
    }
    Result<CronExpression> cron = CronExpression::parse(definition.cron);
    if (!cron) {
        return std::nullopt;
    }
    return cron->nextAfter(after, QTimeZone(definition.timezone.toUtf8()));
}

bool WorkflowService::visibleTo(const Principal &caller, const WorkflowDefinition &definition)
{
    return definition.ownerSubjectId == caller.subjectId
           && AccessCheck::ceilingWithin(definition.authority.permissions, caller);
}

bool WorkflowService::visibleTo(const Principal &caller, const WorkflowRun &run)
{
    return run.ownerSubjectId == caller.subjectId
           && AccessCheck::ceilingWithin(run.authority.permissions, caller);
}

WorkflowRun WorkflowService::newRun(const WorkflowDefinition &definition,
                                    const QJsonObject &trigger) const
{
    WorkflowRun run;
    run.id = u"wfr_"_s + Crypto::randomHex(12);
    run.ownerSubjectId = definition.ownerSubjectId;
    run.provider = definition.provider;
    run.target = definition.target;
    run.trigger = trigger;
    run.authority = definition.authority;
    for (const WorkflowStep &step : definition.target.steps) {
        WorkflowRunStep state;
        state.id = step.id;
        run.steps.append(state);
    }
    run.createdAt = SqlDialect::stored(m_clock());
    if (m_executor && m_executor->hasRoom()) {
        // Created already held by this replica: started() hands it over without a claim.
        run.leaseOwner = m_executor->replicaId();
        run.leaseExpiresAt = m_executor->leaseUntil();
    }
    return run;
}

void WorkflowService::started(const WorkflowRun &run)
{
    m_metrics.runStarted(run.trigger.value(u"kind"_s).toString());
    if (!m_executor) {
        return;
    }
    if (run.leaseOwner == m_executor->replicaId()) {
        m_executor->adopt(run);
    } else {
        m_executor->enqueue(run.id);
    }
}

QJsonObject WorkflowService::toJson(const WorkflowDefinition &d)
{
    QJsonObject json{{u"id"_s, d.id},
                     {u"provider"_s, d.provider},
                     {u"target"_s, d.target.toJson()},
                     {u"paused"_s, d.paused},
                     {u"managedBy"_s, d.managedBy},
                     {u"createdBy"_s, d.authority.actorJson()},
                     {u"createdAt"_s, isoUtc(d.createdAt)},
                     {u"updatedAt"_s, isoUtc(d.updatedAt)}};
    if (d.isSchedule()) {
        json.insert(u"cron"_s, d.cron);
        json.insert(u"timezone"_s, d.timezone);
        json.insert(u"nextRunAt"_s, d.nextRunAt ? QJsonValue(isoUtc(*d.nextRunAt)) : QJsonValue());
    } else {
        QJsonObject match{{u"type"_s, d.matchType}};
        if (!d.matchSource.isEmpty()) {
            match.insert(u"source"_s, d.matchSource);
        }
        if (!d.matchSubject.isEmpty()) {
            match.insert(u"subject"_s, d.matchSubject);
        }
        json.insert(u"match"_s, match);
        json.insert(u"publishers"_s, QJsonArray::fromStringList(d.publishers));
    }
    return json;
}

QJsonObject WorkflowService::toJson(const WorkflowRun &run)
{
    QJsonArray steps;
    for (const WorkflowRunStep &step : run.steps) {
        steps.append(step.toJson());
    }
    QJsonObject json{{u"id"_s, run.id},
                     {u"provider"_s, run.provider},
                     {u"status"_s, name(run.status)},
                     {u"target"_s, run.target.toJson()},
                     {u"trigger"_s, run.trigger},
                     {u"createdBy"_s, run.authority.actorJson()},
                     {u"createdAt"_s, isoUtc(run.createdAt)},
                     {u"steps"_s, steps}};
    if (!run.publishedBy.isEmpty()) {
        json.insert(u"publishedBy"_s, run.publishedBy);
    }
    if (run.startedAt) {
        json.insert(u"startedAt"_s, isoUtc(*run.startedAt));
    }
    if (run.completedAt) {
        json.insert(u"completedAt"_s, isoUtc(*run.completedAt));
    }
    if (!run.statusMessage.isEmpty()) {
        json.insert(u"statusMessage"_s, run.statusMessage);
    }
    if (!run.result.isUndefined()) {
        json.insert(u"result"_s, run.result);
        json.insert(u"resultBody"_s, jsonText(run.result));
    }
    if (run.cancelRequested && !run.isTerminal()) {
        json.insert(u"cancelRequested"_s, true);
    }
    return json;
}

} // namespace Gestalt
