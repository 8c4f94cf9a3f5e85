// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowService.h"

#include "apps/AppCatalog.h"
#include "apps/InvocationService.h"
#include "authz/AccessCheck.h"
#include "authz/SubjectId.h"
#include "crypto/Random.h"
#include "mcp/McpUpstreams.h"
#include "shared/JsonPath.h"
#include "shared/TimeFormat.h"
#include "store/SqlDialect.h"
#include "store/Transaction.h"
#include "workflows/CronExpression.h"
#include "workflows/DefinitionRepository.h"
#include "workflows/RunExecutor.h"
#include "workflows/WorkflowMetrics.h"
#include "workflows/WorkflowYaml.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QStringList kReadOnlyFields{u"id"_s,        u"createdAt"_s, u"updatedAt"_s,
                                  u"nextRunAt"_s, u"createdBy"_s, u"managedBy"_s};

QString kindLabel(WorkflowDefinition::Kind kind)
{
    return kind == WorkflowDefinition::Kind::Schedule ? u"workflow schedule"_s
                                                      : u"workflow event trigger"_s;
}

Error notFound(WorkflowDefinition::Kind kind, const QString &id)
{
    return Error::notFound(u"%1 \"%2\" not found"_s.arg(kindLabel(kind), id));
}

Result<QString> optionalString(const QJsonObject &body, const QString &key)
{
    const QJsonValue value = body.value(key);
    if (value.isUndefined() || value.isNull()) {
        return QString();
    }
    if (!value.isString()) {
        return Error::invalid(u"%1 must be a string"_s.arg(key));
    }
    return value.toString().trimmed();
}

QString idPrefix(WorkflowDefinition::Kind kind)
{
    return kind == WorkflowDefinition::Kind::Schedule ? u"wfs_"_s : u"wft_"_s;
}

constexpr qsizetype MaxPublishers = 100;
const QString kAnyPublisher = u"*"_s;

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
        if (publisher == kAnyPublisher) {
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

// May `publisher` fire `trigger`? Its owner may (a scoped token only a trigger within its scope),
// and whoever its publishers name; "*" (config only) lets anyone.
bool mayFire(const WorkflowDefinition &trigger, const Principal &publisher)
{
    if (trigger.publishers.contains(kAnyPublisher)
        || trigger.publishers.contains(publisher.subjectId)) {
        return true;
    }
    return trigger.ownerSubjectId == publisher.subjectId
           && AccessCheck::ceilingWithin(trigger.authority.permissions, publisher);
}

} // namespace

WorkflowService::WorkflowService(Database &database, DefinitionRepository &definitions,
                                 RunRepository &runs,
                                 const AppCatalog &catalog, const AccessCheck &access,
                                 WorkflowMetrics &metrics, const WorkflowsConfig &config,
                                 QStringList providers, Clock clock)
    : m_database(database)
    , m_definitions(definitions)
    , m_runs(runs)
    , m_catalog(catalog)
    , m_access(access)
    , m_metrics(metrics)
    , m_config(config)
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

