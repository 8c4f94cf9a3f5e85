// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The built-in OpenID Connect relying party against a real authorization server
// (oauth2-mock-server, tests/peers/oauth-server.mjs): discovery, the authorization-code flow with
// nonce and PKCE, ID-token checks, key rotation and bearer tokens. No database involved.
#include "httpclient/UpstreamClient.h"
#include "identity/OidcProvider.h"
#include "support/NodePeer.h"

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

const QString kClientId = u"gestalt-login"_s;
const QString kClientSecret = u"login-secret"_s;
// Never contacted: the authorization server's redirect is read, not followed.
const QString kRedirect = u"http://127.0.0.1:9/api/v1/auth/login/callback"_s;
const QString kState = u"state-0123456789"_s;
constexpr int kWaitMs = 15000;

const QJsonObject kAliceClaims{{u"email"_s, u" Alice@Example.COM "_s},
                               {u"email_verified"_s, true},
                               {u"name"_s, u"Alice Liddell"_s},
                               {u"picture"_s, u"https://example.com/alice.png"_s}};

// GET without following redirects: status and the resolved Location.
std::pair<int, QUrl> fetchRedirect(QNetworkAccessManager &network, const QUrl &url)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = network.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(kWaitMs)) {
        return {0, {}};
    }
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    return {status, url.resolved(QUrl::fromEncoded(reply->rawHeader("Location")))};
}

} // namespace

class tst_OidcProvider final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void discoveryMakesItReady();
    void nothingWorksBeforeDiscovery();
    void issuerMismatchKeepsItUnready();
    void jwksFetchIsGuarded_data();
    void jwksFetchIsGuarded();
    void loginReturnsTheIdentity_data();
    void loginReturnsTheIdentity();
    void badLoginsAreRejected_data();
    void badLoginsAreRejected();
    void unknownKidRefreshesTheKeysOnceAMinute();
    void bearerTokensAreValidated();
    void bearerWithANewKidRefreshesInTheBackground();

private:
    [[nodiscard]] OidcSettings settings() const;
    [[nodiscard]] std::unique_ptr<OidcProvider> startProvider(const OidcSettings &settings);
    void control(const QJsonObject &update);
    [[nodiscard]] QJsonObject stats();
    [[nodiscard]] Result<OidcIdentity> login(OidcProvider &provider,
                                             const QString &nonceOverride = {},
                                             const QString &codeOverride = {});
    [[nodiscard]] QString mintIdToken(const QString &clientId);

    NodePeer m_idp{u"oauth-server.mjs"_s};
    UpstreamClient m_upstream;
    QNetworkAccessManager m_browser;
    qint64 m_clockOffset = 0; // seconds added to the provider's clock
};

void tst_OidcProvider::initTestCase()
{
    QVERIFY2(m_idp.start(), qPrintable(m_idp.errorString()));
}

void tst_OidcProvider::init()
{
    // These tests expect the provider's warning (and maybe a retry's).
    const QByteArray function(QTest::currentTestFunction());
    if (function != "issuerMismatchKeepsItUnready" && function != "jwksFetchIsGuarded") {
        QTest::failOnWarning(QRegularExpression(u".*"_s));
    }
    m_clockOffset = 0;
    control({{u"reset"_s, true}, {u"idTokenClaims"_s, kAliceClaims}});
}

void tst_OidcProvider::cleanup()
{
    control({{u"reset"_s, true}});
}

OidcSettings tst_OidcProvider::settings() const
{
    OidcSettings s;
    s.providerName = u"sso"_s;
    s.issuerUrl = m_idp.baseUrl();
    s.clientId = kClientId;
    s.clientSecret = kClientSecret;
    s.redirectUrl = kRedirect;
    s.egress.addNamedUrl(s.issuerUrl); // as OidcSettings::fromConfig names it
    return s;
}

