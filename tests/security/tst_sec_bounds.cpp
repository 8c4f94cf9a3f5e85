// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Caller input never grows server state without bound, over real HTTP against a running
// gestaltd, on SQLite and PostgreSQL: made-up operation and tool names add no metric series (an
// unresolved or denied operation is recorded as "unknown"), and a metric family at its series
// limit drops new label combinations and counts them.
#include "support/HttpbinProcess.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

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

private:
    void startServer(const QString &overrideYaml = {});
    [[nodiscard]] QJsonObject
    mcp(const QString &method, const QJsonObject &params, const QString &token);
    [[nodiscard]] QByteArray scrape();

    HttpbinProcess m_httpbin;
    QProcess m_everything; // server-everything over Streamable HTTP
    quint16 m_everythingPort = 0;
    std::unique_ptr<TestServer> m_server;
};

void tst_SecBounds::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
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
        const HttpReply rest = m_server->get(u"/api/v1/httpbin/made_up_%1"_s.arg(i),
                                             TestServer::bearer(bob.token));
        QCOMPARE(rest.status, 404);
        const HttpReply scoped = m_server->get(u"/api/v1/guarded/made_up_%1"_s.arg(i),
                                               TestServer::bearer(bob.token));
        QCOMPARE(scoped.status, 400);
        QCOMPARE(scoped.error(), u"this integration is accessible only via MCP"_s);
        const QJsonObject tool =
            mcp(u"tools/call"_s, {{u"name"_s, u"guarded_made_up_%1"_s.arg(i)}}, bob.token);
        QVERIFY2(tool.contains(u"error"_s)
                     || tool[u"result"_s][u"isError"_s] == QJsonValue(true),
                 json(tool).constData());
    };
    call(0);
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
    const TestServer::TestUser bob = m_server->user(
        u"bob@example.com"_s, {},
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
    for (const QString &path : {u"/api/v1/apps"_s, u"/api/v1/tokens"_s, u"/health"_s,
                                u"/ready"_s, u"/api/v1/httpbin/get_ip"_s, u"/api/v1/nope"_s,
                                u"/api/v1/apps/httpbin/operations"_s, u"/api/v1/auth/info"_s}) {
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

QTEST_MAIN(tst_SecBounds)
#include "tst_sec_bounds.moc"
