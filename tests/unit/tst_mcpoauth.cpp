// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// gestaltd as OAuth 2.1 authorization server for MCP clients, over a real socket: metadata,
// dynamic registration, authorize (PKCE S256, login redirect, consent page and decision), code
// and refresh grants, client authentication, and blobs that must not open where they do not
// belong.
#include "crypto/Hash.h"
#include "crypto/Sealer.h"
#include "crypto/SecretKey.h"
#include "http/HttpServer.h"
#include "identity/LoginRoutes.h"
#include "identity/OAuthGrantRepository.h"
#include "identity/SessionTokens.h"
#include "identity/UserRepository.h"
#include "mcp/oauth/McpOAuthClients.h"
#include "mcp/oauth/McpOAuthConsent.h"
#include "mcp/oauth/McpOAuthRoutes.h"
#include "mcp/oauth/McpOAuthService.h"
#include "mcp/oauth/McpOAuthSupport.h"
#include "store/Database.h"
#include "support/RawHttpClient.h"
#include "support/TestDatabase.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using Gestalt::Test::RawResponse;
using Gestalt::Test::TestDatabase;

namespace {

using Params = QList<std::pair<QString, QString>>;

const QDateTime kStart = QDateTime::fromSecsSinceEpoch(1767225600, Qt::UTC);
// RFC 7636 appendix B.
const QString kVerifier = u"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"_s;
const QString kChallenge = u"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"_s;
const QString kApp = u"https://app.example/callback"_s;
const QString kLoopback = u"http://127.0.0.1:33418/cb"_s;
const QString kState = u"st+ate/1 &x"_s;
const QString kOmit = u"<omit>"_s;
const QByteArray kFormType = "application/x-www-form-urlencoded"_ba;
// The consent page's policy for its <style> element, allowed by hash (never 'unsafe-inline').
QByteArray consentPolicyFor(const QByteArray &style)
{
    return "default-src 'none'; style-src 'sha256-"_ba
           + QCryptographicHash::hash(style, QCryptographicHash::Sha256).toBase64()
           + "'; base-uri 'none'; frame-ancestors 'none'"_ba;
}

template<typename T>
QString why(const Result<T> &result)
{
    return result ? QString() : result.error().message;
}

QJsonObject jsonOf(const RawResponse &response)
{
    return QJsonDocument::fromJson(response.body).object();
}

QByteArray encode(const Params &params)
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

// params with name set to value (appended when missing), or removed when value is kOmit.
Params with(Params params, const QString &name, const QString &value)
{
    const auto it = std::find_if(
        params.begin(), params.end(), [&name](const auto &param) { return param.first == name; });
    if (value == kOmit) {
        if (it != params.end()) {
            params.erase(it);
        }
    } else if (it != params.end()) {
        it->second = value;
    } else {
        params.append({name, value});
    }
    return params;
}

QString locationOf(const RawResponse &response)
{
    return QString::fromUtf8(response.header("location"));
}

QUrlQuery queryOf(const RawResponse &response)
{
    return QUrlQuery(QUrl::fromEncoded(response.header("location")));
}

// The sealed ticket in a consent page's form, or empty.
QString ticketOf(const RawResponse &response)
{
    static const QRegularExpression field(
        u"<input type=\"hidden\" name=\"consent\" value=\"([^\"]*)\">"_s);
    const QRegularExpressionMatch match = field.match(QString::fromUtf8(response.body));
    return match.hasMatch() ? match.captured(1) : QString();
}

int headerCount(const RawResponse &response, const QByteArray &name)
{
    return int(std::count_if(
        response.headers.cbegin(), response.headers.cend(), [&name](const auto &header) {
            return header.first.compare(name, Qt::CaseInsensitive) == 0;
        }));
}

QByteArray cookie(const QString &sessionToken)
{
    return sessionToken.isEmpty()
               ? QByteArray()
               : QByteArray("Cookie: session_token=" + sessionToken.toUtf8() + "\r\n");
}

QString flipOneCharacter(QString blob)
{
    const qsizetype at = blob.size() / 2;
    blob[at] = blob.at(at) == u'A' ? u'B' : u'A';
    return blob;
}

} // namespace

class tst_McpOAuth final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void protectedResourceMetadata_data();
    void protectedResourceMetadata();
    void authorizationServerMetadata_data();
    void authorizationServerMetadata();
    void challengeNamesTheMetadata();
    void registerPublicClient();
    void registerConfidentialClient();
    void registerAcceptsRedirectUris_data();
    void registerAcceptsRedirectUris();
    void registerRejects_data();
    void registerRejects();
    void authorizeWithoutSessionGoesToLogin_data();
    void authorizeWithoutSessionGoesToLogin();
    void authorizeIssuesCode();
    void consentPageShowsTheRequest();
    void consentPageEscapes_data();
    void consentPageEscapes();
    void denyRedirectsAccessDenied();
    void decisionNeedsTheSameSession_data();
    void decisionNeedsTheSameSession();
    void decisionRejects_data();
    void decisionRejects();
    void consentExpiresAfterTenMinutes();
    void authorizeKeepsTheRedirectQuery();
    void authorizeErrorsRedirect_data();
    void authorizeErrorsRedirect();
    void authorizeRefusesToRedirect_data();
    void authorizeRefusesToRedirect();
    void codeExchangeIssuesSessionTokens();
    void codeIsGoodOnce();
    void refreshRotates();
    void codeOnlyClientGetsNoRefreshToken();
    void codeExchangeErrors_data();
    void codeExchangeErrors();
    void codeExpiresAfterFiveMinutes();
    void refreshExpiresAfterThirtyDays();
    void clientExpiresAfterAYear();
    void foreignBlobsAreRejected_data();
    void foreignBlobsAreRejected();
    void clientAuthentication_data();
    void clientAuthentication();
    void tokenNeedsAForm_data();
    void tokenNeedsAForm();
    void grantTypeErrors_data();
    void grantTypeErrors();
    void goneUserCannotRefresh();

private:
    [[nodiscard]] RawResponse send(const QByteArray &method,
                                   const QString &target,
                                   const QByteArray &headers = {},
                                   const QByteArray &body = {}) const;
    [[nodiscard]] RawResponse get(const QString &target, const QString &sessionToken = {}) const;
    [[nodiscard]] RawResponse postForm(const Params &params, const QByteArray &headers = {}) const;
    [[nodiscard]] QJsonObject registerClient(const QJsonObject &metadata) const;
    [[nodiscard]] QString session(const User &user) const { return m_sessions->issue(user); }
    [[nodiscard]] Params authorizeParams(const QString &clientId,
                                         const QString &redirectUri = kApp) const;
    [[nodiscard]] static QString authorizeTarget(const Params &params);
    // POST /oauth/authorize (the consent form) with this session cookie.
    [[nodiscard]] RawResponse decide(const QByteArray &body,
                                     const QString &sessionToken,
                                     const QByteArray &contentType = kFormType) const;
    [[nodiscard]] RawResponse
    decide(const QString &ticket, const QString &decision, const QString &sessionToken) const;
    // GET target with the session; when that shows the consent page, press `decision` on it and
    // answer the POST's response instead.
    [[nodiscard]] RawResponse authorizeAs(const QString &target,
                                          const QString &sessionToken,
                                          const QString &decision = u"approve"_s) const;
    // A code for m_user, or empty when authorize did not give one.
    [[nodiscard]] QString codeFor(const QString &clientId,
                                  const QString &redirectUri = kApp,
                                  const User *user = nullptr) const;
    [[nodiscard]] static Params codeGrant(const QString &clientId, const QString &code);

    QString m_base;
    QDateTime m_now = kStart;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<UserRepository> m_users;
    std::unique_ptr<OAuthGrantRepository> m_grants;
    std::unique_ptr<Crypto::Sealer> m_sealer;
    std::unique_ptr<SessionTokens> m_sessions;
    std::unique_ptr<McpOAuthService> m_service;
    std::unique_ptr<McpOAuthRoutes> m_routes;
    std::unique_ptr<HttpServer> m_server;
    quint16 m_port = 0;
    User m_user;
    QString m_public;    // none, redirect kApp
    QString m_two;       // none, redirects kApp and kLoopback
    QString m_codeOnly;  // none, grant_types [authorization_code]
    QJsonObject m_basic; // client_secret_basic
    QJsonObject m_post;  // client_secret_post
};

