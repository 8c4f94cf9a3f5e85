// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Upstream MCP apps through /mcp with the official @modelcontextprotocol/server-everything as the
// upstream, as a stdio command hosted by the local runtime provider and over Streamable HTTP:
// discovery, verbatim results, MCP-only operations over REST, timeouts, a server killed mid-call
// and restarted with backoff, and the runtime admin routes showing the hosted sessions.
#include "httpclient/SseParser.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>

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

const TestServer::Headers jsonHeaders{{"Content-Type", "application/json"},
                                      {"Accept", "application/json, text/event-stream"}};

bool acceptsConnections(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(200);
}

// nginx in front of the HTTP server-everything, letting through only requests that carry
// `Authorization: Bearer good-secret` (401 otherwise): an MCP server that needs a credential.
QByteArray guardConfig(const QString &dir, quint16 listen, quint16 upstream)
{
    return uR"(daemon off;
worker_processes 1;
pid %1/nginx.pid;
error_log %1/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %1/body;
    proxy_temp_path %1/proxy;
    fastcgi_temp_path %1/fastcgi;
    uwsgi_temp_path %1/uwsgi;
    scgi_temp_path %1/scgi;
    server {
        listen 127.0.0.1:%2;
        location / {
            if ($http_authorization != "Bearer good-secret") { return 401; }
            proxy_pass http://127.0.0.1:%3;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_read_timeout 120s;
        }
    }
}
)"_s.arg(dir)
        .arg(listen)
        .arg(upstream)
        .toUtf8();
}

// A stdio MCP server that refuses its first tools/list (what no real server does on demand):
// the gateway must ask again while the process keeps running.
const QByteArray flakyServer = R"PY(
import json, sys
refused = False
for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue
    method = message.get("method")
    if method == "initialize":
        result = {"protocolVersion": message["params"]["protocolVersion"],
                  "capabilities": {"tools": {}}, "serverInfo": {"name": "flaky", "version": "1"}}
    elif method == "tools/list" and not refused:
        refused = True
        print(json.dumps({"jsonrpc": "2.0", "id": message["id"],
                          "error": {"code": -32603, "message": "not ready yet"}}), flush=True)
        continue
    elif method == "tools/list":
        result = {"tools": [{"name": "hello", "inputSchema": {"type": "object"}}]}
    elif method == "tools/call":
        result = {"content": [{"type": "text", "text": "hello back"}]}
    else:
        result = {}
    print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}), flush=True)
)PY";

} // namespace

class tst_McpUpstream final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase();

    void toolsAreDiscoveredAndPrefixed();
    void resultsPassThroughVerbatim();
    void allowedOperationsNarrowTheTools();
    void failedDiscoveryIsRetried();
    void mcpOnlyOperationsRefuseRest();
    void hangingUpstreamTimesOut();
    void callerScopedToolsFollowTheCredential();
    void progressReachesTheCaller_data();
    void progressReachesTheCaller();
    void runtimeRoutesShowSessions();
    void crashedServerRestarts();
    void serverDyingMidCallFailsTheCall();

private:
    QJsonObject call(const QString &method, const QJsonObject &params = {});
    QJsonObject callTool(const QString &name, const QJsonObject &arguments);
    QHash<QString, QJsonObject> tools();
    QJsonObject session(const QString &app);

    QProcess m_remote;
    quint16 m_remotePort = 0;
    QTemporaryDir m_guardDir;
    QProcess m_guard; // nginx
    quint16 m_guardPort = 0;
    std::unique_ptr<TestServer> m_server;
};

