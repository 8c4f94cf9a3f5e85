// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowRecords.h"

#include "shared/EnumNames.h"
#include "shared/TimeFormat.h"
#include "store/StoredEnum.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// [{app, operations}] for the target's app steps and the tools its agent steps name.
QJsonArray stepPermissions(const WorkflowTarget &target)
{
    QList<std::pair<QString, QString>> named; // (app, operation), in step order
    for (const WorkflowStep &step : target.steps) {
        if (step.kind == WorkflowStep::Kind::App) {
            named.append({step.app, step.operation});
            continue;
        }
        for (const auto &tool : step.agent.value(u"tools"_s).toArray()) {
            const QJsonObject ref = tool.toObject();
            named.append(
                {ref.value(u"appName"_s).toString(), ref.value(u"operation"_s).toString()});
        }
    }
    QJsonArray permissions;
    QStringList apps;
    for (const auto &[app, operation] : named) {
        if (!apps.contains(app)) {
            apps.append(app);
        }
    }
    for (const QString &app : std::as_const(apps)) {
        QJsonArray operations;
        for (const auto &[a, operation] : named) {
            if (a == app && !operations.contains(QJsonValue(operation))) {
                operations.append(operation);
            }
        }
        permissions.append(QJsonObject{{u"app"_s, app}, {u"operations"_s, operations}});
    }
    return permissions;
}

std::optional<QDateTime> timeFrom(const QJsonValue &value)
{
    if (!value.isString()) {
        return std::nullopt;
    }
    QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!time.isValid()) {
        return std::nullopt;
    }
    return time.toUTC();
}

} // namespace

WorkflowAuthority WorkflowAuthority::of(const Principal &creator, const WorkflowTarget &target)
{
    WorkflowAuthority authority;
    authority.subjectId = creator.subjectId;
    authority.userId = creator.userId;
    authority.email = creator.email;
    authority.displayName = creator.displayName;
    authority.authSource = creator.authSourceName();
    authority.permissions = stepPermissions(target);
    return authority;
}

WorkflowAuthority WorkflowAuthority::config(const WorkflowTarget &target,
                                            const QJsonArray &extraPermissions)
{
    WorkflowAuthority authority;
    authority.subjectId = SystemConfigSubject;
    authority.displayName = u"Workflow Config"_s;
    authority.authSource = u"config"_s;
    QJsonArray permissions = stepPermissions(target);
    for (const auto &extra : extraPermissions) {
        const QJsonObject entry = extra.toObject();
        const QString app = entry.value(u"app"_s).toString();
        bool merged = false;
        for (qsizetype i = 0; i < permissions.size(); ++i) {
            QJsonObject existing = permissions.at(i).toObject();
            if (existing.value(u"app"_s).toString() != app) {
                continue;
            }
            QJsonArray operations = existing.value(u"operations"_s).toArray();
            const QJsonArray more = entry.value(u"operations"_s).toArray();
            // No listed operations grants the whole app: keep that wider form.
            if (more.isEmpty()) {
                operations = QJsonArray();
            } else if (!operations.isEmpty()) {
                for (const auto &op : more) {
                    if (!operations.contains(op)) {
                        operations.append(op);
                    }
                }
            }
            existing.insert(u"operations"_s, operations);
            permissions.replace(i, existing);
            merged = true;
        }
        if (!merged) {
            permissions.append(entry);
        }
    }
    authority.permissions = permissions;
    return authority;
}

Principal WorkflowAuthority::principal() const
{
    Principal principal;
    principal.subjectId = subjectId;
    principal.userId = userId;
    principal.email = email;
    principal.displayName = displayName;
    principal.source = Principal::Source::Workflow;
    principal.tokenPermissions = permissions;
    return principal;
}

QJsonObject WorkflowAuthority::actorJson() const
{
    const qsizetype colon = subjectId.indexOf(u':');
    return QJsonObject{{u"subjectId"_s, subjectId},
                       {u"subjectKind"_s, colon > 0 ? subjectId.left(colon) : QString()},
                       {u"displayName"_s, displayName.isEmpty() ? email : displayName},
                       {u"authSource"_s, authSource}};
}

