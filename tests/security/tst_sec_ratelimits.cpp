// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Exhaustion by callers, over real HTTP against a running gestaltd (server.limits), on SQLite and
// PostgreSQL: a caller who goes over a rate limit or a concurrency cap is refused with 429,
// Retry-After and a JSON error naming the limit, through every door (REST, /mcp tools/call, a
// workflow step, an agent tool call); one caller's exhaustion does not limit another; token and
// role overrides replace the per-caller limit; bad limits are `gestaltd validate` errors; the
// operator route needs an admin; two replicas on one PostgreSQL database share one limit.
#include "support/HttpbinProcess.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

QString appsYaml(const QString &httpbin)
{
    return uR"(authorization:
  policies:
    ops:
      members:
        - {email: root@example.com, role: admin}
    team:
      default: allow
      members:
        - {email: alice@example.com, role: admin}
apps:
  bin:
    authorizationPolicy: team
    mcp: true
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: get, method: GET, path: /get}
          - {name: search, method: GET, path: /anything}
  other:
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: get, method: GET, path: /get}
  gate:
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: slow, method: GET, path: /delay/2}
  burst:
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: get, method: GET, path: /get}
)"_s.arg(httpbin);
}

// server.limits and the rest of the override file; `overrides` is the YAML list of
// server.limits.overrides (without its key), indented by six spaces.
QString limitsYaml(const QString &overrides = {})
{
    QString yaml = uR"(server:
  admin:
    authorizationPolicy: ops
  limits:
    perSubject: {requests: 1000, per: 1m}
    apps:
      bin:
        perSubject: {requests: 3, per: 1m}
        operations:
          search:
            perSubject: {requests: 1, per: 1h}
      gate:
        total: {concurrent: 1}
      burst:
        perSubject: {requests: 50, per: 1h}
    overrides:
      - role: admin
        app: bin
        perSubject: {requests: 6, per: 1m}
)"_s;
    yaml += overrides;
    yaml += uR"(workflows:
  pollInterval: 50ms
agents:
  pollInterval: 100ms
  turnLease: 1s
providers:
  agent:
    local:
      source: scripted
      default: true
      config:
        rules:
          - when: fetch
            replies:
              - toolCalls: [{tool: bin_get, arguments: {}}]
              - text: "Result: {{lastToolResult}}"
)"_s;
    return yaml;
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The 429 of a rate limit: Retry-After, and the JSON error naming the limit.
void verifyLimited(const HttpReply &reply,
                   const QString &scope,
                   const QString &kind,
                   const QString &message)
{
    QVERIFY2(reply.status == 429, reply.body.constData());
    const QJsonObject body = reply.json().object();
    QCOMPARE(body[u"code"_s].toString(), u"rate_limited"_s);
    QVERIFY2(body[u"error"_s].toString().contains(message), reply.body.constData());
    const int retryAfter = reply.header("Retry-After").toInt();
    QVERIFY2(retryAfter >= 1, reply.header("Retry-After").constData());
    QCOMPARE(body[u"retryAfter"_s].toInt(), retryAfter);
    const QJsonObject limit = body[u"limit"_s].toObject();
    QCOMPARE(limit[u"scope"_s].toString(), scope);
    QCOMPARE(limit[u"kind"_s].toString(), kind);
    if (kind == u"concurrent") {
        QCOMPARE(retryAfter, 1);
    }
}

} // namespace

class tst_SecRateLimits final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void initTestCase();
    void init();
    void cleanup() { m_server.reset(); }

    void callerOverTheAppLimitGets429NamingIt();
    void operationLimitIsCountedSeparately();
    void oneCallerCannotExhaustAnotherCallersLimit();
    void callerCannotEscapeTheLimitWithASecondToken();
    void mcpToolCallOverTheLimitIsAToolErrorNamingIt();
    void workflowStepCannotBypassTheLimit();
    void agentToolCallCannotBypassTheLimit();
    void concurrencyCapRefusesASecondCallUntilTheFirstEnds();
    void roleOverrideRaisesTheLimitForItsHoldersOnly();
    void tokenOverrideReplacesTheCallerLimitForThatToken();
    void badLimitsAreValidateErrors_data();
    void badLimitsAreValidateErrors();
    void limitsRouteNeedsAnAdminAndShowsUsage();
    void twoReplicasShareOneLimit();

