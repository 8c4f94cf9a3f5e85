// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Attacks by insiders, over real HTTP against a running gestaltd, on SQLite and PostgreSQL:
// a user holding a token limited to some apps or operations, or any signed-in user, tries to
// step outside what they were given. Scoped tokens cannot mint, revoke or list tokens; a managed
// subject cannot be created under an id the config or the store already names (a static admin);
// a viewer cannot call an upstream MCP tool (per-caller credentials) that allowedRoles hides from
// their tools/list, neither over /mcp nor through a workflow step.
#include "support/HttpbinProcess.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
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

// `guarded`: an upstream MCP server (server-everything over Streamable HTTP) behind a user
// connection, so gestalt asks it for each caller's tools with that caller's credential. Its
// `echo` is for the `tools` policy's admins only; viewers (default: allow) get `get-sum`.
QString configYaml(const QString &httpbin, quint16 mcpPort)
{
    return uR"(authorization:
  policies:
    ops:
      members:
        - {email: root@example.com, role: admin}
        - {subjectID: "service_account:admin-bot", role: admin}
    locked:
      members:
        - {subjectID: "service_account:app-bot", role: viewer}
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
          - {name: get_headers, method: GET, path: /headers}
  locked:
    authorizationPolicy: locked
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: peek, method: GET, path: /get}
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

const QString overrideYaml = u"server:\n  admin:\n    authorizationPolicy: ops\n"
                             "workflows:\n  pollInterval: 50ms\n"_s;
const QString subjects = u"/api/v1/authorization/subjects"_s;
const TestServer::Headers mcpHeaders{{"Content-Type", "application/json"},
                                     {"Accept", "application/json, text/event-stream"}};

TestServer::Headers withBearer(const QString &token)
{
    TestServer::Headers headers = mcpHeaders;
    headers.append({"Authorization", "Bearer " + token.toUtf8()});
    return headers;
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_SecInsider final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void initTestCase();
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase();

    // Tokens: a token limited to some apps or operations stays within them.
    void perOperationTokenCannotMintAToken();
    void scopedTokenCannotRevokeAnotherToken();
    void scopedTokenCannotRevokeAllTokens();
    void scopedTokenCannotListTokens();
    void scopedTokenCannotMintManagedSubjectTokens();

    // Managed subjects: nobody takes over an id that already holds roles.
    void userCannotClaimTheIdOfAStaticAdmin();
    void userCannotClaimTheIdOfAnAppPolicyMember();
    void userCannotClaimTheIdOfAnExistingGrant();
    void builtInAdminMayCreateANamedSubject();

    // Upstream MCP apps with per-caller credentials: allowedRoles hold on tools/call.
    void viewerCannotCallAnUpstreamToolHiddenFromTheirList();
    void upstreamToolsListAndCallAgree();
    void workflowStepCannotCallAnUpstreamToolHiddenFromItsOwner();

private:
    [[nodiscard]] QJsonObject
    mcp(const QString &method, const QJsonObject &params, const QString &token);
    [[nodiscard]] QStringList toolNames(const QString &token);
    void connectGuarded(const QString &token);
    [[nodiscard]] QStringList tokenNames(const QString &token);
    [[nodiscard]] QJsonObject waitForRun(const QString &triggerId, const QString &token);

    HttpbinProcess m_httpbin;
    QProcess m_everything; // server-everything over Streamable HTTP
    quint16 m_everythingPort = 0;
    std::unique_ptr<TestServer> m_server;
    TestServer::TestUser m_root;
};

void tst_SecInsider::initTestCase()
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

void tst_SecInsider::cleanupTestCase()
{
    m_everything.terminate();
    if (!m_everything.waitForFinished(5000)) {
        m_everything.kill();
        m_everything.waitForFinished(5000);
    }
    TestDatabase::dropAll();
}

void tst_SecInsider::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(
        backend, configYaml(m_httpbin.baseUrl(), m_everythingPort), overrideYaml);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_root = m_server->user(u"root@example.com"_s);
}

