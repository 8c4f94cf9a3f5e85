// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/AccessCheck.h"

#include "authz/Authorizer.h"
#include "catalog/AppDefinition.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// The permission entry naming `app`, or an empty object.
QJsonObject permissionFor(const Principal &principal, const QString &app)
{
    for (const auto &entry : principal.tokenPermissions) {
        QJsonObject object = entry.toObject();
        if (object.value(u"app"_s).toString() == app) {
            return object;
        }
    }
    return {};
}

bool isSystem(const Principal &principal)
{
    return principal.subjectId.startsWith(u"system:"_s);
}

// A hosted HTTP binding acts as system:http_binding:<app>:<binding> on its own app only.
bool isBindingOf(const Principal &principal, const QString &app)
{
    return principal.subjectId.startsWith(u"system:http_binding:"_s + app + u':');
}

// Does the explicit permission set restrict operations for this app (and allow `operation`)?
bool permissionAllowsOperation(const Principal &principal,
                               const QString &app,
                               const QString &operation)
{
    const QJsonArray operations = permissionFor(principal, app).value(u"operations"_s).toArray();
    return operations.isEmpty() || operations.contains(QJsonValue(operation));
}

} // namespace

bool AccessCheck::tokenAllows(const Principal &principal,
                              const QString &app,
                              const QString &operation)
{
    if (!principal.isScopedToken()) {
        return true;
    }
    if (!principal.tokenScopes.isEmpty()) {
        return principal.tokenScopes.split(u' ', Qt::SkipEmptyParts).contains(app);
    }
    return !permissionFor(principal, app).isEmpty()
           && permissionAllowsOperation(principal, app, operation);
}

QJsonValue AccessCheck::tokenCeiling(const Principal &principal)
{
    if (!principal.isScopedToken()) {
        return {QJsonValue::Null};
    }
    if (principal.tokenScopes.isEmpty()) {
        return principal.tokenPermissions;
    }
    QJsonArray ceiling;
    for (const QString &app : principal.tokenScopes.split(u' ', Qt::SkipEmptyParts)) {
        ceiling.append(QJsonObject{{u"app"_s, app}});
    }
    return ceiling;
}

bool AccessCheck::ceilingWithin(const QJsonValue &ceiling, const Principal &principal)
{
    if (!principal.isScopedToken()) {
        return true;
    }
    if (!ceiling.isArray()) {
        return false;
    }
    for (const auto &entry : ceiling.toArray()) {
        const QString app = entry.toObject().value(u"app"_s).toString();
        const QJsonArray operations = entry.toObject().value(u"operations"_s).toArray();
        if (operations.isEmpty()) {
            // The whole app: the caller must hold the whole app too.
            const bool wholeApp =
                principal.tokenScopes.isEmpty()
                    ? !permissionFor(principal, app).isEmpty()
                          && permissionFor(principal, app)
                                 .value(u"operations"_s)
                                 .toArray()
                                 .isEmpty()
                    : principal.tokenScopes.split(u' ', Qt::SkipEmptyParts).contains(app);
            if (!wholeApp) {
                return false;
            }
            continue;
        }
        for (const auto &operation : operations) {
            if (!tokenAllows(principal, app, operation.toString())) {
                return false;
            }
        }
    }
    return true;
}

AccessCheck::AccessCheck(const Authorizer &authorizer)
    : m_authorizer(authorizer)
{}

Result<void> AccessCheck::checkTokenApp(const Principal &principal, const AppDefinition &app) const
{
    if (!principal.tokenScopes.isEmpty()) {
        if (principal.tokenScopes.split(u' ', Qt::SkipEmptyParts).contains(app.name)) {
            return {};
        }
        return Error::forbidden(
            u"token scope denied: the token is not scoped to app \"%1\""_s.arg(app.name));
    }
    if (!permissionFor(principal, app.name).isEmpty()) {
        return {};
    }
    return Error::forbidden(
        u"token scope denied: the token has no permission for app \"%1\""_s.arg(app.name));
}

Result<void> AccessCheck::checkApp(const Principal &principal, const AppDefinition &app) const
{
    if (isSystem(principal)) {
        if (isBindingOf(principal, app.name)) {
            return {};
        }
        return checkTokenApp(principal, app);
    }
    if (principal.isScopedToken()) {
        if (Result<void> scoped = checkTokenApp(principal, app); !scoped) {
            return scoped;
        }
    }
    if (!m_authorizer.appRole(principal, app).allowed()) {
        return Error::forbidden(u"access denied: no role on app \"%1\""_s.arg(app.name));
    }
    return {};
}

Result<void> AccessCheck::checkOperation(const Principal &principal,
                                         const AppDefinition &app,
                                         const Operation &operation) const
{
    if (isSystem(principal)) {
        if (Result<void> appAccess = checkApp(principal, app); !appAccess) {
            return appAccess;
        }
        if (isBindingOf(principal, app.name)
            || permissionAllowsOperation(principal, app.name, operation.id)) {
            return {};
        }
        return Error::forbidden(
            u"access denied: no permission for operation \"%1\" on app \"%2\""_s.arg(operation.id,
                                                                                     app.name));
    }
    if (principal.isScopedToken()) {
        if (Result<void> scoped = checkTokenApp(principal, app); !scoped) {
            return scoped;
        }
        if (principal.tokenScopes.isEmpty()
            && !permissionAllowsOperation(principal, app.name, operation.id)) {
            return Error::forbidden(
                u"token scope denied: the token has no permission for operation \"%1\" on app \"%2\""_s
                    .arg(operation.id, app.name));
        }
    }
    const RoleDecision decision = m_authorizer.appRole(principal, app);
    if (!decision.allowed()) {
        return Error::forbidden(u"access denied: no role on app \"%1\""_s.arg(app.name));
    }
    if (decision.source != RoleDecision::Source::Open && !operation.allowedRoles.isEmpty()
        && !operation.allowedRoles.contains(decision.role)) {
        return Error::forbidden(
            u"access denied: role \"%1\" may not run operation \"%2\" on app \"%3\""_s.arg(
                decision.role, operation.id, app.name));
    }
    return {};
}

} // namespace Gestalt
