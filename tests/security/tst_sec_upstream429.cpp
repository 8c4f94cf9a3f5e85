// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Issue 19 §3: an upstream's "slow down" is honoured per credential, over real HTTP against a
// running gestaltd, on SQLite and PostgreSQL. Without it, every caller keeps hammering an
// upstream that answered 429 with Retry-After, and the upstream may lock the credential (or the
// whole account behind it) out. The upstream is FakeUpstream: Debian's httpbin cannot answer a
// 429 that carries a Retry-After (/status/429 sends none, /response-headers answers 200).
//  * after a 429 + Retry-After, the next call on that credential fails fast with 429
//    upstream_rate_limited and the upstream receives nothing;
//  * another user's credential on the same app is not blocked;
//  * wait mode delays the call until the upstream's time, then sends it;
//  * a hostile Retry-After (99999999 s) is capped at one hour; garbage is ignored;
//  * the list of blocked credentials is for admins only and holds no credential id or secret.
#include "support/FakeUpstream.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

QString configYaml(const QString &fake)
{
    return uR"(authorization:
  policies:
    ops:
      members:
        - {email: root@example.com, role: admin}
apps:
  limited:
    connections:
      default:
        mode: user
        auth: {type: manual}
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: items, method: GET, path: /items}
  open:
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: items, method: GET, path: /items}
)"_s.arg(fake);
}

QString overrideYaml(const QString &limits)
{
    return u"workflows:\n  pollInterval: 50ms\nserver:\n  admin:\n    authorizationPolicy: ops\n"_s
           + (limits.isEmpty() ? QString() : u"  limits:\n    upstream:\n"_s + limits);
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

const QByteArray kSecret = "alice-upstream-secret";

} // namespace

class tst_SecUpstream429 final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_fake.start()); }
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void rateLimitedCredentialFailsFastWithoutReachingTheUpstream();
    void anotherUsersCredentialIsNotBlocked();
    void credentialLessAppIsBlockedForEveryone();
    void unavailableWithRetryAfterAlsoBlocks();
    void waitModeHoldsTheCallUntilTheUpstreamsTime();
    void waitBeyondMaxWaitFailsFast();
    void canceledWaitingWorkflowStepNeverReachesTheUpstream();
    void hostileRetryAfterIsCappedAtOneHour();
    void httpDateRetryAfterIsHonoured();
    void garbageRetryAfterIsIgnored();
    void blockedListIsForAdminsOnly();
    void badUpstreamLimitsConfigIsRefused();

private:
    void startServer(const QString &limits = {});
    void connect(const TestServer::TestUser &user, const QByteArray &secret);
    [[nodiscard]] HttpReply call(const QString &app, const TestServer::TestUser &user);
    // The upstream answers 429 with this Retry-After once; the call passes it through.
    void slowDown(const QString &app,
                  const TestServer::TestUser &user,
                  const QByteArray &after,
                  int status = 429);
    [[nodiscard]] QJsonArray blocked();

    FakeUpstream m_fake;
    std::unique_ptr<TestServer> m_server;
    TestServer::TestUser m_root;
    TestServer::TestUser m_alice;
    TestServer::TestUser m_bob;
};

void tst_SecUpstream429::init()
{
    m_fake.setBehaviour(FakeUpstream::Behaviour::Reply);
    m_fake.setReply(200, {{"Content-Type"_ba, "application/json"_ba}}, "{\"items\":[]}"_ba);
}

void tst_SecUpstream429::startServer(const QString &limits)
{
    QFETCH_GLOBAL(QString, backend);
    m_server =
        std::make_unique<TestServer>(backend, configYaml(m_fake.baseUrl()), overrideYaml(limits));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_root = m_server->user(u"root@example.com"_s);
    m_alice = m_server->user(u"alice@example.com"_s);
    m_bob = m_server->user(u"bob@example.com"_s);
}

void tst_SecUpstream429::connect(const TestServer::TestUser &user, const QByteArray &secret)
{
    const HttpReply reply = m_server->post(
        u"/api/v1/auth/connect-manual"_s,
        json({{u"integration"_s, u"limited"_s}, {u"credential"_s, QString::fromLatin1(secret)}}),
        TestServer::bearer(user.token));
    QCOMPARE(reply.status, 200);
}

HttpReply tst_SecUpstream429::call(const QString &app, const TestServer::TestUser &user)
{
    return m_server->get(u"/api/v1/%1/items"_s.arg(app), TestServer::bearer(user.token));
}

