// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Hosted HTTP bindings (webhooks): /api/v1/<app><path> verified by the binding's security scheme,
// running the target operation against Debian's httpbin, on SQLite and PostgreSQL.
#include "crypto/Hash.h"
#include "support/HttpbinProcess.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

const QByteArray kSecret = "whsec-test-0123456789"_ba;

QString appsYaml(const QString &httpbin)
{
    return uR"(apps:
  hooks:
    securitySchemes:
      signed:
        type: hmac
        secret: {secret: "whsec-test-0123456789"}
        signatureHeader: X-Signature
        signaturePrefix: "sha256="
        payloadTemplate: "{header:X-Timestamp}.{raw_body}"
        timestampHeader: X-Timestamp
        maxAgeSeconds: 300
      keyed:
        type: apiKey
        name: X-Hook-Key
        in: header
        secret: {secret: "hook-key-1"}
    http:
      push:
        path: /events/push
        method: POST
        security: signed
        target: echo
        credentialMode: none
      direct:
        path: /events/direct
        method: POST
        security: keyed
        target: echo
        credentialMode: none
        requestBody:
          required: true
          content:
            application/json: {}
      acked:
        path: /events/acked
        method: POST
        security: signed
        target: echo
        credentialMode: none
        ack:
          status: 202
          body: {received: true}
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - name: echo
            method: POST
            path: /anything/hook
)"_s.arg(httpbin);
}

TestServer::Headers signedHeaders(const QByteArray &body, qint64 timestamp)
{
    const QByteArray ts = QByteArray::number(timestamp);
    const QByteArray signature = "sha256=" + Crypto::hmacSha256(kSecret, ts + '.' + body).toHex();
    return {{"Content-Type"_ba, "application/json"_ba},
            {"X-Timestamp"_ba, ts},
            {"X-Signature"_ba, signature}};
}

} // namespace

class tst_Bindings final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString())); }
    void initTestCase_data();
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void signedRequestRunsTheOperation();
    void badSignaturesAre401_data();
    void badSignaturesAre401();
    void ackAnswersAtOnceAndReplaysAreNotRunAgain();
    void apiKeyAndContentTypeAreChecked();
    void bindingsAreListed();

private:
    std::unique_ptr<TestServer> m_server;
    HttpbinProcess m_httpbin;
};

void tst_Bindings::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_Bindings::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, appsYaml(m_httpbin.baseUrl()));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void tst_Bindings::signedRequestRunsTheOperation()
{
    const QByteArray body = R"({"action":"opened","number":7})";
    const HttpReply reply =
        m_server->request("POST",
                          u"/api/v1/hooks/events/push?source=gh"_s,
                          body,
                          signedHeaders(body, QDateTime::currentSecsSinceEpoch()));
    QCOMPARE(reply.status, 200);
    const QJsonObject echo = reply.json().object();
    QCOMPARE(echo[u"json"_s][u"action"_s].toString(), u"opened"_s);
    QCOMPARE(echo[u"json"_s][u"number"_s].toInt(), 7);
    QCOMPARE(echo[u"json"_s][u"source"_s].toString(), u"gh"_s);
}

void tst_Bindings::badSignaturesAre401_data()
{
    QTest::addColumn<QByteArray>("signature");
    QTest::addColumn<qint64>("skewSeconds");
    QTest::addColumn<QString>("message");
    QTest::newRow("missing") << QByteArray() << qint64(0) << u"missing request signature"_s;
    QTest::newRow("wrong") << "sha256=00ff"_ba << qint64(0) << u"invalid request signature"_s;
    QTest::newRow("stale") << "(valid)"_ba << qint64(-3600) << u"stale request timestamp"_s;
    QTest::newRow("future") << "(valid)"_ba << qint64(3600) << u"stale request timestamp"_s;
}

