// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/TokenRepository.h"
#include "identity/UserRepository.h"
#include "store/Database.h"
#include "store/DatastoreSettings.h"
#include "store/Migrator.h"
#include "store/Transaction.h"
#include "support/TestDatabase.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QMutex>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using Gestalt::Test::TestDatabase;

namespace {

// Starts every thread at once and waits for all of them; false when one did not finish in time.
bool runAll(const std::vector<std::unique_ptr<QThread>> &threads, int timeoutMs)
{
    for (const std::unique_ptr<QThread> &thread : threads) {
        thread->start();
    }
    return std::all_of(
        threads.cbegin(), threads.cend(), [timeoutMs](const std::unique_ptr<QThread> &thread) {
            return thread->wait(timeoutMs);
        });
}

// A datastore that is down must answer within this (connect timeout 5 s, plus slack for CI).
constexpr qint64 kUnreachableBoundMs = 10000;
constexpr int kPgCtlTimeoutMs = 120000;

const QDateTime kBase = QDateTime::fromMSecsSinceEpoch(1767225600123, Qt::UTC);

// The error message of a failed Result, for QVERIFY2 (which evaluates it even on success).
template<typename T>
QString why(const Result<T> &result)
{
    return result ? QString() : result.error().message;
}

// tests/support/pg-ctl.sh start|stop DIR, for a private server this test can stop and restart.
bool runPgCtl(const QString &action, const QString &dir, QString *log)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(GESTALT_TEST_SCRIPTS_DIR "/pg-ctl.sh"), {action, dir});
    const bool finished = process.waitForFinished(kPgCtlTimeoutMs);
    *log = QString::fromLocal8Bit(process.readAll()) + process.errorString();
    if (!finished) {
        process.kill();
        process.waitForFinished();
        return false;
    }
    return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

ApiTokenRecord makeToken(const QString &id,
                         const QString &ownerKind,
                         const QString &ownerId,
                         const QDateTime &createdAt)
{
    ApiTokenRecord token;
    token.id = id;
    token.ownerKind = ownerKind;
    token.ownerId = ownerId;
    token.credentialSubjectId =
        (ownerKind == u"user" ? u"user:"_s : u"service_account:"_s) + ownerId;
    token.name = u"token "_s + id;
    token.hashedToken = u"sha256-of-"_s + id;
    token.createdAt = createdAt;
    token.updatedAt = createdAt;
    return token;
}

QStringList tokenIds(const QList<ApiTokenRecord> &tokens)
{
    QStringList ids;
    for (const ApiTokenRecord &token : tokens) {
        ids.append(token.id);
    }
    return ids;
}

// Rows in `table`, or -1 when the query fails.
int countRows(Database &database, const QString &table)
{
    Result<QSqlQuery> query = database.prepare(u"SELECT COUNT(*) FROM "_s + table);
    if (!query || !query->exec() || !query->next()) {
        return -1;
    }
    return query->value(0).toInt();
}

// A bare INSERT, for tests that need rows the repositories wouldn't write.
Result<void> insertUserRow(Transaction &transaction, const QString &id, const QString &email)
{
    Result<QSqlQuery> query = transaction.prepare(
        u"INSERT INTO users (id, email, normalized_email, display_name, created_at, updated_at) "
        u"VALUES (?, ?, ?, NULL, 0, 0)"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(id);
    query->addBindValue(email);
    query->addBindValue(email.toLower());
    return transaction.exec(*query, u"insert user"_s);
}

// Three tokens of user u1 (created base, +2 s, +1 s), one of subject u1, one of user u2.
Result<void> insertOwnerFixture(TokenRepository &tokens)
{
    const QList<ApiTokenRecord> fixture = {
        makeToken(u"a"_s, u"user"_s, u"u1"_s, kBase),
        makeToken(u"b"_s, u"user"_s, u"u1"_s, kBase.addSecs(2)),
        makeToken(u"c"_s, u"user"_s, u"u1"_s, kBase.addSecs(1)),
        makeToken(u"s"_s, u"subject"_s, u"u1"_s, kBase.addSecs(5)),
        makeToken(u"o"_s, u"user"_s, u"u2"_s, kBase.addSecs(3)),
    };
    for (const ApiTokenRecord &token : fixture) {
        if (const Result<void> inserted = tokens.insert(token); !inserted) {
            return inserted.error();
        }
    }
    return {};
}

} // namespace

