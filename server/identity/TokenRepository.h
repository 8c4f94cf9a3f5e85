// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/ApiTokenRecord.h"
#include "shared/Result.h"

#include <QList>

#include <optional>

class QSqlQuery;

namespace Gestalt {

class Database;

// SQL for `api_tokens`. Every call that names a token also names its owner (kind + id), so one
// owner can never see or revoke another's tokens. Expiry is the caller's rule: findByHash() returns
// expired tokens too.
class TokenRepository final
{
public:
    explicit TokenRepository(Database &database);

    // Conflict when the id or the hash exists already; InvalidArgument for a missing id, hash or
    // owner, or an owner kind other than "user" / "subject". An invalid createdAt is taken as now,
    // an invalid updatedAt as createdAt.
    [[nodiscard]] Result<void> insert(const ApiTokenRecord &token);
    [[nodiscard]] Result<std::optional<ApiTokenRecord>> findByHash(const QString &hashedToken);
    // Newest first.
    [[nodiscard]] Result<QList<ApiTokenRecord>> listByOwner(const QString &ownerKind,
                                                            const QString &ownerId);
    // False when the owner has no token with this id.
    [[nodiscard]] Result<bool>
    deleteForOwner(const QString &ownerKind, const QString &ownerId, const QString &id);
    // How many were deleted.
    [[nodiscard]] Result<int> deleteAllForOwner(const QString &ownerKind, const QString &ownerId);

private:
    [[nodiscard]] static ApiTokenRecord fromRow(const QSqlQuery &query);

    Database &m_database;
};

} // namespace Gestalt
