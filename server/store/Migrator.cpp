// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "store/Migrator.h"

#include "core/Logging.h"
#include "store/Database.h"
#include "store/Transaction.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlError>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace Gestalt {

Migrator::Migrator(Database &database)
    : m_database(database)
{}

Result<QList<Migrator::Migration>> Migrator::available(const SqlDialect &dialect)
{
    static const QRegularExpression fileName(u"^(\\d+)_([A-Za-z0-9_]+)\\.sql$"_s);
    const QDir folder(dialect.migrationsPath());
    const QStringList files = folder.entryList(QDir::Files, QDir::Name);
    QList<Migration> migrations;
    for (const QString &file : files) {
        const QRegularExpressionMatch match = fileName.match(file);
        if (!match.hasMatch()) {
            return Error::internal(u"migration file %1 is not named NNNN_name.sql"_s.arg(file));
        }
        QFile source(folder.filePath(file));
        if (!source.open(QIODevice::ReadOnly)) {
            return Error::internal(u"cannot read migration %1"_s.arg(source.fileName()));
        }
        migrations.append(
            {match.captured(1).toInt(), match.captured(2), QString::fromUtf8(source.readAll())});
    }
    if (migrations.isEmpty()) {
        return Error::internal(u"no migrations under %1"_s.arg(dialect.migrationsPath()));
    }
    std::sort(migrations.begin(), migrations.end(), [](const Migration &a, const Migration &b) {
        return a.version < b.version;
    });
    for (qsizetype i = 1; i < migrations.size(); ++i) {
        if (migrations.at(i).version == migrations.at(i - 1).version) {
            return Error::internal(
                u"two migrations have version %1"_s.arg(migrations.at(i).version));
        }
    }
    return migrations;
}

QStringList Migrator::splitStatements(const QString &sql)
{
    QStringList statements;
    QString current;
    const auto flush = [&] {
        QString statement = current.trimmed();
        if (statement.endsWith(u';')) {
            statement.chop(1);
        }
        statement = statement.trimmed();
        if (!statement.isEmpty()) {
            statements.append(statement);
        }
        current.clear();
    };
    const QStringList lines = sql.split(u'\n');
    for (const QString &line : lines) {
        const QString trimmed = line.trimmed();
        if (trimmed.startsWith(u"--"_s)) {
            continue;
        }
        current += line + u'\n';
        if (trimmed.endsWith(u';')) {
            flush();
        }
    }
    flush();
    return statements;
}

Result<void> Migrator::migrate()
{
    const Result<QList<Migration>> migrations = available(m_database.dialect());
    if (!migrations) {
        return migrations.error();
    }
    if (const Result<void> created = createVersionTable(); !created) {
        return created.error();
    }
    const Result<QSet<int>> applied = appliedVersions();
    if (!applied) {
        return applied.error();
    }
    const int latest = migrations->constLast().version;
    int current = 0; // none applied yet
    if (!applied->isEmpty()) {
        current = std::numeric_limits<int>::min();
        for (const int version : *applied) {
            current = std::max(current, version);
        }
    }
    if (current > latest) {
        return Error{ErrorCode::Internal,
                     u"database schema version %1 is newer than this gestaltd supports (%2); "
                     u"upgrade gestaltd"_s.arg(current)
                         .arg(latest),
                     u"schema_too_new"_s};
    }
    for (const Migration &migration : *migrations) {
        if (applied->contains(migration.version)) {
            continue;
        }
        if (const Result<void> done = apply(migration); !done) {
            return done.error();
        }
    }
    return {};
}

Result<QSet<int>> Migrator::appliedVersions()
{
    Result<QSqlQuery> query = m_database.prepare(u"SELECT version FROM schema_migrations"_s);
    if (!query) {
        return query.error();
    }
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"read schema_migrations"_s);
    }
    QSet<int> versions;
    while (query->next()) {
        versions.insert(query->value(0).toInt());
    }
    return versions;
}

Result<void> Migrator::createVersionTable()
{
    Transaction transaction(m_database);
    const QString lock = m_database.dialect().migrationLockSql();
    if (!lock.isEmpty()) {
        if (const Result<void> locked = transaction.exec(lock, u"lock migrations"_s); !locked) {
            return locked.error();
        }
    }
    const Result<void> created = transaction.exec(
        u"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        u"name TEXT NOT NULL, applied_at BIGINT NOT NULL)"_s,
        u"create schema_migrations"_s);
    if (!created) {
        return created.error();
    }
    return transaction.commit();
}

Result<void> Migrator::apply(const Migration &migration)
{
    const QString label =
        u"migration %1_%2"_s.arg(migration.version, 4, 10, QChar(u'0')).arg(migration.name);
    Transaction transaction(m_database);
    const QString lock = m_database.dialect().migrationLockSql();
    if (!lock.isEmpty()) {
        if (const Result<void> locked = transaction.exec(lock, u"lock migrations"_s); !locked) {
            return locked.error();
        }
    }
    // Another replica may have applied it while this one waited for the lock.
    {
        Result<QSqlQuery> check =
            transaction.prepare(u"SELECT 1 FROM schema_migrations WHERE version = ?"_s);
        if (!check) {
            return check.error();
        }
        check->addBindValue(migration.version);
        if (const Result<void> checked = transaction.exec(*check, label); !checked) {
            return checked.error();
        }
        const bool alreadyApplied = check->next();
        check->finish();
        if (alreadyApplied) {
            return transaction.commit();
        }
    }
    const QStringList statements = splitStatements(migration.sql);
    for (const QString &statement : statements) {
        if (const Result<void> done = transaction.exec(statement, label); !done) {
            return done.error();
        }
    }
    Result<QSqlQuery> record = transaction.prepare(
        u"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"_s);
    if (!record) {
        return record.error();
    }
    record->addBindValue(migration.version);
    record->addBindValue(migration.name);
    record->addBindValue(SqlDialect::toStorage(SqlDialect::now()));
    if (const Result<void> recorded = transaction.exec(*record, label); !recorded) {
        return recorded.error();
    }
    if (const Result<void> committed = transaction.commit(); !committed) {
        return committed.error();
    }
    qCInfo(lcStore).noquote() << "applied" << label;
    return {};
}

} // namespace Gestalt
