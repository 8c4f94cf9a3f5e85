// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// CredentialService on both stores against a real authorization server
// (tests/peers/oauth-server.mjs).
#include "catalog/AppDefinition.h"
#include "connections/CredentialRepository.h"
#include "connections/CredentialService.h"
#include "crypto/Sealer.h"
#include "httpclient/OAuthClient.h"
#include "httpclient/UpstreamClient.h"
#include "store/Database.h"
#include "support/LocalEgress.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using Gestalt::Test::NodePeer;
using Gestalt::Test::TestDatabase;

namespace {

const QDateTime kBase = QDateTime::fromMSecsSinceEpoch(1767225600000, Qt::UTC);
const QString kApp = u"github"_s;
const QString kOldAccess = u"old-access-token-91ab"_s;
const QString kOldRefresh = u"old-refresh-token-77cd"_s;
constexpr int kWaitMs = 20000;

template<typename T>
QString why(const Result<T> &result)
{
    return result ? QString() : result.error().message;
}

// Collects what callbacks delivered.
struct Results
{
    QList<Result<StoredCredential>> received;

    [[nodiscard]] CredentialService::Callback callback()
    {
        return [this](Result<StoredCredential> result) {
            received.append(std::move(result));
        };
    }
};

// One gestaltd replica: its own connection to the datastore, OAuth client and service.
struct Replica
{
    std::unique_ptr<Database> database;
    std::unique_ptr<CredentialRepository> repository;
    std::unique_ptr<UpstreamClient> upstream;
    std::unique_ptr<OAuthClient> oauth;
    std::unique_ptr<CredentialService> service;
};

} // namespace

class tst_CredentialService final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void freshCredentialNeedsNoTokenCall_data();
    void freshCredentialNeedsNoTokenCall();
    void expiringCredentialIsRefreshed_data();
    void expiringCredentialIsRefreshed();
    void concurrentCallsShareOneRefresh();
    void twoReplicasShareOneRefresh();
    void rotatedRefreshTokenIsStored_data();
    void rotatedRefreshTokenIsStored();
    void invalidGrantRequiresReconnect();
    void transientFailure_data();
    void transientFailure();
    void expiredWithoutRefreshTokenRequiresReconnect();
    void platformClientCredentialsAreCached();
    void platformRefreshTokenIsSeededFromConfig();
    void platformNeedsConfiguration_data();
    void platformNeedsConfiguration();

private:
    [[nodiscard]] static QString currentBackend();
    [[nodiscard]] Replica makeReplica(const QString &replicaId);
    [[nodiscard]] AppConnection connection() const;
    // A stored credential of user:u1 expiring `expiresIn` seconds from now (none: no expiry).
    [[nodiscard]] StoredCredential storeCredential(std::optional<int> expiresIn,
                                                   const QString &refreshToken = kOldRefresh);
    void control(const QJsonObject &settings);
    [[nodiscard]] int tokenRequests(const QString &grantType);
    [[nodiscard]] Result<StoredCredential> resolve(const StoredCredential &credential);
    [[nodiscard]] Result<StoredCredential> resolvePlatform(const AppConnection &platform);

    NodePeer m_oauth{u"oauth-server.mjs"_s};
    std::unique_ptr<QTemporaryDir> m_dir;
    DatastoreSettings m_settings;
    std::unique_ptr<Crypto::Sealer> m_sealer;
    QDateTime m_now;
    Replica m_replica;
};

void tst_CredentialService::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_CredentialService::initTestCase()
{
    QVERIFY2(m_oauth.start(), qPrintable(m_oauth.errorString()));
}

QString tst_CredentialService::currentBackend()
{
    QFETCH_GLOBAL(QString, backend);
    return backend;
}

void tst_CredentialService::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    control({{u"reset"_s, true}});
    m_now = kBase;
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
    const Result<DatastoreSettings> settings = TestDatabase::create(currentBackend(), *m_dir);
    QVERIFY2(settings, qPrintable(why(settings)));
    m_settings = *settings;
    m_sealer = std::make_unique<Crypto::Sealer>(
        Crypto::SecretKey::fromBytes(QByteArray(Crypto::SecretKey::Size, 'k')));
    m_replica = makeReplica(u"replica-a"_s);
    QVERIFY(m_replica.service);
}

