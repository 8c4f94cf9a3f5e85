// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The app catalog, invocation and manual connections over real HTTP, against Debian's httpbin as
// the upstream, on SQLite and PostgreSQL.
#include "store/Database.h"
#include "support/HttpbinProcess.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

QString closedPortUrl()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0)) {
        return u"http://127.0.0.1:9"_s;
    }
    const quint16 port = probe.serverPort();
    probe.close();
    return u"http://127.0.0.1:%1"_s.arg(port);
}

QString appsYaml(const QString &httpbin, const QString &closed)
{
    return uR"(connections:
  echo_token:
    displayName: Echo token
    mode: user
    auth:
      type: manual
apps:
  bin:
    displayName: Echo
    description: httpbin through a REST manifest
    connections:
      default:
        ref: echo_token
    timeout: 1s
    headers:
      X-Static: "static-{region}"
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - name: anything
            method: GET
            path: /anything
            parameters:
              - {name: message, type: string, in: query}
              - {name: secret_flag, in: query, internal: true}
          - name: post_anything
            method: POST
            path: /anything/{item}
            parameters:
              - {name: item, in: path, required: true}
              - {name: count, type: integer, in: body}
          - name: status
            method: GET
            path: /status/{code}
            parameters:
              - {name: code, in: path, required: true}
          - name: delay
            method: GET
            path: /delay/{seconds}
            parameters:
              - {name: seconds, in: path, required: true}
          - name: remove
            method: DELETE
            path: /delete
  open:
    mcp: true
    surfaces:
      openapi:
        document: ":/apps/httpbin/openapi.yaml"
        baseUrl: %1
  keyed:
    connections:
      default:
        mode: user
        auth:
          type: manual
          credentials:
            - {name: api_key, label: API key}
          authMapping:
            headers:
              X-Api-Key:
                valueFrom:
                  credentialFieldRef: {name: api_key}
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: headers, method: GET, path: /headers}
  fenced:
    egress:
      allowedHosts: [api.example.com]
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: headers, method: GET, path: /headers}
  down:
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - {name: ping, method: GET, path: /ping}
)"_s.arg(httpbin, closed);
}

} // namespace

class tst_Apps final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initTestCase_data();
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void catalogListsAppsAndConnections();
    void operationsAreSortedWithSchemasAndAnnotations();
    void olderIntegrationsRoutesAnswerTheSame();
    void invokeWithoutConnectionIsNotConnected();
    void invokeInjectsTheManualCredential();
    void getAndPostBuildTheUpstreamRequest();
    void openApiAppIsCallable();
    void credentialFieldsMapToHeaders();
    void upstreamStatusAndBodyPassThrough();
    void upstream401IsReconnectRequired();
    void badInvocationsAre4xx_data();
    void badInvocationsAre4xx();
    void upstreamFailuresAre502();
    void egressAllowListIsEnforced();
    void instancesNeedSelection();
    void disconnectRemovesOneCredential();
    void slowUpstreamsDoNotBlockOthers();
    void scopedTokensSeeOnlyTheirApps();
    void operationMetricsAreRecorded();
    void credentialsAreNotStoredInPlaintext();

private:
    void connectApp(const QString &app, const QString &credential, const QString &instance = {});
    std::unique_ptr<TestServer> m_server;
    HttpbinProcess m_httpbin;
    QString m_closed;
};

void tst_Apps::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
    m_closed = closedPortUrl();
}

void tst_Apps::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_Apps::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, appsYaml(m_httpbin.baseUrl(), m_closed));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void tst_Apps::connectApp(const QString &app, const QString &credential, const QString &instance)
{
    QJsonObject body{{u"integration"_s, app}, {u"credential"_s, credential}};
    if (!instance.isEmpty()) {
        body.insert(u"instance"_s, instance);
    }
    const HttpReply reply =
        m_server->post(u"/api/v1/auth/connect-manual"_s, QJsonDocument(body).toJson());
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"connected"_s);
    QCOMPARE(reply.json()[u"integration"_s].toString(), app);
}

