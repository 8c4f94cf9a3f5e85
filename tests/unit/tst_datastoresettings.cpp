// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "store/DatastoreSettings.h"

#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;

namespace {

// The error message of a failed Result, for QVERIFY2 (which evaluates it even on success).
template<typename T>
QString why(const Result<T> &result)
{
    return result ? QString() : result.error().message;
}

} // namespace

// DSN parsing and redaction: pure functions, no datastore needed.
class tst_DatastoreSettings final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void dsnParsing_data();
    void dsnParsing();
};

void tst_DatastoreSettings::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
}

void tst_DatastoreSettings::dsnParsing_data()
{
    QTest::addColumn<QString>("dsn");
    QTest::addColumn<QString>("baseDir");
    QTest::addColumn<QString>("error"); // part of the message; empty when the DSN is valid
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("sqlitePath");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("options");
    QTest::addColumn<QString>("redacted");

    const QString none;
    const auto sqlite =
        [&](const char *row, const QString &dsn, const QString &base, const QString &path) {
            QTest::newRow(row) << dsn << base << none << u"sqlite"_s << path << none << 5432 << none
                               << none << none << none << u"sqlite://"_s + path;
        };
    sqlite("sqlite relative to the config folder",
           u"sqlite://./gestalt.db"_s,
           u"/etc/gestalt"_s,
           u"/etc/gestalt/gestalt.db"_s);
    sqlite("sqlite relative subfolder",
           u"sqlite://data/gestalt.db"_s,
           u"/srv/gestalt"_s,
           u"/srv/gestalt/data/gestalt.db"_s);
    sqlite("sqlite absolute",
           u"sqlite:///var/lib/gestalt/gestalt.db"_s,
           u"/etc"_s,
           u"/var/lib/gestalt/gestalt.db"_s);
    sqlite("sqlite scheme in capitals", u"SQLite:///tmp/g.db"_s, none, u"/tmp/g.db"_s);

    QTest::newRow("postgres with everything")
        << u"postgres://gestalt:s3cr%40t%3Aw@db.example.com:6543/gestalt"
           u"?sslmode=require&connect_timeout=3"_s
        << none << none << u"postgres"_s << none << u"db.example.com"_s << 6543 << u"gestalt"_s
        << u"gestalt"_s << u"s3cr@t:w"_s << u"sslmode=require;connect_timeout=3"_s
        << u"postgresql://gestalt:***@db.example.com:6543/gestalt"
           u"?sslmode=require&connect_timeout=3"_s;
    QTest::newRow("postgresql unix socket folder")
        << u"postgresql://postgres@/gestalt?host=%2Frun%2Fpostgresql"_s << none << none
        << u"postgres"_s << none << u"/run/postgresql"_s << 5432 << u"gestalt"_s << u"postgres"_s
        << none << none << u"postgresql://postgres@/gestalt?host=/run/postgresql"_s;
    QTest::newRow("postgres defaults, percent-decoded name")
        << u"postgres://localhost/my%20db"_s << none << none << u"postgres"_s << none
        << u"localhost"_s << 5432 << u"my db"_s << none << none << none
        << u"postgresql://localhost/my%20db"_s;
    QTest::newRow("postgres IPv6 host")
        << u"postgres://u@[::1]:5433/db"_s << none << none << u"postgres"_s << none << u"::1"_s
        << 5433 << u"db"_s << u"u"_s << none << none << u"postgresql://u@[::1]:5433/db"_s;
    QTest::newRow("unknown options go to libpq")
        << u"postgres://u@h/db?application_name=gestaltd&options=-c%20statement_timeout%3D5000"_s
        << none << none << u"postgres"_s << none << u"h"_s << 5432 << u"db"_s << u"u"_s << none
        << u"application_name=gestaltd;options='-c statement_timeout=5000'"_s
        << u"postgresql://u@h/db?application_name=gestaltd&options='-c statement_timeout=5000'"_s;
    QTest::newRow("passwords as query options are hidden too")
        << u"postgres://u@h/db?password=s3cret&sslpassword=k3y"_s << none << none << u"postgres"_s
        << none << u"h"_s << 5432 << u"db"_s << u"u"_s << u"s3cret"_s << u"sslpassword=k3y"_s
        << u"postgresql://u:***@h/db?sslpassword=***"_s;

    const auto bad = [&](const char *row, const QString &dsn, const QString &error) {
        QTest::newRow(row) << dsn << none << error << none << none << none << 0 << none << none
                           << none << none << none;
    };
    bad("empty", none, u"empty"_s);
    bad("blank", u"   "_s, u"empty"_s);
    bad("mysql", u"mysql://u:s3cret@h/db"_s, u"unsupported datastore DSN scheme 'mysql'"_s);
    bad("no scheme", u"gestalt.db"_s, u"unsupported datastore DSN scheme"_s);
    bad("sqlite without a path", u"sqlite://"_s, u"file path"_s);
    bad("sqlite with one slash", u"sqlite:/gestalt.db"_s, u"unsupported datastore DSN scheme"_s);
    bad("sqlite with options", u"sqlite://gestalt.db?mode=ro"_s, u"no options"_s);
    bad("postgres without a database", u"postgres://u:s3cret@h:5432/"_s, u"database name"_s);
    bad("postgres without a path", u"postgres://u:s3cret@h"_s, u"database name"_s);
    bad("postgres port not a number", u"postgres://u:s3cret@h:notaport/db"_s, u"not a valid URL"_s);
    bad("postgres port out of range", u"postgres://u:s3cret@h/db?port=70000"_s, u"port must be"_s);
    bad("postgres unknown sslmode",
        u"postgres://u:s3cret@h/db?sslmode=maybe"_s,
        u"sslmode must be"_s);
    bad("postgres connect_timeout not a number",
        u"postgres://u@h/db?connect_timeout=soon"_s,
        u"connect_timeout"_s);
    bad("postgres option with a semicolon",
        u"postgres://u@h/db?application_name=a%3Bb"_s,
        u"may not contain ';'"_s);
    bad("postgres bad option name", u"postgres://u@h/db?Bad-Key=1"_s, u"invalid option name"_s);
}

