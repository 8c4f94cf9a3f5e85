// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Attacks on the OAuth flows' life cycle, over real HTTP against a running gestaltd on SQLite and
// PostgreSQL: app OAuth states completed by another browser or user, replayed, or replayed on
// another replica (oauth2-mock-server as the authorization server, httpbin as the API); MCP OAuth
// access tokens used on the REST API, refresh tokens and codes used twice, also across replicas.
#include "support/HttpbinProcess.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

// RFC 7636 appendix B.
const QString kVerifier = u"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"_s;
const QString kChallenge = u"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"_s;
const QString kRedirect = u"http://127.0.0.1:33418/cb"_s;
const QByteArray kFormType = "application/x-www-form-urlencoded"_ba;

QString appsYaml(const QString &authServer, const QString &httpbin)
{
    return uR"(connections:
  mock:
    mode: user
    auth:
      type: oauth2
      authorizationUrl: %1/authorize
      tokenUrl: %1/token
      clientId: gestalt-test
      clientSecret: test-client-secret
      scopes: [read]
      pkce: true
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
  tools:
    mcp: true
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - {name: get, method: GET, path: /get}
)"_s.arg(authServer, httpbin);
}

QByteArray encode(const QList<std::pair<QString, QString>> &params)
{
    QByteArray out;
    for (const auto &[name, value] : params) {
        if (!out.isEmpty()) {
            out += '&';
        }
        out += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

QString pathAndQuery(const QUrl &url)
{
    return url.path() + u'?' + url.query(QUrl::FullyEncoded);
}

TestServer::Headers cookies(const QList<QByteArray> &pairs)
{
    QByteArray joined;
    for (const QByteArray &pair : pairs) {
        if (pair.isEmpty()) {
            continue;
        }
        joined += (joined.isEmpty() ? ""_ba : "; "_ba) + pair;
    }
    return joined.isEmpty() ? TestServer::Headers{} : TestServer::Headers{{"Cookie"_ba, joined}};
}

QByteArray sessionCookie(const QString &session)
{
    return "session_token="_ba + session.toUtf8();
}

} // namespace

class tst_SecOAuth final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup();
    void cleanupTestCase() { TestDatabase::dropAll(); }

    // App OAuth: the state.
    void colleaguesStartUrlCompletedInAnotherBrowserIsRefused();
    void stateCompletedByAnotherSessionIsRefused();
    void stateCompletedWithoutSessionIsRefused();
    void forgedBindingCookieIsRefused();
    void stateReplayedAfterSuccessIsRefused();
    void stateConsumedOnOneReplicaIsRefusedOnAnother();
    void stateSurvivesARestart();
    void managedSubjectStateIsBoundToItsBrowser();

    // MCP OAuth.
    void mcpAccessTokenIsRefusedByTheRestApi();
    void replayedRefreshTokenRevokesTheFamily();
    void refreshTokenReplayedOnAnotherReplicaRevokesTheFamily();
    void codeUsedTwiceFailsAndRevokesItsTokens();
    void codeUsedOnOneReplicaFailsOnAnother();

private:
    struct Started
    {
        QUrl callback;        // where the authorization server sent the browser back
        QByteArray binding;   // name=value of the binding cookie from start-oauth
        QByteArray setCookie; // the whole Set-Cookie value
    };
    // start-oauth on `server` as the session, then the authorization server's approval.
    [[nodiscard]] Started start(TestServer &server,
                                const QString &session,
                                const QString &path = u"/api/v1/auth/start-oauth"_s);
    [[nodiscard]] static HttpReply
    complete(TestServer &server, const Started &started, const QList<QByteArray> &cookiePairs);
    [[nodiscard]] int tokenRequests(const QString &grantType);
    [[nodiscard]] QString binStatus(const QString &session);
    [[nodiscard]] std::unique_ptr<TestServer> replicaOf(const TestServer &server);

    // MCP OAuth over HTTP.
    [[nodiscard]] static QString registerClient(TestServer &server);
    [[nodiscard]] static QString
    codeFor(TestServer &server, const QString &clientId, const QString &session);
    [[nodiscard]] static HttpReply token(TestServer &server,
                                         const QList<std::pair<QString, QString>> &params);
    [[nodiscard]] static HttpReply
    codeGrant(TestServer &server, const QString &clientId, const QString &code);
    [[nodiscard]] static HttpReply
    refreshGrant(TestServer &server, const QString &clientId, const QString &refresh);
    [[nodiscard]] static int mcpStatus(TestServer &server, const QString &accessToken);

    HttpbinProcess m_httpbin;
    NodePeer m_authServer{u"oauth-server.mjs"_s};
    std::unique_ptr<TestServer> m_server;
    QNetworkAccessManager m_browser;
    TestServer::TestUser m_alice;
    TestServer::TestUser m_bob;
    QString m_aliceSession;
    QString m_bobSession;
};

