// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QString>

#include <optional>

namespace Gestalt {

// A row of `api_tokens`. The token itself is never stored: only the SHA-256 hex of it.
struct ApiTokenRecord
{
    QString id;
    QString ownerKind; // "user" or "subject"
    QString ownerId;   // user id, or the managed subject's id
    QString credentialSubjectId;
    QString name;
    QString hashedToken; // SHA-256 hex of the plaintext token; unique
    QString scopes;      // space-separated plugin names; empty for none
    // [{plugin, operations?, actions?}]; empty is stored as NULL. No scopes and no permissions:
    // the token is unscoped (every plugin).
    QJsonArray permissions;
    std::optional<QDateTime> expiresAt; // UTC; nullopt = never expires
    QDateTime createdAt;                // UTC
    QDateTime updatedAt;                // UTC
};

} // namespace Gestalt
