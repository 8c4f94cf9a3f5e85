// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// OAuthClient against a real authorization server (oauth2-mock-server,
// tests/peers/oauth-server.mjs).
#include "httpclient/OAuthClient.h"
#include "httpclient/UpstreamClient.h"
#include "support/FakeUpstream.h"
#include "support/LocalEgress.h"
#include "support/NodePeer.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using Gestalt::Test::FakeUpstream;
using Gestalt::Test::NodePeer;

namespace {

using QueryItems = QList<std::pair<QString, QString>>;

constexpr int kCallTimeoutMs = 20000;
const QString kRedirectUri = u"http://127.0.0.1:1/api/v1/auth/callback"_s;
const QString kClientId = u"gestalt client:1"_s;
const QString kClientSecret = u"s/cr\u00e9t&+"_s;

// What a finished call delivered, and how often the callback ran.
struct Outcome
{
    std::optional<Result<OAuthTokens>> result;
    int calls = 0;
    bool calledInsideTheCall = false;
};

// Starts a call and runs the event loop until its callback ran (bounded).
Outcome run(const std::function<void(OAuthClient::Callback)> &start)
{
    auto outcome = std::make_shared<Outcome>();
    QEventLoop loop;
    bool returned = false;
    start([outcome, &loop, &returned](Result<OAuthTokens> result) {
        ++outcome->calls;
        outcome->calledInsideTheCall = !returned;
        outcome->result = std::move(result);
        loop.quit();
    });
    returned = true;
    if (!outcome->result) {
        QTimer::singleShot(kCallTimeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    // Let anything queued run, so a second callback would be counted.
    QCoreApplication::processEvents();
    return *outcome;
}

QueryItems itemsOf(const QUrl &url)
{
    QueryItems items;
    const QList<std::pair<QString, QString>> raw = QUrlQuery(url).queryItems(QUrl::FullyDecoded);
    for (const auto &item : raw) {
        items.append(item);
    }
    return items;
}

QString why(const std::optional<Result<OAuthTokens>> &result)
{
    if (!result) {
        return u"no callback within the time limit"_s;
    }
    return *result ? QString() : result->error().message;
}

} // namespace

class tst_OAuthClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void codeVerifierShape();
    void codeChallengeMatchesRfc7636();
    void authorizationUrl_data();
    void authorizationUrl();
    void authorizationUrlEncodesReservedCharacters();
    void exchangeCode_data();
    void exchangeCode();
    void exchangeCodeWithWrongVerifierFails();
    void refresh_data();
    void refresh();
    void clientCredentials();
    void invalidGrantIsTerminal();
    void otherFailuresAreTokenExchangeFailed_data();
    void otherFailuresAreTokenExchangeFailed();
    void unreachableTokenUrl();
    void invalidTokenUrlCallsBackLater();
    void egressRefusalSendsNothing();
    void redirectIsNotFollowed();
    void oversizedResponseIsRefusedAsItStreams();

private:
    [[nodiscard]] AuthConfig auth() const;
    void control(const QJsonObject &settings);
    [[nodiscard]] QJsonObject stats();
    // Drives /authorize like a browser that is not redirected; returns the code.
    [[nodiscard]] QString authorize(const AuthConfig &config, const QString &verifier);

    NodePeer m_oauth{u"oauth-server.mjs"_s};
    std::unique_ptr<UpstreamClient> m_upstream;
    std::unique_ptr<OAuthClient> m_client;
};

void tst_OAuthClient::initTestCase()
{
    QVERIFY2(m_oauth.start(), qPrintable(m_oauth.errorString()));
}

void tst_OAuthClient::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    control({{u"reset"_s, true}});
    m_client.reset();
    m_upstream = std::make_unique<UpstreamClient>();
    m_client = std::make_unique<OAuthClient>(*m_upstream);
}

AuthConfig tst_OAuthClient::auth() const
{
    AuthConfig config;
    config.authorizationUrl = m_oauth.baseUrl() + u"/authorize"_s;
    config.tokenUrl = m_oauth.baseUrl() + u"/token"_s;
    config.clientId = kClientId;
    config.clientSecret = kClientSecret;
    config.scopes = {u"read"_s, u"write"_s};
    return config;
}

