// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/AppDefinition.h"
#include "shared/Result.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Gestalt {

// _connection / _instance as the caller gave them (query and/or JSON body).
struct Selectors
{
    QString connection;
    QString instance;

    // Removes `_connection` / `_instance` from `params` (body) and merges them with the query
    // values: 400 when the two disagree, when one is not a string, or when a value has
    // characters outside [a-zA-Z0-9._-] (instance: also spaces).
    [[nodiscard]] static Result<Selectors>
    take(QJsonObject &params, const QString &queryConnection, const QString &queryInstance);
};

// What the catalog says about an app's connections, for invocation, connections and workflows
// alike: the _connection/_instance selectors, which connection a call runs on, which auth types
// users may use, {param} interpolation.
class AppConnections final
{
public:
    // The connection an operation runs on: the operation's pinned connection, else _connection,
    // else the app's default. 400 when _connection conflicts with a pinned one or names none of
    // the app's; 403 for internal connections; 400 when the app has several and none applies.
    // `operation` may be null (no operation: the app's default applies).
    [[nodiscard]] static Result<const AppConnection *>
    resolve(const AppDefinition &app, const Operation *operation, const QString &requested);

    // "oauth" and/or "manual", as the connection accepts them from users.
    [[nodiscard]] static QStringList authTypes(const AppConnection &connection);

    // "{key}" placeholders replaced from `values`; unknown ones left verbatim.
    [[nodiscard]] static QString interpolate(const QString &text,
                                             const QMap<QString, QString> &values);
};

} // namespace Gestalt
