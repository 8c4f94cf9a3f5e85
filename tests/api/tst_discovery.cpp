// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Discovery after connecting, and the pending choice between several discovered accounts
// (POST /api/v1/auth/pending-connection), against Debian's httpbin, whose /base64/<data> answers
// the decoded data: the account lists below, base64url-encoded in the discovery URL. On SQLite
// and PostgreSQL.
#include "config/ConnectionConfig.h"
#include "connections/ConnectionDiscovery.h"
#include "support/HttpbinProcess.h"
#include "support/RawHttpClient.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

// {"accounts":[{"id":"acme","name":"Acme Corp","region":"eu"},
//               {"id":"globex","name":"Globex","region":"us"}]}
const QString kTwoAccounts =
    u"eyJhY2NvdW50cyI6W3siaWQiOiJhY21lIiwibmFtZSI6IkFjbWUgQ29ycCIsInJlZ2lvbiI6ImV1In0seyJpZCI6Imds"
    "b2JleCIsIm5hbWUiOiJHbG9iZXgiLCJyZWdpb24iOiJ1cyJ9XX0="_s;
const QString kNoAccounts = u"eyJhY2NvdW50cyI6W119"_s; // {"accounts":[]}

QString appsYaml(const QString &httpbin)
{
    return uR"(apps:
  accounts:
    connections:
      default:
        mode: user
        auth: {type: manual}
        params:
          region: {from: discovery}
        discovery:
          url: %1/base64/%2
          itemsPath: accounts
          metadata: {region: region}
    headers:
      X-Region: "{region}"
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: headers, method: GET, path: /headers}
  empty:
    connections:
      default:
        mode: user
        auth: {type: manual}
        discovery: {url: "%1/base64/%3", itemsPath: accounts}
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: headers, method: GET, path: /headers}
)"_s.arg(httpbin, kTwoAccounts, kNoAccounts);
}

QByteArray form(const QString &token, const QString &extra = {})
{
    return "pending_token=" + QUrl::toPercentEncoding(token)
           + (extra.isEmpty() ? QByteArray() : "&" + extra.toUtf8());
}

} // namespace

class tst_Discovery final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString())); }
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void severalAccountsNeedAChoice();
    void badPendingChoicesAreRejected();
    void noAccountIsASetupFailure();
    void candidatesOfAnAnswer_data();
    void candidatesOfAnAnswer();

private:
    void connectAccounts();
    std::unique_ptr<TestServer> m_server;
    HttpbinProcess m_httpbin;
    QString m_token;
    QByteArray m_cookie;
};

void tst_Discovery::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, appsYaml(m_httpbin.baseUrl()));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void tst_Discovery::connectAccounts()
{
    const HttpReply reply = m_server->post(u"/api/v1/auth/connect-manual"_s,
                                           R"({"integration":"accounts","credential":"tok"})");
    QCOMPARE(reply.status, 200);
    const QJsonObject body = reply.json().object();
    QCOMPARE(body[u"status"_s].toString(), u"selection_required"_s);
    QCOMPARE(body[u"selectionUrl"_s].toString(), u"/api/v1/auth/pending-connection"_s);
    QCOMPARE(body[u"candidates"_s].toArray().size(), 2);
    QCOMPARE(body[u"candidates"_s][1][u"name"_s].toString(), u"Globex"_s);
    m_token = body[u"pendingToken"_s].toString();
    QVERIFY(!m_token.isEmpty());
    const QByteArray setCookie = reply.header("set-cookie");
    QVERIFY2(setCookie.startsWith("pending_connection_state="), setCookie.constData());
    QVERIFY(setCookie.contains("HttpOnly"));
    QVERIFY(setCookie.contains("SameSite=Lax"));
    QVERIFY(setCookie.contains("Path=/api/v1/auth/pending-connection"));
    m_cookie = setCookie.split(';').first();
    QVERIFY(!reply.body.contains("\"tok\""));
}