void tst_McpOAuth::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
    const Result<DatastoreSettings> settings = TestDatabase::create(u"sqlite"_s, *m_dir);
    QVERIFY2(settings, qPrintable(why(settings)));
    Result<std::unique_ptr<Database>> opened = Database::open(*settings);
    QVERIFY2(opened, qPrintable(why(opened)));
    m_database = std::move(opened).value();
    m_users = std::make_unique<UserRepository>(*m_database);
    const Result<User> user = m_users->findOrCreateByEmail(u"ada@example.com"_s, u"Ada"_s);
    QVERIFY2(user, qPrintable(why(user)));
    m_user = *user;

    const Crypto::SecretKey key = Crypto::SecretKey::fromBytes(QByteArray(32, 'k'));
    const Clock clock = [this] {
        return m_now;
    };
    m_sealer = std::make_unique<Crypto::Sealer>(key);
    m_sessions = std::make_unique<SessionTokens>(key, std::chrono::hours(1), false, clock);
    m_grants = std::make_unique<OAuthGrantRepository>(*m_database);
    m_service =
        std::make_unique<McpOAuthService>(*m_sealer, *m_sessions, *m_users, *m_grants, clock);
    m_routes = std::make_unique<McpOAuthRoutes>(
        *m_sealer, *m_service, [this] { return m_base; }, clock);
    m_server = std::make_unique<HttpServer>(HttpServerOptions{});
    m_routes->registerRoutes(m_server->router());
    const Result<quint16> port = m_server->listen(u"127.0.0.1"_s, 0);
    QVERIFY2(port, qPrintable(why(port)));
    m_port = *port;
    m_base = u"http://127.0.0.1:%1"_s.arg(m_port);

    m_public =
        registerClient({{u"redirect_uris"_s, QJsonArray{kApp}}}).value(u"client_id"_s).toString();
    m_two = registerClient({{u"redirect_uris"_s, QJsonArray{kApp, kLoopback}}})
                .value(u"client_id"_s)
                .toString();
    m_codeOnly = registerClient({{u"redirect_uris"_s, QJsonArray{kApp}},
                                 {u"grant_types"_s, QJsonArray{u"authorization_code"_s}}})
                     .value(u"client_id"_s)
                     .toString();
    m_basic = registerClient({{u"redirect_uris"_s, QJsonArray{kApp}},
                              {u"token_endpoint_auth_method"_s, u"client_secret_basic"_s}});
    m_post = registerClient({{u"redirect_uris"_s, QJsonArray{kApp}},
                             {u"token_endpoint_auth_method"_s, u"client_secret_post"_s}});
    for (const QString &id : {m_public,
                              m_two,
                              m_codeOnly,
                              m_basic.value(u"client_id"_s).toString(),
                              m_post.value(u"client_id"_s).toString()}) {
        QVERIFY(id.startsWith(u"gst_mcp_client_"_s));
    }
}

void tst_McpOAuth::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    m_now = kStart;
}

void tst_McpOAuth::cleanupTestCase()
{
    m_server.reset();
    m_routes.reset();
    m_service.reset();
    m_grants.reset();
    m_users.reset();
    m_database.reset();
}

RawResponse tst_McpOAuth::send(const QByteArray &method,
                               const QString &target,
                               const QByteArray &headers,
                               const QByteArray &body) const
{
    QByteArray bytes = method + ' ' + target.toUtf8()
                       + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers;
    if (method == "POST"_ba) {
        bytes += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    return Test::rawRequest(m_port, bytes + "\r\n" + body);
}

RawResponse tst_McpOAuth::get(const QString &target, const QString &sessionToken) const
{
    return send("GET"_ba, target, cookie(sessionToken));
}

RawResponse tst_McpOAuth::decide(const QByteArray &body,
                                 const QString &sessionToken,
                                 const QByteArray &contentType) const
{
    const QByteArray type =
        contentType.isEmpty() ? QByteArray() : QByteArray("Content-Type: " + contentType + "\r\n");
    return send("POST"_ba, u"/oauth/authorize"_s, type + cookie(sessionToken), body);
}

RawResponse tst_McpOAuth::decide(const QString &ticket,
                                 const QString &decision,
                                 const QString &sessionToken) const
{
    return decide(encode({{u"consent"_s, ticket}, {u"decision"_s, decision}}), sessionToken);
}

RawResponse tst_McpOAuth::authorizeAs(const QString &target,
                                      const QString &sessionToken,
                                      const QString &decision) const
{
    const RawResponse page = get(target, sessionToken);
    if (page.status != 200) {
        return page;
    }
    return decide(ticketOf(page), decision, sessionToken);
}

RawResponse tst_McpOAuth::postForm(const Params &params, const QByteArray &headers) const
{
    return send("POST"_ba,
                u"/oauth/token"_s,
                "Content-Type: application/x-www-form-urlencoded\r\n" + headers,
                encode(params));
}

QJsonObject tst_McpOAuth::registerClient(const QJsonObject &metadata) const
{
    const RawResponse response = send("POST"_ba,
                                      u"/oauth/register"_s,
                                      "Content-Type: application/json\r\n"_ba,
                                      QJsonDocument(metadata).toJson(QJsonDocument::Compact));
    return response.status == 201 ? jsonOf(response) : QJsonObject();
}

Params tst_McpOAuth::authorizeParams(const QString &clientId, const QString &redirectUri) const
{
    return {{u"response_type"_s, u"code"_s},
            {u"client_id"_s, clientId},
            {u"redirect_uri"_s, redirectUri},
            {u"code_challenge"_s, kChallenge},
            {u"code_challenge_method"_s, u"S256"_s},
            {u"state"_s, kState},
            {u"resource"_s, m_base + u"/mcp"_s},
            {u"scope"_s, u"mcp tools"_s}};
}

QString tst_McpOAuth::authorizeTarget(const Params &params)
{
    return u"/oauth/authorize?"_s + QString::fromLatin1(encode(params));
}

QString
tst_McpOAuth::codeFor(const QString &clientId, const QString &redirectUri, const User *user) const
{
    const RawResponse response = authorizeAs(
        authorizeTarget(authorizeParams(clientId, redirectUri)), session(user ? *user : m_user));
    return response.status == 302 ? queryOf(response).queryItemValue(u"code"_s) : QString();
}

Params tst_McpOAuth::codeGrant(const QString &clientId, const QString &code)
{
    return {{u"grant_type"_s, u"authorization_code"_s},
            {u"code"_s, code},
            {u"redirect_uri"_s, kApp},
            {u"code_verifier"_s, kVerifier},
            {u"client_id"_s, clientId}};
}

void tst_McpOAuth::protectedResourceMetadata_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("for /mcp") << u"/.well-known/oauth-protected-resource/mcp"_s;
    QTest::newRow("at the root") << u"/.well-known/oauth-protected-resource"_s;
}

void tst_McpOAuth::protectedResourceMetadata()
{
    QFETCH(QString, path);
    const RawResponse response = get(path);
    QCOMPARE(response.status, 200);
    const QJsonObject json = jsonOf(response);
    QCOMPARE(json.value(u"resource"_s).toString(), m_base + u"/mcp"_s);
    QCOMPARE(json.value(u"authorization_servers"_s).toArray(), QJsonArray{m_base});
    QCOMPARE(json.value(u"bearer_methods_supported"_s).toArray(), QJsonArray{u"header"_s});
}

void tst_McpOAuth::authorizationServerMetadata_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("root") << u"/.well-known/oauth-authorization-server"_s;
    QTest::newRow("for /mcp") << u"/.well-known/oauth-authorization-server/mcp"_s;
}

void tst_McpOAuth::authorizationServerMetadata()
{
    QFETCH(QString, path);
    const RawResponse response = get(path);
    QCOMPARE(response.status, 200);
    const QJsonObject json = jsonOf(response);
    QCOMPARE(json.value(u"issuer"_s).toString(), m_base);
    QCOMPARE(json.value(u"authorization_endpoint"_s).toString(), m_base + u"/oauth/authorize"_s);
    QCOMPARE(json.value(u"token_endpoint"_s).toString(), m_base + u"/oauth/token"_s);
    QCOMPARE(json.value(u"registration_endpoint"_s).toString(), m_base + u"/oauth/register"_s);
    QCOMPARE(json.value(u"response_types_supported"_s).toArray(), QJsonArray{u"code"_s});
    QCOMPARE(json.value(u"grant_types_supported"_s).toArray(),
             (QJsonArray{u"authorization_code"_s, u"refresh_token"_s}));
    QCOMPARE(json.value(u"code_challenge_methods_supported"_s).toArray(), QJsonArray{u"S256"_s});
    QCOMPARE(json.value(u"token_endpoint_auth_methods_supported"_s).toArray(),
             (QJsonArray{u"none"_s, u"client_secret_post"_s, u"client_secret_basic"_s}));
    QCOMPARE(json.value(u"authorization_response_iss_parameter_supported"_s), QJsonValue(true));
}

