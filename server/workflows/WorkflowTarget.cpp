// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowTarget.h"

#include "http/JsonBodyReader.h"
#include "workflows/WorkflowValue.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

bool isValidStepId(const QString &id)
{
    static const QRegularExpression re(u"^[A-Za-z0-9_-]{1,64}$"_s);
    return re.match(id).hasMatch();
}

// The one "unknown field" error of the API, naming where: `unknown field "x" in workflow step "a"`.
Result<void> onlyKnownKeys(const QJsonObject &object,
                           std::initializer_list<QStringView> known,
                           const QString &where)
{
    JsonBodyReader reader(object, where);
    reader.skip(known);
    return reader.finish();
}

// A string field: absent → empty; present and not a (non-empty when required) string → 400.
Result<QString>
stringField(const QJsonObject &object, const QString &key, const QString &where, bool required)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull()) {
        if (required) {
            return Error::invalid(u"%1: %2 is required"_s.arg(where, key));
        }
        return QString();
    }
    if (!value.isString() || (required && value.toString().trimmed().isEmpty())) {
        return Error::invalid(
            u"%1: %2 must be a%3 string"_s.arg(where, key, required ? u" non-empty"_s : QString()));
    }
    return value.toString().trimmed();
}

Result<void> readApp(const QJsonValue &json,
                     WorkflowStep &step,
                     const QStringList &earlier,
                     const QString &where)
{
    if (!json.isObject()) {
        return Error::invalid(u"%1: app must be an object"_s.arg(where));
    }
    const QJsonObject app = json.toObject();
    if (Result<void> ok = onlyKnownKeys(
            app, {u"name", u"operation", u"connection", u"instance", u"input"}, where + u" app"_s);
        !ok) {
        return ok;
    }
    Result<QString> name = stringField(app, u"name"_s, where + u" app"_s, true);
    if (!name) {
        return name.error();
    }
    Result<QString> operation = stringField(app, u"operation"_s, where + u" app"_s, true);
    if (!operation) {
        return operation.error();
    }
    Result<QString> connection = stringField(app, u"connection"_s, where + u" app"_s, false);
    if (!connection) {
        return connection.error();
    }
    Result<QString> instance = stringField(app, u"instance"_s, where + u" app"_s, false);
    if (!instance) {
        return instance.error();
    }
    step.kind = WorkflowStep::Kind::App;
    step.app = *name;
    step.operation = *operation;
    step.connection = *connection;
    step.instance = *instance;
    step.input = app.value(u"input"_s);
    if (step.input.isNull()) {
        step.input = QJsonValue(QJsonValue::Undefined);
    }
    if (!step.input.isUndefined()) {
        return WorkflowValue::validate(step.input, earlier, where + u" input"_s);
    }
    return {};
}

Result<void> readAgent(const QJsonValue &json, WorkflowStep &step, const QString &where)
{
    if (!json.isObject()) {
        return Error::invalid(u"%1: agent must be an object"_s.arg(where));
    }
    const QJsonObject agent = json.toObject();
    const QString at = where + u" agent"_s;
    if (Result<void> ok = onlyKnownKeys(agent,
                                        {u"provider",
                                         u"model",
                                         u"sessionKey",
                                         u"prompt",
                                         u"messages",
                                         u"tools",
                                         u"responseSchema",
                                         u"modelOptions",
                                         u"timeoutSeconds"},
                                        at);
        !ok) {
        return ok;
    }
    for (const QString &key : {u"provider"_s, u"model"_s, u"sessionKey"_s, u"prompt"_s}) {
        if (Result<QString> ok = stringField(agent, key, at, key == u"provider"); !ok) {
            return ok.error();
        }
    }
    for (const QString &key : {u"messages"_s, u"tools"_s}) {
        if (agent.contains(key) && !agent.value(key).isArray()) {
            return Error::invalid(u"%1: %2 must be an array"_s.arg(at, key));
        }
    }
    for (const QString &key : {u"responseSchema"_s, u"modelOptions"_s}) {
        if (agent.contains(key) && !agent.value(key).isObject()) {
            return Error::invalid(u"%1: %2 must be an object"_s.arg(at, key));
        }
    }
    if (agent.contains(u"timeoutSeconds"_s)
        && (!agent.value(u"timeoutSeconds"_s).isDouble()
            || agent.value(u"timeoutSeconds"_s).toDouble() <= 0)) {
        return Error::invalid(u"%1: timeoutSeconds must be a positive number"_s.arg(at));
    }
    if (!agent.contains(u"prompt"_s) && !agent.contains(u"messages"_s)) {
        return Error::invalid(u"%1: set prompt or messages"_s.arg(at));
    }
    step.kind = WorkflowStep::Kind::Agent;
    step.agent = agent;
    return {};
}

