// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/AppStatus.h"

#include "catalog/AppConnections.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Higher is better: the app shows its best connection.
int statusRank(const QString &status)
{
    static const QStringList order{u"unknown"_s,
                                   u"unavailable"_s,
                                   u"needs_admin_configuration"_s,
                                   u"needs_user_connection"_s,
                                   u"needs_instance_selection"_s,
                                   u"degraded"_s,
                                   u"ready"_s};
    return int(order.indexOf(status));
}

QJsonArray credentialFields(const AppConnection &connection)
{
    QJsonArray fields;
    if (!AppConnections::authTypes(connection).contains(u"manual"_s)) {
        return fields;
    }
    const QList<CredentialField> declared = connection.config.auth->credentials;
    if (declared.isEmpty()) {
        fields.append(QJsonObject{{u"name"_s, u"credential"_s}, {u"label"_s, u"Credential"_s}});
        return fields;
    }
    for (const CredentialField &field : declared) {
        QJsonObject json{{u"name"_s, field.name.isEmpty() ? u"credential"_s : field.name}};
        if (!field.label.isEmpty()) {
            json.insert(u"label"_s, field.label);
        }
        if (!field.description.isEmpty()) {
            json.insert(u"description"_s, field.description);
        }
        if (!field.helpUrl.isEmpty()) {
            json.insert(u"helpUrl"_s, field.helpUrl);
        }
        fields.append(json);
    }
    return fields;
}

QJsonObject connectionParams(const AppConnection &connection)
{
    QJsonObject params;
    for (auto it = connection.config.params.constBegin(); it != connection.config.params.constEnd();
         ++it) {
        if (it->from != ConnectionParam::From::User) {
            continue;
        }
        QJsonObject param;
        if (it->required) {
            param.insert(u"required"_s, true);
        }
        if (!it->description.isEmpty()) {
            param.insert(u"description"_s, it->description);
        }
        if (!it->defaultValue.isEmpty()) {
            param.insert(u"default"_s, it->defaultValue);
        }
        params.insert(it.key(), param);
    }
    return params;
}

struct State
{
    QString status;
    QString credentialState;
    QString healthState;
    QStringList actions;
    QString statusCode = {};
    QString statusReason = {};
};

State userState(const AppConnection &connection, const QList<StoredCredential> &mine)
{
    const bool connectable = !AppConnections::authTypes(connection).isEmpty();
    int invalid = 0;
    for (const StoredCredential &credential : mine) {
        invalid += credential.invalid ? 1 : 0;
    }
    const qsizetype valid = mine.size() - invalid;
    if (mine.isEmpty()) {
        return {u"needs_user_connection"_s,
                u"missing"_s,
                u"not_checked"_s,
                connectable ? QStringList{u"connect"_s} : QStringList{}};
    }
    if (valid == 0) {
        return {u"needs_user_connection"_s,
                u"invalid"_s,
                u"unhealthy"_s,
                {u"reconnect"_s, u"disconnect"_s},
                u"reconnect_required"_s,
                u"the stored credential must be reconnected"_s};
    }
    if (invalid > 0) {
        return {u"degraded"_s,
                u"connected"_s,
                u"unhealthy"_s,
                {u"reconnect"_s, u"disconnect"_s, u"add_instance"_s},
                u"reconnect_required"_s,
                u"some stored credentials must be reconnected"_s};
    }
    if (valid > 1) {
        return {u"needs_instance_selection"_s,
                u"connected"_s,
                u"not_checked"_s,
                {u"select_instance"_s, u"disconnect"_s, u"add_instance"_s},
                u"instance_selection_required"_s,
                u"several instances are connected; choose one with _instance"_s};
    }
    return {u"ready"_s, u"connected"_s, u"not_checked"_s, {u"disconnect"_s, u"add_instance"_s}};
}

} // namespace