std::unique_ptr<OidcProvider> tst_OidcProvider::startProvider(const OidcSettings &s)
{
    auto provider = std::make_unique<OidcProvider>(
        s, m_upstream, [this] { return QDateTime::currentDateTimeUtc().addSecs(m_clockOffset); });
    QSignalSpy ready(provider.get(), &OidcProvider::ready);
    provider->start();
    if (!ready.wait(kWaitMs)) {
        qWarning().noquote() << "provider not ready:" << provider->lastError();
        return nullptr;
    }
    return provider;
}

void tst_OidcProvider::control(const QJsonObject &update)
{
    const Result<QJsonDocument> answer = m_idp.postJson(u"/_control"_s, QJsonDocument(update));
    QVERIFY2(answer.hasValue(), answer ? "" : qPrintable(answer.error().message));
}

QJsonObject tst_OidcProvider::stats()
{
    const Result<QJsonDocument> answer = m_idp.getJson(u"/_control/stats"_s);
    return answer ? answer->object() : QJsonObject();
}

Result<OidcIdentity> tst_OidcProvider::login(OidcProvider &provider,
                                             const QString &nonceOverride,
                                             const QString &codeOverride)
{
    Result<OidcProvider::LoginStart> start = provider.beginLogin(kState, kRedirect);
    if (!start) {
        return start.error();
    }
    const auto [status, callback] = fetchRedirect(m_browser, QUrl(start->url));
    const QUrlQuery query(callback);
    if (status != 302 || query.queryItemValue(u"state"_s) != kState
        || !callback.toString().startsWith(kRedirect)) {
        return Error::internal(u"authorize answered %1 %2"_s.arg(status).arg(callback.toString()));
    }
    std::optional<Result<OidcIdentity>> answer;
    provider.completeLogin(
        codeOverride.isEmpty() ? query.queryItemValue(u"code"_s) : codeOverride,
        kRedirect,
        nonceOverride.isEmpty() ? start->nonce : nonceOverride,
        start->codeVerifier,
        [&answer](Result<OidcIdentity> identity) { answer.emplace(std::move(identity)); });
    if (answer) {
        return Error::internal(u"completeLogin answered inside the call"_s);
    }
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, kWaitMs)) {
        return Error::internal(u"completeLogin never answered"_s);
    }
    return *answer;
}

// An ID token straight from the authorization server (authorize, then the token endpoint).
QString tst_OidcProvider::mintIdToken(const QString &clientId)
{
    QUrl authorize(m_idp.baseUrl() + u"/authorize"_s);
    authorize.setQuery(QUrlQuery{{u"response_type"_s, u"code"_s},
                                 {u"client_id"_s, clientId},
                                 {u"redirect_uri"_s, kRedirect},
                                 {u"state"_s, kState}});
    const QUrl callback = fetchRedirect(m_browser, authorize).second;
    const Result<QJsonDocument> tokens = m_idp.postJson(
        u"/token"_s,
        QJsonDocument(QJsonObject{{u"grant_type"_s, u"authorization_code"_s},
                                  {u"code"_s, QUrlQuery(callback).queryItemValue(u"code"_s)},
                                  {u"client_id"_s, clientId},
                                  {u"redirect_uri"_s, kRedirect}}));
    return tokens ? tokens->object().value(u"id_token"_s).toString() : QString();
}