void tst_OAuthClient::control(const QJsonObject &settings)
{
    const Result<QJsonDocument> answer = m_oauth.postJson(u"/_control"_s, QJsonDocument(settings));
    QVERIFY2(answer, qPrintable(answer ? QString() : answer.error().message));
}

QJsonObject tst_OAuthClient::stats()
{
    const Result<QJsonDocument> answer = m_oauth.getJson(u"/_control/stats"_s);
    return answer ? answer->object() : QJsonObject();
}

QString tst_OAuthClient::authorize(const AuthConfig &config, const QString &verifier)
{
    const QUrl url =
        OAuthClient::authorizationUrl(config, kRedirectUri, u"state-1"_s, {}, verifier, {});
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(kCallTimeoutMs);
    std::unique_ptr<QNetworkReply> reply(network.get(request));
    QEventLoop loop;
    connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished()) {
        loop.exec();
    }
    if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 302) {
        return {};
    }
    const QUrl location(QString::fromUtf8(reply->rawHeader("Location")));
    const QUrlQuery query(location);
    if (query.queryItemValue(u"state"_s) != u"state-1") {
        return {};
    }
    return query.queryItemValue(u"code"_s);
}

void tst_OAuthClient::codeVerifierShape()
{
    static const QRegularExpression allowed(u"^[A-Za-z0-9._~-]{43}$"_s);
    const QString first = OAuthClient::newCodeVerifier();
    const QString second = OAuthClient::newCodeVerifier();
    QVERIFY2(allowed.match(first).hasMatch(), qPrintable(first));
    QVERIFY2(allowed.match(second).hasMatch(), qPrintable(second));
    QVERIFY(first != second);
}

void tst_OAuthClient::codeChallengeMatchesRfc7636()
{
    // RFC 7636, appendix B.
    QCOMPARE(OAuthClient::codeChallenge(u"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"_s),
             u"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"_s);
}

void tst_OAuthClient::authorizationUrl_data()
{
    QTest::addColumn<AuthConfig>("config");
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QString>("verifier");
    QTest::addColumn<QString>("expectedBase");
    QTest::addColumn<QueryItems>("expectedItems");

    AuthConfig base;
    base.authorizationUrl = u"https://auth.example.com/oauth/authorize"_s;
    base.clientId = u"cid"_s;
    base.scopes = {u"read"_s, u"write"_s};
    const QueryItems head = {{u"client_id"_s, u"cid"_s},
                             {u"redirect_uri"_s, kRedirectUri},
                             {u"response_type"_s, u"code"_s},
                             {u"state"_s, u"st"_s}};
    const QString baseUrl = u"https://auth.example.com/oauth/authorize"_s;

    QTest::newRow("configured scopes, space separated")
        << base << QStringList() << QString() << baseUrl
        << (head + QueryItems{{u"scope"_s, u"read write"_s}});
    QTest::newRow("requested scopes replace the configured ones")
        << base << QStringList{u"admin"_s} << QString() << baseUrl
        << (head + QueryItems{{u"scope"_s, u"admin"_s}});

    AuthConfig slack = base;
    slack.scopeParam = u"user_scope"_s;
    slack.scopeSeparator = u","_s;
    QTest::newRow("scopeParam and comma separator (Slack)")
        << slack << QStringList() << QString() << baseUrl
        << (head + QueryItems{{u"user_scope"_s, u"read,write"_s}});

    AuthConfig noScopes = base;
    noScopes.scopes.clear();
    QTest::newRow("no scopes: no scope param")
        << noScopes << QStringList() << QString() << baseUrl << head;

    AuthConfig extra = base;
    extra.authorizationParams = {{u"access_type"_s, u"offline"_s}, {u"prompt"_s, u"consent"_s}};
    QTest::newRow("authorizationParams appended") << extra << QStringList() << QString() << baseUrl
                                                  << (head
                                                      + QueryItems{{u"scope"_s, u"read write"_s},
                                                                   {u"access_type"_s, u"offline"_s},
                                                                   {u"prompt"_s, u"consent"_s}});

    QTest::newRow("PKCE S256 (RFC 7636 appendix B)")
        << base << QStringList() << u"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"_s << baseUrl
        << (head
            + QueryItems{{u"scope"_s, u"read write"_s},
                         {u"code_challenge"_s, u"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"_s},
                         {u"code_challenge_method"_s, u"S256"_s}});

    AuthConfig templated = base;
    templated.authorizationUrl = u"https://{subdomain}.example.com/oauth/authorize"_s;
    QTest::newRow("{param} placeholders from connection params")
        << templated << QStringList() << QString() << u"https://acme.example.com/oauth/authorize"_s
        << (head + QueryItems{{u"scope"_s, u"read write"_s}});

    AuthConfig withQuery = base;
    withQuery.authorizationUrl = u"https://auth.example.com/oauth/authorize?audience=api"_s;
    QTest::newRow("a query in the configured URL is kept")
        << withQuery << QStringList() << QString() << baseUrl
        << (QueryItems{{u"audience"_s, u"api"_s}} + head
            + QueryItems{{u"scope"_s, u"read write"_s}});
}