void tst_McpUpstream::initTestCase()
{
    if (!QFile::exists(NodePeer::nodeBinary()) || !QFile::exists(everythingScript())) {
        QFAIL("run 'npm ci' in tests/ (scripts/test.sh does it)");
    }
    m_remotePort = freePort();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PORT"_s, QString::number(m_remotePort));
    m_remote.setProcessEnvironment(env);
    m_remote.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_remote.setStandardOutputFile(QProcess::nullDevice());
    m_remote.start(NodePeer::nodeBinary(), {everythingScript(), u"streamableHttp"_s});
    QVERIFY(m_remote.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(acceptsConnections(m_remotePort), 20000);

    const QString nginx =
        QStandardPaths::findExecutable(u"nginx"_s, {u"/usr/sbin"_s, u"/usr/bin"_s});
    if (nginx.isEmpty()) {
        QFAIL("nginx is not installed (scripts/install-deps.sh installs nginx-light)");
    }
    QVERIFY(m_guardDir.isValid());
    m_guardPort = freePort();
    QFile config(m_guardDir.filePath(u"nginx.conf"_s));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(guardConfig(m_guardDir.path(), m_guardPort, m_remotePort));
    config.close();
    QFile flaky(m_guardDir.filePath(u"flaky.py"_s));
    QVERIFY(flaky.open(QIODevice::WriteOnly));
    flaky.write(flakyServer);
    flaky.close();
    m_guard.setProcessChannelMode(QProcess::ForwardedChannels);
    m_guard.start(nginx,
                  {u"-p"_s,
                   m_guardDir.path(),
                   u"-c"_s,
                   config.fileName(),
                   u"-e"_s,
                   m_guardDir.filePath(u"error.log"_s)});
    QVERIFY(m_guard.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(acceptsConnections(m_guardPort), 20000);
}

void tst_McpUpstream::cleanupTestCase()
{
    for (QProcess *process : {&m_guard, &m_remote}) {
        process->terminate();
        if (!process->waitForFinished(5000)) {
            process->kill();
            process->waitForFinished(5000);
        }
    }
    TestDatabase::dropAll();
}

void tst_McpUpstream::init()
{
    const QString yaml = uR"(runtime:
  providers:
    local:
      driver: local
      config:
        restartDelay: 200ms
        maxRestartDelay: 1s
apps:
  everything:
    surfaces:
      mcp:
        command: [%1, %2, stdio]
  picked:
    allowedOperations:
      echo: {alias: say, description: Says it back}
      get-sum: {}
    surfaces:
      mcp:
        command: [%1, %2, stdio]
  slow:
    timeout: 1s
    surfaces:
      mcp:
        command: [%1, %2, stdio]
  remote:
    surfaces:
      mcp:
        url: http://127.0.0.1:%3/mcp
  flaky:
    surfaces:
      mcp:
        command: [python3, %5]
  guarded:
    connections:
      default:
        mode: user
        auth: {type: manual}
    surfaces:
      mcp:
        url: http://127.0.0.1:%4/mcp
)"_s.arg(NodePeer::nodeBinary(), everythingScript())
                             .arg(m_remotePort)
                             .arg(m_guardPort)
                             .arg(m_guardDir.filePath(u"flaky.py"_s));
    m_server = std::make_unique<TestServer>(u"sqlite"_s, yaml);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(
        tools().contains(u"everything_echo"_s) && tools().contains(u"remote_echo"_s)
            && tools().contains(u"picked_say"_s) && tools().contains(u"slow_echo"_s),
        30000);
}

QJsonObject tst_McpUpstream::call(const QString &method, const QJsonObject &params)
{
    static int nextId = 1;
    const QJsonObject message{{u"jsonrpc"_s, u"2.0"_s},
                              {u"id"_s, nextId++},
                              {u"method"_s, method},
                              {u"params"_s, params}};
    const HttpReply reply = m_server->post(u"/mcp"_s, QJsonDocument(message).toJson(), jsonHeaders);
    return reply.json().object();
}

QJsonObject tst_McpUpstream::callTool(const QString &name, const QJsonObject &arguments)
{
    return call(u"tools/call"_s, {{u"name"_s, name}, {u"arguments"_s, arguments}})[u"result"_s]
        .toObject();
}

QHash<QString, QJsonObject> tst_McpUpstream::tools()
{
    QHash<QString, QJsonObject> byName;
    const QJsonArray list = call(u"tools/list"_s)[u"result"_s][u"tools"_s].toArray();
    for (const QJsonValue &tool : list) {
        byName.insert(tool[u"name"_s].toString(), tool.toObject());
    }
    return byName;
}

QJsonObject tst_McpUpstream::session(const QString &app)
{
    const HttpReply reply = m_server->get(u"/admin/api/v1/runtime/providers/local/sessions"_s);
    for (const QJsonValue &s : reply.json()[u"sessions"_s].toArray()) {
        if (s[u"app"_s] == app && s[u"state"_s] == u"running"_s) {
            return s.toObject();
        }
    }
    return {};
}

void tst_McpUpstream::toolsAreDiscoveredAndPrefixed()
{
    const QHash<QString, QJsonObject> all = tools();
    int stdioTools = 0;
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        if (!it.key().startsWith(u"everything_"_s)) {
            continue;
        }
        ++stdioTools;
        // The same server over HTTP advertises the same tool: identical but for the name.
        const QString remoteName = u"remote_"_s + it.key().mid(u"everything_"_s.size());
        QVERIFY2(all.contains(remoteName), qPrintable(remoteName));
        QJsonObject local = it.value();
        QJsonObject remote = all.value(remoteName);
        local.remove(u"name"_s);
        remote.remove(u"name"_s);
        QCOMPARE(local, remote);
        QVERIFY(local[u"inputSchema"_s].isObject());
    }
    QVERIFY(stdioTools >= 5);
}