void tst_SecUpstream429::slowDown(const QString &app,
                                  const TestServer::TestUser &user,
                                  const QByteArray &after,
                                  int status)
{
    m_fake.setReply(status,
                    {{"Content-Type"_ba, "application/json"_ba}, {"Retry-After"_ba, after}},
                    "{\"message\":\"API rate limit exceeded\"}"_ba);
    const qsizetype before = m_fake.requests().size();
    const HttpReply reply = call(app, user);
    // The answer that sets the block passes through as it did before.
    QCOMPARE(reply.status, status);
    QVERIFY2(reply.body.contains("API rate limit exceeded"), reply.body.constData());
    QCOMPARE(m_fake.requests().size(), before + 1);
    m_fake.setReply(200, {{"Content-Type"_ba, "application/json"_ba}}, "{\"items\":[]}"_ba);
}

QJsonArray tst_SecUpstream429::blocked()
{
    const HttpReply reply =
        m_server->get(u"/admin/api/v1/limits/upstream"_s, TestServer::bearer(m_root.token));
    if (reply.status != 200) {
        qWarning() << "GET /admin/api/v1/limits/upstream:" << reply.status << reply.body;
        return {};
    }
    return reply.json()[u"blocked"_s].toArray();
}

// The issue's attack on the upstream account: a caller (or a runaway agent) keeps calling after
// the upstream said "429, retry in 30 s"; each call reaches the upstream with the same
// credential. Now the next call is refused by gestaltd itself, and nothing is sent.
void tst_SecUpstream429::rateLimitedCredentialFailsFastWithoutReachingTheUpstream()
{
    startServer();
    connect(m_alice, kSecret);
    slowDown(u"limited"_s, m_alice, "30");
    const qsizetype before = m_fake.requests().size();

    for (int i = 0; i < 3; ++i) {
        const HttpReply reply = call(u"limited"_s, m_alice);
        QCOMPARE(reply.status, 429);
        const QJsonObject body = reply.json().object();
        QCOMPARE(body[u"code"_s].toString(), u"upstream_rate_limited"_s);
        const int retryAfter = reply.header("retry-after").toInt();
        QVERIFY2(retryAfter >= 28 && retryAfter <= 30, reply.header("retry-after").constData());
        QCOMPARE(body[u"retryAfter"_s].toInt(), retryAfter);
        const QJsonObject limit = body[u"limit"_s].toObject();
        QCOMPARE(limit[u"scope"_s].toString(), u"upstream"_s);
        QCOMPARE(limit[u"app"_s].toString(), u"limited"_s);
        QVERIFY(!reply.body.contains(kSecret));
    }
    QCOMPARE(m_fake.requests().size(), before); // the upstream received nothing

    const QJsonArray list = blocked();
    QCOMPARE(list.size(), 1);
    const QJsonObject entry = list.first().toObject();
    QCOMPARE(entry[u"app"_s].toString(), u"limited"_s);
    QCOMPARE(entry[u"connection"_s].toString(), u"default"_s);
    QCOMPARE(entry[u"instance"_s].toString(), u"default"_s);
    QCOMPARE(entry[u"subject"_s].toString(), m_alice.subjectId);
    QVERIFY(entry[u"retryAfter"_s].toInt() > 0 && entry[u"retryAfter"_s].toInt() <= 30);
    QVERIFY(QDateTime::fromString(entry[u"until"_s].toString(), Qt::ISODateWithMs).isValid());
    QVERIFY(!QJsonDocument(list).toJson().contains(kSecret));

    const HttpReply metrics = m_server->get(u"/metrics"_s, TestServer::bearer(m_root.token));
    QCOMPARE(metrics.status, 200);
    QVERIFY2(metrics.body.contains("gestaltd_upstream_rate_limited_total{app=\"limited\"} 3"),
             metrics.body.constData());
}

// One user's 429 must not lock everyone else out of the app (nor may another user, by
// provoking a 429 on their own credential, block alice).
void tst_SecUpstream429::anotherUsersCredentialIsNotBlocked()
{
    startServer();
    connect(m_alice, kSecret);
    connect(m_bob, "bob-upstream-secret");
    slowDown(u"limited"_s, m_bob, "30");

    const qsizetype before = m_fake.requests().size();
    const HttpReply reply = call(u"limited"_s, m_alice);
    QCOMPARE(reply.status, 200);
    QCOMPARE(m_fake.requests().size(), before + 1);
    QVERIFY(m_fake.requests().constLast().contains(QByteArray("Bearer " + kSecret)));

    QCOMPARE(call(u"limited"_s, m_bob).status, 429);
    QCOMPARE(m_fake.requests().size(), before + 1);
}