private:
    QJsonObject waitForRun(const QString &triggerId, const QString &token);

    HttpbinProcess m_httpbin;
    std::unique_ptr<TestServer> m_server;
};

void tst_SecRateLimits::initTestCase()
{
    QVERIFY(m_httpbin.start());
}

void tst_SecRateLimits::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, appsYaml(m_httpbin.baseUrl()), limitsYaml());
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

QJsonObject tst_SecRateLimits::waitForRun(const QString &triggerId, const QString &token)
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

void tst_SecRateLimits::callerOverTheAppLimitGets429NamingIt()
{
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    for (int i = 0; i < 3; ++i) {
        const HttpReply ok = m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(carol.token));
        QVERIFY2(ok.status == 200, ok.body.constData());
    }
    const HttpReply refused = m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(carol.token));
    verifyLimited(refused,
                  u"app-subject"_s,
                  u"requests"_s,
                  u"rate limit exceeded: 3 requests per minute for each caller of app \"bin\""_s);
    const QJsonObject limit = refused.json()[u"limit"_s].toObject();
    QCOMPARE(limit[u"app"_s].toString(), u"bin"_s);
    QVERIFY(limit[u"operation"_s].isNull());
    QCOMPARE(limit[u"requests"_s].toInt(), 3);
    QCOMPARE(limit[u"perSeconds"_s].toInt(), 60);
    QVERIFY(limit[u"concurrent"_s].isNull());
    // Nothing of the caller's identity or credentials is in the refusal.
    QVERIFY(!refused.body.contains(carol.token.toUtf8()));
    QVERIFY(!refused.body.contains(carol.subjectId.toUtf8()));
    // The caller's other apps are not affected.
    QCOMPARE(m_server->get(u"/api/v1/other/get"_s, TestServer::bearer(carol.token)).status, 200);
    // Counted for the operator, with bounded labels only (no subject).
    const HttpReply metrics = m_server->get(u"/metrics"_s, TestServer::bearer(carol.token));
    QVERIFY2(metrics.body.contains("gestaltd_rate_limited_total{app=\"bin\",operation=\"get\","
                                   "scope=\"app-subject\",kind=\"requests\"} 1"),
             metrics.body.constData());
    QVERIFY(metrics.body.contains("gestaltd_rate_limit_in_flight{app=\"bin\"} 0"));
    QVERIFY(!metrics.body.contains(carol.subjectId.toUtf8()));
}

void tst_SecRateLimits::operationLimitIsCountedSeparately()
{
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    QCOMPARE(m_server->get(u"/api/v1/bin/search"_s, TestServer::bearer(carol.token)).status, 200);
    const HttpReply refused =
        m_server->get(u"/api/v1/bin/search"_s, TestServer::bearer(carol.token));
    verifyLimited(refused,
                  u"operation-subject"_s,
                  u"requests"_s,
                  u"1 requests per hour for each caller of operation \"search\" of app \"bin\""_s);
    QCOMPARE(refused.json()[u"limit"_s][u"operation"_s].toString(), u"search"_s);
    QVERIFY(refused.json()[u"retryAfter"_s].toInt() > 60);
}

void tst_SecRateLimits::oneCallerCannotExhaustAnotherCallersLimit()
{
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    const TestServer::TestUser dave = m_server->user(u"dave@example.com"_s);
    for (int i = 0; i < 5; ++i) {
        (void)m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(carol.token));
    }
    QCOMPARE(m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(carol.token)).status, 429);
    for (int i = 0; i < 3; ++i) {
        const HttpReply ok = m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(dave.token));
        QVERIFY2(ok.status == 200, ok.body.constData());
    }
    QCOMPARE(m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(dave.token)).status, 429);
}