void tst_SecOAuth::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
    QVERIFY2(m_authServer.start(), qPrintable(m_authServer.errorString()));
}

void tst_SecOAuth::init()
{
    QFETCH_GLOBAL(QString, backend);
    QVERIFY(m_authServer.postJson(u"/_control"_s, QJsonDocument(QJsonObject{{u"reset"_s, true}})));
    m_server = std::make_unique<TestServer>(backend,
                                            appsYaml(m_authServer.baseUrl(), m_httpbin.baseUrl()),
                                            TestServer::unreachableLoginYaml());
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_alice = m_server->user(u"alice@example.com"_s);
    m_bob = m_server->user(u"bob@example.com"_s);
    m_aliceSession = m_server->sessionFor(m_alice);
    m_bobSession = m_server->sessionFor(m_bob);
}

void tst_SecOAuth::cleanup()
{
    m_server.reset();
}

tst_SecOAuth::Started
tst_SecOAuth::start(TestServer &server, const QString &session, const QString &path)
{
    const HttpReply started =
        server.post(path, R"({"integration":"bin"})", cookies({sessionCookie(session)}));
    if (started.status != 200) {
        qWarning() << "start-oauth failed" << started.status << started.body;
        return {};
    }
    const QByteArray setCookie = started.header("set-cookie");
    QNetworkRequest request(QUrl(started.json()[u"url"_s].toString()));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = m_browser.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(15000)) {
        return {};
    }
    reply->deleteLater();
    return {QUrl::fromEncoded(reply->rawHeader("Location")),
            setCookie.split(';').constFirst(),
            setCookie};
}

HttpReply tst_SecOAuth::complete(TestServer &server,
                                 const Started &started,
                                 const QList<QByteArray> &cookiePairs)
{
    return server.get(pathAndQuery(started.callback), cookies(cookiePairs));
}

int tst_SecOAuth::tokenRequests(const QString &grantType)
{
    Result<QJsonDocument> stats = m_authServer.getJson(u"/_control/stats"_s);
    return stats ? stats->object()[u"tokenRequests"_s][grantType].toInt() : -1;
}

QString tst_SecOAuth::binStatus(const QString &session)
{
    return m_server->get(u"/api/v1/apps"_s, cookies({sessionCookie(session)}))
        .itemNamed(u"bin"_s)[u"status"_s]
        .toString();
}

std::unique_ptr<TestServer> tst_SecOAuth::replicaOf(const TestServer &server)
{
    QFETCH_GLOBAL(QString, backend);
    auto replica =
        std::make_unique<TestServer>(backend,
                                     appsYaml(m_authServer.baseUrl(), m_httpbin.baseUrl()),
                                     TestServer::unreachableLoginYaml());
    replica->shareDatastoreOf(server);
    if (!replica->start()) {
        qWarning() << "replica failed:" << replica->errorString();
        return nullptr;
    }
    return replica;
}