// A connection without a per-user credential shares one upstream identity: its 429 holds for
// every caller of that app, and for that app only.
void tst_SecUpstream429::credentialLessAppIsBlockedForEveryone()
{
    startServer();
    connect(m_alice, kSecret);
    slowDown(u"open"_s, m_bob, "30");
    const qsizetype before = m_fake.requests().size();
    const HttpReply reply = call(u"open"_s, m_alice);
    QCOMPARE(reply.status, 429);
    QCOMPARE(reply.json()[u"code"_s].toString(), u"upstream_rate_limited"_s);
    QCOMPARE(m_fake.requests().size(), before);
    QCOMPARE(call(u"limited"_s, m_alice).status, 200);
    const QJsonArray list = blocked();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first()[u"app"_s].toString(), u"open"_s);
    QVERIFY(list.first()[u"instance"_s].isNull());
    QVERIFY(list.first()[u"subject"_s].isNull());
}

// 503 + Retry-After says the same ("come back later") and is honoured the same way.
void tst_SecUpstream429::unavailableWithRetryAfterAlsoBlocks()
{
    startServer();
    connect(m_alice, kSecret);
    slowDown(u"limited"_s, m_alice, "30", 503);
    const qsizetype before = m_fake.requests().size();
    const HttpReply reply = call(u"limited"_s, m_alice);
    QCOMPARE(reply.status, 429);
    QCOMPARE(reply.json()[u"code"_s].toString(), u"upstream_rate_limited"_s);
    QCOMPARE(m_fake.requests().size(), before);
}