void tst_Apps::catalogListsAppsAndConnections()
{
    HttpReply reply = m_server->get(u"/api/v1/apps"_s);
    QCOMPARE(reply.status, 200);
    const QJsonArray apps = reply.json().array();
    QCOMPARE(apps.size(), 5);
    QJsonObject bin = reply.itemNamed(u"bin"_s);
    QCOMPARE(bin[u"displayName"_s].toString(), u"Echo"_s);
    QCOMPARE(bin[u"status"_s].toString(), u"needs_user_connection"_s);
    QCOMPARE(bin[u"credentialState"_s].toString(), u"missing"_s);
    QCOMPARE(bin[u"actions"_s].toArray(), QJsonArray{u"connect"_s});
    const QJsonObject connection = bin[u"connections"_s][0].toObject();
    QCOMPARE(connection[u"name"_s].toString(), u"default"_s);
    QCOMPARE(connection[u"displayName"_s].toString(), u"Echo token"_s);
    QCOMPARE(connection[u"authTypes"_s].toArray(), QJsonArray{u"manual"_s});
    QCOMPARE(connection[u"credentialFields"_s][0][u"name"_s].toString(), u"credential"_s);
    QCOMPARE(connection[u"credentialMode"_s].toString(), u"subject"_s);
    QCOMPARE(connection[u"instances"_s].toArray().size(), 0);

    const QJsonObject open = reply.itemNamed(u"open"_s);
    QCOMPARE(open[u"status"_s].toString(), u"ready"_s);
    QCOMPARE(open[u"credentialState"_s].toString(), u"not_required"_s);
    QCOMPARE(open[u"healthState"_s].toString(), u"not_applicable"_s);

    connectApp(u"bin"_s, u"s3cret-token"_s);
    reply = m_server->get(u"/api/v1/apps"_s);
    bin = reply.itemNamed(u"bin"_s);
    QCOMPARE(bin[u"status"_s].toString(), u"ready"_s);
    QCOMPARE(bin[u"credentialState"_s].toString(), u"connected"_s);
    QCOMPARE(bin[u"actions"_s].toArray(), (QJsonArray{u"disconnect"_s, u"add_instance"_s}));
    QCOMPARE(bin[u"connections"_s][0][u"instances"_s][0][u"id"_s].toString(), u"default"_s);
    QVERIFY(!reply.body.contains("s3cret-token"));
}

void tst_Apps::operationsAreSortedWithSchemasAndAnnotations()
{
    const HttpReply reply = m_server->get(u"/api/v1/apps/bin/operations"_s);
    QCOMPARE(reply.status, 200);
    const QJsonArray ops = reply.json().array();
    QStringList ids;
    for (const QJsonValue &op : ops) {
        ids.append(op[u"id"_s].toString());
    }
    QCOMPARE(
        ids,
        (QStringList{u"anything"_s, u"delay"_s, u"post_anything"_s, u"remove"_s, u"status"_s}));
    const QJsonObject post = ops[2].toObject();
    QCOMPARE(post[u"method"_s].toString(), u"POST"_s);
    QCOMPARE(post[u"path"_s].toString(), u"/anything/{item}"_s);
    const QJsonObject schema = post[u"inputSchema"_s].toObject();
    QCOMPARE(schema[u"type"_s].toString(), u"object"_s);
    QCOMPARE(schema[u"properties"_s][u"count"_s][u"type"_s].toString(), u"integer"_s);
    QCOMPARE(schema[u"required"_s].toArray(), QJsonArray{u"item"_s});
    QCOMPARE(ops[0][u"annotations"_s][u"readOnlyHint"_s].toBool(), true);
    QCOMPARE(ops[3][u"annotations"_s][u"destructiveHint"_s].toBool(), true);
    QCOMPARE(ops[0][u"annotations"_s][u"openWorldHint"_s].toBool(), true);
    // Internal parameters are not shown to callers.
    QVERIFY(!ops[0][u"inputSchema"_s][u"properties"_s].toObject().contains(u"secret_flag"_s));

    QCOMPARE(m_server->get(u"/api/v1/apps/nope/operations"_s).status, 404);
    QCOMPARE(m_server->get(u"/api/v1/apps/bin/operations?_connection=bad%20name"_s).status, 400);
}