class tst_Store final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();
    void cleanupTestCase();

    void splitStatements_data();
    void splitStatements();
    void migrationsAreIdempotent();
    void concurrentOpensApplyMigrationsOnce();
    void newerSchemaIsRefused();
    void transactionRollsBackUnlessCommitted();
    void failedStatementEndsTransaction();
    void findOrCreateUser_data();
    void findOrCreateUser();
    void findOrCreateUserRejectsBlankEmail();
    void userLookups();
    void normalizedEmailIsUnique();
    void findOrCreateFromWorkerThreads();
    void databasesDoNotCollideAndCleanUp();
    void tokenRoundTrip();
    void tokenListIsNewestFirstPerOwner();
    void tokenDeleteIsOwnerScoped();
    void duplicateTokenIsConflict_data();
    void duplicateTokenIsConflict();
    void tokenInsertValidates();
    void pingSucceedsOnAnyThread();
    void openFailsCleanlyWhenUnreachable();
    void pingRecoversAfterPostgresRestart();

private:
    // A migrated, empty datastore of the current backend; null with m_error set on failure.
    [[nodiscard]] std::unique_ptr<Database> openFresh();
    [[nodiscard]] static QString currentBackend();

    std::unique_ptr<QTemporaryDir> m_dir;
    DatastoreSettings m_settings;
    QString m_error;
};

void tst_Store::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_Store::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
    m_settings = {};
    m_error.clear();
}

void tst_Store::cleanup()
{
    m_dir.reset();
}

void tst_Store::cleanupTestCase()
{
    TestDatabase::dropAll();
}

QString tst_Store::currentBackend()
{
    QFETCH_GLOBAL(QString, backend);
    return backend;
}

std::unique_ptr<Database> tst_Store::openFresh()
{
    const Result<DatastoreSettings> settings = TestDatabase::create(currentBackend(), *m_dir);
    if (!settings) {
        m_error = settings.error().message;
        return nullptr;
    }
    m_settings = *settings;
    Result<std::unique_ptr<Database>> opened = Database::open(m_settings);
    if (!opened) {
        m_error = opened.error().message;
        return nullptr;
    }
    return std::move(opened).value();
}

void tst_Store::splitStatements_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QStringList>("statements");

    QTest::newRow("one per line ending")
        << u"CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n"_s
        << QStringList{u"CREATE TABLE a (x INT)"_s, u"CREATE TABLE b (y INT)"_s};
    QTest::newRow("multi-line statement, comments and blanks")
        << u"-- header; with a semicolon;\n\nCREATE TABLE a (\n    x INT\n);\n  -- done;\n"_s
        << QStringList{u"CREATE TABLE a (\n    x INT\n)"_s};
    QTest::newRow("semicolon inside a line does not split")
        << u"INSERT INTO a VALUES ('x;y');\n"_s << QStringList{u"INSERT INTO a VALUES ('x;y')"_s};
    QTest::newRow("last statement without semicolon")
        << u"CREATE TABLE a (x INT);\nCREATE INDEX i ON a (x)"_s
        << QStringList{u"CREATE TABLE a (x INT)"_s, u"CREATE INDEX i ON a (x)"_s};
    QTest::newRow("nothing") << u"\n-- only a comment\n"_s << QStringList{};
}

void tst_Store::splitStatements()
{
    QFETCH(QString, sql);
    QFETCH(QStringList, statements);
    QCOMPARE(Migrator::splitStatements(sql), statements);
}

