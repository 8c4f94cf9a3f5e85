// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "connections/CredentialRepository.h"
#include "crypto/Sealer.h"
#include "store/Database.h"
#include "support/TestDatabase.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using Gestalt::Test::TestDatabase;

namespace {

const QDateTime kBase = QDateTime::fromMSecsSinceEpoch(1767225600123, Qt::UTC);
const QString kAccess = u"ya29.ACCESS-plaintext-7f3c9e"_s;
const QString kRefresh = u"1//REFRESH-plaintext-b81d02"_s;

template<typename T>
QString why(const Result<T> &result)
{
    return result ? QString() : result.error().message;
}

Crypto::Sealer makeSealer()
{
    return Crypto::Sealer(Crypto::SecretKey::fromBytes(QByteArray(Crypto::SecretKey::Size, 'k')));
}

StoredCredential makeCredential(const QString &subject,
                                const QString &connection,
                                const QString &instance = u"default"_s)
{
    StoredCredential credential;
    credential.subjectId = subject;
    credential.connectionId = connection;
    credential.instance = instance;
    credential.accessToken = kAccess;
    credential.refreshToken = kRefresh;
    credential.tokenType = u"Bearer"_s;
    credential.metadata = {{u"tenant"_s, u"acme"_s}, {u"region"_s, u"eu"_s}};
    credential.externalId = u"T0123"_s;
    credential.displayName = u"Acme workspace"_s;
    credential.expiresAt = kBase.addSecs(3600);
    return credential;
}

QStringList keysOf(const QList<StoredCredential> &credentials)
{
    QStringList keys;
    for (const StoredCredential &credential : credentials) {
        keys.append(credential.connectionId + u'/' + credential.instance);
    }
    return keys;
}

// Every column of every credentials row as text.
QStringList allCellText(Database &database)
{
    QStringList cells;
    Result<QSqlQuery> query = database.prepare(u"SELECT * FROM credentials"_s);
    if (!query || !query->exec()) {
        return {u"<query failed>"_s};
    }
    while (query->next()) {
        for (int column = 0; column < query->record().count(); ++column) {
            cells.append(query->value(column).toString());
        }
    }
    return cells;
}

} // namespace

class tst_Credentials final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();
    void cleanupTestCase();

    void upsertFindAndRemove();
    void listIsOrderedAndFiltered();
    void reconnectOverwritesAndClearsInvalid();
    void upsertValidates_data();
    void upsertValidates();
    void sealIsBoundToTheRowKey();
    void plaintextIsNeverStored();
    void claimRefreshIsExclusiveUntilTheLeaseEnds();
    void storeRefreshed_data();
    void storeRefreshed();
    void recordRefreshFailure_data();
    void recordRefreshFailure();
    void unknownIdIsNotFound();

private:
    [[nodiscard]] static QString currentBackend();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<Crypto::Sealer> m_sealer;
    std::unique_ptr<CredentialRepository> m_repository;
};

void tst_Credentials::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

QString tst_Credentials::currentBackend()
{
    QFETCH_GLOBAL(QString, backend);
    return backend;
}

void tst_Credentials::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
    const Result<DatastoreSettings> settings = TestDatabase::create(currentBackend(), *m_dir);
    QVERIFY2(settings, qPrintable(why(settings)));
    Result<std::unique_ptr<Database>> opened = Database::open(*settings);
    QVERIFY2(opened, qPrintable(why(opened)));
    m_database = std::move(opened).value();
    m_sealer = std::make_unique<Crypto::Sealer>(makeSealer());
    m_repository = std::make_unique<CredentialRepository>(*m_database, *m_sealer);
}

void tst_Credentials::cleanup()
{
    m_repository.reset();
    m_sealer.reset();
    m_database.reset();
    m_dir.reset();
}

void tst_Credentials::cleanupTestCase()
{
    TestDatabase::dropAll();
}