void tst_OAuthClient::authorizationUrl()
{
    QFETCH(AuthConfig, config);
    QFETCH(QStringList, scopes);
    QFETCH(QString, verifier);
    QFETCH(QString, expectedBase);
    QFETCH(QueryItems, expectedItems);

    const QUrl url = OAuthClient::authorizationUrl(
        config, kRedirectUri, u"st"_s, scopes, verifier, {{u"subdomain"_s, u"acme"_s}});
    QVERIFY(url.isValid());
    QCOMPARE(url.adjusted(QUrl::RemoveQuery).toString(), expectedBase);
    QCOMPARE(itemsOf(url), expectedItems);
}

void tst_OAuthClient::authorizationUrlEncodesReservedCharacters()
{
    AuthConfig config = auth();
    config.scopes = {u"a+b"_s, u"c&d=e"_s};
    const QUrl url = OAuthClient::authorizationUrl(
        config, u"https://gw.example/cb?x=1&y=2"_s, u"s+t/u"_s, {}, {}, {});
    const QString encoded = url.query(QUrl::FullyEncoded);
    QVERIFY2(encoded.contains(u"scope=a%2Bb%20c%26d%3De"_s), qPrintable(encoded));
    QVERIFY2(encoded.contains(u"redirect_uri=https%3A%2F%2Fgw.example%2Fcb%3Fx%3D1%26y%3D2"_s),
             qPrintable(encoded));
    QVERIFY2(encoded.contains(u"state=s%2Bt%2Fu"_s), qPrintable(encoded));
    QVERIFY2(encoded.contains(u"client_id=gestalt%20client%3A1"_s), qPrintable(encoded));
}

void tst_OAuthClient::exchangeCode_data()
{
    QTest::addColumn<ClientAuth>("clientAuth");
    QTest::addColumn<TokenExchange>("exchange");
    QTest::addColumn<bool>("pkce");
    QTest::addColumn<QString>("expectedContentType");

    QTest::newRow("client auth in the form body")
        << ClientAuth::Body << TokenExchange::Form << false
        << u"application/x-www-form-urlencoded"_s;
    QTest::newRow("client auth as HTTP Basic") << ClientAuth::Header << TokenExchange::Form << false
                                               << u"application/x-www-form-urlencoded"_s;
    QTest::newRow("JSON token request")
        << ClientAuth::Body << TokenExchange::Json << false << u"application/json"_s;
    QTest::newRow("PKCE verifier sent and checked")
        << ClientAuth::Body << TokenExchange::Form << true
        << u"application/x-www-form-urlencoded"_s;
}

