// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Platform login end to end: gestaltd's /api/v1/auth/* routes against a real OpenID Connect
// server (oauth2-mock-server, tests/peers/oauth-server.mjs), on SQLite and PostgreSQL.
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

const QJsonObject aliceClaims{
    {u"email"_s, u"alice@example.com"_s}, {u"email_verified"_s, true}, {u"name"_s, u"Alice"_s}};

// The cookie `name` from a response's Set-Cookie headers ("" when absent).
QByteArray setCookie(const HttpReply &reply, const QByteArray &name)
{
    for (const auto &[key, value] : reply.headers) {
        if (key.compare("Set-Cookie", Qt::CaseInsensitive) != 0) {
            continue;
        }
        for (const QByteArray &line : value.split('\n')) {
            if (line.startsWith(QByteArray(name + '='))) {
                return line;
            }
        }
    }
    return {};
}

QString cookieValue(const QByteArray &setCookieLine)
{
    const QByteArray pair = setCookieLine.split(';').first();
    return QString::fromUtf8(pair.mid(pair.indexOf('=') + 1));
}

} // namespace

class tst_Login final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void initTestCase();
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void infoDescribesTheProvider();
    void browserLoginSetsASession();
    void replayedOrWrongStateIsRefused();
    void unsafeNextIsRefused_data();
    void unsafeNextIsRefused();
    void badIdTokensFailTheLogin_data();
    void badIdTokensFailTheLogin();
    void postLoginAndCliTokens();
    void providerTokensAreBearerCredentials();
    void logoutClearsTheCookie();
    void disabledLoginAnswers404();

private:
    struct Callback
    {
        QString path; // /api/v1/auth/login/callback?code=...&state=...
        QString stateCookie;
    };
    // GET /api/v1/auth/login?next=..., then the authorization server's answer.
    Callback startBrowserLogin(const QString &next = u"/integrations"_s);
    HttpReply finish(const Callback &callback);
    std::pair<int, QUrl> authorize(const QUrl &url);

    std::unique_ptr<NodePeer> m_oidc;
    std::unique_ptr<TestServer> m_server;
    QNetworkAccessManager m_browser;
};

void tst_Login::initTestCase()
{
    m_oidc = std::make_unique<NodePeer>(u"oauth-server.mjs"_s);
    QVERIFY2(m_oidc->start(), "the OpenID Connect peer did not start");
}

void tst_Login::init()
{
    QFETCH_GLOBAL(QString, backend);
    QVERIFY(m_oidc
                ->postJson(u"/_control"_s,
                           QJsonDocument(
                               QJsonObject{{u"reset"_s, true}, {u"idTokenClaims"_s, aliceClaims}}))
                .hasValue());
    const bool disabled = QByteArray(QTest::currentTestFunction()) == "disabledLoginAnswers404";
    const QString login = uR"(
providers:
  authentication:
    sso:
      source: oidc
      displayName: Example SSO
      config:
        issuerUrl: %1
        clientId: gestalt-login
        clientSecret: login-secret
)"_s.arg(m_oidc->baseUrl());
    m_server = std::make_unique<TestServer>(
        backend,
        u"apps:\n  demo:\n    surfaces:\n      rest:\n        baseUrl: http://127.0.0.1:9\n"
        "        operations:\n          - {name: ping, method: GET, path: /ping}\n"_s,
        disabled ? QString() : login);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    if (!disabled) {
        QTRY_COMPARE_WITH_TIMEOUT(m_server->get(u"/ready"_s).status, 200, 15000);
    }
}

std::pair<int, QUrl> tst_Login::authorize(const QUrl &url)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = m_browser.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(15000)) {
        return {0, {}};
    }
    reply->deleteLater();
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
            url.resolved(QUrl::fromEncoded(reply->rawHeader("Location")))};
}

