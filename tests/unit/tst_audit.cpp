// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The audit trail: events, the repository on both stores, the batching log, and the admin route.
#include "audit/AuditEvent.h"
#include "audit/AuditLog.h"
#include "audit/AuditRepository.h"
#include "audit/AuditRoutes.h"
#include "crypto/Base64.h"
#include "http/HttpServer.h"
#include "store/Database.h"
#include "support/RawHttpClient.h"
#include "support/TestDatabase.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using Gestalt::Test::rawRequest;
using Gestalt::Test::TestDatabase;

namespace {

const QDateTime kBase = QDateTime::fromMSecsSinceEpoch(1767225600123, Qt::UTC); // 2026-01-01

template<typename T>
QString why(const Result<T> &result)
{
    return result ? QString() : result.error().message;
}

// The label of an event is its request id.
AuditEvent makeEvent(const QString &label,
                     int secondsAfterBase,
                     const QString &subject,
                     const QString &action,
                     const QString &targetId = {},
                     const QString &targetName = {})
{
    AuditEvent event;
    event.time = kBase.addSecs(secondsAfterBase);
    event.context.requestId = label;
    event.subjectId = subject;
    event.subjectKind = subject.section(u':', 0, 0);
    event.authSource = u"session"_s;
    event.action = action;
    event.targetKind = targetId.isEmpty() ? QString() : u"operation"_s;
    event.targetId = targetId;
    event.targetName = targetName;
    return event;
}

QStringList labels(const QList<AuditEvent> &events)
{
    QStringList out;
    for (const AuditEvent &event : events) {
        out.append(event.context.requestId);
    }
    return out;
}

QStringList labels(const QJsonArray &events)
{
    QStringList out;
    for (const QJsonValue &event : events) {
        out.append(event["requestId"_L1].toString());
    }
    return out;
}

// e1..e10, one every 10 s from kBase, in id order. Actions and targets built for the filters.
QList<AuditEvent> filterFixture()
{
    return {
        makeEvent(u"e1"_s, 0, u"user:alice"_s, u"auth.login.complete"_s),
        makeEvent(u"e2"_s, 10, u"user:bob"_s, u"api_token.create"_s, u"tok1"_s, u"ci-token"_s),
        makeEvent(u"e3"_s, 20, u"user:alice"_s, u"github.listRepos"_s, u"op1"_s, u"github"_s),
        makeEvent(u"e4"_s, 30, u"user:alice"_s, u"auth.logout"_s),
        makeEvent(
            u"e5"_s, 40, u"service_account:ci"_s, u"github.listRepos"_s, u"op1"_s, u"github"_s),
        makeEvent(u"e6"_s, 50, u"user:bob"_s, u"a_b.one"_s, u"x"_s),
        makeEvent(u"e7"_s, 60, u"user:bob"_s, u"axb.two"_s, u"x"_s),
        makeEvent(u"e8"_s, 70, u"user:bob"_s, u"a%b.three"_s, u"y"_s, u"x"_s),
        makeEvent(u"e9"_s, 80, u"user:alice"_s, u"AUTH.other"_s),
        makeEvent(u"e10"_s, 90, u"user:alice"_s, u"authentic.thing"_s),
    };
}

int countRows(Database &database)
{
    Result<QSqlQuery> query = database.prepare(u"SELECT COUNT(*) FROM audit_events"_s);
    if (!query || !query->exec() || !query->next()) {
        return -1;
    }
    return query->value(0).toInt();
}

// DDL can't be a prepared statement on PostgreSQL.
bool renameTable(Database &database, const QString &from, const QString &to)
{
    QSqlQuery query(database.connection());
    return query.exec(u"ALTER TABLE %1 RENAME TO %2"_s.arg(from, to));
}

QByteArray get(const QByteArray &target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

// A fixed caller; the route's AdminCheck decides the rest.
class FixedAuthenticator final : public Authenticator
{
public:
    Result<Principal> authenticate(const HttpRequest &) override
    {
        Principal principal;
        principal.subjectId = u"user:admin"_s;
        principal.userId = u"admin"_s;
        principal.source = Principal::Source::Session;
        return principal;
    }
};

} // namespace

class tst_Audit final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup();
    void cleanupTestCase();

    void fromRequest_data();
    void fromRequest();
    void userAgentIsCapped();
    void forRequestFillsContextPrincipalActionAndTarget();
    void setOutcomeRecordsThePublicMessageOnly();
    void setPrincipal_data();
    void setPrincipal();
    void toJsonHasExactlyTheDocumentedKeys();

    void insertBatchRoundTrips();
    void filters_data();
    void filters();
    void pagingReachesTheEnd_data();
    void pagingReachesTheEnd();
    void badCursorIs400_data();
    void badCursorIs400();
    void limitOutOfRangeIs400();

    void logFlushesByTimer();
    void logFlushesBySize();
    void logFlushesOnDestruction();
    void logKeepsEventsWhenTheWriteFails();
    void logRequeuesAFailedBackgroundBatch();
    void logQueueIsBounded();

