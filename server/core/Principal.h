// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QString>

namespace Gestalt {

// Who is calling. Resolved once per request by the identity layer and read by every handler.
struct Principal
{
    enum class Source {
        None,     // no authentication provider: the anonymous local user
        Session,  // session_token cookie
        ApiToken, // Authorization: Bearer gst_api_...
        Workflow, // a workflow run acting for its owner, within the permissions it was given
    };

    QString subjectId; // canonical: user:<uuid>, service_account:<id>, system:<name>
    QString userId;    // set for users
    QString email;
    QString displayName;
    Source source = Source::None;

    // API-token callers and workflow runs only (a run's ceiling is in tokenPermissions).
    QString tokenId;
    QString tokenOwnerKind;      // "user" | "subject"
    QString tokenScopes;         // space separated app names (older form)
    QJsonArray tokenPermissions; // [{app, operations?}], empty = unscoped

    // How the caller authenticated, as audit events and workflow authorities name it: "session",
    // "api_token", "workflow", or "env" (no authentication provider: the anonymous local user).
    [[nodiscard]] QString authSourceName() const
    {
        switch (source) {
        case Source::Session:
            return QStringLiteral("session");
        case Source::ApiToken:
            return QStringLiteral("api_token");
        case Source::Workflow:
            return QStringLiteral("workflow");
        case Source::None:
            break;
        }
        return QStringLiteral("env");
    }

    [[nodiscard]] bool isUser() const { return subjectId.startsWith(QStringLiteral("user:")); }
    [[nodiscard]] bool isScopedToken() const
    {
        // A workflow run is always held to its ceiling, even an empty one.
        return source == Source::Workflow
               || (source == Source::ApiToken
                   && (!tokenScopes.isEmpty() || !tokenPermissions.isEmpty()));
    }
};

} // namespace Gestalt