void tst_SecRateLimits::callerCannotEscapeTheLimitWithASecondToken()
{
    const TestServer::TestUser first = m_server->user(u"carol@example.com"_s);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(first.token)).status, 200);
    }
    // Another token of the same user counts against the same caller.
    const TestServer::TestUser second = m_server->user(u"carol@example.com"_s);
    QVERIFY(second.token != first.token);
    QCOMPARE(second.subjectId, first.subjectId);
    verifyLimited(m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(second.token)),
                  u"app-subject"_s,
                  u"requests"_s,
                  u"for each caller of app \"bin\""_s);
}

void tst_SecRateLimits::mcpToolCallOverTheLimitIsAToolErrorNamingIt()
{
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(carol.token)).status, 200);
    }
    TestServer::Headers headers{{"Accept", "application/json, text/event-stream"}};
    headers.append(TestServer::bearer(carol.token));
    const QJsonObject call{
        {u"jsonrpc"_s, u"2.0"_s},
        {u"id"_s, 7},
        {u"method"_s, u"tools/call"_s},
        {u"params"_s, QJsonObject{{u"name"_s, u"bin_get"_s}, {u"arguments"_s, QJsonObject()}}}};
    const HttpReply reply = m_server->post(u"/mcp"_s, json(call), headers);
    QCOMPARE(reply.status, 200);
    const QJsonObject result = reply.json()[u"result"_s].toObject();
    QVERIFY2(result[u"isError"_s].toBool(), reply.body.constData());
    const QString text = result[u"content"_s][0][u"text"_s].toString();
    QVERIFY2(text.contains(u"rate limit exceeded: 3 requests per minute for each caller of app "
                           u"\"bin\""_s),
             qPrintable(text));
}

void tst_SecRateLimits::workflowStepCannotBypassTheLimit()
{
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(carol.token)).status, 200);
    }
    const QJsonObject step{
        {u"id"_s, u"fetch"_s},
        {u"app"_s, QJsonObject{{u"name"_s, u"bin"_s}, {u"operation"_s, u"get"_s}}}};
    const HttpReply trigger =
        m_server->post(u"/api/v1/workflow/event-triggers"_s,
                       json({{u"match"_s, QJsonObject{{u"type"_s, u"carol.go"_s}}},
                             {u"target"_s, QJsonObject{{u"steps"_s, QJsonArray{step}}}}}),
                       TestServer::bearer(carol.token));
    QVERIFY2(trigger.status == 201, trigger.body.constData());
    QCOMPARE(m_server
                 ->post(u"/api/v1/workflow/events"_s,
                        json({{u"type"_s, u"carol.go"_s}}),
                        TestServer::bearer(carol.token))
                 .status,
             202);
    const QJsonObject run = waitForRun(trigger.json()[u"id"_s].toString(), carol.token);
    QCOMPARE(run[u"status"_s].toString(), u"failed"_s);
    QVERIFY2(json(run).contains("rate limit exceeded"), json(run).constData());
}

void tst_SecRateLimits::agentToolCallCannotBypassTheLimit()
{
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(carol.token)).status, 200);
    }
    const HttpReply session =
        m_server->post(u"/api/v1/agent/sessions"_s, json({}), TestServer::bearer(carol.token));
    QVERIFY2(session.status == 201, session.body.constData());
    const QJsonObject message{{u"role"_s, u"user"_s}, {u"text"_s, u"fetch it"_s}};
    const HttpReply turn =
        m_server->post(u"/api/v1/agent/sessions/%1/turns"_s.arg(session.json()[u"id"_s].toString()),
                       json({{u"messages"_s, QJsonArray{message}}}),
                       TestServer::bearer(carol.token));
    QVERIFY2(turn.status == 201, turn.body.constData());
    const QString id = turn.json()[u"id"_s].toString();
    QJsonObject done;
    for (int i = 0; i < 500; ++i) {
        done = m_server->get(u"/api/v1/agent/turns/"_s + id, TestServer::bearer(carol.token))
                   .json()
                   .object();
        const QString status = done[u"status"_s].toString();
        if (status == u"succeeded" || status == u"failed") {
            break;
        }
        QTest::qWait(20);
    }
    const HttpReply events = m_server->get(u"/api/v1/agent/turns/%1/events?limit=1000"_s.arg(id),
                                           TestServer::bearer(carol.token));
    bool limited = false;
    for (const QJsonValue &event : events.json().array()) {
        if (event[u"type"_s].toString().startsWith(u"tool."_s)
            && json(event.toObject()).contains("rate limit exceeded")) {
            limited = true;
        }
    }
    QVERIFY2(limited, events.body.constData());
    // The upstream was not called for the refused tool: no httpbin answer in the turn.
    QVERIFY2(!events.body.contains("\"url\""), events.body.constData());
}

