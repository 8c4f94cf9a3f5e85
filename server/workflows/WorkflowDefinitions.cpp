// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowDefinitions.h"

#include "crypto/Random.h"
#include "store/SqlDialect.h"
#include "store/Transaction.h"
#include "workflows/DefinitionRepository.h"
#include "workflows/WorkflowService.h"
#include "workflows/WorkflowYaml.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString kindLabel(WorkflowDefinition::Kind kind)
{
    return kind == WorkflowDefinition::Kind::Schedule ? u"workflow schedule"_s
                                                      : u"workflow event trigger"_s;
}

Error notFound(WorkflowDefinition::Kind kind, const QString &id)
{
    return Error::notFound(u"%1 \"%2\" not found"_s.arg(kindLabel(kind), id));
}

QString idPrefix(WorkflowDefinition::Kind kind)
{
    return kind == WorkflowDefinition::Kind::Schedule ? u"wfs_"_s : u"wft_"_s;
}

} // namespace

WorkflowDefinitions::WorkflowDefinitions(Database &database,
                                         DefinitionRepository &definitions,
                                         const WorkflowService &rules,
                                         Clock clock)
    : m_database(database)
    , m_definitions(definitions)
    , m_rules(rules)
    , m_clock(std::move(clock))
{}

QDateTime WorkflowDefinitions::now() const
{
    // As stored: the answer shows what a later read shows.
    return SqlDialect::stored(m_clock());
}

Result<WorkflowDefinition>
WorkflowDefinitions::create(const Principal &caller, Kind kind, const QJsonObject &body)
{
    if (Result<void> ok = WorkflowService::requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<WorkflowDefinition> built = m_rules.build(kind, body, caller);
    if (!built) {
        return built;
    }
    WorkflowDefinition d = std::move(*built);
    d.id = idPrefix(kind) + Crypto::randomHex(12);
    d.ownerSubjectId = caller.subjectId;
    d.authority = WorkflowAuthority::of(caller, d.target);
    d.createdAt = now();
    d.updatedAt = d.createdAt;
    d.nextRunAt = m_rules.nextRun(d, d.createdAt);
    if (Result<void> stored = m_definitions.insert(d); !stored) {
        return stored.error();
    }
    return d;
}

Result<WorkflowDefinition>
WorkflowDefinitions::owned(const Principal &caller, Kind kind, const QString &id)
{
    if (Result<void> ok = WorkflowService::requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<std::optional<WorkflowDefinition>> found = m_definitions.find(id);
    if (!found) {
        return found.error();
    }
    if (!*found || (*found)->kind != kind || !WorkflowService::visibleTo(caller, **found)) {
        return notFound(kind, id);
    }
    return **found;
}

Result<WorkflowDefinition> WorkflowDefinitions::store(WorkflowDefinition definition)
{
    definition.updatedAt = now();
    definition.nextRunAt = m_rules.nextRun(definition, definition.updatedAt);
    Result<bool> updated = m_definitions.update(definition);
    if (!updated) {
        return updated.error();
    }
    if (!*updated) {
        return notFound(definition.kind, definition.id);
    }
    return definition;
}

Result<WorkflowDefinition> WorkflowDefinitions::update(const Principal &caller,
                                                       Kind kind,
                                                       const QString &id,
                                                       const QJsonObject &body)
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
    Result<WorkflowDefinition> built = m_rules.build(kind, merged, caller);
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
    return store(std::move(d));
}

Result<WorkflowDefinition>
WorkflowDefinitions::get(const Principal &caller, Kind kind, const QString &id)
{
    return owned(caller, kind, id);
}

Result<QList<WorkflowDefinition>> WorkflowDefinitions::list(const Principal &caller, Kind kind)
{
    if (Result<void> ok = WorkflowService::requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<QList<WorkflowDefinition>> all = m_definitions.list(caller.subjectId, kind);
    if (!all) {
        return all;
    }
    QList<WorkflowDefinition> visible;
    for (WorkflowDefinition &d : *all) {
        if (WorkflowService::visibleTo(caller, d)) {
            visible.append(std::move(d));
        }
    }
    return visible;
}

Result<void> WorkflowDefinitions::remove(const Principal &caller, Kind kind, const QString &id)
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

Result<WorkflowDefinition>
WorkflowDefinitions::setPaused(const Principal &caller, Kind kind, const QString &id, bool paused)
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
    // Resuming starts from now: firings missed while paused are not made up.
    return store(std::move(d));
}

Result<QByteArray> WorkflowDefinitions::exportYaml(const Principal &caller)
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

Result<QJsonObject> WorkflowDefinitions::importYaml(const Principal &caller, const QByteArray &yaml)
{
    if (Result<void> ok = WorkflowService::requireSubject(caller); !ok) {
        return ok.error();
    }
    Result<QList<WorkflowYaml::Entry>> entries = WorkflowYaml::read(yaml);
    if (!entries) {
        return entries.error();
    }
    const QDateTime at = now();
    Transaction transaction(m_database);
    int created = 0;
    int updated = 0;
    for (const WorkflowYaml::Entry &entry : std::as_const(*entries)) {
        Result<Imported> done = importEntry(transaction, caller, entry, at);
        if (!done) {
            return done.error();
        }
        if (*done == Imported::Created) {
            ++created;
        } else {
            ++updated;
        }
    }
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return QJsonObject{
        {u"status"_s, u"imported"_s}, {u"created"_s, created}, {u"updated"_s, updated}};
}

Result<WorkflowDefinitions::Imported>
WorkflowDefinitions::importEntry(Transaction &transaction,
                                 const Principal &caller,
                                 const WorkflowYaml::Entry &entry,
                                 const QDateTime &now)
{
    const QString path =
        (entry.kind == Kind::Schedule ? u"workflows.schedules."_s : u"workflows.eventTriggers."_s)
        + entry.id;
    Result<WorkflowDefinition> built = m_rules.build(entry.kind, entry.body, caller);
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
    if (!*existing) {
        d.createdAt = now;
        d.nextRunAt = m_rules.nextRun(d, now);
        if (Result<void> done = m_definitions.insert(transaction, d); !done) {
            return Error{done.error().code, path + u": "_s + done.error().message};
        }
        return Imported::Created;
    }
    const WorkflowDefinition &old = **existing;
    if (!WorkflowService::visibleTo(caller, old) || old.managedBy != u"api" || old.kind != d.kind) {
        return Error::conflict(u"%1: workflow id \"%2\" is already taken"_s.arg(path, d.id));
    }
    d.createdAt = old.createdAt;
    const bool sameTiming =
        old.cron == d.cron && old.timezone == d.timezone && old.paused == d.paused;
    d.nextRunAt = sameTiming ? old.nextRunAt : m_rules.nextRun(d, now);
    if (Result<bool> done = m_definitions.update(transaction, d); !done) {
        return done.error();
    }
    return Imported::Updated;
}

} // namespace Gestalt