void tst_McpOAuth::challengeNamesTheMetadata()
{
    QCOMPARE(McpOAuthRoutes::challenge(u"https://gestalt.example"_s),
             "Bearer resource_metadata=\"https://gestalt.example/.well-known/"
             "oauth-protected-resource/mcp\""_ba);
}

void tst_McpOAuth::registerPublicClient()
{
    const RawResponse response = send(
        "POST"_ba,
        u"/oauth/register"_s,
        "Content-Type: application/json\r\n"_ba,
        R"({"redirect_uris":["http://127.0.0.1:5000/cb"],"client_name":"Claude","scope":"x"})"_ba);
    QCOMPARE(response.status, 201);
    QCOMPARE(response.header("cache-control"), "no-store"_ba);
    QCOMPARE(response.header("pragma"), "no-cache"_ba);
    const QJsonObject json = jsonOf(response);
    QVERIFY(json.value(u"client_id"_s).toString().startsWith(u"gst_mcp_client_"_s));
    QCOMPARE(json.value(u"client_id_issued_at"_s).toInteger(), kStart.toSecsSinceEpoch());
    QCOMPARE(json.value(u"redirect_uris"_s).toArray(), QJsonArray{u"http://127.0.0.1:5000/cb"_s});
    QCOMPARE(json.value(u"token_endpoint_auth_method"_s).toString(), u"none"_s);
    QCOMPARE(json.value(u"grant_types"_s).toArray(),
             (QJsonArray{u"authorization_code"_s, u"refresh_token"_s}));
    QCOMPARE(json.value(u"response_types"_s).toArray(), QJsonArray{u"code"_s});
    QCOMPARE(json.value(u"client_name"_s).toString(), u"Claude"_s);
    QVERIFY(!json.contains(u"client_secret"_s));
    QVERIFY(!json.contains(u"client_secret_expires_at"_s));
}

void tst_McpOAuth::registerConfidentialClient()
{
    for (const QJsonObject &client : {m_basic, m_post}) {
        QVERIFY(!client.value(u"client_secret"_s).toString().isEmpty());
        QCOMPARE(client.value(u"client_secret_expires_at"_s), QJsonValue(0));
    }
    QCOMPARE(m_basic.value(u"token_endpoint_auth_method"_s).toString(), u"client_secret_basic"_s);
    QCOMPARE(m_post.value(u"token_endpoint_auth_method"_s).toString(), u"client_secret_post"_s);
    QVERIFY(m_basic.value(u"client_secret"_s) != m_post.value(u"client_secret"_s));
}

void tst_McpOAuth::registerAcceptsRedirectUris_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("origin"); // as the consent page names it
    QTest::newRow("https") << u"https://app.example/oauth/callback"_s << u"https://app.example"_s;
    QTest::newRow("https with query")
        << u"https://app.example/cb?tenant=1"_s << u"https://app.example"_s;
    QTest::newRow("http 127.0.0.1 with port")
        << u"http://127.0.0.1:61234/callback"_s << u"http://127.0.0.1:61234"_s;
    QTest::newRow("http 127.0.0.1 without port")
        << u"http://127.0.0.1/callback"_s << u"http://127.0.0.1"_s;
    QTest::newRow("http [::1]") << u"http://[::1]:8080/cb"_s << u"http://[::1]:8080"_s;
    QTest::newRow("http localhost")
        << u"http://localhost:3000/oauth/callback"_s << u"http://localhost:3000"_s;
    QTest::newRow("reverse-domain scheme")
        << u"com.example.app:/oauth2redirect"_s << u"com.example.app:"_s;
    QTest::newRow("cursor") << u"cursor://anysphere.cursor-retrieval/oauth/callback"_s
                            << u"cursor://anysphere.cursor-retrieval"_s;
    QTest::newRow("vscode") << u"vscode://vscode.github-authentication/did-authenticate"_s
                            << u"vscode://vscode.github-authentication"_s;
}

void tst_McpOAuth::registerAcceptsRedirectUris()
{
    QFETCH(QString, uri);
    QFETCH(QString, origin);
    const QJsonObject client = registerClient({{u"redirect_uris"_s, QJsonArray{uri}}});
    QCOMPARE(client.value(u"redirect_uris"_s).toArray(), QJsonArray{uri});
    // ... the consent page names where the code goes ...
    const QString target =
        authorizeTarget(authorizeParams(client.value(u"client_id"_s).toString(), uri));
    QCOMPARE(McpOAuth::redirectOrigin(uri), origin);
    const RawResponse page = get(target, session(m_user));
    QCOMPARE(page.status, 200);
    QVERIFY(page.body.contains(
        QByteArray("<code>" + McpOAuth::htmlEscape(origin).toUtf8() + "</code>")));
    // ... and approving sends it there.
    const RawResponse response = authorizeAs(target, session(m_user));
    QCOMPARE(response.status, 302);
    QVERIFY(locationOf(response).startsWith(uri));
}

