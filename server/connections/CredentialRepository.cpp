// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "connections/CredentialRepository.h"

#include "core/Logging.h"
#include "crypto/Base64.h"
#include "crypto/Random.h"
#include "crypto/Sealer.h"
#include "store/Database.h"
#include "store/SqlStatement.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString selectSql(QStringView rest)
{
    return u"SELECT id, subject_id, connection_id, instance, access_token_sealed, "
           u"refresh_token_sealed, token_type, metadata_json, external_id, display_name, "
           u"expires_at, refresh_error_count, invalid, created_at, updated_at FROM credentials "_s
           + rest;
}

// The associated data that binds a sealed token to its row's key.
QByteArray
associatedData(const QString &subjectId, const QString &connectionId, const QString &instance)
{
    return (subjectId + u'\n' + connectionId + u'\n' + instance).toUtf8();
}

QString metadataToStorage(const QMap<QString, QString> &metadata)
{
    QJsonObject object;
    for (auto it = metadata.cbegin(); it != metadata.cend(); ++it) {
        object.insert(it.key(), it.value());
    }
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QMap<QString, QString> metadataFromStorage(const QString &json)
{
    QMap<QString, QString> metadata;
    const QJsonObject object = QJsonDocument::fromJson(json.toUtf8()).object();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        metadata.insert(it.key(), it.value().toString());
    }
    return metadata;
}

// Standard base64 of the sealed token; an empty token is stored as ''.
QString sealToken(const Crypto::Sealer &sealer, const QString &token, const QByteArray &aad)
{
    if (token.isEmpty()) {
        return u""_s;
    }
    return Crypto::base64Encode(sealer.seal(token.toUtf8(), aad));
}

Result<QString>
openToken(const Crypto::Sealer &sealer, const QString &stored, const QByteArray &aad)
{
    if (stored.isEmpty()) {
        return QString();
    }
    const std::optional<QByteArray> sealed = Crypto::base64Decode(stored);
    if (!sealed) {
        return Error::invalid(u"sealed data is invalid"_s);
    }
    const Result<QByteArray> opened = sealer.open(*sealed, aad);
    if (!opened) {
        return opened.error();
    }
    return QString::fromUtf8(*opened);
}

} // namespace

CredentialRepository::CredentialRepository(Database &database, const Crypto::Sealer &sealer)
    : m_database(database)
    , m_sealer(sealer)
{}

Result<void> CredentialRepository::upsert(StoredCredential &credential, const QDateTime &now)
{
    if (credential.subjectId.isEmpty() || credential.connectionId.isEmpty()
        || credential.instance.isEmpty()) {
        return Error::invalid(u"a credential needs a subject, a connection and an instance"_s);
    }
    const QByteArray aad =
        associatedData(credential.subjectId, credential.connectionId, credential.instance);
    // One statement: a reconnect overwrites the row in place (keeping its id and created_at) and
    // clears the refresh state.
    Result<QSqlQuery> query = Sql::run(
        m_database,
        u"INSERT INTO credentials (id, subject_id, connection_id, instance, access_token_sealed, "
        u"refresh_token_sealed, token_type, metadata_json, external_id, display_name, expires_at, "
        u"refresh_error_count, invalid, refresh_lease_owner, refresh_lease_until, created_at, "
        u"updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, FALSE, NULL, NULL, ?, ?) "
        u"ON CONFLICT (subject_id, connection_id, instance) DO UPDATE SET "
        u"access_token_sealed = excluded.access_token_sealed, "
        u"refresh_token_sealed = excluded.refresh_token_sealed, "
        u"token_type = excluded.token_type, metadata_json = excluded.metadata_json, "
        u"external_id = excluded.external_id, display_name = excluded.display_name, "
        u"expires_at = excluded.expires_at, refresh_error_count = 0, invalid = FALSE, "
        u"refresh_lease_owner = NULL, refresh_lease_until = NULL, "
        u"updated_at = excluded.updated_at "
        u"RETURNING id, created_at"_s,
        {Crypto::uuidV4(),
         credential.subjectId,
         credential.connectionId,
         credential.instance,
         sealToken(m_sealer, credential.accessToken, aad),
         sealToken(m_sealer, credential.refreshToken, aad),
         Sql::text(credential.tokenType),
         metadataToStorage(credential.metadata),
         Sql::text(credential.externalId),
         Sql::text(credential.displayName),
         SqlDialect::toStorage(credential.expiresAt),
         SqlDialect::toStorage(now),
         SqlDialect::toStorage(now)},
        u"store credential"_s);
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return Error::internal(u"store credential: no row returned"_s);
    }
    credential.id = query->value(0).toString();
    credential.createdAt = SqlDialect::fromStorage(query->value(1));
    credential.updatedAt = SqlDialect::stored(now);
    credential.refreshErrorCount = 0;
    credential.invalid = false;
    return {};
}