    void routeAnswersEventsAndPages();
    void routeFiltersByTime();
    void routeForbiddenByAdminCheck();
    void routeRejectsBadParameters_data();
    void routeRejectsBadParameters();

private:
    [[nodiscard]] std::unique_ptr<Database> openFresh(QTemporaryDir &dir);
    [[nodiscard]] std::unique_ptr<Database> openFresh() { return openFresh(*m_dir); }
    // The filter fixture in one datastore per backend, for tests that only read (a new
    // PostgreSQL database per data row is slow to create and to drop).
    [[nodiscard]] Database *readOnlyFixture();
    // A server on port 0 with the audit route over `database`; false when it did not start.
    [[nodiscard]] bool startServer(Database *database);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_error;
    QTemporaryDir m_fixtureDir;
    std::map<QString, std::unique_ptr<Database>> m_fixtures; // by backend
    std::unique_ptr<Database> m_fresh;
    std::unique_ptr<AuditRepository> m_repository;
    std::unique_ptr<AuditLog> m_log;
    FixedAuthenticator m_authenticator;
    std::unique_ptr<AuditRoutes> m_routes;
    std::unique_ptr<HttpServer> m_server;
    quint16 m_port = 0;
    bool m_isAdmin = true;
};

void tst_Audit::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
    m_error.clear();
    m_isAdmin = true;
}

void tst_Audit::cleanup()
{
    m_server.reset();
    m_routes.reset();
    m_log.reset();
    m_repository.reset();
    m_fresh.reset();
    m_dir.reset();
}

void tst_Audit::cleanupTestCase()
{
    m_fixtures.clear();
    TestDatabase::dropAll();
}

std::unique_ptr<Database> tst_Audit::openFresh(QTemporaryDir &dir)
{
    QFETCH_GLOBAL(QString, backend);
    const Result<DatastoreSettings> settings = TestDatabase::create(backend, dir);
    if (!settings) {
        m_error = settings.error().message;
        return nullptr;
    }
    Result<std::unique_ptr<Database>> opened = Database::open(*settings);
    if (!opened) {
        m_error = opened.error().message;
        return nullptr;
    }
    return std::move(opened).value();
}

Database *tst_Audit::readOnlyFixture()
{
    QFETCH_GLOBAL(QString, backend);
    std::unique_ptr<Database> &fixture = m_fixtures[backend];
    if (!fixture) {
        std::unique_ptr<Database> database = openFresh(m_fixtureDir);
        if (!database) {
            return nullptr;
        }
        const Result<void> inserted = AuditRepository(*database).insert(filterFixture());
        if (!inserted) {
            m_error = inserted.error().message;
            return nullptr;
        }
        fixture = std::move(database);
    }
    return fixture.get();
}

bool tst_Audit::startServer(Database *database)
{
    if (!database) {
        return false;
    }
    m_repository = std::make_unique<AuditRepository>(*database);
    m_log = std::make_unique<AuditLog>(*m_repository, [] { return kBase; });
    m_routes =
        std::make_unique<AuditRoutes>(*m_log, [this](const HttpRequest &request) -> Result<void> {
            if (!m_isAdmin || !request.principal) {
                return Error::forbidden(u"administrators only"_s);
            }
            return {};
        });
    m_server = std::make_unique<HttpServer>(HttpServerOptions{});
    m_server->setAuthenticator(&m_authenticator);
    m_routes->registerRoutes(m_server->router());
    const Result<quint16> port = m_server->listen(u"127.0.0.1"_s, 0);
    if (!port) {
        m_error = port.error().message;
        return false;
    }
    m_port = *port;
    return true;
}

// ---- AuditContext / AuditEvent -------------------------------------------------------------

void tst_Audit::fromRequest_data()
{
    QTest::addColumn<QByteArrayList>("forwardedFor"); // one entry per header line
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QString>("clientIp");
    QTest::addColumn<QString>("remoteAddr");

    // The peer is a trusted proxy (server.trustedProxies: 192.0.2.10/32, 10.0.0.0/8): the client
    // is the right-most entry that is not itself a trusted proxy.
    const QString peer = u"192.0.2.10"_s;
    QTest::newRow("no header: the peer") << QByteArrayList{} << peer << peer << peer;
    QTest::newRow("one address") << QByteArrayList{"203.0.113.7"} << peer << u"203.0.113.7"_s
                                 << peer;
    QTest::newRow("trusted hops skipped, trimmed")
        << QByteArrayList{"  203.0.113.7 ,10.0.0.1, 10.0.0.2"} << peer << u"203.0.113.7"_s << peer;
    QTest::newRow("a spoofed left-most entry is not believed")
        << QByteArrayList{"6.6.6.6, 203.0.113.7"} << peer << u"203.0.113.7"_s << peer;
    QTest::newRow("several header lines read as one list")
        << QByteArrayList{"198.51.100.1", "10.0.0.1"} << peer << u"198.51.100.1"_s << peer;
    QTest::newRow("IPv6 in canonical form")
        << QByteArrayList{"2001:DB8:0:0::1, 10.0.0.1"} << peer << u"2001:db8::1"_s << peer;
    QTest::newRow("garbage: the peer") << QByteArrayList{"not-an-ip"} << peer << peer << peer;
    QTest::newRow("'unknown' left of an address: that address")
        << QByteArrayList{"unknown, 203.0.113.7"} << peer << u"203.0.113.7"_s << peer;
    QTest::newRow("address with port: the peer")
        << QByteArrayList{"203.0.113.7:8080"} << peer << peer << peer;
    QTest::newRow("short inet_aton form: the peer")
        << QByteArrayList{"127.1"} << peer << peer << peer;
    QTest::newRow("empty entry: the peer")
        << QByteArrayList{"203.0.113.7, "} << peer << peer << peer;
    QTest::newRow("markup: the peer")
        << QByteArrayList{"<script>alert(1)</script>"} << peer << peer << peer;
    QTest::newRow("very long: the peer")
        << QByteArrayList{QByteArray(4096, '1')} << peer << peer << peer;
    QTest::newRow("an untrusted peer's header is ignored")
        << QByteArrayList{"203.0.113.7"} << u"198.51.100.99"_s << u"198.51.100.99"_s
        << u"198.51.100.99"_s;
    QTest::newRow("IPv4-mapped peer as IPv4")
        << QByteArrayList{} << u"::ffff:192.0.2.1"_s << u"192.0.2.1"_s << u"192.0.2.1"_s;
    QTest::newRow("IPv6 peer") << QByteArrayList{} << u"2001:db8::5"_s << u"2001:db8::5"_s
                               << u"2001:db8::5"_s;
}