// Go's target.plugin.input is a static input object; a value expression ({literal}, {from},
// {template}, {fields}) is kept as it is.
QJsonValue staticInput(const QJsonValue &plugin)
{
    QJsonObject app = plugin.toObject();
    const QJsonValue input = app.value(u"input"_s);
    if (!input.isObject()) {
        return plugin;
    }
    static const QStringList expressionKeys{u"literal"_s, u"from"_s, u"template"_s, u"fields"_s};
    const QStringList keys = input.toObject().keys();
    const bool expression =
        !keys.isEmpty() && std::all_of(keys.cbegin(), keys.cend(), [](const QString &key) {
            return expressionKeys.contains(key);
        });
    if (!expression) {
        app.insert(u"input"_s, QJsonObject{{u"literal"_s, input}});
    }
    return app;
}

} // namespace

Result<WorkflowTarget> WorkflowTarget::fromJson(const QJsonValue &json)
{
    if (!json.isObject()) {
        return Error::invalid(u"workflow target is required and must be an object"_s);
    }
    QJsonObject object = json.toObject();
    if (!object.contains(u"steps"_s)) {
        // The single-target form of older clients: one step named "main".
        QJsonObject step{{u"id"_s, u"main"_s}};
        for (auto it = object.begin(); it != object.end(); ++it) {
            step.insert(it.key() == u"plugin" ? u"app"_s : it.key(),
                        it.key() == u"plugin" ? staticInput(it.value()) : it.value());
        }
        if (!step.contains(u"app"_s) && !step.contains(u"agent"_s)) {
            return Error::invalid(u"workflow target must set steps"_s);
        }
        object = QJsonObject{{u"steps"_s, QJsonArray{step}}};
    }
    if (Result<void> ok = onlyKnownKeys(object, {u"steps"}, u"workflow target"_s); !ok) {
        return ok.error();
    }
    const QJsonValue stepsJson = object.value(u"steps"_s);
    if (!stepsJson.isArray() || stepsJson.toArray().isEmpty()) {
        return Error::invalid(u"workflow target steps must be a non-empty array"_s);
    }
    const QJsonArray steps = stepsJson.toArray();
    if (steps.size() > MaxSteps) {
        return Error::invalid(
            u"workflow target has %1 steps; at most %2 are allowed"_s.arg(steps.size())
                .arg(MaxSteps));
    }
    WorkflowTarget target;
    QStringList ids;
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const QJsonObject stepJson = steps.at(i).toObject();
        if (!steps.at(i).isObject()) {
            return Error::invalid(u"workflow step %1 must be an object"_s.arg(i + 1));
        }
        WorkflowStep step;
        step.id = stepJson.value(u"id"_s).toString();
        if (!isValidStepId(step.id)) {
            return Error::invalid(
                u"workflow step %1: id must be 1 to 64 of [A-Za-z0-9_-]"_s.arg(i + 1));
        }
        const QString where = u"workflow step \"%1\""_s.arg(step.id);
        if (ids.contains(step.id)) {
            return Error::invalid(u"%1: the id is used by an earlier step"_s.arg(where));
        }
        if (Result<void> ok = onlyKnownKeys(stepJson, {u"id", u"app", u"plugin", u"agent"}, where);
            !ok) {
            return ok.error();
        }
        const bool hasApp = stepJson.contains(u"app"_s) || stepJson.contains(u"plugin"_s);
        const bool hasAgent = stepJson.contains(u"agent"_s);
        if (hasApp == hasAgent || (stepJson.contains(u"app"_s) && stepJson.contains(u"plugin"_s))) {
            return Error::invalid(u"%1 must set exactly one of app or agent"_s.arg(where));
        }
        const Result<void> read =
            hasApp ? readApp(stepJson.contains(u"app"_s) ? stepJson.value(u"app"_s)
                                                         : stepJson.value(u"plugin"_s),
                             step,
                             ids,
                             where)
                   : readAgent(stepJson.value(u"agent"_s), step, where);
        if (!read) {
            return read.error();
        }
        ids.append(step.id);
        target.steps.append(step);
    }
    return target;
}

QJsonObject WorkflowTarget::toJson() const
{
    QJsonArray array;
    for (const WorkflowStep &step : steps) {
        QJsonObject json{{u"id"_s, step.id}};
        if (step.kind == WorkflowStep::Kind::Agent) {
            json.insert(u"agent"_s, step.agent);
        } else {
            QJsonObject app{{u"name"_s, step.app}, {u"operation"_s, step.operation}};
            if (!step.connection.isEmpty()) {
                app.insert(u"connection"_s, step.connection);
            }
            if (!step.instance.isEmpty()) {
                app.insert(u"instance"_s, step.instance);
            }
            if (!step.input.isUndefined()) {
                app.insert(u"input"_s, step.input);
            }
            json.insert(u"app"_s, app);
        }
        array.append(json);
    }
    return QJsonObject{{u"steps"_s, array}};
}

QStringList WorkflowTarget::apps() const
{
    QStringList names;
    for (const WorkflowStep &step : steps) {
        if (step.kind == WorkflowStep::Kind::App && !names.contains(step.app)) {
            names.append(step.app);
        }
    }
    return names;
}

const WorkflowStep *WorkflowTarget::step(const QString &id) const
{
    for (const WorkflowStep &step : steps) {
        if (step.id == id) {
            return &step;
        }
    }
    return nullptr;
}

} // namespace Gestalt