void tst_Apps::olderIntegrationsRoutesAnswerTheSame()
{
    const HttpReply apps = m_server->get(u"/api/v1/apps"_s);
    const HttpReply integrations = m_server->get(u"/api/v1/integrations"_s);
    QCOMPARE(integrations.status, 200);
    QCOMPARE(integrations.json(), apps.json());
    QCOMPARE(m_server->get(u"/api/v1/integrations/open/operations"_s).json(),
             m_server->get(u"/api/v1/apps/open/operations"_s).json());
    connectApp(u"bin"_s, u"tok"_s);
    const HttpReply gone = m_server->del(u"/api/v1/integrations/bin"_s);
    QCOMPARE(gone.status, 200);
    QCOMPARE(gone.json()[u"status"_s].toString(), u"disconnected"_s);
}

void tst_Apps::invokeWithoutConnectionIsNotConnected()
{
    const HttpReply reply = m_server->get(u"/api/v1/bin/anything"_s);
    QCOMPARE(reply.status, 412);
    QCOMPARE(reply.json()[u"code"_s].toString(), u"not_connected"_s);
    QVERIFY(reply.error().contains(u"integration \"bin\""_s));
}

void tst_Apps::invokeInjectsTheManualCredential()
{
    connectApp(u"bin"_s, u"s3cret-token"_s);
    const HttpReply reply = m_server->get(u"/api/v1/bin/anything?message=hi"_s);
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("content-type").startsWith("application/json"));
    const QJsonObject echo = reply.json().object();
    QCOMPARE(echo[u"headers"_s][u"Authorization"_s].toString(), u"Bearer s3cret-token"_s);
    QCOMPARE(echo[u"args"_s][u"message"_s].toString(), u"hi"_s);
    // {region} has no value: the placeholder stays as written.
    QCOMPARE(echo[u"headers"_s][u"X-Static"_s].toString(), u"static-{region}"_s);
}

void tst_Apps::getAndPostBuildTheUpstreamRequest()
{
    connectApp(u"bin"_s, u"tok"_s);
    HttpReply reply =
        m_server->post(u"/api/v1/bin/post_anything"_s, R"({"item":"box-1","count":3,"extra":"x"})");
    QCOMPARE(reply.status, 200);
    QJsonObject echo = reply.json().object();
    QCOMPARE(echo[u"method"_s].toString(), u"POST"_s);
    QVERIFY(echo[u"url"_s].toString().endsWith(u"/anything/box-1"_s));
    QCOMPARE(echo[u"json"_s].toObject(), (QJsonObject{{u"count"_s, 3}, {u"extra"_s, u"x"_s}}));

    // GET: every query value is a string; undeclared ones go to the query too.
    reply = m_server->get(u"/api/v1/bin/anything?message=a%20b&other=1"_s);
    echo = reply.json().object();
    QCOMPARE(echo[u"args"_s][u"message"_s].toString(), u"a b"_s);
    QCOMPARE(echo[u"args"_s][u"other"_s].toString(), u"1"_s);
}

void tst_Apps::openApiAppIsCallable()
{
    HttpReply reply = m_server->get(u"/api/v1/apps/open/operations"_s);
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.json().array().size() >= 7);
    reply = m_server->get(u"/api/v1/open/get_anything?message=hello"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"args"_s][u"message"_s].toString(), u"hello"_s);
    reply = m_server->get(u"/api/v1/open/get_headers"_s);
    QCOMPARE(reply.status, 200);
    QVERIFY(!reply.json()[u"headers"_s].toObject().contains(u"Authorization"_s));
}