tst_Login::Callback tst_Login::startBrowserLogin(const QString &next)
{
    const HttpReply started = m_server->get(u"/api/v1/auth/login?next="_s
                                            + QString::fromUtf8(QUrl::toPercentEncoding(next)));
    if (started.status != 302) {
        qWarning() << "login did not redirect" << started.status << started.body;
        return {};
    }
    const QByteArray state = setCookie(started, "login_state");
    if (!state.contains("HttpOnly") || !state.contains("SameSite=Lax")) {
        qWarning() << "bad login_state cookie" << state;
        return {};
    }
    const QUrl idp = QUrl::fromEncoded(started.header("Location"));
    const QUrlQuery query(idp);
    if (query.queryItemValue(u"code_challenge_method"_s) != u"S256"_s
        || query.queryItemValue(u"nonce"_s).isEmpty()
        || query.queryItemValue(u"client_id"_s) != u"gestalt-login"_s) {
        qWarning() << "bad authorization URL" << idp;
        return {};
    }
    const auto [status, back] = authorize(idp);
    if (status != 302) {
        qWarning() << "authorization server answered" << status;
        return {};
    }
    return {back.path() + u'?' + back.query(QUrl::FullyEncoded), cookieValue(state)};
}

HttpReply tst_Login::finish(const Callback &callback)
{
    return m_server->get(callback.path, TestServer::cookie(u"login_state"_s, callback.stateCookie));
}

void tst_Login::infoDescribesTheProvider()
{
    const HttpReply info = m_server->get(u"/api/v1/auth/info"_s);
    QCOMPARE(info.status, 200);
    QCOMPARE(info.json()["provider"_L1].toString(), u"sso"_s);
    QCOMPARE(info.json()["displayName"_L1].toString(), u"Example SSO"_s);
    QCOMPARE(info.json()["loginSupported"_L1].toBool(), true);
    // No agent provider here (tst_agents sees it true with one).
    QCOMPARE(info.json()["features"_L1]["agent"_L1], QJsonValue(false));
    // With login on, nobody is anonymous any more.
    const HttpReply apps = m_server->get(u"/api/v1/apps"_s);
    QCOMPARE(apps.status, 401);
    QCOMPARE(apps.error(), u"missing authorization"_s);
}

void tst_Login::browserLoginSetsASession()
{
    const Callback callback = startBrowserLogin();
    QVERIFY(!callback.path.isEmpty());
    const HttpReply done = finish(callback);
    QCOMPARE(done.status, 302);
    QCOMPARE(done.header("Location"), "/integrations"_ba);
    const QByteArray session = setCookie(done, "session_token");
    QVERIFY2(session.contains("HttpOnly") && session.contains("SameSite=Lax")
                 && session.contains("Path=/") && !session.contains("Secure"),
             session.constData());
    QVERIFY(setCookie(done, "login_state").contains("Max-Age=0"));

    const TestServer::Headers cookie = TestServer::cookie(u"session_token"_s, cookieValue(session));
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, cookie).status, 200);
    // The session belongs to alice: her tokens are hers.
    const HttpReply created = m_server->post(u"/api/v1/tokens"_s, R"({"name":"t"})", cookie);
    QCOMPARE(created.status, 201);
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    const HttpReply mine = m_server->get(u"/api/v1/tokens"_s, TestServer::bearer(alice.token));
    QCOMPARE(mine.json().array().size(), 2);
}

void tst_Login::replayedOrWrongStateIsRefused()
{
    Callback callback = startBrowserLogin();
    QCOMPARE(finish(callback).status, 302);
    HttpReply replay = finish(callback);
    QCOMPARE(replay.status, 403);
    QCOMPARE(replay.error(), u"login state validation failed"_s);

    callback = startBrowserLogin();
    QUrl tampered(u"http://x"_s + callback.path);
    QUrlQuery query(tampered);
    query.removeQueryItem(u"state"_s);
    query.addQueryItem(u"state"_s, u"someone-elses-state"_s);
    tampered.setQuery(query);
    QCOMPARE(m_server
                 ->get(tampered.path() + u'?' + tampered.query(),
                       TestServer::cookie(u"login_state"_s, callback.stateCookie))
                 .status,
             403);
    // Without the cookie, or with a forged one.
    QCOMPARE(m_server->get(callback.path).status, 403);
    QCOMPARE(finish({callback.path, u"forged"_s}).status, 403);
    QCOMPARE(m_server->get(u"/api/v1/auth/login/callback?state=x"_s).status, 400);
    const HttpReply denied = m_server->get(u"/api/v1/auth/login/callback?error=access_denied"_s);
    QCOMPARE(denied.status, 401);
    QCOMPARE(denied.error(), u"login failed"_s);
}

