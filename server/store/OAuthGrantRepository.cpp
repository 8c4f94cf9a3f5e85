// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "store/OAuthGrantRepository.h"

#include "store/Database.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qint64 purgeAfterMs = 24LL * 3600 * 1000;
const QString columns = u"grant_hash, kind, subject_id, binding_hash, family_id, revoked, "
                        u"created_at, expires_at, consumed_at"_s;

QString orEmpty(const QString &text)
{
    return text.isNull() ? u""_s : text;
}

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
    Result<QSqlQuery> purge =
        m_database.prepare(u"DELETE FROM oauth_grants WHERE expires_at < ?"_s);
    if (!purge) {
        return purge.error();
    }
    purge->addBindValue(SqlDialect::toStorage(now.addMSecs(-purgeAfterMs)));
    if (!purge->exec()) {
        return m_database.dialect().toError(purge->lastError(), u"purge oauth grants"_s);
    }
    Result<QSqlQuery> query = m_database.prepare(
        u"INSERT INTO oauth_grants (grant_hash, kind, subject_id, binding_hash, family_id, "
        u"revoked, created_at, expires_at, consumed_at) VALUES (?, ?, ?, ?, ?, FALSE, ?, ?, NULL)"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(grant.hash);
    query->addBindValue(grant.kind);
    query->addBindValue(orEmpty(grant.subjectId));
    query->addBindValue(orEmpty(grant.bindingHash));
    query->addBindValue(orEmpty(grant.familyId));
    query->addBindValue(SqlDialect::toStorage(grant.createdAt.isValid() ? grant.createdAt : now));
    query->addBindValue(SqlDialect::toStorage(grant.expiresAt));
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"insert oauth grant"_s);
    }
    return {};
}

Result<std::optional<OAuthGrant>> OAuthGrantRepository::find(const QString &hash, QStringView kind)
{
    Result<QSqlQuery> query = m_database.prepare(
        u"SELECT "_s + columns + u" FROM oauth_grants WHERE grant_hash = ? AND kind = ?"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(hash);
    query->addBindValue(kind.toString());
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"find oauth grant"_s);
    }
    if (!query->next()) {
        return std::optional<OAuthGrant>();
    }
    return std::optional<OAuthGrant>(fromRow(*query));
}

Result<std::optional<OAuthGrant>>
OAuthGrantRepository::consume(const QString &hash, QStringView kind, const QDateTime &now)
{
    Result<QSqlQuery> query = m_database.prepare(
        u"UPDATE oauth_grants SET consumed_at = ? WHERE grant_hash = ? AND kind = ? "
        u"AND consumed_at IS NULL AND revoked = FALSE AND expires_at > ? RETURNING "_s
        + columns);
    if (!query) {
        return query.error();
    }
    query->addBindValue(SqlDialect::toStorage(now));
    query->addBindValue(hash);
    query->addBindValue(kind.toString());
    query->addBindValue(SqlDialect::toStorage(now));
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"consume oauth grant"_s);
    }
    if (!query->next()) {
        return std::optional<OAuthGrant>();
    }
    return std::optional<OAuthGrant>(fromRow(*query));
}

Result<int> OAuthGrantRepository::revokeFamily(const QString &familyId)
{
    if (familyId.isEmpty()) {
        return 0;
    }
    Result<QSqlQuery> query =
        m_database.prepare(u"UPDATE oauth_grants SET revoked = TRUE WHERE family_id = ?"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(familyId);
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"revoke oauth grants"_s);
    }
    return query->numRowsAffected();
}

Result<bool> OAuthGrantRepository::familyRevoked(const QString &familyId)
{
    if (familyId.isEmpty()) {
        return false;
    }
    Result<QSqlQuery> query = m_database.prepare(
        u"SELECT 1 FROM oauth_grants WHERE family_id = ? AND revoked = TRUE LIMIT 1"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(familyId);
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"check oauth grants"_s);
    }
    return query->next();
}

} // namespace Gestalt