QJsonObject
tst_SecInsider::mcp(const QString &method, const QJsonObject &params, const QString &token)
{
    static int nextId = 1;
    const QJsonObject message{{u"jsonrpc"_s, u"2.0"_s},
                              {u"id"_s, nextId++},
                              {u"method"_s, method},
                              {u"params"_s, params}};
    return m_server->post(u"/mcp"_s, json(message), withBearer(token)).json().object();
}

QStringList tst_SecInsider::toolNames(const QString &token)
{
    QStringList names;
    const QJsonObject listed = mcp(u"tools/list"_s, {}, token);
    for (const QJsonValue &tool : listed[u"result"_s][u"tools"_s].toArray()) {
        names.append(tool[u"name"_s].toString());
    }
    return names;
}

void tst_SecInsider::connectGuarded(const QString &token)
{
    const HttpReply reply =
        m_server->post(u"/api/v1/auth/connect-manual"_s,
                       json({{u"integration"_s, u"guarded"_s}, {u"credential"_s, u"any-secret"_s}}),
                       TestServer::bearer(token));
    QCOMPARE(reply.status, 200);
}

QStringList tst_SecInsider::tokenNames(const QString &token)
{
    QStringList names;
    const HttpReply reply = m_server->get(u"/api/v1/tokens"_s, TestServer::bearer(token));
    for (const QJsonValue &row : reply.json().array()) {
        names.append(row[u"id"_s].toString());
    }
    names.sort();
    return names;
}