void tst_Login::unsafeNextIsRefused_data()
{
    QTest::addColumn<QString>("next");
    QTest::newRow("protocol-relative") << u"//evil.example/"_s;
    QTest::newRow("absolute") << u"https://evil.example/"_s;
    QTest::newRow("backslash") << u"/\\evil.example"_s;
    QTest::newRow("javascript") << u"javascript:alert(1)"_s;
    QTest::newRow("control character") << u"/ok\r\nSet-Cookie: x=y"_s;
    QTest::newRow("admin of another host") << u"http://evil.example/admin"_s;
}

void tst_Login::unsafeNextIsRefused()
{
    QFETCH(QString, next);
    const HttpReply reply = m_server->get(u"/api/v1/auth/login?next="_s
                                          + QString::fromUtf8(QUrl::toPercentEncoding(next)));
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), u"invalid next path"_s);
    QVERIFY(setCookie(reply, "login_state").isEmpty());
}

void tst_Login::badIdTokensFailTheLogin_data()
{
    QTest::addColumn<QJsonObject>("control");
    QTest::newRow("forged signature") << QJsonObject{{u"forgeSignature"_s, true}};
    QTest::newRow("expired") << QJsonObject{{u"idTokenExpiresIn"_s, -600}};
    QJsonObject wrongAudience = aliceClaims;
    wrongAudience.insert(u"aud"_s, u"another-client"_s);
    QTest::newRow("wrong audience") << QJsonObject{{u"idTokenClaims"_s, wrongAudience}};
    QJsonObject unverified = aliceClaims;
    unverified.insert(u"email_verified"_s, false);
    QTest::newRow("email not verified") << QJsonObject{{u"idTokenClaims"_s, unverified}};
    QJsonObject wrongNonce = aliceClaims;
    wrongNonce.insert(u"nonce"_s, u"replayed-nonce"_s);
    QTest::newRow("wrong nonce") << QJsonObject{{u"idTokenClaims"_s, wrongNonce}};
}

void tst_Login::badIdTokensFailTheLogin()
{
    QFETCH(QJsonObject, control);
    QVERIFY(m_oidc->postJson(u"/_control"_s, QJsonDocument(control)).hasValue());
    const HttpReply reply = finish(startBrowserLogin());
    QCOMPARE(reply.status, 401);
    QCOMPARE(reply.error(), u"login failed"_s);
    QVERIFY(setCookie(reply, "session_token").isEmpty());
}

void tst_Login::postLoginAndCliTokens()
{
    HttpReply started = m_server->post(u"/api/v1/auth/login"_s, R"({"state":"abc"})");
    QCOMPARE(started.status, 200);
    const QUrl url(started.json()["url"_L1].toString());
    QVERIFY(url.isValid() && !url.isRelative());
    QCOMPARE(QUrlQuery(url).queryItemValue(u"state"_s), u"abc"_s);

    for (const QByteArray &bad : {R"({"callbackPort":70000})"_ba,
                                  R"({"callbackPort":"80"})"_ba,
                                  R"({"state":7})"_ba,
                                  "[1]"_ba}) {
        QCOMPARE(m_server->post(u"/api/v1/auth/login"_s, bad).status, 400);
    }

    // A CLI login: the browser leg hands the code to the CLI's loopback port, and the CLI
    // completes with cli=1 and the cookie it received, getting an API token that expires after
    // server.cliTokenTtl (default 90 days).
    started = m_server->post(u"/api/v1/auth/login"_s, R"({"state":"s1","callbackPort":5555})");
    QCOMPARE(started.status, 200);
    const QString stateCookie = cookieValue(setCookie(started, "login_state"));
    const auto [status, back] = authorize(QUrl(started.json()["url"_L1].toString()));
    QCOMPARE(status, 302);
    const HttpReply handOff = m_server->get(back.path() + u'?' + back.query(QUrl::FullyEncoded));
    QCOMPARE(handOff.status, 302);
    const QUrl loopback = QUrl::fromEncoded(handOff.header("Location"));
    QCOMPARE(loopback.host(), u"127.0.0.1"_s);
    QCOMPARE(loopback.port(), 5555);
    const HttpReply cli =
        m_server->get(u"/api/v1/auth/login/callback?cli=1&"_s + loopback.query(QUrl::FullyEncoded),
                      TestServer::cookie(u"login_state"_s, stateCookie));
    QCOMPARE(cli.status, 200);
    const QString token = cli.json()["token"_L1].toString();
    QVERIFY(token.startsWith(u"gst_api_"_s));
    const QDateTime expiresAt =
        QDateTime::fromString(cli.json()["expiresAt"_L1].toString(), Qt::ISODateWithMs);
    QVERIFY2(expiresAt.isValid(), cli.body.constData());
    QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(expiresAt) - 90 * 86400) < 600);
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(token)).status, 200);
}