// Alice sends Bob her start-oauth URL; Bob approves with his upstream account in his browser,
// which has his own session and no binding cookie. Nothing may land in Alice's credentials.
void tst_SecOAuth::colleaguesStartUrlCompletedInAnotherBrowserIsRefused()
{
    const Started alice = start(*m_server, m_aliceSession);
    QVERIFY(alice.callback.isValid());
    const HttpReply reply = complete(*m_server, alice, {sessionCookie(m_bobSession)});
    QCOMPARE(reply.status, 403);
    QVERIFY2(reply.error().contains(u"another browser"_s), reply.body.constData());
    QCOMPARE(tokenRequests(u"authorization_code"_s), 0); // the code was never exchanged
    QCOMPARE(binStatus(m_aliceSession), u"needs_user_connection"_s);
    QCOMPARE(binStatus(m_bobSession), u"needs_user_connection"_s);
    // The binding cookie: script cannot read it, other sites' requests do not carry it, and it
    // goes to the callback only.
    QVERIFY2(alice.binding.startsWith("oauth_binding_"), alice.setCookie.constData());
    for (const QByteArray &attribute :
         {"HttpOnly"_ba, "SameSite=Lax"_ba, "Path=/api/v1/auth/callback"_ba, "Max-Age=600"_ba}) {
        QVERIFY2(alice.setCookie.contains(attribute), alice.setCookie.constData());
    }
    QVERIFY(!alice.setCookie.contains("Secure")); // http://127.0.0.1: Secure only on https
    // Alice herself can still finish it.
    QCOMPARE(complete(*m_server, alice, {sessionCookie(m_aliceSession), alice.binding}).status,
             303);
    QCOMPARE(binStatus(m_aliceSession), u"ready"_s);
}

// The browser carries the binding cookie (a shared machine) but another user is signed in.
void tst_SecOAuth::stateCompletedByAnotherSessionIsRefused()
{
    const Started alice = start(*m_server, m_aliceSession);
    const HttpReply reply =
        complete(*m_server, alice, {sessionCookie(m_bobSession), alice.binding});
    QCOMPARE(reply.status, 403);
    QVERIFY2(reply.error().contains(u"another user"_s), reply.body.constData());
    QCOMPARE(tokenRequests(u"authorization_code"_s), 0);
    QCOMPARE(binStatus(m_aliceSession), u"needs_user_connection"_s);
    QCOMPARE(binStatus(m_bobSession), u"needs_user_connection"_s);
    // A bearer token of another user proves no more.
    TestServer::Headers headers = cookies({alice.binding});
    headers += TestServer::bearer(m_bob.token);
    QCOMPARE(m_server->get(pathAndQuery(alice.callback), headers).status, 403);
}

void tst_SecOAuth::stateCompletedWithoutSessionIsRefused()
{
    const Started alice = start(*m_server, m_aliceSession);
    const HttpReply reply = complete(*m_server, alice, {alice.binding});
    QCOMPARE(reply.status, 403);
    QVERIFY2(reply.error().contains(u"needs the session of the user who started it"_s),
             reply.body.constData());
    QCOMPARE(tokenRequests(u"authorization_code"_s), 0);
    QCOMPARE(binStatus(m_aliceSession), u"needs_user_connection"_s);
}

void tst_SecOAuth::forgedBindingCookieIsRefused()
{
    const Started alice = start(*m_server, m_aliceSession);
    const QByteArray name = alice.binding.left(alice.binding.indexOf('='));
    const QList<QByteArray> forgeries{name + "=",
                                      name + "=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                      "oauth_binding_0000000000000000="
                                          + alice.binding.mid(name.size() + 1)};
    for (const QByteArray &forged : forgeries) {
        const HttpReply reply = complete(*m_server, alice, {sessionCookie(m_aliceSession), forged});
        QCOMPARE(reply.status, 403);
        QVERIFY2(reply.error().contains(u"another browser"_s), reply.body.constData());
    }
    // A binding cookie of another of Alice's flows does not fit this one either.
    const Started other = start(*m_server, m_aliceSession);
    const QByteArray swapped = name + '=' + other.binding.mid(other.binding.indexOf('=') + 1);
    QCOMPARE(complete(*m_server, alice, {sessionCookie(m_aliceSession), swapped}).status, 403);
    QCOMPARE(tokenRequests(u"authorization_code"_s), 0);
}

