// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// /mcp over real HTTP: JSON-RPC framing and errors, protocol negotiation, tools from operations
// (names, schemas, annotations, pagination), calls to Debian's httpbin, and a matrix proving that
// tools/list and tools/call agree for every kind of principal.
#include "support/HttpbinProcess.h"
#include "support/RawHttpClient.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

QString manyOperations()
{
    QString ops;
    for (int i = 0; i < 120; ++i) {
        ops += u"          - {name: op%1, method: GET, path: /anything/%1}\n"_s.arg(
            i, 3, 10, QChar(u'0'));
    }
    return ops;
}

QString configFor(const QString &httpbin)
{
    return uR"(connections:
  echo_token:
    mode: user
    auth:
      type: manual
authorization:
  policies:
    team:
      default: allow
      members:
        - email: alice@example.com
          role: admin
        - subjectID: service_account:bot
          role: viewer
    locked:
      members:
        - email: carol@example.com
          role: viewer
apps:
  bin:
    mcp: true
    timeout: 5s
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - name: anything
            description: Echo the request
            method: GET
            path: /anything
            parameters:
              - {name: message, type: string, in: query, required: true}
          - {name: status, method: GET, path: "/status/{code}", parameters: [{name: code, in: path, required: true}]}
          - {name: issues.list, method: GET, path: /get}
          - {name: bin_search, method: PUT, path: /put}
          - {name: wipe, method: DELETE, path: /delete}
  keyed:
    mcp: true
    connections:
      default:
        ref: echo_token
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: headers, method: GET, path: /headers}
  team:
    mcp: true
    authorizationPolicy: team
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:9
        operations:
          - {name: read, method: GET, path: /read}
          - {name: write, method: POST, path: /write, allowedRoles: [editor, admin]}
          - {name: wipe, method: DELETE, path: /wipe, allowedRoles: [admin]}
  closed:
    mcp: true
    authorizationPolicy: locked
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:9
        operations:
          - {name: peek, method: GET, path: /peek}
  hidden:
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:9
        operations:
          - {name: nope, method: GET, path: /nope}
  many:
    mcp: true
    surfaces:
      rest:
        baseUrl: %1
        operations:
)"_s.arg(httpbin)
           + manyOperations();
}

const TestServer::Headers jsonHeaders{{"Content-Type", "application/json"},
                                      {"Accept", "application/json, text/event-stream"}};

QStringList toolNames(const QJsonArray &tools)
{
    QStringList names;
    for (const QJsonValue &tool : tools) {
        names.append(tool[u"name"_s].toString());
    }
    return names;
}

} // namespace

class tst_Mcp final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void initializeNegotiatesVersions_data();
    void initializeNegotiatesVersions();
    void framingErrors_data();
    void framingErrors();
    void notificationsAndResponsesAre202();
    void batches();
    void getAndDeleteAre405();
    void dnsRebindingProtection();
    void toolsFromOperations();
    void toolsListPages();
    void toolsCallErrors();
    void callsReachHttpbin();
    void instanceSelectsCredential();
    void listAndCallAgree();
    void callsAreAudited();
    void withoutContributorsThereIsNoMcp();

private:
    HttpReply
    rpc(const QJsonValue &message, const QString &token = {}, TestServer::Headers extra = {});
    QJsonObject
    call(const QString &method, const QJsonObject &params = {}, const QString &token = {});
    QJsonArray allTools(const QString &token = {});

    HttpbinProcess m_httpbin;
    std::unique_ptr<TestServer> m_server;
};

void tst_Mcp::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
}

void tst_Mcp::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, configFor(m_httpbin.baseUrl()));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

HttpReply tst_Mcp::rpc(const QJsonValue &message, const QString &token, TestServer::Headers extra)
{
    TestServer::Headers headers = jsonHeaders;
    if (!token.isEmpty()) {
        headers += TestServer::bearer(token);
    }
    headers += extra;
    const QByteArray body = message.isArray() ? QJsonDocument(message.toArray()).toJson()
                                              : QJsonDocument(message.toObject()).toJson();
    return m_server->post(u"/mcp"_s, body, headers);
}

QJsonObject tst_Mcp::call(const QString &method, const QJsonObject &params, const QString &token)
{
    static int nextId = 1;
    const HttpReply reply = rpc(QJsonObject{{u"jsonrpc"_s, u"2.0"_s},
                                            {u"id"_s, nextId++},
                                            {u"method"_s, method},
                                            {u"params"_s, params}},
                                token);
    if (reply.status != 200) {
        return {{u"httpStatus"_s, reply.status}};
    }
    return reply.json().object();
}

