// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/AppConnections.h"

#include <QJsonValue>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

Result<QString> selectorValue(const QJsonValue &value, const QString &key)
{
    if (value.isUndefined() || value.isNull()) {
        return QString();
    }
    if (!value.isString()) {
        return Error::invalid(u"%1 must be a string"_s.arg(key));
    }
    return value.toString();
}

Result<QString> mergeSelector(const QString &fromQuery,
                              const QJsonValue &fromBody,
                              const QString &key,
                              const QRegularExpression &pattern)
{
    Result<QString> body = selectorValue(fromBody, key);
    if (!body) {
        return body;
    }
    if (!fromQuery.isEmpty() && !body->isEmpty() && fromQuery != *body) {
        return Error::invalid(u"%1 differs between the query string and the body"_s.arg(key));
    }
    const QString value = fromQuery.isEmpty() ? *body : fromQuery;
    if (!value.isEmpty() && !pattern.match(value).hasMatch()) {
        return Error::invalid(u"invalid %1 \"%2\""_s.arg(key, value));
    }
    return value;
}

} // namespace

Result<Selectors>
Selectors::take(QJsonObject &params, const QString &queryConnection, const QString &queryInstance)
{
    static const QRegularExpression connectionPattern(u"^[a-zA-Z0-9._-]+$"_s);
    static const QRegularExpression instancePattern(u"^[a-zA-Z0-9._ -]+$"_s);
    Result<QString> connection = mergeSelector(
        queryConnection, params.take(u"_connection"_s), u"_connection"_s, connectionPattern);
    if (!connection) {
        return connection.error();
    }
    Result<QString> instance =
        mergeSelector(queryInstance, params.take(u"_instance"_s), u"_instance"_s, instancePattern);
    if (!instance) {
        return instance.error();
    }
    return Selectors{*connection, *instance};
}

Result<const AppConnection *> AppConnections::resolve(const AppDefinition &app,
                                                      const Operation *operation,
                                                      const QString &requested)
{
    QString name;
    if (operation && !operation->connection.isEmpty()) {
        if (!requested.isEmpty() && requested != operation->connection) {
            return Error::invalid(
                u"operation \"%1\" on integration \"%2\" uses connection \"%3\"; omit the "
                "connection override or set it to \"%3\""_s.arg(
                    operation->id, app.name, operation->connection));
        }
        name = operation->connection;
    } else if (!requested.isEmpty()) {
        name = requested;
    } else {
        name = app.defaultConnection;
    }
    if (name.isEmpty()) {
        if (app.connections.isEmpty()) {
            return nullptr;
        }
        return Error::invalid(
            u"integration \"%1\" requires an explicit connection (_connection)"_s.arg(app.name));
    }
    const AppConnection *connection = app.connection(name);
    if (!connection) {
        return Error::invalid(
            u"integration \"%1\" has no connection \"%2\""_s.arg(app.name, requested));
    }
    if (connection->exposure == ConnectionExposure::Internal) {
        return Error::forbidden(u"operation access denied"_s);
    }
    return connection;
}

QStringList AppConnections::authTypes(const AppConnection &connection)
{
    if (connection.mode() != ConnectionMode::User || !connection.config.auth) {
        return {};
    }
    const AuthConfig &auth = *connection.config.auth;
    switch (auth.type) {
    case AuthType::OAuth2:
    case AuthType::McpOAuth:
        // "oauth" only when there is something to run the flow against.
        if (!auth.authorizationUrl.isEmpty() && !auth.tokenUrl.isEmpty()) {
            return {u"oauth"_s};
        }
        return {};
    case AuthType::Manual:
    case AuthType::Bearer:
        return {u"manual"_s};
    case AuthType::None:
        break;
    }
    return {};
}

QString AppConnections::interpolate(const QString &text, const QMap<QString, QString> &values)
{
    if (values.isEmpty() || !text.contains(u'{')) {
        return text;
    }
    QString out;
    qsizetype i = 0;
    while (i < text.size()) {
        const qsizetype open = text.indexOf(u'{', i);
        const qsizetype close = open < 0 ? -1 : text.indexOf(u'}', open + 1);
        if (open < 0 || close < 0) {
            out += QStringView(text).mid(i);
            break;
        }
        out += QStringView(text).mid(i, open - i);
        const QString key = text.mid(open + 1, close - open - 1);
        const auto it = values.constFind(key);
        if (it != values.cend() && !key.contains(u'{')) {
            out += it.value();
            i = close + 1;
        } else {
            // Unknown: keep the '{' and rescan after it (the key may hide a nested '{').
            out += u'{';
            i = open + 1;
        }
    }
    return out;
}

} // namespace Gestalt