void tst_SecOAuth::stateReplayedAfterSuccessIsRefused()
{
    const Started alice = start(*m_server, m_aliceSession);
    const QList<QByteArray> proof{sessionCookie(m_aliceSession), alice.binding};
    QCOMPARE(complete(*m_server, alice, proof).status, 303);
    QCOMPARE(tokenRequests(u"authorization_code"_s), 1);
    const HttpReply replay = complete(*m_server, alice, proof);
    QCOMPARE(replay.status, 400);
    QVERIFY2(replay.error().contains(u"used already"_s), replay.body.constData());
    QCOMPARE(tokenRequests(u"authorization_code"_s), 1);
}

void tst_SecOAuth::stateConsumedOnOneReplicaIsRefusedOnAnother()
{
    std::unique_ptr<TestServer> replica = replicaOf(*m_server);
    QVERIFY(replica);
    const Started alice = start(*m_server, m_aliceSession);
    const QList<QByteArray> proof{sessionCookie(m_aliceSession), alice.binding};
    QCOMPARE(complete(*m_server, alice, proof).status, 303);
    const HttpReply replay = complete(*replica, alice, proof);
    QCOMPARE(replay.status, 400);
    QVERIFY2(replay.error().contains(u"used already"_s), replay.body.constData());
    QCOMPARE(tokenRequests(u"authorization_code"_s), 1);
}

// The state is stored: a restart between start and callback loses nothing.
void tst_SecOAuth::stateSurvivesARestart()
{
    const Started alice = start(*m_server, m_aliceSession);
    std::unique_ptr<TestServer> restarted = replicaOf(*m_server);
    QVERIFY(restarted);
    m_server->kill();
    const QList<QByteArray> proof{sessionCookie(m_aliceSession), alice.binding};
    QCOMPARE(complete(*restarted, alice, proof).status, 303);
    QCOMPARE(complete(*restarted, alice, proof).status, 400); // and still once only
    m_server = std::move(restarted);
    QCOMPARE(binStatus(m_aliceSession), u"ready"_s);
}

// start-oauth for a managed subject is bound the same way: the managing user's browser only.
void tst_SecOAuth::managedSubjectStateIsBoundToItsBrowser()
{
    const HttpReply created = m_server->post(u"/api/v1/authorization/subjects"_s,
                                             R"({"id":"bot"})",
                                             cookies({sessionCookie(m_aliceSession)}));
    QCOMPARE(created.status, 201);
    const Started bot =
        start(*m_server,
              m_aliceSession,
              u"/api/v1/authorization/subjects/service_account:bot/auth/start-oauth"_s);
    QVERIFY(bot.callback.isValid());
    QCOMPARE(complete(*m_server, bot, {sessionCookie(m_bobSession)}).status, 403);
    QCOMPARE(complete(*m_server, bot, {sessionCookie(m_bobSession), bot.binding}).status, 403);
    QCOMPARE(tokenRequests(u"authorization_code"_s), 0);
    QCOMPARE(complete(*m_server, bot, {sessionCookie(m_aliceSession), bot.binding}).status, 303);
}

QString tst_SecOAuth::registerClient(TestServer &server)
{
    const HttpReply reply =
        server.post(u"/oauth/register"_s,
                    QJsonDocument(QJsonObject{{u"redirect_uris"_s, QJsonArray{kRedirect}}})
                        .toJson(QJsonDocument::Compact));
    return reply.status == 201 ? reply.json()[u"client_id"_s].toString() : QString();
}

QString tst_SecOAuth::codeFor(TestServer &server, const QString &clientId, const QString &session)
{
    const QByteArray query = encode({{u"response_type"_s, u"code"_s},
                                     {u"client_id"_s, clientId},
                                     {u"redirect_uri"_s, kRedirect},
                                     {u"code_challenge"_s, kChallenge},
                                     {u"code_challenge_method"_s, u"S256"_s},
                                     {u"state"_s, u"s"_s}});
    const HttpReply page = server.get(u"/oauth/authorize?"_s + QString::fromLatin1(query),
                                      cookies({sessionCookie(session)}));
    static const QRegularExpression field(
        u"<input type=\"hidden\" name=\"consent\" value=\"([^\"]*)\">"_s);
    const QRegularExpressionMatch ticket = field.match(QString::fromUtf8(page.body));
    if (page.status != 200 || !ticket.hasMatch()) {
        qWarning() << "no consent page" << page.status;
        return {};
    }
    TestServer::Headers headers = cookies({sessionCookie(session)});
    headers.append({"Content-Type"_ba, kFormType});
    const HttpReply decided =
        server.post(u"/oauth/authorize"_s,
                    encode({{u"consent"_s, ticket.captured(1)}, {u"decision"_s, u"approve"_s}}),
                    headers);
    return QUrlQuery(QUrl::fromEncoded(decided.header("location"))).queryItemValue(u"code"_s);
}