void tst_OidcProvider::discoveryMakesItReady()
{
    const std::unique_ptr<OidcProvider> provider = startProvider(settings());
    QVERIFY(provider);
    QVERIFY(provider->isReady());
    QVERIFY(provider->lastError().isEmpty());
    QCOMPARE(stats().value(u"discoveryRequests"_s).toInt(), 1);
    QCOMPARE(stats().value(u"jwksRequests"_s).toInt(), 1);

    const Result<OidcProvider::LoginStart> first = provider->beginLogin(kState, kRedirect);
    const Result<OidcProvider::LoginStart> second = provider->beginLogin(kState, QString());
    QVERIFY(first && second);
    const QUrl url(first->url);
    QCOMPARE(url.toString(QUrl::RemoveQuery), m_idp.baseUrl() + u"/authorize"_s);
    const QUrlQuery query(url);
    QCOMPARE(query.queryItemValue(u"response_type"_s), u"code"_s);
    QCOMPARE(query.queryItemValue(u"client_id"_s), kClientId);
    QCOMPARE(query.queryItemValue(u"redirect_uri"_s, QUrl::FullyDecoded), kRedirect);
    QCOMPARE(query.queryItemValue(u"scope"_s, QUrl::FullyDecoded), u"openid email profile"_s);
    QCOMPARE(query.queryItemValue(u"state"_s), kState);
    QCOMPARE(query.queryItemValue(u"nonce"_s), first->nonce);
    QCOMPARE(first->nonce.size(), 43); // 32 random bytes, base64url
    QCOMPARE(query.queryItemValue(u"code_challenge_method"_s), u"S256"_s);
    QCOMPARE(query.queryItemValue(u"code_challenge"_s).size(), 43);
    QCOMPARE(first->codeVerifier.size(), 43);
    QVERIFY(first->nonce != second->nonce);
    QVERIFY(first->codeVerifier != second->codeVerifier);
    QCOMPARE(QUrlQuery(QUrl(second->url)).queryItemValue(u"redirect_uri"_s, QUrl::FullyDecoded),
             kRedirect); // the configured one

    OidcSettings noPkce = settings();
    noPkce.pkce = false;
    const std::unique_ptr<OidcProvider> plain = startProvider(noPkce);
    QVERIFY(plain);
    const Result<OidcProvider::LoginStart> start = plain->beginLogin(kState, kRedirect);
    QVERIFY(start);
    QVERIFY(start->codeVerifier.isEmpty());
    QVERIFY(!QUrlQuery(QUrl(start->url)).hasQueryItem(u"code_challenge"_s));
}

void tst_OidcProvider::nothingWorksBeforeDiscovery()
{
    OidcProvider provider(settings(), m_upstream, systemClock());
    QVERIFY(!provider.isReady());
    QVERIFY(!provider.lastError().isEmpty());
    const Result<OidcProvider::LoginStart> start = provider.beginLogin(kState, kRedirect);
    QVERIFY(!start);
    QCOMPARE(start.error().code, ErrorCode::Unavailable);
    QCOMPARE(start.error().message, u"authentication provider is not ready"_s);
    QCOMPARE(provider.validateBearer(mintIdToken(kClientId)).error().code, ErrorCode::Unavailable);
    std::optional<Result<OidcIdentity>> answer;
    provider.completeLogin(
        u"code"_s, kRedirect, u"nonce"_s, QString(), [&answer](Result<OidcIdentity> identity) {
            answer.emplace(std::move(identity));
        });
    QVERIFY(!answer); // never inside the call
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), kWaitMs);
    QCOMPARE(answer->error().code, ErrorCode::Unavailable);
}

void tst_OidcProvider::issuerMismatchKeepsItUnready()
{
    // The authorization server calls itself http://127.0.0.1:<port>.
    OidcSettings s = settings();
    s.issuerUrl = u"http://localhost:%1"_s.arg(m_idp.port());
    s.egress.addNamedUrl(s.issuerUrl);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"does not match issuerUrl"_s));
    OidcProvider provider(s, m_upstream, systemClock());
    QSignalSpy ready(&provider, &OidcProvider::ready);
    provider.start();
    QTRY_VERIFY_WITH_TIMEOUT(provider.lastError().contains(u"does not match issuerUrl"_s), kWaitMs);
    QVERIFY(!provider.isReady());
    QCOMPARE(ready.count(), 0);
    QCOMPARE(stats().value(u"jwksRequests"_s).toInt(), 0);
    QCOMPARE(provider.beginLogin(kState, kRedirect).error().code, ErrorCode::Unavailable);
}

void tst_OidcProvider::jwksFetchIsGuarded_data()
{
    QTest::addColumn<QString>("response");
    QTest::addColumn<QString>("problem"); // empty: ready
    // No redirect is followed, not even one to the same server.
    QTest::newRow("redirect on the same server")
        << u"redirectSameHost"_s << u"answered with a redirect (HTTP 302)"_s;
    QTest::newRow("redirect to another host")
        << u"redirectOtherHost"_s << u"answered with a redirect (HTTP 302)"_s;
    QTest::newRow("oversized") << u"oversize"_s << u"answered with more than 262144 bytes"_s;
}

