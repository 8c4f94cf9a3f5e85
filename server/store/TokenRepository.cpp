// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "store/TokenRepository.h"

#include "store/Database.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString selectSql(QStringView rest)
{
    return u"SELECT id, owner_kind, owner_id, credential_subject_id, name, hashed_token, scopes, "
           u"permissions_json, expires_at, created_at, updated_at FROM api_tokens "_s
           + rest;
}

// QtSql binds a null QString as NULL; these columns are NOT NULL and take '' instead.
QString orEmpty(const QString &text)
{
    return text.isNull() ? u""_s : text;
}

QVariant permissionsToStorage(const QJsonArray &permissions)
{
    if (permissions.isEmpty()) {
        return QVariant(QMetaType::fromType<QString>());
    }
    return QString::fromUtf8(QJsonDocument(permissions).toJson(QJsonDocument::Compact));
}

QJsonArray permissionsFromStorage(const QVariant &value)
{
    if (value.isNull()) {
        return {};
    }
    return QJsonDocument::fromJson(value.toString().toUtf8()).array();
}

} // namespace

TokenRepository::TokenRepository(Database &database)
    : m_database(database)
{}

Result<void> TokenRepository::insert(const ApiTokenRecord &token)
{
    if (token.id.isEmpty() || token.hashedToken.isEmpty() || token.ownerId.isEmpty()) {
        return Error::invalid(u"an api token needs an id, a hash and an owner"_s);
    }
    if (token.ownerKind != u"user" && token.ownerKind != u"subject") {
        return Error::invalid(u"api token owner kind must be 'user' or 'subject'"_s);
    }
    const QDateTime createdAt = token.createdAt.isValid() ? token.createdAt : SqlDialect::now();
    const QDateTime updatedAt = token.updatedAt.isValid() ? token.updatedAt : createdAt;

    Result<QSqlQuery> query = m_database.prepare(
        u"INSERT INTO api_tokens (id, owner_kind, owner_id, credential_subject_id, name, "
        u"hashed_token, scopes, permissions_json, expires_at, created_at, updated_at) "
        u"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(token.id);
    query->addBindValue(token.ownerKind);
    query->addBindValue(token.ownerId);
    query->addBindValue(orEmpty(token.credentialSubjectId));
    query->addBindValue(orEmpty(token.name));
    query->addBindValue(token.hashedToken);
    query->addBindValue(orEmpty(token.scopes));
    query->addBindValue(permissionsToStorage(token.permissions));
    query->addBindValue(SqlDialect::toStorage(token.expiresAt));
    query->addBindValue(SqlDialect::toStorage(createdAt));
    query->addBindValue(SqlDialect::toStorage(updatedAt));
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"api token"_s);
    }
    return {};
}

Result<std::optional<ApiTokenRecord>> TokenRepository::findByHash(const QString &hashedToken)
{
    Result<QSqlQuery> query = m_database.prepare(selectSql(u"WHERE hashed_token = ?"));
    if (!query) {
        return query.error();
    }
    query->addBindValue(hashedToken);
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"find api token"_s);
    }
    if (!query->next()) {
        return std::optional<ApiTokenRecord>();
    }
    return std::optional<ApiTokenRecord>(fromRow(*query));
}

Result<QList<ApiTokenRecord>> TokenRepository::listByOwner(const QString &ownerKind,
                                                           const QString &ownerId)
{
    Result<QSqlQuery> query = m_database.prepare(
        selectSql(u"WHERE owner_kind = ? AND owner_id = ? ORDER BY created_at DESC, id DESC"));
    if (!query) {
        return query.error();
    }
    query->addBindValue(ownerKind);
    query->addBindValue(ownerId);
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"list api tokens"_s);
    }
    QList<ApiTokenRecord> tokens;
    while (query->next()) {
        tokens.append(fromRow(*query));
    }
    return tokens;
}

Result<bool>
TokenRepository::deleteForOwner(const QString &ownerKind, const QString &ownerId, const QString &id)
{
    Result<QSqlQuery> query = m_database.prepare(
        u"DELETE FROM api_tokens WHERE owner_kind = ? AND owner_id = ? AND id = ?"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(ownerKind);
    query->addBindValue(ownerId);
    query->addBindValue(id);
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"delete api token"_s);
    }
    return query->numRowsAffected() > 0;
}

Result<int> TokenRepository::deleteAllForOwner(const QString &ownerKind, const QString &ownerId)
{
    Result<QSqlQuery> query =
        m_database.prepare(u"DELETE FROM api_tokens WHERE owner_kind = ? AND owner_id = ?"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(ownerKind);
    query->addBindValue(ownerId);
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"delete api tokens"_s);
    }
    return query->numRowsAffected();
}

ApiTokenRecord TokenRepository::fromRow(const QSqlQuery &query)
{
    return {query.value(0).toString(),
            query.value(1).toString(),
            query.value(2).toString(),
            query.value(3).toString(),
            query.value(4).toString(),
            query.value(5).toString(),
            query.value(6).toString(),
            permissionsFromStorage(query.value(7)),
            SqlDialect::optionalFromStorage(query.value(8)),
            SqlDialect::fromStorage(query.value(9)),
            SqlDialect::fromStorage(query.value(10))};
}

} // namespace Gestalt