HttpReply tst_SecOAuth::token(TestServer &server, const QList<std::pair<QString, QString>> &params)
{
    return server.post(u"/oauth/token"_s, encode(params), {{"Content-Type"_ba, kFormType}});
}

HttpReply tst_SecOAuth::codeGrant(TestServer &server, const QString &clientId, const QString &code)
{
    return token(server,
                 {{u"grant_type"_s, u"authorization_code"_s},
                  {u"code"_s, code},
                  {u"redirect_uri"_s, kRedirect},
                  {u"code_verifier"_s, kVerifier},
                  {u"client_id"_s, clientId}});
}

HttpReply
tst_SecOAuth::refreshGrant(TestServer &server, const QString &clientId, const QString &refresh)
{
    return token(server,
                 {{u"grant_type"_s, u"refresh_token"_s},
                  {u"refresh_token"_s, refresh},
                  {u"client_id"_s, clientId}});
}

int tst_SecOAuth::mcpStatus(TestServer &server, const QString &accessToken)
{
    TestServer::Headers headers{{"Content-Type"_ba, "application/json"_ba},
                                {"Accept"_ba, "application/json, text/event-stream"_ba}};
    headers += TestServer::bearer(accessToken);
    return server
        .post(u"/mcp"_s, R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}})", headers)
        .status;
}

// An MCP client holds a token meant for /mcp; with it, the REST API (credentials, tokens, admin)
// stays closed.
void tst_SecOAuth::mcpAccessTokenIsRefusedByTheRestApi()
{
    const QString client = registerClient(*m_server);
    QVERIFY(!client.isEmpty());
    const HttpReply issued =
        codeGrant(*m_server, client, codeFor(*m_server, client, m_aliceSession));
    QCOMPARE(issued.status, 200);
    const QString access = issued.json()[u"access_token"_s].toString();
    QCOMPARE(mcpStatus(*m_server, access), 200);
    for (const QString &path :
         {u"/api/v1/apps"_s, u"/api/v1/tokens"_s, u"/api/v1/authorization/subjects"_s}) {
        const HttpReply reply = m_server->get(path, TestServer::bearer(access));
        QVERIFY2(reply.status == 401, qPrintable(path + u": "_s + QString::number(reply.status)));
        QCOMPARE(reply.error(), u"invalid token"_s);
    }
    const HttpReply minted =
        m_server->post(u"/api/v1/tokens"_s, R"({"name":"escape"})", TestServer::bearer(access));
    QCOMPARE(minted.status, 401);
    // Nor does it pass as a session cookie.
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, cookies({sessionCookie(access)})).status, 401);
    // A platform session still works on /mcp.
    QCOMPARE(mcpStatus(*m_server, m_aliceSession), 200);
}

