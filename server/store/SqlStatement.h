// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QSqlQuery>
#include <QString>
#include <QVariantList>

namespace Gestalt {

class Database;
class Transaction;

// The one way a repository runs SQL: prepare `sql`, bind `values` to its `?` placeholders in
// order, execute, and turn a failure into an Error that names the step (`context`, e.g.
// "insert workflow run"). The answer is the executed query, positioned before its first row.
//
// In a Transaction the statement goes through Transaction::prepare()/exec(), so a failure rolls the
// transaction back at once (see Transaction). On a Database it runs on this thread's connection,
// outside any transaction. Both map driver errors through the dialect (SqlDialect::toError): a
// unique violation is a Conflict, an unreachable server Unavailable, and so on.
namespace Sql {

[[nodiscard]] Result<QSqlQuery>
run(Database &database, const QString &sql, const QVariantList &values, const QString &context);
[[nodiscard]] Result<QSqlQuery> run(Transaction &transaction,
                                    const QString &sql,
                                    const QVariantList &values,
                                    const QString &context);

// The value of a NOT NULL text column for a QString that may be null: '' instead of NULL (a null
// QString binds as SQL NULL).
[[nodiscard]] inline QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

} // namespace Sql
} // namespace Gestalt