void tst_McpOAuth::registerRejects_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");
    const QString uri = u"invalid_redirect_uri"_s;
    const QString meta = u"invalid_client_metadata"_s;
    const auto uris = [](const QByteArray &list) -> QByteArray {
        return R"({"redirect_uris":)"_ba + list + '}';
    };
    QTest::newRow("no redirect_uris") << R"({"client_name":"x"})"_ba << uri;
    QTest::newRow("empty redirect_uris") << uris("[]"_ba) << uri;
    QTest::newRow("redirect_uris not an array") << uris(R"("https://a.example/cb")"_ba) << uri;
    QTest::newRow("redirect uri not a string") << uris("[42]"_ba) << uri;
    QTest::newRow("javascript:") << uris(R"x(["javascript:alert(1)"])x"_ba) << uri;
    QTest::newRow("data:") << uris(R"(["data:text/html,hi"])"_ba) << uri;
    QTest::newRow("file:") << uris(R"(["file:///etc/passwd"])"_ba) << uri;
    QTest::newRow("http off loopback") << uris(R"(["http://app.example/cb"])"_ba) << uri;
    QTest::newRow("http loopback look-alike")
        << uris(R"(["http://127.0.0.1.evil.example/cb"])"_ba) << uri;
    QTest::newRow("fragment") << uris(R"(["https://app.example/cb#frag"])"_ba) << uri;
    QTest::newRow("relative") << uris(R"(["/callback"])"_ba) << uri;
    QTest::newRow("space") << uris(R"(["https://app.example/a b"])"_ba) << uri;
    QTest::newRow("user info") << uris(R"(["https://user@app.example/cb"])"_ba) << uri;
    QTest::newRow("private scheme without a dot") << uris(R"(["myapp:/cb"])"_ba) << uri;
    QTest::newRow("one good one bad")
        << uris(R"(["https://app.example/cb","http://evil.example/cb"])"_ba) << uri;
    QByteArray eleven = "[";
    for (int i = 0; i < 11; ++i) {
        eleven +=
            QByteArray(i ? ",\"" : "\"") + "https://app.example/" + QByteArray::number(i) + '"';
    }
    QTest::newRow("eleven redirect uris") << uris(eleven + ']') << uri;
    QByteArray huge = "[";
    for (int i = 0; i < 10; ++i) {
        huge += QByteArray(i ? ",\"" : "\"") + "https://app.example/" + QByteArray(480, 'a')
                + QByteArray::number(i) + '"';
    }
    QTest::newRow("client id would be too large") << uris(huge + ']') << meta;
    const auto good = [](const QByteArray &rest) -> QByteArray {
        return R"({"redirect_uris":["https://app.example/cb"])"_ba + rest;
    };
    QTest::newRow("auth method private_key_jwt")
        << good(R"(,"token_endpoint_auth_method":"private_key_jwt"})"_ba) << meta;
    QTest::newRow("auth method not a string")
        << good(R"(,"token_endpoint_auth_method":1})"_ba) << meta;
    QTest::newRow("grant client_credentials")
        << good(R"(,"grant_types":["authorization_code","client_credentials"]})"_ba) << meta;
    QTest::newRow("grant implicit") << good(R"(,"grant_types":["implicit"]})"_ba) << meta;
    QTest::newRow("refresh grant alone") << good(R"(,"grant_types":["refresh_token"]})"_ba) << meta;
    QTest::newRow("grant_types empty") << good(R"(,"grant_types":[]})"_ba) << meta;
    QTest::newRow("response type token") << good(R"(,"response_types":["token"]})"_ba) << meta;
    QTest::newRow("client_name too long")
        << good(R"(,"client_name":")"_ba + QByteArray(201, 'n') + "\"}") << meta;
    QTest::newRow("client_name not a string") << good(R"(,"client_name":["x"]})"_ba) << meta;
    QTest::newRow("not JSON") << "redirect_uris=https://app.example/cb"_ba << meta;
    QTest::newRow("JSON array") << R"(["https://app.example/cb"])"_ba << meta;
    QTest::newRow("over 64 KiB") << good(R"(,"padding":")"_ba + QByteArray(65 * 1024, 'p') + "\"}")
                                 << meta;
}

void tst_McpOAuth::registerRejects()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    const RawResponse response =
        send("POST"_ba, u"/oauth/register"_s, "Content-Type: application/json\r\n"_ba, body);
    QCOMPARE(response.status, 400);
    QCOMPARE(response.header("cache-control"), "no-store"_ba);
    const QJsonObject json = jsonOf(response);
    QCOMPARE(json.value(u"error"_s).toString(), error);
    QVERIFY(!json.value(u"error_description"_s).toString().isEmpty());
    QVERIFY(!json.contains(u"client_id"_s));
}

void tst_McpOAuth::authorizeWithoutSessionGoesToLogin_data()
{
    QTest::addColumn<QString>("cookie");
    QTest::addColumn<qint64>("laterSeconds");
    QTest::newRow("no cookie") << QString() << qint64(0);
    QTest::newRow("garbage cookie") << u"not-a-jwt"_s << qint64(0);
    // Past the TTL (1 h) and the JWT leeway (60 s).
    QTest::newRow("expired session") << u"<session>"_s << qint64(3600 + 61);
}

void tst_McpOAuth::authorizeWithoutSessionGoesToLogin()
{
    QFETCH(QString, cookie);
    QFETCH(qint64, laterSeconds);
    if (cookie == u"<session>"_s) {
        cookie = session(m_user);
    }
    m_now = kStart.addSecs(laterSeconds);
    const RawResponse response = get(authorizeTarget(authorizeParams(m_public)), cookie);
    QCOMPARE(response.status, 302);
    const QByteArray location = response.header("location");
    const QByteArray loginPrefix = m_base.toUtf8() + "/api/v1/auth/login?next=";
    QVERIFY2(location.startsWith(loginPrefix), location.constData());
    const QString next = queryOf(response).queryItemValue(u"next"_s, QUrl::FullyDecoded);
    QVERIFY2(next.startsWith(u"/oauth/authorize?"_s), qPrintable(next));
    QVERIFY(LoginRoutes::isSafeNext(next, {}));
    QCOMPARE(QUrlQuery(QUrl(next)).queryItemValue(u"state"_s, QUrl::FullyDecoded), kState);

    // After login the callback redirects to next (as LoginRoutes does): the consent page comes
    // now, and approving it gives the code.
    m_now = kStart.addSecs(laterSeconds + 10);
    const QString nextTarget = QString::fromLatin1(QUrl(next).toEncoded());
    QCOMPARE(get(nextTarget, session(m_user)).status, 200);
    const RawResponse back = authorizeAs(nextTarget, session(m_user));
    QCOMPARE(back.status, 302);
    QVERIFY(locationOf(back).startsWith(kApp + u"?code=gst_mcp_code_"_s));
    QCOMPARE(queryOf(back).queryItemValue(u"state"_s, QUrl::FullyDecoded), kState);
}

void tst_McpOAuth::authorizeIssuesCode()
{
    // A GET never answers with a code, however signed in: it asks first.
    const RawResponse page = get(authorizeTarget(authorizeParams(m_public)), session(m_user));
    QCOMPARE(page.status, 200);
    QVERIFY(!page.hasHeader("location"));
    QVERIFY(!page.body.contains("gst_mcp_code_"));
    const QString ticket = ticketOf(page);
    QVERIFY(ticket.startsWith(u"gst_mcp_consent_"_s));

    const RawResponse response = decide(ticket, u"approve"_s, session(m_user));
    QCOMPARE(response.status, 302);
    QCOMPARE(response.header("cache-control"), "no-store"_ba);
    const QUrlQuery query = queryOf(response);
    QVERIFY(locationOf(response).startsWith(kApp + u'?'));
    QVERIFY(query.queryItemValue(u"code"_s).startsWith(u"gst_mcp_code_"_s));
    QCOMPARE(query.queryItemValue(u"state"_s, QUrl::FullyDecoded), kState);
    QCOMPARE(query.queryItemValue(u"iss"_s, QUrl::FullyDecoded), m_base);
    QVERIFY(!query.hasQueryItem(u"error"_s));

    // With exactly one redirect URI registered, authorize may leave it out (and so may token).
    const RawResponse implicit =
        authorizeAs(authorizeTarget(with(authorizeParams(m_public), u"redirect_uri"_s, kOmit)),
                    session(m_user));
    QCOMPARE(implicit.status, 302);
    QVERIFY(locationOf(implicit).startsWith(kApp + u"?code="_s));
    const QString code = queryOf(implicit).queryItemValue(u"code"_s);
    QCOMPARE(postForm(with(codeGrant(m_public, code), u"redirect_uri"_s, kOmit)).status, 200);
}

void tst_McpOAuth::consentPageShowsTheRequest()
{
    const RawResponse page =
        get(authorizeTarget(authorizeParams(m_two, kLoopback)), session(m_user));
    QCOMPARE(page.status, 200);
    QCOMPARE(page.header("content-type"), "text/html; charset=utf-8"_ba);
    QCOMPARE(page.header("cache-control"), "no-store"_ba);
    // Our own policy replaces the server's default, and the server's framing and sniffing
    // headers come once.
    QCOMPARE(headerCount(page, "content-security-policy"), 1);
    const qsizetype styleStart = page.body.indexOf("<style>") + 7;
    const QByteArray style = page.body.mid(styleStart, page.body.indexOf("</style>") - styleStart);
    QVERIFY(styleStart > 7 && !style.isEmpty());
    QCOMPARE(page.header("content-security-policy"), consentPolicyFor(style));
    QCOMPARE(headerCount(page, "x-frame-options"), 1);
    QCOMPARE(page.header("x-frame-options"), "DENY"_ba);
    QCOMPARE(page.header("x-content-type-options"), "nosniff"_ba);

    const QString html = QString::fromUtf8(page.body);
    QVERIFY(html.startsWith(u"<!DOCTYPE html>"_s));
    QVERIFY(html.contains(u"<meta charset=\"utf-8\">"_s));
    QVERIFY(html.contains(u"<strong>An MCP client</strong>"_s)); // registered without a name
    QVERIFY(html.contains(u"<code>http://127.0.0.1:33418</code>"_s));
    QVERIFY(html.contains(u"Signed in as ada@example.com"_s));
    // The form the e2e browser emulation submits.
    QVERIFY(html.contains(u"<form method=\"post\" action=\""_s + m_base + u"/oauth/authorize\" "_s
                          + u"enctype=\"application/x-www-form-urlencoded\">"_s));
    QVERIFY(html.contains(u"<button type=\"submit\" name=\"decision\" value=\"deny\">"_s));
    QVERIFY(html.contains(
        u"<button type=\"submit\" class=\"approve\" name=\"decision\" value=\"approve\">"_s));
    // Nothing the browser would fetch, no script, nothing of the request but its ticket.
    for (const QString &absent :
         {u"<script"_s, u"src="_s, u"href="_s, u"<link"_s, kChallenge, u"gst_mcp_client_"_s}) {
        QVERIFY2(!html.contains(absent), qPrintable(absent));
    }
    // The ticket carries the request: approving sends the code to the redirect URI asked for.
    const RawResponse response = decide(ticketOf(page), u"approve"_s, session(m_user));
    QCOMPARE(response.status, 302);
    QVERIFY(locationOf(response).startsWith(kLoopback + u"?code=gst_mcp_code_"_s));
    const QString code = queryOf(response).queryItemValue(u"code"_s);
    const RawResponse token = postForm(with(codeGrant(m_two, code), u"redirect_uri"_s, kLoopback));
    QCOMPARE(token.status, 200);
    QCOMPARE(jsonOf(token).value(u"scope"_s).toString(), u"mcp tools"_s);
}

void tst_McpOAuth::consentPageEscapes_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("shown");
    QTest::newRow("script") << u"<script>alert(\"x\")</script>"_s
                            << u"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"_s;
    QTest::newRow("attribute breakout")
        << u"x\" onmouseover='y' a=\""_s << u"x&quot; onmouseover=&#39;y&#39; a=&quot;"_s;
    QTest::newRow("ampersand") << u"Tom & Jerry"_s << u"Tom &amp; Jerry"_s;
    QTest::newRow("non-ASCII") << u"Клиент ✓"_s << u"Клиент ✓"_s;
}

void tst_McpOAuth::consentPageEscapes()
{
    QFETCH(QString, name);
    QFETCH(QString, shown);
    const QString client =
        registerClient({{u"redirect_uris"_s, QJsonArray{kApp}}, {u"client_name"_s, name}})
            .value(u"client_id"_s)
            .toString();
    QVERIFY(!client.isEmpty());
    const RawResponse page = get(authorizeTarget(authorizeParams(client)), session(m_user));
    QCOMPARE(page.status, 200);
    const QString html = QString::fromUtf8(page.body);
    QVERIFY2(html.contains(u"<strong>"_s + shown + u"</strong>"_s), qPrintable(html));
    QVERIFY(!html.contains(u"<script"_s));
    QVERIFY(!html.contains(u"onmouseover='"_s));
    QVERIFY(!ticketOf(page).isEmpty());
}

void tst_McpOAuth::denyRedirectsAccessDenied()
{
    const RawResponse response =
        authorizeAs(authorizeTarget(authorizeParams(m_public)), session(m_user), u"deny"_s);
    QCOMPARE(response.status, 302);
    QCOMPARE(response.header("cache-control"), "no-store"_ba);
    QVERIFY(locationOf(response).startsWith(kApp + u"?error=access_denied&"_s));
    const QUrlQuery query = queryOf(response);
    QCOMPARE(query.queryItemValue(u"error"_s), u"access_denied"_s);
    QCOMPARE(query.queryItemValue(u"state"_s, QUrl::FullyDecoded), kState);
    QCOMPARE(query.queryItemValue(u"iss"_s, QUrl::FullyDecoded), m_base);
    QVERIFY(!query.hasQueryItem(u"code"_s));

    // Without a state there is none to return.
    const RawResponse stateless =
        authorizeAs(authorizeTarget(with(authorizeParams(m_public), u"state"_s, kOmit)),
                    session(m_user),
                    u"deny"_s);
    QCOMPARE(stateless.status, 302);
    QVERIFY(!queryOf(stateless).hasQueryItem(u"state"_s));
    QCOMPARE(queryOf(stateless).queryItemValue(u"error"_s), u"access_denied"_s);
}

void tst_McpOAuth::decisionNeedsTheSameSession_data()
{
    QTest::addColumn<QString>("cookie");
    QTest::addColumn<bool>("accepted");
    // A cross-site form POST carries no SameSite=Lax cookie.
    QTest::newRow("no cookie") << QString() << false;
    QTest::newRow("garbage cookie") << u"not-a-jwt"_s << false;
    QTest::newRow("another user's session") << u"<other>"_s << false;
    // The page's session expires (1 h + 60 s leeway) while the ticket has not (10 minutes).
    QTest::newRow("expired session") << u"<stale>"_s << false;
    QTest::newRow("same session (control)") << u"<same>"_s << true;
}

void tst_McpOAuth::decisionNeedsTheSameSession()
{
    QFETCH(QString, cookie);
    QFETCH(bool, accepted);
    const RawResponse page = get(authorizeTarget(authorizeParams(m_public)), session(m_user));
    QCOMPARE(page.status, 200);
    const QString ticket = ticketOf(page);
    if (cookie == u"<other>"_s) {
        const Result<User> eve = m_users->findOrCreateByEmail(u"eve@example.com"_s);
        QVERIFY2(eve, qPrintable(why(eve)));
        cookie = session(*eve);
    } else if (cookie == u"<stale>"_s) {
        m_now = kStart.addSecs(-3600 - 61);
        cookie = session(m_user);
        m_now = kStart;
    } else if (cookie == u"<same>"_s) {
        cookie = session(m_user);
    }
    for (const QString &decision : {u"approve"_s, u"deny"_s}) {
        const RawResponse response = decide(ticket, decision, cookie);
        if (accepted) {
            QCOMPARE(response.status, 302);
            continue;
        }
        QCOMPARE(response.status, 400);
        QVERIFY(!response.hasHeader("location"));
        QCOMPARE(response.header("cache-control"), "no-store"_ba);
        QCOMPARE(jsonOf(response).value(u"error"_s).toString(), u"invalid_request"_s);
    }
}

void tst_McpOAuth::decisionRejects_data()
{
    QTest::addColumn<QString>("ticket");
    QTest::addColumn<QString>("decision");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<bool>("accepted");
    const QByteArray form = kFormType;
    QTest::newRow("well-formed ticket (control)") << u"<sealed>"_s << u"approve"_s << form << true;
    QTest::newRow("form with charset")
        << u"<page>"_s << u"approve"_s << "application/x-www-form-urlencoded; charset=UTF-8"_ba
        << true;
    QTest::newRow("tampered ticket") << u"<tampered>"_s << u"approve"_s << form << false;
    QTest::newRow("tampered ticket, deny") << u"<tampered>"_s << u"deny"_s << form << false;
    QTest::newRow("no ticket") << kOmit << u"approve"_s << form << false;
    QTest::newRow("empty ticket") << QString() << u"approve"_s << form << false;
    QTest::newRow("garbage") << u"gst_mcp_consent_!!!"_s << u"approve"_s << form << false;
    QTest::newRow("a code as ticket") << u"<code>"_s << u"approve"_s << form << false;
    QTest::newRow("a client id as ticket") << u"<client>"_s << u"approve"_s << form << false;
    QTest::newRow("sealed as a code") << u"<code ad>"_s << u"approve"_s << form << false;
    QTest::newRow("sealed under another key") << u"<other key>"_s << u"approve"_s << form << false;
    QTest::newRow("no decision") << u"<page>"_s << kOmit << form << false;
    QTest::newRow("decision yes") << u"<page>"_s << u"yes"_s << form << false;
    QTest::newRow("decision Approve") << u"<page>"_s << u"Approve"_s << form << false;
    QTest::newRow("repeated decision") << u"<page>"_s << u"<repeat>"_s << form << false;
    QTest::newRow("JSON content type")
        << u"<page>"_s << u"approve"_s << "application/json"_ba << false;
    QTest::newRow("text/plain") << u"<page>"_s << u"approve"_s << "text/plain"_ba << false;
    QTest::newRow("multipart") << u"<page>"_s << u"approve"_s
                               << "multipart/form-data; boundary=x"_ba << false;
    QTest::newRow("no content type") << u"<page>"_s << u"approve"_s << QByteArray() << false;
}

void tst_McpOAuth::decisionRejects()
{
    QFETCH(QString, ticket);
    QFETCH(QString, decision);
    QFETCH(QByteArray, contentType);
    QFETCH(bool, accepted);
    const QJsonObject claims{{u"v"_s, 1},
                             {u"c"_s, McpOAuth::clientDigest(m_public)},
                             {u"r"_s, kApp},
                             {u"re"_s, true},
                             {u"ch"_s, kChallenge},
                             {u"u"_s, m_user.id},
                             {u"exp"_s, kStart.toSecsSinceEpoch() + 600}};
    const QString prefix = u"gst_mcp_consent_"_s;
    const Crypto::Sealer otherSealer(Crypto::SecretKey::fromBytes(QByteArray(32, 'o')));
    const QString page = ticketOf(get(authorizeTarget(authorizeParams(m_public)), session(m_user)));
    QVERIFY(!page.isEmpty());
    if (ticket == u"<page>"_s) {
        ticket = page;
    } else if (ticket == u"<sealed>"_s) {
        ticket = McpOAuth::sealBlob(*m_sealer, prefix, "gestalt.mcp.consent"_ba, claims);
    } else if (ticket == u"<tampered>"_s) {
        ticket = flipOneCharacter(page);
    } else if (ticket == u"<code>"_s) {
        ticket = codeFor(m_public);
    } else if (ticket == u"<client>"_s) {
        ticket = m_public;
    } else if (ticket == u"<code ad>"_s) {
        ticket = McpOAuth::sealBlob(*m_sealer, prefix, "gestalt.mcp.code"_ba, claims);
    } else if (ticket == u"<other key>"_s) {
        ticket = McpOAuth::sealBlob(otherSealer, prefix, "gestalt.mcp.consent"_ba, claims);
    }
    Params form = with({{u"consent"_s, ticket}},
                       u"decision"_s,
                       decision == u"<repeat>"_s ? u"approve"_s : decision);
    if (decision == u"<repeat>"_s) {
        form.append({u"decision"_s, u"deny"_s});
    }
    const RawResponse response =
        decide(encode(ticket == kOmit ? with(form, u"consent"_s, kOmit) : form),
               session(m_user),
               contentType);
    if (accepted) {
        QCOMPARE(response.status, 302);
        QVERIFY(locationOf(response).startsWith(kApp + u"?code=gst_mcp_code_"_s));
        return;
    }
    QCOMPARE(response.status, 400);
    QVERIFY(!response.hasHeader("location"));
    QCOMPARE(response.header("cache-control"), "no-store"_ba);
    const QJsonObject json = jsonOf(response);
    QCOMPARE(json.value(u"error"_s).toString(), u"invalid_request"_s);
    QVERIFY(!json.value(u"error_description"_s).toString().isEmpty());
}

void tst_McpOAuth::consentExpiresAfterTenMinutes()
{
    const QString target = authorizeTarget(authorizeParams(m_public));
    const QString fresh = ticketOf(get(target, session(m_user)));
    const QString stale = ticketOf(get(target, session(m_user)));
    QVERIFY(!fresh.isEmpty() && !stale.isEmpty());
    m_now = kStart.addSecs(599);
    const RawResponse approved = decide(fresh, u"approve"_s, session(m_user));
    QCOMPARE(approved.status, 302);
    // The code lives five minutes from the approval, not from the page.
    const Params grant = codeGrant(m_public, queryOf(approved).queryItemValue(u"code"_s));
    m_now = kStart.addSecs(600);
    for (const QString &decision : {u"approve"_s, u"deny"_s}) {
        const RawResponse response = decide(stale, decision, session(m_user));
        QCOMPARE(response.status, 400);
        QVERIFY(!response.hasHeader("location"));
        QCOMPARE(jsonOf(response).value(u"error"_s).toString(), u"invalid_request"_s);
    }
    m_now = kStart.addSecs(599 + 299);
    QCOMPARE(postForm(grant).status, 200);
}

void tst_McpOAuth::authorizeKeepsTheRedirectQuery()
{
    const QString uri = u"https://app.example/cb?tenant=1"_s;
    const QString client =
        registerClient({{u"redirect_uris"_s, QJsonArray{uri}}}).value(u"client_id"_s).toString();
    const RawResponse response =
        authorizeAs(authorizeTarget(authorizeParams(client, uri)), session(m_user));
    QCOMPARE(response.status, 302);
    QVERIFY(locationOf(response).startsWith(uri + u"&code=gst_mcp_code_"_s));
    QCOMPARE(queryOf(response).queryItemValue(u"tenant"_s), u"1"_s);
}

void tst_McpOAuth::authorizeErrorsRedirect_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("error");
    const QString invalid = u"invalid_request"_s;
    QTest::newRow("plain method") << u"code_challenge_method"_s << u"plain"_s << invalid;
    QTest::newRow("no method") << u"code_challenge_method"_s << kOmit << invalid;
    QTest::newRow("no challenge") << u"code_challenge"_s << kOmit << invalid;
    QTest::newRow("short challenge") << u"code_challenge"_s << u"abc"_s << invalid;
    QTest::newRow("challenge not base64url")
        << u"code_challenge"_s << u"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"_s << invalid;
    QTest::newRow("no response_type") << u"response_type"_s << kOmit << invalid;
    QTest::newRow("response_type token")
        << u"response_type"_s << u"token"_s << u"unsupported_response_type"_s;
    QTest::newRow("foreign resource")
        << u"resource"_s << u"https://other.example/mcp"_s << u"invalid_target"_s;
}

void tst_McpOAuth::authorizeErrorsRedirect()
{
    QFETCH(QString, name);
    QFETCH(QString, value);
    QFETCH(QString, error);
    for (const QString &cookie : {session(m_user), QString()}) {
        const RawResponse response =
            get(authorizeTarget(with(authorizeParams(m_public), name, value)), cookie);
        QCOMPARE(response.status, 302);
        QVERIFY(locationOf(response).startsWith(kApp + u"?error="_s));
        const QUrlQuery query = queryOf(response);
        QCOMPARE(query.queryItemValue(u"error"_s), error);
        QVERIFY(!query.queryItemValue(u"error_description"_s).isEmpty());
        QCOMPARE(query.queryItemValue(u"state"_s, QUrl::FullyDecoded), kState);
        QCOMPARE(query.queryItemValue(u"iss"_s, QUrl::FullyDecoded), m_base);
        QVERIFY(!query.hasQueryItem(u"code"_s));
    }
}

void tst_McpOAuth::authorizeRefusesToRedirect_data()
{
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("redirectUri");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown client") << u"gst_mcp_client_nope"_s << kApp << u"invalid_client"_s;
    QTest::newRow("tampered client") << u"<tampered>"_s << kApp << u"invalid_client"_s;
    QTest::newRow("a code as client") << u"<code>"_s << kApp << u"invalid_client"_s;
    QTest::newRow("no client_id") << kOmit << kApp << u"invalid_client"_s;
    QTest::newRow("unregistered redirect_uri")
        << u"<public>"_s << u"https://evil.example/callback"_s << u"invalid_request"_s;
    QTest::newRow("redirect_uri with a trailing slash")
        << u"<public>"_s << kApp + u'/' << u"invalid_request"_s;
    QTest::newRow("redirect_uri left out with two registered")
        << u"<two>"_s << kOmit << u"invalid_request"_s;
}

void tst_McpOAuth::authorizeRefusesToRedirect()
{
    QFETCH(QString, client);
    QFETCH(QString, redirectUri);
    QFETCH(QString, error);
    if (client == u"<public>"_s) {
        client = m_public;
    } else if (client == u"<two>"_s) {
        client = m_two;
    } else if (client == u"<tampered>"_s) {
        client = flipOneCharacter(m_public);
    } else if (client == u"<code>"_s) {
        client = codeFor(m_public);
    }
    const Params params =
        with(with(authorizeParams(client), u"redirect_uri"_s, redirectUri), u"client_id"_s, client);
    const RawResponse response = get(authorizeTarget(params), session(m_user));
    QCOMPARE(response.status, 400);
    QVERIFY(!response.hasHeader("location"));
    QCOMPARE(jsonOf(response).value(u"error"_s).toString(), error);
}

void tst_McpOAuth::codeExchangeIssuesSessionTokens()
{
    const RawResponse response = postForm(codeGrant(m_public, codeFor(m_public)));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("cache-control"), "no-store"_ba);
    QCOMPARE(response.header("pragma"), "no-cache"_ba);
    const QJsonObject json = jsonOf(response);
    QCOMPARE(json.value(u"token_type"_s).toString(), u"Bearer"_s);
    QCOMPARE(json.value(u"expires_in"_s).toInteger(), qint64(3600));
    QCOMPARE(json.value(u"scope"_s).toString(), u"mcp tools"_s);
    QVERIFY(json.value(u"refresh_token"_s).toString().startsWith(u"gst_mcp_refresh_"_s));
    // An MCP access token: good for /mcp, not a platform session.
    const QString access = json.value(u"access_token"_s).toString();
    QVERIFY(!m_sessions->validate(access));
    const Result<SessionTokens::McpAccess> principal = m_sessions->validateMcpAccess(access);
    QVERIFY2(principal, qPrintable(why(principal)));
    QCOMPARE(principal->principal.userId, m_user.id);
    QCOMPARE(principal->principal.email, m_user.email);
    QVERIFY(!principal->family.isEmpty());

    // The resource parameter may come again at the token endpoint.
    const Params again =
        with(codeGrant(m_public, codeFor(m_public)), u"resource"_s, m_base + u"/mcp"_s);
    QCOMPARE(postForm(again).status, 200);
}

void tst_McpOAuth::codeIsGoodOnce()
{
    const Params grant = codeGrant(m_public, codeFor(m_public));
    QCOMPARE(postForm(grant).status, 200);
    const RawResponse replay = postForm(grant);
    QCOMPARE(replay.status, 400);
    QCOMPARE(jsonOf(replay).value(u"error"_s).toString(), u"invalid_grant"_s);
}

void tst_McpOAuth::refreshRotates()
{
    const QJsonObject first = jsonOf(postForm(codeGrant(m_public, codeFor(m_public))));
    const QString refresh = first.value(u"refresh_token"_s).toString();
    QVERIFY(!refresh.isEmpty());
    m_now = kStart.addDays(2);
    const Params grant{{u"grant_type"_s, u"refresh_token"_s},
                       {u"refresh_token"_s, refresh},
                       {u"client_id"_s, m_public}};
    const RawResponse response = postForm(grant);
    QCOMPARE(response.status, 200);
    const QJsonObject second = jsonOf(response);
    const QString rotated = second.value(u"refresh_token"_s).toString();
    QVERIFY(rotated.startsWith(u"gst_mcp_refresh_"_s));
    QVERIFY(rotated != refresh);
    QCOMPARE(second.value(u"scope"_s).toString(), u"mcp tools"_s);
    const Result<SessionTokens::McpAccess> principal =
        m_sessions->validateMcpAccess(second.value(u"access_token"_s).toString());
    QVERIFY2(principal, qPrintable(why(principal)));
    QCOMPARE(principal->principal.userId, m_user.id);
    QCOMPARE(postForm(with(grant, u"refresh_token"_s, rotated)).status, 200);

    // A refresh token belongs to its client.
    const RawResponse other = postForm(with(grant, u"client_id"_s, m_two));
    QCOMPARE(other.status, 400);
    QCOMPARE(jsonOf(other).value(u"error"_s).toString(), u"invalid_grant"_s);
}

void tst_McpOAuth::codeOnlyClientGetsNoRefreshToken()
{
    const RawResponse response = postForm(codeGrant(m_codeOnly, codeFor(m_codeOnly)));
    QCOMPARE(response.status, 200);
    QVERIFY(!jsonOf(response).contains(u"refresh_token"_s));
    const QString refresh = jsonOf(postForm(codeGrant(m_public, codeFor(m_public))))
                                .value(u"refresh_token"_s)
                                .toString();
    const RawResponse refused = postForm({{u"grant_type"_s, u"refresh_token"_s},
                                          {u"refresh_token"_s, refresh},
                                          {u"client_id"_s, m_codeOnly}});
    QCOMPARE(refused.status, 400);
    QCOMPARE(jsonOf(refused).value(u"error"_s).toString(), u"unauthorized_client"_s);
}

void tst_McpOAuth::codeExchangeErrors_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("error");
    const QString grant = u"invalid_grant"_s;
    QTest::newRow("wrong verifier")
        << u"code_verifier"_s << u"wrong-verifier-0123456789-0123456789-0123456789"_s << grant;
    QTest::newRow("verifier too short") << u"code_verifier"_s << u"short"_s << grant;
    QTest::newRow("challenge sent as verifier") << u"code_verifier"_s << kChallenge << grant;
    QTest::newRow("no verifier") << u"code_verifier"_s << kOmit << u"invalid_request"_s;
    QTest::newRow("no code") << u"code"_s << kOmit << u"invalid_request"_s;
    QTest::newRow("other registered redirect_uri") << u"redirect_uri"_s << kLoopback << grant;
    QTest::newRow("redirect_uri left out") << u"redirect_uri"_s << kOmit << grant;
    QTest::newRow("another client") << u"client_id"_s << u"<two>"_s << grant;
    QTest::newRow("foreign resource")
        << u"resource"_s << u"https://other.example/mcp"_s << u"invalid_target"_s;
}