void tst_SecOAuth::replayedRefreshTokenRevokesTheFamily()
{
    const QString client = registerClient(*m_server);
    const HttpReply first =
        codeGrant(*m_server, client, codeFor(*m_server, client, m_aliceSession));
    QCOMPARE(first.status, 200);
    const QString access1 = first.json()[u"access_token"_s].toString();
    const QString refresh1 = first.json()[u"refresh_token"_s].toString();
    const HttpReply second = refreshGrant(*m_server, client, refresh1);
    QCOMPARE(second.status, 200);
    const QString access2 = second.json()[u"access_token"_s].toString();
    const QString refresh2 = second.json()[u"refresh_token"_s].toString();
    QVERIFY(refresh2 != refresh1);
    QCOMPARE(mcpStatus(*m_server, access2), 200);

    // An attacker who stole refresh1 replays it.
    const HttpReply replay = refreshGrant(*m_server, client, refresh1);
    QCOMPARE(replay.status, 400);
    QCOMPARE(replay.json()[u"error"_s].toString(), u"invalid_grant"_s);
    QVERIFY2(replay.json()[u"error_description"_s].toString().contains(u"used already"_s),
             replay.body.constData());
    // The whole family is gone: the rotated refresh token and every access token of it.
    const HttpReply rotated = refreshGrant(*m_server, client, refresh2);
    QCOMPARE(rotated.status, 400);
    QCOMPARE(rotated.json()[u"error"_s].toString(), u"invalid_grant"_s);
    QCOMPARE(mcpStatus(*m_server, access2), 401);
    QCOMPARE(mcpStatus(*m_server, access1), 401);

    // Another authorization of the same user is another family and keeps working.
    const HttpReply other =
        codeGrant(*m_server, client, codeFor(*m_server, client, m_aliceSession));
    QCOMPARE(other.status, 200);
    QCOMPARE(mcpStatus(*m_server, other.json()[u"access_token"_s].toString()), 200);
    QCOMPARE(refreshGrant(*m_server, client, other.json()[u"refresh_token"_s].toString()).status,
             200);
}

void tst_SecOAuth::refreshTokenReplayedOnAnotherReplicaRevokesTheFamily()
{
    std::unique_ptr<TestServer> replica = replicaOf(*m_server);
    QVERIFY(replica);
    const QString client = registerClient(*m_server);
    const HttpReply first =
        codeGrant(*m_server, client, codeFor(*m_server, client, m_aliceSession));
    const QString refresh1 = first.json()[u"refresh_token"_s].toString();
    const HttpReply second = refreshGrant(*m_server, client, refresh1);
    QCOMPARE(second.status, 200);
    const HttpReply replay = refreshGrant(*replica, client, refresh1);
    QCOMPARE(replay.status, 400);
    QCOMPARE(replay.json()[u"error"_s].toString(), u"invalid_grant"_s);
    QCOMPARE(refreshGrant(*m_server, client, second.json()[u"refresh_token"_s].toString()).status,
             400);
    QCOMPARE(mcpStatus(*m_server, second.json()[u"access_token"_s].toString()), 401);
}

void tst_SecOAuth::codeUsedTwiceFailsAndRevokesItsTokens()
{
    const QString client = registerClient(*m_server);
    const QString code = codeFor(*m_server, client, m_aliceSession);
    const HttpReply first = codeGrant(*m_server, client, code);
    QCOMPARE(first.status, 200);
    const HttpReply second = codeGrant(*m_server, client, code);
    QCOMPARE(second.status, 400);
    QCOMPARE(second.json()[u"error"_s].toString(), u"invalid_grant"_s);
    // OAuth 2.1 §4.1.3: the tokens issued for a code that is presented again are revoked.
    QCOMPARE(mcpStatus(*m_server, first.json()[u"access_token"_s].toString()), 401);
    QCOMPARE(refreshGrant(*m_server, client, first.json()[u"refresh_token"_s].toString()).status,
             400);
}

void tst_SecOAuth::codeUsedOnOneReplicaFailsOnAnother()
{
    std::unique_ptr<TestServer> replica = replicaOf(*m_server);
    QVERIFY(replica);
    const QString client = registerClient(*m_server);
    const QString code = codeFor(*m_server, client, m_aliceSession);
    QCOMPARE(codeGrant(*m_server, client, code).status, 200);
    const HttpReply again = codeGrant(*replica, client, code);
    QCOMPARE(again.status, 400);
    QCOMPARE(again.json()[u"error"_s].toString(), u"invalid_grant"_s);
    // And the other way round, for a fresh code.
    const QString other = codeFor(*m_server, client, m_aliceSession);
    QCOMPARE(codeGrant(*replica, client, other).status, 200);
    QCOMPARE(codeGrant(*m_server, client, other).status, 400);
}

QTEST_GUILESS_MAIN(tst_SecOAuth)
#include "tst_sec_oauth.moc"
