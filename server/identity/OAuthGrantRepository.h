// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace Gestalt {

class Database;

// One single-use OAuth grant: an app OAuth state, an MCP authorization code or an MCP refresh
// token. Only the SHA-256 of the grant is stored.
struct OAuthGrant
{
    static constexpr QStringView AppState = u"app_state";
    static constexpr QStringView McpCode = u"mcp_code";
    static constexpr QStringView McpRefresh = u"mcp_refresh";

    QString hash;        // SHA-256 hex of the grant (or of its nonce)
    QString kind;        // AppState | McpCode | McpRefresh
    QString subjectId;   // app state: the subject who started the flow; MCP: the user id
    QString bindingHash; // app state: SHA-256 hex of the browser binding cookie
    QString familyId;    // MCP: every code and refresh token of one authorization
    bool revoked = false;
    QDateTime createdAt;
    QDateTime expiresAt;
    std::optional<QDateTime> consumedAt;
};

// SQL for `oauth_grants` (migration 0008). Consuming is one conditional UPDATE, so across
// replicas and restarts exactly one caller gets a grant.
class OAuthGrantRepository final
{
public:
    explicit OAuthGrantRepository(Database &database);

    // Stores a new grant; also deletes grants that expired more than a day before now.
    [[nodiscard]] Result<void> insert(const OAuthGrant &grant, const QDateTime &now);
    [[nodiscard]] Result<std::optional<OAuthGrant>> find(const QString &hash, QStringView kind);
    // Marks the grant used when it is unused, not revoked and not expired at now, and answers it;
    // nullopt for everyone else (used before, by another replica too; revoked; expired; unknown).
    [[nodiscard]] Result<std::optional<OAuthGrant>>
    consume(const QString &hash, QStringView kind, const QDateTime &now);
    // Revokes every grant of the family; answers how many rows it marked.
    [[nodiscard]] Result<int> revokeFamily(const QString &familyId);
    // True when the family was revoked (false for an unknown family).
    [[nodiscard]] Result<bool> familyRevoked(const QString &familyId);

private:
    Database &m_database;
};

} // namespace Gestalt
