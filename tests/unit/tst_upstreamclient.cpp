// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "apps/RequestBuilder.h"
#include "apps/UpstreamClient.h"
#include "support/FakeUpstream.h"
#include "support/HttpbinProcess.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>
#include <optional>

using namespace Gestalt;
using namespace Gestalt::Test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr int kWaitMs = 30000; // a bound for waiting on events, not a timing assertion

// What the callback saw: how often it ran and with what.
struct Outcome
{
    int calls = 0;
    std::optional<Result<UpstreamResponse>> result;
};

UpstreamClient::Callback recordInto(const std::shared_ptr<Outcome> &outcome)
{
    return [outcome](Result<UpstreamResponse> result) {
        ++outcome->calls;
        outcome->result.emplace(std::move(result));
    };
}

UpstreamRequest plainRequest(const QString &method,
                             const QString &url,
                             const QByteArray &body = {},
                             QList<std::pair<QByteArray, QByteArray>> headers = {})
{
    return UpstreamRequest{method, QUrl(url), std::move(headers), body};
}

QByteArray headerOf(const UpstreamResponse &response, const QByteArray &name)
{
    for (const auto &[key, value] : response.headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

bool hasHeader(const UpstreamResponse &response, const QByteArray &name)
{
    return std::any_of(response.headers.cbegin(), response.headers.cend(), [&name](const auto &h) {
        return h.first.compare(name, Qt::CaseInsensitive) == 0;
    });
}

// A loopback port with nothing listening on it.
quint16 closedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0)) {
        return 0;
    }
    return probe.serverPort(); // closed when `probe` goes
}

// Lets queued events run, so a second (wrong) callback would have had its chance.
void drainEvents()
{
    for (int i = 0; i < 5; ++i) {
        QCoreApplication::processEvents();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
}

} // namespace

class tst_UpstreamClient final : public QObject
{
    Q_OBJECT

private:
    // Sends one request and waits for its callback.
    Result<UpstreamResponse> call(const UpstreamRequest &request,
                                  const UpstreamOptions &options = {})
    {
        auto outcome = std::make_shared<Outcome>();
        const auto handle = m_client->send(request, options, recordInto(outcome));
        if (!QTest::qWaitFor([&] { return outcome->calls > 0; }, kWaitMs)) {
            return Error::internal(u"no callback within the test bound"_s);
        }
        drainEvents();
        if (outcome->calls != 1) {
            return Error::internal(u"callback ran %1 times"_s.arg(outcome->calls));
        }
        return std::move(*outcome->result);
    }

    static void
    verifyFailure(const Result<UpstreamResponse> &result, ErrorCode code, const QString &message)
    {
        QVERIFY2(!result, "expected a failure, got a response");
        QCOMPARE(result.error().message, message);
        QCOMPARE(result.error().code, code);
    }

    static QJsonObject jsonOf(const Result<UpstreamResponse> &result)
    {
        return QJsonDocument::fromJson(result->body).object();
    }

