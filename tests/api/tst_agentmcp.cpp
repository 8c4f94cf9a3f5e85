// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Agent turns offered the tools of upstream MCP servers: the official
// @modelcontextprotocol/server-everything as a stdio command and over Streamable HTTP. The
// scripted model calls them; the openai provider (tests/peers/openai-fake.mjs) shows what the
// model was offered. A tool call runs the /mcp path (access check, audit), so a caller without
// access to the app is refused in the turn's events, and a tool the server does not list is a
// 400 naming it. On SQLite and PostgreSQL over real HTTP.
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

// everything: stdio; remote: the same server over HTTP; locked: stdio, for carol only.
QString appsYaml(quint16 remotePort)
{
    return uR"(authorization:
  policies:
    locked:
      members:
        - email: carol@example.com
          role: viewer
runtime:
  providers:
    local:
      driver: local
apps:
  everything:
    surfaces:
      mcp:
        command: [%1, %2, stdio]
  remote:
    surfaces:
      mcp:
        url: http://127.0.0.1:%3/mcp
  locked:
    authorizationPolicy: locked
    surfaces:
      mcp:
        command: [%1, %2, stdio]
)"_s.arg(NodePeer::nodeBinary(), everythingScript())
        .arg(remotePort);
}

QString agentYaml(const QString &openai)
{
    return uR"(agents:
  pollInterval: 100ms
providers:
  agent:
    local:
      source: scripted
      default: true
      config:
        rules:
          - when: stdio echo
            replies:
              - toolCalls: [{tool: everything_echo, arguments: {message: hello agent}}]
              - text: "Echoed: {{lastToolResult}}"
          - when: http echo
            replies:
              - toolCalls: [{tool: remote_echo, arguments: {message: hello agent}}]
              - text: "Echoed: {{lastToolResult}}"
          - when: locked echo
            replies:
              - toolCalls: [{tool: locked_echo, arguments: {message: hello agent}}]
              - text: "Echoed: {{lastToolResult}}"
          - when: bad arguments
            replies:
              - toolCalls: [{tool: everything_echo, arguments: {}}]
              - text: "After: {{lastToolResult}}"
    gpt:
      source: openai
      config:
        baseUrl: %1/v1
        apiKey: sk-test-key
        model: gpt-test
)"_s.arg(openai);
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonArray refs(const QString &app, const QString &operation)
{
    return {QJsonObject{{u"appName"_s, app}, {u"operation"_s, operation}}};
}

} // namespace

class tst_AgentMcp final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase();

    void agentCallsAnUpstreamTool_data();
    void agentCallsAnUpstreamTool();
    void modelIsOfferedTheUpstreamDefinition();
    void callerWithoutAccessIsRefused();
    void toolTheUpstreamDoesNotListIsAnError();
    void toolErrorFailsTheCall();
    void scopedTokenGetsOnlyItsTools();

private:
    [[nodiscard]] QString createSession(const QString &provider = {},
                                        const TestServer::Headers &headers = {});
    [[nodiscard]] HttpReply postTurn(const QString &session,
                                     const QString &text,
                                     const QJsonArray &toolRefs,
                                     const TestServer::Headers &headers = {});
    [[nodiscard]] QJsonObject waitForEnd(const QString &turn,
                                         const TestServer::Headers &headers = {});
    [[nodiscard]] QJsonObject
    lastEvent(const QString &turn, const QString &type, const TestServer::Headers &headers = {});
    // Is there an audit event of `action` from the agent turn `turn`?
    [[nodiscard]] bool auditedAsAgent(const QString &action, const QString &turn);
    // The /mcp tools/list entries by name, as `headers` sees them.
    [[nodiscard]] QHash<QString, QJsonObject> mcpTools(const TestServer::Headers &headers = {});

    QProcess m_remote; // server-everything over Streamable HTTP
    quint16 m_remotePort = 0;
    NodePeer m_openai{u"openai-fake.mjs"_s};
    std::unique_ptr<TestServer> m_server;
};

