// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Caller input never grows server state without bound, over real HTTP against a running
// gestaltd, on SQLite and PostgreSQL: made-up operation and tool names add no metric series (an
// unresolved or denied operation is recorded as "unknown"), and a metric family at its series
// limit drops new label combinations and counts them; an OAuth token endpoint that streams an
// endless body (with a declared length or not) is cut off at 1 MiB as it arrives, in little time
// and memory; the login callback's memory of used states keeps to its bound, forgetting the
// oldest first; a flood of failed authentications from one address makes a handful of audit rows
// with counts, and audit rows older than server.auditRetention are deleted.
#include "support/HttpbinProcess.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

QString everythingScript()
{
    return QStringLiteral(
        GESTALT_SOURCE_DIR
        "/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
}

quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        return 0;
    }
    return server.serverPort();
}

bool acceptsConnections(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(200);
}

// `httpbin`: a REST app; `guarded`: an upstream MCP server (server-everything over Streamable
// HTTP) behind a user connection, so its tool names come from the caller until it answers.
// Its `echo` is for the `tools` policy's admins only.
QString configYaml(const QString &httpbin, quint16 mcpPort)
{
    return uR"(authorization:
  policies:
    ops:
      members:
        - {email: root@example.com, role: admin}
    tools:
      default: allow
      members:
        - {email: alice@example.com, role: admin}
apps:
  httpbin:
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: get_ip, method: GET, path: /ip}
  guarded:
    authorizationPolicy: tools
    connections:
      default:
        mode: user
        auth: {type: manual}
    allowedOperations:
      echo: {allowedRoles: [admin]}
      get-sum: {}
    surfaces:
      mcp:
        url: http://127.0.0.1:%2/mcp
)"_s.arg(httpbin)
        .arg(mcpPort);
}

const QString adminOverride = u"server:\n  admin:\n    authorizationPolicy: ops\n"_s;

const TestServer::Headers mcpHeaders{{"Content-Type", "application/json"},
                                     {"Accept", "application/json, text/event-stream"}};

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The sample lines (not HELP or TYPE) of an exposition.
int seriesLines(const QByteArray &exposition)
{
    int lines = 0;
    for (const QByteArray &line : exposition.split('\n')) {
        lines += !line.isEmpty() && !line.startsWith('#') ? 1 : 0;
    }
    return lines;
}

// An OAuth token endpoint that answers every request with 200 and a JSON body of 100 MB, streamed
// in 64 KiB chunks as fast as the client reads (optionally declaring its length up front).
class EndlessTokenServer final : public QTcpServer
{
public:
    static constexpr qint64 BodyBytes = qint64(100) << 20;

    explicit EndlessTokenServer(bool declareLength)
        : m_declareLength(declareLength)
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    socket->readAll();
                    if (socket->property("answered").toBool()) {
                        return;
                    }
                    socket->setProperty("answered", true);
                    QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                      "Connection: close\r\n"_ba;
                    if (m_declareLength) {
                        head += "Content-Length: " + QByteArray::number(BodyBytes) + "\r\n";
                    }
                    socket->write(head + "\r\n{\"access_token\":\"");
                    feed(socket);
                });
                connect(
                    socket, &QTcpSocket::bytesWritten, socket, [this, socket] { feed(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    [[nodiscard]] qint64 bodyBytesSent() const { return m_sent; }

private:
    void feed(QTcpSocket *socket)
    {
        static const QByteArray chunk(64 * 1024, 'a');
        while (socket->state() == QAbstractSocket::ConnectedState && m_sent < BodyBytes
               && socket->bytesToWrite() < 4 * chunk.size()) {
            m_sent += socket->write(chunk.left(qMin<qint64>(chunk.size(), BodyBytes - m_sent)));
        }
    }

    bool m_declareLength;
    qint64 m_sent = 0;
};

// Resident memory of this process (the test and the gestaltd it runs), in bytes.
qint64 residentBytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').constFirst().toLongLong() * 1024;
        }
    }
    return -1;
}

} // namespace