void tst_SecRateLimits::concurrencyCapRefusesASecondCallUntilTheFirstEnds()
{
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    const TestServer::TestUser dave = m_server->user(u"dave@example.com"_s);
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/api/v1/gate/slow"_s.arg(m_server->port())));
    request.setRawHeader("Authorization", "Bearer " + carol.token.toUtf8());
    std::unique_ptr<QNetworkReply> first(network.get(request));
    // The first call is upstream (httpbin /delay/2) once the server read it.
    QTest::qWait(500);
    QVERIFY(!first->isFinished());
    // Another caller: the app's total cap of 1 is taken.
    const HttpReply second = m_server->get(u"/api/v1/gate/slow"_s, TestServer::bearer(dave.token));
    verifyLimited(second,
                  u"app-total"_s,
                  u"concurrent"_s,
                  u"rate limit exceeded: 1 concurrent calls for all callers of app \"gate\""_s);
    QTRY_VERIFY_WITH_TIMEOUT(first->isFinished(), 10000);
    QCOMPARE(first->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    // The slot came back when the first call ended.
    const HttpReply third = m_server->get(u"/api/v1/gate/slow"_s, TestServer::bearer(dave.token));
    QVERIFY2(third.status == 200, third.body.constData());
}

void tst_SecRateLimits::roleOverrideRaisesTheLimitForItsHoldersOnly()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s); // admin on bin
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s); // viewer
    int aliceAdmitted = 0;
    int carolAdmitted = 0;
    for (int i = 0; i < 8; ++i) {
        aliceAdmitted +=
            m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(alice.token)).status == 200;
        carolAdmitted +=
            m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(carol.token)).status == 200;
    }
    QCOMPARE(aliceAdmitted, 6);
    QCOMPARE(carolAdmitted, 3);
    const HttpReply refused = m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(alice.token));
    verifyLimited(refused, u"app-subject"_s, u"requests"_s, u"6 requests per minute"_s);
}

void tst_SecRateLimits::tokenOverrideReplacesTheCallerLimitForThatToken()
{
    QFETCH_GLOBAL(QString, backend);
    const TestServer::TestUser erin = m_server->user(u"erin@example.com"_s);
    const TestServer::TestUser frank = m_server->user(u"frank@example.com"_s);
    // The same store, with an override for erin's token (ids are known once it exists).
    TestServer replica(
        backend,
        appsYaml(m_httpbin.baseUrl()),
        limitsYaml(u"      - token: %1\n        perSubject: {requests: 2, per: 1m}\n"_s.arg(
            erin.tokenId)));
    replica.shareDatastoreOf(*m_server);
    QVERIFY2(replica.start(), qPrintable(replica.errorString()));
    QCOMPARE(replica.get(u"/api/v1/other/get"_s, TestServer::bearer(erin.token)).status, 200);
    QCOMPARE(replica.get(u"/api/v1/other/get"_s, TestServer::bearer(erin.token)).status, 200);
    const HttpReply refused = replica.get(u"/api/v1/other/get"_s, TestServer::bearer(erin.token));
    verifyLimited(refused,
                  u"subject"_s,
                  u"requests"_s,
                  u"rate limit exceeded: 2 requests per minute for each caller"_s);
    QVERIFY(refused.json()[u"limit"_s][u"app"_s].isNull());
    // Another token keeps the default of 1000 per minute.
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(replica.get(u"/api/v1/other/get"_s, TestServer::bearer(frank.token)).status, 200);
    }
    // The operator sees the token by its id, never its value.
    const TestServer::TestUser root = replica.user(u"root@example.com"_s);
    const HttpReply limits = replica.get(u"/admin/api/v1/limits"_s, TestServer::bearer(root.token));
    QCOMPARE(limits.status, 200);
    QVERIFY(limits.body.contains((u"token:"_s + erin.tokenId).toUtf8()));
    QVERIFY(!limits.body.contains(erin.token.toUtf8()));
}