void tst_AgentMcp::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_AgentMcp::initTestCase()
{
    if (!QFile::exists(NodePeer::nodeBinary()) || !QFile::exists(everythingScript())) {
        QFAIL("run 'npm ci' in tests/ (scripts/test.sh does it)");
    }
    QVERIFY2(m_openai.start(), qPrintable(m_openai.errorString()));
    m_remotePort = freePort();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PORT"_s, QString::number(m_remotePort));
    m_remote.setProcessEnvironment(env);
    m_remote.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_remote.setStandardOutputFile(QProcess::nullDevice());
    m_remote.start(NodePeer::nodeBinary(), {everythingScript(), u"streamableHttp"_s});
    QVERIFY(m_remote.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(acceptsConnections(m_remotePort), 20000);
}

void tst_AgentMcp::cleanupTestCase()
{
    m_remote.terminate();
    if (!m_remote.waitForFinished(5000)) {
        m_remote.kill();
        m_remote.waitForFinished(5000);
    }
    TestDatabase::dropAll();
}

void tst_AgentMcp::init()
{
    QTest::failOnWarning(QRegularExpression(u"^(?!agent: |mcp|app |runtime ).*"_s));
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(
        backend, appsYaml(m_remotePort), agentYaml(m_openai.baseUrl()));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    const auto asCarol = TestServer::bearer(m_server->user(u"carol@example.com"_s).token);
    QTRY_VERIFY_WITH_TIMEOUT(mcpTools(asCarol).contains(u"everything_echo"_s)
                                 && mcpTools(asCarol).contains(u"remote_echo"_s)
                                 && mcpTools(asCarol).contains(u"locked_echo"_s),
                             30000);
}

QString tst_AgentMcp::createSession(const QString &provider, const TestServer::Headers &headers)
{
    QJsonObject body;
    if (!provider.isEmpty()) {
        body.insert(u"provider"_s, provider);
    }
    const HttpReply reply =
        m_server->request("POST", u"/api/v1/agent/sessions"_s, json(body), headers);
    if (reply.status != 201) {
        qWarning() << "session create failed" << reply.status << reply.body;
    }
    return reply.json()[u"id"_s].toString();
}

HttpReply tst_AgentMcp::postTurn(const QString &session,
                                 const QString &text,
                                 const QJsonArray &toolRefs,
                                 const TestServer::Headers &headers)
{
    QJsonObject body{
        {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"text"_s, text}}}}};
    if (!toolRefs.isEmpty()) {
        body.insert(u"toolRefs"_s, toolRefs);
    }
    return m_server->request(
        "POST", u"/api/v1/agent/sessions/%1/turns"_s.arg(session), json(body), headers);
}

QJsonObject tst_AgentMcp::waitForEnd(const QString &turn, const TestServer::Headers &headers)
{
    QJsonObject found;
    for (int i = 0; i < 1000; ++i) {
        found =
            m_server->request("GET", u"/api/v1/agent/turns/"_s + turn, {}, headers).json().object();
        const QString status = found[u"status"_s].toString();
        if (status == u"succeeded" || status == u"failed" || status == u"canceled") {
            return found;
        }
        QTest::qWait(20);
    }
    qWarning() << "turn" << turn << "stayed" << found[u"status"_s].toString();
    return found;
}

QJsonObject tst_AgentMcp::lastEvent(const QString &turn,
                                    const QString &type,
                                    const TestServer::Headers &headers)
{
    QJsonObject last;
    const QJsonArray all =
        m_server
            ->request("GET", u"/api/v1/agent/turns/%1/events?limit=1000"_s.arg(turn), {}, headers)
            .json()
            .array();
    for (const QJsonValue &event : all) {
        if (event[u"type"_s].toString() == type) {
            last = event.toObject();
        }
    }
    return last;
}

