// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "store/SqlDialect.h"

#include <QSqlError>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Any 64-bit number works; it only has to be the same in every gestaltd.
constexpr qint64 kMigrationLockKey = 0x6765737461; // "gesta"

// SQLite primary result codes (the low byte of an extended code).
constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;
constexpr int kSqliteCantOpen = 14;
constexpr int kSqliteConstraint = 19;
constexpr int kSqliteConstraintPrimaryKey = 1555;
constexpr int kSqliteConstraintUnique = 2067;

} // namespace

SqlDialect::SqlDialect(DatastoreSettings::Dialect kind)
    : m_kind(kind)
{}

QString SqlDialect::driverName() const
{
    return isPostgres() ? u"QPSQL"_s : u"QSQLITE"_s;
}

QString SqlDialect::migrationsPath() const
{
    return isPostgres() ? u":/migrations/postgresql"_s : u":/migrations/sqlite"_s;
}

QString SqlDialect::beginTransactionSql() const
{
    return isPostgres() ? u"BEGIN"_s : u"BEGIN IMMEDIATE"_s;
}

QString SqlDialect::migrationLockSql() const
{
    return isPostgres() ? u"SELECT pg_advisory_xact_lock(%1)"_s.arg(kMigrationLockKey) : QString();
}

bool SqlDialect::isUniqueViolation(const QSqlError &error) const
{
    const QString code = error.nativeErrorCode();
    if (isPostgres()) {
        return code == u"23505";
    }
    const int sqliteCode = code.toInt();
    if (sqliteCode == kSqliteConstraintUnique || sqliteCode == kSqliteConstraintPrimaryKey) {
        return true;
    }
    // Without extended result codes all constraint failures share code 19.
    return sqliteCode == kSqliteConstraint
           && error.databaseText().startsWith(u"UNIQUE constraint failed"_s);
}

bool SqlDialect::isUnavailable(const QSqlError &error) const
{
    const QString code = error.nativeErrorCode();
    if (isPostgres()) {
        // No SQLSTATE at all: libpq lost the connection before the server answered.
        // 08xxx: connection exceptions; 57P01-57P03: server shutting down or starting.
        return error.type() == QSqlError::ConnectionError || code.isEmpty()
               || code.startsWith(u"08"_s) || code.startsWith(u"57P0"_s);
    }
    // Only the result code counts: QSQLITE types every failed step as a ConnectionError.
    const int primary = code.toInt() & 0xff;
    return primary == kSqliteBusy || primary == kSqliteLocked || primary == kSqliteCantOpen;
}

Error SqlDialect::toError(const QSqlError &error, const QString &context) const
{
    if (isUniqueViolation(error)) {
        return Error::conflict(context + u": already exists"_s);
    }
    if (isUnavailable(error)) {
        return Error::unavailable(u"datastore unavailable: "_s + describe(error));
    }
    return Error::internal(context + u": "_s + describe(error));
}

QString SqlDialect::describe(const QSqlError &error)
{
    const QString text = error.databaseText().isEmpty() ? error.driverText() : error.databaseText();
    QStringList kept;
    const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        const QString trimmed = line.simplified();
        if (!trimmed.isEmpty() && !trimmed.startsWith(u"DETAIL:"_s)) {
            kept.append(trimmed);
        }
    }
    return kept.join(u' ');
}

QVariant SqlDialect::toStorage(const QDateTime &time)
{
    if (!time.isValid()) {
        return QVariant(QMetaType::fromType<qint64>());
    }
    return QVariant::fromValue(time.toMSecsSinceEpoch());
}

QVariant SqlDialect::toStorage(const std::optional<QDateTime> &time)
{
    return toStorage(time.value_or(QDateTime()));
}

QDateTime SqlDialect::fromStorage(const QVariant &value)
{
    if (value.isNull()) {
        return {};
    }
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

std::optional<QDateTime> SqlDialect::optionalFromStorage(const QVariant &value)
{
    if (value.isNull()) {
        return std::nullopt;
    }
    return fromStorage(value);
}

QDateTime SqlDialect::now()
{
    return QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
}

QDateTime SqlDialect::stored(const QDateTime &time)
{
    return fromStorage(toStorage(time));
}

} // namespace Gestalt