QJsonObject tst_SecInsider::waitForRun(const QString &triggerId, const QString &token)
{
    for (int i = 0; i < 500; ++i) {
        const HttpReply runs = m_server->get(u"/api/v1/workflow/runs"_s, TestServer::bearer(token));
        for (const QJsonValue &run : runs.json().array()) {
            const QString status = run[u"status"_s].toString();
            if (run[u"trigger"_s][u"triggerId"_s].toString() == triggerId
                && (status == u"succeeded" || status == u"failed" || status == u"canceled")) {
                return run.toObject();
            }
        }
        QTest::qWait(20);
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Tokens

void tst_SecInsider::perOperationTokenCannotMintAToken()
{
    const TestServer::TestUser owner = m_server->user(u"owner@example.com"_s);
    const TestServer::TestUser perOperation =
        m_server->user(u"owner@example.com"_s,
                       {},
                       QJsonArray{QJsonObject{{u"app"_s, u"httpbin"_s},
                                              {u"operations"_s, QJsonArray{u"get_ip"_s}}}});
    const TestServer::TestUser perApp = m_server->user(u"owner@example.com"_s, u"httpbin"_s);
    // The token does what it was made for...
    QCOMPARE(
        m_server->get(u"/api/v1/httpbin/get_ip"_s, TestServer::bearer(perOperation.token)).status,
        200);
    QCOMPARE(m_server->get(u"/api/v1/httpbin/get_headers"_s, TestServer::bearer(perOperation.token))
                 .status,
             403);
    const QStringList before = tokenNames(owner.token);
    QCOMPARE(before.size(), 3);

    // ...and cannot mint an unscoped (or any) token for its owner.
    for (const QString &scoped : {perOperation.token, perApp.token}) {
        for (
            const QByteArray &body :
            {R"({"name":"escape"})"_ba,
             R"({"name":"escape","permissions":[{"app":"httpbin","operations":["get_ip"]}]})"_ba}) {
            const HttpReply reply =
                m_server->post(u"/api/v1/tokens"_s, body, TestServer::bearer(scoped));
            QCOMPARE(reply.status, 403);
            QCOMPARE(reply.error(), u"scoped API tokens cannot manage API tokens"_s);
            QVERIFY(!reply.json().object().contains(u"token"_s));
        }
    }
    QCOMPARE(tokenNames(owner.token), before);

    // A session-equivalent unscoped token still manages tokens.
    const HttpReply minted =
        m_server->post(u"/api/v1/tokens"_s, R"({"name":"fine"})", TestServer::bearer(owner.token));
    QCOMPARE(minted.status, 201);
}

void tst_SecInsider::scopedTokenCannotRevokeAnotherToken()
{
    const TestServer::TestUser owner = m_server->user(u"owner@example.com"_s);
    const TestServer::TestUser scoped =
        m_server->user(u"owner@example.com"_s,
                       {},
                       QJsonArray{QJsonObject{{u"app"_s, u"httpbin"_s},
                                              {u"operations"_s, QJsonArray{u"get_ip"_s}}}});
    for (const QString &id : {owner.tokenId, scoped.tokenId}) {
        const HttpReply reply =
            m_server->del(u"/api/v1/tokens/"_s + id, TestServer::bearer(scoped.token));
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.error(), u"scoped API tokens cannot manage API tokens"_s);
    }
    // Both still work.
    QCOMPARE(m_server->get(u"/api/v1/tokens"_s, TestServer::bearer(owner.token)).status, 200);
    QCOMPARE(m_server->get(u"/api/v1/httpbin/get_ip"_s, TestServer::bearer(scoped.token)).status,
             200);
    // Its owner revokes it with an unscoped token.
    QCOMPARE(m_server->del(u"/api/v1/tokens/"_s + scoped.tokenId, TestServer::bearer(owner.token))
                 .status,
             200);
    QCOMPARE(m_server->get(u"/api/v1/httpbin/get_ip"_s, TestServer::bearer(scoped.token)).status,
             401);
}

void tst_SecInsider::scopedTokenCannotRevokeAllTokens()
{
    const TestServer::TestUser owner = m_server->user(u"owner@example.com"_s);
    const TestServer::TestUser scoped = m_server->user(u"owner@example.com"_s, u"httpbin"_s);
    const HttpReply reply = m_server->del(u"/api/v1/tokens"_s, TestServer::bearer(scoped.token));
    QCOMPARE(reply.status, 403);
    QCOMPARE(reply.error(), u"scoped API tokens cannot manage API tokens"_s);
    QCOMPARE(tokenNames(owner.token).size(), 2);
    QCOMPARE(m_server->get(u"/api/v1/httpbin/get_ip"_s, TestServer::bearer(scoped.token)).status,
             200);
}

void tst_SecInsider::scopedTokenCannotListTokens()
{
    const TestServer::TestUser scoped =
        m_server->user(u"owner@example.com"_s,
                       {},
                       QJsonArray{QJsonObject{{u"app"_s, u"httpbin"_s},
                                              {u"operations"_s, QJsonArray{u"get_ip"_s}}}});
    const HttpReply reply = m_server->get(u"/api/v1/tokens"_s, TestServer::bearer(scoped.token));
    QCOMPARE(reply.status, 403);
    QCOMPARE(reply.error(), u"scoped API tokens cannot manage API tokens"_s);
    QVERIFY(!reply.body.contains("tokenId") && !reply.body.contains("\"id\""));
}

void tst_SecInsider::scopedTokenCannotMintManagedSubjectTokens()
{
    // The owner manages a subject; their scoped token cannot mint or revoke its tokens.
    const TestServer::TestUser owner = m_server->user(u"owner@example.com"_s);
    QCOMPARE(m_server->post(subjects, R"({"id":"ci"})", TestServer::bearer(owner.token)).status,
             201);
    const HttpReply issued = m_server->post(subjects + u"/service_account:ci/tokens"_s,
                                            R"({"name":"t"})",
                                            TestServer::bearer(owner.token));
    QCOMPARE(issued.status, 201);
    const TestServer::TestUser scoped = m_server->user(u"owner@example.com"_s, u"httpbin"_s);
    const TestServer::Headers as = TestServer::bearer(scoped.token);
    const QString route = subjects + u"/service_account:ci/tokens"_s;
    for (const HttpReply &reply :
         {m_server->post(route, R"({"name":"x"})", as),
          m_server->del(route + u'/' + issued.json()[u"id"_s].toString(), as),
          m_server->del(route, as)}) {
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.error(), u"scoped API tokens cannot manage managed subjects"_s);
    }
    QCOMPARE(m_server->get(route, TestServer::bearer(owner.token)).json().array().size(), 1);
    // And the older /api/v1/tokens door is shut too.
    QCOMPARE(m_server->post(u"/api/v1/tokens"_s, R"({"name":"x"})", as).status, 403);
}

// ---------------------------------------------------------------------------------------------
// Managed subjects

