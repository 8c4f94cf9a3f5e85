// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Pivots through the OAuth and OIDC clients, over real HTTP against a running gestaltd on SQLite
// and PostgreSQL, with oauth2-mock-server as the authorization server: a token URL outside the
// app's egress.allowedHosts (or under server.egress.defaultAction: deny) for the code exchange,
// a refresh and a client_credentials grant; a token endpoint that redirects elsewhere; an OIDC
// discovery document that points the JWKS or the token endpoint at a host the provider may not
// reach. Each time nothing may reach the refused host, and the refusal must say why.
#include "support/FakeUpstream.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

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

const QString kDenyByDefault = u"server:\n  egress:\n    defaultAction: deny\n"_s;

// An app "bin" whose user connection gets tokens from `tokenUrl`, and an app "robot" whose
// platform connection does (`grant`: client_credentials or refresh_token). `egress`: the apps'
// egress block ("" for none). Their API host is never reached in these tests.
QString appsYaml(const QString &authServer,
                 const QString &tokenUrl,
                 const QString &grant,
                 const QString &egress)
{
    return uR"(connections:
  mock:
    mode: user
    auth:
      type: oauth2
      authorizationUrl: %1/authorize
      tokenUrl: %2
      clientId: gestalt-test
      clientSecret: test-client-secret
      scopes: [read]
      pkce: true
  service:
    mode: platform
    auth:
      grantType: %3
      tokenUrl: %2
      clientId: gestalt-service
      clientSecret: service-secret
      refreshToken: platform-seed-refresh-token
apps:
  bin:
%4    connections:
      default:
        ref: mock
    surfaces:
      rest:
        baseUrl: http://api.example.com
        operations:
          - {name: headers, method: GET, path: /headers}
  robot:
%4    connections:
      default:
        ref: service
    surfaces:
      rest:
        baseUrl: http://api.example.com
        operations:
          - {name: headers, method: GET, path: /headers}
)"_s.arg(authServer, tokenUrl, grant, egress);
}

QString allowedHostsYaml(const QString &hosts)
{
    return u"    egress:\n      allowedHosts: [%1]\n"_s.arg(hosts);
}

TestServer::Headers cookies(const QByteArray &session, const QByteArray &binding = {})
{
    return {{"Cookie"_ba, binding.isEmpty() ? session : session + "; "_ba + binding},
            {"Accept"_ba, "application/json"_ba}};
}

} // namespace

class tst_SecEgressOAuth final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void initTestCase();
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    // App OAuth: the token URL is held to the app's egress policy.
    void codeExchangeOutsideAllowedHostsSendsNothing_data();
    void codeExchangeOutsideAllowedHostsSendsNothing();
    void refreshOutsideAllowedHostsSendsNothing_data();
    void refreshOutsideAllowedHostsSendsNothing();
    void userRefreshOutsideAllowedHostsSendsNothing();
    void tokenEndpointRedirectIsNotFollowed_data();
    void tokenEndpointRedirectIsNotFollowed();

    // Platform login: the provider's requests are held to its egress policy.
    void oidcDiscoveryPointingOutsideAllowedHostsFailsLogin_data();
    void oidcDiscoveryPointingOutsideAllowedHostsFailsLogin();

private:
    struct Started
    {
        QString callbackPath; // /api/v1/auth/callback?code=...&state=...
        QByteArray binding;   // name=value of the binding cookie
    };
    // start-oauth for "bin" as alice; with `authorize`, the authorization server approves it (a
    // real code), else the callback carries a made-up code.
    [[nodiscard]] Started startOAuth(bool authorize);
    [[nodiscard]] bool startServer(const QString &apps, const QString &overrideYaml);
    [[nodiscard]] QJsonObject stats();

    NodePeer m_authServer{u"oauth-server.mjs"_s};
    std::unique_ptr<TestServer> m_server;
    QNetworkAccessManager m_browser;
    QByteArray m_session; // session_token=... of alice
};

void tst_SecEgressOAuth::initTestCase()
{
    QVERIFY2(m_authServer.start(), qPrintable(m_authServer.errorString()));
}

void tst_SecEgressOAuth::init()
{
    QVERIFY(m_authServer.postJson(u"/_control"_s, QJsonDocument(QJsonObject{{u"reset"_s, true}})));
}