void tst_OAuthClient::exchangeCode()
{
    QFETCH(ClientAuth, clientAuth);
    QFETCH(TokenExchange, exchange);
    QFETCH(bool, pkce);
    QFETCH(QString, expectedContentType);

    AuthConfig config = auth();
    config.clientAuth = clientAuth;
    config.tokenExchange = exchange;
    config.tokenParams = {{u"audience"_s, u"api"_s}};
    const QString verifier = pkce ? OAuthClient::newCodeVerifier() : QString();
    const QString code = authorize(config, verifier);
    QVERIFY(!code.isEmpty());

    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->exchangeCode(
            config, code, kRedirectUri, verifier, {}, Test::localEgress(), std::move(callback));
    });
    QVERIFY2(outcome.result && *outcome.result, qPrintable(why(outcome.result)));
    QCOMPARE(outcome.calls, 1);
    QVERIFY(!outcome.calledInsideTheCall);
    const OAuthTokens &tokens = outcome.result->value();
    QCOMPARE(tokens.accessToken.count(u'.'), 2); // a signed JWT
    QVERIFY(!tokens.refreshToken.isEmpty());
    QCOMPARE(tokens.tokenType, u"Bearer"_s);
    QCOMPARE(tokens.expiresInSeconds, std::optional<qint64>(3600));
    QCOMPARE(tokens.raw.value(u"access_token"_s).toString(), tokens.accessToken);

    const QJsonObject last = stats().value(u"last"_s).toObject();
    const QJsonObject body = last.value(u"body"_s).toObject();
    QCOMPARE(last.value(u"grantType"_s).toString(), u"authorization_code"_s);
    QVERIFY2(last.value(u"contentType"_s).toString().startsWith(expectedContentType),
             qPrintable(last.value(u"contentType"_s).toString()));
    QCOMPARE(last.value(u"accept"_s).toString(), u"application/json"_s);
    QCOMPARE(body.value(u"code"_s).toString(), code);
    QCOMPARE(body.value(u"redirect_uri"_s).toString(), kRedirectUri);
    QCOMPARE(body.value(u"audience"_s).toString(), u"api"_s);
    QCOMPARE(body.value(u"code_verifier"_s).toString(), verifier);
    QCOMPARE(body.contains(u"code_verifier"_s), pkce);
    if (clientAuth == ClientAuth::Header) {
        QCOMPARE(last.value(u"basicCredentials"_s).toString(),
                 u"gestalt%20client%3A1:s%2Fcr%C3%A9t%26%2B"_s);
        QVERIFY(!body.contains(u"client_id"_s));
        QVERIFY(!body.contains(u"client_secret"_s));
    } else {
        QVERIFY(last.value(u"authorization"_s).toString().isEmpty());
        QCOMPARE(body.value(u"client_id"_s).toString(), kClientId);
        QCOMPARE(body.value(u"client_secret"_s).toString(), kClientSecret);
    }
}

void tst_OAuthClient::exchangeCodeWithWrongVerifierFails()
{
    const AuthConfig config = auth();
    const QString code = authorize(config, OAuthClient::newCodeVerifier());
    QVERIFY(!code.isEmpty());
    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->exchangeCode(config,
                               code,
                               kRedirectUri,
                               OAuthClient::newCodeVerifier(),
                               {},
                               Test::localEgress(),
                               std::move(callback));
    });
    QVERIFY(outcome.result);
    QVERIFY(!*outcome.result);
    QCOMPARE(outcome.result->error().code, ErrorCode::BadGateway);
    QCOMPARE(outcome.result->error().machineCode, u"token_exchange_failed"_s);
}

void tst_OAuthClient::refresh_data()
{
    QTest::addColumn<QJsonObject>("behaviour");
    QTest::addColumn<QString>("accessTokenPath");
    QTest::addColumn<QString>("acceptHeader");
    QTest::addColumn<qint64>("expectedExpiresIn");
    QTest::addColumn<bool>("expectRefreshToken");

    QTest::newRow("JSON, rotated refresh token")
        << QJsonObject{} << QString() << QString() << qint64(3600) << true;
    QTest::newRow("expires_in as a numeric string")
        << QJsonObject{{u"expiresIn"_s, 120}, {u"expiresInAsString"_s, true}} << QString()
        << QString() << qint64(120) << true;
    QTest::newRow("no refresh token returned") << QJsonObject{{u"rotateRefreshTokens"_s, false}}
                                               << QString() << QString() << qint64(3600) << false;
    QTest::newRow("form-encoded response (GitHub style)")
        << QJsonObject{{u"responseFormat"_s, u"form"_s}, {u"expiresIn"_s, 28800}} << QString()
        << u"application/x-www-form-urlencoded"_s << qint64(28800) << true;
    QTest::newRow("accessTokenPath into a nested object (Slack style)")
        << QJsonObject{{u"nestAccessTokenUnder"_s, u"authed_user"_s}}
        << u"authed_user.access_token"_s << QString() << qint64(3600) << true;
}