class tst_SecBounds final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void initTestCase();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase();

    // Metrics: the operation label never carries a name the caller made up.
    void madeUpOperationNamesAddNoSeries();
    void deniedOperationIsRecordedAsUnknown();
    void familyAtItsSeriesLimitDropsAndCounts();

    // Audit: failed authentications are aggregated, old rows are pruned.
    void failedBearerFloodMakesAHandfulOfAuditRows();
    void auditRowsOlderThanTheRetentionArePruned();

    // Login: a flood of completed login states cannot grow the replay cache.
    void loginStateFloodKeepsTheUsedStateCacheAtItsBound();

    // OAuth: a token endpoint cannot make gestaltd buffer an endless body.
    void endlessTokenResponseIsCutOffWhileItStreams_data();
    void endlessTokenResponseIsCutOffWhileItStreams();

private:
    void startServer(const QString &overrideYaml = {});
    [[nodiscard]] QJsonObject
    mcp(const QString &method, const QJsonObject &params, const QString &token);
    [[nodiscard]] QByteArray scrape();
    [[nodiscard]] QJsonArray auditEvents(TestServer &server, const QString &query);

    HttpbinProcess m_httpbin;
    NodePeer m_oidc{u"oauth-server.mjs"_s};
    QProcess m_everything; // server-everything over Streamable HTTP
    quint16 m_everythingPort = 0;
    std::unique_ptr<TestServer> m_server;
};

void tst_SecBounds::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
    QVERIFY2(m_oidc.start(), qPrintable(m_oidc.errorString()));
    if (!QFile::exists(NodePeer::nodeBinary()) || !QFile::exists(everythingScript())) {
        QFAIL("run 'npm ci' in tests/ (scripts/test.sh does it)");
    }
    m_everythingPort = freePort();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PORT"_s, QString::number(m_everythingPort));
    m_everything.setProcessEnvironment(env);
    m_everything.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_everything.setStandardOutputFile(QProcess::nullDevice());
    m_everything.start(NodePeer::nodeBinary(), {everythingScript(), u"streamableHttp"_s});
    QVERIFY(m_everything.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(acceptsConnections(m_everythingPort), 20000);
}

void tst_SecBounds::cleanupTestCase()
{
    m_everything.terminate();
    if (!m_everything.waitForFinished(5000)) {
        m_everything.kill();
        m_everything.waitForFinished(5000);
    }
    TestDatabase::dropAll();
}

void tst_SecBounds::startServer(const QString &overrideYaml)
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(
        backend, configYaml(m_httpbin.baseUrl(), m_everythingPort), overrideYaml);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

QJsonObject
tst_SecBounds::mcp(const QString &method, const QJsonObject &params, const QString &token)
{
    static int nextId = 1;
    const QJsonObject message{{u"jsonrpc"_s, u"2.0"_s},
                              {u"id"_s, nextId++},
                              {u"method"_s, method},
                              {u"params"_s, params}};
    TestServer::Headers headers = mcpHeaders;
    headers.append({"Authorization", "Bearer " + token.toUtf8()});
    return m_server->post(u"/mcp"_s, json(message), headers).json().object();
}

QByteArray tst_SecBounds::scrape()
{
    const HttpReply metrics = m_server->get(u"/metrics"_s);
    return metrics.status == 200 ? metrics.body : QByteArray();
}

// ---------------------------------------------------------------------------------------------
// Metrics

