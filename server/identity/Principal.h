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
        None,      // no authentication provider: the anonymous local user
        Session,   // session_token cookie
        ApiToken,  // Authorization: Bearer gst_api_...
    };

    QString subjectId;   // canonical: user:<uuid>, service_account:<id>, system:<name>
    QString userId;      // set for users
    QString email;
    QString displayName;
    Source source = Source::None;

    // API-token callers only.
    QString tokenId;
    QString tokenOwnerKind;  // "user" | "subject"
    QString tokenScopes;     // space separated app names (older form)
    QJsonArray tokenPermissions;  // [{app, operations?}], empty = unscoped

    [[nodiscard]] bool isUser() const { return subjectId.startsWith(QStringLiteral("user:")); }
    [[nodiscard]] bool isScopedToken() const
    {
        return source == Source::ApiToken && (!tokenScopes.isEmpty() || !tokenPermissions.isEmpty());
    }
};

} // namespace Gestalt