void tst_McpOAuth::codeExchangeErrors()
{
    QFETCH(QString, name);
    QFETCH(QString, value);
    QFETCH(QString, error);
    if (value == u"<two>"_s) {
        value = m_two;
    }
    const Params grant = codeGrant(m_public, codeFor(m_public));
    const RawResponse response = postForm(with(grant, name, value));
    QCOMPARE(response.status, 400);
    QCOMPARE(response.header("cache-control"), "no-store"_ba);
    const QJsonObject json = jsonOf(response);
    QCOMPARE(json.value(u"error"_s).toString(), error);
    QVERIFY(!json.value(u"error_description"_s).toString().isEmpty());
    // A failed attempt does not use the code up.
    QCOMPARE(postForm(grant).status, 200);
}

void tst_McpOAuth::codeExpiresAfterFiveMinutes()
{
    const Params fresh = codeGrant(m_public, codeFor(m_public));
    const Params stale = codeGrant(m_public, codeFor(m_public));
    m_now = kStart.addSecs(299);
    QCOMPARE(postForm(fresh).status, 200);
    m_now = kStart.addSecs(300);
    const RawResponse response = postForm(stale);
    QCOMPARE(response.status, 400);
    QCOMPARE(jsonOf(response).value(u"error"_s).toString(), u"invalid_grant"_s);
}