void tst_OAuthClient::refresh()
{
    QFETCH(QJsonObject, behaviour);
    QFETCH(QString, accessTokenPath);
    QFETCH(QString, acceptHeader);
    QFETCH(qint64, expectedExpiresIn);
    QFETCH(bool, expectRefreshToken);

    control(behaviour);
    AuthConfig config = auth();
    config.accessTokenPath = accessTokenPath;
    config.acceptHeader = acceptHeader;
    config.refreshParams = {{u"resource"_s, u"https://api.example"_s}};
    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->refresh(
            config, u"old-refresh-token"_s, {}, Test::localEgress(), std::move(callback));
    });
    QVERIFY2(outcome.result && *outcome.result, qPrintable(why(outcome.result)));
    QCOMPARE(outcome.calls, 1);
    QVERIFY(!outcome.calledInsideTheCall);
    const OAuthTokens &tokens = outcome.result->value();
    QCOMPARE(tokens.accessToken.count(u'.'), 2);
    QCOMPARE(tokens.expiresInSeconds, std::optional<qint64>(expectedExpiresIn));
    QCOMPARE(!tokens.refreshToken.isEmpty(), expectRefreshToken);
    QVERIFY(tokens.refreshToken != u"old-refresh-token");
    QCOMPARE(tokens.tokenType, u"Bearer"_s);

    const QJsonObject statistics = stats();
    QCOMPARE(statistics.value(u"tokenRequests"_s).toObject().value(u"refresh_token"_s).toInt(), 1);
    const QJsonObject last = statistics.value(u"last"_s).toObject();
    const QJsonObject body = last.value(u"body"_s).toObject();
    QCOMPARE(body.value(u"refresh_token"_s).toString(), u"old-refresh-token"_s);
    QCOMPARE(body.value(u"resource"_s).toString(), u"https://api.example"_s);
    QCOMPARE(last.value(u"accept"_s).toString(),
             acceptHeader.isEmpty() ? u"application/json"_s : acceptHeader);
}

void tst_OAuthClient::clientCredentials()
{
    AuthConfig config = auth();
    config.clientAuth = ClientAuth::Header;
    config.grantType = u"client_credentials"_s;
    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->clientCredentials(config, Test::localEgress(), std::move(callback));
    });
    QVERIFY2(outcome.result && *outcome.result, qPrintable(why(outcome.result)));
    QCOMPARE(outcome.calls, 1);
    QVERIFY(!outcome.result->value().accessToken.isEmpty());
    QVERIFY(outcome.result->value().refreshToken.isEmpty());

    const QJsonObject statistics = stats();
    QCOMPARE(statistics.value(u"tokenRequests"_s).toObject().value(u"client_credentials"_s).toInt(),
             1);
    const QJsonObject body = statistics.value(u"last"_s).toObject().value(u"body"_s).toObject();
    QCOMPARE(body.value(u"scope"_s).toString(), u"read write"_s);
}

void tst_OAuthClient::invalidGrantIsTerminal()
{
    control({{u"invalidGrant"_s, u"next"_s}});
    const QString refreshToken = u"dead-refresh-token-4c1e"_s;
    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->refresh(auth(), refreshToken, {}, Test::localEgress(), std::move(callback));
    });
    QVERIFY(outcome.result);
    QVERIFY(!*outcome.result);
    QCOMPARE(outcome.calls, 1);
    const Error &error = outcome.result->error();
    QCOMPARE(error.code, ErrorCode::BadGateway);
    QCOMPARE(error.machineCode, u"invalid_grant"_s);
    QVERIFY(!error.message.contains(refreshToken));
    QVERIFY(!error.message.contains(kClientSecret));

    // Only the next one: the one after succeeds again.
    const Outcome again = run([&](OAuthClient::Callback callback) {
        m_client->refresh(auth(), refreshToken, {}, Test::localEgress(), std::move(callback));
    });
    QVERIFY2(again.result && *again.result, qPrintable(why(again.result)));
}

void tst_OAuthClient::otherFailuresAreTokenExchangeFailed_data()
{
    QTest::addColumn<QJsonObject>("behaviour");
    QTest::addColumn<QString>("accessTokenPath");
    QTest::newRow("503 temporarily_unavailable")
        << QJsonObject{{u"failRefresh"_s, u"next"_s}} << QString();
    QTest::newRow("no token at accessTokenPath") << QJsonObject{} << u"authed_user.access_token"_s;
}