void tst_Store::migrationsAreIdempotent()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    const Result<QList<Migrator::Migration>> known = Migrator::available(database->dialect());
    QVERIFY2(known, qPrintable(why(known)));
    QVERIFY(!known->isEmpty());

    for (int round = 0; round < 2; ++round) {
        database.reset();
        Result<std::unique_ptr<Database>> reopened = Database::open(m_settings);
        QVERIFY2(reopened, qPrintable(why(reopened)));
        database = std::move(reopened).value();
    }
    Migrator migrator(*database);
    QVERIFY(migrator.migrate());
    const Result<QSet<int>> applied = migrator.appliedVersions();
    QVERIFY2(applied, qPrintable(why(applied)));
    QCOMPARE(applied->size(), known->size());
    for (const Migrator::Migration &migration : *known) {
        QVERIFY(applied->contains(migration.version));
    }
    QCOMPARE(countRows(*database, u"schema_migrations"_s), known->size());
    QCOMPARE(countRows(*database, u"users"_s), 0);
    QCOMPARE(countRows(*database, u"api_tokens"_s), 0);
}

void tst_Store::concurrentOpensApplyMigrationsOnce()
{
    // Replicas starting together against one fresh datastore.
    const Result<DatastoreSettings> settings = TestDatabase::create(currentBackend(), *m_dir);
    QVERIFY2(settings, qPrintable(why(settings)));
    constexpr int kReplicas = 4;
    QMutex mutex;
    QStringList errors;
    std::vector<std::unique_ptr<QThread>> replicas;
    replicas.reserve(kReplicas);
    for (int i = 0; i < kReplicas; ++i) {
        replicas.emplace_back(QThread::create([&] {
            const Result<std::unique_ptr<Database>> opened = Database::open(*settings);
            if (!opened) {
                const QMutexLocker locker(&mutex);
                errors.append(opened.error().message);
            }
        }));
    }
    QVERIFY(runAll(replicas, kPgCtlTimeoutMs));
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u"; "_s)));

    Result<std::unique_ptr<Database>> database = Database::open(*settings);
    QVERIFY2(database, qPrintable(why(database)));
    const Result<QList<Migrator::Migration>> known = Migrator::available((*database)->dialect());
    QVERIFY(known);
    QCOMPARE(countRows(**database, u"schema_migrations"_s), known->size());
}

void tst_Store::newerSchemaIsRefused()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    const Result<QList<Migrator::Migration>> known = Migrator::available(database->dialect());
    QVERIFY(known);
    {
        Result<QSqlQuery> insert = database->prepare(
            u"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"_s);
        QVERIFY(insert);
        insert->addBindValue(9999);
        insert->addBindValue(u"from_the_future"_s);
        insert->addBindValue(0);
        QVERIFY(insert->exec());
    }
    database.reset();

    const Result<std::unique_ptr<Database>> reopened = Database::open(m_settings);
    QVERIFY(!reopened);
    QCOMPARE(reopened.error().message,
             u"database schema version 9999 is newer than this gestaltd supports (%1); "
             u"upgrade gestaltd"_s.arg(known->constLast().version));
}

void tst_Store::transactionRollsBackUnlessCommitted()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    {
        Transaction transaction(*database);
        QVERIFY(transaction.isActive());
        QVERIFY(insertUserRow(transaction, u"dropped"_s, u"dropped@example.com"_s));
        // destroyed without commit()
    }
    {
        Transaction transaction(*database);
        QVERIFY(insertUserRow(transaction, u"kept"_s, u"kept@example.com"_s));
        QVERIFY(transaction.commit());
        QVERIFY(!transaction.isActive());
        const Result<void> again = transaction.commit();
        QVERIFY(!again);
        QVERIFY(again.error().code == ErrorCode::Internal);
    }
    UserRepository users(*database);
    const Result<std::optional<User>> dropped = users.findById(u"dropped"_s);
    QVERIFY(dropped);
    QVERIFY(!dropped->has_value());
    const Result<std::optional<User>> kept = users.findById(u"kept"_s);
    QVERIFY(kept);
    QVERIFY(kept->has_value());
}