Result<std::optional<StoredCredential>> CredentialRepository::find(const QString &subjectId,
                                                                   const QString &connectionId,
                                                                   const QString &instance)
{
    return findOne(u"WHERE subject_id = ? AND connection_id = ? AND instance = ?"_s,
                   {subjectId, connectionId, instance});
}

Result<std::optional<StoredCredential>> CredentialRepository::findById(const QString &id)
{
    return findOne(u"WHERE id = ?"_s, {id});
}

Result<std::optional<StoredCredential>> CredentialRepository::findOne(const QString &where,
                                                                      const QVariantList &values)
{
    Result<QSqlQuery> query = Sql::run(m_database, selectSql(where), values, u"find credential"_s);
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return std::optional<StoredCredential>();
    }
    Result<StoredCredential> credential = fromRow(*query);
    if (!credential) {
        return credential.error();
    }
    return std::optional<StoredCredential>(std::move(credential).value());
}

Result<QList<StoredCredential>> CredentialRepository::list(const QString &subjectId,
                                                           const QString &connectionId)
{
    const bool oneConnection = !connectionId.isEmpty();
    Result<QSqlQuery> query = Sql::run(
        m_database,
        selectSql(oneConnection ? u"WHERE subject_id = ? AND connection_id = ? "
                                  u"ORDER BY connection_id, instance"
                                : u"WHERE subject_id = ? ORDER BY connection_id, instance"),
        oneConnection ? QVariantList{subjectId, connectionId} : QVariantList{subjectId},
        u"list credentials"_s);
    if (!query) {
        return query.error();
    }
    QList<StoredCredential> credentials;
    while (query->next()) {
        Result<StoredCredential> credential = fromRow(*query);
        if (!credential) {
            return credential.error();
        }
        credentials.append(std::move(credential).value());
    }
    return credentials;
}

Result<bool> CredentialRepository::remove(const QString &id)
{
    Result<QSqlQuery> query = Sql::run(
        m_database, u"DELETE FROM credentials WHERE id = ?"_s, {id}, u"delete credential"_s);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected() > 0;
}

Result<int> CredentialRepository::removeAllForSubject(const QString &subjectId)
{
    Result<QSqlQuery> query = Sql::run(m_database,
                                       u"DELETE FROM credentials WHERE subject_id = ?"_s,
                                       {subjectId},
                                       u"delete credentials"_s);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected();
}

Result<bool> CredentialRepository::claimRefresh(const QString &id,
                                                const QString &owner,
                                                const QDateTime &now,
                                                const QDateTime &leaseUntil)
{
    // Conditional UPDATE: exactly one of several concurrent claimants changes the row.
    Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"UPDATE credentials SET refresh_lease_owner = ?, refresh_lease_until = ? "
                 u"WHERE id = ? AND (refresh_lease_until IS NULL OR refresh_lease_until <= ? "
                 u"OR refresh_lease_owner = ?)"_s,
                 {owner, SqlDialect::toStorage(leaseUntil), id, SqlDialect::toStorage(now), owner},
                 u"claim credential refresh"_s);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected() > 0;
}