QJsonArray tst_Mcp::allTools(const QString &token)
{
    QJsonArray tools;
    QJsonObject params;
    for (int page = 0; page < 20; ++page) {
        const QJsonObject result = call(u"tools/list"_s, params, token)[u"result"_s].toObject();
        for (const QJsonValue &tool : result[u"tools"_s].toArray()) {
            tools.append(tool);
        }
        if (!result.contains(u"nextCursor"_s)) {
            break;
        }
        params = {{u"cursor"_s, result[u"nextCursor"_s]}};
    }
    return tools;
}

void tst_Mcp::initializeNegotiatesVersions_data()
{
    QTest::addColumn<QString>("requested");
    QTest::addColumn<QString>("answered");
    QTest::newRow("2025-03-26") << u"2025-03-26"_s << u"2025-03-26"_s;
    QTest::newRow("2025-06-18") << u"2025-06-18"_s << u"2025-06-18"_s;
    QTest::newRow("2025-11-25") << u"2025-11-25"_s << u"2025-11-25"_s;
    QTest::newRow("older: the latest we speak") << u"2024-11-05"_s << u"2025-11-25"_s;
    QTest::newRow("unknown: the latest we speak") << u"2031-01-01"_s << u"2025-11-25"_s;
}

void tst_Mcp::initializeNegotiatesVersions()
{
    QFETCH(QString, requested);
    QFETCH(QString, answered);
    const HttpReply reply =
        rpc(QJsonObject{{u"jsonrpc"_s, u"2.0"_s},
                        {u"id"_s, u"init-1"_s},
                        {u"method"_s, u"initialize"_s},
                        {u"params"_s,
                         QJsonObject{{u"protocolVersion"_s, requested},
                                     {u"capabilities"_s, QJsonObject()},
                                     {u"clientInfo"_s,
                                      QJsonObject{{u"name"_s, u"t"_s}, {u"version"_s, u"1"_s}}}}}});
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("Content-Type").startsWith("application/json"));
    QVERIFY(reply.header("Mcp-Session-Id").isEmpty()); // stateless
    const QJsonObject response = reply.json().object();
    QCOMPARE(response[u"id"_s].toString(), u"init-1"_s);
    const QJsonObject result = response[u"result"_s].toObject();
    QCOMPARE(result[u"protocolVersion"_s].toString(), answered);
    QCOMPARE(result[u"serverInfo"_s][u"name"_s].toString(), u"gestalt"_s);
    QVERIFY(result[u"capabilities"_s].toObject().contains(u"tools"_s));
    QVERIFY(!result[u"capabilities"_s].toObject().contains(u"resources"_s));

    const QJsonObject ping = call(u"ping"_s);
    QCOMPARE(ping[u"result"_s].toObject(), QJsonObject());
}

void tst_Mcp::framingErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("protocolHeader");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("code");
    const QByteArray json = "application/json";
    QTest::newRow("not JSON") << "{\"jsonrpc\":"_ba << json << QByteArray() << 400 << -32700;
    QTest::newRow("a JSON string") << "\"hi\""_ba << json << QByteArray() << 400 << -32600;
    QTest::newRow("no jsonrpc member")
        << R"({"id":1,"method":"ping"})"_ba << json << QByteArray() << 400 << -32600;
    QTest::newRow("jsonrpc 1.0") << R"({"jsonrpc":"1.0","id":1,"method":"ping"})"_ba << json
                                 << QByteArray() << 400 << -32600;
    QTest::newRow("method not a string")
        << R"({"jsonrpc":"2.0","id":1,"method":5})"_ba << json << QByteArray() << 400 << -32600;
    QTest::newRow("null id") << R"({"jsonrpc":"2.0","id":null,"method":"ping"})"_ba << json
                             << QByteArray() << 400 << -32600;
    QTest::newRow("params an array")
        << R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":[]})"_ba << json
        << QByteArray() << 400 << -32600;
    QTest::newRow("unknown method") << R"({"jsonrpc":"2.0","id":1,"method":"resources/list"})"_ba
                                    << json << QByteArray() << 200 << -32601;
    QTest::newRow("initialize without a version")
        << R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})"_ba << json
        << QByteArray() << 200 << -32602;
    QTest::newRow("bad cursor")
        << R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"zzz"}})"_ba << json
        << QByteArray() << 200 << -32602;
    QTest::newRow("form body") << R"({"jsonrpc":"2.0","id":1,"method":"ping"})"_ba
                               << "application/x-www-form-urlencoded"_ba << QByteArray() << 415
                               << -32600;
    QTest::newRow("unsupported protocol header") << R"({"jsonrpc":"2.0","id":1,"method":"ping"})"_ba
                                                 << json << "1999-01-01"_ba << 400 << -32600;
}

