// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// store/SqlStatement: the one prepare/bind/exec path, on SQLite and PostgreSQL, in and out of a
// transaction, including its failures.
#include "store/Database.h"
#include "store/SqlStatement.h"
#include "store/Transaction.h"
#include "support/TestDatabase.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using Gestalt::Test::TestDatabase;

class tst_SqlStatement : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup();
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void bindsValuesInOrderAndReturnsTheRows();
    void allAndFirstReadRowsAndPassErrorsOn();
    void nullTextBindsAsEmptyNotNull();
    void uniqueViolationIsAConflictNamingTheStep();
    void badSqlIsAnErrorNotACrash();
    void tooFewValuesIsAnError();
    void failureInATransactionRollsItBack();
    void committedTransactionKeepsItsRows();

private:
    [[nodiscard]] qint64 count();

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_database;
};

void tst_SqlStatement::init()
{
    QFETCH_GLOBAL(QString, backend);
    QVERIFY(m_dir.isValid());
    const Result<DatastoreSettings> settings = TestDatabase::create(backend, m_dir);
    QVERIFY2(settings, settings ? "" : qPrintable(settings.error().message));
    Result<std::unique_ptr<Database>> opened = Database::open(*settings);
    QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
    m_database = std::move(opened).value();
    Transaction ddl(*m_database);
    QVERIFY(ddl.exec(u"CREATE TABLE sql_probe (name TEXT NOT NULL UNIQUE, note TEXT NOT NULL, "
                     "n INTEGER)"_s,
                     u"create sql_probe"_s)
                .hasValue());
    QVERIFY(ddl.commit().hasValue());
}

void tst_SqlStatement::cleanup()
{
    m_database.reset();
}

qint64 tst_SqlStatement::count()
{
    Result<QSqlQuery> query =
        Sql::run(*m_database, u"SELECT COUNT(*) FROM sql_probe"_s, {}, u"count probes"_s);
    if (!query || !query->next()) {
        return -1;
    }
    return query->value(0).toLongLong();
}

void tst_SqlStatement::bindsValuesInOrderAndReturnsTheRows()
{
    for (int i = 0; i < 3; ++i) {
        const Result<QSqlQuery> insert =
            Sql::run(*m_database,
                     u"INSERT INTO sql_probe (name, note, n) VALUES (?, ?, ?)"_s,
                     {u"p%1"_s.arg(i), u"note %1"_s.arg(i), i * 10},
                     u"insert probe"_s);
        QVERIFY2(insert, insert ? "" : qPrintable(insert.error().message));
    }
    Result<QSqlQuery> rows =
        Sql::run(*m_database,
                 u"SELECT name, note, n FROM sql_probe WHERE n >= ? ORDER BY n"_s,
                 {10},
                 u"list probes"_s);
    QVERIFY(rows);
    QStringList seen;
    while (rows->next()) {
        seen << rows->value(0).toString() + u'|' + rows->value(1).toString() + u'|'
                    + QString::number(rows->value(2).toInt());
    }
    QCOMPARE(seen, (QStringList{u"p1|note 1|10"_s, u"p2|note 2|20"_s}));
}

void tst_SqlStatement::allAndFirstReadRowsAndPassErrorsOn()
{
    for (int i = 0; i < 3; ++i) {
        QVERIFY(Sql::run(*m_database,
                         u"INSERT INTO sql_probe (name, note, n) VALUES (?, ?, ?)"_s,
                         {u"p%1"_s.arg(i), u"note"_s, i},
                         u"insert probe"_s));
    }
    const QString select = u"SELECT name FROM sql_probe WHERE n >= ? ORDER BY n"_s;
    const Result<QList<QString>> all =
        Sql::all(Sql::run(*m_database, select, {1}, u"list probes"_s), Sql::firstColumnText);
    QVERIFY(all);
    QCOMPARE(*all, (QList<QString>{u"p1"_s, u"p2"_s}));
    const Result<QList<QString>> none =
        Sql::all(Sql::run(*m_database, select, {9}, u"list probes"_s), Sql::firstColumnText);
    QVERIFY(none);
    QVERIFY(none->isEmpty());

    const Result<std::optional<QString>> first =
        Sql::first(Sql::run(*m_database, select, {0}, u"find probe"_s), Sql::firstColumnText);
    QVERIFY(first);
    QCOMPARE(first->value_or(QString()), u"p0"_s);
    const Result<std::optional<QString>> missing =
        Sql::first(Sql::run(*m_database, select, {9}, u"find probe"_s), Sql::firstColumnText);
    QVERIFY(missing);
    QVERIFY(!missing->has_value());

    // A failed statement is the answer, not an empty list.
    const Result<QList<QString>> bad =
        Sql::all(Sql::run(*m_database, u"SELEC name FRM sql_probe"_s, {}, u"list probes"_s),
                 Sql::firstColumnText);
    QVERIFY(!bad);
    QVERIFY(!bad.error().message.isEmpty());
    QVERIFY(!Sql::first(Sql::run(*m_database, u"SELEC 1"_s, {}, u"find probe"_s),
                        Sql::firstColumnText));
}

