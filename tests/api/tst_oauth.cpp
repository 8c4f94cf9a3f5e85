// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// App OAuth end to end against a real authorization server (oauth2-mock-server, steered through
// its hooks) and Debian's httpbin as the API: start-oauth → authorize → callback → invoke →
// expiry → refresh (single flight, rotation) → invalid_grant → 412; platform connections.
#include "support/HttpbinProcess.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

QString appsYaml(const QString &authServer, const QString &httpbin)
{
    return uR"(connections:
  mock:
    displayName: Mock account
    mode: user
    auth:
      type: oauth2
      authorizationUrl: %1/authorize
      tokenUrl: %1/token
      clientId: gestalt-test
      clientSecret: test-client-secret
      scopes: [read, write]
      pkce: true
  service:
    mode: platform
    auth:
      grantType: client_credentials
      tokenUrl: %1/token
      clientId: gestalt-service
      clientSecret: service-secret
      clientAuth: header
      scopes: [read]
apps:
  bin:
    connections:
      default:
        ref: mock
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - {name: headers, method: GET, path: /headers}
          - {name: status, method: GET, path: "/status/{code}", parameters: [{name: code, in: path, required: true}]}
  robot:
    connections:
      default:
        ref: service
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - {name: headers, method: GET, path: /headers}
)"_s.arg(authServer, httpbin);
}

// GET without following redirects; `cookie` (name=value) is sent when given.
std::pair<int, QUrl>
fetchRedirect(QNetworkAccessManager &network, const QUrl &url, const QByteArray &cookie = {})
{
    QNetworkRequest request(url);
    if (!cookie.isEmpty()) {
        request.setRawHeader("Cookie", cookie);
    }
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = network.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(15000)) {
        return {0, {}};
    }
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    return {status, url.resolved(QUrl::fromEncoded(reply->rawHeader("Location")))};
}

} // namespace

class tst_OAuth final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initTestCase_data();
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void connectsThroughTheAuthorizationServer();
    void expiringTokensAreRefreshedOnceAndRotated();
    void invalidGrantNeedsReconnect();
    void badCallbacksAreRejected_data();
    void badCallbacksAreRejected();
    void startOAuthRejectsBadInput_data();
    void startOAuthRejectsBadInput();
    void platformConnectionsUseClientCredentials();

private:
    void control(const QJsonObject &settings);
    [[nodiscard]] int tokenRequests(const QString &grantType);
    void connectThroughBrowser();

    HttpbinProcess m_httpbin;
    NodePeer m_authServer{u"oauth-server.mjs"_s};
    std::unique_ptr<TestServer> m_server;
    QNetworkAccessManager m_browser;
};

void tst_OAuth::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
    QVERIFY2(m_authServer.start(), qPrintable(m_authServer.errorString()));
}

