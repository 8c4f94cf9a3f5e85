// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "store/Transaction.h"

#include "core/Logging.h"
#include "store/Database.h"

#include <QSqlError>

using namespace Qt::StringLiterals;

namespace Gestalt {

Transaction::Transaction(Database &database)
    : m_database(database)
{
    Result<QSqlDatabase> connection = database.openConnection();
    if (!connection) {
        m_error = connection.error();
        return;
    }
    m_connection = *connection;
    QSqlQuery begin(m_connection);
    if (!begin.exec(database.dialect().beginTransactionSql())) {
        m_error = database.dialect().toError(begin.lastError(), u"begin transaction"_s);
        return;
    }
    m_active = true;
}

Transaction::~Transaction()
{
    rollback();
}

Result<QSqlQuery> Transaction::prepare(const QString &sql)
{
    if (const std::optional<Error> error = checkUsable()) {
        return *error;
    }
    QSqlQuery query(m_connection);
    if (!query.prepare(sql)) {
        return fail(query.lastError(), u"prepare "_s + sql.simplified().left(60));
    }
    return query;
}

Result<void> Transaction::exec(QSqlQuery &query, const QString &context)
{
    if (const std::optional<Error> error = checkUsable()) {
        return *error;
    }
    if (!query.exec()) {
        return fail(query.lastError(), context);
    }
    return {};
}

Result<void> Transaction::exec(const QString &sql, const QString &context)
{
    if (const std::optional<Error> error = checkUsable()) {
        return *error;
    }
    QSqlQuery query(m_connection);
    if (!query.exec(sql)) {
        return fail(query.lastError(), context);
    }
    return {};
}

Result<void> Transaction::commit()
{
    if (const std::optional<Error> error = checkUsable()) {
        return *error;
    }
    if (!m_connection.commit()) {
        Error error = m_database.dialect().toError(m_connection.lastError(), u"commit"_s);
        m_error = error;
        // PostgreSQL ends the transaction on a failed COMMIT; SQLite may keep it open (busy).
        if (m_database.dialect().isPostgres()) {
            m_active = false;
        }
        rollback();
        return error;
    }
    m_active = false;
    return {};
}

void Transaction::rollback()
{
    if (!m_active) {
        return;
    }
    m_active = false;
    // QPSQL warns when asked to roll back on a closed connection; the server discards the
    // transaction with the connection anyway.
    if (!m_connection.isOpen()) {
        return;
    }
    if (!m_connection.rollback()) {
        qCWarning(lcStore).noquote()
            << "rollback failed:" << SqlDialect::describe(m_connection.lastError());
    }
}

Error Transaction::fail(const QSqlError &error, const QString &context)
{
    Error result = m_database.dialect().toError(error, context);
    m_error = result;
    rollback();
    return result;
}

std::optional<Error> Transaction::checkUsable() const
{
    if (m_error) {
        return m_error;
    }
    if (!m_active) {
        return Error::internal(u"the transaction has already ended"_s);
    }
    if (!m_connection.isOpen()) {
        return Error::unavailable(u"datastore unavailable: the connection closed during a "
                                  u"transaction"_s);
    }
    return std::nullopt;
}

} // namespace Gestalt