void tst_SecBounds::madeUpOperationNamesAddNoSeries()
{
    startServer();
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    const HttpReply connected =
        m_server->post(u"/api/v1/auth/connect-manual"_s,
                       json({{u"integration"_s, u"guarded"_s}, {u"credential"_s, u"any"_s}}),
                       TestServer::bearer(bob.token));
    QCOMPARE(connected.status, 200);

    // One of each first, so the "unknown" series and the HTTP series exist.
    const auto call = [&](int i) {
        const HttpReply rest =
            m_server->get(u"/api/v1/httpbin/made_up_%1"_s.arg(i), TestServer::bearer(bob.token));
        QCOMPARE(rest.status, 404);
        const HttpReply scoped =
            m_server->get(u"/api/v1/guarded/made_up_%1"_s.arg(i), TestServer::bearer(bob.token));
        QCOMPARE(scoped.status, 400);
        QCOMPARE(scoped.error(), u"this integration is accessible only via MCP"_s);
        const QJsonObject tool =
            mcp(u"tools/call"_s, {{u"name"_s, u"guarded_made_up_%1"_s.arg(i)}}, bob.token);
        QVERIFY2(tool.contains(u"error"_s) || tool[u"result"_s][u"isError"_s] == QJsonValue(true),
                 json(tool).constData());
    };
    call(0);
    QVERIFY(!scrape().isEmpty()); // the series of GET /metrics itself
    const QByteArray before = scrape();
    QVERIFY(!before.isEmpty());
    for (int i = 1; i <= 1000; ++i) {
        call(i);
        if (QTest::currentTestFailed()) {
            return;
        }
    }
    const QByteArray after = scrape();
    QVERIFY2(!after.contains("made_up"), after.constData());
    QCOMPARE(seriesLines(after), seriesLines(before));
    QVERIFY(after.contains(R"(gestalt_provider="guarded",gestalt_operation="unknown")"));
    QVERIFY(after.contains(R"(gestalt_provider="httpbin",gestalt_operation="unknown")"));
}

void tst_SecBounds::deniedOperationIsRecordedAsUnknown()
{
    startServer();
    // A token for get-sum only calls a tool of its own naming: refused before the upstream is
    // asked, and the refusal does not label a series with the name it asked for.
    const TestServer::TestUser bob =
        m_server->user(u"bob@example.com"_s,
                       {},
                       QJsonArray{QJsonObject{{u"app"_s, u"guarded"_s},
                                              {u"operations"_s, QJsonArray{u"get-sum"_s}}}});
    for (int i = 0; i < 20; ++i) {
        const QJsonObject tool =
            mcp(u"tools/call"_s, {{u"name"_s, u"guarded_denied_tool_%1"_s.arg(i)}}, bob.token);
        QVERIFY2(tool.contains(u"error"_s) || tool[u"result"_s][u"isError"_s] == QJsonValue(true),
                 json(tool).constData());
    }
    const QByteArray after = scrape();
    QVERIFY2(!after.contains("denied_tool"), after.constData());
    QVERIFY2(after.contains(R"(gestalt_provider="guarded",gestalt_operation="unknown")"),
             after.constData());
}

void tst_SecBounds::familyAtItsSeriesLimitDropsAndCounts()
{
    startServer(u"server:\n  metrics:\n    maxSeriesPerFamily: 3\n"_s);
    // Nine distinct (method, route, status) combinations of the HTTP families.
    for (const QString &path : {u"/api/v1/apps"_s,
                                u"/api/v1/tokens"_s,
                                u"/health"_s,
                                u"/ready"_s,
                                u"/api/v1/httpbin/get_ip"_s,
                                u"/api/v1/nope"_s,
                                u"/api/v1/apps/httpbin/operations"_s,
                                u"/api/v1/auth/info"_s}) {
        QVERIFY(m_server->get(path).status > 0);
    }
    const QByteArray text = scrape();
    QVERIFY(!text.isEmpty());
    int durationSeries = 0;
    for (const QByteArray &line : text.split('\n')) {
        durationSeries += line.startsWith("http_server_request_duration_seconds_count{") ? 1 : 0;
    }
    QVERIFY2(durationSeries <= 3, text.constData());
    const QRegularExpression dropped(
        uR"(gestaltd_metrics_series_dropped_total\{family="http_server_request_duration_seconds"\} (\d+))"_s);
    const QRegularExpressionMatch match = dropped.match(QString::fromUtf8(text));
    QVERIFY2(match.hasMatch(), text.constData());
    QVERIFY(match.captured(1).toInt() >= 5);
    QVERIFY(text.contains("# TYPE gestaltd_metrics_series_dropped_total counter"));

    // A limit that is not a positive number is refused at start.
    QFETCH_GLOBAL(QString, backend);
    TestServer bad(backend, {}, u"server:\n  metrics:\n    maxSeriesPerFamily: 0\n"_s);
    QVERIFY(!bad.start());
    QVERIFY2(bad.errorString().contains(u"maxSeriesPerFamily"_s), qPrintable(bad.errorString()));
}

