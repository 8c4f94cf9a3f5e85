// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentRecords.h"

#include "shared/EnumNames.h"
#include "shared/TimeFormat.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

void insertTime(QJsonObject &json, const QString &key, const std::optional<QDateTime> &time)
{
    if (time) {
        json.insert(key, isoUtc(*time));
    }
}

void insertText(QJsonObject &json, const QString &key, const QString &text)
{
    if (!text.isEmpty()) {
        json.insert(key, text);
    }
}

constexpr std::array<EnumName<AgentSession::State>, 2> kSessionStateNames{{
    {AgentSession::State::Active, u"active"},
    {AgentSession::State::Archived, u"archived"},
}};

constexpr std::array<EnumName<AgentTurn::Status>, 6> kTurnStatusNames{{
    {AgentTurn::Status::Pending, u"pending"},
    {AgentTurn::Status::Running, u"running"},
    {AgentTurn::Status::WaitingForInput, u"waiting_for_input"},
    {AgentTurn::Status::Succeeded, u"succeeded"},
    {AgentTurn::Status::Failed, u"failed"},
    {AgentTurn::Status::Canceled, u"canceled"},
}};

constexpr std::array<EnumName<AgentInteraction::State>, 3> kInteractionStateNames{{
    {AgentInteraction::State::Pending, u"pending"},
    {AgentInteraction::State::Resolved, u"resolved"},
    {AgentInteraction::State::Canceled, u"canceled"},
}};

} // namespace

QString name(AgentSession::State state)
{
    return enumName(kSessionStateNames, state);
}

std::optional<AgentSession::State> parseSessionState(QStringView text)
{
    return parseEnumName(kSessionStateNames, text);
}

QString name(AgentTurn::Status status)
{
    return enumName(kTurnStatusNames, status);
}

std::optional<AgentTurn::Status> parseTurnStatus(QStringView text)
{
    return parseEnumName(kTurnStatusNames, text);
}

QString turnStatusNames()
{
    return joinedEnumNames(kTurnStatusNames);
}

QString name(AgentInteraction::State state)
{
    return enumName(kInteractionStateNames, state);
}

std::optional<AgentInteraction::State> parseInteractionState(QStringView text)
{
    return parseEnumName(kInteractionStateNames, text);
}

QJsonObject AgentSession::toJson() const
{
    QJsonObject json{{u"id"_s, id},
                     {u"provider"_s, provider},
                     {u"state"_s, name(state)},
                     {u"metadata"_s, metadata},
                     {u"createdBy"_s, createdBy},
                     {u"createdAt"_s, isoUtc(createdAt)},
                     {u"updatedAt"_s, isoUtc(updatedAt)}};
    insertText(json, u"model"_s, model);
    insertText(json, u"clientRef"_s, clientRef);
    if (!workspace.isEmpty()) {
        json.insert(u"workspace"_s, workspace);
    }
    insertTime(json, u"lastTurnAt"_s, lastTurnAt);
    return json;
}

QJsonObject AgentTurn::toJson(bool full) const
{
    QJsonObject json{{u"id"_s, id},
                     {u"sessionId"_s, sessionId},
                     {u"provider"_s, provider},
                     {u"status"_s, name(status)},
                     {u"createdBy"_s, createdBy},
                     {u"createdAt"_s, isoUtc(createdAt)},
                     {u"executionRef"_s, id}};
    insertText(json, u"model"_s, model);
    insertText(json, u"statusMessage"_s, statusMessage);
    insertTime(json, u"startedAt"_s, startedAt);
    insertTime(json, u"completedAt"_s, completedAt);
    if (cancelRequested && !isTerminal()) {
        json.insert(u"cancelRequested"_s, true);
    }
    if (full) {
        json.insert(u"messages"_s, request.value(u"messages"_s));
        for (const QString &key : {u"toolRefs"_s, u"responseSchema"_s, u"metadata"_s}) {
            if (request.contains(key)) {
                json.insert(key, request.value(key));
            }
        }
        insertText(json, u"outputText"_s, outputText);
        if (!structuredOutput.isUndefined()) {
            json.insert(u"structuredOutput"_s, structuredOutput);
        }
    }
    return json;
}

QJsonObject AgentEvent::toJson() const
{
    QJsonObject json{{u"id"_s, id},
                     {u"turnId"_s, turnId},
                     {u"seq"_s, seq},
                     {u"type"_s, type},
                     {u"source"_s, source},
                     {u"visibility"_s, visibility},
                     {u"data"_s, data},
                     {u"createdAt"_s, isoUtc(createdAt)}};
    if (!display.isEmpty()) {
        json.insert(u"display"_s, display);
    }
    return json;
}

QJsonObject AgentInteraction::toJson() const
{
    QJsonObject json{{u"id"_s, id},
                     {u"turnId"_s, turnId},
                     {u"type"_s, type},
                     {u"state"_s, name(state)},
                     {u"request"_s, request},
                     {u"createdAt"_s, isoUtc(createdAt)}};
    insertText(json, u"title"_s, title);
    insertText(json, u"prompt"_s, prompt);
    if (!resolution.isUndefined()) {
        json.insert(u"resolution"_s, resolution);
    }
    insertTime(json, u"resolvedAt"_s, resolvedAt);
    return json;
}

} // namespace Gestalt