void tst_McpOAuth::refreshExpiresAfterThirtyDays()
{
    const QString refresh = jsonOf(postForm(codeGrant(m_public, codeFor(m_public))))
                                .value(u"refresh_token"_s)
                                .toString();
    const Params grant{{u"grant_type"_s, u"refresh_token"_s},
                       {u"refresh_token"_s, refresh},
                       {u"client_id"_s, m_public}};
    m_now = kStart.addDays(29);
    QCOMPARE(postForm(grant).status, 200);
    m_now = kStart.addDays(30);
    const RawResponse response = postForm(grant);
    QCOMPARE(response.status, 400);
    QCOMPARE(jsonOf(response).value(u"error"_s).toString(), u"invalid_grant"_s);
}

void tst_McpOAuth::clientExpiresAfterAYear()
{
    const Params grant = codeGrant(m_public, codeFor(m_public));
    m_now = kStart.addDays(365);
    const RawResponse authorize = get(authorizeTarget(authorizeParams(m_public)), session(m_user));
    QCOMPARE(authorize.status, 400);
    QCOMPARE(jsonOf(authorize).value(u"error"_s).toString(), u"invalid_client"_s);
    const RawResponse token = postForm(grant);
    QCOMPARE(token.status, 401);
    QCOMPARE(jsonOf(token).value(u"error"_s).toString(), u"invalid_client"_s);
}