void tst_OAuth::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_OAuth::init()
{
    QFETCH_GLOBAL(QString, backend);
    control({{u"reset"_s, true}});
    m_server = std::make_unique<TestServer>(backend,
                                            appsYaml(m_authServer.baseUrl(), m_httpbin.baseUrl()));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void tst_OAuth::control(const QJsonObject &settings)
{
    Result<QJsonDocument> answer = m_authServer.postJson(u"/_control"_s, QJsonDocument(settings));
    QVERIFY2(answer.hasValue(), answer ? "" : qPrintable(answer.error().message));
}

int tst_OAuth::tokenRequests(const QString &grantType)
{
    Result<QJsonDocument> stats = m_authServer.getJson(u"/_control/stats"_s);
    return stats ? stats->object()[u"tokenRequests"_s][grantType].toInt() : -1;
}

void tst_OAuth::connectThroughBrowser()
{
    const HttpReply started =
        m_server->post(u"/api/v1/auth/start-oauth"_s, R"({"integration":"bin"})");
    QCOMPARE(started.status, 200);
    const QUrl authorize(started.json()[u"url"_s].toString());
    const QUrlQuery query(authorize);
    QCOMPARE(query.queryItemValue(u"client_id"_s), u"gestalt-test"_s);
    QCOMPARE(query.queryItemValue(u"response_type"_s), u"code"_s);
    QCOMPARE(query.queryItemValue(u"scope"_s, QUrl::FullyDecoded), u"read write"_s);
    QCOMPARE(query.queryItemValue(u"code_challenge_method"_s), u"S256"_s);
    QCOMPARE(query.queryItemValue(u"code_challenge"_s).size(), 43);
    QCOMPARE(query.queryItemValue(u"state"_s), started.json()[u"state"_s].toString());
    QCOMPARE(query.queryItemValue(u"redirect_uri"_s, QUrl::FullyDecoded),
             u"http://127.0.0.1:%1/api/v1/auth/callback"_s.arg(m_server->port()));

    // The authorization server approves and sends the browser back to gestaltd.
    const auto [authStatus, callback] = fetchRedirect(m_browser, authorize);
    QCOMPARE(authStatus, 302);
    QVERIFY2(callback.path() == u"/api/v1/auth/callback", qPrintable(callback.toString()));
    // The callback needs the binding cookie start-oauth set (the browser that started the flow).
    const QByteArray binding = started.header("set-cookie").split(';').constFirst();
    QVERIFY2(binding.startsWith("oauth_binding_"), binding.constData());
    QCOMPARE(fetchRedirect(m_browser, callback).first, 403);
    const auto [callbackStatus, landing] = fetchRedirect(m_browser, callback, binding);
    QCOMPARE(callbackStatus, 303);
    QCOMPARE(landing.path(), u"/integrations"_s);
    QCOMPARE(QUrlQuery(landing).queryItemValue(u"connected"_s), u"bin"_s);
}

void tst_OAuth::connectsThroughTheAuthorizationServer()
{
    QCOMPARE(m_server->get(u"/api/v1/bin/headers"_s).status, 412);
    connectThroughBrowser();
    QCOMPARE(tokenRequests(u"authorization_code"_s), 1);

    const HttpReply reply = m_server->get(u"/api/v1/bin/headers"_s);
    QCOMPARE(reply.status, 200);
    const QString authorization = reply.json()[u"headers"_s][u"Authorization"_s].toString();
    QVERIFY2(authorization.startsWith(u"Bearer ey"_s), qPrintable(authorization));
    QCOMPARE(tokenRequests(u"refresh_token"_s), 0); // an hour left: no refresh

    const HttpReply apps = m_server->get(u"/api/v1/apps"_s);
    const QJsonObject bin = apps.itemNamed(u"bin"_s);
    QCOMPARE(bin[u"status"_s].toString(), u"ready"_s);
    QCOMPARE(bin[u"connections"_s][0][u"authTypes"_s].toArray(), QJsonArray{u"oauth"_s});
    QVERIFY(!apps.body.contains(authorization.mid(7).toUtf8()));
}

void tst_OAuth::expiringTokensAreRefreshedOnceAndRotated()
{
    control({{u"expiresIn"_s, 60}}); // within the 5-minute margin: refreshed before use
    connectThroughBrowser();
    const QString first =
        m_server->get(u"/api/v1/bin/headers"_s).json()[u"headers"_s][u"Authorization"_s].toString();
    QCOMPARE(tokenRequests(u"refresh_token"_s), 1);
    const QString sentFirst = m_authServer.getJson(u"/_control/stats"_s)
                                  ->object()[u"last"_s][u"body"_s][u"refresh_token"_s]
                                  .toString();

    // Five calls at once need one refresh between them. The token that refresh returns has an
    // hour left, so a call that arrives after it finished (a loaded machine) uses it as it is.
    control({{u"expiresIn"_s, QJsonValue::Null}});
    QList<QNetworkReply *> replies;
    for (int i = 0; i < 5; ++i) {
        replies.append(m_browser.get(QNetworkRequest(
            QUrl(u"http://127.0.0.1:%1/api/v1/bin/headers"_s.arg(m_server->port())))));
    }
    for (QNetworkReply *reply : replies) {
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 20000);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
    }
    QCOMPARE(tokenRequests(u"refresh_token"_s), 2);
    const QString sentSecond = m_authServer.getJson(u"/_control/stats"_s)
                                   ->object()[u"last"_s][u"body"_s][u"refresh_token"_s]
                                   .toString();
    QVERIFY(!sentFirst.isEmpty());
    QVERIFY2(sentSecond != sentFirst, "the rotated refresh token was not stored");

    // Tokens with an hour left are used as they are.
    QCOMPARE(m_server->get(u"/api/v1/bin/headers"_s).status, 200);
    QCOMPARE(tokenRequests(u"refresh_token"_s), 2);
    const QString later =
        m_server->get(u"/api/v1/bin/headers"_s).json()[u"headers"_s][u"Authorization"_s].toString();
    QCOMPARE(tokenRequests(u"refresh_token"_s), 2);
    QVERIFY(later != first);
}