// ---------------------------------------------------------------------------------------------
// Audit

QJsonArray tst_SecBounds::auditEvents(TestServer &server, const QString &query)
{
    const TestServer::TestUser root = server.user(u"root@example.com"_s);
    const HttpReply reply =
        server.get(u"/api/v1/audit-events?limit=1000&"_s + query, TestServer::bearer(root.token));
    if (reply.status != 200) {
        qWarning() << "audit-events answered" << reply.status << reply.body;
        return {};
    }
    return reply.json()[u"events"_s].toArray();
}

void tst_SecBounds::failedBearerFloodMakesAHandfulOfAuditRows()
{
    startServer(adminOverride);
    for (int i = 0; i < 1000; ++i) {
        const HttpReply refused =
            m_server->get(u"/api/v1/apps"_s, TestServer::bearer(u"gst_api_made-up-%1"_s.arg(i)));
        QCOMPARE(refused.status, 401);
    }
    const QJsonArray events = auditEvents(*m_server, u"action=auth.authenticate"_s);
    QVERIFY(!events.isEmpty());
    QVERIFY2(events.size() <= 5, qPrintable(QString::number(events.size())));
    qint64 attempts = 0;
    for (const QJsonValue &event : events) {
        QCOMPARE(event[u"allowed"_s].toBool(), false);
        QCOMPARE(event[u"clientIp"_s].toString(), u"127.0.0.1"_s);
        attempts += event.toObject().value(u"count"_s).toInteger(1);
    }
    QCOMPARE(attempts, 1000);
    // A single failure is a plain row, without a count.
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(u"gst_api_once"_s)).status, 401);
    const QJsonArray again = auditEvents(*m_server, u"action=auth.authenticate"_s);
    QCOMPARE(again.size(), events.size() + 1);
    QVERIFY(!again.first().toObject().contains(u"count"_s));
}

void tst_SecBounds::auditRowsOlderThanTheRetentionArePruned()
{
    QFETCH_GLOBAL(QString, backend);
    // Two days ago: failed attempts and an audited token creation.
    const QDateTime then = QDateTime::currentDateTimeUtc().addDays(-2);
    m_server = std::make_unique<TestServer>(
        backend, configYaml(m_httpbin.baseUrl(), m_everythingPort), adminOverride);
    m_server->setClock([then] { return then; });
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    const TestServer::TestUser root = m_server->user(u"root@example.com"_s);
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(u"gst_api_old"_s)).status, 401);
    QCOMPARE(
        m_server->post(u"/api/v1/tokens"_s, R"({"name":"old"})", TestServer::bearer(root.token))
            .status,
        201);
    QVERIFY(auditEvents(*m_server, u"action=auth.authenticate"_s).size() == 1);
    QVERIFY(!auditEvents(*m_server, u"action=api_token.create"_s).isEmpty());

    // Now, with a retention of one day: the rows of two days ago are deleted at start.
    TestServer now(backend,
                   configYaml(m_httpbin.baseUrl(), m_everythingPort),
                   adminOverride + u"  auditRetention: 24h\n"_s);
    now.shareDatastoreOf(*m_server);
    m_server->kill(); // its directory (a SQLite file) stays until cleanup()
    QVERIFY2(now.start(), qPrintable(now.errorString()));
    QCOMPARE(now.get(u"/api/v1/apps"_s, TestServer::bearer(u"gst_api_new"_s)).status, 401);
    const QJsonArray recent = auditEvents(now, u"action=auth.authenticate"_s);
    QCOMPARE(recent.size(), 1);
    QVERIFY(QDateTime::fromString(recent.first()[u"time"_s].toString(), Qt::ISODateWithMs)
            > then.addDays(1));
    QVERIFY(auditEvents(now, u"action=api_token.create"_s).isEmpty());

    // A retention that is not a positive duration is refused at start.
    TestServer bad(backend, {}, u"server:\n  auditRetention: 0s\n"_s);
    QVERIFY(!bad.start());
    QVERIFY2(bad.errorString().contains(u"auditRetention"_s), qPrintable(bad.errorString()));
}