Result<void> CredentialRepository::storeRefreshed(const QString &id,
                                                  const QString &accessToken,
                                                  const QString &refreshToken,
                                                  const std::optional<QDateTime> &expiresAt,
                                                  const QDateTime &now)
{
    // The seal is bound to the row's key, which the UPDATE does not change.
    Result<QSqlQuery> key =
        Sql::run(m_database,
                 u"SELECT subject_id, connection_id, instance FROM credentials WHERE id = ?"_s,
                 {id},
                 u"find credential"_s);
    if (!key) {
        return key.error();
    }
    if (!key->next()) {
        return Error::notFound(u"credential not found"_s);
    }
    const QByteArray aad = associatedData(
        key->value(0).toString(), key->value(1).toString(), key->value(2).toString());
    key->finish();

    const bool keepRefreshToken = refreshToken.isEmpty();
    QVariantList values{sealToken(m_sealer, accessToken, aad)};
    if (!keepRefreshToken) {
        values.append(sealToken(m_sealer, refreshToken, aad));
    }
    values << SqlDialect::toStorage(expiresAt) << SqlDialect::toStorage(now) << id;
    Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"UPDATE credentials SET access_token_sealed = ?, "_s
                     + (keepRefreshToken ? u""_s : u"refresh_token_sealed = ?, "_s)
                     + u"expires_at = ?, refresh_error_count = 0, invalid = FALSE, "
                       u"refresh_lease_owner = NULL, refresh_lease_until = NULL, updated_at = ? "
                       u"WHERE id = ?"_s,
                 values,
                 u"store refreshed credential"_s);
    if (!query) {
        return query.error();
    }
    if (query->numRowsAffected() == 0) {
        return Error::notFound(u"credential not found"_s);
    }
    return {};
}

Result<void>
CredentialRepository::recordRefreshFailure(const QString &id, bool terminal, const QDateTime &now)
{
    Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"UPDATE credentials SET refresh_error_count = refresh_error_count + 1, "_s
                     + (terminal ? u"invalid = TRUE, "_s : u""_s)
                     + u"refresh_lease_owner = NULL, refresh_lease_until = NULL, updated_at = ? "
                       u"WHERE id = ?"_s,
                 {SqlDialect::toStorage(now), id},
                 u"record refresh failure"_s);
    if (!query) {
        return query.error();
    }
    if (query->numRowsAffected() == 0) {
        return Error::notFound(u"credential not found"_s);
    }
    return {};
}

Result<StoredCredential> CredentialRepository::fromRow(const QSqlQuery &query) const
{
    StoredCredential credential;
    credential.id = query.value(0).toString();
    credential.subjectId = query.value(1).toString();
    credential.connectionId = query.value(2).toString();
    credential.instance = query.value(3).toString();
    const QByteArray aad =
        associatedData(credential.subjectId, credential.connectionId, credential.instance);
    Result<QString> accessToken = openToken(m_sealer, query.value(4).toString(), aad);
    Result<QString> refreshToken = openToken(m_sealer, query.value(5).toString(), aad);
    if (!accessToken || !refreshToken) {
        qCWarning(lcConnections) << "stored credential" << credential.id
                                 << "does not open: wrong encryption key, or the row was altered";
        return Error::internal(u"stored credential %1 does not open"_s.arg(credential.id));
    }
    credential.accessToken = std::move(accessToken).value();
    credential.refreshToken = std::move(refreshToken).value();
    credential.tokenType = query.value(6).toString();
    credential.metadata = metadataFromStorage(query.value(7).toString());
    credential.externalId = query.value(8).toString();
    credential.displayName = query.value(9).toString();
    credential.expiresAt = SqlDialect::optionalFromStorage(query.value(10));
    credential.refreshErrorCount = query.value(11).toInt();
    credential.invalid = query.value(12).toBool();
    credential.createdAt = SqlDialect::fromStorage(query.value(13));
    credential.updatedAt = SqlDialect::fromStorage(query.value(14));
    return credential;
}

} // namespace Gestalt