void tst_Store::failedStatementEndsTransaction()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    {
        Transaction transaction(*database);
        QVERIFY(insertUserRow(transaction, u"first"_s, u"first@example.com"_s));
        const Result<void> duplicate =
            insertUserRow(transaction, u"first"_s, u"other@example.com"_s);
        QVERIFY(!duplicate);
        QVERIFY(duplicate.error().code == ErrorCode::Conflict);
        QVERIFY(!transaction.isActive());
        const Result<void> committed = transaction.commit();
        QVERIFY(!committed);
        QVERIFY(committed.error().code == ErrorCode::Conflict);
    }
    QCOMPARE(countRows(*database, u"users"_s), 0);
    // The connection is usable again afterwards.
    Transaction next(*database);
    QVERIFY(insertUserRow(next, u"second"_s, u"second@example.com"_s));
    QVERIFY(next.commit());
    QCOMPARE(countRows(*database, u"users"_s), 1);
}

void tst_Store::findOrCreateUser_data()
{
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::addColumn<QString>("normalized");

    QTest::newRow("same address") << u"alice@example.com"_s << u"alice@example.com"_s
                                  << u"alice@example.com"_s;
    QTest::newRow("different case")
        << u"Alice@Example.COM"_s << u"alice@example.com"_s << u"alice@example.com"_s;
    QTest::newRow("surrounding blanks")
        << u"  bob@example.com\t"_s << u"BOB@example.com "_s << u"bob@example.com"_s;
}

void tst_Store::findOrCreateUser()
{
    QFETCH(QString, first);
    QFETCH(QString, second);
    QFETCH(QString, normalized);
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    UserRepository users(*database);

    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    const Result<User> created = users.findOrCreateByEmail(first, u"Alice"_s);
    QVERIFY2(created, qPrintable(why(created)));
    QVERIFY(!QUuid::fromString(created->id).isNull());
    QCOMPARE(created->email, first.trimmed());
    QCOMPARE(created->normalizedEmail, normalized);
    QCOMPARE(created->displayName, u"Alice"_s);
    QCOMPARE(created->createdAt.timeSpec(), Qt::UTC);
    QVERIFY(created->createdAt >= before);
    QVERIFY(created->createdAt <= QDateTime::currentDateTimeUtc());
    QCOMPARE(created->updatedAt, created->createdAt);

    const Result<User> found = users.findOrCreateByEmail(second, u"Someone Else"_s);
    QVERIFY2(found, qPrintable(why(found)));
    QCOMPARE(found->id, created->id);
    QCOMPARE(found->email, created->email);
    QCOMPARE(found->displayName, u"Alice"_s);
    QCOMPARE(found->createdAt, created->createdAt);
    QCOMPARE(countRows(*database, u"users"_s), 1);
}

void tst_Store::findOrCreateUserRejectsBlankEmail()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    UserRepository users(*database);
    for (const QString &email : {QString(), u"   "_s}) {
        const Result<User> user = users.findOrCreateByEmail(email);
        QVERIFY(!user);
        QVERIFY(user.error().code == ErrorCode::InvalidArgument);
    }
    QCOMPARE(countRows(*database, u"users"_s), 0);
}

void tst_Store::userLookups()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    UserRepository users(*database);
    const Result<User> alice = users.findOrCreateByEmail(u"alice@example.com"_s, u"Alice"_s);
    QVERIFY(alice);
    const Result<User> bob = users.findOrCreateByEmail(u"bob@example.com"_s);
    QVERIFY(bob);
    QVERIFY(alice->id != bob->id);
    QCOMPARE(bob->displayName, QString());

    const Result<std::optional<User>> byId = users.findById(alice->id);
    QVERIFY(byId);
    QVERIFY(byId->has_value());
    QCOMPARE((*byId)->email, u"alice@example.com"_s);
    QCOMPARE((*byId)->displayName, u"Alice"_s);
    QCOMPARE((*byId)->createdAt, alice->createdAt);

    const Result<std::optional<User>> byEmail = users.findByEmail(u" ALICE@example.com "_s);
    QVERIFY(byEmail);
    QVERIFY(byEmail->has_value());
    QCOMPARE((*byEmail)->id, alice->id);

    const Result<std::optional<User>> unknownId = users.findById(u"no-such-id"_s);
    QVERIFY(unknownId);
    QVERIFY(!unknownId->has_value());
    const Result<std::optional<User>> unknownEmail = users.findByEmail(u"carol@example.com"_s);
    QVERIFY(unknownEmail);
    QVERIFY(!unknownEmail->has_value());
}