QJsonObject WorkflowAuthority::toJson() const
{
    return QJsonObject{{u"subjectId"_s, subjectId},
                       {u"userId"_s, userId},
                       {u"email"_s, email},
                       {u"displayName"_s, displayName},
                       {u"authSource"_s, authSource},
                       {u"permissions"_s, permissions}};
}

WorkflowAuthority WorkflowAuthority::fromJson(const QJsonObject &json)
{
    WorkflowAuthority authority;
    authority.subjectId = json.value(u"subjectId"_s).toString();
    authority.userId = json.value(u"userId"_s).toString();
    authority.email = json.value(u"email"_s).toString();
    authority.displayName = json.value(u"displayName"_s).toString();
    authority.authSource = json.value(u"authSource"_s).toString();
    authority.permissions = json.value(u"permissions"_s).toArray();
    return authority;
}

namespace {

constexpr std::array<EnumName<WorkflowDefinition::Kind>, 2> kKindNames{{
    {WorkflowDefinition::Kind::Schedule, u"schedule"},
    {WorkflowDefinition::Kind::EventTrigger, u"event_trigger"},
}};

constexpr std::array<EnumName<WorkflowRun::Status>, 5> kRunStatusNames{{
    {WorkflowRun::Status::Pending, u"pending"},
    {WorkflowRun::Status::Running, u"running"},
    {WorkflowRun::Status::Succeeded, u"succeeded"},
    {WorkflowRun::Status::Failed, u"failed"},
    {WorkflowRun::Status::Canceled, u"canceled"},
}};

constexpr std::array<EnumName<WorkflowRunStep::Status>, 6> kStepStatusNames{{
    {WorkflowRunStep::Status::Pending, u"pending"},
    {WorkflowRunStep::Status::Running, u"running"},
    {WorkflowRunStep::Status::Succeeded, u"succeeded"},
    {WorkflowRunStep::Status::Failed, u"failed"},
    {WorkflowRunStep::Status::Canceled, u"canceled"},
    {WorkflowRunStep::Status::Skipped, u"skipped"},
}};

} // namespace

QString WorkflowDefinition::kindName(Kind kind)
{
    return enumName(kKindNames, kind);
}

std::optional<WorkflowDefinition::Kind> WorkflowDefinition::parseKind(QStringView text)
{
    return parseEnumName(kKindNames, text);
}

QString name(WorkflowRun::Status status)
{
    return enumName(kRunStatusNames, status);
}

std::optional<WorkflowRun::Status> parseRunStatus(QStringView text)
{
    return parseEnumName(kRunStatusNames, text);
}

QString runStatusNames()
{
    return joinedEnumNames(kRunStatusNames);
}

QString name(WorkflowRunStep::Status status)
{
    return enumName(kStepStatusNames, status);
}

std::optional<WorkflowRunStep::Status> parseStepStatus(QStringView text)
{
    return parseEnumName(kStepStatusNames, text);
}

QJsonObject WorkflowRunStep::toJson() const
{
    QJsonObject json{{u"id"_s, id}, {u"status"_s, name(status)}};
    if (startedAt) {
        json.insert(u"startedAt"_s, isoUtc(*startedAt));
    }
    if (completedAt) {
        json.insert(u"completedAt"_s, isoUtc(*completedAt));
    }
    if (httpStatus != 0) {
        json.insert(u"httpStatus"_s, httpStatus);
    }
    if (!output.isUndefined()) {
        json.insert(u"output"_s, output);
    }
    if (!error.isEmpty()) {
        json.insert(u"error"_s, error);
    }
    return json;
}

WorkflowRunStep WorkflowRunStep::fromJson(const QJsonObject &json)
{
    WorkflowRunStep step;
    step.id = json.value(u"id"_s).toString();
    // An unknown status reads as failed.
    const QString status = json.value(u"status"_s).toString(name(Status::Pending));
    step.status = StoredEnum::read(
        parseStepStatus(status), status, Status::Failed, u"workflow run step "_s + step.id);
    step.startedAt = timeFrom(json.value(u"startedAt"_s));
    step.completedAt = timeFrom(json.value(u"completedAt"_s));
    step.httpStatus = json.value(u"httpStatus"_s).toInt();
    step.output = json.value(u"output"_s);
    step.error = json.value(u"error"_s).toString();
    return step;
}

} // namespace Gestalt
