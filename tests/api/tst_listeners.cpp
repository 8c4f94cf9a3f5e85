// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Probes, the public/management split and the operator routes, on SQLite and PostgreSQL.
#include "support/RawHttpClient.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

class tst_Listeners final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void probesOnASingleListener();
    void operatorSurfaceMovesToManagement();
    void unknownRoutesAndMethodsAreJson();
    void shutdownFinishesOpenConnectionsAndReportsNotReady();
};

void tst_Listeners::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_Listeners::probesOnASingleListener()
{
    QFETCH_GLOBAL(QString, backend);
    TestServer server(backend);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    QCOMPARE(server.get(u"/health"_s).json().object(), (QJsonObject{{u"status"_s, u"ok"_s}}));
    QCOMPARE(server.get(u"/healthz"_s).status, 200);
    const HttpReply ready = server.get(u"/ready"_s);
    QCOMPARE(ready.status, 200);
    QCOMPARE(ready.json().object(), (QJsonObject{{u"status"_s, u"ok"_s}}));
    const HttpReply readyz = server.get(u"/readyz"_s);
    QCOMPARE(readyz.status, 200);
    QCOMPARE(readyz.json()["checks"_L1]["datastore"_L1].toString(), u"ok"_s);
    // Without a management listener /metrics is served here, behind authentication.
    const HttpReply metrics = server.get(u"/metrics"_s);
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.header("content-type").startsWith("text/plain; version=0.0.4"));
    QVERIFY(metrics.body.contains("# TYPE http_server_request_duration_seconds histogram"));
    QVERIFY(metrics.body.contains("http_route=\"/health\""));
    QCOMPARE(server.get(u"/metrics"_s, TestServer::bearer(u"gst_api_nope"_s)).status, 401);
}

void tst_Listeners::operatorSurfaceMovesToManagement()
{
    QFETCH_GLOBAL(QString, backend);
    TestServer server(
        backend, QString(), u"server:\n  management:\n    host: 127.0.0.1\n    port: 0\n"_s);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    QVERIFY(server.managementPort());
    const quint16 management = *server.managementPort();
    for (const QString &path :
         {u"/health"_s, u"/ready"_s, u"/healthz"_s, u"/readyz"_s, u"/metrics"_s}) {
        const HttpReply onPublic = server.get(path);
        QCOMPARE(onPublic.status, 404);
        QCOMPARE(onPublic.error(), u"API route \"%1\" not found"_s.arg(path));
        QCOMPARE(server.request("GET", path, {}, {}, management).status, 200);
    }
    // /metrics on management needs no credentials, even a bad one is not checked there.
    QCOMPARE(
        server.request("GET", u"/metrics"_s, {}, TestServer::bearer(u"x"_s), management).status,
        200);
    QCOMPARE(server.get(u"/api/v1/tokens"_s).status, 200);
    QCOMPARE(server.request("GET", u"/api/v1/tokens"_s, {}, {}, management).status, 404);
}

void tst_Listeners::unknownRoutesAndMethodsAreJson()
{
    QFETCH_GLOBAL(QString, backend);
    TestServer server(backend);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    HttpReply reply = server.get(u"/api/v1/nope/nope/nope"_s);
    QCOMPARE(reply.status, 404);
    QCOMPARE(reply.error(), u"API route \"/api/v1/nope/nope/nope\" not found"_s);
    reply = server.request("PUT", u"/api/v1/tokens"_s, "{}");
    QCOMPARE(reply.status, 405);
    QCOMPARE(reply.header("allow"), "POST, GET, DELETE, HEAD, OPTIONS"_ba);
    reply = server.get(u"/api/v1/tokens/"_s);
    QCOMPARE(reply.status, 404);
    reply = server.request("PATCH", u"/health"_s, "{}");
    QCOMPARE(reply.status, 405);
    QCOMPARE(reply.error(), u"method PATCH is not allowed for API route \"/health\""_s);
}

void tst_Listeners::shutdownFinishesOpenConnectionsAndReportsNotReady()
{
    QFETCH_GLOBAL(QString, backend);
    TestServer server(backend);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    RawHttpClient client(server.port());
    client.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(client.read(1).value(0).status, 200);

    QSignalSpy stopped(&server.app(), &Application::stopped);
    server.app().shutdown();
    // New connections are refused; the open keep-alive connection still gets answers.
    client.send("GET /ready HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const Test::RawResponse ready = client.read(1).value(0);
    QCOMPARE(ready.status, 503);
    QCOMPARE(QJsonDocument::fromJson(ready.body).object(),
             (QJsonObject{{u"status"_s, u"shutting down"_s}}));
    QVERIFY(stopped.wait(10000));
    RawHttpClient late(server.port());
    QVERIFY(!late.isConnected());
}

QTEST_GUILESS_MAIN(tst_Listeners)
#include "tst_listeners.moc"
