// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/OAuthGrantRepository.h"

#include "store/Database.h"
#include "store/SqlStatement.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qint64 purgeAfterMs = 24LL * 3600 * 1000;
const QString columns = u"grant_hash, kind, subject_id, binding_hash, family_id, revoked, "
                        u"created_at, expires_at, consumed_at"_s;

OAuthGrant fromRow(const QSqlQuery &query)
{
    OAuthGrant grant;
    grant.hash = query.value(0).toString();
    grant.kind = query.value(1).toString();
    grant.subjectId = query.value(2).toString();
    grant.bindingHash = query.value(3).toString();
    grant.familyId = query.value(4).toString();
    grant.revoked = query.value(5).toBool();
    grant.createdAt = SqlDialect::fromStorage(query.value(6));
    grant.expiresAt = SqlDialect::fromStorage(query.value(7));
    grant.consumedAt = SqlDialect::optionalFromStorage(query.value(8));
    return grant;
}

} // namespace

OAuthGrantRepository::OAuthGrantRepository(Database &database)
    : m_database(database)
{}

Result<void> OAuthGrantRepository::insert(const OAuthGrant &grant, const QDateTime &now)
{
    if (grant.hash.isEmpty() || grant.kind.isEmpty() || !grant.expiresAt.isValid()) {
        return Error::invalid(u"an oauth grant needs a hash, a kind and an expiry"_s);
    }
    const Result<QSqlQuery> purge = Sql::run(m_database,
                                             u"DELETE FROM oauth_grants WHERE expires_at < ?"_s,
                                             {SqlDialect::toStorage(now.addMSecs(-purgeAfterMs))},
                                             u"purge oauth grants"_s);
    if (!purge) {
        return purge.error();
    }
    const Result<QSqlQuery> query = Sql::run(
        m_database,
        u"INSERT INTO oauth_grants (grant_hash, kind, subject_id, binding_hash, family_id, "
        u"revoked, created_at, expires_at, consumed_at) VALUES (?, ?, ?, ?, ?, FALSE, ?, ?, NULL)"_s,
        {grant.hash,
         grant.kind,
         Sql::text(grant.subjectId),
         Sql::text(grant.bindingHash),
         Sql::text(grant.familyId),
         SqlDialect::toStorage(grant.createdAt.isValid() ? grant.createdAt : now),
         SqlDialect::toStorage(grant.expiresAt)},
        u"insert oauth grant"_s);
    if (!query) {
        return query.error();
    }
    return {};
}

Result<std::optional<OAuthGrant>> OAuthGrantRepository::find(const QString &hash, QStringView kind)
{
    return Sql::first(
        Sql::run(m_database,
                 u"SELECT "_s + columns + u" FROM oauth_grants WHERE grant_hash = ? AND kind = ?"_s,
                 {hash, kind.toString()},
                 u"find oauth grant"_s),
        fromRow);
}

Result<std::optional<OAuthGrant>>
OAuthGrantRepository::consume(const QString &hash, QStringView kind, const QDateTime &now)
{
    return Sql::first(
        Sql::run(m_database,
                 u"UPDATE oauth_grants SET consumed_at = ? WHERE grant_hash = ? AND kind = ? "
                 u"AND consumed_at IS NULL AND revoked = FALSE AND expires_at > ? RETURNING "_s
                     + columns,
                 {SqlDialect::toStorage(now), hash, kind.toString(), SqlDialect::toStorage(now)},
                 u"consume oauth grant"_s),
        fromRow);
}

Result<int> OAuthGrantRepository::revokeFamily(const QString &familyId)
{
    if (familyId.isEmpty()) {
        return 0;
    }
    const Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"UPDATE oauth_grants SET revoked = TRUE WHERE family_id = ?"_s,
                 {familyId},
                 u"revoke oauth grants"_s);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected();
}

Result<bool> OAuthGrantRepository::familyRevoked(const QString &familyId)
{
    if (familyId.isEmpty()) {
        return false;
    }
    Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"SELECT 1 FROM oauth_grants WHERE family_id = ? AND revoked = TRUE LIMIT 1"_s,
                 {familyId},
                 u"check oauth grants"_s);
    if (!query) {
        return query.error();
    }
    return query->next();
}

} // namespace Gestalt