void tst_SecInsider::userCannotClaimTheIdOfAStaticAdmin()
{
    // service_account:admin-bot is a built-in admin by the config. Whoever created it would hold
    // its tokens, and so the whole admin surface.
    const TestServer::TestUser mallory = m_server->user(u"mallory@example.com"_s);
    const TestServer::Headers as = TestServer::bearer(mallory.token);
    QCOMPARE(m_server->get(u"/admin/api/v1/authorization/provider"_s, as).status, 403);
    for (const QByteArray &body :
         {R"({"id":"admin-bot"})"_ba, R"({"subjectId":"service_account:admin-bot"})"_ba}) {
        const HttpReply reply = m_server->post(subjects, body, as);
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.error(),
                 u"managed subject id \"admin-bot\" is already named by an authorization policy "
                 "or relationship; only a built-in admin may create it"_s);
    }
    // No subject, so no token for it.
    const HttpReply mint =
        m_server->post(subjects + u"/service_account:admin-bot/tokens"_s, R"({"name":"root"})", as);
    QCOMPARE(mint.status, 404);
    QVERIFY(!mint.json().object().contains(u"token"_s));
    const HttpReply listed = m_server->get(subjects, TestServer::bearer(m_root.token));
    QCOMPARE(listed.status, 200);
    QCOMPARE(listed.json().array().size(), 0);
    // An id nothing names is still anyone's to create (and an existing one stays a 409).
    QCOMPARE(m_server->post(subjects, R"({"id":"mallory-bot"})", as).status, 201);
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    QCOMPARE(
        m_server->post(subjects, R"({"id":"mallory-bot"})", TestServer::bearer(bob.token)).status,
        409);
}

void tst_SecInsider::userCannotClaimTheIdOfAnAppPolicyMember()
{
    const TestServer::TestUser mallory = m_server->user(u"mallory@example.com"_s);
    const TestServer::Headers as = TestServer::bearer(mallory.token);
    QCOMPARE(m_server->get(u"/api/v1/locked/peek"_s, as).status, 403);
    const HttpReply reply = m_server->post(subjects, R"({"id":"app-bot"})", as);
    QCOMPARE(reply.status, 403);
    QVERIFY2(reply.error().contains(u"only a built-in admin may create it"_s),
             reply.body.constData());
    QCOMPARE(m_server->post(subjects + u"/service_account:app-bot/tokens"_s, R"({"name":"x"})", as)
                 .status,
             404);
}

void tst_SecInsider::userCannotClaimTheIdOfAnExistingGrant()
{
    // An admin grants a service account that is not created yet (it will be, by the admin).
    const HttpReply granted =
        m_server->request("PUT",
                          u"/admin/api/v1/authorization/apps/locked/members"_s,
                          R"({"subjectId":"service_account:deploy-bot","role":"viewer"})",
                          TestServer::bearer(m_root.token));
    QCOMPARE(granted.status, 200);
    const TestServer::TestUser mallory = m_server->user(u"mallory@example.com"_s);
    const HttpReply reply =
        m_server->post(subjects, R"({"id":"deploy-bot"})", TestServer::bearer(mallory.token));
    QCOMPARE(reply.status, 403);
    QVERIFY2(reply.error().contains(u"only a built-in admin may create it"_s),
             reply.body.constData());
    QCOMPARE(m_server
                 ->post(subjects + u"/service_account:deploy-bot/tokens"_s,
                        R"({"name":"x"})",
                        TestServer::bearer(mallory.token))
                 .status,
             404);
}

void tst_SecInsider::builtInAdminMayCreateANamedSubject()
{
    const TestServer::Headers root = TestServer::bearer(m_root.token);
    QCOMPARE(m_server->post(subjects, R"({"id":"admin-bot"})", root).status, 201);
    const HttpReply issued = m_server->post(
        subjects + u"/service_account:admin-bot/tokens"_s, R"({"name":"ops"})", root);
    QCOMPARE(issued.status, 201);
    // The operator meant it: the subject is a built-in admin.
    QCOMPARE(m_server
                 ->get(u"/admin/api/v1/authorization/provider"_s,
                       TestServer::bearer(issued.json()[u"token"_s].toString()))
                 .status,
             200);
    // Another user still sees nothing of it.
    const TestServer::TestUser mallory = m_server->user(u"mallory@example.com"_s);
    QCOMPARE(m_server
                 ->post(subjects + u"/service_account:admin-bot/tokens"_s,
                        R"({"name":"x"})",
                        TestServer::bearer(mallory.token))
                 .status,
             404);
}