    HttpbinProcess m_httpbin;
    std::unique_ptr<FakeUpstream> m_fake;
    std::unique_ptr<UpstreamClient> m_client;

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString())); }

    void init()
    {
        QTest::failOnWarning(QRegularExpression(u".*"_s));
        m_client = std::make_unique<UpstreamClient>();
        m_fake = std::make_unique<FakeUpstream>();
        QVERIFY(m_fake->start());
    }

    void cleanup()
    {
        m_client.reset();
        m_fake.reset();
        drainEvents();
    }

    // --- egress allow-list (pure) ---------------------------------------------------------

    void hostAllowed_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QStringList>("allowed");
        QTest::addColumn<bool>("expected");
        const QStringList list{u"api.example.com"_s, u"*.corp.test"_s};
        QTest::newRow("empty list allows all") << u"anything.org"_s << QStringList() << true;
        QTest::newRow("exact") << u"api.example.com"_s << list << true;
        QTest::newRow("case-insensitive") << u"API.Example.COM"_s << list << true;
        QTest::newRow("trailing dot") << u"api.example.com."_s << list << true;
        QTest::newRow("other host") << u"evil.com"_s << list << false;
        QTest::newRow("suffix trick") << u"notapi.example.com"_s << list << false;
        QTest::newRow("subdomain of exact entry") << u"x.api.example.com"_s << list << false;
        QTest::newRow("wildcard subdomain") << u"a.corp.test"_s << list << true;
        QTest::newRow("wildcard deep subdomain") << u"a.b.corp.test"_s << list << true;
        QTest::newRow("wildcard is not the apex") << u"corp.test"_s << list << false;
        QTest::newRow("wildcard suffix trick") << u"evilcorp.test"_s << list << false;
        QTest::newRow("loopback not listed") << u"127.0.0.1"_s << list << false;
        QTest::newRow("empty host") << QString() << list << false;
    }

    void hostAllowed()
    {
        QFETCH(QString, host);
        QFETCH(QStringList, allowed);
        QFETCH(bool, expected);
        QCOMPARE(UpstreamClient::hostAllowed(host, allowed), expected);
    }

    // --- against httpbin ------------------------------------------------------------------

    void getEchoesQueryAndCredential()
    {
        AppDefinition app;
        app.name = u"httpbin"_s;
        app.baseUrl = m_httpbin.baseUrl();
        app.headers.insert(u"X-App"_s, u"{tenant}"_s);
        Operation op;
        op.id = u"anything"_s;
        op.method = u"GET"_s;
        op.path = u"/anything/{kind}"_s;
        OperationParameter kind;
        kind.name = kind.wireName = u"kind"_s;
        kind.location = u"path"_s;
        op.parameters = {kind};
        const AuthConfig auth;
        const CredentialMaterial credential{u"tok-123"_s, {{u"tenant"_s, u"acme"_s}}};
        const QJsonObject params{
            {u"kind"_s, u"things"_s}, {u"q"_s, u"x y"_s}, {u"tag"_s, QJsonArray{u"a"_s, u"b"_s}}};
        const Result<UpstreamRequest> request =
            RequestBuilder::build(app, op, params, &auth, &credential);
        QVERIFY(request);

        const Result<UpstreamResponse> result = call(*request);
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->status, 200);
        const QJsonObject echo = jsonOf(result);
        QCOMPARE(echo.value(u"method"_s).toString(), u"GET"_s);
        QVERIFY(echo.value(u"url"_s).toString().contains(u"/anything/things"_s));
        QCOMPARE(echo.value(u"args"_s).toObject().value(u"q"_s).toString(), u"x y"_s);
        QCOMPARE(echo.value(u"args"_s).toObject().value(u"tag"_s).toArray(),
                 (QJsonArray{u"a"_s, u"b"_s}));
        const QJsonObject headers = echo.value(u"headers"_s).toObject();
        QCOMPARE(headers.value(u"Authorization"_s).toString(), u"Bearer tok-123"_s);
        QCOMPARE(headers.value(u"X-App"_s).toString(), u"acme"_s);
        QCOMPARE(headers.value(u"User-Agent"_s).toString(), u"gestaltd"_s);
    }

    void postJsonBodyArrives()
    {
        const QByteArray body = R"({"name":"ann","tags":["a"],"n":3})"_ba;
        const Result<UpstreamResponse> result =
            call(plainRequest(u"POST"_s,
                              m_httpbin.baseUrl() + u"/anything"_s,
                              body,
                              {{"Content-Type"_ba, "application/json; charset=utf-8"_ba}}));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->status, 200);
        const QJsonObject echo = jsonOf(result);
        QCOMPARE(echo.value(u"method"_s).toString(), u"POST"_s);
        QCOMPARE(echo.value(u"json"_s).toObject(), QJsonDocument::fromJson(body).object());
    }

    void methods_data()
    {
        QTest::addColumn<QString>("method");
        QTest::newRow("PUT") << u"PUT"_s;
        QTest::newRow("PATCH") << u"PATCH"_s;
        QTest::newRow("DELETE") << u"DELETE"_s;
    }

    void methods()
    {
        QFETCH(QString, method);
        const Result<UpstreamResponse> result =
            call(plainRequest(method,
                              m_httpbin.baseUrl() + u"/anything"_s,
                              "{\"k\":1}"_ba,
                              {{"Content-Type"_ba, "application/json"_ba}}));
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        QCOMPARE(jsonOf(result).value(u"method"_s).toString(), method);
        QCOMPARE(jsonOf(result).value(u"json"_s).toObject().value(u"k"_s).toInt(), 1);
    }

    void headHasNoBody()
    {
        const Result<UpstreamResponse> result =
            call(plainRequest(u"HEAD"_s, m_httpbin.baseUrl() + u"/get"_s));
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        QVERIFY(result->body.isEmpty());
    }

    void httpErrorIsAResponse()
    {
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_httpbin.baseUrl() + u"/status/418"_s));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->status, 418);
        QVERIFY(result->body.contains("teapot"));
        QCOMPARE(headerOf(*result, "x-more-info"), "http://tools.ietf.org/html/rfc2324"_ba);
    }

    void serverErrorIsAResponse()
    {
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_httpbin.baseUrl() + u"/status/503"_s));
        QVERIFY(result);
        QCOMPARE(result->status, 503);
    }

    void timeout()
    {
        UpstreamOptions options;
        options.timeout = 1s;
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_httpbin.baseUrl() + u"/delay/3"_s), options);
        verifyFailure(result, ErrorCode::BadGateway, u"upstream service timed out"_s);
    }

    void contentTypePassthrough_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("contentType");
        QTest::newRow("json") << u"/get"_s << "application/json"_ba;
        QTest::newRow("xml") << u"/xml"_s << "application/xml"_ba;
        QTest::newRow("html") << u"/html"_s << "text/html; charset=utf-8"_ba;
        QTest::newRow("plain text") << u"/robots.txt"_s << "text/plain"_ba;
    }

    void contentTypePassthrough()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, contentType);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_httpbin.baseUrl() + path));
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        QCOMPARE(result->contentType, contentType);
        QCOMPARE(headerOf(*result, "Content-Type"), contentType);
    }

    void gzipIsDecoded()
    {
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_httpbin.baseUrl() + u"/gzip"_s));
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        QVERIFY(jsonOf(result).value(u"gzipped"_s).toBool());
        QVERIFY(!hasHeader(*result, "Content-Encoding"));
        QVERIFY(!hasHeader(*result, "Content-Length"));
    }

    void redirectIsPassedThrough()
    {
        const Result<UpstreamResponse> result = call(plainRequest(
            u"GET"_s, m_httpbin.baseUrl() + u"/redirect-to?url=%2Fget&status_code=302"_s));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->status, 302);
        QCOMPARE(headerOf(*result, "Location"), "/get"_ba);
    }

    void concurrentSlowCallsDoNotBlock()
    {
        QStringList order;
        std::vector<std::shared_ptr<UpstreamCall>> calls;
        int slowOk = 0;
        for (int i = 0; i < 20; ++i) {
            calls.push_back(
                m_client->send(plainRequest(u"GET"_s, m_httpbin.baseUrl() + u"/delay/1"_s),
                               {},
                               [&order, &slowOk](Result<UpstreamResponse> result) {
                                   order.append(u"slow"_s);
                                   slowOk += result && result->status == 200 ? 1 : 0;
                               }));
        }
        // Another upstream, asked while all of them are in flight (or queued: six connections
        // per host), answers first: nothing waits for the slow ones.
        calls.push_back(m_client->send(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/fast"_s),
                                       {},
                                       [&order](Result<UpstreamResponse> result) {
                                           order.append(result ? u"fast"_s : u"fast failed"_s);
                                       }));
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 21, 60000);
        QCOMPARE(order.first(), u"fast"_s);
        QCOMPARE(slowOk, 20);
    }

    // --- against the fake upstream: what httpbin cannot do --------------------------------

    void connectionRefused()
    {
        const quint16 port = closedPort();
        QVERIFY(port != 0);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, u"http://127.0.0.1:%1/x"_s.arg(port)));
        verifyFailure(result, ErrorCode::BadGateway, u"failed to reach upstream service"_s);
    }

    void resetMidResponse()
    {
        m_fake->setBehaviour(FakeUpstream::Behaviour::Reset);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
        verifyFailure(result, ErrorCode::BadGateway, u"failed to reach upstream service"_s);
    }

    void garbageIsInvalid()
    {
        m_fake->setBehaviour(FakeUpstream::Behaviour::Garbage);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
        verifyFailure(result, ErrorCode::BadGateway, u"invalid response from upstream service"_s);
    }

    void malformedResponses_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::newRow("no status line") << "HELLO there\r\n\r\n"_ba;
        QTest::newRow("status code not a number")
            << "HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\n{}"_ba;
        QTest::newRow("NUL bytes") << QByteArray("\0\0\0\0\r\n\r\n", 8);
        QTest::newRow("closed without a reply") << QByteArray();
    }

    void malformedResponses()
    {
        QFETCH(QByteArray, raw);
        m_fake->setRawReply(raw);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
        verifyFailure(result, ErrorCode::BadGateway, u"invalid response from upstream service"_s);
    }

    void truncatedBody()
    {
        m_fake->setRawReply("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}"_ba);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
        verifyFailure(result, ErrorCode::BadGateway, u"failed to reach upstream service"_s);
    }

    void bodySizeLimit_data()
    {
        QTest::addColumn<qint64>("bytes");
        QTest::addColumn<bool>("declareLength");
        QTest::addColumn<bool>("tooLarge");
        const qint64 mb = 1024 * 1024;
        QTest::newRow("declared length over the cap") << 3 * mb << true << true;
        QTest::newRow("undeclared length over the cap") << 3 * mb << false << true;
        QTest::newRow("one byte over the cap") << mb + 1 << false << true;
        QTest::newRow("exactly the cap") << mb << true << false;
        QTest::newRow("under the cap, undeclared") << 1000LL << false << false;
    }

    void bodySizeLimit()
    {
        QFETCH(qint64, bytes);
        QFETCH(bool, declareLength);
        QFETCH(bool, tooLarge);
        m_fake->setBodySize(bytes, declareLength);
        UpstreamOptions options;
        options.maxBodyBytes = 1024 * 1024;
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/big"_s), options);
        if (tooLarge) {
            verifyFailure(
                result, ErrorCode::BadGateway, u"upstream response exceeds the size limit"_s);
        } else {
            QVERIFY(result);
            QCOMPARE(result->body.size(), bytes);
        }
    }

    void headWithALargeDeclaredLength()
    {
        m_fake->setRawReply("HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n"_ba);
        UpstreamOptions options;
        options.maxBodyBytes = 1024 * 1024;
        const Result<UpstreamResponse> result =
            call(plainRequest(u"HEAD"_s, m_fake->baseUrl() + u"/big"_s), options);
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->status, 200);
        QVERIFY(result->body.isEmpty());
    }

    void hangingServerTimesOut()
    {
        m_fake->setBehaviour(FakeUpstream::Behaviour::Hang);
        UpstreamOptions options;
        options.timeout = 300ms;
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), options);
        verifyFailure(result, ErrorCode::BadGateway, u"upstream service timed out"_s);
    }

    void defaultContentType()
    {
        m_fake->setReply(200, {}, "{\"ok\":true}"_ba);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
        QVERIFY(result);
        QCOMPARE(result->contentType, "application/json"_ba);
        QCOMPARE(result->body, "{\"ok\":true}"_ba);
    }

    void cookiesAreNeitherStoredNorSent()
    {
        m_fake->setReply(200, {{"Set-Cookie"_ba, "session=abc; Path=/"_ba}}, "{}"_ba);
        QVERIFY(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/a"_s)));
        QVERIFY(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/b"_s)));
        QCOMPARE(m_fake->requests().size(), 2);
        QVERIFY(!m_fake->requests().at(1).toLower().contains("cookie:"));
    }

    void abortInFlight()
    {
        m_fake->setBehaviour(FakeUpstream::Behaviour::Hang);
        QSignalSpy received(m_fake.get(), &FakeUpstream::requestReceived);
        auto outcome = std::make_shared<Outcome>();
        const auto handle = m_client->send(
            plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), {}, recordInto(outcome));
        QVERIFY(received.wait(kWaitMs));
        QCOMPARE(outcome->calls, 0);
        handle->abort();
        QCOMPARE(outcome->calls, 1); // at once
        verifyFailure(*outcome->result, ErrorCode::BadGateway, u"upstream call canceled"_s);
        handle->abort(); // a second abort is a no-op
        drainEvents();
        QCOMPARE(outcome->calls, 1);
    }

    void abortAfterCompletionIsANoOp()
    {
        auto outcome = std::make_shared<Outcome>();
        const auto handle = m_client->send(
            plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), {}, recordInto(outcome));
        QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, kWaitMs);
        drainEvents();
        handle->abort();
        QCOMPARE(outcome->calls, 1);
        QVERIFY(*outcome->result);
    }

    void clientDestructionCancels()
    {
        m_fake->setBehaviour(FakeUpstream::Behaviour::Hang);
        QSignalSpy received(m_fake.get(), &FakeUpstream::requestReceived);
        auto outcome = std::make_shared<Outcome>();
        const auto handle = m_client->send(
            plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), {}, recordInto(outcome));
        QVERIFY(received.wait(kWaitMs));
        m_client.reset();
        QCOMPARE(outcome->calls, 1);
        verifyFailure(*outcome->result, ErrorCode::BadGateway, u"upstream call canceled"_s);
        handle->abort(); // the handle outlives the client safely
        drainEvents();
        QCOMPARE(outcome->calls, 1);
    }

    void egressDeniedWithoutTraffic()
    {
        UpstreamOptions options;
        options.allowedHosts = {u"api.example.com"_s};
        auto outcome = std::make_shared<Outcome>();
        const auto handle = m_client->send(
            plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), options, recordInto(outcome));
        QCOMPARE(outcome->calls, 0); // never from inside send()
        QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, kWaitMs);
        verifyFailure(*outcome->result,
                      ErrorCode::Forbidden,
                      u"egress to host \"127.0.0.1\" is not allowed for this app"_s);
        drainEvents();
        QCOMPARE(outcome->calls, 1);
        QCOMPARE(m_fake->connectionCount(), 0);
    }

    void nonHttpSchemeDenied()
    {
        auto outcome = std::make_shared<Outcome>();
        const auto handle = m_client->send(
            plainRequest(u"GET"_s, u"file:///etc/passwd"_s), {}, recordInto(outcome));
        QCOMPARE(outcome->calls, 0);
        QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, kWaitMs);
        QVERIFY(!*outcome->result);
        QCOMPARE(outcome->result->error().code, ErrorCode::Forbidden);
    }

    void clientDestroyedBeforeEarlyFailureIsDelivered()
    {
        UpstreamOptions options;
        options.allowedHosts = {u"api.example.com"_s};
        auto outcome = std::make_shared<Outcome>();
        const auto handle = m_client->send(
            plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), options, recordInto(outcome));
        m_client.reset();
        QCOMPARE(outcome->calls, 1);
        drainEvents();
        QCOMPARE(outcome->calls, 1);
    }

    void allowedHostIsCalled()
    {
        UpstreamOptions options;
        options.allowedHosts = {u"127.0.0.1"_s};
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), options);
        QVERIFY(result);
        QCOMPARE(m_fake->connectionCount(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_UpstreamClient)
#include "tst_upstreamclient.moc"