void tst_Store::normalizedEmailIsUnique()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    QVERIFY(UserRepository(*database).findOrCreateByEmail(u"alice@example.com"_s));

    // The schema itself refuses a second row for the same normalized address.
    Result<QSqlQuery> insert = database->prepare(
        u"INSERT INTO users (id, email, normalized_email, created_at, updated_at) "
        u"VALUES (?, ?, ?, 0, 0)"_s);
    QVERIFY(insert);
    insert->addBindValue(u"other-id"_s);
    insert->addBindValue(u"ALICE@EXAMPLE.COM"_s);
    insert->addBindValue(u"alice@example.com"_s);
    QVERIFY(!insert->exec());
    const Error error = database->dialect().toError(insert->lastError(), u"insert user"_s);
    QVERIFY2(error.code == ErrorCode::Conflict, qPrintable(error.message));
    QCOMPARE(countRows(*database, u"users"_s), 1);
}

void tst_Store::findOrCreateFromWorkerThreads()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    constexpr int kThreads = 4;
    constexpr int kCallsPerThread = 5;
    QMutex mutex;
    QStringList ids;
    QStringList errors;
    std::vector<std::unique_ptr<QThread>> threads;
    threads.reserve(kThreads);
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back(QThread::create([&] {
            UserRepository users(*database);
            for (int call = 0; call < kCallsPerThread; ++call) {
                const Result<User> user = users.findOrCreateByEmail(u"Shared@example.com"_s);
                const QMutexLocker locker(&mutex);
                if (user) {
                    ids.append(user->id);
                } else {
                    errors.append(user.error().message);
                }
            }
        }));
    }
    QVERIFY(runAll(threads, kPgCtlTimeoutMs));
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u"; "_s)));
    QCOMPARE(ids.size(), kThreads * kCallsPerThread);
    ids.removeDuplicates();
    QCOMPARE(ids.size(), 1);
    QCOMPARE(countRows(*database, u"users"_s), 1);
}

void tst_Store::databasesDoNotCollideAndCleanUp()
{
    QStringList before = QSqlDatabase::connectionNames();
    before.sort();
    {
        std::unique_ptr<Database> first = openFresh();
        QVERIFY2(first, qPrintable(m_error));
        const Result<DatastoreSettings> otherSettings =
            TestDatabase::create(currentBackend(), *m_dir);
        QVERIFY2(otherSettings, qPrintable(why(otherSettings)));
        Result<std::unique_ptr<Database>> second = Database::open(*otherSettings);
        QVERIFY2(second, qPrintable(why(second)));
        QCOMPARE(QSqlDatabase::connectionNames().size(), before.size() + 2);

        QVERIFY(UserRepository(*first).findOrCreateByEmail(u"only-first@example.com"_s));
        const Result<std::optional<User>> inSecond =
            UserRepository(**second).findByEmail(u"only-first@example.com"_s);
        QVERIFY(inSecond);
        QVERIFY(!inSecond->has_value());
        QVERIFY(first->ping());
        QVERIFY((*second)->ping());
    }
    QStringList after = QSqlDatabase::connectionNames();
    after.sort();
    QCOMPARE(after, before);
}