void tst_Credentials::upsertFindAndRemove()
{
    StoredCredential credential = makeCredential(u"user:u1"_s, u"github"_s);
    QVERIFY(m_repository->upsert(credential, kBase));
    QVERIFY(!credential.id.isEmpty());
    QCOMPARE(credential.createdAt, kBase);
    QCOMPARE(credential.updatedAt, kBase);

    const Result<std::optional<StoredCredential>> found =
        m_repository->find(u"user:u1"_s, u"github"_s, u"default"_s);
    QVERIFY2(found, qPrintable(why(found)));
    QVERIFY(found->has_value());
    const StoredCredential &row = **found;
    QCOMPARE(row.id, credential.id);
    QCOMPARE(row.accessToken, kAccess);
    QCOMPARE(row.refreshToken, kRefresh);
    QCOMPARE(row.tokenType, u"Bearer"_s);
    QCOMPARE(row.metadata, credential.metadata);
    QCOMPARE(row.externalId, u"T0123"_s);
    QCOMPARE(row.displayName, u"Acme workspace"_s);
    QCOMPARE(row.expiresAt, std::optional<QDateTime>(kBase.addSecs(3600)));
    QCOMPARE(row.refreshErrorCount, 0);
    QVERIFY(!row.invalid);
    QCOMPARE(row.createdAt, kBase);

    const Result<std::optional<StoredCredential>> byId = m_repository->findById(credential.id);
    QVERIFY2(byId, qPrintable(why(byId)));
    QVERIFY(byId->has_value());
    QCOMPARE((*byId)->connectionId, u"github"_s);

    // Other subject, connection or instance: nothing.
    QVERIFY(!m_repository->find(u"user:u2"_s, u"github"_s, u"default"_s)->has_value());
    QVERIFY(!m_repository->find(u"user:u1"_s, u"slack"_s, u"default"_s)->has_value());
    QVERIFY(!m_repository->find(u"user:u1"_s, u"github"_s, u"work"_s)->has_value());

    // No expiry, no refresh token round-trip as such.
    StoredCredential manual = makeCredential(u"user:u1"_s, u"manual"_s);
    manual.refreshToken.clear();
    manual.expiresAt.reset();
    manual.metadata.clear();
    QVERIFY(m_repository->upsert(manual, kBase));
    const Result<std::optional<StoredCredential>> manualRow = m_repository->findById(manual.id);
    QVERIFY2(manualRow, qPrintable(why(manualRow)));
    QVERIFY((*manualRow)->refreshToken.isEmpty());
    QVERIFY(!(*manualRow)->canRefresh());
    QVERIFY(!(*manualRow)->expiresAt.has_value());
    QVERIFY((*manualRow)->metadata.isEmpty());

    const Result<bool> removed = m_repository->remove(credential.id);
    QVERIFY2(removed, qPrintable(why(removed)));
    QVERIFY(*removed);
    QVERIFY(!m_repository->findById(credential.id)->has_value());
    QCOMPARE(*m_repository->remove(credential.id), false);
}

void tst_Credentials::listIsOrderedAndFiltered()
{
    for (const auto &[connection, instance] : QList<std::pair<QString, QString>>{
             {u"slack"_s, u"work"_s}, {u"github"_s, u"default"_s}, {u"slack"_s, u"default"_s}}) {
        StoredCredential credential = makeCredential(u"user:u1"_s, connection, instance);
        QVERIFY(m_repository->upsert(credential, kBase));
    }
    StoredCredential other = makeCredential(u"user:u2"_s, u"github"_s);
    QVERIFY(m_repository->upsert(other, kBase));

    const Result<QList<StoredCredential>> all = m_repository->list(u"user:u1"_s);
    QVERIFY2(all, qPrintable(why(all)));
    QCOMPARE(keysOf(*all), QStringList({u"github/default"_s, u"slack/default"_s, u"slack/work"_s}));

    const Result<QList<StoredCredential>> slack = m_repository->list(u"user:u1"_s, u"slack"_s);
    QVERIFY2(slack, qPrintable(why(slack)));
    QCOMPARE(keysOf(*slack), QStringList({u"slack/default"_s, u"slack/work"_s}));

    QVERIFY(m_repository->list(u"user:nobody"_s)->isEmpty());
}