void tst_SecRateLimits::badLimitsAreValidateErrors_data()
{
    QTest::addColumn<QString>("limits");
    QTest::addColumn<QString>("expected");
    QTest::newRow("zero requests")
        << u"    perSubject: {requests: 0, per: 1m}\n"_s << u"server.limits.perSubject.requests"_s;
    QTest::newRow("negative concurrent")
        << u"    apps:\n      bin:\n        total: {concurrent: -1}\n"_s
        << u"server.limits.apps.bin.total.concurrent"_s;
    QTest::newRow("interval too long") << u"    perSubject: {requests: 5, per: 25h}\n"_s
                                       << u"must be whole seconds between 1s and 24h"_s;
    QTest::newRow("per without requests")
        << u"    perSubject: {per: 1m, concurrent: 2}\n"_s << u"needs requests"_s;
    QTest::newRow("unknown app") << u"    apps:\n      nope:\n        total: {concurrent: 1}\n"_s
                                 << u"server.limits.apps.nope: names no app \"nope\""_s;
    QTest::newRow("unknown operation")
        << u"    apps:\n      bin:\n        operations:\n          nope: {total: {concurrent: 1}}\n"_s
        << u"app \"bin\" has no operation \"nope\""_s;
    QTest::newRow("override without role or token")
        << u"    overrides:\n      - perSubject: {requests: 5}\n"_s
        << u"set exactly one of role and token"_s;
    QTest::newRow("override of an unknown app")
        << u"    overrides:\n      - {role: admin, app: nope, perSubject: {requests: 5}}\n"_s
        << u"names no app \"nope\""_s;
    QTest::newRow("unknown key") << u"    perSubject: {requests: 5, burst: 2}\n"_s
                                 << u"unknown key \"server.limits.perSubject.burst\""_s;
}

