// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Principal.h"
#include "workflows/WorkflowTarget.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gestalt {

// Who a schedule, trigger or run acts for, and the most it may do: stored with it (no secrets).
// A user-made one holds its creator and, as ceiling, exactly the app operations its steps named
// when the creator was checked; config-made ones act as system:config with the config's
// permissions. When it fires, principal() is checked again like any caller (current roles, the
// ceiling as a scoped token would be).
struct WorkflowAuthority
{
    QString subjectId;
    QString userId;
    QString email;
    QString displayName;
    QString authSource;     // session | api_token | env | config
    QJsonArray permissions; // [{app, operations: [...]}]

    [[nodiscard]] static WorkflowAuthority of(const Principal &creator,
                                              const WorkflowTarget &target);
    [[nodiscard]] static WorkflowAuthority config(const WorkflowTarget &target,
                                                  const QJsonArray &extraPermissions);
    [[nodiscard]] Principal principal() const;
    // {subjectId, subjectKind, displayName, authSource}: the createdBy of responses.
    [[nodiscard]] QJsonObject actorJson() const;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static WorkflowAuthority fromJson(const QJsonObject &json);
};

inline const QString SystemConfigSubject = QStringLiteral("system:config");

// A schedule or an event trigger (one table, one repository).
struct WorkflowDefinition
{
    enum class Kind {
        Schedule,
        EventTrigger,
    };

    QString id;
    Kind kind = Kind::Schedule;
    QString ownerSubjectId;
    QString managedBy = QStringLiteral("api"); // api | config
    QString configKey;                         // config-managed: the key in the config
    QString provider;
    bool paused = false;
    // Schedules.
    QString cron;
    QString timezone = QStringLiteral("UTC");
    std::optional<QDateTime> nextRunAt; // none while paused
    // Event triggers.
    QString matchType;
    QString matchSource;
    QString matchSubject;
    // Who else may fire it (http-api.md "Event triggers"): subject ids besides the owner, who
    // always may. Config-managed: named in the config, "*" for any publisher; without any, only
    // system:config publishes to it (no HTTP caller does).
    QStringList publishers;

    WorkflowTarget target;
    WorkflowAuthority authority;
    QDateTime createdAt;
    QDateTime updatedAt;

    [[nodiscard]] bool isSchedule() const { return kind == Kind::Schedule; }
    // Stored as schedule | event_trigger.
    [[nodiscard]] static QString kindName(Kind kind);
    [[nodiscard]] static std::optional<Kind> parseKind(QStringView text);
};

// The state of one step inside a run.
struct WorkflowRunStep
{
    // Stored and shown as pending | running | succeeded | failed | canceled | skipped.
    enum class Status {
        Pending,
        Running,
        Succeeded,
        Failed,
        Canceled,
        Skipped,
    };

    QString id;
    Status status = Status::Pending;
    std::optional<QDateTime> startedAt;
    std::optional<QDateTime> completedAt;
    int httpStatus = 0;                                    // app steps: the upstream's status
    QJsonValue output = QJsonValue(QJsonValue::Undefined); // until it succeeded
    QString error;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static WorkflowRunStep fromJson(const QJsonObject &json);
};

struct WorkflowRun
{
    // Stored and shown as pending | running | succeeded | failed | canceled.
    enum class Status {
        Pending,
        Running,
        Succeeded,
        Failed,
        Canceled,
    };

    QString id;
    QString ownerSubjectId;
    QString provider;
    Status status = Status::Pending;
    WorkflowTarget target;
    QJsonObject
        trigger; // {kind: schedule|event|manual, scheduleId?, scheduledFor?, triggerId?, event?}
    QString publishedBy; // event runs: the subject that published the event
    WorkflowAuthority authority;
    QList<WorkflowRunStep> steps;
    QString statusMessage;
    QJsonValue result = QJsonValue(QJsonValue::Undefined); // the last step's output once succeeded
    bool cancelRequested = false;
    QString cancelReason;
    QString leaseOwner;
    std::optional<QDateTime> leaseExpiresAt;
    QDateTime createdAt;
    std::optional<QDateTime> startedAt;
    std::optional<QDateTime> completedAt;

    [[nodiscard]] bool isTerminal() const
    {
        return status == Status::Succeeded || status == Status::Failed
               || status == Status::Canceled;
    }
};

// A page of the run list (RunRepository::list) and what selects it.
struct RunFilter
{
    QString ownerSubjectId; // empty: every owner
    QString app;            // runs with a step on this app
    std::optional<WorkflowRun::Status> status;
    int pageSize = 100;
    QString pageToken; // from RunPage::nextPageToken
};

struct RunPage
{
    QList<WorkflowRun> runs; // newest first
    QString nextPageToken;   // empty on the last page
};

// The wire and storage names of the statuses (the metrics labels too).
[[nodiscard]] QString name(WorkflowRun::Status status);
[[nodiscard]] std::optional<WorkflowRun::Status> parseRunStatus(QStringView text);
// "pending, running, succeeded, failed, canceled": the list filter's message.
[[nodiscard]] QString runStatusNames();
[[nodiscard]] QString name(WorkflowRunStep::Status status);
[[nodiscard]] std::optional<WorkflowRunStep::Status> parseStepStatus(QStringView text);

} // namespace Gestalt