Result<WorkflowDefinition> WorkflowService::build(Kind kind, const QJsonObject &body,
                                                  const Principal &checkAs) const
{
    const QStringList known =
        kind == Kind::Schedule
            ? QStringList{u"provider"_s, u"cron"_s, u"timezone"_s, u"target"_s, u"paused"_s}
            : QStringList{u"provider"_s, u"match"_s, u"target"_s, u"paused"_s, u"publishers"_s};
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key()) && !kReadOnlyFields.contains(it.key())) {
            return Error::invalid(u"unknown field \"%1\" in %2 (expected %3)"_s.arg(
                it.key(), kindLabel(kind), known.join(u", "_s)));
        }
    }
    WorkflowDefinition d;
    d.kind = kind;
    Result<QString> provider = optionalString(body, u"provider"_s);
    if (!provider) {
        return provider.error();
    }
    d.provider = provider->isEmpty() ? defaultProvider() : *provider;
    if (d.provider != defaultProvider() && !m_providers.contains(d.provider)) {
        return Error::invalid(u"unknown workflow provider \"%1\""_s.arg(d.provider));
    }
    const QJsonValue paused = body.value(u"paused"_s);
    if (!paused.isUndefined() && !paused.isNull() && !paused.isBool()) {
        return Error::invalid(u"paused must be a boolean"_s);
    }
    d.paused = paused.toBool(false);
    if (kind == Kind::Schedule) {
        Result<QString> cron = optionalString(body, u"cron"_s);
        if (!cron) {
            return cron.error();
        }
        if (cron->isEmpty()) {
            return Error::invalid(u"cron is required"_s);
        }
        if (Result<CronExpression> parsed = CronExpression::parse(*cron); !parsed) {
            return parsed.error();
        }
        d.cron = *cron;
        Result<QString> timezone = optionalString(body, u"timezone"_s);
        if (!timezone) {
            return timezone.error();
        }
        d.timezone = timezone->isEmpty() ? u"UTC"_s : *timezone;
        if (!QTimeZone(d.timezone.toUtf8()).isValid()) {
            return Error::invalid(u"unknown time zone \"%1\" (use an IANA name such as "
                                  u"Europe/Berlin)"_s.arg(d.timezone));
        }
    } else {
        const QJsonValue match = body.value(u"match"_s);
        if (!match.isObject()) {
            return Error::invalid(u"match is required and must be an object"_s);
        }
        const QJsonObject m = match.toObject();
        for (auto it = m.begin(); it != m.end(); ++it) {
            if (it.key() != u"type" && it.key() != u"source" && it.key() != u"subject") {
                return Error::invalid(
                    u"unknown field \"%1\" in match (expected type, source, subject)"_s.arg(
                        it.key()));
            }
        }
        Result<QString> type = optionalString(m, u"type"_s);
        Result<QString> source = optionalString(m, u"source"_s);
        Result<QString> subject = optionalString(m, u"subject"_s);
        for (const Result<QString> *field : {&type, &source, &subject}) {
            if (!*field) {
                return Error::invalid(u"match: "_s + field->error().message);
            }
        }
        if (type->isEmpty()) {
            return Error::invalid(u"match.type is required"_s);
        }
        d.matchType = *type;
        d.matchSource = *source;
        d.matchSubject = *subject;
        Result<QStringList> publishers =
            readPublishers(body.value(u"publishers"_s), checkAs.subjectId == SystemConfigSubject);
        if (!publishers) {
            return publishers.error();
        }
        d.publishers = *publishers;
    }
    Result<WorkflowTarget> target = WorkflowTarget::fromJson(body.value(u"target"_s));
    if (!target) {
        return target.error();
    }
    if (Result<void> allowed = checkTarget(checkAs, *target); !allowed) {
        return allowed.error();
    }
    d.target = *target;
    return d;
}

Result<void> WorkflowService::checkTarget(const Principal &principal,
                                          const WorkflowTarget &target) const
{
    for (const WorkflowStep &step : target.steps) {
        const QString where = u"workflow step \"%1\""_s.arg(step.id);
        if (step.kind == WorkflowStep::Kind::Agent) {
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
                const Operation *op =
                    app ? app->operation(ref.value(u"operation"_s).toString()) : nullptr;
                if (!op) {
                    return Error::invalid(u"%1: no operation \"%2\" on app \"%3\""_s.arg(
                        at, ref.value(u"operation"_s).toString(),
                        ref.value(u"appName"_s).toString()));
                }
                if (Result<void> ok = m_access.checkOperation(principal, *app, *op); !ok) {
                    return Error{ok.error().code, at + u": "_s + ok.error().message};
                }
            }
            continue;
        }
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
                continue;
            }
        }
        if (!operation) {
            return Error::invalid(u"%1: operation \"%2\" not found on app \"%3\""_s.arg(
                where, step.operation, step.app));
        }
        if (Result<void> ok = m_access.checkOperation(principal, *app, *operation); !ok) {
            return Error{ok.error().code, where + u": "_s + ok.error().message};
        }
        if (Result<const AppConnection *> connection =
                InvocationService::resolveConnection(*app, &*operation, step.connection);
            !connection) {
            return Error{connection.error().code, where + u": "_s + connection.error().message};
        }
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

