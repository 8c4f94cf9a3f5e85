// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "store/UserRepository.h"

#include "store/Database.h"
#include "store/Transaction.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString selectSql(QStringView where)
{
    return u"SELECT id, email, normalized_email, display_name, created_at, updated_at "
           u"FROM users WHERE "_s
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
    Result<QSqlQuery> insert = transaction.prepare(
        u"INSERT INTO users (id, email, normalized_email, display_name, created_at, updated_at) "
        u"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"_s);
    if (!insert) {
        return insert.error();
    }
    insert->addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
    insert->addBindValue(trimmed);
    insert->addBindValue(normalized);
    insert->addBindValue(textOrNull(displayName.trimmed()));
    insert->addBindValue(SqlDialect::toStorage(now));
    insert->addBindValue(SqlDialect::toStorage(now));
    if (const Result<void> inserted = transaction.exec(*insert, u"insert user"_s); !inserted) {
        return inserted.error();
    }

    Result<QSqlQuery> select = transaction.prepare(selectSql(u"normalized_email = ?"));
    if (!select) {
        return select.error();
    }
    select->addBindValue(normalized);
    if (const Result<void> selected = transaction.exec(*select, u"find user"_s); !selected) {
        return selected.error();
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
    Result<QSqlQuery> query = m_database.prepare(selectSql(where));
    if (!query) {
        return query.error();
    }
    query->addBindValue(value);
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"find user"_s);
    }
    if (!query->next()) {
        return std::optional<User>();
    }
    return std::optional<User>(fromRow(*query));
}

User UserRepository::fromRow(const QSqlQuery &query)
{
    return {query.value(0).toString(),
            query.value(1).toString(),
            query.value(2).toString(),
            query.value(3).toString(),
            SqlDialect::fromStorage(query.value(4)),
            SqlDialect::fromStorage(query.value(5))};
}

} // namespace Gestalt