QHash<QString, QJsonObject> tst_AgentMcp::mcpTools(const TestServer::Headers &headers)
{
    TestServer::Headers all = headers;
    all.append({"Content-Type"_ba, "application/json"_ba});
    all.append({"Accept"_ba, "application/json, text/event-stream"_ba});
    const QJsonObject message{
        {u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, 1}, {u"method"_s, u"tools/list"_s}};
    const QJsonArray list = m_server->request("POST", u"/mcp"_s, json(message), all)
                                .json()[u"result"_s][u"tools"_s]
                                .toArray();
    QHash<QString, QJsonObject> byName;
    for (const QJsonValue &tool : list) {
        byName.insert(tool[u"name"_s].toString(), tool.toObject());
    }
    return byName;
}

bool tst_AgentMcp::auditedAsAgent(const QString &action, const QString &turn)
{
    const QJsonArray events =
        m_server->get(u"/api/v1/audit-events?action="_s + action).json()[u"events"_s].toArray();
    for (const QJsonValue &event : events) {
        if (event[u"source"_s] == u"agent"_s && event[u"requestId"_s] == turn) {
            return true;
        }
    }
    return false;
}

void tst_AgentMcp::agentCallsAnUpstreamTool_data()
{
    QTest::addColumn<QString>("app");
    QTest::addColumn<QString>("text");
    QTest::newRow("stdio") << u"everything"_s << u"stdio echo"_s;
    QTest::newRow("http") << u"remote"_s << u"http echo"_s;
}

void tst_AgentMcp::agentCallsAnUpstreamTool()
{
    QFETCH(QString, app);
    QFETCH(QString, text);
    const QString session = createSession();
    const HttpReply created = postTurn(session, text, refs(app, u"echo"_s));
    QCOMPARE(created.status, 201);
    const QString id = created.json()[u"id"_s].toString();
    const QJsonObject done = waitForEnd(id);
    QCOMPARE(done[u"status"_s].toString(), u"succeeded"_s);
    QVERIFY2(done[u"outputText"_s].toString().contains(u"hello agent"_s),
             qPrintable(done[u"outputText"_s].toString()));
    // The events show the call and the upstream's CallToolResult as it came.
    const QJsonObject started = lastEvent(id, u"tool.started"_s);
    QCOMPARE(started[u"data"_s][u"tool"_s].toString(), app + u"_echo"_s);
    QCOMPARE(started[u"data"_s][u"operation"_s].toString(), u"echo"_s);
    const QJsonObject completed = lastEvent(id, u"tool.completed"_s);
    const QJsonObject output = completed[u"data"_s][u"output"_s].toObject();
    QCOMPARE(output[u"content"_s][0][u"type"_s].toString(), u"text"_s);
    QVERIFY2(output[u"content"_s][0][u"text"_s].toString().contains(u"hello agent"_s),
             QJsonDocument(output).toJson().constData());
    QCOMPARE(completed[u"display"_s][u"phase"_s].toString(), u"completed"_s);
    // The call is audited as an agent's invocation of the operation, as /mcp's would be.
    QTRY_VERIFY_WITH_TIMEOUT(auditedAsAgent(u"echo"_s, id), 10000);
}