void tst_Apps::credentialFieldsMapToHeaders()
{
    const HttpReply apps = m_server->get(u"/api/v1/apps"_s);
    const QJsonObject keyed = apps.itemNamed(u"keyed"_s);
    QCOMPARE(keyed[u"connections"_s][0][u"credentialFields"_s][0][u"label"_s].toString(),
             u"API key"_s);
    HttpReply reply = m_server->post(u"/api/v1/auth/connect-manual"_s,
                                     R"({"integration":"keyed","credentials":{"nope":"x"}})");
    QCOMPARE(reply.status, 400);
    reply = m_server->post(u"/api/v1/auth/connect-manual"_s,
                           R"({"integration":"keyed","credentials":{"api_key":"k-123"}})");
    QCOMPARE(reply.status, 200);
    reply = m_server->get(u"/api/v1/keyed/headers"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"headers"_s][u"X-Api-Key"_s].toString(), u"k-123"_s);
    QVERIFY(!reply.json()[u"headers"_s].toObject().contains(u"Authorization"_s));
}

void tst_Apps::upstreamStatusAndBodyPassThrough()
{
    connectApp(u"bin"_s, u"tok"_s);
    const HttpReply reply = m_server->get(u"/api/v1/bin/status?code=418"_s);
    QCOMPARE(reply.status, 418);
    QVERIFY(reply.body.contains("teapot"));
}

void tst_Apps::upstream401IsReconnectRequired()
{
    connectApp(u"bin"_s, u"tok"_s);
    const HttpReply reply = m_server->get(u"/api/v1/bin/status?code=401"_s);
    QCOMPARE(reply.status, 412);
    QCOMPARE(reply.json()[u"code"_s].toString(), u"reconnect_required"_s);
}

void tst_Apps::badInvocationsAre4xx_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown app") << "GET"_ba << u"/api/v1/nope/op"_s << QByteArray() << 404
                                 << u"integration \"nope\" not found"_s;
    QTest::newRow("unknown operation") << "GET"_ba << u"/api/v1/bin/nope"_s << QByteArray() << 404
                                       << u"operation \"nope\" not found on integration \"bin\""_s;
    QTest::newRow("missing path parameter")
        << "POST"_ba << u"/api/v1/bin/post_anything"_s << "{}"_ba << 400 << u"item"_s;
    QTest::newRow("non-object JSON") << "POST"_ba << u"/api/v1/bin/post_anything"_s << "[1]"_ba
                                     << 400 << u"JSON body must be an object"_s;
    QTest::newRow("broken JSON") << "POST"_ba << u"/api/v1/bin/post_anything"_s << "{"_ba << 400
                                 << u"invalid JSON body"_s;
    QTest::newRow("internal parameter") << "GET"_ba << u"/api/v1/bin/anything?secret_flag=1"_s
                                        << QByteArray() << 400 << u"secret_flag"_s;
    QTest::newRow("bad connection selector")
        << "GET"_ba << u"/api/v1/bin/anything?_connection=a/b"_s << QByteArray() << 400
        << u"_connection"_s;
    QTest::newRow("unknown connection") << "GET"_ba << u"/api/v1/bin/anything?_connection=other"_s
                                        << QByteArray() << 400 << u"no connection \"other\""_s;
    QTest::newRow("selectors disagree")
        << "POST"_ba << u"/api/v1/bin/post_anything?_instance=a"_s
        << R"({"_instance":"b","item":"x"})"_ba << 400 << u"_instance"_s;
    QTest::newRow("selector not a string")
        << "POST"_ba << u"/api/v1/bin/post_anything"_s << R"({"_instance":3,"item":"x"})"_ba << 400
        << u"_instance must be a string"_s;
    QTest::newRow("wrong method") << "PUT"_ba << u"/api/v1/bin/anything"_s << QByteArray() << 405
                                  << QString();
}

void tst_Apps::badInvocationsAre4xx()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    connectApp(u"bin"_s, u"tok"_s);
    const HttpReply reply = m_server->request(method, path, body);
    QCOMPARE(reply.status, status);
    QVERIFY2(reply.error().contains(message), qPrintable(reply.error()));
    // The server keeps serving.
    QCOMPARE(m_server->get(u"/api/v1/open/get_ip"_s).status, 200);
}

void tst_Apps::upstreamFailuresAre502()
{
    HttpReply reply = m_server->get(u"/api/v1/down/ping"_s);
    QCOMPARE(reply.status, 502);
    QCOMPARE(reply.error(), u"failed to reach upstream service"_s);
    connectApp(u"bin"_s, u"tok"_s);
    reply = m_server->get(u"/api/v1/bin/delay?seconds=3"_s); // the app's timeout is 1 s
    QCOMPARE(reply.status, 502);
    QCOMPARE(reply.error(), u"upstream service timed out"_s);
}

