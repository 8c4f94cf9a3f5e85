// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "crypto/Hash.h"
#include "invocation/BindingVerifier.h"

#include <QRegularExpression>
#include <QScopeGuard>
#include <QTest>

#include <initializer_list>
#include <memory>

using namespace Gestalt;
using namespace Qt::StringLiterals;

using Env = QMap<QString, QString>;

Q_DECLARE_METATYPE(Gestalt::SecurityScheme)
Q_DECLARE_METATYPE(Gestalt::HttpRequest)
Q_DECLARE_METATYPE(Gestalt::ErrorCode)

namespace {

// Known vectors. Every hex digest below was computed outside this code base with
// `printf '%s' '<payload>' | openssl dgst -sha256 -hmac '<secret>'`.

// GitHub's documented example (docs: "Validating webhook deliveries").
const QString kGithubSecret = u"It's a Secret to Everybody"_s;
const QByteArray kGithubBody = "Hello, World!"_ba;
const QByteArray kGithubSignature =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"_ba;
// payload "{foo}:Hello, World!": unknown placeholders stay verbatim.
const QByteArray kGithubUnknownPlaceholderSignature =
    "sha256=dc3ff0c4ee06146247403da55e08b7bc1edb80195b135ecb895677b82bec222d"_ba;
// payload "" (empty body).
const QByteArray kGithubEmptyBodySignature =
    "sha256=66a0c074deaa0f489ead6537e0d32f9a344b90bbeda705b6ed45ecd3b413fb40"_ba;

// Slack's documented example (docs: "Verifying requests from Slack").
const QString kSlackSecret = u"8f742231b10e8888abcd99yyyzzz85a5"_s;
constexpr qint64 kSlackTimestamp = 1531420618;
const QByteArray kSlackBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
    "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c"_ba;
const QByteArray kSlackSignature =
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"_ba;
// payload "v0:abc:<body>", "v0::<body>" and "v0:1531420618.5:<body>".
const QByteArray kSlackSignatureTsAbc =
    "v0=0a1d54dbd4ea9dc7d2d38740a5422c73ecae51cd8ede59115bf561082a571fff"_ba;
const QByteArray kSlackSignatureTsEmpty =
    "v0=8640a06c6b1006f7cf349cf6d92a9a3723a85a4e1da902c28bf9d0c4bfb46e52"_ba;
const QByteArray kSlackSignatureTsFraction =
    "v0=f26f90c17322c78737a6ac96887f9256121b2dd1a48e1f9213618f24c81d5f14"_ba;

// Replay scheme: template "{header:X-Ts}:{raw_body}", secret "replay-secret", no prefix.
const QString kReplaySecret = u"replay-secret"_s;
const QByteArray kReplayBody1 = R"({"n":1})"_ba;
const QByteArray kReplayBody2 = R"({"n":2})"_ba;
const QByteArray kReplaySignature1 =
    "9cb376543c3df9ce1845c7ec0d78d4de42a7231ee004b729f06ab8c3890e8814"_ba;
const QByteArray kReplaySignature2 =
    "14457dd30c4c64c37474e9f420442589fe0c5aacc19d9b1481b065d52a90ab7a"_ba;

const QString kApiKey = u"key-0123456789"_s;
const QString kBearerToken = u"tok-abcdef"_s;
const QString kBasicSecret = u"alice:s3cret"_s;
const QByteArray kBasicGood = "Basic YWxpY2U6czNjcmV0"_ba;  // base64("alice:s3cret")
const QByteArray kBasicWrong = "Basic YWxpY2U6d3Jvbmc="_ba; // base64("alice:wrong")

using Headers = std::initializer_list<std::pair<QByteArray, QByteArray>>;

HttpRequest makeRequest(Headers headers, const QByteArray &body = {}, const QString &query = {})
{
    HttpRequest request;
    request.method = u"POST"_s;
    request.path = u"/api/v1/app/hook"_s;
    request.body = body;
    request.query = QUrlQuery(query);
    for (const auto &header : headers) {
        request.headers.append(header);
    }
    return request;
}

QDateTime at(qint64 unixSeconds)
{
    return QDateTime::fromSecsSinceEpoch(unixSeconds, Qt::UTC);
}

SecurityScheme github()
{
    SecurityScheme scheme;
    scheme.type = u"hmac"_s;
    scheme.secretValue = kGithubSecret;
    scheme.signatureHeader = u"X-Hub-Signature-256"_s;
    scheme.signaturePrefix = u"sha256="_s;
    return scheme;
}

SecurityScheme slack(int maxAgeSeconds = 300)
{
    SecurityScheme scheme;
    scheme.type = u"hmac"_s;
    scheme.secretValue = kSlackSecret;
    scheme.signatureHeader = u"X-Slack-Signature"_s;
    scheme.signaturePrefix = u"v0="_s;
    scheme.payloadTemplate = u"v0:{header:X-Slack-Request-Timestamp}:{raw_body}"_s;
    scheme.timestampHeader = u"X-Slack-Request-Timestamp"_s;
    scheme.maxAgeSeconds = maxAgeSeconds;
    return scheme;
}

HttpRequest slackRequest(const QByteArray &timestamp, const QByteArray &signature)
{
    return makeRequest(
        {{"X-Slack-Request-Timestamp"_ba, timestamp}, {"X-Slack-Signature"_ba, signature}},
        kSlackBody);
}

HttpRequest slackRequest()
{
    return slackRequest(QByteArray::number(kSlackTimestamp), kSlackSignature);
}

SecurityScheme replayScheme()
{
    SecurityScheme scheme;
    scheme.type = u"hmac"_s;
    scheme.secretValue = kReplaySecret;
    scheme.signatureHeader = u"X-Sig"_s;
    scheme.payloadTemplate = u"{header:X-Ts}:{raw_body}"_s;
    scheme.timestampHeader = u"X-Ts"_s;
    scheme.maxAgeSeconds = 300;
    return scheme;
}

HttpRequest replayRequest(const QByteArray &body, const QByteArray &signature)
{
    return makeRequest({{"X-Ts"_ba, QByteArray::number(kSlackTimestamp)}, {"X-Sig"_ba, signature}},
                       body);
}

// A request to the replay scheme with body {"i":<i>}. Signed with the library HMAC (the known
// vectors above pin it to openssl) because the memory bound needs thousands of them.
HttpRequest numberedReplayRequest(int i)
{
    const QByteArray body = "{\"i\":"_ba + QByteArray::number(i) + "}"_ba;
    const QByteArray payload = QByteArray::number(kSlackTimestamp) + ':' + body;
    return replayRequest(body, Crypto::hmacSha256Hex(kReplaySecret.toUtf8(), payload).toLatin1());
}

SecurityScheme apiKeyScheme(const QString &in, const QString &name)
{
    SecurityScheme scheme;
    scheme.type = u"apiKey"_s;
    scheme.secretValue = kApiKey;
    scheme.in = in;
    scheme.name = name;
    return scheme;
}

SecurityScheme httpScheme(const QString &authScheme, const QString &secret)
{
    SecurityScheme scheme;
    scheme.type = u"http"_s;
    scheme.scheme = authScheme;
    scheme.secretValue = secret;
    return scheme;
}

SecurityScheme withEnvSecret(SecurityScheme scheme, const QString &variable)
{
    scheme.secretValue.clear();
    scheme.secretEnv = variable;
    return scheme;
}

SecurityScheme withTemplate(SecurityScheme scheme, const QString &payloadTemplate)
{
    scheme.payloadTemplate = payloadTemplate;
    return scheme;
}

QByteArray flipLastHexDigit(QByteArray signature)
{
    const qsizetype last = signature.size() - 1;
    signature[last] = signature.at(last) == '0' ? '1' : '0';
    return signature;
}

// "fresh", "replay" or the error message, for readable comparisons.
QString outcome(const Result<BindingVerdict> &result)
{
    if (!result) {
        return result.error().message;
    }
    return result->replay ? u"replay"_s : u"fresh"_s;
}

BindingVerifier::Environment environmentFrom(const Env &env)
{
    return [env](const QString &name) {
        return env.value(name);
    };
}

} // namespace