void tst_Store::tokenRoundTrip()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    TokenRepository tokens(*database);

    ApiTokenRecord scoped = makeToken(u"tok-1"_s, u"user"_s, u"u1"_s, kBase);
    scoped.scopes = u"github slack"_s;
    scoped.permissions = QJsonArray{
        QJsonObject{{u"plugin"_s, u"github"_s}, {u"operations"_s, QJsonArray{u"issues.list"_s}}},
        QJsonObject{{u"plugin"_s, u"dev"_s}, {u"actions"_s, QJsonArray{u"provider_dev.attach"_s}}},
    };
    scoped.expiresAt = kBase.addDays(30);
    scoped.updatedAt = kBase.addSecs(60).toOffsetFromUtc(2 * 3600); // same instant, other zone
    QVERIFY(tokens.insert(scoped));

    const Result<std::optional<ApiTokenRecord>> found = tokens.findByHash(scoped.hashedToken);
    QVERIFY2(found, qPrintable(why(found)));
    QVERIFY(found->has_value());
    const ApiTokenRecord &got = **found;
    QCOMPARE(got.id, scoped.id);
    QCOMPARE(got.ownerKind, scoped.ownerKind);
    QCOMPARE(got.ownerId, scoped.ownerId);
    QCOMPARE(got.credentialSubjectId, u"user:u1"_s);
    QCOMPARE(got.name, scoped.name);
    QCOMPARE(got.hashedToken, scoped.hashedToken);
    QCOMPARE(got.scopes, scoped.scopes);
    QCOMPARE(got.permissions, scoped.permissions);
    QVERIFY(got.expiresAt.has_value());
    QCOMPARE(*got.expiresAt, *scoped.expiresAt);
    QCOMPARE(got.createdAt, kBase);
    QCOMPARE(got.createdAt.toMSecsSinceEpoch(), kBase.toMSecsSinceEpoch());
    QCOMPARE(got.createdAt.timeSpec(), Qt::UTC);
    QCOMPARE(got.updatedAt, scoped.updatedAt);
    QCOMPARE(got.updatedAt.timeSpec(), Qt::UTC);

    const ApiTokenRecord unscoped = makeToken(u"tok-2"_s, u"subject"_s, u"bot"_s, kBase);
    QVERIFY(tokens.insert(unscoped));
    const Result<std::optional<ApiTokenRecord>> plain = tokens.findByHash(unscoped.hashedToken);
    QVERIFY(plain);
    QVERIFY(plain->has_value());
    QCOMPARE((*plain)->scopes, QString());
    QVERIFY((*plain)->permissions.isEmpty());
    QVERIFY(!(*plain)->expiresAt.has_value());
    QCOMPARE((*plain)->credentialSubjectId, u"service_account:bot"_s);

    const Result<std::optional<ApiTokenRecord>> missing = tokens.findByHash(u"no-such-hash"_s);
    QVERIFY(missing);
    QVERIFY(!missing->has_value());
}

void tst_Store::tokenListIsNewestFirstPerOwner()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    TokenRepository tokens(*database);
    const Result<void> fixture = insertOwnerFixture(tokens);
    QVERIFY2(fixture, qPrintable(why(fixture)));

    const Result<QList<ApiTokenRecord>> user1 = tokens.listByOwner(u"user"_s, u"u1"_s);
    QVERIFY(user1);
    QCOMPARE(tokenIds(*user1), (QStringList{u"b"_s, u"c"_s, u"a"_s}));
    const Result<QList<ApiTokenRecord>> subject1 = tokens.listByOwner(u"subject"_s, u"u1"_s);
    QVERIFY(subject1);
    QCOMPARE(tokenIds(*subject1), QStringList{u"s"_s});
    const Result<QList<ApiTokenRecord>> user2 = tokens.listByOwner(u"user"_s, u"u2"_s);
    QVERIFY(user2);
    QCOMPARE(tokenIds(*user2), QStringList{u"o"_s});
    const Result<QList<ApiTokenRecord>> nobody = tokens.listByOwner(u"user"_s, u"nobody"_s);
    QVERIFY(nobody);
    QVERIFY(nobody->isEmpty());
}