void tst_Apps::egressAllowListIsEnforced()
{
    const HttpReply reply = m_server->get(u"/api/v1/fenced/headers"_s);
    QCOMPARE(reply.status, 403);
    QVERIFY2(reply.error().contains(u"127.0.0.1"_s), qPrintable(reply.error()));
}

void tst_Apps::instancesNeedSelection()
{
    connectApp(u"bin"_s, u"token-a"_s, u"work"_s);
    connectApp(u"bin"_s, u"token-b"_s, u"home"_s);
    HttpReply reply = m_server->get(u"/api/v1/bin/anything"_s);
    QCOMPARE(reply.status, 409);
    QCOMPARE(reply.json()[u"code"_s].toString(), u"instance_selection_required"_s);
    reply = m_server->get(u"/api/v1/bin/anything?_instance=home"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"headers"_s][u"Authorization"_s].toString(), u"Bearer token-b"_s);
    reply = m_server->post(u"/api/v1/bin/post_anything"_s, R"({"_instance":"work","item":"i"})");
    QCOMPARE(reply.json()[u"headers"_s][u"Authorization"_s].toString(), u"Bearer token-a"_s);
    QVERIFY(!reply.json()[u"json"_s].toObject().contains(u"_instance"_s));
    reply = m_server->get(u"/api/v1/bin/anything?_instance=nowhere"_s);
    QCOMPARE(reply.status, 412);

    const QJsonObject bin = m_server->get(u"/api/v1/apps"_s).itemNamed(u"bin"_s);
    QCOMPARE(bin[u"status"_s].toString(), u"needs_instance_selection"_s);
    QCOMPARE(bin[u"connections"_s][0][u"instances"_s].toArray().size(), 2);

    // Reconnecting an instance overwrites it.
    connectApp(u"bin"_s, u"token-c"_s, u"home"_s);
    reply = m_server->get(u"/api/v1/bin/anything?_instance=home"_s);
    QCOMPARE(reply.json()[u"headers"_s][u"Authorization"_s].toString(), u"Bearer token-c"_s);
}

void tst_Apps::disconnectRemovesOneCredential()
{
    QCOMPARE(m_server->del(u"/api/v1/apps/bin"_s).status, 404);
    connectApp(u"bin"_s, u"a"_s, u"one"_s);
    connectApp(u"bin"_s, u"b"_s, u"two"_s);
    HttpReply reply = m_server->del(u"/api/v1/apps/bin"_s);
    QCOMPARE(reply.status, 409);
    QVERIFY(reply.error().contains(u"default/one"_s));
    QCOMPARE(m_server->del(u"/api/v1/apps/bin?other=1"_s).status, 400);
    QCOMPARE(m_server->del(u"/api/v1/apps/nope"_s).status, 404);
    QCOMPARE(m_server->del(u"/api/v1/apps/bin?_instance=one&instance=two"_s).status, 400);
    reply = m_server->del(u"/api/v1/integrations/bin?instance=one"_s); // the older spelling
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"disconnected"_s);
    reply = m_server->get(u"/api/v1/bin/anything"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"headers"_s][u"Authorization"_s].toString(), u"Bearer b"_s);
}

void tst_Apps::slowUpstreamsDoNotBlockOthers()
{
    QNetworkAccessManager network;
    QList<QNetworkReply *> slow;
    int finished = 0;
    for (int i = 0; i < 8; ++i) {
        QNetworkRequest request(
            QUrl(u"http://127.0.0.1:%1/api/v1/open/get_delay?seconds=1"_s.arg(m_server->port())));
        QNetworkReply *reply = network.get(request);
        QObject::connect(reply, &QNetworkReply::finished, this, [&finished] { ++finished; });
        slow.append(reply);
    }
    // A fast call made while eight slow ones wait upstream answers before any of them.
    const HttpReply fast = m_server->get(u"/api/v1/open/get_ip"_s);
    QCOMPARE(fast.status, 200);
    QCOMPARE(finished, 0);
    QTRY_COMPARE_WITH_TIMEOUT(finished, 8, 20000);
    for (QNetworkReply *reply : slow) {
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
    }
}

