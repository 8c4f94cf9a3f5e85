// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connections/StoredCredential.h"
#include "shared/Result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QVariantList>

#include <optional>

class QSqlQuery;

namespace Gestalt {

class Database;
namespace Crypto {
class Sealer;
}

// SQL for `credentials`. accessToken and refreshToken are sealed (AES-256-GCM) with associated
// data "subjectId\nconnectionId\ninstance", so a row copied onto another key does not open.
// A row whose seal does not open is reported as Internal (logged without the value).
class CredentialRepository final
{
public:
    CredentialRepository(Database &database, const Crypto::Sealer &sealer);

    // Insert or overwrite by (subjectId, connectionId, instance) — a reconnect overwrites and
    // clears invalid/refreshErrorCount. Fills id/createdAt/updatedAt of `credential`.
    [[nodiscard]] Result<void> upsert(StoredCredential &credential, const QDateTime &now);
    [[nodiscard]] Result<std::optional<StoredCredential>>
    find(const QString &subjectId, const QString &connectionId, const QString &instance);
    [[nodiscard]] Result<std::optional<StoredCredential>> findById(const QString &id);
    // Ordered by connectionId, instance. An empty connectionId lists every connection.
    [[nodiscard]] Result<QList<StoredCredential>> list(const QString &subjectId,
                                                       const QString &connectionId = {});
    [[nodiscard]] Result<bool> remove(const QString &id);
    // Every credential of one subject (deleting a managed subject). Returns how many.
    [[nodiscard]] Result<int> removeAllForSubject(const QString &subjectId);

    // Cross-replica single flight for refresh: sets the lease when none is held or the held one
    // expired. True when this caller holds it now.
    [[nodiscard]] Result<bool> claimRefresh(const QString &id,
                                            const QString &owner,
                                            const QDateTime &now,
                                            const QDateTime &leaseUntil);
    // One UPDATE: new tokens (refreshToken kept when the new one is empty), expiry, errors reset,
    // lease released.
    [[nodiscard]] Result<void> storeRefreshed(const QString &id,
                                              const QString &accessToken,
                                              const QString &refreshToken,
                                              const std::optional<QDateTime> &expiresAt,
                                              const QDateTime &now);
    // Counts a failed refresh and releases the lease; `terminal` marks the credential invalid.
    [[nodiscard]] Result<void>
    recordRefreshFailure(const QString &id, bool terminal, const QDateTime &now);

private:
    [[nodiscard]] Result<std::optional<StoredCredential>> findOne(const QString &where,
                                                                  const QVariantList &values);
    [[nodiscard]] Result<StoredCredential> fromRow(const QSqlQuery &query) const;

    Database &m_database;
    const Crypto::Sealer &m_sealer;
};

} // namespace Gestalt
