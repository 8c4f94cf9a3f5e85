// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowConfigSync.h"

#include "core/Logging.h"
#include "crypto/Hash.h"
#include "store/SqlDialect.h"
#include "store/Transaction.h"
#include "workflows/DefinitionRepository.h"
#include "workflows/WorkflowService.h"

#include <QHash>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt::WorkflowConfigSync {

namespace {

QJsonArray permissionsJson(const QList<WorkflowPermission> &permissions)
{
    QJsonArray array;
    for (const WorkflowPermission &p : permissions) {
        array.append(QJsonObject{{u"app"_s, p.app},
                                 {u"operations"_s, QJsonArray::fromStringList(p.operations)}});
    }
    return array;
}

struct Wanted
{
    QString path; // for messages: workflows.schedules.<key>
    QString key;
    WorkflowDefinition::Kind kind;
    QJsonObject body;
    QJsonArray permissions;
};

Result<WorkflowDefinition> buildWanted(const Wanted &wanted, const WorkflowService &service)
{
    Result<WorkflowTarget> target = WorkflowTarget::fromJson(wanted.body.value(u"target"_s));
    if (!target) {
        return target.error();
    }
    const WorkflowAuthority authority = WorkflowAuthority::config(*target, wanted.permissions);
    Result<WorkflowDefinition> built =
        service.build(wanted.kind, wanted.body, authority.principal());
    if (!built) {
        return built;
    }
    built->authority = authority;
    built->ownerSubjectId = SystemConfigSubject;
    built->managedBy = u"config"_s;
    built->configKey = wanted.key;
    built->id = wanted.kind == WorkflowDefinition::Kind::Schedule ? scheduleId(wanted.key)
                                                                  : triggerId(wanted.key);
    return built;
}

QList<Wanted> wantedSchedules(const WorkflowsConfig &config)
{
    QList<Wanted> wanted;
    for (auto it = config.schedules.begin(); it != config.schedules.end(); ++it) {
        QJsonObject body{{u"cron"_s, it->cron},
                         {u"timezone"_s, it->timezone},
                         {u"paused"_s, it->paused},
                         {u"target"_s, it->target}};
        if (!it->provider.isEmpty()) {
            body.insert(u"provider"_s, it->provider);
        }
        wanted.append({u"workflows.schedules."_s + it.key(),
                       it.key(),
                       WorkflowDefinition::Kind::Schedule,
                       body,
                       permissionsJson(it->permissions)});
    }
    return wanted;
}

QList<Wanted> wantedTriggers(const WorkflowsConfig &config)
{
    QList<Wanted> wanted;
    for (auto it = config.eventTriggers.begin(); it != config.eventTriggers.end(); ++it) {
        QJsonObject match{{u"type"_s, it->match.type}};
        if (!it->match.source.isEmpty()) {
            match.insert(u"source"_s, it->match.source);
        }
        if (!it->match.subject.isEmpty()) {
            match.insert(u"subject"_s, it->match.subject);
        }
        QJsonObject body{{u"match"_s, match},
                         {u"paused"_s, it->paused},
                         {u"target"_s, it->target},
                         {u"publishers"_s, QJsonArray::fromStringList(it->publishers)}};
        if (!it->provider.isEmpty()) {
            body.insert(u"provider"_s, it->provider);
        }
        if (it->publishers.isEmpty()) {
            qCWarning(lcWorkflow).noquote()
                << u"workflow: workflows.eventTriggers.%1 names no publishers: no published "
                   u"event fires it (name subject ids, or \"*\" for any publisher)"_s.arg(it.key());
        }
        wanted.append({u"workflows.eventTriggers."_s + it.key(),
                       it.key(),
                       WorkflowDefinition::Kind::EventTrigger,
                       body,
                       permissionsJson(it->permissions)});
    }
    return wanted;
}

struct Tally
{
    int created = 0;
    int updated = 0;
};

// Inserts `wanted`, or updates its stored row when it changed; takes the row out of `existing`
// (what is left there is deleted).
Result<void> apply(Transaction &transaction,
                   DefinitionRepository &definitions,
                   const WorkflowService &service,
                   const Wanted &wanted,
                   QHash<QString, WorkflowDefinition> &existing,
                   const QDateTime &now,
                   Tally &tally)
{
    Result<WorkflowDefinition> built = buildWanted(wanted, service);
    if (!built) {
        return built.error();
    }
    WorkflowDefinition d = std::move(*built);
    const auto old = existing.constFind(d.id);
    if (old == existing.cend()) {
        d.createdAt = now;
        d.updatedAt = now;
        d.nextRunAt = service.nextRun(d, now);
        if (Result<void> done = definitions.insert(transaction, d); !done) {
            return done;
        }
        ++tally.created;
        return {};
    }
    d.createdAt = old->createdAt;
    const bool sameTiming =
        old->cron == d.cron && old->timezone == d.timezone && old->paused == d.paused;
    d.nextRunAt = sameTiming ? old->nextRunAt : service.nextRun(d, now);
    const bool same = sameTiming && old->provider == d.provider && old->matchType == d.matchType
                      && old->matchSource == d.matchSource && old->matchSubject == d.matchSubject
                      && old->publishers == d.publishers
                      && old->target.toJson() == d.target.toJson()
                      && old->authority.toJson() == d.authority.toJson();
    existing.remove(d.id);
    if (same) {
        return {};
    }
    d.updatedAt = now;
    if (Result<bool> done = definitions.update(transaction, d); !done) {
        return done.error();
    }
    ++tally.updated;
    return {};
}

} // namespace

QString scheduleId(const QString &key)
{
    return u"cfg_"_s + Crypto::sha256Hex(key.toUtf8());
}

QString triggerId(const QString &key)
{
    return u"cfg_"_s + Crypto::sha256Hex("event_trigger\0"_ba + key.toUtf8());
}

Result<void> reconcile(const WorkflowsConfig &config,
                       Database &database,
                       DefinitionRepository &definitions,
                       const WorkflowService &service,
                       const Clock &clock)
{
    const QList<Wanted> wanted = wantedSchedules(config) + wantedTriggers(config);
    Result<QList<WorkflowDefinition>> existingList = definitions.listManagedByConfig();
    if (!existingList) {
        return existingList.error();
    }
    QHash<QString, WorkflowDefinition> existing;
    for (const WorkflowDefinition &d : std::as_const(*existingList)) {
        existing.insert(d.id, d);
    }
    const QDateTime now = SqlDialect::stored(clock());
    Transaction transaction(database);
    Tally tally;
    for (const Wanted &w : wanted) {
        if (Result<void> done = apply(transaction, definitions, service, w, existing, now, tally);
            !done) {
            return Error{done.error().code, w.path + u": "_s + done.error().message};
        }
    }
    for (const WorkflowDefinition &gone : std::as_const(existing)) {
        if (Result<bool> done = definitions.remove(transaction, gone.id); !done) {
            return done.error();
        }
    }
    if (Result<void> done = transaction.commit(); !done) {
        return done;
    }
    if (tally.created + tally.updated + existing.size() > 0) {
        qCInfo(lcWorkflow) << "workflow: config workflows reconciled:" << tally.created
                           << "created," << tally.updated << "updated," << existing.size()
                           << "deleted";
    }
    return {};
}

} // namespace Gestalt::WorkflowConfigSync