class tst_BindingVerifier final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void verify_data();
    void verify();

    void defaultEnvironmentIsReadPerRequest();

    void replayDetectedWithinWindow();
    void replayForgottenAfterWindow();
    void replayNotTrackedWhenDisabled();
    void replayNeedsTimestampHeader();
    void replayIsPerBindingAndSignature();
    void failedRequestIsNotRecorded();
    void replayMemoryIsBounded();

private:
    QDateTime m_now = at(kSlackTimestamp);
    BindingVerifier makeVerifier(Env env = {})
    {
        return BindingVerifier([this] { return m_now; }, environmentFrom(env));
    }
};

void tst_BindingVerifier::verify_data()
{
    QTest::addColumn<SecurityScheme>("scheme");
    QTest::addColumn<HttpRequest>("request");
    QTest::addColumn<Env>("env");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("secret"); // must never appear in an error message

    const qint64 ts = kSlackTimestamp;
    const auto ok = [&](const char *name,
                        const SecurityScheme &scheme,
                        const HttpRequest &request,
                        qint64 now = kSlackTimestamp,
                        const Env &env = {}) {
        QTest::newRow(name) << scheme << request << env << now << true << ErrorCode::Internal
                            << QString() << QString();
    };
    const auto fail = [&](const char *name,
                          const SecurityScheme &scheme,
                          const HttpRequest &request,
                          ErrorCode code,
                          const QString &message,
                          const QString &secret,
                          qint64 now = kSlackTimestamp,
                          const Env &env = {}) {
        QTest::newRow(name) << scheme << request << env << now << false << code << message
                            << secret;
    };
    const auto unauth = ErrorCode::Unauthenticated;
    const QString missingSig = u"missing request signature"_s;
    const QString invalidSig = u"invalid request signature"_s;
    const QString stale = u"stale request timestamp"_s;
    const QString invalidKey = u"invalid API key"_s;
    const QString invalidCreds = u"invalid credentials"_s;
    const QByteArray ghHeader = "X-Hub-Signature-256"_ba;

    // --- hmac, GitHub style -------------------------------------------------------------------
    ok("github: ok", github(), makeRequest({{ghHeader, kGithubSignature}}, kGithubBody));
    ok("github: header name is case-insensitive",
       github(),
       makeRequest({{"x-hub-signature-256"_ba, kGithubSignature}}, kGithubBody));
    ok("github: spaces around the signature",
       github(),
       makeRequest({{ghHeader, "  "_ba + kGithubSignature + "  "_ba}}, kGithubBody));
    ok("github: explicit {raw_body} template",
       withTemplate(github(), u"{raw_body}"_s),
       makeRequest({{ghHeader, kGithubSignature}}, kGithubBody));
    ok("github: unknown placeholder kept verbatim",
       withTemplate(github(), u"{foo}:{raw_body}"_s),
       makeRequest({{ghHeader, kGithubUnknownPlaceholderSignature}}, kGithubBody));
    ok("github: empty body", github(), makeRequest({{ghHeader, kGithubEmptyBodySignature}}));
    ok("github: secret from env",
       withEnvSecret(github(), u"GH_HOOK_SECRET"_s),
       makeRequest({{ghHeader, kGithubSignature}}, kGithubBody),
       ts,
       Env{{u"GH_HOOK_SECRET"_s, kGithubSecret}});
    fail("github: missing signature",
         github(),
         makeRequest({}, kGithubBody),
         unauth,
         missingSig,
         kGithubSecret);
    fail("github: empty signature",
         github(),
         makeRequest({{ghHeader, "  "_ba}}, kGithubBody),
         unauth,
         missingSig,
         kGithubSecret);
    fail("github: wrong signature",
         github(),
         makeRequest({{ghHeader, flipLastHexDigit(kGithubSignature)}}, kGithubBody),
         unauth,
         invalidSig,
         kGithubSecret);
    fail("github: signature too short",
         github(),
         makeRequest({{ghHeader, kGithubSignature.chopped(2)}}, kGithubBody),
         unauth,
         invalidSig,
         kGithubSecret);
    fail("github: signature too long",
         github(),
         makeRequest({{ghHeader, kGithubSignature + "00"_ba}}, kGithubBody),
         unauth,
         invalidSig,
         kGithubSecret);
    fail("github: uppercase hex",
         github(),
         makeRequest({{ghHeader, "sha256="_ba + kGithubSignature.mid(7).toUpper()}}, kGithubBody),
         unauth,
         invalidSig,
         kGithubSecret);
    fail("github: prefix missing",
         github(),
         makeRequest({{ghHeader, kGithubSignature.mid(7)}}, kGithubBody),
         unauth,
         invalidSig,
         kGithubSecret);
    fail("github: body tampered",
         github(),
         makeRequest({{ghHeader, kGithubSignature}}, "Hello, World?"_ba),
         unauth,
         invalidSig,
         kGithubSecret);
    fail("github: signature is the secret itself",
         github(),
         makeRequest({{ghHeader, kGithubSecret.toUtf8()}}, kGithubBody),
         unauth,
         invalidSig,
         kGithubSecret);
    fail("github: env secret differs",
         withEnvSecret(github(), u"GH_HOOK_SECRET"_s),
         makeRequest({{ghHeader, kGithubSignature}}, kGithubBody),
         unauth,
         invalidSig,
         u"another-secret"_s,
         ts,
         Env{{u"GH_HOOK_SECRET"_s, u"another-secret"_s}});

    // --- hmac, Slack style (template with a header, timestamp window) ---------------------------
    const QByteArray tsText = QByteArray::number(ts);
    ok("slack: ok", slack(), slackRequest(), ts + 10);
    ok("slack: template header name is case-insensitive",
       withTemplate(slack(), u"v0:{header:x-slack-request-timestamp}:{raw_body}"_s),
       slackRequest(),
       ts);
    ok("slack: exactly maxAge old", slack(), slackRequest(), ts + 300);
    ok("slack: exactly maxAge ahead", slack(), slackRequest(), ts - 300);
    ok("slack: maxAge 0 means 300", slack(0), slackRequest(), ts + 300);
    ok("slack: custom maxAge", slack(3600), slackRequest(), ts + 3600);
    fail("slack: stale, too old", slack(), slackRequest(), unauth, stale, kSlackSecret, ts + 301);
    fail("slack: stale, from the future",
         slack(),
         slackRequest(),
         unauth,
         stale,
         kSlackSecret,
         ts - 301);
    fail("slack: maxAge 0 means 300, stale",
         slack(0),
         slackRequest(),
         unauth,
         stale,
         kSlackSecret,
         ts + 301);
    fail("slack: custom maxAge, stale",
         slack(60),
         slackRequest(),
         unauth,
         stale,
         kSlackSecret,
         ts + 61);
    fail("slack: unparsable timestamp",
         slack(),
         slackRequest("abc"_ba, kSlackSignatureTsAbc),
         unauth,
         stale,
         kSlackSecret);
    fail("slack: fractional timestamp",
         slack(),
         slackRequest("1531420618.5"_ba, kSlackSignatureTsFraction),
         unauth,
         stale,
         kSlackSecret);
    fail("slack: timestamp header missing",
         slack(),
         makeRequest({{"X-Slack-Signature"_ba, kSlackSignatureTsEmpty}}, kSlackBody),
         unauth,
         stale,
         kSlackSecret);
    fail("slack: timestamp changed after signing",
         slack(),
         slackRequest(QByteArray::number(ts + 1), kSlackSignature),
         unauth,
         invalidSig,
         kSlackSecret);
    fail("slack: missing signature",
         slack(),
         makeRequest({{"X-Slack-Request-Timestamp"_ba, tsText}}, kSlackBody),
         unauth,
         missingSig,
         kSlackSecret);
    fail("slack: wrong signature",
         slack(),
         slackRequest(tsText, flipLastHexDigit(kSlackSignature)),
         unauth,
         invalidSig,
         kSlackSecret);
    fail("slack: wrong signature and stale",
         slack(),
         slackRequest(tsText, flipLastHexDigit(kSlackSignature)),
         unauth,
         invalidSig,
         kSlackSecret,
         ts + 1000);
    fail("slack: GitHub prefix",
         slack(),
         slackRequest(tsText, "sha256="_ba + kSlackSignature.mid(3)),
         unauth,
         invalidSig,
         kSlackSecret);

    // --- apiKey -------------------------------------------------------------------------------
    const SecurityScheme keyHeader = apiKeyScheme(u"header"_s, u"X-Api-Key"_s);
    const SecurityScheme keyQuery = apiKeyScheme(u"query"_s, u"api_key"_s);
    ok("apiKey header: ok", keyHeader, makeRequest({{"X-Api-Key"_ba, kApiKey.toUtf8()}}));
    ok("apiKey header: name is case-insensitive",
       keyHeader,
       makeRequest({{"x-api-key"_ba, kApiKey.toUtf8()}}));
    ok("apiKey query: ok", keyQuery, makeRequest({}, {}, u"api_key="_s + kApiKey));
    fail("apiKey header: wrong",
         keyHeader,
         makeRequest({{"X-Api-Key"_ba, "key-0123456788"_ba}}),
         unauth,
         invalidKey,
         kApiKey);
    fail("apiKey header: prefix of the key",
         keyHeader,
         makeRequest({{"X-Api-Key"_ba, kApiKey.toUtf8().chopped(1)}}),
         unauth,
         invalidKey,
         kApiKey);
    fail("apiKey header: missing", keyHeader, makeRequest({}), unauth, invalidKey, kApiKey);
    fail("apiKey header: key sent in the query",
         keyHeader,
         makeRequest({}, {}, u"X-Api-Key="_s + kApiKey),
         unauth,
         invalidKey,
         kApiKey);
    fail("apiKey query: wrong",
         keyQuery,
         makeRequest({}, {}, u"api_key=nope"_s),
         unauth,
         invalidKey,
         kApiKey);
    fail("apiKey query: missing",
         keyQuery,
         makeRequest({}, {}, u"other=1"_s),
         unauth,
         invalidKey,
         kApiKey);
    fail("apiKey query: key sent in a header",
         keyQuery,
         makeRequest({{"api_key"_ba, kApiKey.toUtf8()}}),
         unauth,
         invalidKey,
         kApiKey);

    // --- http ---------------------------------------------------------------------------------
    const SecurityScheme bearer = httpScheme(u"bearer"_s, kBearerToken);
    const SecurityScheme basic = httpScheme(u"basic"_s, kBasicSecret);
    ok("bearer: ok",
       bearer,
       makeRequest({{"Authorization"_ba, "Bearer "_ba + kBearerToken.toUtf8()}}));
    ok("bearer: scheme is case-insensitive",
       bearer,
       makeRequest({{"authorization"_ba, "bearer "_ba + kBearerToken.toUtf8()}}));
    fail("bearer: wrong",
         bearer,
         makeRequest({{"Authorization"_ba, "Bearer tok-abcdeg"_ba}}),
         unauth,
         invalidCreds,
         kBearerToken);
    fail("bearer: missing", bearer, makeRequest({}), unauth, invalidCreds, kBearerToken);
    fail("bearer: no token",
         bearer,
         makeRequest({{"Authorization"_ba, "Bearer"_ba}}),
         unauth,
         invalidCreds,
         kBearerToken);
    fail("bearer: sent as Basic",
         bearer,
         makeRequest({{"Authorization"_ba, "Basic "_ba + kBearerToken.toUtf8()}}),
         unauth,
         invalidCreds,
         kBearerToken);
    ok("basic: ok", basic, makeRequest({{"Authorization"_ba, kBasicGood}}));
    fail("basic: wrong password",
         basic,
         makeRequest({{"Authorization"_ba, kBasicWrong}}),
         unauth,
         invalidCreds,
         kBasicSecret);
    fail("basic: not base64",
         basic,
         makeRequest({{"Authorization"_ba, "Basic %%%"_ba}}),
         unauth,
         invalidCreds,
         kBasicSecret);
    fail("basic: plain user:pass",
         basic,
         makeRequest({{"Authorization"_ba, "Basic "_ba + kBasicSecret.toUtf8()}}),
         unauth,
         invalidCreds,
         kBasicSecret);
    fail("basic: sent as Bearer",
         basic,
         makeRequest({{"Authorization"_ba, "Bearer "_ba + kBasicSecret.toUtf8()}}),
         unauth,
         invalidCreds,
         kBasicSecret);
    fail("basic: missing", basic, makeRequest({}), unauth, invalidCreds, kBasicSecret);

    // --- none ---------------------------------------------------------------------------------
    SecurityScheme none;
    none.type = u"none"_s;
    ok("none: nothing presented", none, makeRequest({}));

    // --- secret configuration ------------------------------------------------------------------
    // The environment holds the secret under other names: it must not leak into the message.
    const Env otherVariables{{u"OTHER_SECRET"_s, kGithubSecret}, {u"EMPTY_SECRET"_s, QString()}};
    const auto notConfigured = [](const QString &variable) -> QString {
        return u"secret for security scheme is not configured: environment variable "_s + variable
               + u" is unset or empty"_s;
    };
    fail("env secret unset",
         withEnvSecret(github(), u"GH_HOOK_SECRET"_s),
         makeRequest({{ghHeader, kGithubSignature}}, kGithubBody),
         ErrorCode::Internal,
         notConfigured(u"GH_HOOK_SECRET"_s),
         kGithubSecret,
         ts,
         otherVariables);
    fail("env secret empty",
         withEnvSecret(github(), u"EMPTY_SECRET"_s),
         makeRequest({{ghHeader, kGithubSignature}}, kGithubBody),
         ErrorCode::Internal,
         notConfigured(u"EMPTY_SECRET"_s),
         kGithubSecret,
         ts,
         otherVariables);
    fail("env secret unset, apiKey",
         withEnvSecret(keyHeader, u"KEY_VAR"_s),
         makeRequest({{"X-Api-Key"_ba, kApiKey.toUtf8()}}),
         ErrorCode::Internal,
         notConfigured(u"KEY_VAR"_s),
         kApiKey,
         ts,
         Env{{u"OTHER"_s, kApiKey}});
    fail("env secret unset, bearer",
         withEnvSecret(bearer, u"TOKEN_VAR"_s),
         makeRequest({}),
         ErrorCode::Internal,
         notConfigured(u"TOKEN_VAR"_s),
         kBearerToken,
         ts,
         Env{{u"OTHER"_s, kBearerToken}});
    fail("no secret at all",
         withEnvSecret(github(), QString()),
         makeRequest({{ghHeader, kGithubSignature}}, kGithubBody),
         ErrorCode::Internal,
         u"secret for security scheme is not configured"_s,
         kGithubSecret,
         ts,
         otherVariables);
    SecurityScheme both = github();
    both.secretEnv = u"OTHER_SECRET"_s;
    ok("secretValue wins over secretEnv",
       both,
       makeRequest({{ghHeader, kGithubSignature}}, kGithubBody),
       ts,
       Env{{u"OTHER_SECRET"_s, u"not-this-one"_s}});
}

