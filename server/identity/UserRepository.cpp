// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/UserRepository.h"

#include "store/Database.h"
#include "store/SqlStatement.h"
#include "store/Transaction.h"

#include <QByteArray>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString selectUsers(QStringView where)
{
    return u"SELECT id, email, normalized_email, display_name, created_at, updated_at, "
           u"disabled_at FROM users WHERE "_s
           + where;
}

QVariant textOrNull(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

} // namespace

UserRepository::UserRepository(Database &database)
    : m_database(database)
{}

QString UserRepository::normalizeEmail(const QString &email)
{
    return email.trimmed().toLower();
}

Result<User> UserRepository::findOrCreateByEmail(const QString &email, const QString &displayName)
{
    const QString trimmed = email.trimmed();
    if (trimmed.isEmpty()) {
        return Error::invalid(u"email is required"_s);
    }
    const QString normalized = normalizeEmail(trimmed);
    const QDateTime now = SqlDialect::now();

    Transaction transaction(m_database);
    const Result<QSqlQuery> insert = Sql::run(
        transaction,
        u"INSERT INTO users (id, email, normalized_email, display_name, created_at, updated_at) "
        u"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"_s,
        {QUuid::createUuid().toString(QUuid::WithoutBraces),
         trimmed,
         normalized,
         textOrNull(displayName.trimmed()),
         SqlDialect::toStorage(now),
         SqlDialect::toStorage(now)},
        u"insert user"_s);
    if (!insert) {
        return insert.error();
    }

    Result<QSqlQuery> select =
        Sql::run(transaction, selectUsers(u"normalized_email = ?"), {normalized}, u"find user"_s);
    if (!select) {
        return select.error();
    }
    if (!select->next()) {
        return Error::internal(u"find user: no row after insert-or-ignore"_s);
    }
    User user = fromRow(*select);
    select->finish();
    if (const Result<void> committed = transaction.commit(); !committed) {
        return committed.error();
    }
    return user;
}

Result<std::optional<User>> UserRepository::findById(const QString &id)
{
    return findOne(u"id = ?", id);
}

Result<std::optional<User>> UserRepository::findByEmail(const QString &email)
{
    return findOne(u"normalized_email = ?", normalizeEmail(email));
}

Result<std::optional<User>> UserRepository::findOne(QStringView where, const QString &value)
{
    return Sql::first(Sql::run(m_database, selectUsers(where), {value}, u"find user"_s), fromRow);
}

Result<UserPage> UserRepository::list(int pageSize, const QString &pageToken)
{
    QString after;
    if (!pageToken.isEmpty()) {
        const auto decoded = QByteArray::fromBase64Encoding(
            pageToken.toLatin1(),
            QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals
                | QByteArray::AbortOnBase64DecodingErrors);
        after = decoded ? QString::fromUtf8(*decoded) : QString();
        if (after.isEmpty()) {
            return Error::invalid(u"invalid pageToken"_s);
        }
    }
    QVariantList values;
    if (!after.isEmpty()) {
        values.append(after);
    }
    values.append(pageSize + 1);
    Result<QSqlQuery> query =
        Sql::run(m_database,
                 selectUsers(after.isEmpty() ? u"1 = 1" : u"normalized_email > ?")
                     + u" ORDER BY normalized_email LIMIT ?"_s,
                 values,
                 u"list users"_s);
    if (!query) {
        return query.error();
    }
    UserPage page;
    while (query->next()) {
        if (page.users.size() == pageSize) {
            page.nextPageToken =
                QString::fromLatin1(page.users.constLast().normalizedEmail.toUtf8().toBase64(
                    QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
            break;
        }
        page.users.append(fromRow(*query));
    }
    return page;
}

Result<bool> UserRepository::setDisabledAt(const QString &id,
                                           const std::optional<QDateTime> &disabledAt)
{
    const Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?"_s,
                 {SqlDialect::toStorage(disabledAt), SqlDialect::toStorage(SqlDialect::now()), id},
                 u"disable user"_s);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected() > 0;
}

User UserRepository::fromRow(const QSqlQuery &query)
{
    return {query.value(0).toString(),
            query.value(1).toString(),
            query.value(2).toString(),
            query.value(3).toString(),
            SqlDialect::fromStorage(query.value(4)),
            SqlDialect::fromStorage(query.value(5)),
            SqlDialect::optionalFromStorage(query.value(6))};
}

} // namespace Gestalt