void tst_Mcp::framingErrors()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, protocolHeader);
    QFETCH(int, status);
    QFETCH(int, code);
    TestServer::Headers headers{{"Content-Type", contentType}};
    if (!protocolHeader.isEmpty()) {
        headers.append({"MCP-Protocol-Version", protocolHeader});
    }
    const HttpReply reply = m_server->post(u"/mcp"_s, body, headers);
    QCOMPARE(reply.status, status);
    const QJsonObject response = reply.json().object();
    QCOMPARE(response[u"jsonrpc"_s].toString(), u"2.0"_s);
    QCOMPARE(response[u"error"_s][u"code"_s].toInt(), code);
    QVERIFY(!response[u"error"_s][u"message"_s].toString().isEmpty());
    // The server keeps serving.
    QCOMPARE(call(u"ping"_s)[u"result"_s].toObject(), QJsonObject());
}

void tst_Mcp::notificationsAndResponsesAre202()
{
    HttpReply reply =
        rpc(QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"method"_s, u"notifications/initialized"_s}});
    QCOMPARE(reply.status, 202);
    QVERIFY(reply.body.isEmpty());
    reply = rpc(QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, 7}, {u"result"_s, QJsonObject()}});
    QCOMPARE(reply.status, 202);
}

void tst_Mcp::batches()
{
    const QJsonArray batch{
        QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, 1}, {u"method"_s, u"ping"_s}},
        QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"method"_s, u"notifications/initialized"_s}},
        QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, 2}, {u"method"_s, u"nope"_s}},
        QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, 3}, {u"method"_s, u"tools/list"_s}},
    };
    // 2025-03-26 (also what a client without the header speaks) has batches.
    HttpReply reply = rpc(batch);
    QCOMPARE(reply.status, 200);
    QJsonArray responses = reply.json().array();
    QCOMPARE(responses.size(), 3);
    QHash<int, QJsonObject> byId;
    for (const QJsonValue &response : responses) {
        byId.insert(response[u"id"_s].toInt(), response.toObject());
    }
    QCOMPARE(byId[1][u"result"_s].toObject(), QJsonObject());
    QCOMPARE(byId[2][u"error"_s][u"code"_s].toInt(), -32601);
    QVERIFY(byId[3][u"result"_s][u"tools"_s].isArray());

    reply = rpc(batch, {}, {{"MCP-Protocol-Version", "2025-03-26"}});
    QCOMPARE(reply.status, 200);
    reply = rpc(batch, {}, {{"MCP-Protocol-Version", "2025-06-18"}});
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.json()[u"error"_s][u"code"_s].toInt(), -32600);
    reply = rpc(QJsonArray());
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.json()[u"error"_s][u"code"_s].toInt(), -32600);

    const QJsonArray notificationsOnly{
        QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"method"_s, u"notifications/initialized"_s}}};
    QCOMPARE(rpc(notificationsOnly).status, 202);

    const QJsonArray withInitialize{
        QJsonObject{{u"jsonrpc"_s, u"2.0"_s},
                    {u"id"_s, 9},
                    {u"method"_s, u"initialize"_s},
                    {u"params"_s, QJsonObject{{u"protocolVersion"_s, u"2025-03-26"_s}}}}};
    reply = rpc(withInitialize);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().array().first()[u"error"_s][u"code"_s].toInt(), -32600);
}

void tst_Mcp::getAndDeleteAre405()
{
    for (const QByteArray &method : {"GET"_ba, "DELETE"_ba}) {
        const HttpReply reply =
            m_server->request(method, u"/mcp"_s, {}, {{"Accept", "text/event-stream"}});
        QCOMPARE(reply.status, 405);
        QCOMPARE(reply.header("Allow"), "POST"_ba);
    }
}