void tst_BindingVerifier::verify()
{
    QFETCH(SecurityScheme, scheme);
    QFETCH(HttpRequest, request);
    QFETCH(Env, env);
    QFETCH(qint64, now);
    QFETCH(bool, ok);
    QFETCH(ErrorCode, code);
    QFETCH(QString, message);
    QFETCH(QString, secret);

    BindingVerifier verifier([now] { return at(now); }, environmentFrom(env));
    const Result<BindingVerdict> result = verifier.verify(u"app/hook"_s, scheme, request, true);
    const QString got = result ? u"ok"_s : result.error().message;
    if (ok) {
        QVERIFY2(result.hasValue(), qPrintable(got));
        QVERIFY(!result->replay);
        return;
    }
    QVERIFY2(!result.hasValue(), "verification passed unexpectedly");
    QCOMPARE(result.error().code, code);
    QCOMPARE(result.error().message, message);
    QVERIFY(!secret.isEmpty());
    QVERIFY2(!got.contains(secret, Qt::CaseInsensitive), qPrintable(got));
    QVERIFY(result.error().machineCode.isEmpty());
}

void tst_BindingVerifier::defaultEnvironmentIsReadPerRequest()
{
    const char *variable = "GESTALT_TST_BINDING_VERIFIER_TOKEN";
    const auto cleanup = qScopeGuard([variable] { qunsetenv(variable); });
    BindingVerifier verifier([this] { return m_now; });
    const SecurityScheme scheme =
        withEnvSecret(httpScheme(u"bearer"_s, {}), QString::fromLatin1(variable));
    const HttpRequest request = makeRequest({{"Authorization"_ba, "Bearer first-token"_ba}});

    qputenv(variable, "first-token");
    QVERIFY(verifier.verify(u"app/hook"_s, scheme, request, false).hasValue());

    qputenv(variable, "second-token");
    const auto rotated = verifier.verify(u"app/hook"_s, scheme, request, false);
    QVERIFY(!rotated.hasValue());
    QCOMPARE(rotated.error().message, u"invalid credentials"_s);

    qunsetenv(variable);
    const auto unset = verifier.verify(u"app/hook"_s, scheme, request, false);
    QVERIFY(!unset.hasValue());
    QCOMPARE(unset.error().code, ErrorCode::Internal);
    QVERIFY(unset.error().message.contains(QString::fromLatin1(variable)));
    QVERIFY(!unset.error().message.contains(u"first-token"_s));
    QVERIFY(!unset.error().message.contains(u"second-token"_s));
}

