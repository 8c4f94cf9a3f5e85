// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Egress of the requests gestaltd makes outside the REST invocation path (issue 19, section 4),
// over real HTTP against a running gestaltd, on SQLite and PostgreSQL:
//  * an upstream MCP app reached over Streamable HTTP whose URL host is not in its
//    egress.allowedHosts, or that has none under server.egress.defaultAction: deny, is refused
//    before anything is sent (before, MCP over HTTP went through its own QNetworkAccessManager
//    and never looked at allowedHosts);
//  * the same for an agent model provider (source: openai) and its provider entry's
//    egress.allowedHosts.
// The upstreams are FakeUpstream listeners: they count every connection, so "refused" also
// means "nothing reached the server".
#include "support/FakeUpstream.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

const TestServer::Headers mcpHeaders{{"Content-Type", "application/json"},
                                     {"Accept", "application/json, text/event-stream"}};

const QString kRefused = uR"(egress to host "127.0.0.1" is not allowed)"_s;

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// An MCP app over HTTP at `url`; `egress` is its egress block (empty: none); `scoped` puts it
// behind a per-user manual connection, so that each call reaches the server on the spot.
QString mcpApp(const QString &name, const QString &url, const QString &egress, bool scoped)
{
    QString yaml = u"  %1:\n"_s.arg(name);
    if (!egress.isEmpty()) {
        yaml += u"    egress: %1\n"_s.arg(egress);
    }
    if (scoped) {
        yaml += u"    connections:\n      default:\n        mode: user\n"
                u"        auth: {type: manual}\n"_s;
    }
    yaml += u"    surfaces:\n      mcp:\n        url: %1/mcp\n"_s.arg(url);
    return yaml;
}

QString modelProvider(const QString &url, const QString &egress)
{
    QString yaml = uR"(providers:
  agent:
    gpt:
      source: openai
      config:
        baseUrl: %1/v1
        apiKey: sk-test-key
        model: gpt-test
)"_s.arg(url);
    if (!egress.isEmpty()) {
        yaml += u"      egress: %1\n"_s.arg(egress);
    }
    return yaml;
}

const QString kDenyByDefault = u"server:\n  egress:\n    defaultAction: deny\n"_s;

} // namespace

class tst_SecEgressMcp final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup();
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void mcpAppOutsideItsAllowedHostsIsNeverContacted();
    void mcpAppWithoutAllowedHostsUnderDefaultDenyIsNeverContacted();
    void mcpAppInsideItsAllowedHostsIsReached();
    void modelProviderOutsideItsAllowedHostsIsRefused();
    void modelProviderUnderDefaultDenyIsRefused();
    void modelProviderInsideItsAllowedHostsIsReached();

private:
    // `apps`: an apps block; `more`: providers (a second config file, merged over the first,
    // which has a providers block of its own); `denyByDefault`: server.egress.defaultAction: deny.
    [[nodiscard]] bool
    startServer(const QString &apps, const QString &more = {}, bool denyByDefault = false);
    QJsonObject mcpCall(const QString &method, const QJsonObject &params = {});
    QStringList toolNames();
    // Connects the anonymous caller to a scoped app and calls its echo tool: the text of the
    // error the caller gets (result.isError content, or the JSON-RPC error).
    QString scopedCallError(const QString &app);
    // Runs a turn on the gpt provider: the turn once it ended.
    QJsonObject modelTurn();

    std::unique_ptr<FakeUpstream> m_shared; // behind the shared-discovery app (or the model)
    std::unique_ptr<FakeUpstream> m_scoped; // behind the caller-scoped app
    std::unique_ptr<TestServer> m_server;
};

void tst_SecEgressMcp::init()
{
    m_shared = std::make_unique<FakeUpstream>();
    m_scoped = std::make_unique<FakeUpstream>();
    QVERIFY(m_shared->start());
    QVERIFY(m_scoped->start());
}

void tst_SecEgressMcp::cleanup()
{
    m_server.reset();
    m_shared.reset();
    m_scoped.reset();
}

bool tst_SecEgressMcp::startServer(const QString &apps, const QString &more, bool denyByDefault)
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(
        backend, apps, (denyByDefault ? kDenyByDefault : QString()) + more);
    if (!m_server->start()) {
        qWarning().noquote() << m_server->errorString();
        return false;
    }
    return true;
}

QJsonObject tst_SecEgressMcp::mcpCall(const QString &method, const QJsonObject &params)
{
    static int nextId = 1;
    const QJsonObject message{{u"jsonrpc"_s, u"2.0"_s},
                              {u"id"_s, nextId++},
                              {u"method"_s, method},
                              {u"params"_s, params}};
    return m_server->post(u"/mcp"_s, json(message), mcpHeaders).json().object();
}

QStringList tst_SecEgressMcp::toolNames()
{
    QStringList names;
    for (const QJsonValue &tool : mcpCall(u"tools/list"_s)[u"result"_s][u"tools"_s].toArray()) {
        names.append(tool[u"name"_s].toString());
    }
    return names;
}

QString tst_SecEgressMcp::scopedCallError(const QString &app)
{
    const HttpReply connected =
        m_server->post(u"/api/v1/auth/connect-manual"_s,
                       json({{u"integration"_s, app}, {u"credential"_s, u"a-secret"_s}}));
    if (connected.status != 200) {
        return u"connect-manual answered %1"_s.arg(connected.status);
    }
    const QJsonObject answer = mcpCall(u"tools/call"_s,
                                       {{u"name"_s, QString(app + u"_echo"_s)},
                                        {u"arguments"_s, QJsonObject{{u"message"_s, u"hi"_s}}}});
    if (answer.contains(u"error"_s)) {
        return answer[u"error"_s][u"message"_s].toString();
    }
    const QJsonObject result = answer[u"result"_s].toObject();
    return result[u"isError"_s].toBool() ? result[u"content"_s][0][u"text"_s].toString()
                                         : u"no error: "_s + QString::fromUtf8(json(answer));
}