Result<WorkflowDefinition> WorkflowService::create(const Principal &caller, Kind kind,
                                                   const QJsonObject &body)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<WorkflowDefinition> built = build(kind, body, caller);
    if (!built) {
        return built;
    }
    WorkflowDefinition d = std::move(*built);
    d.id = idPrefix(kind) + Crypto::randomHex(12);
    d.ownerSubjectId = caller.subjectId;
    d.authority = WorkflowAuthority::of(caller, d.target);
    d.createdAt = SqlDialect::fromStorage(SqlDialect::toStorage(m_clock()));
    d.updatedAt = d.createdAt;
    d.nextRunAt = nextRun(d, d.createdAt);
    if (Result<void> stored = m_definitions.insert(d); !stored) {
        return stored.error();
    }
    return d;
}

Result<WorkflowDefinition> WorkflowService::owned(const Principal &caller, Kind kind,
                                                  const QString &id)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<std::optional<WorkflowDefinition>> found = m_definitions.find(id);
    if (!found) {
        return found.error();
    }
    if (!*found || (*found)->kind != kind || !visibleTo(caller, **found)) {
        return notFound(kind, id);
    }
    return **found;
}

Result<WorkflowDefinition> WorkflowService::update(const Principal &caller, Kind kind,
                                                   const QString &id, const QJsonObject &body)
{
    Result<WorkflowDefinition> current = owned(caller, kind, id);
    if (!current) {
        return current;
    }
    QJsonObject merged = body;
    if (!merged.contains(u"paused"_s)) {
        merged.insert(u"paused"_s, current->paused);
    }
    if (kind == Kind::EventTrigger && !merged.contains(u"publishers"_s)) {
        merged.insert(u"publishers"_s, QJsonArray::fromStringList(current->publishers));
    }
    Result<WorkflowDefinition> built = build(kind, merged, caller);
    if (!built) {
        return built;
    }
    WorkflowDefinition d = std::move(*built);
    d.id = current->id;
    d.ownerSubjectId = current->ownerSubjectId;
    d.managedBy = current->managedBy;
    d.configKey = current->configKey;
    d.authority = WorkflowAuthority::of(caller, d.target);
    d.createdAt = current->createdAt;
    d.updatedAt = SqlDialect::fromStorage(SqlDialect::toStorage(m_clock()));
    d.nextRunAt = nextRun(d, d.updatedAt);
    Result<bool> updated = m_definitions.update(d);
    if (!updated) {
        return updated.error();
    }
    if (!*updated) {
        return notFound(kind, id);
    }
    return d;
}

Result<WorkflowDefinition> WorkflowService::get(const Principal &caller, Kind kind,
                                                const QString &id)
{
    return owned(caller, kind, id);
}

Result<QList<WorkflowDefinition>> WorkflowService::list(const Principal &caller, Kind kind)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<QList<WorkflowDefinition>> all = m_definitions.list(caller.subjectId, kind);
    if (!all) {
        return all;
    }
    QList<WorkflowDefinition> visible;
    for (WorkflowDefinition &d : *all) {
        if (visibleTo(caller, d)) {
            visible.append(std::move(d));
        }
    }
    return visible;
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