void tst_McpUpstream::resultsPassThroughVerbatim()
{
    for (const QString &prefix : {u"everything_"_s, u"remote_"_s}) {
        const QJsonObject echo = callTool(prefix + u"echo"_s, {{u"message"_s, u"hi"_s}});
        QCOMPARE(echo[u"content"_s][0][u"type"_s].toString(), u"text"_s);
        QVERIFY2(echo[u"content"_s][0][u"text"_s].toString().contains(u"hi"_s),
                 QJsonDocument(echo).toJson().constData());
        QVERIFY(!echo[u"isError"_s].toBool());
    }
    // Images and structured content come through untouched.
    const QHash<QString, QJsonObject> all = tools();
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        if (it.key().startsWith(u"everything_"_s) && it.key().contains(u"image"_s)
            && it.value()[u"inputSchema"_s][u"required"_s].toArray().isEmpty()) {
            const QJsonObject image = callTool(it.key(), {});
            bool sawImage = false;
            for (const QJsonValue &part : image[u"content"_s].toArray()) {
                if (part[u"type"_s] == u"image"_s) {
                    sawImage = !part[u"data"_s].toString().isEmpty()
                               && part[u"mimeType"_s].toString().startsWith(u"image/"_s);
                }
            }
            QVERIFY2(sawImage, QJsonDocument(image).toJson().constData());
        }
    }
    // A tool the upstream does not know: its error, passed through.
    const QJsonObject unknown = call(u"tools/call"_s, {{u"name"_s, u"everything_nope"_s}});
    QCOMPARE(unknown[u"error"_s][u"code"_s].toInt(), -32602);
}

void tst_McpUpstream::allowedOperationsNarrowTheTools()
{
    QStringList picked;
    const QHash<QString, QJsonObject> all = tools();
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        if (it.key().startsWith(u"picked_"_s)) {
            picked.append(it.key());
        }
    }
    picked.sort();
    QCOMPARE(picked, (QStringList{u"picked_get-sum"_s, u"picked_say"_s}));
    // The alias is ours: the definition is the upstream's but for name and description.
    QJsonObject say = all.value(u"picked_say"_s);
    QJsonObject echo = all.value(u"everything_echo"_s);
    QCOMPARE(say[u"description"_s].toString(), u"Says it back"_s);
    for (QJsonObject *tool : {&say, &echo}) {
        tool->remove(u"name"_s);
        tool->remove(u"description"_s);
    }
    QCOMPARE(say, echo);
    // Calls go out under the upstream's name; a tool left out is unknown.
    const QJsonObject result = callTool(u"picked_say"_s, {{u"message"_s, u"aliased"_s}});
    QCOMPARE(result[u"content"_s][0][u"text"_s].toString(), u"Echo: aliased"_s);
    QCOMPARE(call(u"tools/call"_s, {{u"name"_s, u"picked_echo"_s}})[u"error"_s][u"code"_s].toInt(),
             -32602);
    QCOMPARE(call(u"tools/call"_s, {{u"name"_s, u"picked_get-tiny-image"_s}})[u"error"_s][u"code"_s]
                 .toInt(),
             -32602);
}