// ---------------------------------------------------------------------------------------------
// Login

void tst_SecBounds::loginStateFloodKeepsTheUsedStateCacheAtItsBound()
{
    QFETCH_GLOBAL(QString, backend);
    QVERIFY(
        m_oidc
            .postJson(u"/_control"_s,
                      QJsonDocument(QJsonObject{{u"reset"_s, true},
                                                {u"idTokenClaims"_s,
                                                 QJsonObject{{u"email"_s, u"alice@example.com"_s},
                                                             {u"email_verified"_s, true}}}}))
            .hasValue());
    const QString login = uR"(
providers:
  authentication:
    sso:
      source: oidc
      config:
        issuerUrl: %1
        clientId: gestalt-login
        clientSecret: login-secret
server:
  login:
    maxUsedStates: 50
)"_s.arg(m_oidc.baseUrl());
    m_server = std::make_unique<TestServer>(backend, QString(), login);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->get(u"/ready"_s).status, 200, 15000);

    struct Pending
    {
        QString callback; // path and query of the callback with this login's state
        QByteArray cookie;
    };
    // A login start, and its callback with a made-up code: the state is used either way.
    const auto startLogin = [this]() -> Pending {
        const HttpReply started = m_server->get(u"/api/v1/auth/login"_s);
        if (started.status != 302) {
            return {};
        }
        QByteArray cookie;
        for (const auto &[name, value] : started.headers) {
            if (name.compare("Set-Cookie", Qt::CaseInsensitive) == 0
                && value.startsWith("login_state=")) {
                cookie = value.split(';').constFirst();
            }
        }
        const QUrlQuery query(QUrl::fromEncoded(started.header("Location")));
        return {u"/api/v1/auth/login/callback?code=made-up&state="_s
                    + QString::fromUtf8(QUrl::toPercentEncoding(query.queryItemValue(u"state"_s))),
                cookie};
    };
    const auto complete = [this](const Pending &pending) {
        return m_server->get(pending.callback, {{"Cookie", pending.cookie}});
    };
    QList<Pending> used;
    for (int i = 0; i < 120; ++i) {
        const Pending pending = startLogin();
        QVERIFY(!pending.cookie.isEmpty());
        QVERIFY(complete(pending).status > 0);
        used.append(pending);
    }
    // The latest are remembered: their replay is refused.
    const HttpReply recent = complete(used.constLast());
    QCOMPARE(recent.status, 403);
    QCOMPARE(recent.error(), u"login state validation failed"_s);
    // The oldest were forgotten to keep the bound (the provider's single-use code guards them).
    const HttpReply oldest = complete(used.constFirst());
    QVERIFY2(oldest.error() != u"login state validation failed"_s, oldest.body.constData());
    // A fresh login, approved by the provider, still signs in; its state is then used.
    const HttpReply started = m_server->get(u"/api/v1/auth/login"_s);
    QCOMPARE(started.status, 302);
    QByteArray stateCookie;
    for (const auto &[name, value] : started.headers) {
        if (name.compare("Set-Cookie", Qt::CaseInsensitive) == 0
            && value.startsWith("login_state=")) {
            stateCookie = value.split(';').constFirst();
        }
    }
    QNetworkRequest authorize(QUrl::fromEncoded(started.header("Location")));
    authorize.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                           QNetworkRequest::ManualRedirectPolicy);
    QNetworkAccessManager browser;
    QNetworkReply *approval = browser.get(authorize);
    QSignalSpy approved(approval, &QNetworkReply::finished);
    QVERIFY(approved.wait(15000));
    approval->deleteLater();
    const QUrl back = QUrl::fromEncoded(approval->rawHeader("Location"));
    const Pending fresh{back.path() + u'?' + back.query(QUrl::FullyEncoded), stateCookie};
    const HttpReply signedIn = complete(fresh);
    QCOMPARE(signedIn.status, 302);
    QVERIFY(signedIn.header("set-cookie").contains("session_token="));
    QCOMPARE(complete(fresh).error(), u"login state validation failed"_s);

    // The bound must be a positive number.
    TestServer bad(backend, {}, u"server:\n  login:\n    maxUsedStates: 0\n"_s);
    QVERIFY(!bad.start());
    QVERIFY2(bad.errorString().contains(u"maxUsedStates"_s), qPrintable(bad.errorString()));
}

