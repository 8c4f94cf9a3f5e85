// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <optional>

class QSqlError;

namespace Gestalt {

class Database;

// RAII write transaction on this thread's connection: BEGIN in the constructor (BEGIN IMMEDIATE on
// SQLite), ROLLBACK in the destructor unless commit() succeeded. Not nestable. Destroy it before
// the Database.
//
// Run its statements through prepare() and exec() here. A failed statement aborts the transaction
// on PostgreSQL, so it is rolled back right away on both dialects and later calls, commit()
// included, return that failure. (Rolling back at once also lets QPSQL free its server-side
// prepared statements, which it can't inside an aborted transaction.) If BEGIN fails, the same
// happens with its Error.
class Transaction final
{
public:
    explicit Transaction(Database &database);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    Transaction(Transaction &&) = delete;
    Transaction &operator=(Transaction &&) = delete;

    // Open: BEGIN worked, and neither a failure, commit() nor rollback() ended it.
    [[nodiscard]] bool isActive() const { return m_active; }

    [[nodiscard]] Result<QSqlQuery> prepare(const QString &sql);
    // `context` names the step for the Error ("insert user").
    [[nodiscard]] Result<void> exec(QSqlQuery &query, const QString &context);
    // Unprepared SQL without values (the DDL of migrations).
    [[nodiscard]] Result<void> exec(const QString &sql, const QString &context);
    [[nodiscard]] Result<void> commit();
    // Ends the transaction now, discarding its changes. The destructor does this when needed.
    void rollback();

private:
    [[nodiscard]] Error fail(const QSqlError &error, const QString &context);
    [[nodiscard]] std::optional<Error> checkUsable() const;

    Database &m_database;
    QSqlDatabase m_connection;
    std::optional<Error> m_error;
    bool m_active = false;
};

} // namespace Gestalt