void tst_Store::tokenDeleteIsOwnerScoped()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    TokenRepository tokens(*database);
    const Result<void> fixture = insertOwnerFixture(tokens);
    QVERIFY2(fixture, qPrintable(why(fixture)));

    // Another owner, or the same id under another owner kind, can't delete it.
    Result<bool> deleted = tokens.deleteForOwner(u"user"_s, u"u2"_s, u"a"_s);
    QVERIFY(deleted);
    QVERIFY(!*deleted);
    deleted = tokens.deleteForOwner(u"subject"_s, u"u1"_s, u"a"_s);
    QVERIFY(deleted);
    QVERIFY(!*deleted);
    Result<std::optional<ApiTokenRecord>> found = tokens.findByHash(u"sha256-of-a"_s);
    QVERIFY(found);
    QVERIFY(found->has_value());

    deleted = tokens.deleteForOwner(u"user"_s, u"u1"_s, u"a"_s);
    QVERIFY(deleted);
    QVERIFY(*deleted);
    found = tokens.findByHash(u"sha256-of-a"_s);
    QVERIFY(found);
    QVERIFY(!found->has_value());
    deleted = tokens.deleteForOwner(u"user"_s, u"u1"_s, u"a"_s);
    QVERIFY(deleted);
    QVERIFY(!*deleted);

    Result<int> count = tokens.deleteAllForOwner(u"user"_s, u"u1"_s);
    QVERIFY(count);
    QCOMPARE(*count, 2);
    count = tokens.deleteAllForOwner(u"user"_s, u"u1"_s);
    QVERIFY(count);
    QCOMPARE(*count, 0);
    const Result<QList<ApiTokenRecord>> user1 = tokens.listByOwner(u"user"_s, u"u1"_s);
    QVERIFY(user1);
    QVERIFY(user1->isEmpty());

    const Result<QList<ApiTokenRecord>> subject1 = tokens.listByOwner(u"subject"_s, u"u1"_s);
    QVERIFY(subject1);
    QCOMPARE(tokenIds(*subject1), QStringList{u"s"_s});
    const Result<QList<ApiTokenRecord>> user2 = tokens.listByOwner(u"user"_s, u"u2"_s);
    QVERIFY(user2);
    QCOMPARE(tokenIds(*user2), QStringList{u"o"_s});
}

void tst_Store::duplicateTokenIsConflict_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("hashedToken");

    QTest::newRow("same hash, other id") << u"tok-2"_s << u"sha256-of-tok-1"_s;
    QTest::newRow("same id, other hash") << u"tok-1"_s << u"sha256-of-something-else"_s;
}

void tst_Store::duplicateTokenIsConflict()
{
    QFETCH(QString, id);
    QFETCH(QString, hashedToken);
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    TokenRepository tokens(*database);
    QVERIFY(tokens.insert(makeToken(u"tok-1"_s, u"user"_s, u"u1"_s, kBase)));

    ApiTokenRecord duplicate = makeToken(id, u"user"_s, u"u2"_s, kBase);
    duplicate.hashedToken = hashedToken;
    const Result<void> inserted = tokens.insert(duplicate);
    QVERIFY(!inserted);
    QVERIFY2(inserted.error().code == ErrorCode::Conflict, qPrintable(inserted.error().message));
    QVERIFY(!inserted.error().message.contains(hashedToken));
    QCOMPARE(countRows(*database, u"api_tokens"_s), 1);
}

void tst_Store::tokenInsertValidates()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    TokenRepository tokens(*database);

    ApiTokenRecord badKind = makeToken(u"tok-1"_s, u"group"_s, u"g1"_s, kBase);
    Result<void> inserted = tokens.insert(badKind);
    QVERIFY(!inserted);
    QVERIFY(inserted.error().code == ErrorCode::InvalidArgument);

    ApiTokenRecord noHash = makeToken(u"tok-2"_s, u"user"_s, u"u1"_s, kBase);
    noHash.hashedToken.clear();
    inserted = tokens.insert(noHash);
    QVERIFY(!inserted);
    QVERIFY(inserted.error().code == ErrorCode::InvalidArgument);
    QCOMPARE(countRows(*database, u"api_tokens"_s), 0);
}

