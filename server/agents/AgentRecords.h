// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace Gestalt {

// The rows of the agent tables (migration 0006) and their JSON (http-api.md "Agents",
// gestalt-facts §7).

struct AgentSession
{
    // Stored and shown as active | archived.
    enum class State {
        Active,
        Archived,
    };

    QString id;
    QString ownerSubjectId;
    QString provider;
    QString model;
    QString clientRef;
    State state = State::Active;
    QJsonObject metadata;
    QJsonObject workspace; // {checkouts: [{url, ref?, path}], cwd?}; empty when none
    QJsonObject createdBy; // {subjectId, subjectKind, displayName, authSource}
    // The creating token's ceiling ([{app, operations?}], AccessCheck::tokenCeiling); null when
    // it had none. Stored with createdBy, never shown: a scoped token sees only sessions and turns
    // made within its scope.
    QJsonValue creatorScope = QJsonValue(QJsonValue::Null);
    QDateTime createdAt;
    QDateTime updatedAt;
    std::optional<QDateTime> lastTurnAt;

    [[nodiscard]] QJsonObject toJson() const;
};

struct AgentTurn
{
    // Stored and shown as pending | running | waiting_for_input | succeeded | failed | canceled.
    enum class Status {
        Pending,
        Running,
        WaitingForInput,
        Succeeded,
        Failed,
        Canceled,
    };

    QString id;
    QString sessionId;
    QString ownerSubjectId;
    QString provider;
    QString model;
    Status status = Status::Pending;
    // {messages, toolRefs?, toolSource?, responseSchema?, modelOptions?, metadata?}: as accepted.
    QJsonObject request;
    QJsonObject createdBy;
    QJsonValue creatorScope = QJsonValue(QJsonValue::Null); // as AgentSession's
    QString outputText;
    QJsonValue structuredOutput = QJsonValue(QJsonValue::Undefined);
    QString statusMessage;
    bool cancelRequested = false;
    QString cancelReason;
    QDateTime createdAt;
    std::optional<QDateTime> startedAt;
    std::optional<QDateTime> completedAt;

    [[nodiscard]] bool isTerminal() const { return isTerminal(status); }
    [[nodiscard]] static bool isTerminal(Status status)
    {
        return status == Status::Succeeded || status == Status::Failed
               || status == Status::Canceled;
    }
    // full: with messages and outputs (the summary view leaves them out).
    [[nodiscard]] QJsonObject toJson(bool full = true) const;
};

struct AgentEvent
{
    QString id;
    QString turnId;
    qint64 seq = 0;
    QString type;   // turn.started, assistant.delta, tool.completed, interaction.requested, ...
    QString source; // gestaltd | provider:<name> | tool
    QString visibility = QStringLiteral("public");
    QJsonObject data;
    QJsonObject display; // {kind, phase, text?, label?, ref?, input?, output?, error?, ...}
    QDateTime createdAt;

    [[nodiscard]] QJsonObject toJson() const;
};

struct AgentInteraction
{
    // Stored and shown as pending | resolved | canceled.
    enum class State {
        Pending,
        Resolved,
        Canceled,
    };

    QString id;
    QString turnId;
    QString type = QStringLiteral("approval"); // approval | clarification | input
    State state = State::Pending;
    QString title;
    QString prompt;
    QJsonObject request;
    QJsonValue resolution = QJsonValue(QJsonValue::Undefined);
    QDateTime createdAt;
    std::optional<QDateTime> resolvedAt;

    [[nodiscard]] QJsonObject toJson() const;
};

// The wire and storage names of the states and statuses. parse...() is nullopt for a text that
// names none (a bad filter or body, a stored row from a newer build).
[[nodiscard]] QString name(AgentSession::State state);
[[nodiscard]] std::optional<AgentSession::State> parseSessionState(QStringView text);
[[nodiscard]] QString name(AgentTurn::Status status);
[[nodiscard]] std::optional<AgentTurn::Status> parseTurnStatus(QStringView text);
// "pending, running, waiting_for_input, succeeded, failed, canceled": the filter's message.
[[nodiscard]] QString turnStatusNames();
[[nodiscard]] QString name(AgentInteraction::State state);
[[nodiscard]] std::optional<AgentInteraction::State> parseInteractionState(QStringView text);

} // namespace Gestalt