void tst_Audit::fromRequest()
{
    QFETCH(QByteArrayList, forwardedFor);
    QFETCH(QString, peer);
    QFETCH(QString, clientIp);
    QFETCH(QString, remoteAddr);

    HttpRequest request;
    request.requestId = u"req-1"_s;
    request.remoteAddress = QHostAddress(peer);
    request.headers.append({"User-Agent"_ba, "curl/8.0"_ba});
    for (const QByteArray &value : std::as_const(forwardedFor)) {
        request.headers.append({"X-Forwarded-For"_ba, value});
    }
    RequestPolicy policy;
    policy.trustedProxies = {QHostAddress::parseSubnet(u"192.0.2.10/32"_s),
                             QHostAddress::parseSubnet(u"10.0.0.0/8"_s)};
    request.clientAddress = policy.clientAddress(request);
    const AuditContext context = AuditContext::fromRequest(request);
    QCOMPARE(context.requestId, u"req-1"_s);
    QCOMPARE(context.source, u"http"_s);
    QCOMPARE(context.clientIp, clientIp);
    QCOMPARE(context.remoteAddr, remoteAddr);
    QCOMPARE(context.userAgent, u"curl/8.0"_s);
}

void tst_Audit::forRequestFillsContextPrincipalActionAndTarget()
{
    HttpRequest request;
    request.requestId = u"req-9"_s;
    request.remoteAddress = QHostAddress(u"127.0.0.1"_s);
    AuditEvent anonymous = AuditEvent::forRequest(request, u"auth.login.start"_s);
    QCOMPARE(anonymous.context.requestId, u"req-9"_s);
    QCOMPARE(anonymous.action, u"auth.login.start"_s);
    QCOMPARE(anonymous.subjectId, QString());
    QVERIFY(anonymous.allowed);

    Principal principal;
    principal.subjectId = u"user:42"_s;
    principal.source = Principal::Source::ApiToken;
    request.principal = principal;
    const AuditEvent event = AuditEvent::forRequest(
        request, u"api_token.revoke"_s, {u"api_token"_s, u"tok-1"_s, u"laptop"_s});
    QCOMPARE(event.subjectId, u"user:42"_s);
    QCOMPARE(event.subjectKind, u"user"_s);
    QCOMPARE(event.authSource, u"api_token"_s);
    QCOMPARE(event.targetKind, u"api_token"_s);
    QCOMPARE(event.targetId, u"tok-1"_s);
    QCOMPARE(event.targetName, u"laptop"_s);
    QCOMPARE(event.context.remoteAddr, u"127.0.0.1"_s);
}

void tst_Audit::setOutcomeRecordsThePublicMessageOnly()
{
    AuditEvent event;
    event.setOutcome(Result<int>(Error::notFound(u"unknown token"_s)));
    QVERIFY(!event.allowed);
    QCOMPARE(event.error, u"unknown token"_s);
    // An internal error's detail (SQL, paths) never reaches the audit trail.
    event.setOutcome(std::optional<Error>(Error::internal(u"SELECT secret FROM x: disk I/O"_s)));
    QVERIFY(!event.allowed);
    QVERIFY2(!event.error.contains(u"SELECT"_s), qPrintable(event.error));
    event.setOutcome(Result<int>(7));
    QVERIFY(event.allowed);
    QCOMPARE(event.error, QString());
}

void tst_Audit::userAgentIsCapped()
{
    HttpRequest request;
    request.headers.append({"user-agent"_ba, QByteArray(600, 'a')});
    QCOMPARE(AuditContext::fromRequest(request).userAgent, QString(512, u'a'));

    // A character outside the BMP across the cut is dropped whole, not halved.
    request.headers = {{"user-agent"_ba, QByteArray(511, 'b') + "\xF0\x9F\x98\x80" + "tail"}};
    const QString agent = AuditContext::fromRequest(request).userAgent;
    QCOMPARE(agent, QString(511, u'b'));

    request.headers.clear();
    QVERIFY(AuditContext::fromRequest(request).userAgent.isEmpty());
}