void tst_Store::pingSucceedsOnAnyThread()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    QVERIFY(database->ping());
    QVERIFY(database->ping());

    // A thread started after open() gets its own connection.
    QString workerError = u"not run"_s;
    std::unique_ptr<QThread> worker(QThread::create([&] {
        const Result<void> pinged = database->ping();
        workerError = why(pinged);
    }));
    worker->start();
    QVERIFY(worker->wait(kPgCtlTimeoutMs));
    QVERIFY2(workerError.isEmpty(), qPrintable(workerError));
}

void tst_Store::openFailsCleanlyWhenUnreachable()
{
    const QString secret = u"s3cret-Passw0rd"_s;
    QList<DatastoreSettings> unreachable;
    if (currentBackend() == u"postgresql") {
        DatastoreSettings noSocket = TestDatabase::postgresSettings(u"gestalt"_s);
        noSocket.pgHost = m_dir->path(); // no server listens in this folder
        noSocket.pgPassword = secret;
        unreachable.append(noSocket);
        DatastoreSettings refused = noSocket;
        refused.pgHost = u"127.0.0.1"_s;
        refused.pgPort = 1;
        unreachable.append(refused);
    } else {
        // No folder can be made below a regular file.
        QFile blocker(m_dir->filePath(u"blocker"_s));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        unreachable.append(DatastoreSettings::sqliteFile(m_dir->filePath(u"blocker/db/g.db"_s)));
    }
    for (const DatastoreSettings &settings : std::as_const(unreachable)) {
        QElapsedTimer timer;
        timer.start();
        const Result<std::unique_ptr<Database>> opened = Database::open(settings);
        QVERIFY(!opened);
        QVERIFY2(timer.elapsed() < kUnreachableBoundMs, qPrintable(settings.redacted()));
        QVERIFY(opened.error().code == ErrorCode::Unavailable);
        QVERIFY2(opened.error().message.startsWith(u"datastore unavailable: "_s),
                 qPrintable(opened.error().message));
        QVERIFY(!opened.error().message.contains(secret));
    }
}

void tst_Store::pingRecoversAfterPostgresRestart()
{
    if (currentBackend() != u"postgresql") {
        QSKIP("needs a PostgreSQL server this test can stop and start");
    }
    // A private server: the shared fixture must stay up for the other tests. Short path, as unix
    // socket paths are limited to ~107 bytes.
    QTemporaryDir serverDir(u"/tmp/gst-XXXXXX"_s);
    QVERIFY(serverDir.isValid());
    QString log;
    QVERIFY2(runPgCtl(u"start"_s, serverDir.path(), &log), qPrintable(log));
    const auto stopServer = qScopeGuard([&] {
        QString ignored;
        (void)runPgCtl(u"stop"_s, serverDir.path(), &ignored);
    });

    DatastoreSettings settings = TestDatabase::postgresSettings(u"postgres"_s);
    settings.pgHost = serverDir.path() + u"/socket"_s;
    Result<std::unique_ptr<Database>> opened = Database::open(settings);
    QVERIFY2(opened, qPrintable(why(opened)));
    Database &database = **opened;
    QVERIFY(database.ping());

    QVERIFY2(runPgCtl(u"stop"_s, serverDir.path(), &log), qPrintable(log));
    // Logged once, when the datastore becomes unreachable; not again on the next failed ping.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"^datastore unavailable: "_s));
    for (int attempt = 0; attempt < 2; ++attempt) {
        QElapsedTimer timer;
        timer.start();
        const Result<void> down = database.ping();
        QVERIFY(!down);
        QVERIFY(down.error().code == ErrorCode::Unavailable);
        QVERIFY2(down.error().message.startsWith(u"datastore unavailable: "_s),
                 qPrintable(down.error().message));
        QVERIFY(timer.elapsed() < kUnreachableBoundMs);
    }

    // pg-ctl.sh start makes a fresh cluster in the same place: same socket, same "postgres".
    QVERIFY2(runPgCtl(u"start"_s, serverDir.path(), &log), qPrintable(log));
    QTRY_VERIFY_WITH_TIMEOUT(database.ping().hasValue(), 30000);
    QVERIFY(database.ping());
}

QTEST_GUILESS_MAIN(tst_Store)
#include "tst_store.moc"
