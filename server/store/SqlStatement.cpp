// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "store/SqlStatement.h"

#include "store/Database.h"
#include "store/Transaction.h"

#include <QSqlError>

namespace Gestalt::Sql {

namespace {

void bindAll(QSqlQuery &query, const QVariantList &values)
{
    for (const QVariant &value : values) {
        query.addBindValue(value);
    }
}

} // namespace

Result<QSqlQuery>
run(Database &database, const QString &sql, const QVariantList &values, const QString &context)
{
    Result<QSqlQuery> query = database.prepare(sql);
    if (!query) {
        return query.error();
    }
    bindAll(*query, values);
    if (!query->exec()) {
        return database.dialect().toError(query->lastError(), context);
    }
    return query;
}

Result<QSqlQuery> run(Transaction &transaction,
                      const QString &sql,
                      const QVariantList &values,
                      const QString &context)
{
    Result<QSqlQuery> query = transaction.prepare(sql);
    if (!query) {
        return query.error();
    }
    bindAll(*query, values);
    if (const Result<void> done = transaction.exec(*query, context); !done) {
        return done.error();
    }
    return query;
}

} // namespace Gestalt::Sql