bool tst_SecEgressOAuth::startServer(const QString &apps, const QString &overrideYaml)
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, apps, overrideYaml);
    if (!m_server->start()) {
        qWarning().noquote() << "gestaltd did not start:" << m_server->errorString();
        return false;
    }
    if (m_server->app().sessions()) {
        m_session = "session_token="_ba
                    + m_server->sessionFor(m_server->user(u"alice@example.com"_s)).toUtf8();
    }
    return true;
}

QJsonObject tst_SecEgressOAuth::stats()
{
    const Result<QJsonDocument> answer = m_authServer.getJson(u"/_control/stats"_s);
    return answer ? answer->object() : QJsonObject{{u"total"_s, -1}};
}

tst_SecEgressOAuth::Started tst_SecEgressOAuth::startOAuth(bool authorize)
{
    const HttpReply started = m_server->post(
        u"/api/v1/auth/start-oauth"_s, R"({"integration":"bin"})", cookies(m_session));
    if (started.status != 200) {
        qWarning() << "start-oauth failed" << started.status << started.body;
        return {};
    }
    const QUrl url(started.json()[u"url"_s].toString());
    Started out;
    out.binding = started.header("set-cookie").split(';').constFirst();
    if (!authorize) {
        out.callbackPath =
            u"/api/v1/auth/callback?code=made-up&state="_s
            + QString::fromUtf8(QUrl::toPercentEncoding(QUrlQuery(url).queryItemValue(u"state"_s)));
        return out;
    }
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = m_browser.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(15000)) {
        return {};
    }
    reply->deleteLater();
    const QUrl back = QUrl::fromEncoded(reply->rawHeader("Location"));
    out.callbackPath = back.path() + u'?' + back.query(QUrl::FullyEncoded);
    return out;
}

// ---------------------------------------------------------------------------------------------

void tst_SecEgressOAuth::codeExchangeOutsideAllowedHostsSendsNothing_data()
{
    QTest::addColumn<QString>("egress");
    QTest::addColumn<QString>("serverYaml");
    QTest::newRow("allowedHosts") << allowedHostsYaml(u"api.example.com"_s) << QString();
    QTest::newRow("defaultAction deny") << QString() << kDenyByDefault;
}

// An app whose tokenUrl (or a {param} in it) names a host outside its egress policy: the code,
// the PKCE verifier and the client secret must not be sent there.
void tst_SecEgressOAuth::codeExchangeOutsideAllowedHostsSendsNothing()
{
    QFETCH(QString, egress);
    QFETCH(QString, serverYaml);
    const QString base = m_authServer.baseUrl();
    QVERIFY(startServer(appsYaml(base, base + u"/token"_s, u"client_credentials"_s, egress),
                        TestServer::unreachableLoginYaml() + serverYaml));
    const Started started = startOAuth(true);
    QVERIFY(!started.callbackPath.isEmpty());
    QVERIFY2(started.callbackPath.contains(u"code="_s), qPrintable(started.callbackPath));

    const HttpReply done = m_server->get(started.callbackPath, cookies(m_session, started.binding));
    QCOMPARE(done.status, 403);
    QCOMPARE(done.error(), u"egress to host \"127.0.0.1\" is not allowed"_s);
    QCOMPARE(stats()[u"total"_s].toInt(), 0); // the token endpoint received nothing
    const HttpReply apps = m_server->get(u"/api/v1/apps"_s, cookies(m_session));
    QCOMPARE(apps.itemNamed(u"bin"_s)[u"status"_s].toString(), u"needs_user_connection"_s);
}

void tst_SecEgressOAuth::refreshOutsideAllowedHostsSendsNothing_data()
{
    QTest::addColumn<QString>("grant");
    QTest::addColumn<QString>("egress");
    QTest::addColumn<QString>("serverYaml");
    for (const QString &grant : {u"refresh_token"_s, u"client_credentials"_s}) {
        QTest::addRow("%s, allowedHosts", qPrintable(grant))
            << grant << allowedHostsYaml(u"api.example.com"_s) << QString();
        QTest::addRow("%s, defaultAction deny", qPrintable(grant))
            << grant << QString() << kDenyByDefault;
    }
}