QJsonObject AppStatus::describeConnection(const AppConnection &connection,
                                          const QList<StoredCredential> &credentials,
                                          const QString &ownerKind)
{
    QList<StoredCredential> mine;
    for (const StoredCredential &credential : credentials) {
        if (credential.connectionId == connection.connectionId) {
            mine.append(credential);
        }
    }
    State state;
    QString credentialMode;
    QString owner;
    switch (connection.mode()) {
    case ConnectionMode::User:
        state = userState(connection, mine);
        credentialMode = u"subject"_s;
        owner = ownerKind;
        break;
    case ConnectionMode::Platform:
        state = {u"ready"_s, u"configured"_s, u"not_checked"_s, {}};
        credentialMode = u"platform"_s;
        owner = u"platform"_s;
        break;
    case ConnectionMode::None:
    case ConnectionMode::Unspecified:
        state = {u"ready"_s, u"not_required"_s, u"not_applicable"_s, {}};
        credentialMode = u"none"_s;
        owner = u"none"_s;
        break;
    }
    QJsonArray instances;
    for (const StoredCredential &credential : std::as_const(mine)) {
        QJsonObject instance{
            {u"id"_s, credential.instance},
            {u"name"_s,
             credential.displayName.isEmpty() ? credential.instance : credential.displayName},
            {u"connection"_s, connection.name}};
        if (credential.invalid) {
            instance.insert(u"credentialState"_s, u"invalid"_s);
        }
        instances.append(instance);
    }
    QJsonObject json{
        {u"name"_s, connection.name},
        {u"mode"_s,
         connection.mode() == ConnectionMode::User       ? u"user"_s
         : connection.mode() == ConnectionMode::Platform ? u"platform"_s
                                                         : u"none"_s},
        {u"authTypes"_s, QJsonArray::fromStringList(AppConnections::authTypes(connection))},
        {u"connectionParams"_s, connectionParams(connection)},
        {u"credentialFields"_s, credentialFields(connection)},
        {u"status"_s, state.status},
        {u"credentialState"_s, state.credentialState},
        {u"healthState"_s, state.healthState},
        {u"actions"_s, QJsonArray::fromStringList(state.actions)},
        {u"credentialMode"_s, credentialMode},
        {u"ownerKind"_s, owner},
        {u"instances"_s, instances}};
    if (!connection.config.displayName.isEmpty()) {
        json.insert(u"displayName"_s, connection.config.displayName);
    }
    if (!state.statusCode.isEmpty()) {
        json.insert(u"statusCode"_s, state.statusCode);
        json.insert(u"statusReason"_s, state.statusReason);
    }
    return json;
}

QJsonObject AppStatus::describe(const AppDefinition &app,
                                const QList<StoredCredential> &credentials,
                                const QString &ownerKind)
{
    QJsonObject json{{u"name"_s, app.name}, {u"displayName"_s, app.displayName}};
    if (!app.description.isEmpty()) {
        json.insert(u"description"_s, app.description);
    }
    if (!app.iconSvg.isEmpty()) {
        json.insert(u"iconSvg"_s, app.iconSvg);
    }
    QJsonArray connections;
    QJsonObject best{{u"status"_s, u"ready"_s},
                     {u"credentialState"_s, u"not_required"_s},
                     {u"healthState"_s, u"not_applicable"_s},
                     {u"actions"_s, QJsonArray()}};
    bool first = true;
    for (const AppConnection &connection : app.connections) {
        if (connection.exposure == ConnectionExposure::Internal) {
            continue;
        }
        const QJsonObject described = describeConnection(connection, credentials, ownerKind);
        connections.append(described);
        if (first
            || statusRank(described.value(u"status"_s).toString())
                   > statusRank(best.value(u"status"_s).toString())) {
            best = described;
            first = false;
        }
    }
    json.insert(u"connections"_s, connections);
    for (const QString &key : {u"status"_s, u"credentialState"_s, u"healthState"_s, u"actions"_s}) {
        json.insert(key, best.value(key));
    }
    json.insert(u"mcp"_s, app.mcp);
    json.insert(u"operationCount"_s, qint64(app.operations.size()));
    return json;
}

} // namespace Gestalt