void tst_Apps::scopedTokensSeeOnlyTheirApps()
{
    HttpReply reply = m_server->post(
        u"/api/v1/tokens"_s,
        R"({"name":"scoped","permissions":[{"app":"open","operations":["get_ip"]}]})");
    QCOMPARE(reply.status, 201);
    const auto auth = TestServer::bearer(reply.json()[u"token"_s].toString());
    reply = m_server->get(u"/api/v1/apps"_s, auth);
    QCOMPARE(reply.json().array().size(), 1);
    QCOMPARE(reply.json()[0][u"name"_s].toString(), u"open"_s);
    reply = m_server->get(u"/api/v1/apps/open/operations"_s, auth);
    QCOMPARE(reply.json().array().size(), 1);
    QCOMPARE(m_server->get(u"/api/v1/open/get_ip"_s, auth).status, 200);
    reply = m_server->get(u"/api/v1/open/get_headers"_s, auth);
    QCOMPARE(reply.status, 403);
    QVERIFY(reply.error().startsWith(u"token scope denied"_s));
    QCOMPARE(m_server->get(u"/api/v1/bin/anything"_s, auth).status, 403);
    QCOMPARE(m_server->get(u"/api/v1/apps/bin/operations"_s, auth).status, 403);
}

void tst_Apps::operationMetricsAreRecorded()
{
    QCOMPARE(m_server->get(u"/api/v1/open/get_ip"_s).status, 200);
    QCOMPARE(m_server->get(u"/api/v1/down/ping"_s).status, 502);
    const HttpReply metrics = m_server->get(u"/metrics"_s);
    QCOMPARE(metrics.status, 200);
    const QString text = QString::fromUtf8(metrics.body);
    QVERIFY2(
        text.contains(QRegularExpression(
            uR"(gestaltd_operation_count_total\{[^}]*gestalt_provider="open",gestalt_operation="get_ip",gestalt_transport="rest",gestalt_connection_mode="none",gestalt_invocation_surface="http"[^}]*gestalt_result_status="200",gestalt_result_status_class="2xx"\} 1)"_s)),
        qPrintable(text.left(4000)));
    QVERIFY(text.contains(QRegularExpression(
        uR"(gestaltd_operation_error_count_total\{[^}]*gestalt_provider="down"[^}]*gestalt_result_status="502"[^}]*\} 1)"_s)));
    QVERIFY(text.contains(u"http_route=\"/api/v1/{app}/{operation}\""_s));
}

void tst_Apps::credentialsAreNotStoredInPlaintext()
{
    QFETCH_GLOBAL(QString, backend);
    const QString secret = u"plaintext-credential-%1"_s.arg(QRandomGenerator::global()->generate());
    connectApp(u"bin"_s, secret);
    QCOMPARE(m_server->get(u"/api/v1/bin/anything"_s).status, 200);
    if (backend != u"sqlite") {
        // PostgreSQL: the stored columns, read through SQL.
        QSqlQuery query(m_server->app().database().connection());
        QVERIFY(query.exec(u"SELECT * FROM credentials"_s));
        int rows = 0;
        while (query.next()) {
            ++rows;
            for (int i = 0; i < query.record().count(); ++i) {
                QVERIFY(!query.value(i).toString().contains(secret));
            }
        }
        QCOMPARE(rows, 1);
        return;
    }
    // SQLite: every byte of the database files (main file and write-ahead log).
    const QFileInfo config(m_server->configPath());
    QDirIterator files(config.absolutePath(), QDir::Files);
    int checked = 0;
    while (files.hasNext()) {
        QFile file(files.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        if (file.fileName().contains(u".db"_s)) {
            ++checked;
            QVERIFY2(!file.readAll().contains(secret.toUtf8()), qPrintable(file.fileName()));
        }
    }
    QVERIFY(checked >= 1);
}

QTEST_GUILESS_MAIN(tst_Apps)
#include "tst_apps.moc"