void tst_Credentials::reconnectOverwritesAndClearsInvalid()
{
    StoredCredential first = makeCredential(u"user:u1"_s, u"github"_s);
    QVERIFY(m_repository->upsert(first, kBase));
    QVERIFY(m_repository->recordRefreshFailure(first.id, true, kBase.addSecs(10)));
    QVERIFY((*m_repository->findById(first.id))->invalid);

    StoredCredential again = makeCredential(u"user:u1"_s, u"github"_s);
    again.accessToken = u"new-access"_s;
    again.refreshToken = u"new-refresh"_s;
    again.metadata = {{u"tenant"_s, u"other"_s}};
    QVERIFY(m_repository->upsert(again, kBase.addSecs(60)));
    QCOMPARE(again.id, first.id);
    QCOMPARE(again.createdAt, kBase);
    QCOMPARE(again.updatedAt, kBase.addSecs(60));

    const Result<QList<StoredCredential>> rows = m_repository->list(u"user:u1"_s);
    QVERIFY2(rows, qPrintable(why(rows)));
    QCOMPARE(rows->size(), 1);
    const StoredCredential &row = rows->first();
    QCOMPARE(row.accessToken, u"new-access"_s);
    QCOMPARE(row.refreshToken, u"new-refresh"_s);
    QCOMPARE(row.metadata, again.metadata);
    QVERIFY(!row.invalid);
    QCOMPARE(row.refreshErrorCount, 0);
    QCOMPARE(row.createdAt, kBase);
    QCOMPARE(row.updatedAt, kBase.addSecs(60));
}

void tst_Credentials::upsertValidates_data()
{
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QString>("connection");
    QTest::addColumn<QString>("instance");
    QTest::newRow("no subject") << u""_s << u"github"_s << u"default"_s;
    QTest::newRow("no connection") << u"user:u1"_s << u""_s << u"default"_s;
    QTest::newRow("no instance") << u"user:u1"_s << u"github"_s << u""_s;
}

void tst_Credentials::upsertValidates()
{
    QFETCH(QString, subject);
    QFETCH(QString, connection);
    QFETCH(QString, instance);
    StoredCredential credential = makeCredential(subject, connection, instance);
    const Result<void> stored = m_repository->upsert(credential, kBase);
    QVERIFY(!stored);
    QCOMPARE(stored.error().code, ErrorCode::InvalidArgument);
}

void tst_Credentials::sealIsBoundToTheRowKey()
{
    StoredCredential victim = makeCredential(u"user:victim"_s, u"github"_s);
    QVERIFY(m_repository->upsert(victim, kBase));
    StoredCredential attacker = makeCredential(u"user:attacker"_s, u"github"_s);
    attacker.accessToken = u"attacker-access"_s;
    attacker.refreshToken = u"attacker-refresh"_s;
    QVERIFY(m_repository->upsert(attacker, kBase));

    // Someone with write access to the database copies the victim's sealed tokens onto their row.
    Result<QSqlQuery> copy = m_database->prepare(
        u"UPDATE credentials SET access_token_sealed = (SELECT access_token_sealed FROM "
        u"credentials WHERE id = ?), refresh_token_sealed = (SELECT refresh_token_sealed FROM "
        u"credentials WHERE id = ?) WHERE id = ?"_s);
    QVERIFY2(copy, qPrintable(why(copy)));
    copy->addBindValue(victim.id);
    copy->addBindValue(victim.id);
    copy->addBindValue(attacker.id);
    QVERIFY(copy->exec());
    QCOMPARE(copy->numRowsAffected(), 1);

    QTest::ignoreMessage(
        QtWarningMsg,
        QRegularExpression(u"stored credential .*%1.* does not open"_s.arg(attacker.id)));
    const Result<std::optional<StoredCredential>> found =
        m_repository->find(u"user:attacker"_s, u"github"_s, u"default"_s);
    QVERIFY(!found);
    QCOMPARE(found.error().code, ErrorCode::Internal);
    QVERIFY(!found.error().message.contains(kAccess));

    // The victim's own row still opens.
    const Result<std::optional<StoredCredential>> own = m_repository->findById(victim.id);
    QVERIFY2(own, qPrintable(why(own)));
    QCOMPARE((*own)->accessToken, kAccess);

    // A different key opens nothing either.
    const Crypto::Sealer otherKey(
        Crypto::SecretKey::fromBytes(QByteArray(Crypto::SecretKey::Size, 'x')));
    CredentialRepository otherRepository(*m_database, otherKey);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"does not open"_s));
    const Result<std::optional<StoredCredential>> withOtherKey =
        otherRepository.findById(victim.id);
    QVERIFY(!withOtherKey);
    QCOMPARE(withOtherKey.error().code, ErrorCode::Internal);
}

