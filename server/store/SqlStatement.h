// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QList>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include <optional>
#include <type_traits>

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

// The rows of a statement run above, each read by `from` (a row reader: const QSqlQuery & -> T);
// a failed run passes its error on.
template<typename From>
[[nodiscard]] auto all(Result<QSqlQuery> query, From from)
    -> Result<QList<std::invoke_result_t<From, const QSqlQuery &>>>
{
    if (!query) {
        return query.error();
    }
    QList<std::invoke_result_t<From, const QSqlQuery &>> rows;
    while (query->next()) {
        rows.append(from(*query));
    }
    return rows;
}

// The first row read by `from`, or nullopt when there is none.
template<typename From>
[[nodiscard]] auto first(Result<QSqlQuery> query, From from)
    -> Result<std::optional<std::invoke_result_t<From, const QSqlQuery &>>>
{
    using Row = std::invoke_result_t<From, const QSqlQuery &>;
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return std::optional<Row>();
    }
    return std::optional<Row>(from(*query));
}

// A row reader for statements that select one text column (ids).
[[nodiscard]] inline QString firstColumnText(const QSqlQuery &row)
{
    return row.value(0).toString();
}

// The value of a NOT NULL text column for a QString that may be null: '' instead of NULL (a null
// QString binds as SQL NULL).
[[nodiscard]] inline QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

} // namespace Sql
} // namespace Gestalt