void tst_BindingVerifier::replayDetectedWithinWindow()
{
    BindingVerifier verifier = makeVerifier();
    const HttpRequest request = replayRequest(kReplayBody1, kReplaySignature1);
    m_now = at(kSlackTimestamp);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), request, true)), u"fresh"_s);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), request, true)), u"replay"_s);

    m_now = at(kSlackTimestamp + 300); // first seen exactly maxAge ago: still inside the window
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), request, true)), u"replay"_s);
}

void tst_BindingVerifier::replayForgottenAfterWindow()
{
    // First seen 200 s before its timestamp (the window allows clocks ahead), so the timestamp is
    // still fresh when the replay window of the first sighting has passed.
    BindingVerifier verifier = makeVerifier();
    const HttpRequest request = replayRequest(kReplayBody1, kReplaySignature1);
    m_now = at(kSlackTimestamp - 200);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), request, true)), u"fresh"_s);

    m_now = at(kSlackTimestamp + 100); // 300 s after first seen
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), request, true)), u"replay"_s);

    m_now = at(kSlackTimestamp + 101); // 301 s after first seen: forgotten
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), request, true)), u"fresh"_s);

    // ... and remembered again from now on.
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), request, true)), u"replay"_s);
}

void tst_BindingVerifier::replayNotTrackedWhenDisabled()
{
    BindingVerifier verifier = makeVerifier();
    const HttpRequest request = replayRequest(kReplayBody1, kReplaySignature1);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), request, false)), u"fresh"_s);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), request, false)), u"fresh"_s);
}