void tst_McpUpstream::failedDiscoveryIsRetried()
{
    // Its first listing failed; the retry (2 s later) finds the tool without a restart.
    QTRY_VERIFY_WITH_TIMEOUT(tools().contains(u"flaky_hello"_s), 15000);
    QCOMPARE(session(u"flaky"_s)[u"state"_s].toString(), u"running"_s);
    const QJsonObject result = callTool(u"flaky_hello"_s, {});
    QCOMPARE(result[u"content"_s][0][u"text"_s].toString(), u"hello back"_s);
}

void tst_McpUpstream::mcpOnlyOperationsRefuseRest()
{
    HttpReply reply = m_server->post(u"/api/v1/everything/echo"_s,
                                     R"({"message":"hi"})",
                                     {{"Content-Type", "application/json"}});
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), u"this integration is accessible only via MCP"_s);
    reply = m_server->get(u"/api/v1/remote/echo?message=hi"_s);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), u"this integration is accessible only via MCP"_s);
}

void tst_McpUpstream::hangingUpstreamTimesOut()
{
    const QJsonObject result =
        callTool(u"slow_trigger-long-running-operation"_s, {{u"duration"_s, 10}, {u"steps"_s, 2}});
    QCOMPARE(result[u"isError"_s].toBool(), true);
    QVERIFY2(result[u"content"_s][0][u"text"_s].toString().contains(u"did not answer"_s),
             QJsonDocument(result).toJson().constData());
    // The server keeps answering.
    QVERIFY(!callTool(u"slow_echo"_s, {{u"message"_s, u"after"_s}})[u"isError"_s].toBool());
}

void tst_McpUpstream::callerScopedToolsFollowTheCredential()
{
    const auto connect = [this](const QString &credential) {
        const QJsonObject body{{u"integration"_s, u"guarded"_s}, {u"credential"_s, credential}};
        return m_server
            ->post(u"/api/v1/auth/connect-manual"_s,
                   QJsonDocument(body).toJson(),
                   {{"Content-Type", "application/json"}})
            .status;
    };
    const auto guardedTools = [this] {
        QStringList names;
        for (const QString &name : tools().keys()) {
            if (name.startsWith(u"guarded_"_s)) {
                names.append(name);
            }
        }
        return names;
    };
    // Not connected: the server is never asked, the caller sees none of its tools, and a call
    // says what to do.
    QVERIFY(guardedTools().isEmpty());
    QVERIFY(tools().contains(u"remote_echo"_s)); // the rest of the list is unaffected
    QJsonObject result = callTool(u"guarded_echo"_s, {{u"message"_s, u"hi"_s}});
    QCOMPARE(result[u"isError"_s].toBool(), true);
    QVERIFY2(result[u"content"_s][0][u"text"_s].toString().contains(u"connect"_s),
             QJsonDocument(result).toJson().constData());

    // A credential the server refuses (401 from nginx): no tools, and calls ask to reconnect.
    QCOMPARE(connect(u"wrong-secret"_s), 200);
    QVERIFY(guardedTools().isEmpty());
    result = callTool(u"guarded_echo"_s, {{u"message"_s, u"hi"_s}});
    QCOMPARE(result[u"isError"_s].toBool(), true);
    QVERIFY2(result[u"content"_s][0][u"text"_s].toString().contains(u"reconnect"_s),
             QJsonDocument(result).toJson().constData());

    // The right credential: the server's own tools under the app's prefix, same definitions as
    // the unguarded server, and calls go through with the credential.
    QCOMPARE(connect(u"good-secret"_s), 200);
    QTRY_VERIFY_WITH_TIMEOUT(guardedTools().contains(u"guarded_echo"_s), 10000);
    QJsonObject guarded = tools().value(u"guarded_echo"_s);
    QJsonObject remote = tools().value(u"remote_echo"_s);
    guarded.remove(u"name"_s);
    remote.remove(u"name"_s);
    QCOMPARE(guarded, remote);
    result = callTool(u"guarded_echo"_s, {{u"message"_s, u"through nginx"_s}});
    QVERIFY2(!result[u"isError"_s].toBool(), QJsonDocument(result).toJson().constData());
    QCOMPARE(result[u"content"_s][0][u"text"_s].toString(), u"Echo: through nginx"_s);
    // A name its server does not have is an unknown tool, as for the others.
    const QJsonObject unknown = call(u"tools/call"_s, {{u"name"_s, u"guarded_nope"_s}});
    QCOMPARE(unknown[u"error"_s][u"code"_s].toInt(), -32602);
    // MCP-only over REST too.
    const HttpReply rest = m_server->get(u"/api/v1/guarded/echo?message=hi"_s);
    QCOMPARE(rest.status, 400);
    QCOMPARE(rest.error(), u"this integration is accessible only via MCP"_s);
}