// ---------------------------------------------------------------------------------------------
// Upstream MCP apps with per-caller credentials

void tst_SecInsider::viewerCannotCallAnUpstreamToolHiddenFromTheirList()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s); // tools admin
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);     // viewer
    connectGuarded(alice.token);
    connectGuarded(bob.token);
    QTRY_VERIFY_WITH_TIMEOUT(toolNames(bob.token).contains(u"guarded_get-sum"_s), 15000);
    QVERIFY(!toolNames(bob.token).contains(u"guarded_echo"_s));
    QVERIFY(toolNames(alice.token).contains(u"guarded_echo"_s));

    // Bob calls the tool his list hides: refused like a tool that does not exist.
    const QJsonObject args{{u"message"_s, u"from bob"_s}};
    QJsonObject response =
        mcp(u"tools/call"_s, {{u"name"_s, u"guarded_echo"_s}, {u"arguments"_s, args}}, bob.token);
    QCOMPARE(response[u"error"_s][u"code"_s].toInt(), -32602);
    QCOMPARE(response[u"error"_s][u"message"_s].toString(), u"Unknown tool: guarded_echo"_s);
    QVERIFY(!response.contains(u"result"_s));
    const QJsonObject unknown = mcp(u"tools/call"_s, {{u"name"_s, u"guarded_nope"_s}}, bob.token);
    QCOMPARE(unknown[u"error"_s][u"code"_s].toInt(), -32602);

    // The refusal is audited as a denial.
    const HttpReply audit =
        m_server->get(u"/api/v1/audit-events?action=echo"_s, TestServer::bearer(m_root.token));
    QCOMPARE(audit.status, 200);
    bool denied = false;
    for (const QJsonValue &event : audit.json()[u"events"_s].toArray()) {
        denied = denied || event[u"allowed"_s] == QJsonValue(false);
    }
    QVERIFY2(denied, audit.body.constData());

    // Alice, an admin of the app, calls it.
    response = mcp(u"tools/call"_s,
                   {{u"name"_s, u"guarded_echo"_s},
                    {u"arguments"_s, QJsonObject{{u"message"_s, u"from alice"_s}}}},
                   alice.token);
    QCOMPARE(response[u"result"_s][u"content"_s][0][u"text"_s].toString(), u"Echo: from alice"_s);
}

void tst_SecInsider::upstreamToolsListAndCallAgree()
{
    // Each principal calls each tool; a call is refused exactly when the tool is missing from
    // that principal's tools/list.
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s); // not connected
    const TestServer::TestUser aliceSumOnly =
        m_server->user(u"alice@example.com"_s,
                       {},
                       QJsonArray{QJsonObject{{u"app"_s, u"guarded"_s},
                                              {u"operations"_s, QJsonArray{u"get-sum"_s}}}});
    const TestServer::TestUser aliceOtherApp = m_server->user(u"alice@example.com"_s, u"httpbin"_s);
    const TestServer::TestUser bobGuarded = m_server->user(u"bob@example.com"_s, u"guarded"_s);
    connectGuarded(alice.token);
    connectGuarded(bob.token);
    QTRY_VERIFY_WITH_TIMEOUT(toolNames(alice.token).contains(u"guarded_echo"_s), 15000);

    const QHash<QString, QJsonObject> arguments{
        {u"guarded_echo"_s, QJsonObject{{u"message"_s, u"hi"_s}}},
        {u"guarded_get-sum"_s, QJsonObject{{u"a"_s, 1}, {u"b"_s, 2}}},
        {u"guarded_get-env"_s, QJsonObject()}, // not in allowedOperations
        {u"guarded_nope"_s, QJsonObject()},
    };
    struct Row
    {
        const char *who;
        QString token;
        QStringList expected;
    };
    const QList<Row> rows{
        {"alice: tools admin", alice.token, {u"guarded_echo"_s, u"guarded_get-sum"_s}},
        {"bob: default allow viewer", bob.token, {u"guarded_get-sum"_s}},
        {"bob's token scoped to guarded", bobGuarded.token, {u"guarded_get-sum"_s}},
        {"alice's token for get-sum only", aliceSumOnly.token, {u"guarded_get-sum"_s}},
        {"alice's token scoped to another app", aliceOtherApp.token, {}},
        {"carol: not connected", carol.token, {}},
    };
    for (const Row &row : rows) {
        const QStringList all = toolNames(row.token);
        QStringList listed;
        for (const QString &name : arguments.keys()) {
            if (all.contains(name)) {
                listed.append(name);
            }
        }
        listed.sort();
        QStringList expected = row.expected;
        expected.sort();
        QVERIFY2(listed == expected,
                 qPrintable(u"%1 listed %2"_s.arg(QLatin1StringView(row.who), listed.join(u','))));
        for (auto it = arguments.cbegin(); it != arguments.cend(); ++it) {
            const QJsonObject response = mcp(
                u"tools/call"_s, {{u"name"_s, it.key()}, {u"arguments"_s, it.value()}}, row.token);
            const bool ran =
                response.contains(u"result"_s) && !response[u"result"_s][u"isError"_s].toBool();
            QVERIFY2(ran == listed.contains(it.key()),
                     qPrintable(u"%1 calling %2: %3"_s.arg(
                         QLatin1StringView(row.who), it.key(), QString::fromUtf8(json(response)))));
        }
    }
}