void tst_AgentMcp::modelIsOfferedTheUpstreamDefinition()
{
    const QJsonObject upstream = mcpTools().value(u"everything_echo"_s);
    QVERIFY(!upstream.isEmpty());
    QVERIFY(!upstream[u"description"_s].toString().isEmpty());
    // Named by a toolRef: exactly that tool, with the server's description and input schema.
    const QString session = createSession(u"gpt"_s);
    const HttpReply named = postTurn(session, u"hello"_s, refs(u"everything"_s, u"echo"_s));
    QCOMPARE(named.status, 201);
    QCOMPARE(waitForEnd(named.json()[u"id"_s].toString())[u"status"_s].toString(), u"succeeded"_s);
    Result<QJsonDocument> requests = m_openai.getJson(u"/requests"_s);
    QVERIFY(requests);
    const QJsonArray offered = requests->array().last()[u"tools"_s].toArray();
    QCOMPARE(offered.size(), 1);
    const QJsonObject function = offered.at(0)[u"function"_s].toObject();
    QCOMPARE(function[u"name"_s].toString(), u"everything_echo"_s);
    QCOMPARE(function[u"description"_s], upstream[u"description"_s]);
    QCOMPARE(function[u"parameters"_s].toObject(), upstream[u"inputSchema"_s].toObject());

    // Without toolRefs: the upstream tools the caller may run are offered with the REST ones;
    // dave has no role on `locked`, so none of its tools.
    const auto asDave = TestServer::bearer(m_server->user(u"dave@example.com"_s).token);
    const QString daveSession = createSession(u"gpt"_s, asDave);
    const HttpReply open = postTurn(daveSession, u"hello"_s, {}, asDave);
    QCOMPARE(open.status, 201);
    QCOMPARE(waitForEnd(open.json()[u"id"_s].toString(), asDave)[u"status"_s].toString(),
             u"succeeded"_s);
    requests = m_openai.getJson(u"/requests"_s);
    QVERIFY(requests);
    QStringList names;
    for (const QJsonValue &tool : requests->array().last()[u"tools"_s].toArray()) {
        names.append(tool[u"function"_s][u"name"_s].toString());
    }
    QVERIFY2(names.contains(u"everything_echo"_s), qPrintable(names.join(u' ')));
    QVERIFY2(names.contains(u"remote_echo"_s), qPrintable(names.join(u' ')));
    for (const QString &name : std::as_const(names)) {
        QVERIFY2(!name.startsWith(u"locked_"_s), qPrintable(name));
    }
}

void tst_AgentMcp::callerWithoutAccessIsRefused()
{
    // Dave has no role on `locked`: the turn is created, the call is refused as a REST
    // operation's is, and the upstream never sees it.
    const auto asDave = TestServer::bearer(m_server->user(u"dave@example.com"_s).token);
    const QString session = createSession({}, asDave);
    const HttpReply created =
        postTurn(session, u"locked echo"_s, refs(u"locked"_s, u"echo"_s), asDave);
    QCOMPARE(created.status, 201);
    const QString id = created.json()[u"id"_s].toString();
    QCOMPARE(waitForEnd(id, asDave)[u"status"_s].toString(), u"succeeded"_s);
    const QJsonObject failed = lastEvent(id, u"tool.failed"_s, asDave);
    QVERIFY2(failed[u"data"_s][u"error"_s].toString().contains(u"access denied"_s),
             qPrintable(failed[u"data"_s][u"error"_s].toString()));
    QVERIFY(!failed[u"data"_s].toObject().contains(u"output"_s));
    QVERIFY(lastEvent(id, u"tool.completed"_s, asDave).isEmpty());

    // Carol is a member: the same turn goes through.
    const auto asCarol = TestServer::bearer(m_server->user(u"carol@example.com"_s).token);
    const QString carolSession = createSession({}, asCarol);
    const HttpReply carol =
        postTurn(carolSession, u"locked echo"_s, refs(u"locked"_s, u"echo"_s), asCarol);
    QCOMPARE(carol.status, 201);
    const QJsonObject done = waitForEnd(carol.json()[u"id"_s].toString(), asCarol);
    QVERIFY2(done[u"outputText"_s].toString().contains(u"hello agent"_s),
             qPrintable(done[u"outputText"_s].toString()));
}

void tst_AgentMcp::toolTheUpstreamDoesNotListIsAnError()
{
    const QString session = createSession();
    const HttpReply missing =
        postTurn(session, u"stdio echo"_s, refs(u"everything"_s, u"no-such-tool"_s));
    QCOMPARE(missing.status, 400);
    QCOMPARE(missing.error(),
             u"toolRefs[0]: the MCP server of app \"everything\" lists no tool \"no-such-tool\""_s);
    // Its public name is not an operation id either.
    const HttpReply prefixed =
        postTurn(session, u"stdio echo"_s, refs(u"everything"_s, u"everything_echo"_s));
    QCOMPARE(prefixed.status, 400);
    QVERIFY2(prefixed.error().contains(u"everything_echo"_s), qPrintable(prefixed.error()));
    // No turn was created by either.
    const QJsonArray turns =
        m_server->get(u"/api/v1/agent/sessions/%1/turns"_s.arg(session)).json().array();
    QCOMPARE(turns.size(), 0);
    // A tool of a toolRef'd app the turn was not offered stays refused at call time.
    const HttpReply other = postTurn(session, u"http echo"_s, refs(u"everything"_s, u"echo"_s));
    QCOMPARE(other.status, 201);
    const QString id = other.json()[u"id"_s].toString();
    QCOMPARE(waitForEnd(id)[u"status"_s].toString(), u"succeeded"_s);
    QVERIFY(lastEvent(id, u"tool.failed"_s)[u"data"_s][u"error"_s].toString().contains(
        u"not offered"_s));
}