void tst_SecUpstream429::waitModeHoldsTheCallUntilTheUpstreamsTime()
{
    startServer(u"      onRateLimited: wait\n"_s);
    connect(m_alice, kSecret);
    slowDown(u"limited"_s, m_alice, "1");
    const qsizetype before = m_fake.requests().size();
    QElapsedTimer timer;
    timer.start();
    const HttpReply reply = call(u"limited"_s, m_alice);
    QCOMPARE(reply.status, 200);
    QVERIFY2(timer.elapsed() >= 500, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(m_fake.requests().size(), before + 1);
}

void tst_SecUpstream429::waitBeyondMaxWaitFailsFast()
{
    startServer(u"      onRateLimited: wait\n      maxWait: 2s\n"_s);
    connect(m_alice, kSecret);
    slowDown(u"limited"_s, m_alice, "30");
    const qsizetype before = m_fake.requests().size();
    QElapsedTimer timer;
    timer.start();
    const HttpReply reply = call(u"limited"_s, m_alice);
    QCOMPARE(reply.status, 429);
    QCOMPARE(reply.json()[u"code"_s].toString(), u"upstream_rate_limited"_s);
    QVERIFY(timer.elapsed() < 2000);
    QCOMPARE(m_fake.requests().size(), before);
}

// An upstream (or whoever answers in its name) must not block a credential for years.
// A workflow step waiting out the upstream's time is canceled with its run: it is never sent.
void tst_SecUpstream429::canceledWaitingWorkflowStepNeverReachesTheUpstream()
{
    startServer(u"      onRateLimited: wait\n"_s);
    slowDown(u"open"_s, m_alice, "3");
    const qsizetype before = m_fake.requests().size();
    const QJsonObject step{
        {u"id"_s, u"fetch"_s},
        {u"app"_s, QJsonObject{{u"name"_s, u"open"_s}, {u"operation"_s, u"items"_s}}}};
    const HttpReply trigger =
        m_server->post(u"/api/v1/workflow/event-triggers"_s,
                       json({{u"match"_s, QJsonObject{{u"type"_s, u"item.updated"_s}}},
                             {u"target"_s, QJsonObject{{u"steps"_s, QJsonArray{step}}}}}),
                       TestServer::bearer(m_alice.token));
    QCOMPARE(trigger.status, 201);
    QCOMPARE(m_server
                 ->post(u"/api/v1/workflow/events"_s,
                        json({{u"type"_s, u"item.updated"_s}}),
                        TestServer::bearer(m_alice.token))
                 .status,
             202);
    QString runId;
    for (int i = 0; i < 200 && runId.isEmpty(); ++i) {
        for (const QJsonValue &run :
             m_server->get(u"/api/v1/workflow/runs"_s, TestServer::bearer(m_alice.token))
                 .json()
                 .array()) {
            if (run[u"status"_s].toString() == u"running") {
                runId = run[u"id"_s].toString();
            }
        }
        if (runId.isEmpty()) {
            QTest::qWait(20);
        }
    }
    QVERIFY(!runId.isEmpty());
    const HttpReply canceled = m_server->post(
        u"/api/v1/workflow/runs/"_s + runId + u"/cancel"_s, {}, TestServer::bearer(m_alice.token));
    QCOMPARE(canceled.status, 200);
    QCOMPARE(canceled.json()[u"status"_s].toString(), u"canceled"_s);
    QTest::qWait(3500); // past the upstream's time
    QCOMPARE(m_fake.requests().size(), before);
}

void tst_SecUpstream429::hostileRetryAfterIsCappedAtOneHour()
{
    startServer();
    connect(m_alice, kSecret);
    slowDown(u"limited"_s, m_alice, "99999999999999999999999");
    const HttpReply reply = call(u"limited"_s, m_alice);
    QCOMPARE(reply.status, 429);
    const int retryAfter = reply.header("retry-after").toInt();
    QVERIFY2(retryAfter > 3590 && retryAfter <= 3600, reply.header("retry-after").constData());
    const QJsonArray list = blocked();
    QCOMPARE(list.size(), 1);
    QVERIFY(list.first()[u"retryAfter"_s].toInt() <= 3600);
}

void tst_SecUpstream429::httpDateRetryAfterIsHonoured()
{
    startServer();
    connect(m_alice, kSecret);
    const QByteArray date = QLocale::c()
                                .toString(QDateTime::currentDateTimeUtc().addSecs(20),
                                          u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s)
                                .toLatin1();
    slowDown(u"limited"_s, m_alice, date);
    const HttpReply reply = call(u"limited"_s, m_alice);
    QCOMPARE(reply.status, 429);
    const int retryAfter = reply.header("retry-after").toInt();
    QVERIFY2(retryAfter >= 17 && retryAfter <= 21, reply.header("retry-after").constData());
}

void tst_SecUpstream429::garbageRetryAfterIsIgnored()
{
    startServer();
    connect(m_alice, kSecret);
    for (const QByteArray &garbage :
         {"soon"_ba, "-5"_ba, "0"_ba, "1e9"_ba, "Sun, 06 Nov 1994 08:49:37 GMT"_ba}) {
        slowDown(u"limited"_s, m_alice, garbage);
        QCOMPARE(call(u"limited"_s, m_alice).status, 200);
    }
    QCOMPARE(blocked().size(), 0);
}

// Which credentials are blocked tells who uses what: admins only.
void tst_SecUpstream429::blockedListIsForAdminsOnly()
{
    startServer();
    connect(m_alice, kSecret);
    slowDown(u"limited"_s, m_alice, "30");
    const QString path = u"/admin/api/v1/limits/upstream"_s;
    HttpReply reply = m_server->get(path, TestServer::bearer(m_alice.token));
    QCOMPARE(reply.status, 403);
    QVERIFY(!reply.body.contains("limited"));
    reply = m_server->get(path, TestServer::bearer(u"gst_api_not-a-token"_s));
    QCOMPARE(reply.status, 401);
    QCOMPARE(blocked().size(), 1);
}

void tst_SecUpstream429::badUpstreamLimitsConfigIsRefused()
{
    QFETCH_GLOBAL(QString, backend);
    for (const QString &bad : {u"      onRateLimited: retry\n"_s,
                               u"      maxWait: 2h\n"_s,
                               u"      maxWait: soon\n"_s,
                               u"      waitFor: 1s\n"_s}) {
        TestServer server(backend, configYaml(m_fake.baseUrl()), overrideYaml(bad));
        QVERIFY2(!server.start(), qPrintable(bad));
        QVERIFY2(server.errorString().contains(u"server.limits.upstream"_s),
                 qPrintable(server.errorString()));
    }
}

QTEST_GUILESS_MAIN(tst_SecUpstream429)
#include "tst_sec_upstream429.moc"