void tst_CredentialService::cleanup()
{
    m_replica.service.reset();
    m_replica.oauth.reset();
    m_replica.repository.reset();
    m_replica.database.reset();
    m_sealer.reset();
    m_dir.reset();
}

void tst_CredentialService::cleanupTestCase()
{
    TestDatabase::dropAll();
}

Replica tst_CredentialService::makeReplica(const QString &replicaId)
{
    Replica replica;
    Result<std::unique_ptr<Database>> opened = Database::open(m_settings);
    if (!opened) {
        qCritical("cannot open the datastore: %s", qPrintable(opened.error().message));
        return replica;
    }
    replica.database = std::move(opened).value();
    replica.repository = std::make_unique<CredentialRepository>(*replica.database, *m_sealer);
    replica.upstream = std::make_unique<UpstreamClient>();
    replica.oauth = std::make_unique<OAuthClient>(*replica.upstream);
    replica.service = std::make_unique<CredentialService>(
        *replica.repository, *replica.oauth, [this] { return m_now; }, replicaId);
    return replica;
}

AppConnection tst_CredentialService::connection() const
{
    AuthConfig auth;
    auth.authorizationUrl = m_oauth.baseUrl() + u"/authorize"_s;
    auth.tokenUrl = m_oauth.baseUrl() + u"/token"_s;
    auth.clientId = u"client"_s;
    auth.clientSecret = u"secret"_s;
    AppConnection result;
    result.name = u"default"_s;
    result.connectionId = u"github"_s;
    result.config.mode = ConnectionMode::User;
    result.config.auth = auth;
    return result;
}

StoredCredential tst_CredentialService::storeCredential(std::optional<int> expiresIn,
                                                        const QString &refreshToken)
{
    StoredCredential credential;
    credential.subjectId = u"user:u1"_s;
    credential.connectionId = u"github"_s;
    credential.accessToken = kOldAccess;
    credential.refreshToken = refreshToken;
    credential.tokenType = u"Bearer"_s;
    if (expiresIn) {
        credential.expiresAt = m_now.addSecs(*expiresIn);
    }
    const Result<void> stored = m_replica.repository->upsert(credential, m_now);
    if (!stored) {
        qCritical("cannot store the credential: %s", qPrintable(stored.error().message));
    }
    return credential;
}

void tst_CredentialService::control(const QJsonObject &settings)
{
    const Result<QJsonDocument> answer = m_oauth.postJson(u"/_control"_s, QJsonDocument(settings));
    QVERIFY2(answer, qPrintable(why(answer)));
}

int tst_CredentialService::tokenRequests(const QString &grantType)
{
    const Result<QJsonDocument> answer = m_oauth.getJson(u"/_control/stats"_s);
    if (!answer) {
        return -1;
    }
    const QJsonObject stats = answer->object();
    return grantType.isEmpty()
               ? stats.value(u"total"_s).toInt()
               : stats.value(u"tokenRequests"_s).toObject().value(grantType).toInt();
}

Result<StoredCredential> tst_CredentialService::resolve(const StoredCredential &credential)
{
    Results results;
    m_replica.service->resolveFresh(
        kApp, Test::localEgress(), connection(), credential, results.callback());
    if (!results.received.isEmpty()) {
        return Error::internal(u"called back inside resolveFresh()"_s);
    }
    if (!QTest::qWaitFor([&] { return !results.received.isEmpty(); }, kWaitMs)) {
        return Error::internal(u"no callback within the time limit"_s);
    }
    return results.received.first();
}

Result<StoredCredential> tst_CredentialService::resolvePlatform(const AppConnection &platform)
{
    Results results;
    m_replica.service->resolvePlatform(kApp, Test::localEgress(), platform, results.callback());
    if (!results.received.isEmpty()) {
        return Error::internal(u"called back inside resolvePlatform()"_s);
    }
    if (!QTest::qWaitFor([&] { return !results.received.isEmpty(); }, kWaitMs)) {
        return Error::internal(u"no callback within the time limit"_s);
    }
    return results.received.first();
}

void tst_CredentialService::freshCredentialNeedsNoTokenCall_data()
{
    QTest::addColumn<std::optional<int>>("expiresIn");
    QTest::newRow("expires in an hour") << std::optional<int>(3600);
    QTest::newRow("expires in 5 min 1 s") << std::optional<int>(301);
    QTest::newRow("no expiry") << std::optional<int>();
}