void tst_OAuthClient::otherFailuresAreTokenExchangeFailed()
{
    QFETCH(QJsonObject, behaviour);
    QFETCH(QString, accessTokenPath);
    control(behaviour);
    AuthConfig config = auth();
    config.accessTokenPath = accessTokenPath;
    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->refresh(config, u"some-refresh"_s, {}, Test::localEgress(), std::move(callback));
    });
    QVERIFY(outcome.result);
    QVERIFY(!*outcome.result);
    QCOMPARE(outcome.calls, 1);
    QCOMPARE(outcome.result->error().code, ErrorCode::BadGateway);
    QCOMPARE(outcome.result->error().machineCode, u"token_exchange_failed"_s);
    QCOMPARE(outcome.result->error().message, u"token exchange failed"_s);
}

void tst_OAuthClient::unreachableTokenUrl()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    AuthConfig config = auth();
    config.tokenUrl = u"http://127.0.0.1:%1/token"_s.arg(closedPort);
    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->clientCredentials(config, Test::localEgress(), std::move(callback));
    });
    QVERIFY(outcome.result);
    QVERIFY(!*outcome.result);
    QCOMPARE(outcome.calls, 1);
    QVERIFY(!outcome.calledInsideTheCall);
    QCOMPARE(outcome.result->error().machineCode, u"token_exchange_failed"_s);
}

void tst_OAuthClient::invalidTokenUrlCallsBackLater()
{
    AuthConfig config = auth();
    config.tokenUrl = u"/relative/token"_s;
    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->refresh(config, u"r"_s, {}, Test::localEgress(), std::move(callback));
    });
    QVERIFY(outcome.result);
    QVERIFY(!*outcome.result);
    QCOMPARE(outcome.calls, 1);
    QVERIFY(!outcome.calledInsideTheCall);
    QCOMPARE(outcome.result->error().machineCode, u"token_exchange_failed"_s);
}

void tst_OAuthClient::egressRefusalSendsNothing()
{
    EgressPolicy egress;
    egress.allowedHosts = {u"auth.example.com"_s};
    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->refresh(auth(), u"r"_s, {}, egress, std::move(callback));
    });
    QVERIFY(outcome.result);
    QVERIFY(!*outcome.result);
    QCOMPARE(outcome.calls, 1);
    QVERIFY(!outcome.calledInsideTheCall);
    QCOMPARE(outcome.result->error().code, ErrorCode::Forbidden);
    QCOMPARE(outcome.result->error().message, u"egress to host \"127.0.0.1\" is not allowed"_s);
    QCOMPARE(stats()[u"total"_s].toInt(), 0);
    QVERIFY(!OAuthClient::checkEgress(auth(), {}, egress));
    egress.defaultAction = EgressAction::Deny;
    egress.allowedHosts = {u"127.0.0.1"_s};
    QVERIFY(OAuthClient::checkEgress(auth(), {}, egress));
    egress.allowedHosts.clear();
    QVERIFY(!OAuthClient::checkEgress(auth(), {}, egress));
}

void tst_OAuthClient::redirectIsNotFollowed()
{
    FakeUpstream redirector;
    QVERIFY(redirector.start());
    AuthConfig config = auth();
    redirector.setReply(307, {{"Location", (config.tokenUrl).toUtf8()}}, {});
    config.tokenUrl = redirector.baseUrl() + u"/token"_s;
    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->clientCredentials(config, Test::localEgress(), std::move(callback));
    });
    QVERIFY(outcome.result);
    QVERIFY(!*outcome.result);
    QCOMPARE(outcome.result->error().machineCode, u"token_exchange_failed"_s);
    QCOMPARE(redirector.requests().size(), 1);
    QCOMPARE(stats()[u"total"_s].toInt(), 0); // the target got nothing
}

void tst_OAuthClient::oversizedResponseIsRefusedAsItStreams()
{
    FakeUpstream endpoint;
    QVERIFY(endpoint.start());
    endpoint.setBehaviour(FakeUpstream::Behaviour::Body);
    endpoint.setBodySize(OAuthClient::MaxResponseBytes + 1, false);
    AuthConfig config = auth();
    config.tokenUrl = endpoint.baseUrl() + u"/token"_s;
    const Outcome outcome = run([&](OAuthClient::Callback callback) {
        m_client->clientCredentials(config, Test::localEgress(), std::move(callback));
    });
    QVERIFY(outcome.result);
    QVERIFY(!*outcome.result);
    QCOMPARE(outcome.result->error().machineCode, u"token_response_too_large"_s);
}

QTEST_GUILESS_MAIN(tst_OAuthClient)
#include "tst_oauthclient.moc"