void tst_Login::providerTokensAreBearerCredentials()
{
    // An ID token the provider issued (here straight from its token endpoint) is accepted as a
    // bearer token, and maps to the same user.
    const HttpReply started = m_server->post(u"/api/v1/auth/login"_s, "{}");
    const auto [status, back] = authorize(QUrl(started.json()["url"_L1].toString()));
    QCOMPARE(status, 302);
    const QString code = QUrlQuery(back).queryItemValue(u"code"_s);
    QNetworkRequest request(QUrl(m_oidc->baseUrl() + u"/token"_s));
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/x-www-form-urlencoded"_s);
    QUrlQuery form{{u"grant_type"_s, u"authorization_code"_s},
                   {u"code"_s, code},
                   {u"client_id"_s, u"gestalt-login"_s},
                   {u"redirect_uri"_s, back.adjusted(QUrl::RemoveQuery).toString()}};
    QNetworkReply *reply = m_browser.post(request, form.toString(QUrl::FullyEncoded).toUtf8());
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(15000));
    reply->deleteLater();
    const QString idToken = QJsonDocument::fromJson(reply->readAll())["id_token"_L1].toString();
    QVERIFY(!idToken.isEmpty());
    const HttpReply apps = m_server->get(u"/api/v1/tokens"_s, TestServer::bearer(idToken));
    QCOMPARE(apps.status, 200);
    QString forged = idToken;
    forged[forged.size() - 3] = forged.at(forged.size() - 3) == u'x' ? u'y' : u'x';
    const HttpReply bad = m_server->get(u"/api/v1/apps"_s, TestServer::bearer(forged));
    QCOMPARE(bad.status, 401);
    QCOMPARE(bad.error(), u"invalid token"_s);
}

void tst_Login::logoutClearsTheCookie()
{
    const HttpReply reply = m_server->post(u"/api/v1/auth/logout"_s, {});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()["status"_L1].toString(), u"ok"_s);
    QVERIFY(setCookie(reply, "session_token").contains("Max-Age=0"));
}

void tst_Login::disabledLoginAnswers404()
{
    const HttpReply info = m_server->get(u"/api/v1/auth/info"_s);
    QCOMPARE(info.json()["provider"_L1].toString(), u"none"_s);
    QCOMPARE(info.json()["loginSupported"_L1].toBool(), false);
    for (const auto &[method, path] :
         {std::pair{"GET"_ba, u"/api/v1/auth/login"_s},
          std::pair{"POST"_ba, u"/api/v1/auth/login"_s},
          std::pair{"GET"_ba, u"/api/v1/auth/login/callback?code=a&state=b"_s}}) {
        const HttpReply reply = m_server->request(method, path, method == "POST" ? "{}"_ba : "");
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.error(), u"auth is disabled"_s);
    }
    // The local user needs no credential.
    QCOMPARE(m_server->get(u"/api/v1/apps"_s).status, 200);
}

QTEST_GUILESS_MAIN(tst_Login)
#include "tst_login.moc"