void tst_Mcp::dnsRebindingProtection()
{
    const QJsonObject ping{{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, 1}, {u"method"_s, u"ping"_s}};
    QCOMPARE(rpc(ping, {}, {{"Origin", "http://evil.example.com"}}).status, 403);
    QCOMPARE(rpc(ping, {}, {{"Host", "evil.example.com"}}).status, 403);
    // Another local page (another port) is another origin; the gateway's own pages are not.
    QCOMPARE(rpc(ping, {}, {{"Origin", "http://localhost:1234"}}).status, 403);
    QCOMPARE(rpc(ping, {}, {{"Host", "localhost"}, {"Origin", "http://localhost"}}).status, 200);
    const QByteArray own = "http://127.0.0.1:" + QByteArray::number(m_server->port());
    QCOMPARE(rpc(ping, {}, {{"Origin", own}}).status, 200);
    QCOMPARE(rpc(ping, {}).status, 200);
}

void tst_Mcp::toolsFromOperations()
{
    const QJsonArray tools = allTools();
    const QStringList names = toolNames(tools);
    QVERIFY2(names.contains(u"bin_anything"_s), qPrintable(names.join(u' ')));
    QVERIFY(names.contains(u"bin_issues_list"_s)); // '.' mapped to '_'
    QVERIFY(names.contains(u"bin_search"_s));      // no doubled prefix
    QVERIFY(!names.contains(u"bin_bin_search"_s));
    QVERIFY(!names.contains(u"hidden_nope"_s)); // the app has no mcp: true
    QCOMPARE(names.count(u"many_op000"_s), 1);
    for (const QString &name : names) {
        static const QRegularExpression allowed(u"^[A-Za-z0-9_-]+$"_s);
        QVERIFY2(allowed.match(name).hasMatch(), qPrintable(name));
    }
    QJsonObject anything;
    QJsonObject wipe;
    QJsonObject put;
    for (const QJsonValue &tool : tools) {
        if (tool[u"name"_s] == u"bin_anything"_s) {
            anything = tool.toObject();
        } else if (tool[u"name"_s] == u"bin_wipe"_s) {
            wipe = tool.toObject();
        } else if (tool[u"name"_s] == u"bin_search"_s) {
            put = tool.toObject();
        }
    }
    QCOMPARE(anything[u"description"_s].toString(), u"Echo the request"_s);
    QCOMPARE(anything[u"inputSchema"_s][u"type"_s].toString(), u"object"_s);
    QCOMPARE(anything[u"inputSchema"_s][u"properties"_s][u"message"_s][u"type"_s].toString(),
             u"string"_s);
    QCOMPARE(anything[u"inputSchema"_s][u"required"_s].toArray(), QJsonArray{u"message"_s});
    QCOMPARE(anything[u"annotations"_s][u"readOnlyHint"_s].toBool(), true);
    QCOMPARE(wipe[u"annotations"_s][u"destructiveHint"_s].toBool(), true);
    QCOMPARE(put[u"annotations"_s][u"idempotentHint"_s].toBool(), true);
}

void tst_Mcp::toolsListPages()
{
    const QJsonObject first = call(u"tools/list"_s)[u"result"_s].toObject();
    QCOMPARE(first[u"tools"_s].toArray().size(), 100);
    QVERIFY(first.contains(u"nextCursor"_s));
    const QJsonObject second =
        call(u"tools/list"_s, {{u"cursor"_s, first[u"nextCursor"_s]}})[u"result"_s].toObject();
    QVERIFY(!second.contains(u"nextCursor"_s));
    const QStringList all =
        toolNames(first[u"tools"_s].toArray()) + toolNames(second[u"tools"_s].toArray());
    QCOMPARE(QSet<QString>(all.cbegin(), all.cend()).size(), all.size()); // no repeats
    QCOMPARE(all.size(), toolNames(allTools()).size());
    QVERIFY(all.size() > 120);
}