// A platform connection's refresh (or client_credentials) grant to a token URL outside the
// app's egress policy: refused with the egress error, nothing sent, nothing counted against the
// credential.
void tst_SecEgressOAuth::refreshOutsideAllowedHostsSendsNothing()
{
    QFETCH(QString, grant);
    QFETCH(QString, egress);
    QFETCH(QString, serverYaml);
    const QString base = m_authServer.baseUrl();
    QVERIFY(startServer(appsYaml(base, base + u"/token"_s, grant, egress), serverYaml));
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);

    for (int attempt = 0; attempt < 2; ++attempt) {
        const HttpReply reply =
            m_server->get(u"/api/v1/robot/headers"_s, TestServer::bearer(bob.token));
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.error(), u"egress to host \"127.0.0.1\" is not allowed"_s);
    }
    QCOMPARE(stats()[u"total"_s].toInt(), 0);
}

// Alice connected while the token URL was allowed; the deployment then narrows the app's
// allowedHosts. Her expiring token's refresh (refresh token and client secret) must not go out.
void tst_SecEgressOAuth::userRefreshOutsideAllowedHostsSendsNothing()
{
    QFETCH_GLOBAL(QString, backend);
    const QString base = m_authServer.baseUrl();
    QVERIFY(
        m_authServer.postJson(u"/_control"_s, QJsonDocument(QJsonObject{{u"expiresIn"_s, 60}})));
    QVERIFY(startServer(appsYaml(base, base + u"/token"_s, u"client_credentials"_s, {}),
                        TestServer::unreachableLoginYaml()));
    const Started started = startOAuth(true);
    QVERIFY(!started.callbackPath.isEmpty());
    QCOMPARE(m_server->get(started.callbackPath, cookies(m_session, started.binding)).status, 303);
    QCOMPARE(stats()[u"tokenRequests"_s][u"authorization_code"_s].toInt(), 1);

    auto narrowed = std::make_unique<TestServer>(backend,
                                                 appsYaml(base,
                                                          base + u"/token"_s,
                                                          u"client_credentials"_s,
                                                          allowedHostsYaml(u"api.example.com"_s)),
                                                 TestServer::unreachableLoginYaml());
    narrowed->shareDatastoreOf(*m_server);
    // The first server stays (its directory holds the SQLite file) but is not asked again.
    const std::unique_ptr<TestServer> first = std::move(m_server);
    m_server = std::move(narrowed);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    // The token expires within the refresh margin: every call needs a refresh first.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const HttpReply reply = m_server->get(u"/api/v1/bin/headers"_s, cookies(m_session));
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.error(), u"egress to host \"127.0.0.1\" is not allowed"_s);
    }
    QCOMPARE(stats()[u"tokenRequests"_s][u"refresh_token"_s].toInt(), 0);
    // Not the credential's fault: it is not marked for reconnection.
    const HttpReply apps = m_server->get(u"/api/v1/apps"_s, cookies(m_session));
    QCOMPARE(apps.itemNamed(u"bin"_s)[u"status"_s].toString(), u"ready"_s);
}

void tst_SecEgressOAuth::tokenEndpointRedirectIsNotFollowed_data()
{
    QTest::addColumn<int>("status");
    QTest::newRow("302") << 302;
    QTest::newRow("307 (keeps the POST and its body)") << 307;
}

// A token endpoint (compromised, or a {param} host) answers the exchange with a redirect to
// another server: the code and client secret must not follow it there.
void tst_SecEgressOAuth::tokenEndpointRedirectIsNotFollowed()
{
    QFETCH(int, status);
    FakeUpstream target; // would hand out a token, were it asked
    QVERIFY(target.start());
    target.setReply(200,
                    {{"Content-Type", "application/json"}},
                    R"({"access_token":"from-the-redirect-target","token_type":"bearer"})");
    FakeUpstream tokenEndpoint;
    QVERIFY(tokenEndpoint.start());
    tokenEndpoint.setReply(status, {{"Location", (target.baseUrl() + u"/token"_s).toUtf8()}}, {});
    QVERIFY(startServer(appsYaml(m_authServer.baseUrl(),
                                 tokenEndpoint.baseUrl() + u"/token"_s,
                                 u"client_credentials"_s,
                                 {}),
                        TestServer::unreachableLoginYaml()));
    const Started started = startOAuth(false);
    QVERIFY(!started.callbackPath.isEmpty());

    const HttpReply done = m_server->get(started.callbackPath, cookies(m_session, started.binding));
    QCOMPARE(done.status, 502);
    QCOMPARE(done.error(), u"token exchange failed"_s);
    QCOMPARE(tokenEndpoint.requests().size(), 1);
    QVERIFY(tokenEndpoint.requests().constFirst().startsWith("POST /token "));
    QCOMPARE(target.connectionCount(), 0); // the redirect target received nothing
    const HttpReply apps = m_server->get(u"/api/v1/apps"_s, cookies(m_session));
    QCOMPARE(apps.itemNamed(u"bin"_s)[u"status"_s].toString(), u"needs_user_connection"_s);
}