void tst_OidcProvider::jwksFetchIsGuarded()
{
    QFETCH(QString, response);
    QFETCH(QString, problem);
    control({{u"jwksResponse"_s, response}});
    if (problem.isEmpty()) {
        const std::unique_ptr<OidcProvider> provider = startProvider(settings());
        QVERIFY(provider);
        return;
    }
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QRegularExpression::escape(problem)));
    OidcProvider provider(settings(), m_upstream, systemClock());
    provider.start();
    QTRY_VERIFY_WITH_TIMEOUT(provider.lastError().contains(problem), kWaitMs);
    QVERIFY(!provider.isReady());
}

void tst_OidcProvider::loginReturnsTheIdentity_data()
{
    QTest::addColumn<QString>("secret");
    QTest::addColumn<bool>("pkce");
    QTest::newRow("confidential client with PKCE") << kClientSecret << true;
    QTest::newRow("public client with PKCE") << QString() << true;
    QTest::newRow("confidential client without PKCE") << kClientSecret << false;
}

void tst_OidcProvider::loginReturnsTheIdentity()
{
    QFETCH(QString, secret);
    QFETCH(bool, pkce);
    OidcSettings s = settings();
    s.clientSecret = secret;
    s.pkce = pkce;
    s.allowedDomains = {u"example.com"_s};
    const std::unique_ptr<OidcProvider> provider = startProvider(s);
    QVERIFY(provider);
    const Result<OidcIdentity> identity = login(*provider);
    QVERIFY2(identity, identity ? "" : qPrintable(identity.error().message));
    QCOMPARE(identity->subject, u"johndoe"_s);
    QCOMPARE(identity->email, u"alice@example.com"_s);
    QCOMPARE(identity->displayName, u"Alice Liddell"_s);
    QCOMPARE(identity->avatarUrl, u"https://example.com/alice.png"_s);

    const QJsonObject last = stats().value(u"last"_s).toObject();
    const QJsonObject body = last.value(u"body"_s).toObject();
    QCOMPARE(last.value(u"grantType"_s).toString(), u"authorization_code"_s);
    QVERIFY(
        last.value(u"contentType"_s).toString().startsWith(u"application/x-www-form-urlencoded"_s));
    QCOMPARE(body.value(u"redirect_uri"_s).toString(), kRedirect);
    QCOMPARE(body.contains(u"code_verifier"_s), pkce);
    QVERIFY(!body.contains(u"client_secret"_s));
    if (secret.isEmpty()) {
        QCOMPARE(body.value(u"client_id"_s).toString(), kClientId);
        QVERIFY(last.value(u"authorization"_s).toString().isEmpty());
    } else {
        QCOMPARE(last.value(u"basicCredentials"_s).toString(), kClientId + u':' + secret);
        QVERIFY(!body.contains(u"client_id"_s));
    }

    // A display name falls back to preferred_username.
    QJsonObject claims = kAliceClaims;
    claims.insert(u"name"_s, QJsonValue::Null);
    claims.insert(u"preferred_username"_s, u"alice"_s);
    control({{u"idTokenClaims"_s, claims}});
    const Result<OidcIdentity> again = login(*provider);
    QVERIFY2(again, again ? "" : qPrintable(again.error().message));
    QCOMPARE(again->displayName, u"alice"_s);
}