void tst_Audit::setPrincipal_data()
{
    QTest::addColumn<int>("source");
    QTest::addColumn<QString>("subjectId");
    QTest::addColumn<QString>("authSource");
    QTest::addColumn<QString>("subjectKind");
    QTest::newRow("session user") << int(Principal::Source::Session) << u"user:42ab"_s
                                  << u"session"_s << u"user"_s;
    QTest::newRow("api token of a service account")
        << int(Principal::Source::ApiToken) << u"service_account:ci"_s << u"api_token"_s
        << u"service_account"_s;
    QTest::newRow("anonymous local mode is env")
        << int(Principal::Source::None) << u"system:local"_s << u"env"_s << u"system"_s;
    QTest::newRow("id without a kind")
        << int(Principal::Source::Session) << u"oddball"_s << u"session"_s << QString();
}

void tst_Audit::setPrincipal()
{
    QFETCH(int, source);
    QFETCH(QString, subjectId);
    QFETCH(QString, authSource);
    QFETCH(QString, subjectKind);
    Principal principal;
    principal.source = static_cast<Principal::Source>(source);
    principal.subjectId = subjectId;
    AuditEvent event;
    event.setPrincipal(principal);
    QCOMPARE(event.authSource, authSource);
    QCOMPARE(event.subjectId, subjectId);
    QCOMPARE(event.subjectKind, subjectKind);
}

void tst_Audit::toJsonHasExactlyTheDocumentedKeys()
{
    AuditEvent event =
        makeEvent(u"r1"_s, 0, u"user:alice"_s, u"api_token.create"_s, u"t1"_s, u"ci"_s);
    event.id = 7;
    event.context.clientIp = u"203.0.113.7"_s;
    QStringList expected = {u"id"_s,
                            u"time"_s,
                            u"requestId"_s,
                            u"source"_s,
                            u"authSource"_s,
                            u"subjectId"_s,
                            u"subjectKind"_s,
                            u"action"_s,
                            u"targetKind"_s,
                            u"targetId"_s,
                            u"targetName"_s,
                            u"allowed"_s,
                            u"clientIp"_s,
                            u"remoteAddr"_s,
                            u"userAgent"_s};
    expected.sort();
    QJsonObject json = event.toJson();
    QCOMPARE(json.keys(), expected); // QJsonObject keys are sorted
    QCOMPARE(json["time"_L1].toString(), u"2026-01-01T00:00:00.123Z"_s);
    QCOMPARE(json["id"_L1].toInteger(), 7);
    QCOMPARE(json["allowed"_L1].toBool(), true);
    QCOMPARE(json["clientIp"_L1].toString(), u"203.0.113.7"_s);

    event.allowed = false;
    event.error = u"operation access denied"_s;
    json = event.toJson();
    expected.append(u"error"_s);
    expected.sort();
    QCOMPARE(json.keys(), expected);
    QCOMPARE(json["error"_L1].toString(), u"operation access denied"_s);
    QCOMPARE(json["allowed"_L1].toBool(), false);
}

// ---- AuditRepository -----------------------------------------------------------------------

void tst_Audit::insertBatchRoundTrips()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);
    QVERIFY(repository.insert({})); // nothing to do

    AuditEvent full = makeEvent(
        u"r2"_s, 5, u"service_account:ci"_s, u"github.listRepos"_s, u"op1"_s, u"github"_s);
    full.context.source = u"mcp"_s;
    full.context.clientIp = u"203.0.113.7"_s;
    full.context.remoteAddr = u"10.0.0.1"_s;
    full.context.userAgent = u"agent/1.0 (ü)"_s;
    full.authSource = u"api_token"_s;
    full.allowed = false;
    full.error = u"token scope denied: github"_s;
    AuditEvent bare; // nothing but an action: empty columns, not NULL failures
    bare.time = kBase.addSecs(9);
    bare.action = u"auth.logout"_s;
    const QList<AuditEvent> batch = {
        makeEvent(u"r1"_s, 0, u"user:a"_s, u"auth.login.start"_s), full, bare};
    const Result<void> inserted = repository.insert(batch);
    QVERIFY2(inserted, qPrintable(why(inserted)));

    const Result<AuditPage> page = repository.query({});
    QVERIFY2(page, qPrintable(why(page)));
    QCOMPARE(page->events.size(), 3);
    QVERIFY(page->nextCursor.isEmpty());
    QCOMPARE(labels(page->events), (QStringList{QString(), u"r2"_s, u"r1"_s}));
    QVERIFY(page->events[0].id > page->events[1].id);
    QVERIFY(page->events[1].id > page->events[2].id);
    QVERIFY(page->events[2].id > 0);

    const AuditEvent &got = page->events[1];
    QCOMPARE(got.time, full.time);
    QCOMPARE(got.time.timeSpec(), Qt::UTC);
    QCOMPARE(got.context.source, full.context.source);
    QCOMPARE(got.context.clientIp, full.context.clientIp);
    QCOMPARE(got.context.remoteAddr, full.context.remoteAddr);
    QCOMPARE(got.context.userAgent, full.context.userAgent);
    QCOMPARE(got.authSource, full.authSource);
    QCOMPARE(got.subjectId, full.subjectId);
    QCOMPARE(got.subjectKind, u"service_account"_s);
    QCOMPARE(got.action, full.action);
    QCOMPARE(got.targetKind, full.targetKind);
    QCOMPARE(got.targetId, full.targetId);
    QCOMPARE(got.targetName, full.targetName);
    QCOMPARE(got.allowed, false);
    QCOMPARE(got.error, full.error);
    QCOMPARE(page->events[0].action, u"auth.logout"_s);
    QCOMPARE(page->events[0].allowed, true);
    QVERIFY(page->events[0].subjectId.isEmpty());
}