void tst_SecInsider::workflowStepCannotCallAnUpstreamToolHiddenFromItsOwner()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    connectGuarded(alice.token);
    connectGuarded(bob.token);
    const auto trigger = [this](const QString &type, const QString &token) {
        const QJsonObject step{
            {u"id"_s, u"say"_s},
            {u"app"_s,
             QJsonObject{
                 {u"name"_s, u"guarded"_s},
                 {u"operation"_s, u"echo"_s},
                 {u"input"_s, QJsonObject{{u"literal"_s, QJsonObject{{u"message"_s, type}}}}}}}};
        const HttpReply reply =
            m_server->post(u"/api/v1/workflow/event-triggers"_s,
                           json({{u"match"_s, QJsonObject{{u"type"_s, type}}},
                                 {u"target"_s, QJsonObject{{u"steps"_s, QJsonArray{step}}}}}),
                           TestServer::bearer(token));
        return reply;
    };
    const auto publish = [this](const QString &type, const QString &token) {
        return m_server
            ->post(
                u"/api/v1/workflow/events"_s, json({{u"type"_s, type}}), TestServer::bearer(token))
            .status;
    };

    // Bob's step names the tool his role may not run: the run fails at that step, the tool is
    // never called.
    const HttpReply bobs = trigger(u"bob.go"_s, bob.token);
    if (bobs.status == 201) {
        QCOMPARE(publish(u"bob.go"_s, bob.token), 202);
        const QJsonObject run = waitForRun(bobs.json()[u"id"_s].toString(), bob.token);
        QCOMPARE(run[u"status"_s].toString(), u"failed"_s);
        const QJsonObject step = run[u"steps"_s][0].toObject();
        QCOMPARE(step[u"status"_s].toString(), u"failed"_s);
        QVERIFY2(run[u"statusMessage"_s].toString().contains(u"Unknown tool: guarded_echo"_s),
                 qPrintable(run[u"statusMessage"_s].toString()));
        QVERIFY(!json(run).contains("Echo: bob.go"));
    } else {
        // Refusing the trigger outright is as good.
        QCOMPARE(bobs.status, 403);
    }

    // Alice's identical step runs.
    const HttpReply alices = trigger(u"alice.go"_s, alice.token);
    QCOMPARE(alices.status, 201);
    QCOMPARE(publish(u"alice.go"_s, alice.token), 202);
    const QJsonObject run = waitForRun(alices.json()[u"id"_s].toString(), alice.token);
    QCOMPARE(run[u"status"_s].toString(), u"succeeded"_s);
    QVERIFY2(json(run).contains("Echo: alice.go"), json(run).constData());
}

QTEST_GUILESS_MAIN(tst_SecInsider)
#include "tst_sec_insider.moc"