void tst_Mcp::toolsCallErrors()
{
    QJsonObject response = call(u"tools/call"_s, {{u"name"_s, u"bin_nope"_s}});
    QCOMPARE(response[u"error"_s][u"code"_s].toInt(), -32602);
    QVERIFY(response[u"error"_s][u"message"_s].toString().contains(u"bin_nope"_s));
    response = call(u"tools/call"_s, {});
    QCOMPARE(response[u"error"_s][u"code"_s].toInt(), -32602);
    response = call(u"tools/call"_s, {{u"name"_s, u"bin_anything"_s}, {u"arguments"_s, 5}});
    QCOMPARE(response[u"error"_s][u"code"_s].toInt(), -32602);
    // A bad selector is the tool's error, so a model can correct it.
    response =
        call(u"tools/call"_s,
             {{u"name"_s, u"bin_anything"_s}, {u"arguments"_s, QJsonObject{{u"_instance"_s, 5}}}});
    QCOMPARE(response[u"result"_s][u"isError"_s].toBool(), true);
    // Missing required path parameter: gestaltd's 400 message as a tool error.
    response = call(u"tools/call"_s, {{u"name"_s, u"bin_status"_s}});
    QCOMPARE(response[u"result"_s][u"isError"_s].toBool(), true);
    QVERIFY(response[u"result"_s][u"content"_s][0][u"text"_s].toString().contains(u"code"_s));
    // Huge arguments: the body limit answers, the server keeps serving.
    const QByteArray huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                            "{\"name\":\"bin_anything\",\"arguments\":{\"message\":\""
                            + QByteArray(2 * 1024 * 1024, 'x') + "\"}}}";
    // Content-Length announces it: the server answers 413 before reading the body.
    const RawResponse tooBig =
        rawRequest(m_server->port(),
                   "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Content-Length: "
                       + QByteArray::number(huge.size()) + "\r\n\r\n" + huge.left(1024));
    QCOMPARE(tooBig.status, 413);
    QCOMPARE(call(u"ping"_s)[u"result"_s].toObject(), QJsonObject());
}

void tst_Mcp::callsReachHttpbin()
{
    QJsonObject response = call(u"tools/call"_s,
                                {{u"name"_s, u"bin_anything"_s},
                                 {u"arguments"_s, QJsonObject{{u"message"_s, u"hello"_s}}}});
    QJsonObject result = response[u"result"_s].toObject();
    QVERIFY2(!result[u"isError"_s].toBool(), QJsonDocument(result).toJson().constData());
    QCOMPARE(result[u"content"_s][0][u"type"_s].toString(), u"text"_s);
    const QJsonObject echoed =
        QJsonDocument::fromJson(result[u"content"_s][0][u"text"_s].toString().toUtf8()).object();
    QCOMPARE(echoed[u"args"_s][u"message"_s].toString(), u"hello"_s);

    // Upstream errors are results with isError and the upstream body.
    response =
        call(u"tools/call"_s,
             {{u"name"_s, u"bin_status"_s}, {u"arguments"_s, QJsonObject{{u"code"_s, u"418"_s}}}});
    result = response[u"result"_s].toObject();
    QCOMPARE(result[u"isError"_s].toBool(), true);
    QVERIFY(result[u"content"_s][0][u"text"_s].toString().contains(u"teapot"_s));

    // An empty upstream body is "{}".
    response =
        call(u"tools/call"_s,
             {{u"name"_s, u"bin_status"_s}, {u"arguments"_s, QJsonObject{{u"code"_s, u"204"_s}}}});
    QCOMPARE(response[u"result"_s][u"content"_s][0][u"text"_s].toString(), u"{}"_s);
}

void tst_Mcp::instanceSelectsCredential()
{
    const auto connect = [this](const QString &credential, const QString &instance) {
        const QJsonObject body{{u"integration"_s, u"keyed"_s},
                               {u"credential"_s, credential},
                               {u"instance"_s, instance}};
        QCOMPARE(
            m_server->post(u"/api/v1/auth/connect-manual"_s, QJsonDocument(body).toJson()).status,
            200);
    };
    QJsonObject response = call(u"tools/call"_s, {{u"name"_s, u"keyed_headers"_s}});
    QCOMPARE(response[u"result"_s][u"isError"_s].toBool(), true);
    QVERIFY(response[u"result"_s][u"content"_s][0][u"text"_s].toString().contains(
        u"no external credential"_s));
    connect(u"token-one"_s, u"one"_s);
    connect(u"token-two"_s, u"two"_s);
    response = call(u"tools/call"_s, {{u"name"_s, u"keyed_headers"_s}});
    QVERIFY(response[u"result"_s][u"content"_s][0][u"text"_s].toString().contains(
        u"multiple instances"_s));
    response = call(u"tools/call"_s,
                    {{u"name"_s, u"keyed_headers"_s},
                     {u"arguments"_s, QJsonObject{{u"_instance"_s, u"two"_s}}}});
    const QJsonObject echoed =
        QJsonDocument::fromJson(
            response[u"result"_s][u"content"_s][0][u"text"_s].toString().toUtf8())
            .object();
    QCOMPARE(echoed[u"headers"_s][u"Authorization"_s].toString(), u"Bearer token-two"_s);
}