QJsonObject tst_SecEgressMcp::modelTurn()
{
    const HttpReply session =
        m_server->post(u"/api/v1/agent/sessions"_s, json({{u"provider"_s, u"gpt"_s}}));
    if (session.status != 201) {
        return {{u"status"_s, u"session: HTTP %1"_s.arg(session.status)}};
    }
    const QString sessionId = session.json()[u"id"_s].toString();
    const HttpReply turn = m_server->post(
        u"/api/v1/agent/sessions/%1/turns"_s.arg(sessionId),
        json({{u"messages"_s,
               QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"text"_s, u"hello"_s}}}}}));
    if (turn.status != 201) {
        return {{u"status"_s, u"turn: HTTP %1"_s.arg(turn.status)}};
    }
    const QString turnId = turn.json()[u"id"_s].toString();
    QJsonObject found;
    for (int i = 0; i < 1000; ++i) {
        found = m_server->get(u"/api/v1/agent/turns/"_s + turnId).json().object();
        const QString status = found[u"status"_s].toString();
        if (status == u"failed"_s || status == u"succeeded"_s) {
            break;
        }
        QTest::qWait(20);
    }
    return found;
}

void tst_SecEgressMcp::mcpAppOutsideItsAllowedHostsIsNeverContacted()
{
    const QString egress = u"{allowedHosts: [mcp.example.com]}"_s;
    QVERIFY(startServer(u"apps:\n"_s + mcpApp(u"fenced"_s, m_shared->baseUrl(), egress, false)
                        + mcpApp(u"scoped"_s, m_scoped->baseUrl(), egress, true)));
    // The caller's call reaches for the server on the spot: refused, and says why.
    const QString error = scopedCallError(u"scoped"_s);
    QVERIFY2(error.contains(kRefused), qPrintable(error));
    // The shared discovery ran at start (and retries): it never reached its server either.
    QTest::qWait(500);
    QVERIFY(!toolNames().join(u',').contains(u"fenced_"_s));
    QCOMPARE(m_shared->connectionCount(), 0);
    QCOMPARE(m_scoped->connectionCount(), 0);
}

void tst_SecEgressMcp::mcpAppWithoutAllowedHostsUnderDefaultDenyIsNeverContacted()
{
    QVERIFY(startServer(u"apps:\n"_s + mcpApp(u"open"_s, m_shared->baseUrl(), {}, false)
                            + mcpApp(u"scoped"_s, m_scoped->baseUrl(), {}, true),
                        {},
                        true));
    const QString error = scopedCallError(u"scoped"_s);
    QVERIFY2(error.contains(kRefused), qPrintable(error));
    QTest::qWait(500);
    QCOMPARE(m_shared->connectionCount(), 0);
    QCOMPARE(m_scoped->connectionCount(), 0);
}

void tst_SecEgressMcp::mcpAppInsideItsAllowedHostsIsReached()
{
    // The control: with its host allowed (even under deny), the server is asked (the fake does
    // not speak MCP, so the call then fails for another reason).
    QVERIFY(startServer(
        u"apps:\n"_s
            + mcpApp(u"scoped"_s, m_scoped->baseUrl(), u"{allowedHosts: [127.0.0.1]}"_s, true),
        {},
        true));
    const QString error = scopedCallError(u"scoped"_s);
    QVERIFY2(!error.contains(kRefused), qPrintable(error));
    QVERIFY(m_scoped->connectionCount() > 0);
}

void tst_SecEgressMcp::modelProviderOutsideItsAllowedHostsIsRefused()
{
    QVERIFY(
        startServer({}, modelProvider(m_shared->baseUrl(), u"{allowedHosts: [api.openai.com]}"_s)));
    const QJsonObject turn = modelTurn();
    QCOMPARE(turn[u"status"_s].toString(), u"failed"_s);
    QCOMPARE(turn[u"statusMessage"_s].toString(), u"model provider \"gpt\": "_s + kRefused);
    QCOMPARE(m_shared->connectionCount(), 0);
}

void tst_SecEgressMcp::modelProviderUnderDefaultDenyIsRefused()
{
    QVERIFY(startServer({}, modelProvider(m_shared->baseUrl(), {}), true));
    const QJsonObject turn = modelTurn();
    QCOMPARE(turn[u"status"_s].toString(), u"failed"_s);
    QCOMPARE(turn[u"statusMessage"_s].toString(), u"model provider \"gpt\": "_s + kRefused);
    QCOMPARE(m_shared->connectionCount(), 0);
}

void tst_SecEgressMcp::modelProviderInsideItsAllowedHostsIsReached()
{
    QVERIFY(startServer(
        {}, modelProvider(m_shared->baseUrl(), u"{allowedHosts: [127.0.0.1]}"_s), true));
    const QJsonObject turn = modelTurn();
    QVERIFY(!turn[u"status"_s].toString().isEmpty()); // the turn ended, however the fake did
    QVERIFY2(!turn[u"statusMessage"_s].toString().contains(kRefused),
             qPrintable(turn[u"statusMessage"_s].toString()));
    QVERIFY(m_shared->connectionCount() > 0);
}

QTEST_GUILESS_MAIN(tst_SecEgressMcp)
#include "tst_sec_egress_mcp.moc"
