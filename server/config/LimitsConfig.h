// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace Gestalt {

// One limit: at most `requests` calls per `perSeconds` (sliding window) and/or at most
// `concurrent` calls in flight. Either may be unset; a spec with neither limits nothing.
struct LimitSpec
{
    std::optional<qint64> requests;
    qint64 perSeconds = 60;
    std::optional<qint64> concurrent;

    [[nodiscard]] bool isSet() const { return requests.has_value() || concurrent.has_value(); }
};

// server.limits.apps.<app>.operations.<operation>
struct OperationLimits
{
    LimitSpec perSubject;
    LimitSpec total;
};

// server.limits.apps.<app>
struct AppLimits
{
    LimitSpec perSubject; // each caller, this app
    LimitSpec total;      // all callers together
    QMap<QString, OperationLimits> operations;
};

// server.limits.overrides[]: replaces perSubject limits for matching callers (first match wins).
struct LimitOverride
{
    QString role;  // an authorization-policy role on the app; replaces apps.<app>.perSubject
    QString app;   // with role only: restricts the override to this app
    QString token; // an API token id; replaces the top-level perSubject (keyed by the token id)
    LimitSpec perSubject;
};

// server.limits: nothing configured = no limiting and no cost on the invoke path.
struct LimitsConfig
{
    LimitSpec perSubject; // each caller, all apps together
    QMap<QString, AppLimits> apps;
    QList<LimitOverride> overrides;

    [[nodiscard]] bool isConfigured() const
    {
        if (perSubject.isSet()) {
            return true;
        }
        for (const AppLimits &app : apps) {
            if (app.perSubject.isSet() || app.total.isSet()) {
                return true;
            }
            for (const OperationLimits &operation : app.operations) {
                if (operation.perSubject.isSet() || operation.total.isSet()) {
                    return true;
                }
            }
        }
        // Overrides alone: a role override may set an app's perSubject limit.
        return !overrides.isEmpty();
    }
};

} // namespace Gestalt