void tst_SecRateLimits::badLimitsAreValidateErrors()
{
    QFETCH_GLOBAL(QString, backend);
    QFETCH(QString, limits);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QFile file(dir.filePath(u"gestalt.yaml"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        u"apiVersion: gestaltd.config/v5\n"
        "server:\n"
        "  public:\n"
        "    host: 127.0.0.1\n"
        "  encryptionKey: \"0000000000000000000000000000000000000000000000000000000000000001\"\n"
        "  limits:\n%1"
        "apps:\n"
        "  bin:\n"
        "    surfaces:\n"
        "      rest:\n"
        "        baseUrl: http://127.0.0.1:9\n"
        "        operations:\n"
        "          - {name: get, method: GET, path: /get}\n"_s.arg(limits)
            .toUtf8());
    file.close();
    QProcess validate;
    validate.start(QStringLiteral(GESTALTD_BINARY),
                   {u"validate"_s, u"--config"_s, file.fileName()});
    QVERIFY(validate.waitForFinished(30000));
    const QString output =
        QString::fromUtf8(validate.readAllStandardError() + validate.readAllStandardOutput());
    QVERIFY2(validate.exitCode() != 0, qPrintable(output));
    QVERIFY2(output.contains(expected), qPrintable(output));
    // The server refuses to start on the same config.
    TestServer server(backend,
                      {},
                      u"server:\n  limits:\n"_s + limits
                          + u"apps:\n  bin:\n    surfaces:\n      rest:\n"
                            u"        baseUrl: http://127.0.0.1:9\n"
                            u"        operations:\n"
                            u"          - {name: get, method: GET, path: /get}\n"_s);
    QVERIFY(!server.start());
    QVERIFY2(server.errorString().contains(expected), qPrintable(server.errorString()));
}

void tst_SecRateLimits::limitsRouteNeedsAnAdminAndShowsUsage()
{
    const TestServer::TestUser root = m_server->user(u"root@example.com"_s);
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    for (int i = 0; i < 4; ++i) {
        (void)m_server->get(u"/api/v1/bin/get"_s, TestServer::bearer(carol.token));
    }
    // Without login the caller is the anonymous local user, who is no admin here.
    QCOMPARE(m_server->get(u"/admin/api/v1/limits"_s).status, 403);
    const HttpReply denied =
        m_server->get(u"/admin/api/v1/limits"_s, TestServer::bearer(carol.token));
    QCOMPARE(denied.status, 403);
    QVERIFY(!denied.body.contains("usage"));

    const HttpReply reply =
        m_server->get(u"/admin/api/v1/limits"_s, TestServer::bearer(root.token));
    QVERIFY2(reply.status == 200, reply.body.constData());
    const QJsonObject body = reply.json().object();
    bool sawTop = false;
    for (const QJsonValue &limit : body[u"limits"_s].toArray()) {
        if (limit[u"scope"_s].toString() == u"subject") {
            sawTop = true;
            QVERIFY(limit[u"app"_s].isNull());
            QCOMPARE(limit[u"requests"_s].toInt(), 1000);
            QCOMPARE(limit[u"perSeconds"_s].toInt(), 60);
            QVERIFY(limit[u"concurrent"_s].isNull());
        }
    }
    QVERIFY(sawTop);
    const QJsonObject first = body[u"overrides"_s][0].toObject();
    QCOMPARE(first[u"role"_s].toString(), u"admin"_s);
    QCOMPARE(first[u"app"_s].toString(), u"bin"_s);
    QVERIFY(first[u"token"_s].isNull());
    QCOMPARE(first[u"requests"_s].toInt(), 6);
    bool sawCarol = false;
    for (const QJsonValue &row : body[u"usage"_s].toArray()) {
        if (row[u"scope"_s].toString() == u"app-subject" && row[u"app"_s].toString() == u"bin"
            && row[u"subject"_s].toString() == carol.subjectId) {
            sawCarol = true;
            QCOMPARE(row[u"requests"_s].toInt(), 3);
            QCOMPARE(row[u"limited"_s].toInt(), 1);
            QCOMPARE(row[u"inFlight"_s].toInt(), 0);
            QCOMPARE(row[u"perSeconds"_s].toInt(), 60);
            QVERIFY(row[u"operation"_s].isNull());
        }
    }
    QVERIFY2(sawCarol, reply.body.constData());
    QVERIFY(!reply.body.contains(carol.token.toUtf8()));
}

void tst_SecRateLimits::twoReplicasShareOneLimit()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != u"postgresql") {
        QSKIP("SQLite deployments are one replica: limits count in memory");
    }
    TestServer second(backend, appsYaml(m_httpbin.baseUrl()), limitsYaml());
    second.shareDatastoreOf(*m_server);
    QVERIFY2(second.start(), qPrintable(second.errorString()));
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    // burst: 50 per hour for each caller; 200 calls alternating between the replicas.
    int admitted = 0;
    int refused = 0;
    for (int i = 0; i < 200; ++i) {
        TestServer &replica = i % 2 == 0 ? *m_server : second;
        const int status =
            replica.get(u"/api/v1/burst/get"_s, TestServer::bearer(carol.token)).status;
        admitted += status == 200;
        refused += status == 429;
    }
    qInfo("limit 50/hour, 2 replicas, 200 requests: %d admitted, %d refused", admitted, refused);
    QCOMPARE(admitted + refused, 200);
    QCOMPARE(admitted, 50);
    // Each replica's operator route shows the shared count.
    const TestServer::TestUser root = m_server->user(u"root@example.com"_s);
    const HttpReply usage = second.get(u"/admin/api/v1/limits"_s, TestServer::bearer(root.token));
    bool seen = false;
    for (const QJsonValue &row : usage.json()[u"usage"_s].toArray()) {
        if (row[u"app"_s].toString() == u"burst" && row[u"scope"_s].toString() == u"app-subject") {
            seen = true;
            QCOMPARE(row[u"requests"_s].toInt(), 50);
            QCOMPARE(row[u"limited"_s].toInt(), 150);
        }
    }
    QVERIFY2(seen, usage.body.constData());
}

QTEST_GUILESS_MAIN(tst_SecRateLimits)
#include "tst_sec_ratelimits.moc"