void tst_OidcProvider::badLoginsAreRejected_data()
{
    QTest::addColumn<QJsonObject>("update");
    QTest::addColumn<QString>("nonce");
    QTest::addColumn<QString>("code");
    QTest::addColumn<qint64>("clockOffset");
    QTest::addColumn<QString>("reason");
    const auto claims = [](const QJsonObject &changes) {
        QJsonObject merged = kAliceClaims;
        for (auto it = changes.begin(); it != changes.end(); ++it) {
            merged.insert(it.key(), it.value());
        }
        return QJsonObject{{u"idTokenClaims"_s, merged}};
    };
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QTest::newRow("wrong nonce") << QJsonObject() << u"not-the-nonce"_s << QString() << qint64(0)
                                 << u"nonce"_s;
    QTest::newRow("no nonce in the token") << claims({{u"nonce"_s, QJsonValue::Null}}) << QString()
                                           << QString() << qint64(0) << u"nonce"_s;
    QTest::newRow("expired") << QJsonObject{{u"idTokenClaims"_s, kAliceClaims},
                                            {u"idTokenExpiresIn"_s, -3600}}
                             << QString() << QString() << qint64(0) << u"token has expired"_s;
    QTest::newRow("expired by the clock")
        << QJsonObject() << QString() << QString() << qint64(2 * 3600) << u"token has expired"_s;
    QTest::newRow("not yet valid") << claims({{u"nbf"_s, now + 3600}}) << QString() << QString()
                                   << qint64(0) << u"token is not yet valid"_s;
    QTest::newRow("issued in the future")
        << claims({{u"iat"_s, now + 3600}}) << QString() << QString() << qint64(0) << u"iat"_s;
    QTest::newRow("wrong audience") << claims({{u"aud"_s, u"someone-else"_s}}) << QString()
                                    << QString() << qint64(0) << u"audience"_s;
    QTest::newRow("several audiences, no azp")
        << claims({{u"aud"_s, QJsonArray{kClientId, u"other"_s}}}) << QString() << QString()
        << qint64(0) << u"azp"_s;
    QTest::newRow("azp of another client")
        << claims({{u"azp"_s, u"other"_s}}) << QString() << QString() << qint64(0) << u"azp"_s;
    QTest::newRow("other issuer") << claims({{u"iss"_s, u"https://evil.test"_s}}) << QString()
                                  << QString() << qint64(0) << u"issuer"_s;
    QTest::newRow("email not verified") << claims({{u"email_verified"_s, false}}) << QString()
                                        << QString() << qint64(0) << u"not verified"_s;
    QTest::newRow("email_verified \"false\"")
        << claims({{u"email_verified"_s, u"false"_s}}) << QString() << QString() << qint64(0)
        << u"not verified"_s;
    QTest::newRow("no email") << claims({{u"email"_s, QJsonValue::Null}}) << QString() << QString()
                              << qint64(0) << u"email"_s;
    QTest::newRow("disallowed domain") << claims({{u"email"_s, u"eve@evil.test"_s}}) << QString()
                                       << QString() << qint64(0) << u"domain"_s;
    QTest::newRow("subdomain is another domain")
        << claims({{u"email"_s, u"eve@mail.example.com"_s}}) << QString() << QString() << qint64(0)
        << u"domain"_s;
    QTest::newRow("forged signature")
        << QJsonObject{{u"idTokenClaims"_s, kAliceClaims}, {u"forgeSignature"_s, true}} << QString()
        << QString() << qint64(0) << u"signature"_s;
    QTest::newRow("code unknown to the IdP")
        << QJsonObject() << QString() << u"made-up"_s << qint64(0) << u"HTTP 400"_s;
}

void tst_OidcProvider::badLoginsAreRejected()
{
    QFETCH(QJsonObject, update);
    QFETCH(QString, nonce);
    QFETCH(QString, code);
    QFETCH(qint64, clockOffset);
    QFETCH(QString, reason);
    OidcSettings s = settings();
    s.allowedDomains = {u"example.com"_s};
    const std::unique_ptr<OidcProvider> provider = startProvider(s);
    QVERIFY(provider);
    if (!update.isEmpty()) {
        control(update);
    }
    m_clockOffset = clockOffset;
    const Result<OidcIdentity> identity = login(*provider, nonce, code);
    QVERIFY(!identity);
    QCOMPARE(identity.error().code, ErrorCode::Unauthenticated);
    QVERIFY2(identity.error().message.contains(reason), qPrintable(identity.error().message));
    QVERIFY(!identity.error().message.contains(kClientSecret));
}