// ---------------------------------------------------------------------------------------------

void tst_SecEgressOAuth::oidcDiscoveryPointingOutsideAllowedHostsFailsLogin_data()
{
    QTest::addColumn<QString>("member");  // of the discovery document, pointed elsewhere
    QTest::addColumn<QString>("allowed"); // the provider's egress.allowedHosts ("" none)
    QTest::addColumn<QString>("serverYaml");
    QTest::addColumn<QString>("refusedHost");
    QTest::newRow("jwks_uri") << u"jwks_uri"_s << u"127.0.0.1"_s << QString() << u"localhost"_s;
    QTest::newRow("token_endpoint")
        << u"token_endpoint"_s << u"127.0.0.1"_s << QString() << u"localhost"_s;
    QTest::newRow("issuer under defaultAction deny")
        << QString() << QString() << kDenyByDefault << u"127.0.0.1"_s;
}

// The identity provider's discovery document (or a tampered copy of it) sends gestaltd's JWKS
// fetch or code exchange to another host: the provider stays unready and says why, the host gets
// nothing, and nobody can log in through it.
void tst_SecEgressOAuth::oidcDiscoveryPointingOutsideAllowedHostsFailsLogin()
{
    QFETCH(QString, member);
    QFETCH(QString, allowed);
    QFETCH(QString, serverYaml);
    QFETCH(QString, refusedHost);
    const QString base = m_authServer.baseUrl();
    const QString elsewhere = QString(base).replace(u"127.0.0.1"_s, u"localhost"_s);
    if (!member.isEmpty()) {
        const QString path = member == u"jwks_uri" ? u"/jwks"_s : u"/token"_s;
        QVERIFY(m_authServer.postJson(
            u"/_control"_s,
            QJsonDocument(QJsonObject{
                {u"discoveryOverrides"_s, QJsonObject{{member, QString(elsewhere + path)}}}})));
    }
    const QString egress = allowed.isEmpty()
                               ? QString()
                               : u"      egress:\n        allowedHosts: [%1]\n"_s.arg(allowed);
    const QString login = uR"(
providers:
  authentication:
    sso:
      source: oidc
%1      config:
        issuerUrl: %2
        clientId: gestalt-login
        clientSecret: login-secret
)"_s.arg(egress, base);
    // (The provider warns of its failed discovery, and retries.)
    QVERIFY(startServer(u"apps:\n  demo:\n    surfaces:\n      rest:\n        baseUrl: "
                        "http://127.0.0.1:9\n        operations:\n          - {name: ping, "
                        "method: GET, path: /ping}\n"_s,
                        login + serverYaml));

    const QString why = u"egress to host \"%1\" is not allowed"_s.arg(refusedHost);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_server->get(u"/ready"_s).json()[u"status"_s].toString().contains(why), 15000);
    QCOMPARE(m_server->get(u"/ready"_s).status, 503);
    const HttpReply login1 = m_server->get(u"/api/v1/auth/login"_s);
    QCOMPARE(login1.status, 503);
    QCOMPARE(login1.error(), u"authentication provider is not ready"_s);
    const QJsonObject seen = stats();
    QCOMPARE(seen[u"jwksRequests"_s].toInt(), 0);
    QCOMPARE(seen[u"total"_s].toInt(), 0);
    if (member.isEmpty()) {
        QCOMPARE(seen[u"discoveryRequests"_s].toInt(), 0);
    }
}

QTEST_MAIN(tst_SecEgressOAuth)
#include "tst_sec_egress_oauth.moc"