void tst_DatastoreSettings::dsnParsing()
{
    QFETCH(QString, dsn);
    QFETCH(QString, baseDir);
    QFETCH(QString, error);
    const Result<DatastoreSettings> parsed = DatastoreSettings::fromDsn(dsn, baseDir);
    if (!error.isEmpty()) {
        QVERIFY2(!parsed, qPrintable(parsed ? parsed->redacted() : QString()));
        QVERIFY(parsed.error().code == ErrorCode::InvalidArgument);
        QVERIFY2(parsed.error().message.contains(error), qPrintable(parsed.error().message));
        QVERIFY2(!parsed.error().message.contains(u"s3cret"_s), qPrintable(parsed.error().message));
        return;
    }
    QVERIFY2(parsed, qPrintable(why(parsed)));

    QFETCH(QString, kind);
    QFETCH(QString, sqlitePath);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, database);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, options);
    QFETCH(QString, redacted);
    const bool postgres = parsed->dialect == DatastoreSettings::Dialect::Postgres;
    QCOMPARE(postgres ? u"postgres"_s : u"sqlite"_s, kind);
    QCOMPARE(parsed->sqlitePath, sqlitePath);
    QCOMPARE(parsed->pgHost, host);
    QCOMPARE(parsed->pgPort, port);
    QCOMPARE(parsed->pgDatabase, database);
    QCOMPARE(parsed->pgUser, user);
    QCOMPARE(parsed->pgPassword, password);
    QCOMPARE(parsed->pgOptions, options);
    QCOMPARE(parsed->redacted(), redacted);
    if (!password.isEmpty()) {
        QVERIFY(!parsed->redacted().contains(password));
    }
}

QTEST_GUILESS_MAIN(tst_DatastoreSettings)
#include "tst_datastoresettings.moc"