void tst_McpUpstream::progressReachesTheCaller_data()
{
    QTest::addColumn<QString>("tool");
    QTest::newRow("stdio") << u"everything_trigger-long-running-operation"_s;
    QTest::newRow("http") << u"remote_trigger-long-running-operation"_s;
}

void tst_McpUpstream::progressReachesTheCaller()
{
    QFETCH(QString, tool);
    const QJsonObject params{{u"name"_s, tool},
                             {u"arguments"_s, QJsonObject{{u"duration"_s, 1}, {u"steps"_s, 3}}},
                             {u"_meta"_s, QJsonObject{{u"progressToken"_s, u"caller-7"_s}}}};
    const QJsonObject message{{u"jsonrpc"_s, u"2.0"_s},
                              {u"id"_s, 41},
                              {u"method"_s, u"tools/call"_s},
                              {u"params"_s, params}};
    const QByteArray body = QJsonDocument(message).toJson();

    // The answer becomes an SSE stream: the progress under the caller's token, then the result.
    HttpReply reply = m_server->post(u"/mcp"_s, body, jsonHeaders);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), "text/event-stream");
    SseParser parser;
    QList<QJsonObject> events;
    for (const SseParser::Event &event : parser.feed(reply.body)) {
        events.append(QJsonDocument::fromJson(event.data).object());
    }
    QVERIFY2(events.size() >= 4, reply.body.constData());
    double last = -1;
    for (qsizetype i = 0; i + 1 < events.size(); ++i) {
        QCOMPARE(events[i][u"method"_s].toString(), u"notifications/progress"_s);
        QCOMPARE(events[i][u"params"_s][u"progressToken"_s].toString(), u"caller-7"_s);
        QVERIFY(events[i][u"params"_s][u"progress"_s].toDouble() > last);
        last = events[i][u"params"_s][u"progress"_s].toDouble();
        QCOMPARE(events[i][u"params"_s][u"total"_s].toDouble(), 3.0);
    }
    QCOMPARE(events.last()[u"id"_s].toInt(), 41);
    QVERIFY2(
        events.last()[u"result"_s][u"content"_s][0][u"text"_s].toString().contains(u"completed"_s),
        reply.body.constData());

    // A client that takes only JSON gets the plain answer, without the progress.
    reply = m_server->post(
        u"/mcp"_s, body, {{"Content-Type", "application/json"}, {"Accept", "application/json"}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), "application/json");
    QCOMPARE(reply.json()[u"id"_s].toInt(), 41);
    QVERIFY(!reply.json()[u"result"_s][u"isError"_s].toBool());
}