void tst_AgentMcp::toolErrorFailsTheCall()
{
    // echo without its required message: the server refuses the arguments, and the turn shows
    // a failed call whose result the model still gets.
    const QString session = createSession();
    const HttpReply created =
        postTurn(session, u"bad arguments"_s, refs(u"everything"_s, u"echo"_s));
    QCOMPARE(created.status, 201);
    const QString id = created.json()[u"id"_s].toString();
    const QJsonObject done = waitForEnd(id);
    QCOMPARE(done[u"status"_s].toString(), u"succeeded"_s);
    const QJsonObject failed = lastEvent(id, u"tool.failed"_s);
    QVERIFY2(!failed.isEmpty(), QJsonDocument(done).toJson().constData());
    QVERIFY(!failed[u"data"_s][u"error"_s].toString().isEmpty());
    QCOMPARE(failed[u"display"_s][u"phase"_s].toString(), u"failed"_s);
    QVERIFY(lastEvent(id, u"tool.completed"_s).isEmpty());
}

void tst_AgentMcp::scopedTokenGetsOnlyItsTools()
{
    // A token limited to everything/echo: offered that tool alone by default, and a turn that
    // names another of the server's tools has its call refused by the token's scope.
    const TestServer::TestUser narrow =
        m_server->user(u"erin@example.com"_s,
                       {},
                       QJsonArray{QJsonObject{{u"app"_s, u"everything"_s},
                                              {u"operations"_s, QJsonArray{u"echo"_s}}}});
    const auto asNarrow = TestServer::bearer(narrow.token);
    const QString gptSession = createSession(u"gpt"_s, asNarrow);
    const HttpReply open = postTurn(gptSession, u"hello"_s, {}, asNarrow);
    QCOMPARE(open.status, 201);
    QCOMPARE(waitForEnd(open.json()[u"id"_s].toString(), asNarrow)[u"status"_s].toString(),
             u"succeeded"_s);
    Result<QJsonDocument> requests = m_openai.getJson(u"/requests"_s);
    QVERIFY(requests);
    const QJsonArray offered = requests->array().last()[u"tools"_s].toArray();
    QCOMPARE(offered.size(), 1);
    QCOMPARE(offered.at(0)[u"function"_s][u"name"_s].toString(), u"everything_echo"_s);

    const QString session = createSession({}, asNarrow);
    const HttpReply created =
        postTurn(session,
                 u"http echo"_s,
                 {QJsonObject{{u"appName"_s, u"remote"_s}, {u"operation"_s, u"echo"_s}}},
                 asNarrow);
    QCOMPARE(created.status, 201);
    const QString id = created.json()[u"id"_s].toString();
    QCOMPARE(waitForEnd(id, asNarrow)[u"status"_s].toString(), u"succeeded"_s);
    const QJsonObject failed = lastEvent(id, u"tool.failed"_s, asNarrow);
    QVERIFY2(failed[u"data"_s][u"error"_s].toString().contains(u"token scope denied"_s),
             qPrintable(failed[u"data"_s][u"error"_s].toString()));
    QVERIFY(lastEvent(id, u"tool.completed"_s, asNarrow).isEmpty());
}

QTEST_MAIN(tst_AgentMcp)
#include "tst_agentmcp.moc"