void tst_Discovery::severalAccountsNeedAChoice()
{
    connectAccounts();
    QCOMPARE(m_server->get(u"/api/v1/accounts/headers"_s).status, 412); // nothing stored yet
    const TestServer::Headers formHeaders{
        {"Content-Type"_ba, "application/x-www-form-urlencoded"_ba}, {"Cookie"_ba, m_cookie}};

    // Without a candidate: the choice, as HTML for browsers.
    TestServer::Headers html = formHeaders;
    html.append({"Accept"_ba, "text/html"_ba});
    HttpReply reply =
        m_server->request("POST", u"/api/v1/auth/pending-connection"_s, form(m_token), html);
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("content-type").startsWith("text/html"));
    QVERIFY(reply.body.contains("Acme Corp"));
    QVERIFY(reply.body.contains("candidate_index"));

    reply = m_server->request("POST",
                              u"/api/v1/auth/pending-connection"_s,
                              form(m_token, u"candidate_index=1"_s),
                              formHeaders);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"connected"_s);

    reply = m_server->get(u"/api/v1/accounts/headers"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"headers"_s][u"Authorization"_s].toString(), u"Bearer tok"_s);
    // The chosen account's discovered metadata fills {region}.
    QCOMPARE(reply.json()[u"headers"_s][u"X-Region"_s].toString(), u"us"_s);
    const HttpReply apps = m_server->get(u"/api/v1/apps"_s);
    QCOMPARE(
        apps.itemNamed(u"accounts"_s)[u"connections"_s][0][u"instances"_s][0][u"name"_s].toString(),
        u"Globex"_s);
}

void tst_Discovery::badPendingChoicesAreRejected()
{
    connectAccounts();
    const TestServer::Headers formHeaders{
        {"Content-Type"_ba, "application/x-www-form-urlencoded"_ba}, {"Cookie"_ba, m_cookie}};
    HttpReply reply = m_server->request("POST",
                                        u"/api/v1/auth/pending-connection"_s,
                                        form(m_token, u"candidate_index=7"_s),
                                        formHeaders);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), u"candidate not found"_s);
    reply = m_server->request(
        "POST",
        u"/api/v1/auth/pending-connection"_s,
        form(m_token.left(m_token.size() - 4) + u"AAAA"_s, u"candidate_index=0"_s),
        formHeaders);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), u"invalid pending connection token"_s);
    // Another browser (a client without the binding cookie) cannot take the choice over.
    const QByteArray body = form(m_token, u"candidate_index=0"_s);
    const RawResponse stranger = rawRequest(
        m_server->port(),
        "POST /api/v1/auth/pending-connection HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QCOMPARE(stranger.status, 401);
    reply = m_server->request("POST",
                              u"/api/v1/auth/pending-connection"_s,
                              "",
                              {{"Content-Type"_ba, "application/x-www-form-urlencoded"_ba}});
    QCOMPARE(reply.status, 400);
    QCOMPARE(m_server->get(u"/api/v1/accounts/headers"_s).status, 412);
}

void tst_Discovery::noAccountIsASetupFailure()
{
    const HttpReply reply = m_server->post(u"/api/v1/auth/connect-manual"_s,
                                           R"({"integration":"empty","credential":"tok"})");
    QCOMPARE(reply.status, 502);
    QVERIFY(reply.error().contains(u"connection setup failed"_s));
    QCOMPARE(m_server->get(u"/api/v1/empty/headers"_s).status, 412);
}

void tst_Discovery::candidatesOfAnAnswer_data()
{
    QTest::addColumn<QString>("itemsPath");
    QTest::addColumn<QString>("idPath");
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("defaults") << QString() << QString() << R"([{"id":"a","name":"A"},{"id":7}])"_ba
                              << R"([{"id":"a","metadata":{},"name":"A"},)"
                                 R"({"id":"7","metadata":{},"name":"7"}])"_ba;
    QTest::newRow("items path, id path, no id skipped")
        << u"data.items"_s << u"key"_s
        << R"({"data":{"items":[{"key":"k1","name":"One","region":"eu"},{"name":"none"}]}})"_ba
        << R"([{"id":"k1","metadata":{"region":"eu"},"name":"One"}])"_ba;
    QTest::newRow("metadata keeps plain values only")
        << QString() << QString() << R"([{"id":"x","region":"eu west"}])"_ba
        << R"([{"id":"x","metadata":{},"name":"x"}])"_ba;
    QTest::newRow("not a list") << QString() << QString() << R"({"id":"x"})"_ba
                                << "[]"_ba;
}

void tst_Discovery::candidatesOfAnAnswer()
{
    QFETCH(QString, itemsPath);
    QFETCH(QString, idPath);
    QFETCH(QByteArray, answer);
    QFETCH(QByteArray, expected);
    DiscoveryConfig discovery;
    discovery.itemsPath = itemsPath;
    discovery.idPath = idPath;
    discovery.metadata = {{u"region"_s, u"region"_s}};
    const QJsonValue document = QJsonDocument::fromJson(answer).isArray()
                                    ? QJsonValue(QJsonDocument::fromJson(answer).array())
                                    : QJsonValue(QJsonDocument::fromJson(answer).object());
    const QJsonArray found = ConnectionDiscovery::candidates(discovery, document);
    QCOMPARE(QJsonDocument(found).toJson(QJsonDocument::Compact), expected);
}

QTEST_GUILESS_MAIN(tst_Discovery)
#include "tst_discovery.moc"