Result<void> WorkflowService::remove(const Principal &caller, Kind kind, const QString &id)
{
    Result<WorkflowDefinition> current = owned(caller, kind, id);
    if (!current) {
        return current.error();
    }
    Result<bool> removed = m_definitions.remove(id);
    if (!removed) {
        return removed.error();
    }
    if (!*removed) {
        return notFound(kind, id);
    }
    return {};
}

Result<WorkflowDefinition> WorkflowService::setPaused(const Principal &caller, Kind kind,
                                                      const QString &id, bool paused)
{
    Result<WorkflowDefinition> current = owned(caller, kind, id);
    if (!current) {
        return current;
    }
    WorkflowDefinition d = std::move(*current);
    if (d.paused == paused) {
        return d;
    }
    d.paused = paused;
    d.updatedAt = SqlDialect::fromStorage(SqlDialect::toStorage(m_clock()));
    // Resuming starts from now: firings missed while paused are not made up.
    d.nextRunAt = nextRun(d, d.updatedAt);
    Result<bool> updated = m_definitions.update(d);
    if (!updated) {
        return updated.error();
    }
    if (!*updated) {
        return notFound(kind, id);
    }
    return d;
}

Result<QByteArray> WorkflowService::exportYaml(const Principal &caller)
{
    Result<QList<WorkflowDefinition>> schedules = list(caller, Kind::Schedule);
    if (!schedules) {
        return schedules.error();
    }
    Result<QList<WorkflowDefinition>> triggers = list(caller, Kind::EventTrigger);
    if (!triggers) {
        return triggers.error();
    }
    return WorkflowYaml::write(*schedules + *triggers);
}

Result<QJsonObject> WorkflowService::importYaml(const Principal &caller, const QByteArray &yaml)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<QList<WorkflowYaml::Entry>> entries = WorkflowYaml::read(yaml);
    if (!entries) {
        return entries.error();
    }
    const QDateTime now = SqlDialect::fromStorage(SqlDialect::toStorage(m_clock()));
    Transaction transaction(m_database);
    int created = 0;
    int updated = 0;
    for (const WorkflowYaml::Entry &entry : std::as_const(*entries)) {
        const QString path = (entry.kind == Kind::Schedule ? u"workflows.schedules."_s
                                                           : u"workflows.eventTriggers."_s)
            + entry.id;
        Result<WorkflowDefinition> built = build(entry.kind, entry.body, caller);
        if (!built) {
            return Error{built.error().code, path + u": "_s + built.error().message};
        }
        WorkflowDefinition d = std::move(*built);
        d.id = entry.id;
        d.ownerSubjectId = caller.subjectId;
        d.authority = WorkflowAuthority::of(caller, d.target);
        d.updatedAt = now;
        Result<std::optional<WorkflowDefinition>> existing = m_definitions.find(transaction, d.id);
        if (!existing) {
            return existing.error();
        }
        if (*existing
            && (!visibleTo(caller, **existing) || (*existing)->managedBy != u"api"
                || (*existing)->kind != d.kind)) {
            return Error::conflict(u"%1: workflow id \"%2\" is already taken"_s.arg(path, d.id));
        }
        if (*existing) {
            d.createdAt = (*existing)->createdAt;
            const bool sameTiming = (*existing)->cron == d.cron
                && (*existing)->timezone == d.timezone && (*existing)->paused == d.paused;
            d.nextRunAt = sameTiming ? (*existing)->nextRunAt : nextRun(d, now);
            Result<bool> done = m_definitions.update(transaction, d);
            if (!done) {
                return done.error();
            }
            ++updated;
        } else {
            d.createdAt = now;
            d.nextRunAt = nextRun(d, now);
            if (Result<void> done = m_definitions.insert(transaction, d); !done) {
                return Error{done.error().code, path + u": "_s + done.error().message};
            }
            ++created;
        }
    }
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return QJsonObject{{u"status"_s, u"imported"_s}, {u"created"_s, created},
                       {u"updated"_s, updated}};
}

