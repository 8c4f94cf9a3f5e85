// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QMap>
#include <QString>

#include <optional>

namespace Gestalt {

// One stored upstream credential, keyed by (subjectId, connectionId, instance). The secret parts
// (accessToken, refreshToken) are sealed at rest with AES-256-GCM bound to that key; never log
// them or put them in responses.
struct StoredCredential
{
    QString id;        // uuid
    QString subjectId; // user:<id>, service_account:<id>, system:platform, system:http_binding:..
    QString connectionId; // AppConnection::connectionId
    QString instance = QStringLiteral("default");

    // Secret: an OAuth access token, or a manual credential (a string, or the JSON object text of
    // named fields).
    QString accessToken;
    QString refreshToken; // secret; empty when none
    QString tokenType;

    QMap<QString, QString> metadata; // connection params (not secret)
    QString externalId;              // discovery candidate id, for duplicate detection
    QString displayName;             // discovery candidate name
    std::optional<QDateTime> expiresAt;
    int refreshErrorCount = 0;
    bool invalid = false; // a refresh failed for good (invalid_grant): the user must reconnect
    QDateTime createdAt;
    QDateTime updatedAt;

    [[nodiscard]] bool canRefresh() const { return !refreshToken.isEmpty(); }
};

} // namespace Gestalt