// ---------------------------------------------------------------------------------------------
// OAuth

void tst_SecBounds::endlessTokenResponseIsCutOffWhileItStreams_data()
{
    QTest::addColumn<bool>("declareLength");
    QTest::newRow("streamed") << false;
    QTest::newRow("declared") << true;
}

void tst_SecBounds::endlessTokenResponseIsCutOffWhileItStreams()
{
    QFETCH_GLOBAL(QString, backend);
    QFETCH(bool, declareLength);
    EndlessTokenServer tokenServer(declareLength);
    QVERIFY(tokenServer.listen(QHostAddress::LocalHost, 0));
    const QString config = uR"(apps:
  bin:
    connections:
      default:
        mode: user
        auth:
          type: oauth2
          authorizationUrl: http://127.0.0.1:%1/authorize
          tokenUrl: http://127.0.0.1:%1/token
          clientId: gestalt-test
          clientSecret: test-client-secret
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:%1
        operations:
          - {name: headers, method: GET, path: /headers}
)"_s.arg(tokenServer.serverPort());
    m_server = std::make_unique<TestServer>(backend, config, TestServer::unreachableLoginYaml());
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    const QString session = m_server->sessionFor(m_server->user(u"alice@example.com"_s));
    const QByteArray sessionCookie = "session_token="_ba + session.toUtf8();

    const HttpReply started = m_server->post(
        u"/api/v1/auth/start-oauth"_s, R"({"integration":"bin"})", {{"Cookie", sessionCookie}});
    QCOMPARE(started.status, 200);
    const QByteArray binding = started.header("set-cookie").split(';').constFirst();
    const QString state =
        QUrlQuery(QUrl(started.json()[u"url"_s].toString())).queryItemValue(u"state"_s);
    QVERIFY(!state.isEmpty());

    const qint64 rssBefore = residentBytes();
    QElapsedTimer clock;
    clock.start();
    const HttpReply done =
        m_server->get(u"/api/v1/auth/callback?code=any&state="_s
                          + QString::fromUtf8(QUrl::toPercentEncoding(state)),
                      {{"Cookie", sessionCookie + "; " + binding}, {"Accept", "application/json"}});
    const qint64 elapsedMs = clock.elapsed();
    QCOMPARE(done.status, 502);
    QCOMPARE(done.error(), u"token response is larger than 1048576 bytes"_s);
    // The response parser refuses a declared length before the body is read, and a streamed
    // body as soon as it passes 1 MiB, then closes the connection: the fixture gets to send
    // little more than what the sockets' buffers hold, memory stays flat, and it is quick.
    QVERIFY2(tokenServer.bodyBytesSent() < qint64(16) << 20,
             qPrintable(QString::number(tokenServer.bodyBytesSent())));
    const qint64 rssAfter = residentBytes();
    QVERIFY2(rssBefore < 0 || rssAfter - rssBefore < qint64(16) << 20,
             qPrintable(u"%1 -> %2"_s.arg(rssBefore).arg(rssAfter)));
    QVERIFY2(elapsedMs < 10000, qPrintable(QString::number(elapsedMs)));
    // Nothing was stored: the app is still not connected.
    const HttpReply apps = m_server->get(u"/api/v1/apps"_s, {{"Cookie", sessionCookie}});
    QVERIFY(apps.itemNamed(u"bin"_s)[u"status"_s].toString() != u"connected"_s);
}

QTEST_MAIN(tst_SecBounds)
#include "tst_sec_bounds.moc"