void tst_Credentials::plaintextIsNeverStored()
{
    StoredCredential credential = makeCredential(u"user:u1"_s, u"github"_s);
    QVERIFY(m_repository->upsert(credential, kBase));
    QVERIFY(m_repository->storeRefreshed(credential.id,
                                         kAccess + u"-2"_s,
                                         kRefresh + u"-2"_s,
                                         kBase.addSecs(7200),
                                         kBase.addSecs(10)));

    const QStringList cells = allCellText(*m_database);
    QVERIFY(!cells.isEmpty());
    for (const QString &cell : cells) {
        QVERIFY2(!cell.contains(u"plaintext"_s), qPrintable(u"a column holds: "_s + cell));
    }

    if (currentBackend() == u"sqlite") {
        // The file itself, WAL and shared-memory files included.
        m_repository.reset();
        const QString path = m_database->settings().sqlitePath;
        m_database.reset();
        int files = 0;
        for (const QString &suffix : {u""_s, u"-wal"_s, u"-shm"_s, u"-journal"_s}) {
            QFile file(path + suffix);
            if (!file.open(QIODevice::ReadOnly)) {
                continue;
            }
            ++files;
            const QByteArray bytes = file.readAll();
            QVERIFY2(!bytes.contains("plaintext"), qPrintable(file.fileName()));
            QVERIFY2(!bytes.contains("ACCESS"), qPrintable(file.fileName()));
        }
        QVERIFY(files >= 1);
    }
}

void tst_Credentials::claimRefreshIsExclusiveUntilTheLeaseEnds()
{
    StoredCredential credential = makeCredential(u"user:u1"_s, u"github"_s);
    QVERIFY(m_repository->upsert(credential, kBase));
    const QDateTime leaseUntil = kBase.addSecs(30);

    Result<bool> claimed =
        m_repository->claimRefresh(credential.id, u"replica-a"_s, kBase, leaseUntil);
    QVERIFY2(claimed, qPrintable(why(claimed)));
    QVERIFY(*claimed);
    // Held: another replica loses, before and right at the end of the lease.
    QCOMPARE(*m_repository->claimRefresh(
                 credential.id, u"replica-b"_s, kBase.addSecs(1), kBase.addSecs(31)),
             false);
    QCOMPARE(*m_repository->claimRefresh(
                 credential.id, u"replica-b"_s, kBase.addSecs(29), kBase.addSecs(59)),
             false);
    // The holder may renew it.
    QCOMPARE(
        *m_repository->claimRefresh(credential.id, u"replica-a"_s, kBase.addSecs(2), leaseUntil),
        true);
    // Expired: the next claimant takes it over.
    QCOMPARE(*m_repository->claimRefresh(
                 credential.id, u"replica-b"_s, kBase.addSecs(30), kBase.addSecs(60)),
             true);
    QCOMPARE(*m_repository->claimRefresh(
                 credential.id, u"replica-a"_s, kBase.addSecs(31), kBase.addSecs(61)),
             false);
    // Storing the result releases it.
    QVERIFY(m_repository->storeRefreshed(
        credential.id, u"a2"_s, {}, kBase.addSecs(3600), kBase.addSecs(32)));
    QCOMPARE(*m_repository->claimRefresh(
                 credential.id, u"replica-a"_s, kBase.addSecs(33), kBase.addSecs(63)),
             true);
    // So does a failure.
    QVERIFY(m_repository->recordRefreshFailure(credential.id, false, kBase.addSecs(34)));
    QCOMPARE(*m_repository->claimRefresh(
                 credential.id, u"replica-b"_s, kBase.addSecs(35), kBase.addSecs(65)),
             true);
    // No such credential: nothing claimed.
    QCOMPARE(*m_repository->claimRefresh(u"no-such-id"_s, u"replica-a"_s, kBase, leaseUntil),
             false);
}

