// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowTarget.h"

#include "http/JsonBodyReader.h"
#include "workflows/WorkflowValue.h"

#include <QJsonArray>
#include <QRegularExpression>

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

// At most one of `keys` is set in `object`; two are a 400 naming both ("workflow target sets
// both steps and plugin; give one of them"). Returns how many are set (0 or 1).
Result<int>
atMostOne(const QJsonObject &object, std::initializer_list<QStringView> keys, const QString &where)
{
    QStringList set;
    for (const QStringView key : keys) {
        if (object.contains(key)) {
            set.append(key.toString());
        }
    }
    if (set.size() > 1) {
        return Error::invalid(
            u"%1 sets both %2 and %3; give one of them"_s.arg(where, set.at(0), set.at(1)));
    }
    return int(set.size());
}

// The older `plugin` object (http-api-legacy.md "Workflows"): {name, operation, connection?,
// instance?, input?} where input is the operation's parameters as they are. Returned as the
// current app object, whose input is a workflow value: {"literal": <input>}.
Result<QJsonValue> legacyPlugin(const QJsonValue &plugin, const QString &where)
{
    if (!plugin.isObject()) {
        return Error::invalid(u"%1: plugin must be an object"_s.arg(where));
    }
    QJsonObject app = plugin.toObject();
    const QJsonValue input = app.value(u"input"_s);
    if (input.isObject()) {
        app.insert(u"input"_s, QJsonObject{{u"literal"_s, input}});
    } else if (!input.isUndefined() && !input.isNull()) {
        return Error::invalid(
            u"%1 plugin: input must be an object (the operation's parameters)"_s.arg(where));
    }
    return QJsonValue(app);
}

// The target as {"steps": [...]}. The single-target forms name one step "main":
// `{"plugin": {...}}` (older clients, legacyPlugin), `{"app": {...}}` and `{"agent": {...}}`.
// Giving two of plugin, app, agent and steps is a 400 naming both.
Result<QJsonObject> asSteps(const QJsonObject &object)
{
    Result<int> forms =
        atMostOne(object, {u"steps", u"plugin", u"app", u"agent"}, u"workflow target"_s);
    if (!forms) {
        return forms.error();
    }
    if (*forms == 0) {
        return Error::invalid(u"workflow target must set steps"_s);
    }
    if (object.contains(u"steps"_s)) {
        return object;
    }
    QJsonObject step{{u"id"_s, u"main"_s}};
    for (auto it = object.begin(); it != object.end(); ++it) {
        step.insert(it.key(), it.value());
    }
    return QJsonObject{{u"steps"_s, QJsonArray{step}}};
}

} // namespace

Result<WorkflowTarget> WorkflowTarget::fromJson(const QJsonValue &json)
{
    if (!json.isObject()) {
        return Error::invalid(u"workflow target is required and must be an object"_s);
    }
    Result<QJsonObject> normalized = asSteps(json.toObject());
    if (!normalized) {
        return normalized.error();
    }
    const QJsonObject object = *normalized;
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
        Result<int> kinds = atMostOne(stepJson, {u"app", u"plugin", u"agent"}, where);
        if (!kinds) {
            return kinds.error();
        }
        if (*kinds == 0) {
            return Error::invalid(u"%1 must set exactly one of app or agent"_s.arg(where));
        }
        Result<QJsonValue> app = stepJson.contains(u"plugin"_s)
                                     ? legacyPlugin(stepJson.value(u"plugin"_s), where)
                                     : Result<QJsonValue>(stepJson.value(u"app"_s));
        if (!app) {
            return app.error();
        }
        const Result<void> read = stepJson.contains(u"agent"_s)
                                      ? readAgent(stepJson.value(u"agent"_s), step, where)
                                      : readApp(*app, step, ids, where);
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