void tst_CredentialService::freshCredentialNeedsNoTokenCall()
{
    QFETCH(std::optional<int>, expiresIn);
    const StoredCredential credential = storeCredential(expiresIn);
    const Result<StoredCredential> resolved = resolve(credential);
    QVERIFY2(resolved, qPrintable(why(resolved)));
    QCOMPARE(resolved->accessToken, kOldAccess);
    QCOMPARE(tokenRequests({}), 0);
}

void tst_CredentialService::expiringCredentialIsRefreshed_data()
{
    QTest::addColumn<int>("expiresIn");
    QTest::newRow("expires in 4 min") << 240;
    QTest::newRow("expires in exactly 5 min") << 300;
    QTest::newRow("expired an hour ago") << -3600;
}

void tst_CredentialService::expiringCredentialIsRefreshed()
{
    QFETCH(int, expiresIn);
    control({{u"expiresIn"_s, 1800}});
    const StoredCredential credential = storeCredential(expiresIn);
    m_now = m_now.addSecs(1);

    const Result<StoredCredential> resolved = resolve(credential);
    QVERIFY2(resolved, qPrintable(why(resolved)));
    QVERIFY(resolved->accessToken != kOldAccess);
    QCOMPARE(resolved->expiresAt, std::optional<QDateTime>(m_now.addSecs(1800)));
    QCOMPARE(tokenRequests(u"refresh_token"_s), 1);

    const StoredCredential row = **m_replica.repository->findById(credential.id);
    QCOMPARE(row.accessToken, resolved->accessToken);
    QCOMPARE(row.expiresAt, std::optional<QDateTime>(m_now.addSecs(1800)));
    QCOMPARE(row.refreshErrorCount, 0);

    // Fresh now: the next call makes none.
    const Result<StoredCredential> again = resolve(row);
    QVERIFY2(again, qPrintable(why(again)));
    QCOMPARE(again->accessToken, row.accessToken);
    QCOMPARE(tokenRequests(u"refresh_token"_s), 1);
}