void tst_OidcProvider::unknownKidRefreshesTheKeysOnceAMinute()
{
    const std::unique_ptr<OidcProvider> provider = startProvider(settings());
    QVERIFY(provider);
    QCOMPARE(stats().value(u"jwksRequests"_s).toInt(), 1);

    // The IdP rolls its key: the new kid makes the provider fetch the key set again.
    control({{u"rotateKeys"_s, u"RS256"_s}});
    Result<OidcIdentity> identity = login(*provider);
    QVERIFY2(identity, identity ? "" : qPrintable(identity.error().message));
    QCOMPARE(stats().value(u"jwksRequests"_s).toInt(), 2);

    // Another roll within the minute: no new fetch, the login fails.
    control({{u"rotateKeys"_s, u"ES256"_s}});
    identity = login(*provider);
    QVERIFY(!identity);
    QVERIFY2(identity.error().message.contains(u"signing key not found"_s),
             qPrintable(identity.error().message));
    QCOMPARE(stats().value(u"jwksRequests"_s).toInt(), 2);

    // A minute later the unknown kid is looked up again (an ES256 key this time).
    m_clockOffset = 61;
    identity = login(*provider);
    QVERIFY2(identity, identity ? "" : qPrintable(identity.error().message));
    QCOMPARE(identity->email, u"alice@example.com"_s);
    QCOMPARE(stats().value(u"jwksRequests"_s).toInt(), 3);
}

void tst_OidcProvider::bearerTokensAreValidated()
{
    OidcSettings s = settings();
    s.audiences = {u"gestalt-cli"_s};
    const std::unique_ptr<OidcProvider> provider = startProvider(s);
    QVERIFY(provider);

    const QString token = mintIdToken(kClientId);
    QVERIFY(!token.isEmpty());
    QVERIFY(provider->isOwnToken(token));
    Result<OidcIdentity> identity = provider->validateBearer(token);
    QVERIFY2(identity, identity ? "" : qPrintable(identity.error().message));
    QCOMPARE(identity->email, u"alice@example.com"_s);

    // Another accepted audience.
    identity = provider->validateBearer(mintIdToken(u"gestalt-cli"_s));
    QVERIFY2(identity, identity ? "" : qPrintable(identity.error().message));

    const auto rejected = [&](const QString &bad, const char *what) {
        const Result<OidcIdentity> answer = provider->validateBearer(bad);
        QVERIFY2(!answer, what);
        QCOMPARE(answer.error().code, ErrorCode::Unauthenticated);
        QCOMPARE(answer.error().message, u"invalid token"_s);
    };
    rejected(mintIdToken(u"some-other-app"_s), "other audience");
    QString tampered = token;
    tampered[tampered.size() - 3] = tampered.at(tampered.size() - 3) == u'A' ? u'B' : u'A';
    rejected(tampered, "tampered signature");
    rejected(u"not-a-jwt"_s, "garbage");
    control({{u"idTokenClaims"_s, QJsonObject{{u"email_verified"_s, true}}}});
    rejected(mintIdToken(kClientId), "no email");
    control({{u"idTokenClaims"_s, kAliceClaims}, {u"idTokenExpiresIn"_s, -3600}});
    rejected(mintIdToken(kClientId), "expired");

    QVERIFY(!provider->isOwnToken(u"gst_api_0123456789abcdef"_s));
    control({{u"idTokenClaims"_s, QJsonObject{{u"iss"_s, u"https://other.test"_s}}}});
    const QString foreign = mintIdToken(kClientId);
    QVERIFY(!provider->isOwnToken(foreign));
    rejected(foreign, "other issuer");
}

void tst_OidcProvider::bearerWithANewKidRefreshesInTheBackground()
{
    const std::unique_ptr<OidcProvider> provider = startProvider(settings());
    QVERIFY(provider);
    control({{u"rotateKeys"_s, u"ES256"_s}});
    const QString token = mintIdToken(kClientId);
    QCOMPARE(provider->validateBearer(token).error().message, u"invalid token"_s);
    QTRY_COMPARE_WITH_TIMEOUT(stats().value(u"jwksRequests"_s).toInt(), 2, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(provider->validateBearer(token).hasValue(), kWaitMs);
}

QTEST_GUILESS_MAIN(tst_OidcProvider)
#include "tst_oidcprovider.moc"