void tst_McpOAuth::foreignBlobsAreRejected_data()
{
    QTest::addColumn<QString>("grantType");
    QTest::addColumn<QString>("blob");
    QTest::addColumn<QString>("error");
    const QString code = u"authorization_code"_s;
    const QString refresh = u"refresh_token"_s;
    const QString grant = u"invalid_grant"_s;
    QTest::newRow("well-formed code (control)") << code << u"<code>"_s << QString();
    QTest::newRow("code as refresh token") << refresh << u"<code>"_s << grant;
    QTest::newRow("refresh token as code") << code << u"<refresh>"_s << grant;
    QTest::newRow("client id as code") << code << u"<client>"_s << grant;
    QTest::newRow("client id as refresh token") << refresh << u"<client>"_s << grant;
    QTest::newRow("tampered code") << code << u"<tampered>"_s << grant;
    QTest::newRow("code sealed under another key") << code << u"<other key>"_s << grant;
    QTest::newRow("code sealed as refresh") << code << u"<refresh ad>"_s << grant;
    QTest::newRow("garbage") << code << u"gst_mcp_code_!!!"_s << grant;
}

void tst_McpOAuth::foreignBlobsAreRejected()
{
    QFETCH(QString, grantType);
    QFETCH(QString, blob);
    QFETCH(QString, error);
    const QJsonObject claims{{u"v"_s, 1},
                             {u"c"_s, McpOAuth::clientDigest(m_public)},
                             {u"r"_s, kApp},
                             {u"re"_s, true},
                             {u"ch"_s, kChallenge},
                             {u"u"_s, m_user.id},
                             {u"j"_s, blob},
                             {u"exp"_s, kStart.toSecsSinceEpoch() + 300}};
    const Crypto::Sealer otherSealer(Crypto::SecretKey::fromBytes(QByteArray(32, 'o')));
    const QString codePrefix = u"gst_mcp_code_"_s;
    if (blob == u"<code>"_s) {
        // A code is good only with its row in oauth_grants, as issueCode() stores it.
        OAuthGrant row;
        row.hash = Crypto::sha256Hex(blob.toUtf8());
        row.kind = OAuthGrant::McpCode.toString();
        row.subjectId = m_user.id;
        row.familyId = u"control-family"_s;
        row.expiresAt = kStart.addSecs(300);
        if (error.isEmpty()) {
            const Result<void> stored = m_grants->insert(row, m_now);
            QVERIFY2(stored, qPrintable(why(stored)));
        }
        blob = McpOAuth::sealBlob(*m_sealer, codePrefix, "gestalt.mcp.code"_ba, claims);
    } else if (blob == u"<refresh>"_s) {
        blob = jsonOf(postForm(codeGrant(m_public, codeFor(m_public))))
                   .value(u"refresh_token"_s)
                   .toString();
    } else if (blob == u"<client>"_s) {
        blob = m_public;
    } else if (blob == u"<tampered>"_s) {
        blob = flipOneCharacter(codeFor(m_public));
    } else if (blob == u"<other key>"_s) {
        blob = McpOAuth::sealBlob(otherSealer, codePrefix, "gestalt.mcp.code"_ba, claims);
    } else if (blob == u"<refresh ad>"_s) {
        blob = McpOAuth::sealBlob(*m_sealer, codePrefix, "gestalt.mcp.refresh"_ba, claims);
    }
    const Params grant = grantType == u"refresh_token"_s
                             ? Params{{u"grant_type"_s, grantType},
                                      {u"refresh_token"_s, blob},
                                      {u"client_id"_s, m_public}}
                             : with(codeGrant(m_public, QString()), u"code"_s, blob);
    const RawResponse response = postForm(grant);
    if (error.isEmpty()) {
        QCOMPARE(response.status, 200);
        return;
    }
    QCOMPARE(response.status, 400);
    QCOMPARE(jsonOf(response).value(u"error"_s).toString(), error);
}