void tst_BindingVerifier::replayNeedsTimestampHeader()
{
    BindingVerifier verifier = makeVerifier();
    const HttpRequest request =
        makeRequest({{"X-Hub-Signature-256"_ba, kGithubSignature}}, kGithubBody);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, github(), request, true)), u"fresh"_s);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, github(), request, true)), u"fresh"_s);
}

void tst_BindingVerifier::replayIsPerBindingAndSignature()
{
    BindingVerifier verifier = makeVerifier();
    const HttpRequest one = replayRequest(kReplayBody1, kReplaySignature1);
    const HttpRequest two = replayRequest(kReplayBody2, kReplaySignature2);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), one, true)), u"fresh"_s);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), two, true)), u"fresh"_s);
    QCOMPARE(outcome(verifier.verify(u"app/hook2"_s, replayScheme(), one, true)), u"fresh"_s);
    QCOMPARE(outcome(verifier.verify(u"other/hook"_s, replayScheme(), one, true)), u"fresh"_s);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), one, true)), u"replay"_s);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), two, true)), u"replay"_s);
    QCOMPARE(outcome(verifier.verify(u"app/hook2"_s, replayScheme(), one, true)), u"replay"_s);
}

void tst_BindingVerifier::failedRequestIsNotRecorded()
{
    BindingVerifier verifier = makeVerifier();
    const HttpRequest good = replayRequest(kReplayBody1, kReplaySignature1);
    const HttpRequest tampered = replayRequest(kReplayBody2, kReplaySignature1);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), tampered, true)),
             u"invalid request signature"_s);
    m_now = at(kSlackTimestamp + 400);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), good, true)),
             u"stale request timestamp"_s);
    m_now = at(kSlackTimestamp);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, replayScheme(), good, true)), u"fresh"_s);
}