void tst_Mcp::listAndCallAgree()
{
    // Every kind of principal the access check knows; each tool the catalog has is called by
    // each of them, and a call is denied exactly when the tool is missing from their list.
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    const TestServer::TestUser scoped = m_server->user(u"scoped@example.com"_s, u"team"_s);
    const TestServer::TestUser narrow = m_server->user(
        u"narrow@example.com"_s,
        {},
        QJsonArray{QJsonObject{{u"app"_s, u"team"_s},
                               {u"operations"_s, QJsonArray{u"read"_s, u"write"_s}}}});
    const QString bot = m_server->subjectToken(u"bot"_s);
    const QString stranger = m_server->subjectToken(u"stranger"_s);

    const QStringList everything = toolNames(allTools(alice.token));
    const QStringList probe{
        u"team_read"_s, u"team_write"_s, u"team_wipe"_s, u"closed_peek"_s, u"bin_issues_list"_s};
    for (const QString &name : probe) {
        QVERIFY2(everything.contains(name) || name == u"closed_peek", qPrintable(name));
    }
    struct Row
    {
        const char *who;
        QString token;
        QStringList expected; // of `probe`
    };
    const QList<Row> rows{
        {"anonymous (no login)", QString(), {u"team_read"_s, u"bin_issues_list"_s}},
        {"alice: team admin",
         alice.token,
         {u"team_read"_s, u"team_write"_s, u"team_wipe"_s, u"bin_issues_list"_s}},
        {"bob: default allow viewer", bob.token, {u"team_read"_s, u"bin_issues_list"_s}},
        {"carol: static member of locked",
         carol.token,
         {u"team_read"_s, u"closed_peek"_s, u"bin_issues_list"_s}},
        {"token scoped to team", scoped.token, {u"team_read"_s}},
        {"token with permissions", narrow.token, {u"team_read"_s}},
        // An app without an authorizationPolicy is open to every authenticated caller.
        {"service account with a static grant", bot, {u"team_read"_s, u"bin_issues_list"_s}},
        {"service account without grants", stranger, {u"bin_issues_list"_s}},
    };
    for (const Row &row : rows) {
        const QStringList listed = toolNames(allTools(row.token));
        QStringList listedProbe;
        for (const QString &name : probe) {
            if (listed.contains(name)) {
                listedProbe.append(name);
            }
        }
        QVERIFY2(
            listedProbe == row.expected,
            qPrintable(u"%1: listed %2"_s.arg(QLatin1StringView(row.who), listedProbe.join(u','))));
        for (const QString &name : probe + QStringList{u"bin_anything"_s}) {
            const QJsonObject response = call(
                u"tools/call"_s, {{u"name"_s, name}, {u"arguments"_s, QJsonObject()}}, row.token);
            const QString text = response[u"result"_s][u"content"_s][0][u"text"_s].toString();
            const bool denied =
                response.contains(u"error"_s) || text == u"operation access denied"_s;
            QVERIFY2(
                denied == !listed.contains(name),
                qPrintable(u"%1 calling %2: %3"_s.arg(
                    QLatin1StringView(row.who),
                    name,
                    QString::fromUtf8(QJsonDocument(response).toJson(QJsonDocument::Compact)))));
        }
    }
}

void tst_Mcp::callsAreAudited()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    call(u"tools/call"_s,
         {{u"name"_s, u"bin_anything"_s}, {u"arguments"_s, QJsonObject{{u"message"_s, u"x"_s}}}},
         alice.token);
    const HttpReply events = m_server->get(u"/api/v1/audit-events?action=anything"_s);
    QCOMPARE(events.status, 200);
    const QJsonArray list = events.json()[u"events"_s].toArray();
    QVERIFY(!list.isEmpty());
    QCOMPARE(list.last()[u"source"_s].toString(), u"mcp"_s);
}

void tst_Mcp::withoutContributorsThereIsNoMcp()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, uR"(apps:
  plain:
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:9
        operations:
          - {name: ping, method: GET, path: /ping}
)"_s);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QCOMPARE(m_server->post(u"/mcp"_s, "{}", jsonHeaders).status, 404);
}

QTEST_GUILESS_MAIN(tst_Mcp)
#include "tst_mcp.moc"