void tst_McpOAuth::clientAuthentication_data()
{
    QTest::addColumn<QString>("client");    // basic | post | public
    QTest::addColumn<QString>("presentAs"); // basic | post | none
    QTest::addColumn<bool>("rightSecret");
    QTest::addColumn<int>("status");
    QTest::newRow("basic client, Basic header") << u"basic"_s << u"basic"_s << true << 200;
    QTest::newRow("basic client, wrong secret") << u"basic"_s << u"basic"_s << false << 401;
    QTest::newRow("basic client, secret posted") << u"basic"_s << u"post"_s << true << 401;
    QTest::newRow("basic client, no secret") << u"basic"_s << u"none"_s << true << 401;
    QTest::newRow("post client, secret posted") << u"post"_s << u"post"_s << true << 200;
    QTest::newRow("post client, wrong secret") << u"post"_s << u"post"_s << false << 401;
    QTest::newRow("post client, Basic header") << u"post"_s << u"basic"_s << true << 401;
    QTest::newRow("post client, no secret") << u"post"_s << u"none"_s << true << 401;
    QTest::newRow("public client, a secret") << u"public"_s << u"post"_s << false << 401;
    QTest::newRow("public client, Basic without secret")
        << u"public"_s << u"basic"_s << true << 200;
}

void tst_McpOAuth::clientAuthentication()
{
    QFETCH(QString, client);
    QFETCH(QString, presentAs);
    QFETCH(bool, rightSecret);
    QFETCH(int, status);
    const QJsonObject registered = client == u"basic"_s  ? m_basic
                                   : client == u"post"_s ? m_post
                                                         : QJsonObject{{u"client_id"_s, m_public}};
    const QString id = registered.value(u"client_id"_s).toString();
    const QString secret =
        rightSecret ? registered.value(u"client_secret"_s).toString() : u"not-the-secret"_s;
    Params grant = codeGrant(id, codeFor(id));
    QByteArray headers;
    if (presentAs == u"basic"_s) {
        grant = with(grant, u"client_id"_s, kOmit);
        headers = "Authorization: Basic "
                  + QByteArray(QUrl::toPercentEncoding(id) + ':' + QUrl::toPercentEncoding(secret))
                        .toBase64()
                  + "\r\n";
    } else if (presentAs == u"post"_s) {
        grant = with(grant, u"client_secret"_s, secret);
    }
    const RawResponse response = postForm(grant, headers);
    QCOMPARE(response.status, status);
    if (status == 401) {
        QCOMPARE(jsonOf(response).value(u"error"_s).toString(), u"invalid_client"_s);
        QVERIFY(response.header("www-authenticate").startsWith("Basic"));
    }
}

void tst_McpOAuth::tokenNeedsAForm_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<bool>("asJson");
    QTest::addColumn<int>("status");
    QTest::newRow("form") << "application/x-www-form-urlencoded"_ba << false << 200;
    QTest::newRow("form with charset")
        << "Application/X-WWW-Form-Urlencoded; charset=UTF-8"_ba << false << 200;
    QTest::newRow("JSON") << "application/json"_ba << true << 400;
    QTest::newRow("form labelled JSON") << "application/json"_ba << false << 400;
    QTest::newRow("no content type") << QByteArray() << false << 400;
}

void tst_McpOAuth::tokenNeedsAForm()
{
    QFETCH(QByteArray, contentType);
    QFETCH(bool, asJson);
    QFETCH(int, status);
    const Params grant = codeGrant(m_public, codeFor(m_public));
    QJsonObject json;
    for (const auto &[name, value] : grant) {
        json.insert(name, value);
    }
    const RawResponse response = send(
        "POST"_ba,
        u"/oauth/token"_s,
        contentType.isEmpty() ? QByteArray() : QByteArray("Content-Type: " + contentType + "\r\n"),
        asJson ? QJsonDocument(json).toJson(QJsonDocument::Compact) : encode(grant));
    QCOMPARE(response.status, status);
    if (status == 400) {
        QCOMPARE(jsonOf(response).value(u"error"_s).toString(), u"invalid_request"_s);
    }
}

void tst_McpOAuth::grantTypeErrors_data()
{
    QTest::addColumn<QString>("grantType");
    QTest::addColumn<QString>("error");
    QTest::newRow("no grant_type") << kOmit << u"invalid_request"_s;
    QTest::newRow("client_credentials") << u"client_credentials"_s << u"unsupported_grant_type"_s;
    QTest::newRow("password") << u"password"_s << u"unsupported_grant_type"_s;
    QTest::newRow("repeated parameter") << u"<repeat>"_s << u"invalid_request"_s;
}

void tst_McpOAuth::grantTypeErrors()
{
    QFETCH(QString, grantType);
    QFETCH(QString, error);
    Params grant = codeGrant(m_public, codeFor(m_public));
    if (grantType == u"<repeat>"_s) {
        grant.append({u"code"_s, u"again"_s});
    } else {
        grant = with(grant, u"grant_type"_s, grantType);
    }
    const RawResponse response = postForm(grant);
    QCOMPARE(response.status, 400);
    QCOMPARE(jsonOf(response).value(u"error"_s).toString(), error);
}

void tst_McpOAuth::goneUserCannotRefresh()
{
    const Result<User> gone = m_users->findOrCreateByEmail(u"gone@example.com"_s);
    QVERIFY2(gone, qPrintable(why(gone)));
    const QString refresh = jsonOf(postForm(codeGrant(m_public, codeFor(m_public, kApp, &*gone))))
                                .value(u"refresh_token"_s)
                                .toString();
    QVERIFY(!refresh.isEmpty());
    Result<QSqlQuery> remove = m_database->prepare(u"DELETE FROM users WHERE id = ?"_s);
    QVERIFY2(remove, qPrintable(why(remove)));
    remove->addBindValue(gone->id);
    QVERIFY(remove->exec());
    const RawResponse response = postForm({{u"grant_type"_s, u"refresh_token"_s},
                                           {u"refresh_token"_s, refresh},
                                           {u"client_id"_s, m_public}});
    QCOMPARE(response.status, 400);
    QCOMPARE(jsonOf(response).value(u"error"_s).toString(), u"invalid_grant"_s);
}

QTEST_GUILESS_MAIN(tst_McpOAuth)
#include "tst_mcpoauth.moc"