void tst_Audit::filters_data()
{
    QTest::addColumn<QString>("actor");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<int>("sinceSeconds"); // -1: none
    QTest::addColumn<int>("untilSeconds"); // -1: none
    QTest::addColumn<QStringList>("expected");

    const QString none;
    const QStringList all = {
        u"e10"_s, u"e9"_s, u"e8"_s, u"e7"_s, u"e6"_s, u"e5"_s, u"e4"_s, u"e3"_s, u"e2"_s, u"e1"_s};
    QTest::newRow("no filter, newest first") << none << none << none << -1 << -1 << all;
    QTest::newRow("actor") << u"user:alice"_s << none << none << -1 << -1
                           << QStringList{u"e10"_s, u"e9"_s, u"e4"_s, u"e3"_s, u"e1"_s};
    QTest::newRow("action exact") << none << u"github.listRepos"_s << none << -1 << -1
                                  << QStringList{u"e5"_s, u"e3"_s};
    QTest::newRow("action exact does not glob")
        << none << u"a_b.one"_s << none << -1 << -1 << QStringList{u"e6"_s};
    QTest::newRow("action prefix, case-sensitive, stops at the dot")
        << none << u"auth.*"_s << none << -1 << -1 << QStringList{u"e4"_s, u"e1"_s};
    QTest::newRow("prefix: underscore is literal")
        << none << u"a_b.*"_s << none << -1 << -1 << QStringList{u"e6"_s};
    QTest::newRow("prefix: percent is literal")
        << none << u"a%*"_s << none << -1 << -1 << QStringList{u"e8"_s};
    QTest::newRow("prefix: star alone is everything") << none << u"*"_s << none << -1 << -1 << all;
    QTest::newRow("resource: target id or name")
        << none << none << u"x"_s << -1 << -1 << QStringList{u"e8"_s, u"e7"_s, u"e6"_s};
    QTest::newRow("resource: name")
        << none << none << u"github"_s << -1 << -1 << QStringList{u"e5"_s, u"e3"_s};
    QTest::newRow("since is inclusive")
        << none << none << none << 70 << -1 << QStringList{u"e10"_s, u"e9"_s, u"e8"_s};
    QTest::newRow("until is exclusive")
        << none << none << none << -1 << 20 << QStringList{u"e2"_s, u"e1"_s};
    QTest::newRow("since and until")
        << none << none << none << 10 << 40 << QStringList{u"e4"_s, u"e3"_s, u"e2"_s};
    QTest::newRow("actor, prefix and since")
        << u"user:alice"_s << u"auth.*"_s << none << 1 << -1 << QStringList{u"e4"_s};
    QTest::newRow("actor, resource and until")
        << u"user:alice"_s << none << u"op1"_s << -1 << 90 << QStringList{u"e3"_s};
    QTest::newRow("no match") << u"user:nobody"_s << none << none << -1 << -1 << QStringList{};
}

void tst_Audit::filters()
{
    QFETCH(QString, actor);
    QFETCH(QString, action);
    QFETCH(QString, resource);
    QFETCH(int, sinceSeconds);
    QFETCH(int, untilSeconds);
    QFETCH(QStringList, expected);

    Database *database = readOnlyFixture();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);

    AuditQuery query;
    query.actor = actor;
    query.action = action;
    query.resource = resource;
    if (sinceSeconds >= 0) {
        query.since = kBase.addSecs(sinceSeconds);
    }
    if (untilSeconds >= 0) {
        query.until = kBase.addSecs(untilSeconds);
    }
    const Result<AuditPage> page = repository.query(query);
    QVERIFY2(page, qPrintable(why(page)));
    QCOMPARE(labels(page->events), expected);
    QVERIFY(page->nextCursor.isEmpty());
}

void tst_Audit::pagingReachesTheEnd_data()
{
    QTest::addColumn<QString>("actor");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QList<int>>("pageSizes");
    QTest::newRow("filtered, last page short") << u"user:alice"_s << 5 << QList<int>{5, 5, 3};
    QTest::newRow("unfiltered, pages fit exactly") << QString() << 13 << QList<int>{13, 13};
    QTest::newRow("one per page") << u"user:bob"_s << 1 << QList<int>(13, 1);
    QTest::newRow("all in one") << QString() << 1000 << QList<int>{26};
}