Result<QJsonObject> WorkflowService::publish(const Principal &caller, const QJsonObject &body)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    static const QStringList known{u"id"_s,      u"source"_s,          u"specVersion"_s,
                                   u"type"_s,    u"subject"_s,         u"time"_s,
                                   u"dataContentType"_s, u"data"_s,    u"extensions"_s};
    QJsonObject event;
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key())) {
            return Error::invalid(u"unknown field \"%1\" in workflow event"_s.arg(it.key()));
        }
    }
    for (const QString &key : {u"id"_s, u"source"_s, u"specVersion"_s, u"type"_s, u"subject"_s,
                               u"time"_s, u"dataContentType"_s}) {
        Result<QString> value = optionalString(body, key);
        if (!value) {
            return Error::invalid(u"workflow event "_s + value.error().message);
        }
        event.insert(key, *value);
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
    if (body.contains(u"data"_s) && !body.value(u"data"_s).isNull()) {
        event.insert(u"data"_s, body.value(u"data"_s));
    }
    if (body.contains(u"extensions"_s) && !body.value(u"extensions"_s).isNull()) {
        if (!body.value(u"extensions"_s).isObject()) {
            return Error::invalid(u"workflow event extensions must be an object"_s);
        }
        event.insert(u"extensions"_s, body.value(u"extensions"_s));
    }
    m_metrics.eventPublished();
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
        WorkflowRun run =
            newRun(trigger,
                   QJsonObject{
                       {u"kind"_s, u"event"_s}, {u"triggerId"_s, trigger.id}, {u"event"_s, event}});
        run.publishedBy = caller.subjectId;
        if (Result<void> stored = m_runs.insert(run); !stored) {
            return stored.error();
        }
        started(run);
    }
    return QJsonObject{
        {u"status"_s, u"published"_s}, {u"event"_s, event}, {u"publishedBy"_s, caller.subjectId}};
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
    run.createdAt = SqlDialect::fromStorage(SqlDialect::toStorage(m_clock()));
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

Result<RunPage> WorkflowService::listRuns(const Principal &caller, RunFilter filter)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    static const QStringList statuses{u"pending"_s, u"running"_s, u"succeeded"_s, u"failed"_s,
                                      u"canceled"_s};
    if (!filter.status.isEmpty() && !statuses.contains(filter.status)) {
        return Error::invalid(u"status must be one of %1"_s.arg(statuses.join(u", "_s)));
    }
    filter.ownerSubjectId = caller.subjectId;
    Result<RunPage> page = m_runs.list(filter);
    if (!page) {
        return page;
    }
    // A scoped token sees only the runs within its scope (the page may come out shorter).
    page->runs.removeIf([&caller](const WorkflowRun &run) { return !visibleTo(caller, run); });
    return page;
}

Result<WorkflowRun> WorkflowService::getRun(const Principal &caller, const QString &id)
{
    if (Result<void> ok = requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<std::optional<WorkflowRun>> run = m_runs.find(id);
    if (!run) {
        return run.error();
    }
    if (!*run || !visibleTo(caller, **run)) {
        return Error::notFound(u"workflow run \"%1\" not found"_s.arg(id));
    }
    return **run;
}

Result<WorkflowRun> WorkflowService::cancelRun(const Principal &caller, const QString &id,
                                               const QString &reason)
{
    Result<WorkflowRun> current = getRun(caller, id);
    if (!current) {
        return current;
    }
    Result<WorkflowRun> run = m_runs.requestCancel(id, reason, m_clock());
    if (!run) {
        return run;
    }
    if (run->status == u"canceled") {
        m_metrics.runFinished(run->status);
        return run;
    }
    // Executed here: stop it now. Elsewhere: its replica sees the request on its next renewal.
    if (m_executor && m_executor->cancelLocal(id, reason)) {
        Result<WorkflowRun> after = getRun(caller, id);
        return after ? after : run;
    }
    return run;
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
                     {u"status"_s, run.status},
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