void tst_OAuth::invalidGrantNeedsReconnect()
{
    control({{u"expiresIn"_s, 60}});
    connectThroughBrowser();
    control({{u"invalidGrant"_s, u"all"_s}});
    HttpReply reply = m_server->get(u"/api/v1/bin/headers"_s);
    QCOMPARE(reply.status, 412);
    QCOMPARE(reply.json()[u"code"_s].toString(), u"reconnect_required"_s);
    const int refreshes = tokenRequests(u"refresh_token"_s);
    reply = m_server->get(u"/api/v1/bin/headers"_s);
    QCOMPARE(reply.status, 412);
    QCOMPARE(tokenRequests(u"refresh_token"_s), refreshes); // known dead: not tried again

    const HttpReply apps = m_server->get(u"/api/v1/apps"_s);
    const QJsonObject bin = apps.itemNamed(u"bin"_s);
    QCOMPARE(bin[u"status"_s].toString(), u"needs_user_connection"_s);
    QCOMPARE(bin[u"credentialState"_s].toString(), u"invalid"_s);
    QVERIFY(bin[u"actions"_s].toArray().contains(u"reconnect"_s));
    // Reconnecting fixes it.
    control({{u"reset"_s, true}});
    connectThroughBrowser();
    QCOMPARE(m_server->get(u"/api/v1/bin/headers"_s).status, 200);
}

void tst_OAuth::badCallbacksAreRejected_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("accept");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("no code") << u"state=x"_s << QByteArray() << 400
                             << "missing code or state parameter"_ba;
    QTest::newRow("no state") << u"code=x"_s << QByteArray() << 400
                              << "missing code or state parameter"_ba;
    QTest::newRow("forged state") << u"code=x&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"_s
                                  << QByteArray() << 400 << "invalid or expired oauth state"_ba;
    QTest::newRow("provider error")
        << u"error=access_denied&state=x"_s << QByteArray() << 400 << "access_denied"_ba;
    QTest::newRow("html for browsers")
        << u"code=x&state=y"_s << "text/html"_ba << 400 << "<!doctype html>"_ba;
}

void tst_OAuth::badCallbacksAreRejected()
{
    QFETCH(QString, query);
    QFETCH(QByteArray, accept);
    QFETCH(int, status);
    QFETCH(QByteArray, expected);
    TestServer::Headers headers;
    if (!accept.isEmpty()) {
        headers.append({"Accept"_ba, accept});
    }
    const HttpReply reply = m_server->get(u"/api/v1/auth/callback?"_s + query, headers);
    QCOMPARE(reply.status, status);
    QVERIFY2(reply.body.contains(expected), reply.body.constData());
}

void tst_OAuth::startOAuthRejectsBadInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("no integration") << "{}"_ba << 400 << u"integration is required"_s;
    QTest::newRow("unknown") << R"({"integration":"nope"})"_ba << 404 << u"not found"_s;
    QTest::newRow("platform") << R"({"integration":"robot"})"_ba << 400 << u"deployment-managed"_s;
    QTest::newRow("bad instance") << R"({"integration":"bin","instance":"a/b"})"_ba << 400
                                  << u"_instance"_s;
    QTest::newRow("unknown param") << R"({"integration":"bin","connectionParams":{"x":"y"}})"_ba
                                   << 400 << u"unknown connection parameter"_s;
    QTest::newRow("not JSON") << "nope"_ba << 400 << u"invalid JSON body"_s;
    QTest::newRow("manual on oauth") << QByteArray() << 400 << u"does not support manual auth"_s;
}

void tst_OAuth::startOAuthRejectsBadInput()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    const HttpReply reply = body.isEmpty()
                                ? m_server->post(u"/api/v1/auth/connect-manual"_s,
                                                 R"({"integration":"bin","credential":"x"})")
                                : m_server->post(u"/api/v1/auth/start-oauth"_s, body);
    QCOMPARE(reply.status, status);
    QVERIFY2(reply.error().contains(message), qPrintable(reply.error()));
}

void tst_OAuth::platformConnectionsUseClientCredentials()
{
    HttpReply reply = m_server->get(u"/api/v1/robot/headers"_s);
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.json()[u"headers"_s][u"Authorization"_s].toString().startsWith(u"Bearer ey"_s));
    QCOMPARE(tokenRequests(u"client_credentials"_s), 1);
    QCOMPARE(m_server->get(u"/api/v1/robot/headers"_s).status, 200);
    QCOMPARE(tokenRequests(u"client_credentials"_s), 1); // cached until it nears expiry
    const QJsonObject last =
        m_authServer.getJson(u"/_control/stats"_s)->object()[u"last"_s].toObject();
    QVERIFY(last[u"authorization"_s].toString().startsWith(u"Basic "_s)); // clientAuth: header

    const HttpReply apps = m_server->get(u"/api/v1/apps"_s);
    const QJsonObject robot = apps.itemNamed(u"robot"_s);
    QCOMPARE(robot[u"status"_s].toString(), u"ready"_s);
    QCOMPARE(robot[u"credentialState"_s].toString(), u"configured"_s);
    QCOMPARE(robot[u"connections"_s][0][u"ownerKind"_s].toString(), u"platform"_s);
}

QTEST_GUILESS_MAIN(tst_OAuth)
#include "tst_oauth.moc"