void tst_Audit::pagingReachesTheEnd()
{
    QFETCH(QString, actor);
    QFETCH(int, limit);
    QFETCH(QList<int>, pageSizes);

    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);
    QList<AuditEvent> events;
    QStringList expected; // newest first
    for (int i = 0; i < 26; ++i) {
        const QString subject = i % 2 == 0 ? u"user:alice"_s : u"user:bob"_s;
        events.append(makeEvent(u"p%1"_s.arg(i), i, subject, u"x.y"_s));
        if (actor.isEmpty() || actor == subject) {
            expected.prepend(u"p%1"_s.arg(i));
        }
    }
    QVERIFY(repository.insert(events));

    AuditQuery query;
    query.actor = actor;
    query.limit = limit;
    QStringList seen;
    QList<int> sizes;
    for (int round = 0; round < 100; ++round) {
        const Result<AuditPage> page = repository.query(query);
        QVERIFY2(page, qPrintable(why(page)));
        sizes.append(int(page->events.size()));
        seen += labels(page->events);
        if (page->nextCursor.isEmpty()) {
            break;
        }
        QVERIFY(page->nextCursor != query.cursor);
        query.cursor = page->nextCursor;
    }
    QCOMPARE(sizes, pageSizes);
    QCOMPARE(seen, expected);
}

void tst_Audit::badCursorIs400_data()
{
    QTest::addColumn<QString>("cursor");
    QTest::newRow("not base64url") << u"!!!"_s;
    QTest::newRow("standard base64 alphabet") << u"MTA+"_s;
    QTest::newRow("with padding") << u"MTA="_s; // "10" padded
    QTest::newRow("letters inside") << Crypto::base64UrlEncode("abc"_ba);
    QTest::newRow("zero") << Crypto::base64UrlEncode("0"_ba);
    QTest::newRow("negative") << Crypto::base64UrlEncode("-5"_ba);
    QTest::newRow("leading zero") << Crypto::base64UrlEncode("012"_ba);
    QTest::newRow("over qint64") << Crypto::base64UrlEncode("99999999999999999999"_ba);
    QTest::newRow("space") << Crypto::base64UrlEncode(" 12"_ba);
}

void tst_Audit::badCursorIs400()
{
    QFETCH(QString, cursor);
    Database *database = readOnlyFixture();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);
    AuditQuery query;
    query.cursor = cursor;
    const Result<AuditPage> page = repository.query(query);
    QVERIFY(!page);
    QCOMPARE(page.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(page.error().message, u"invalid cursor"_s);
}

void tst_Audit::limitOutOfRangeIs400()
{
    Database *database = readOnlyFixture();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);
    for (const int limit : {0, -1, 1001}) {
        AuditQuery query;
        query.limit = limit;
        const Result<AuditPage> page = repository.query(query);
        QVERIFY(!page);
        QCOMPARE(page.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(page.error().message, u"limit must be between 1 and 1000"_s);
    }
}

// ---- AuditLog ------------------------------------------------------------------------------

void tst_Audit::logFlushesByTimer()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);
    AuditLog log(repository, [] { return kBase; });
    AuditEvent event = makeEvent(u"t1"_s, 0, u"user:a"_s, u"auth.logout"_s);
    event.time = {}; // the log's clock fills it
    log.record(event);
    QCOMPARE(countRows(*database), 0); // never written inside record()
    QTRY_COMPARE(countRows(*database), 1);
    const Result<AuditPage> page = repository.query({});
    QVERIFY(page);
    QCOMPARE(page->events.constFirst().time, kBase);
}

void tst_Audit::logFlushesBySize()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);
    AuditLog log(repository, [] { return kBase; });
    QLoggingCategory::setFilterRules(u"gestalt.audit.info=false"_s);
    const auto restoreRules = qScopeGuard([] { QLoggingCategory::setFilterRules({}); });
    for (int i = 0; i < 255; ++i) {
        log.record(makeEvent(u"s%1"_s.arg(i), i, u"user:a"_s, u"x.y"_s));
    }
    QCOMPARE(countRows(*database), 0);
    log.record(makeEvent(u"s255"_s, 255, u"user:a"_s, u"x.y"_s));
    QCOMPARE(countRows(*database), 0); // still not inside record()
    QCOMPARE(log.queued(), 256);
    // The 256th hands the batch to the writer thread on the next pass of the event loop, not
    // after the interval: a few passes without waiting are enough.
    for (int pass = 0; pass < 10 && log.queued() > 0; ++pass) {
        QCoreApplication::processEvents();
    }
    QCOMPARE(log.queued(), 0);
    QTRY_COMPARE(countRows(*database), 256);
}

void tst_Audit::logFlushesOnDestruction()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);
    {
        AuditLog log(repository, [] { return kBase; });
        log.record(makeEvent(u"d1"_s, 0, u"user:a"_s, u"x.y"_s));
        log.record(makeEvent(u"d2"_s, 1, u"user:a"_s, u"x.y"_s));
        QCOMPARE(countRows(*database), 0);
    }
    QCOMPARE(countRows(*database), 2);
}

