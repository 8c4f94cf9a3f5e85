// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/TokenRepository.h"

#include "store/Database.h"
#include "store/SqlStatement.h"

#include <QJsonDocument>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString selectTokens(QStringView rest)
{
    return u"SELECT id, owner_kind, owner_id, credential_subject_id, name, hashed_token, scopes, "
           u"permissions_json, expires_at, created_at, updated_at FROM api_tokens "_s
           + rest;
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

    const Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"INSERT INTO api_tokens (id, owner_kind, owner_id, credential_subject_id, name, "
                 u"hashed_token, scopes, permissions_json, expires_at, created_at, updated_at) "
                 u"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                 {token.id,
                  token.ownerKind,
                  token.ownerId,
                  Sql::text(token.credentialSubjectId),
                  Sql::text(token.name),
                  token.hashedToken,
                  Sql::text(token.scopes),
                  permissionsToStorage(token.permissions),
                  SqlDialect::toStorage(token.expiresAt),
                  SqlDialect::toStorage(createdAt),
                  SqlDialect::toStorage(updatedAt)},
                 u"api token"_s);
    if (!query) {
        return query.error();
    }
    return {};
}

Result<std::optional<ApiTokenRecord>> TokenRepository::findByHash(const QString &hashedToken)
{
    return Sql::first(Sql::run(m_database,
                               selectTokens(u"WHERE hashed_token = ?"),
                               {hashedToken},
                               u"find api token"_s),
                      fromRow);
}

Result<QList<ApiTokenRecord>> TokenRepository::listByOwner(const QString &ownerKind,
                                                           const QString &ownerId)
{
    return Sql::all(
        Sql::run(m_database,
                 selectTokens(
                     u"WHERE owner_kind = ? AND owner_id = ? ORDER BY created_at DESC, id DESC"),
                 {ownerKind, ownerId},
                 u"list api tokens"_s),
        fromRow);
}

Result<bool>
TokenRepository::deleteForOwner(const QString &ownerKind, const QString &ownerId, const QString &id)
{
    const Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"DELETE FROM api_tokens WHERE owner_kind = ? AND owner_id = ? AND id = ?"_s,
                 {ownerKind, ownerId, id},
                 u"delete api token"_s);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected() > 0;
}

Result<int> TokenRepository::deleteAllForOwner(const QString &ownerKind, const QString &ownerId)
{
    const Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"DELETE FROM api_tokens WHERE owner_kind = ? AND owner_id = ?"_s,
                 {ownerKind, ownerId},
                 u"delete api tokens"_s);
    if (!query) {
        return query.error();
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