void tst_McpUpstream::runtimeRoutesShowSessions()
{
    HttpReply reply = m_server->get(u"/admin/api/v1/runtime/providers"_s);
    QCOMPARE(reply.status, 200);
    const QJsonObject local = reply.itemNamed(u"local"_s);
    QCOMPARE(local[u"driver"_s].toString(), u"local"_s);
    QCOMPARE(local[u"default"_s].toBool(), true);
    QCOMPARE(local[u"loaded"_s].toBool(), true);
    QCOMPARE(local[u"sessionCount"_s].toInt(), 4); // everything, picked, flaky, slow
    QVERIFY(local[u"profile"_s][u"effective"_s].isObject());

    reply = m_server->get(u"/admin/api/v1/runtime/providers/local/sessions?pageSize=3"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"sessions"_s].toArray().size(), 3);
    const QString token = reply.json()[u"nextPageToken"_s].toString();
    QVERIFY(!token.isEmpty());
    reply = m_server->get(u"/admin/api/v1/runtime/providers/local/sessions?pageSize=3&pageToken="_s
                          + token);
    QCOMPARE(reply.json()[u"sessions"_s].toArray().size(), 1);
    QVERIFY(!reply.json().object().contains(u"nextPageToken"_s));

    const QJsonObject everything = session(u"everything"_s);
    QVERIFY(!everything.isEmpty());
    reply = m_server->get(u"/admin/api/v1/runtime/providers/local/sessions/%1/logs?limit=50"_s.arg(
        everything[u"id"_s].toString()));
    QCOMPARE(reply.status, 200);
    const QJsonArray logs = reply.json().array();
    QVERIFY(!logs.isEmpty());
    QVERIFY(logs.first()[u"seq"_s].toInteger() >= 1);

    QCOMPARE(m_server->get(u"/admin/api/v1/runtime/providers/nope/sessions"_s).status, 404);
    QCOMPARE(m_server->get(u"/admin/api/v1/runtime/providers/local/sessions/nope/logs"_s).status,
             404);
    QCOMPARE(m_server->get(u"/admin/api/v1/runtime/providers/local/sessions?pageSize=0"_s).status,
             400);
    QCOMPARE(
        m_server->get(u"/admin/api/v1/runtime/providers/local/sessions?pageToken=%%%"_s).status,
        400);
}

void tst_McpUpstream::crashedServerRestarts()
{
    const QJsonObject before = session(u"everything"_s);
    QVERIFY(!before.isEmpty());
    QVERIFY(before[u"pid"_s].toInteger() > 0);
    ::kill(pid_t(before[u"pid"_s].toInteger()), SIGKILL);
    // Meanwhile its tools answer a clear error (or already work again after the quick restart).
    const QJsonObject during = callTool(u"everything_echo"_s, {{u"message"_s, u"x"_s}});
    if (during[u"isError"_s].toBool()) {
        QVERIFY2(!during[u"content"_s][0][u"text"_s].toString().isEmpty(),
                 QJsonDocument(during).toJson().constData());
    }
    QTRY_VERIFY_WITH_TIMEOUT(!session(u"everything"_s).isEmpty()
                                 && session(u"everything"_s)[u"id"_s] != before[u"id"_s],
                             20000);
    QTRY_VERIFY_WITH_TIMEOUT(
        !callTool(u"everything_echo"_s, {{u"message"_s, u"back"_s}})[u"isError"_s].toBool(), 20000);
    // The old session's logs stay readable and say how it ended.
    const HttpReply logs =
        m_server->get(u"/admin/api/v1/runtime/providers/local/sessions/%1/logs?limit=1000"_s.arg(
            before[u"id"_s].toString()));
    QCOMPARE(logs.status, 200);
    QVERIFY(QString::fromUtf8(logs.body).contains(u"signal"_s));
}

void tst_McpUpstream::serverDyingMidCallFailsTheCall()
{
    const QJsonObject before = session(u"everything"_s);
    QVERIFY(!before.isEmpty());
    QTimer::singleShot(800, [pid = before[u"pid"_s].toInteger()] { ::kill(pid_t(pid), SIGKILL); });
    const QJsonObject result = callTool(u"everything_trigger-long-running-operation"_s,
                                        {{u"duration"_s, 20}, {u"steps"_s, 2}});
    QCOMPARE(result[u"isError"_s].toBool(), true);
    QVERIFY2(result[u"content"_s][0][u"text"_s].toString().contains(u"exited"_s),
             QJsonDocument(result).toJson().constData());
}

QTEST_GUILESS_MAIN(tst_McpUpstream)
#include "tst_mcpupstream.moc"