void tst_Audit::logKeepsEventsWhenTheWriteFails()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);
    AuditLog log(repository, [] { return kBase; });
    log.record(makeEvent(u"f1"_s, 0, u"user:a"_s, u"x.y"_s));
    log.record(makeEvent(u"f2"_s, 1, u"user:a"_s, u"x.y"_s));

    QVERIFY(renameTable(*database, u"audit_events"_s, u"audit_events_away"_s));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"^writing 2 audit events failed; kept for the next "
                                            u"try: .*audit_events"_s));
    QVERIFY(!log.flush());
    log.record(makeEvent(u"f3"_s, 2, u"user:a"_s, u"x.y"_s));
    QVERIFY(!log.flush()); // warned once, not on every retry

    QVERIFY(renameTable(*database, u"audit_events_away"_s, u"audit_events"_s));
    QCOMPARE(countRows(*database), 0); // the failed batches left nothing behind
    QVERIFY(log.flush());
    const Result<AuditPage> page = repository.query({});
    QVERIFY(page);
    QCOMPARE(labels(page->events), (QStringList{u"f3"_s, u"f2"_s, u"f1"_s}));
    QVERIFY(log.flush()); // nothing left: no duplicates
    QCOMPARE(countRows(*database), 3);
}

void tst_Audit::logRequeuesAFailedBackgroundBatch()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);
    AuditLog log(repository, [] { return kBase; });
    QLoggingCategory::setFilterRules(u"gestalt.audit.info=false"_s);
    const auto restoreRules = qScopeGuard([] { QLoggingCategory::setFilterRules({}); });

    QVERIFY(renameTable(*database, u"audit_events"_s, u"audit_events_away"_s));
    // The writer thread's failure is seen through its warning (and kept out of the test log).
    static QAtomicInt failures;
    failures = 0;
    const QtMessageHandler previous =
        qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &text) {
            if (text.startsWith(u"writing 256 audit events failed; kept"_s)) {
                failures.ref();
            }
        });
    const auto restoreHandler = qScopeGuard([previous] { qInstallMessageHandler(previous); });
    for (int i = 0; i < 256; ++i) {
        log.record(makeEvent(u"b%1"_s.arg(i), i, u"user:a"_s, u"x.y"_s));
    }
    QTRY_COMPARE(failures.loadRelaxed(), 1);
    QCOMPARE(log.queued(), 256); // the batch is back in the queue
    log.record(makeEvent(u"b256"_s, 256, u"user:a"_s, u"x.y"_s));

    QVERIFY(renameTable(*database, u"audit_events_away"_s, u"audit_events"_s));
    QVERIFY(log.flush());
    QCOMPARE(countRows(*database), 257);
    AuditQuery newest;
    newest.limit = 2;
    const Result<AuditPage> page = repository.query(newest);
    QVERIFY(page);
    // Stored in the order recorded: the failed batch first, the later event after it.
    QCOMPARE(labels(page->events), (QStringList{u"b256"_s, u"b255"_s}));
}

void tst_Audit::logQueueIsBounded()
{
    std::unique_ptr<Database> database = openFresh();
    QVERIFY2(database, qPrintable(m_error));
    AuditRepository repository(*database);
    AuditLog log(repository, [] { return kBase; });
    QLoggingCategory::setFilterRules(u"gestalt.audit.info=false"_s);
    const auto restoreRules = qScopeGuard([] { QLoggingCategory::setFilterRules({}); });

    QVERIFY(renameTable(*database, u"audit_events"_s, u"audit_events_away"_s));
    log.record(makeEvent(u"q0"_s, 0, u"user:a"_s, u"x.y"_s));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"^writing 1 audit events failed"_s));
    QVERIFY(!log.flush());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"^audit queue full at 10000 events"_s));
    for (int i = 1; i <= 10000; ++i) {
        log.record(makeEvent(u"q%1"_s.arg(i), i, u"user:a"_s, u"x.y"_s));
    }
    QVERIFY(renameTable(*database, u"audit_events_away"_s, u"audit_events"_s));
    QVERIFY(log.flush());
    QCOMPARE(countRows(*database), 10000);
    AuditQuery oldest;
    oldest.until = kBase.addSecs(2);
    const Result<AuditPage> page = repository.query(oldest);
    QVERIFY(page);
    QCOMPARE(labels(page->events), QStringList{u"q1"_s}); // q0 was dropped, the newest kept
}

// ---- AuditRoutes ---------------------------------------------------------------------------

void tst_Audit::routeAnswersEventsAndPages()
{
    m_fresh = openFresh();
    QVERIFY2(startServer(m_fresh.get()), qPrintable(m_error));
    QVERIFY(m_repository->insert({makeEvent(u"r1"_s, 0, u"user:alice"_s, u"auth.logout"_s)}));
    // Still queued in the log: the route flushes it first.
    m_log->record(makeEvent(u"r2"_s, 1, u"user:alice"_s, u"api_token.create"_s, u"t1"_s));
    m_log->record(makeEvent(u"r3"_s, 2, u"user:bob"_s, u"auth.login.complete"_s));

    auto response = rawRequest(m_port, get("/api/v1/audit-events?unknown=1"));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), "application/json"_ba);
    QJsonObject body = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(body.keys(), QStringList{u"events"_s});
    QCOMPARE(labels(body["events"_L1].toArray()), (QStringList{u"r3"_s, u"r2"_s, u"r1"_s}));
    const QJsonObject second = body["events"_L1].toArray().at(1).toObject();
    QCOMPARE(second, [&] {
        AuditEvent expected =
            makeEvent(u"r2"_s, 1, u"user:alice"_s, u"api_token.create"_s, u"t1"_s);
        expected.id = second["id"_L1].toInteger();
        return expected.toJson();
    }());

    response = rawRequest(m_port, get("/api/v1/audit-events?limit=2&actor=user%3Aalice"));
    QCOMPARE(response.status, 200);
    body = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(labels(body["events"_L1].toArray()), (QStringList{u"r2"_s, u"r1"_s}));
    QVERIFY(!body.contains("nextCursor"_L1));

    response = rawRequest(m_port, get("/api/v1/audit-events?limit=1&action=auth.*"));
    body = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(labels(body["events"_L1].toArray()), QStringList{u"r3"_s});
    const QByteArray cursor = body["nextCursor"_L1].toString().toLatin1();
    QVERIFY(!cursor.isEmpty());
    response =
        rawRequest(m_port, get("/api/v1/audit-events?limit=1&action=auth.*&cursor=" + cursor));
    QCOMPARE(response.status, 200);
    body = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(labels(body["events"_L1].toArray()), QStringList{u"r1"_s});
    QVERIFY(!body.contains("nextCursor"_L1));
}

