// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentDisplay.h"

#include <QJsonArray>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace Gestalt::AgentDisplay {

namespace {

// The first of `keys` that `data` holds (any JSON); Undefined when none.
QJsonValue firstOf(const QJsonObject &data, const QStringList &keys)
{
    for (const QString &key : keys) {
        if (data.contains(key) && !data.value(key).isNull()) {
            return data.value(key);
        }
    }
    return {QJsonValue::Undefined};
}

QJsonObject make(const QString &kind, const QString &phase)
{
    return QJsonObject{{u"kind"_s, kind}, {u"phase"_s, phase}};
}

void put(QJsonObject &display, const QString &key, const QJsonValue &value)
{
    if (!value.isUndefined() && !(value.isString() && value.toString().isEmpty())) {
        display.insert(key, value);
    }
}

QJsonObject synthesize(const QString &type, const QJsonObject &data)
{
    const QStringList textKeys{u"text"_s, u"delta"_s, u"content"_s};
    if (type == u"assistant.delta" || type == u"agent.message.delta") {
        QJsonObject d = make(u"text"_s, u"delta"_s);
        put(d, u"text"_s, firstOf(data, textKeys));
        d.insert(u"format"_s, u"markdown"_s);
        return d;
    }
    if (type == u"assistant.completed") {
        QJsonObject d = make(u"text"_s, u"completed"_s);
        put(d, u"text"_s, firstOf(data, textKeys));
        d.insert(u"format"_s, u"markdown"_s);
        return d;
    }
    if (type == u"reasoning.delta") {
        QJsonObject d = make(u"reasoning"_s, u"delta"_s);
        put(d, u"text"_s, firstOf(data, textKeys));
        return d;
    }
    if (type == u"tool.started" || type == u"tool.completed" || type == u"tool.failed") {
        const QString phase = type.mid(5);
        QJsonObject d = make(u"tool"_s, phase);
        d.insert(u"action"_s,
                 phase == u"started"     ? u"Running"_s
                 : phase == u"completed" ? u"Ran"_s
                                         : u"Failed"_s);
        put(d, u"label"_s, firstOf(data, {u"label"_s, u"tool"_s, u"name"_s}));
        put(d, u"ref"_s, firstOf(data, {u"toolCallId"_s, u"tool_call_id"_s, u"id"_s}));
        if (phase == u"started") {
            put(d,
                u"input"_s,
                firstOf(data,
                        {u"display_input"_s,
                         u"input_preview"_s,
                         u"arguments"_s,
                         u"input"_s,
                         u"request"_s}));
        } else {
            put(d,
                u"output"_s,
                firstOf(data, {u"display_output"_s, u"output"_s, u"result"_s, u"body"_s}));
            put(d, u"error"_s, firstOf(data, {u"error"_s}));
        }
        return d;
    }
    if (type == u"interaction.requested" || type == u"interaction.resolved"
        || type == u"interaction.canceled") {
        QJsonObject d = make(u"interaction"_s, type.mid(12));
        put(d, u"ref"_s, firstOf(data, {u"interactionId"_s, u"interaction_id"_s}));
        put(d, u"label"_s, firstOf(data, {u"title"_s}));
        put(d, u"text"_s, firstOf(data, {u"prompt"_s}));
        return d;
    }
    if (type == u"turn.started") {
        return make(u"status"_s, u"started"_s);
    }
    if (type == u"turn.waiting") {
        QJsonObject d = make(u"status"_s, u"progress"_s);
        put(d, u"text"_s, firstOf(data, {u"message"_s}));
        return d;
    }
    if (type == u"turn.completed") {
        return make(u"status"_s, u"completed"_s);
    }
    if (type == u"turn.failed") {
        QJsonObject d = make(u"error"_s, u"failed"_s);
        put(d, u"error"_s, firstOf(data, {u"message"_s, u"error"_s}));
        return d;
    }
    if (type == u"turn.canceled") {
        QJsonObject d = make(u"status"_s, u"canceled"_s);
        put(d, u"text"_s, firstOf(data, {u"reason"_s}));
        return d;
    }
    return {};
}

} // namespace

QJsonObject project(const QString &type, const QJsonObject &data, const QJsonObject &given)
{
    QJsonObject display = synthesize(type, data);
    for (auto it = given.begin(); it != given.end(); ++it) {
        QJsonValue value = it.value();
        if (value.isString()) {
            value = value.toString().trimmed();
        }
        display.insert(it.key(), value);
    }
    return display;
}

} // namespace Gestalt::AgentDisplay
