// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "support/TestDatabase.h"

#include "store/SqlDialect.h"

#include <QCoreApplication>
#include <QMutex>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <atomic>
#include <functional>

using namespace Qt::StringLiterals;

namespace Gestalt::Test {

namespace {

const QString kSqlite = u"sqlite"_s;
const QString kPostgres = u"postgresql"_s;

std::atomic<int> g_counter{0};

QMutex g_createdMutex;
QStringList g_created; // guarded by g_createdMutex

// Runs `work` on a short-lived connection to the fixture server's maintenance database.
Result<void> withAdminConnection(const std::function<Result<void>(QSqlQuery &)> &work)
{
    const QString name = u"gestalt-testdb-admin-%1"_s.arg(g_counter.fetch_add(1));
    Result<void> result;
    {
        QSqlDatabase admin = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        admin.setHostName(TestDatabase::postgresSocketDir());
        admin.setDatabaseName(u"postgres"_s);
        admin.setUserName(u"postgres"_s);
        admin.setConnectOptions(u"connect_timeout=5"_s);
        if (admin.open()) {
            QSqlQuery query(admin);
            result = work(query);
        } else {
            result = Error::unavailable(
                u"the PostgreSQL test server is not reachable at %1 (%2). Run the tests through "
                u"ctest, whose postgres_start fixture starts it, or start it with "
                u"tests/support/pg-ctl.sh start $GESTALT_TEST_PG_DIR"_s.arg(
                    TestDatabase::postgresSocketDir(), SqlDialect::describe(admin.lastError())));
        }
    }
    QSqlDatabase::removeDatabase(name);
    return result;
}

} // namespace

QStringList TestDatabase::backends()
{
    return {kSqlite, kPostgres};
}

void TestDatabase::addBackendRows()
{
    QTest::addColumn<QString>("backend");
    for (const QString &backend : backends()) {
        QTest::newRow(qPrintable(backend)) << backend;
    }
}

QString TestDatabase::postgresSocketDir()
{
    QString root = qEnvironmentVariable("GESTALT_TEST_PG_DIR");
    if (root.isEmpty()) {
        root = QStringLiteral(GESTALT_TEST_PG_DIR);
    }
    return root + u"/socket"_s;
}

DatastoreSettings TestDatabase::postgresSettings(const QString &database)
{
    DatastoreSettings settings;
    settings.dialect = DatastoreSettings::Dialect::Postgres;
    settings.pgHost = postgresSocketDir();
    settings.pgDatabase = database;
    settings.pgUser = u"postgres"_s;
    return settings;
}

Result<DatastoreSettings> TestDatabase::create(const QString &backend, QTemporaryDir &dir)
{
    if (backend == kSqlite) {
        if (!dir.isValid()) {
            return Error::internal(u"temporary folder: "_s + dir.errorString());
        }
        return DatastoreSettings::sqliteFile(
            dir.filePath(u"store-%1.db"_s.arg(g_counter.fetch_add(1))));
    }
    if (backend != kPostgres) {
        return Error::invalid(u"unknown test backend '%1'"_s.arg(backend));
    }
    const QString database =
        u"gestalt_test_%1_%2_%3"_s.arg(QString::number(QCoreApplication::applicationPid()),
                                       QString::number(g_counter.fetch_add(1)),
                                       QString::number(QRandomGenerator::global()->generate(), 36));
    const Result<void> created = withAdminConnection([&](QSqlQuery &query) -> Result<void> {
        // Identifiers can't be bound; this name is made of [a-z0-9_] above.
        if (!query.exec(u"CREATE DATABASE "_s + database)) {
            return Error::internal(
                u"CREATE DATABASE %1: %2"_s.arg(database, SqlDialect::describe(query.lastError())));
        }
        return {};
    });
    if (!created) {
        return created.error();
    }
    {
        const QMutexLocker locker(&g_createdMutex);
        g_created.append(database);
    }
    return postgresSettings(database);
}

void TestDatabase::dropAll()
{
    QStringList databases;
    {
        const QMutexLocker locker(&g_createdMutex);
        databases.swap(g_created);
    }
    if (databases.isEmpty()) {
        return;
    }
    const Result<void> dropped = withAdminConnection([&](QSqlQuery &query) -> Result<void> {
        for (const QString &database : std::as_const(databases)) {
            if (!query.exec(u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(database))) {
                return Error::internal(u"DROP DATABASE %1: %2"_s.arg(
                    database, SqlDialect::describe(query.lastError())));
            }
        }
        return {};
    });
    if (!dropped) {
        qWarning().noquote() << "TestDatabase::dropAll:" << dropped.error().message;
    }
}

} // namespace Gestalt::Test