void tst_BindingVerifier::replayMemoryIsBounded()
{
    // 10000 other signatures after the first push it out (the oldest go first), while the newest
    // are still remembered.
    constexpr int kCapacity = 10000;
    BindingVerifier verifier = makeVerifier();
    const SecurityScheme scheme = replayScheme();
    const QDateTime start = at(kSlackTimestamp);
    const HttpRequest first = replayRequest(kReplayBody1, kReplaySignature1);
    m_now = start;
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, scheme, first, true)), u"fresh"_s);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, scheme, first, true)), u"replay"_s);
    for (int i = 0; i < kCapacity; ++i) {
        m_now = start.addMSecs(i + 1);
        const QString got =
            outcome(verifier.verify(u"app/hook"_s, scheme, numberedReplayRequest(i), true));
        if (got != u"fresh"_s) {
            QFAIL(qPrintable(u"request "_s + QString::number(i) + u": "_s + got));
        }
    }
    m_now = start.addMSecs(kCapacity + 1);
    QCOMPARE(
        outcome(verifier.verify(u"app/hook"_s, scheme, numberedReplayRequest(kCapacity - 1), true)),
        u"replay"_s);
    QCOMPARE(outcome(verifier.verify(u"app/hook"_s, scheme, first, true)), u"fresh"_s);
}

QTEST_GUILESS_MAIN(tst_BindingVerifier)
#include "tst_bindingverifier.moc"