void tst_SqlStatement::nullTextBindsAsEmptyNotNull()
{
    // A null QString binds as SQL NULL, which the NOT NULL column refuses ...
    const Result<QSqlQuery> refused =
        Sql::run(*m_database,
                 u"INSERT INTO sql_probe (name, note) VALUES (?, ?)"_s,
                 {u"a"_s, QString()},
                 u"insert probe"_s);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Internal);
    // ... and Sql::text() makes it the empty text.
    const Result<QSqlQuery> stored = Sql::run(*m_database,
                                              u"INSERT INTO sql_probe (name, note) VALUES (?, ?)"_s,
                                              {u"a"_s, Sql::text(QString())},
                                              u"insert probe"_s);
    QVERIFY2(stored, stored ? "" : qPrintable(stored.error().message));
    Result<QSqlQuery> row = Sql::run(
        *m_database, u"SELECT note FROM sql_probe WHERE name = ?"_s, {u"a"_s}, u"find probe"_s);
    QVERIFY(row && row->next());
    QVERIFY(!row->value(0).isNull());
    QCOMPARE(row->value(0).toString(), QString());
    QCOMPARE(Sql::text(u"kept"_s), u"kept"_s);
}

void tst_SqlStatement::uniqueViolationIsAConflictNamingTheStep()
{
    const QString insert = u"INSERT INTO sql_probe (name, note) VALUES (?, ?)"_s;
    QVERIFY(Sql::run(*m_database, insert, {u"dup"_s, u"x"_s}, u"insert probe"_s));
    const Result<QSqlQuery> again =
        Sql::run(*m_database, insert, {u"dup"_s, u"y"_s}, u"insert probe"_s);
    QVERIFY(!again);
    QCOMPARE(again.error().code, ErrorCode::Conflict);
    QVERIFY2(again.error().message.startsWith(u"insert probe"_s),
             qPrintable(again.error().message));
    QCOMPARE(count(), 1);
}

void tst_SqlStatement::badSqlIsAnErrorNotACrash()
{
    const Result<QSqlQuery> bad =
        Sql::run(*m_database, u"SELEC name FRM sql_probe"_s, {}, u"list probes"_s);
    QVERIFY(!bad);
    QVERIFY(!bad.error().message.isEmpty());
    Transaction transaction(*m_database);
    const Result<QSqlQuery> inTransaction =
        Sql::run(transaction, u"SELEC name FRM sql_probe"_s, {}, u"list probes"_s);
    QVERIFY(!inTransaction);
    QVERIFY(!transaction.isActive());
}

void tst_SqlStatement::tooFewValuesIsAnError()
{
    const Result<QSqlQuery> missing =
        Sql::run(*m_database,
                 u"INSERT INTO sql_probe (name, note) VALUES (?, ?)"_s,
                 {u"only-one"_s},
                 u"insert probe"_s);
    QVERIFY(!missing);
    QCOMPARE(count(), 0);
}

void tst_SqlStatement::failureInATransactionRollsItBack()
{
    const QString insert = u"INSERT INTO sql_probe (name, note) VALUES (?, ?)"_s;
    {
        Transaction transaction(*m_database);
        QVERIFY(Sql::run(transaction, insert, {u"first"_s, u"x"_s}, u"insert probe"_s));
        const Result<QSqlQuery> dup =
            Sql::run(transaction, insert, {u"first"_s, u"y"_s}, u"insert probe"_s);
        QVERIFY(!dup);
        QCOMPARE(dup.error().code, ErrorCode::Conflict);
        // The transaction is over: later statements and commit() report that failure.
        const Result<QSqlQuery> later =
            Sql::run(transaction, insert, {u"second"_s, u"z"_s}, u"insert probe"_s);
        QVERIFY(!later);
        QVERIFY(!transaction.commit());
    }
    QCOMPARE(count(), 0);
}

void tst_SqlStatement::committedTransactionKeepsItsRows()
{
    {
        Transaction transaction(*m_database);
        for (const QString &name : {u"a"_s, u"b"_s}) {
            QVERIFY(Sql::run(transaction,
                             u"INSERT INTO sql_probe (name, note) VALUES (?, ?)"_s,
                             {name, u"x"_s},
                             u"insert probe"_s));
        }
        QVERIFY(transaction.commit());
    }
    QCOMPARE(count(), 2);
}

QTEST_GUILESS_MAIN(tst_SqlStatement)
#include "tst_sqlstatement.moc"
