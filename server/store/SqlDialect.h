// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Error.h"
#include "store/DatastoreSettings.h"

#include <QDateTime>
#include <QString>
#include <QVariant>

#include <optional>

class QSqlError;

namespace Gestalt {

// The one place for what differs between SQLite and PostgreSQL. Repositories write one SQL text
// for both; this class answers the rest.
//
// Timestamps are epoch milliseconds (UTC) in INTEGER (SQLite) / BIGINT (PostgreSQL) columns, on
// both dialects: integers sort and compare the same everywhere, need no time-zone or text-format
// handling, and hold everything a QDateTime keeps (millisecond precision). In C++ they are
// QDateTime in UTC; convert only through toStorage() / fromStorage().
//
// Both dialects accept the same text for what repositories need, so it is not wrapped here:
// `?` placeholders, `INSERT ... ON CONFLICT DO NOTHING`,
// `INSERT ... ON CONFLICT (col) DO UPDATE SET x = excluded.x`, `RETURNING` (SQLite >= 3.35,
// checked when a SQLite database opens) and TRUE/FALSE (SQLite stores 1/0).
class SqlDialect final
{
public:
    explicit SqlDialect(DatastoreSettings::Dialect kind);

    [[nodiscard]] DatastoreSettings::Dialect kind() const { return m_kind; }
    [[nodiscard]] bool isPostgres() const { return m_kind == DatastoreSettings::Dialect::Postgres; }
    // The QtSql driver: QSQLITE or QPSQL.
    [[nodiscard]] QString driverName() const;
    // Folder of the numbered migration files in the resources, e.g. ":/migrations/sqlite".
    [[nodiscard]] QString migrationsPath() const;

    // Starts a write transaction. SQLite takes the write lock at once (BEGIN IMMEDIATE), so
    // concurrent writers wait on the busy timeout instead of failing half-way through.
    [[nodiscard]] QString beginTransactionSql() const;
    // Run first in a migration's transaction: serialises replicas that start together until the
    // transaction ends (pg_advisory_xact_lock). Empty for SQLite, where BEGIN IMMEDIATE does it.
    [[nodiscard]] QString migrationLockSql() const;

    [[nodiscard]] bool isUniqueViolation(const QSqlError &error) const;
    // The server went away, the connection broke or a lock wait timed out: worth a retry later.
    [[nodiscard]] bool isUnavailable(const QSqlError &error) const;
    // Failed statement → Error: unique violation → Conflict, isUnavailable() → Unavailable,
    // anything else → Internal. `context` says what was attempted ("insert api token").
    [[nodiscard]] Error toError(const QSqlError &error, const QString &context) const;
    // The driver's message on one line, without PostgreSQL's DETAIL lines (they quote row values,
    // e.g. a token hash), so it is safe to log.
    [[nodiscard]] static QString describe(const QSqlError &error);

    // Timestamp column value: epoch milliseconds, or NULL for an invalid QDateTime / nullopt.
    [[nodiscard]] static QVariant toStorage(const QDateTime &time);
    [[nodiscard]] static QVariant toStorage(const std::optional<QDateTime> &time);
    // Column value → UTC QDateTime; NULL gives an invalid QDateTime / nullopt.
    [[nodiscard]] static QDateTime fromStorage(const QVariant &value);
    [[nodiscard]] static std::optional<QDateTime> optionalFromStorage(const QVariant &value);
    // Now in UTC, at the precision the store keeps.
    [[nodiscard]] static QDateTime now();
    // A time as it reads back after a round trip through the store (UTC, milliseconds), so a value
    // returned before and after storing compares equal.
    [[nodiscard]] static QDateTime stored(const QDateTime &time);

private:
    DatastoreSettings::Dialect m_kind;
};

} // namespace Gestalt