void tst_Audit::routeFiltersByTime()
{
    QVERIFY2(startServer(readOnlyFixture()), qPrintable(m_error));
    // kBase is 2026-01-01T00:00:00.123Z; e3 is at +20 s, e5 at +40 s.
    const QList<std::pair<QByteArray, QStringList>> cases = {
        {"since=2026-01-01T00:00:20.123Z&until=2026-01-01T00:00:40.123Z", {u"e4"_s, u"e3"_s}},
        {"since=2026-01-01T01:00:20.123%2B01:00&until=2026-01-01T00:00:30.123Z", {u"e3"_s}},
        // Finer than milliseconds rounds up: e3 (.123) is before both .1231 bounds.
        {"since=2025-12-31t23:59:10.123-00:01&until=2026-01-01T00:00:20.1231z", {u"e3"_s, u"e2"_s}},
        {"since=2026-01-01T00:00:20.1231Z&until=2026-01-01T00:00:40Z", {u"e4"_s}},
        {"since=2026-01-01T00:00:20.123000Z&until=2026-01-01T00:00:40Z", {u"e4"_s, u"e3"_s}},
    };
    for (const auto &[query, expected] : cases) {
        const auto response = rawRequest(m_port, get("/api/v1/audit-events?" + query));
        QVERIFY2(response.status == 200, response.body.constData());
        const QJsonObject body = QJsonDocument::fromJson(response.body).object();
        QCOMPARE(labels(body["events"_L1].toArray()), expected);
    }
}

void tst_Audit::routeForbiddenByAdminCheck()
{
    QVERIFY2(startServer(readOnlyFixture()), qPrintable(m_error));
    m_isAdmin = false;
    // 403 before the parameters are looked at.
    for (const QByteArray &target :
         {"/api/v1/audit-events"_ba, "/api/v1/audit-events?limit=0"_ba}) {
        const auto response = rawRequest(m_port, get(target));
        QCOMPARE(response.status, 403);
        QCOMPARE(QJsonDocument::fromJson(response.body)["error"_L1].toString(),
                 u"administrators only"_s);
    }
}

void tst_Audit::routeRejectsBadParameters_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("message");
    const QString limit = u"limit must be between 1 and 1000"_s;
    const QString since = u"since must be an RFC 3339 time, e.g. 2026-01-01T00:00:00Z"_s;
    const QString until = u"until must be an RFC 3339 time, e.g. 2026-01-01T00:00:00Z"_s;
    QTest::newRow("limit 0") << "limit=0"_ba << limit;
    QTest::newRow("limit 1001") << "limit=1001"_ba << limit;
    QTest::newRow("limit negative") << "limit=-1"_ba << limit;
    QTest::newRow("limit not a number") << "limit=ten"_ba << limit;
    QTest::newRow("limit fraction") << "limit=1.5"_ba << limit;
    QTest::newRow("limit empty") << "limit="_ba << limit;
    QTest::newRow("limit huge") << "limit=99999999999999999999"_ba << limit;
    QTest::newRow("since a word") << "since=yesterday"_ba << since;
    QTest::newRow("since without offset") << "since=2026-01-01T00:00:00"_ba << since;
    QTest::newRow("since date only") << "since=2026-01-01"_ba << since;
    QTest::newRow("since impossible date") << "since=2026-02-30T00:00:00Z"_ba << since;
    QTest::newRow("since hour 24") << "since=2026-01-01T24:00:00Z"_ba << since;
    QTest::newRow("until epoch number") << "until=1767225600"_ba << until;
    QTest::newRow("until bad offset") << "until=2026-01-01T00:00:00%2B25:00"_ba << until;
    QTest::newRow("until empty") << "until="_ba << until;
    QTest::newRow("cursor garbage") << "cursor=%21%21"_ba << u"invalid cursor"_s;
}

void tst_Audit::routeRejectsBadParameters()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, message);
    QVERIFY2(startServer(readOnlyFixture()), qPrintable(m_error));
    const auto response = rawRequest(m_port, get("/api/v1/audit-events?" + query));
    QCOMPARE(response.status, 400);
    QCOMPARE(QJsonDocument::fromJson(response.body)["error"_L1].toString(), message);
}

QTEST_GUILESS_MAIN(tst_Audit)
#include "tst_audit.moc"