void tst_Credentials::storeRefreshed_data()
{
    QTest::addColumn<QString>("newRefreshToken");
    QTest::addColumn<QString>("expectedRefreshToken");
    QTest::addColumn<bool>("withExpiry");
    QTest::newRow("rotated") << u"rotated-refresh"_s << u"rotated-refresh"_s << true;
    QTest::newRow("none returned keeps the old one") << u""_s << kRefresh << true;
    QTest::newRow("no expires_in") << u""_s << kRefresh << false;
}

void tst_Credentials::storeRefreshed()
{
    QFETCH(QString, newRefreshToken);
    QFETCH(QString, expectedRefreshToken);
    QFETCH(bool, withExpiry);

    StoredCredential credential = makeCredential(u"user:u1"_s, u"github"_s);
    QVERIFY(m_repository->upsert(credential, kBase));
    QVERIFY(m_repository->recordRefreshFailure(credential.id, false, kBase.addSecs(5)));
    QVERIFY(*m_repository->claimRefresh(
        credential.id, u"replica-a"_s, kBase.addSecs(6), kBase.addSecs(36)));

    const std::optional<QDateTime> expiry =
        withExpiry ? std::optional<QDateTime>(kBase.addSecs(7200)) : std::nullopt;
    const Result<void> stored = m_repository->storeRefreshed(
        credential.id, u"refreshed-access"_s, newRefreshToken, expiry, kBase.addSecs(10));
    QVERIFY2(stored, qPrintable(why(stored)));

    const StoredCredential row = **m_repository->findById(credential.id);
    QCOMPARE(row.accessToken, u"refreshed-access"_s);
    QCOMPARE(row.refreshToken, expectedRefreshToken);
    QCOMPARE(row.expiresAt, expiry);
    QCOMPARE(row.refreshErrorCount, 0);
    QCOMPARE(row.updatedAt, kBase.addSecs(10));
    QCOMPARE(row.createdAt, kBase);
    QCOMPARE(row.metadata, credential.metadata);
    // The lease is released.
    QVERIFY(*m_repository->claimRefresh(
        credential.id, u"replica-b"_s, kBase.addSecs(11), kBase.addSecs(41)));
}

void tst_Credentials::recordRefreshFailure_data()
{
    QTest::addColumn<bool>("terminal");
    QTest::newRow("transient") << false;
    QTest::newRow("terminal (invalid_grant)") << true;
}

void tst_Credentials::recordRefreshFailure()
{
    QFETCH(bool, terminal);
    StoredCredential credential = makeCredential(u"user:u1"_s, u"github"_s);
    QVERIFY(m_repository->upsert(credential, kBase));
    QVERIFY(*m_repository->claimRefresh(credential.id, u"replica-a"_s, kBase, kBase.addSecs(30)));

    QVERIFY(m_repository->recordRefreshFailure(credential.id, terminal, kBase.addSecs(1)));
    QVERIFY(m_repository->recordRefreshFailure(credential.id, false, kBase.addSecs(2)));

    const StoredCredential row = **m_repository->findById(credential.id);
    QCOMPARE(row.refreshErrorCount, 2);
    QCOMPARE(row.invalid, terminal);
    QCOMPARE(row.accessToken, kAccess);
    QCOMPARE(row.refreshToken, kRefresh);
    QCOMPARE(row.updatedAt, kBase.addSecs(2));
    QVERIFY(*m_repository->claimRefresh(
        credential.id, u"replica-b"_s, kBase.addSecs(3), kBase.addSecs(33)));
}

void tst_Credentials::unknownIdIsNotFound()
{
    const Result<void> stored =
        m_repository->storeRefreshed(u"missing"_s, u"a"_s, u"r"_s, std::nullopt, kBase);
    QVERIFY(!stored);
    QCOMPARE(stored.error().code, ErrorCode::NotFound);
    const Result<void> failed = m_repository->recordRefreshFailure(u"missing"_s, true, kBase);
    QVERIFY(!failed);
    QCOMPARE(failed.error().code, ErrorCode::NotFound);
    const Result<std::optional<StoredCredential>> found = m_repository->findById(u"missing"_s);
    QVERIFY2(found, qPrintable(why(found)));
    QVERIFY(!found->has_value());
}

QTEST_GUILESS_MAIN(tst_Credentials)
#include "tst_credentials.moc"
