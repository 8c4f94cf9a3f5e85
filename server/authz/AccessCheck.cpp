// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/AccessCheck.h"

#include "apps/AppDefinition.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// The permission entry naming `app`, or an empty object.
QJsonObject permissionFor(const Principal &principal, const QString &app)
{
    for (const QJsonValue &entry : principal.tokenPermissions) {
        const QJsonObject object = entry.toObject();
        if (object.value(u"app"_s).toString() == app) {
            return object;
        }
    }
    return {};
}

} // namespace

Result<void> AccessCheck::checkApp(const Principal &principal, const AppDefinition &app) const
{
    if (!principal.isScopedToken()) {
        return {};
    }
    if (!principal.tokenScopes.isEmpty()) {
        if (principal.tokenScopes.split(u' ', Qt::SkipEmptyParts).contains(app.name)) {
            return {};
        }
        return Error::forbidden(u"token scope denied: the token is not scoped to app \"%1\""_s.arg(
            app.name));
    }
    if (!permissionFor(principal, app.name).isEmpty()) {
        return {};
    }
    return Error::forbidden(
        u"token scope denied: the token has no permission for app \"%1\""_s.arg(app.name));
}

Result<void> AccessCheck::checkOperation(const Principal &principal, const AppDefinition &app,
                                         const Operation &operation) const
{
    if (Result<void> appAccess = checkApp(principal, app); !appAccess) {
        return appAccess;
    }
    if (!principal.isScopedToken() || !principal.tokenScopes.isEmpty()) {
        return {};
    }
    const QJsonArray operations = permissionFor(principal, app.name).value(u"operations"_s).toArray();
    if (operations.isEmpty() || operations.contains(QJsonValue(operation.id))) {
        return {};
    }
    return Error::forbidden(
        u"token scope denied: the token has no permission for operation \"%1\" on app \"%2\""_s
            .arg(operation.id, app.name));
}

} // namespace Gestalt