void tst_Bindings::badSignaturesAre401()
{
    QFETCH(QByteArray, signature);
    QFETCH(qint64, skewSeconds);
    QFETCH(QString, message);
    const QByteArray body = R"({"a":1})";
    TestServer::Headers headers =
        signedHeaders(body, QDateTime::currentSecsSinceEpoch() + skewSeconds);
    if (signature != "(valid)") {
        headers.removeLast();
        if (!signature.isEmpty()) {
            headers.append({"X-Signature"_ba, signature});
        }
    }
    const HttpReply reply =
        m_server->request("POST", u"/api/v1/hooks/events/push"_s, body, headers);
    QCOMPARE(reply.status, 401);
    QCOMPARE(reply.error(), message);
    QVERIFY(!reply.body.contains(kSecret));
}

void tst_Bindings::ackAnswersAtOnceAndReplaysAreNotRunAgain()
{
    const QByteArray body = R"({"id":"evt-1"})";
    const auto headers = signedHeaders(body, QDateTime::currentSecsSinceEpoch());
    HttpReply reply = m_server->request("POST", u"/api/v1/hooks/events/acked"_s, body, headers);
    QCOMPARE(reply.status, 202);
    QCOMPARE(reply.json().object(), (QJsonObject{{u"received"_s, true}}));
    reply = m_server->request("POST", u"/api/v1/hooks/events/acked"_s, body, headers);
    QCOMPARE(reply.status, 202);
    // The background run shows in the operation metrics: exactly one, not two.
    QTRY_VERIFY_WITH_TIMEOUT(
        QString::fromUtf8(m_server->get(u"/metrics"_s).body)
            .contains(QRegularExpression(
                uR"(gestaltd_operation_count_total\{[^}]*gestalt_invocation_surface="http_binding",gestalt_http_binding="acked"[^}]*\} 1\n)"_s)),
        10000);
}

void tst_Bindings::apiKeyAndContentTypeAreChecked()
{
    const TestServer::Headers good{{"Content-Type"_ba, "application/json"_ba},
                                   {"X-Hook-Key"_ba, "hook-key-1"_ba}};
    HttpReply reply =
        m_server->request("POST", u"/api/v1/hooks/events/direct"_s, R"({"k":"v"})", good);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"json"_s][u"k"_s].toString(), u"v"_s);
    reply = m_server->request(
        "POST",
        u"/api/v1/hooks/events/direct"_s,
        R"({"k":"v"})",
        {{"Content-Type"_ba, "application/json"_ba}, {"X-Hook-Key"_ba, "wrong"_ba}});
    QCOMPARE(reply.status, 401);
    reply = m_server->request("POST",
                              u"/api/v1/hooks/events/direct"_s,
                              "k=v",
                              {{"Content-Type"_ba, "application/x-www-form-urlencoded"_ba},
                               {"X-Hook-Key"_ba, "hook-key-1"_ba}});
    QCOMPARE(reply.status, 415);
    reply = m_server->request("POST", u"/api/v1/hooks/events/direct"_s, {}, good);
    QCOMPARE(reply.status, 400);
    // Not session-authenticated: a wrong method is still 405, an unknown path 404.
    QCOMPARE(m_server->get(u"/api/v1/hooks/events/direct"_s).status, 405);
}

void tst_Bindings::bindingsAreListed()
{
    const HttpReply reply = m_server->get(u"/api/v1/bindings"_s);
    QCOMPARE(reply.status, 200);
    const QJsonArray bindings = reply.json().array();
    QCOMPARE(bindings.size(), 3);
    bool found = false;
    for (const QJsonValue &binding : bindings) {
        if (binding[u"name"_s].toString() == u"push") {
            found = true;
            QCOMPARE(binding[u"path"_s].toString(), u"/api/v1/hooks/events/push"_s);
            QCOMPARE(binding[u"method"_s].toString(), u"POST"_s);
            QCOMPARE(binding[u"security"_s].toString(), u"hmac"_s);
        }
    }
    QVERIFY(found);
    QVERIFY(!reply.body.contains(kSecret));
}

QTEST_GUILESS_MAIN(tst_Bindings)
#include "tst_bindings.moc"