void tst_CredentialService::concurrentCallsShareOneRefresh()
{
    const StoredCredential credential = storeCredential(60);
    Results results;
    for (int i = 0; i < 3; ++i) {
        m_replica.service->resolveFresh(
            kApp, Test::localEgress(), connection(), credential, results.callback());
    }
    QVERIFY(results.received.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(results.received.size(), 3, kWaitMs);
    const QString newToken = results.received.first()->accessToken;
    QVERIFY(newToken != kOldAccess);
    for (const Result<StoredCredential> &result : std::as_const(results.received)) {
        QVERIFY2(result, qPrintable(why(result)));
        QCOMPARE(result->accessToken, newToken);
    }
    QCOMPARE(tokenRequests(u"refresh_token"_s), 1);
}

void tst_CredentialService::twoReplicasShareOneRefresh()
{
    const StoredCredential credential = storeCredential(60);
    Replica other = makeReplica(u"replica-b"_s);
    QVERIFY(other.service);

    Results first;
    Results second;
    // The second replica loses the claim and waits for the first one's result.
    QTest::ignoreMessage(QtInfoMsg,
                         QRegularExpression(u"credential %1 is being refreshed by another "
                                            u"replica"_s.arg(credential.id)));
    m_replica.service->resolveFresh(
        kApp, Test::localEgress(), connection(), credential, first.callback());
    other.service->resolveFresh(
        kApp, Test::localEgress(), connection(), credential, second.callback());
    QTRY_COMPARE_WITH_TIMEOUT(first.received.size(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(second.received.size(), 1, kWaitMs);
    QVERIFY2(first.received.first(), qPrintable(why(first.received.first())));
    QVERIFY2(second.received.first(), qPrintable(why(second.received.first())));
    QVERIFY(first.received.first()->accessToken != kOldAccess);
    QCOMPARE(second.received.first()->accessToken, first.received.first()->accessToken);
    QCOMPARE(tokenRequests(u"refresh_token"_s), 1);
}

void tst_CredentialService::rotatedRefreshTokenIsStored_data()
{
    QTest::addColumn<bool>("rotate");
    QTest::newRow("rotated") << true;
    QTest::newRow("not returned: old one kept") << false;
}

void tst_CredentialService::rotatedRefreshTokenIsStored()
{
    QFETCH(bool, rotate);
    control({{u"rotateRefreshTokens"_s, rotate}});
    const StoredCredential credential = storeCredential(60);
    const Result<StoredCredential> resolved = resolve(credential);
    QVERIFY2(resolved, qPrintable(why(resolved)));

    const StoredCredential row = **m_replica.repository->findById(credential.id);
    QCOMPARE(row.refreshToken, resolved->refreshToken);
    QCOMPARE(row.refreshToken != kOldRefresh, rotate);
    QVERIFY(!row.refreshToken.isEmpty());
}

void tst_CredentialService::invalidGrantRequiresReconnect()
{
    control({{u"invalidGrant"_s, u"all"_s}});
    const StoredCredential credential = storeCredential(60);
    const Result<StoredCredential> resolved = resolve(credential);
    QVERIFY(!resolved);
    QCOMPARE(resolved.error().code, ErrorCode::PreconditionFailed);
    QCOMPARE(resolved.error().machineCode, u"reconnect_required"_s);
    QVERIFY2(resolved.error().message.contains(u"\"github\""_s),
             qPrintable(resolved.error().message));
    QVERIFY(!resolved.error().message.contains(kOldRefresh));
    QVERIFY(!resolved.error().message.contains(kOldAccess));

    const StoredCredential row = **m_replica.repository->findById(credential.id);
    QVERIFY(row.invalid);
    QCOMPARE(row.refreshErrorCount, 1);
    QCOMPARE(tokenRequests(u"refresh_token"_s), 1);

    // Known invalid: no further token call.
    const Result<StoredCredential> again = resolve(row);
    QVERIFY(!again);
    QCOMPARE(again.error().machineCode, u"reconnect_required"_s);
    QCOMPARE(tokenRequests(u"refresh_token"_s), 1);
}

void tst_CredentialService::transientFailure_data()
{
    QTest::addColumn<int>("expiresIn");
    QTest::addColumn<bool>("expectOldCredential");
    QTest::newRow("still valid: the old token is used") << 120 << true;
    QTest::newRow("expired: reconnect required") << -10 << false;
}

void tst_CredentialService::transientFailure()
{
    QFETCH(int, expiresIn);
    QFETCH(bool, expectOldCredential);
    control({{u"failRefresh"_s, u"all"_s}});
    const StoredCredential credential = storeCredential(expiresIn);
    const Result<StoredCredential> resolved = resolve(credential);
    QCOMPARE(bool(resolved), expectOldCredential);
    if (expectOldCredential) {
        QCOMPARE(resolved->accessToken, kOldAccess);
    } else {
        QCOMPARE(resolved.error().machineCode, u"reconnect_required"_s);
    }
    const StoredCredential row = **m_replica.repository->findById(credential.id);
    QCOMPARE(row.refreshErrorCount, 1);
    QVERIFY(!row.invalid);
    QCOMPARE(row.accessToken, kOldAccess);
}

void tst_CredentialService::expiredWithoutRefreshTokenRequiresReconnect()
{
    const StoredCredential credential = storeCredential(-1, QString());
    const Result<StoredCredential> resolved = resolve(credential);
    QVERIFY(!resolved);
    QCOMPARE(resolved.error().code, ErrorCode::PreconditionFailed);
    QCOMPARE(resolved.error().machineCode, u"reconnect_required"_s);
    QCOMPARE(tokenRequests({}), 0);

    // Expiring soon but not yet expired, and nothing to refresh with: still usable.
    const StoredCredential soon = storeCredential(60, QString());
    const Result<StoredCredential> usable = resolve(soon);
    QVERIFY2(usable, qPrintable(why(usable)));
    QCOMPARE(usable->accessToken, kOldAccess);
}

void tst_CredentialService::platformClientCredentialsAreCached()
{
    control({{u"expiresIn"_s, 3600}});
    AppConnection platform = connection();
    platform.config.mode = ConnectionMode::Platform;
    platform.config.auth->grantType = u"client_credentials"_s;

    const Result<StoredCredential> first = resolvePlatform(platform);
    QVERIFY2(first, qPrintable(why(first)));
    QVERIFY(!first->accessToken.isEmpty());
    QCOMPARE(first->subjectId, u"system:platform"_s);
    QCOMPARE(tokenRequests(u"client_credentials"_s), 1);

    m_now = m_now.addSecs(1800);
    const Result<StoredCredential> cached = resolvePlatform(platform);
    QVERIFY2(cached, qPrintable(why(cached)));
    QCOMPARE(cached->accessToken, first->accessToken);
    QCOMPARE(tokenRequests(u"client_credentials"_s), 1);

    // Within 5 minutes of expiry: a new one.
    m_now = m_now.addSecs(1600);
    const Result<StoredCredential> renewed = resolvePlatform(platform);
    QVERIFY2(renewed, qPrintable(why(renewed)));
    QCOMPARE(tokenRequests(u"client_credentials"_s), 2);
    const Result<std::optional<StoredCredential>> row =
        m_replica.repository->find(u"system:platform"_s, u"github"_s, u"default"_s);
    QVERIFY2(row, qPrintable(why(row)));
    QCOMPARE((*row)->accessToken, renewed->accessToken);
}

void tst_CredentialService::platformRefreshTokenIsSeededFromConfig()
{
    AppConnection platform = connection();
    platform.config.mode = ConnectionMode::Platform;
    platform.config.auth->grantType = u"refresh_token"_s;
    platform.config.auth->refreshToken = u"deployer-refresh-token"_s;

    const Result<StoredCredential> first = resolvePlatform(platform);
    QVERIFY2(first, qPrintable(why(first)));
    QVERIFY(!first->accessToken.isEmpty());
    QCOMPARE(tokenRequests(u"refresh_token"_s), 1);
    const Result<QJsonDocument> stats = m_oauth.getJson(u"/_control/stats"_s);
    QVERIFY2(stats, qPrintable(why(stats)));
    QCOMPARE(stats->object()[u"last"_s][u"body"_s][u"refresh_token"_s].toString(),
             u"deployer-refresh-token"_s);

    const Result<StoredCredential> cached = resolvePlatform(platform);
    QVERIFY2(cached, qPrintable(why(cached)));
    QCOMPARE(cached->accessToken, first->accessToken);
    QCOMPARE(tokenRequests(u"refresh_token"_s), 1);

    // The deployer replaces the token in the config: it is used from then on.
    platform.config.auth->refreshToken = u"replaced-refresh-token"_s;
    const Result<StoredCredential> replaced = resolvePlatform(platform);
    QVERIFY2(replaced, qPrintable(why(replaced)));
    QCOMPARE(tokenRequests(u"refresh_token"_s), 2);
    const Result<QJsonDocument> after = m_oauth.getJson(u"/_control/stats"_s);
    QVERIFY2(after, qPrintable(why(after)));
    QCOMPARE(after->object()[u"last"_s][u"body"_s][u"refresh_token"_s].toString(),
             u"replaced-refresh-token"_s);
}

void tst_CredentialService::platformNeedsConfiguration_data()
{
    QTest::addColumn<QString>("grantType");
    QTest::addColumn<QString>("refreshToken");
    QTest::addColumn<QString>("tokenUrl");
    QTest::newRow("refresh_token without a token") << u"refresh_token"_s << u""_s << u"x"_s;
    QTest::newRow("authorization_code grant") << u""_s << u""_s << u"x"_s;
    QTest::newRow("no tokenUrl") << u"client_credentials"_s << u""_s << u""_s;
}

void tst_CredentialService::platformNeedsConfiguration()
{
    QFETCH(QString, grantType);
    QFETCH(QString, refreshToken);
    QFETCH(QString, tokenUrl);
    AppConnection platform = connection();
    platform.config.mode = ConnectionMode::Platform;
    platform.config.auth->grantType = grantType;
    platform.config.auth->refreshToken = refreshToken;
    if (tokenUrl.isEmpty()) {
        platform.config.auth->tokenUrl.clear();
    }
    const Result<StoredCredential> resolved = resolvePlatform(platform);
    QVERIFY(!resolved);
    QCOMPARE(resolved.error().code, ErrorCode::PreconditionFailed);
    QCOMPARE(resolved.error().machineCode, u"admin_configuration_required"_s);
    QCOMPARE(tokenRequests({}), 0);
}

QTEST_GUILESS_MAIN(tst_CredentialService)
#include "tst_credentialservice.moc"
