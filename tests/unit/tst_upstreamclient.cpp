// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/HttpConnectionPool.h"
#include "httpclient/UpstreamClient.h"
#include "invocation/RequestBuilder.h"
#include "support/FakeUpstream.h"
#include "support/HttpbinProcess.h"
#include "support/LocalEgress.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
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

// The local test upstreams are hosts the "config" names: they may resolve to loopback.
UpstreamOptions localOptions()
{
    UpstreamOptions options;
    options.egress = Test::localEgress();
    return options;
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

// A TLS server with a fresh self-signed certificate for 127.0.0.1. It records the connections it
// accepted and the plaintext that came through; with answering set, it replies to every request
// head with 200 "{}" and keeps the connection open.
class SelfSignedTlsServer final : public QTcpServer
{
public:
    // Makes a fresh key and certificate for 127.0.0.1 with the openssl command line tool.
    // False with `error` set when that is not possible here.
    bool start(QString &error)
    {
        if (!QSslSocket::supportsSsl()) {
            error = u"no TLS backend"_s;
            return false;
        }
        const QString openssl = QStandardPaths::findExecutable(u"openssl"_s);
        if (openssl.isEmpty() || !m_dir.isValid()) {
            error = u"the openssl tool is not installed"_s;
            return false;
        }
        const QString keyPath = m_dir.filePath(u"key.pem"_s);
        const QString certPath = m_dir.filePath(u"cert.pem"_s);
        QProcess process;
        process.start(openssl,
                      {u"req"_s,
                       u"-x509"_s,
                       u"-newkey"_s,
                       u"ec"_s,
                       u"-pkeyopt"_s,
                       u"ec_paramgen_curve:prime256v1"_s,
                       u"-nodes"_s,
                       u"-keyout"_s,
                       keyPath,
                       u"-out"_s,
                       certPath,
                       u"-days"_s,
                       u"1"_s,
                       u"-subj"_s,
                       u"/CN=127.0.0.1"_s,
                       u"-addext"_s,
                       u"subjectAltName=IP:127.0.0.1"_s});
        if (!process.waitForFinished(kWaitMs) || process.exitCode() != 0) {
            error =
                u"openssl req failed: "_s + QString::fromLocal8Bit(process.readAllStandardError());
            return false;
        }
        const QList<QSslCertificate> certificates = QSslCertificate::fromPath(certPath);
        QFile keyFile(keyPath);
        if (certificates.isEmpty() || !keyFile.open(QIODevice::ReadOnly)) {
            error = u"cannot read the generated certificate"_s;
            return false;
        }
        m_certificate = certificates.first();
        m_key = QSslKey(keyFile.readAll(), QSsl::Ec);
        if (m_key.isNull() || !listen(QHostAddress::LocalHost, 0)) {
            error = u"cannot load the key or listen"_s;
            return false;
        }
        return true;
    }

    void setAnswering(bool answering) { m_answering = answering; }
    [[nodiscard]] const QSslCertificate &certificate() const { return m_certificate; }
    [[nodiscard]] int connections() const { return m_connections; }
    [[nodiscard]] const QByteArray &plaintext() const { return m_plaintext; }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        ++m_connections;
        socket->setLocalCertificate(m_certificate);
        socket->setPrivateKey(m_key);
        connect(socket, &QSslSocket::readyRead, socket, [this, socket] {
            const QByteArray bytes = socket->readAll();
            m_plaintext += bytes;
            if (m_answering) {
                for (qsizetype i = 0; i < bytes.count("\r\n\r\n"); ++i) {
                    socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"_ba);
                }
            }
        });
        connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
        socket->startServerEncryption();
    }

private:
    QTemporaryDir m_dir;
    QSslCertificate m_certificate;
    QSslKey m_key;
    int m_connections = 0;
    QByteArray m_plaintext;
    bool m_answering = false;
};

// A gzip-less compressed body for Content-Encoding: deflate (the zlib format).
QByteArray zlibFormat(const QByteArray &data)
{
    return qCompress(data).mid(4); // qCompress prefixes the length
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
                                  const UpstreamOptions &options = localOptions())
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

    void defaultActionDenyWithoutAllowedHostsReachesNothing()
    {
        EgressPolicy policy;
        policy.defaultAction = EgressAction::Deny;
        const Result<void> checked = policy.checkHost(u"api.example.com"_s);
        QVERIFY(!checked);
        QCOMPARE(checked.error().code, ErrorCode::Forbidden);
        policy.allowedHosts = {u"api.example.com"_s};
        QVERIFY(policy.checkHost(u"api.example.com"_s));
    }

    void hostAllowed()
    {
        QFETCH(QString, host);
        QFETCH(QStringList, allowed);
        QFETCH(bool, expected);
        EgressPolicy policy;
        policy.allowedHosts = allowed;
        QCOMPARE(policy.checkHost(host).hasValue(), expected);
    }

    // --- private addresses (pure) ---------------------------------------------------------

    void publicAddress_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("expected");
        const auto row = [](const char *text, bool expected) {
            QTest::newRow(text) << QString::fromLatin1(text) << expected;
        };
        // IPv4
        row("0.0.0.0", false);
        row("0.1.2.3", false);
        row("127.0.0.1", false);
        row("127.255.255.254", false);
        row("10.0.0.1", false);
        row("10.255.255.255", false);
        row("172.16.0.1", false);
        row("172.31.255.255", false);
        row("172.15.255.255", true);
        row("172.32.0.0", true);
        row("192.168.1.1", false);
        row("192.167.255.255", true);
        row("169.254.169.254", false);
        row("169.254.0.1", false);
        row("100.64.0.1", false);
        row("100.127.255.255", false);
        row("100.63.255.255", true);
        row("100.128.0.0", true);
        row("192.0.0.1", false);
        row("192.0.1.1", true);
        row("198.18.0.1", false);
        row("198.19.255.255", false);
        row("198.20.0.0", true);
        row("224.0.0.1", false);
        row("239.255.255.250", false);
        row("240.0.0.1", false);
        row("255.255.255.255", false);
        row("8.8.8.8", true);
        row("93.184.216.34", true);
        row("1.1.1.1", true);
        // IPv6
        row("::", false);
        row("::1", false);
        row("fc00::1", false);
        row("fd12:3456::1", false);
        row("fe80::1", false);
        row("febf::1", false);
        row("fec0::1", false);
        row("ff02::1", false);
        row("100::1", false);
        row("64:ff9b:1::1", false);
        row("2606:4700:4700::1111", true);
        row("2001:4860:4860::8888", true);
        // IPv6 carrying an IPv4 address: judged by it
        row("::ffff:127.0.0.1", false);
        row("::ffff:169.254.169.254", false);
        row("::ffff:10.1.2.3", false);
        row("::ffff:8.8.8.8", true);
        row("::127.0.0.1", false);
        row("::8.8.8.8", true);
        row("64:ff9b::127.0.0.1", false);
        row("64:ff9b::a9fe:a9fe", false);
        row("64:ff9b::8.8.8.8", true);
        row("2002:7f00:1::1", false);
        row("2002:c0a8:101::1", false);
        row("2002:808:808::1", true);
    }

    void publicAddress()
    {
        QFETCH(QString, address);
        QFETCH(bool, expected);
        const QHostAddress parsed(address);
        QVERIFY2(!parsed.isNull(), qPrintable(address));
        QCOMPARE(EgressPolicy::isPublicAddress(parsed), expected);
    }

    void nullAddressIsNotPublic() { QVERIFY(!EgressPolicy::isPublicAddress(QHostAddress())); }

    void onlyNamedHostsMayResolveAnywhere()
    {
        EgressPolicy policy;
        QVERIFY(policy.requiresPublicAddress(u"api.example.com"_s));       // names nothing
        policy.addNamedUrl(u"https://API.example.com:8443/v1/{tenant}"_s); // placeholder in path
        policy.addNamedUrl(u"http://{host}:8080/"_s);
        policy.addNamedUrl(u"http://{region}.example.net/"_s);
        policy.addNamedUrl(u"http://api{suffix}.example.org/"_s);
        policy.addNamedUrl(u"http://{user}@10.0.0.1/"_s);
        policy.addNamedUrl(u"http://[::1]:9000/mcp"_s);
        policy.addNamedUrl(u"/relative/token"_s);
        policy.addNamedUrl(QString());
        QCOMPARE(policy.namedHosts, (QStringList{u"api.example.com"_s, u"::1"_s}));
        QVERIFY(!policy.requiresPublicAddress(u"api.example.com"_s));
        QVERIFY(!policy.requiresPublicAddress(u"API.EXAMPLE.COM."_s));
        QVERIFY(!policy.requiresPublicAddress(u"::1"_s));
        QVERIFY(policy.requiresPublicAddress(u"eu.example.net"_s));
        QVERIFY(policy.requiresPublicAddress(u"10.0.0.1"_s));
        QVERIFY(policy.requiresPublicAddress(u"x.api.example.com"_s));
        QVERIFY(policy.requiresPublicAddress(QString()));

        // Exact allowedHosts entries are named; wildcards are not.
        policy.allowedHosts = {u"127.0.0.1"_s, u"*.corp.test"_s};
        QVERIFY(!policy.requiresPublicAddress(u"127.0.0.1"_s));
        QVERIFY(policy.requiresPublicAddress(u"a.corp.test"_s));
        QVERIFY(policy.requiresPublicAddress(u"*.corp.test"_s));
    }

    // --- private addresses against a real socket ------------------------------------------

    // A host the policy does not name (a {param}, a discovery result) that is or resolves to a
    // loopback address: refused before any connection, with the host named in the error.
    void unnamedHostResolvingToLoopbackIsRefusedWithoutTraffic_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("literal") << u"127.0.0.1"_s;
        QTest::newRow("name") << u"localhost"_s; // checked after DNS (/etc/hosts)
        QTest::newRow("mapped IPv6") << u"[::ffff:127.0.0.1]"_s;
        QTest::newRow("decimal") << u"2130706433"_s;
    }

    void unnamedHostResolvingToLoopbackIsRefusedWithoutTraffic()
    {
        QFETCH(QString, host);
        const QUrl url(u"http://%1:%2/x"_s.arg(host).arg(m_fake->port()));
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, url.toString()), UpstreamOptions());
        verifyFailure(result,
                      ErrorCode::Forbidden,
                      u"egress to host \"%1\" is not allowed: it resolves to a non-public "
                      "address"_s.arg(url.host(QUrl::FullyEncoded)));
        QCOMPARE(m_fake->connectionCount(), 0);
    }

    // A kept-alive connection opened for a named host is not reused for the same origin when
    // the host is not named (the pool key tells them apart).
    void namedConnectionIsNotReusedForAnUnnamedHost()
    {
        const QString url = m_fake->baseUrl() + u"/x"_s;
        QVERIFY(call(plainRequest(u"GET"_s, url)));
        QCOMPARE(m_fake->connectionCount(), 1);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, url), UpstreamOptions());
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::Forbidden);
        QCOMPARE(m_fake->requests().size(), 1);
        QVERIFY(call(plainRequest(u"GET"_s, url))); // the named one still works, kept alive
        QCOMPARE(m_fake->connectionCount(), 1);
    }

    // A named host is resolved by the connection itself and reached at the address it checked;
    // "localhost" may resolve to ::1 first, where nothing listens: the next address is tried.
    void namedHostIsResolvedAndReached()
    {
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, u"http://localhost:%1/x"_s.arg(m_fake->port())));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->status, 200);
        QVERIFY(m_fake->requests().first().contains("Host: localhost:"));
    }

    // A call aborted, or run out of time, while its host is being resolved calls back once and
    // leaves nothing behind (the lookup is abandoned, never delivered to a deleted connection).
    void callEndedDuringTheLookupCallsBackOnce()
    {
        UpstreamOptions quick = localOptions();
        quick.timeout = 0ms;
        auto timedOut = std::make_shared<Outcome>();
        const auto first =
            m_client->send(plainRequest(u"GET"_s, u"http://localhost:%1/x"_s.arg(m_fake->port())),
                           quick,
                           recordInto(timedOut));
        auto aborted = std::make_shared<Outcome>();
        const auto second =
            m_client->send(plainRequest(u"GET"_s, u"http://localhost:%1/y"_s.arg(m_fake->port())),
                           localOptions(),
                           recordInto(aborted));
        second->abort();
        QCOMPARE(aborted->calls, 1);
        QTRY_COMPARE_WITH_TIMEOUT(timedOut->calls, 1, kWaitMs);
        verifyFailure(*timedOut->result, ErrorCode::BadGateway, u"upstream service timed out"_s);
        verifyFailure(*aborted->result, ErrorCode::BadGateway, u"upstream call canceled"_s);
        QTest::qWait(200); // any lookup result arrives meanwhile
        drainEvents();
        QCOMPARE(timedOut->calls, 1);
        QCOMPARE(aborted->calls, 1);
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
        UpstreamOptions options = localOptions();
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
                               localOptions(),
                               [&order, &slowOk](Result<UpstreamResponse> result) {
                                   order.append(u"slow"_s);
                                   slowOk += result && result->status == 200 ? 1 : 0;
                               }));
        }
        // Another upstream, asked while all of them are in flight, answers first: nothing waits
        // for the slow ones.
        calls.push_back(m_client->send(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/fast"_s),
                                       localOptions(),
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
        UpstreamOptions options = localOptions();
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
        UpstreamOptions options = localOptions();
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
        UpstreamOptions options = localOptions();
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
        const auto handle = m_client->send(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s),
                                           localOptions(),
                                           recordInto(outcome));
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
        const auto handle = m_client->send(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s),
                                           localOptions(),
                                           recordInto(outcome));
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
        const auto handle = m_client->send(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s),
                                           localOptions(),
                                           recordInto(outcome));
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
        UpstreamOptions options = localOptions();
        options.egress.allowedHosts = {u"api.example.com"_s};
        auto outcome = std::make_shared<Outcome>();
        const auto handle = m_client->send(
            plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), options, recordInto(outcome));
        QCOMPARE(outcome->calls, 0); // never from inside send()
        QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, kWaitMs);
        verifyFailure(*outcome->result,
                      ErrorCode::Forbidden,
                      u"egress to host \"127.0.0.1\" is not allowed"_s);
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
        UpstreamOptions options = localOptions();
        options.egress.allowedHosts = {u"api.example.com"_s};
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
        UpstreamOptions options = localOptions();
        options.egress.allowedHosts = {u"127.0.0.1"_s};
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), options);
        QVERIFY(result);
        QCOMPARE(m_fake->connectionCount(), 1);
    }

    // --- our HTTP/1.1 client: keep-alive ----------------------------------------------------

    void sequentialCallsShareOneConnection()
    {
        for (int i = 0; i < 5; ++i) {
            const Result<UpstreamResponse> result =
                call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/n"_s));
            QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
            QCOMPARE(result->status, 200);
        }
        QCOMPARE(m_fake->requests().size(), 5);
        QCOMPARE(m_fake->connectionCount(), 1);
    }

    void connectionReuseFollowsTheResponse_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<int>("connections"); // after two calls
        QTest::newRow("HTTP/1.1 keeps alive")
            << "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"_ba << 1;
        QTest::newRow("Connection: close")
            << "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"_ba << 2;
        QTest::newRow("close among other tokens")
            << "HTTP/1.1 200 OK\r\nConnection: x-foo, Close\r\nContent-Length: 2\r\n\r\n{}"_ba << 2;
        QTest::newRow("HTTP/1.0") << "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"_ba << 2;
        QTest::newRow("HTTP/1.0 with keep-alive")
            << "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}"_ba << 1;
        QTest::newRow("chunked body")
            << "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"_ba << 1;
        QTest::newRow("204 without a body") << "HTTP/1.1 204 No Content\r\n\r\n"_ba << 1;
        QTest::newRow("bytes after the response")
            << "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}EXTRA"_ba << 2;
        QTest::newRow("chunked and Content-Length")
            << "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
               "2\r\n{}\r\n0\r\n\r\n"_ba
            << 2;
    }

    void connectionReuseFollowsTheResponse()
    {
        QFETCH(QByteArray, raw);
        QFETCH(int, connections);
        m_fake->setRawReply(raw, false);
        for (int i = 0; i < 2; ++i) {
            const Result<UpstreamResponse> result =
                call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
            QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        }
        QCOMPARE(m_fake->connectionCount(), connections);
    }

    void connectionNotReusedAfterATimeoutOrAnAbort()
    {
        m_fake->setBehaviour(FakeUpstream::Behaviour::Hang);
        UpstreamOptions options = localOptions();
        options.timeout = 200ms;
        verifyFailure(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), options),
                      ErrorCode::BadGateway,
                      u"upstream service timed out"_s);
        QSignalSpy received(m_fake.get(), &FakeUpstream::requestReceived);
        auto outcome = std::make_shared<Outcome>();
        const auto handle = m_client->send(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/y"_s),
                                           localOptions(),
                                           recordInto(outcome));
        QVERIFY(received.wait(kWaitMs));
        handle->abort();
        m_fake->setReply(200, {}, "{}"_ba);
        QVERIFY(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/z"_s)));
        QCOMPARE(m_fake->connectionCount(), 3);
    }

    // The server closes an idle connection just as the next request goes out on it.
    void staleKeepAliveConnection_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("retried");
        QTest::newRow("GET is sent again") << u"GET"_s << true;
        QTest::newRow("HEAD is sent again") << u"HEAD"_s << true;
        QTest::newRow("PUT is sent again") << u"PUT"_s << true;
        QTest::newRow("DELETE is sent again") << u"DELETE"_s << true;
        QTest::newRow("POST is not") << u"POST"_s << false;
        QTest::newRow("PATCH is not") << u"PATCH"_s << false;
    }

    void staleKeepAliveConnection()
    {
        QFETCH(QString, method);
        QFETCH(bool, retried);
        m_fake->setBehaviour(FakeUpstream::Behaviour::StaleKeepAlive);
        QVERIFY(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/first"_s)));
        const Result<UpstreamResponse> result =
            call(plainRequest(method, m_fake->baseUrl() + u"/second"_s, "{}"_ba));
        if (retried) {
            QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
            QCOMPARE(result->status, 200);
            QCOMPARE(m_fake->connectionCount(), 2);
            QCOMPARE(m_fake->requests().size(), 3);
        } else {
            verifyFailure(result, ErrorCode::BadGateway, u"failed to reach upstream service"_s);
            QCOMPARE(m_fake->connectionCount(), 1);
            QCOMPARE(m_fake->requests().size(), 2);
        }
    }

    void serverClosingAfterEachResponseIsHarmless()
    {
        m_fake->setCloseAfterReply(true); // without a "Connection: close" header
        for (int i = 0; i < 3; ++i) {
            const Result<UpstreamResponse> result =
                call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
            QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        }
        QCOMPARE(m_fake->connectionCount(), 3);
    }

    void callsQueueBeyondTheConnectionCap()
    {
        m_fake->setBehaviour(FakeUpstream::Behaviour::Hang);
        const int cap = HttpConnectionPool::MaxConnectionsPerOrigin;
        std::vector<std::shared_ptr<Outcome>> outcomes;
        std::vector<std::shared_ptr<UpstreamCall>> handles;
        for (int i = 0; i < cap + 2; ++i) {
            outcomes.push_back(std::make_shared<Outcome>());
            handles.push_back(
                m_client->send(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/q%1"_s.arg(i)),
                               localOptions(),
                               recordInto(outcomes.back())));
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_fake->requests().size(), cap, kWaitMs);
        drainEvents();
        QCOMPARE(m_fake->connectionCount(), cap);
        handles.front()->abort(); // frees a connection: the first call in the queue gets one
        QCOMPARE(outcomes.front()->calls, 1);
        QTRY_COMPARE_WITH_TIMEOUT(m_fake->requests().size(), cap + 1, kWaitMs);
        const QByteArray next = "GET /q"_ba + QByteArray::number(cap) + " "_ba;
        QVERIFY(m_fake->requests().last().startsWith(next));
        QCOMPARE(m_fake->connectionCount(), cap + 1);
        QCOMPARE(outcomes.back()->calls, 0);
    }

    // --- stream(): the head and the body as they arrive --------------------------------------

private:
    struct StreamOutcome
    {
        int heads = 0;
        UpstreamResponseHead head;
        QByteArray data;
        int dataCalls = 0;
        int ends = 0;
        std::optional<Result<void>> end;
        std::shared_ptr<UpstreamCall> handle;
    };

    std::shared_ptr<StreamOutcome> startStream(const UpstreamRequest &request,
                                               const UpstreamOptions &options = localOptions(),
                                               bool abortOnData = false)
    {
        auto outcome = std::make_shared<StreamOutcome>();
        UpstreamStreamHandlers handlers;
        // The handlers hold the outcome weakly: it holds the call's handle (no cycle when a
        // stream never ends).
        handlers.head =
            [weak = std::weak_ptr<StreamOutcome>(outcome)](const UpstreamResponseHead &head) {
                if (const std::shared_ptr<StreamOutcome> seen = weak.lock()) {
                    ++seen->heads;
                    seen->head = head;
                }
            };
        handlers.data = [weak = std::weak_ptr<StreamOutcome>(outcome),
                         abortOnData](const QByteArray &chunk) {
            const std::shared_ptr<StreamOutcome> seen = weak.lock();
            if (!seen) {
                return;
            }
            QCOMPARE(seen->heads, 1);
            ++seen->dataCalls;
            seen->data += chunk;
            if (abortOnData) {
                std::exchange(seen->handle, nullptr)->abort(); // drops the last handle too
            }
        };
        handlers.end = [weak = std::weak_ptr<StreamOutcome>(outcome)](Result<void> end) {
            if (const std::shared_ptr<StreamOutcome> seen = weak.lock()) {
                ++seen->ends;
                seen->end.emplace(std::move(end));
            }
        };
        outcome->handle = m_client->stream(request, options, std::move(handlers));
        return outcome;
    }

    static QByteArray openSseHead()
    {
        return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
               "Transfer-Encoding: chunked\r\n\r\n"_ba;
    }

private Q_SLOTS:
    void streamDeliversTheHeadAndBodyBeforeItEnds()
    {
        m_fake->setBehaviour(FakeUpstream::Behaviour::Raw);
        m_fake->setRawReply(openSseHead() + "d\r\ndata: hello\n\n\r\n"_ba, false);
        const auto outcome = startStream(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/sse"_s));
        QTRY_COMPARE_WITH_TIMEOUT(outcome->data, "data: hello\n\n"_ba, kWaitMs);
        QCOMPARE(outcome->heads, 1);
        QCOMPARE(outcome->head.status, 200);
        QCOMPARE(outcome->head.contentType, "text/event-stream"_ba);
        QVERIFY(outcome->head.header("transfer-encoding").isEmpty()); // a hop header
        drainEvents();
        QCOMPARE(outcome->ends, 0); // the stream is still open
        outcome->handle->abort();
        QCOMPARE(outcome->ends, 1);
        QCOMPARE(outcome->end->error().message, u"upstream call canceled"_s);
        outcome->handle->abort();
        drainEvents();
        QCOMPARE(outcome->ends, 1);
    }

    void streamEndsOnceAfterTheBodyAndReusesTheConnection()
    {
        m_fake->setReply(200, {{"Content-Type"_ba, "application/json"_ba}}, R"({"a":1})"_ba);
        const auto outcome = startStream(plainRequest(u"POST"_s, m_fake->baseUrl() + u"/p"_s));
        QTRY_COMPARE_WITH_TIMEOUT(outcome->ends, 1, kWaitMs);
        QVERIFY(*outcome->end);
        QCOMPARE(outcome->heads, 1);
        QCOMPARE(outcome->data, R"({"a":1})"_ba);
        QVERIFY(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/next"_s)));
        QCOMPARE(m_fake->connectionCount(), 1);
    }

    void streamOfAChunkedBodyFromHttpbin()
    {
        const auto outcome =
            startStream(plainRequest(u"GET"_s, m_httpbin.baseUrl() + u"/stream/3"_s));
        QTRY_COMPARE_WITH_TIMEOUT(outcome->ends, 1, kWaitMs);
        QVERIFY(*outcome->end);
        QCOMPARE(outcome->data.count('\n'), 3);
    }

    void streamTimeoutCoversOnlyTheHead()
    {
        UpstreamOptions options = localOptions();
        options.timeout = 200ms;
        m_fake->setBehaviour(FakeUpstream::Behaviour::Raw);
        m_fake->setRawReply(openSseHead(), false);
        const auto open = startStream(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/a"_s), options);
        QTRY_COMPARE_WITH_TIMEOUT(open->heads, 1, kWaitMs);
        QTest::qWait(600); // three times the timeout: the head came in time, the body has none
        QCOMPARE(open->ends, 0);

        auto hanging = std::make_unique<FakeUpstream>();
        QVERIFY(hanging->start());
        hanging->setBehaviour(FakeUpstream::Behaviour::Hang);
        const auto late =
            startStream(plainRequest(u"GET"_s, hanging->baseUrl() + u"/b"_s), options);
        QTRY_COMPARE_WITH_TIMEOUT(late->ends, 1, kWaitMs);
        QCOMPARE(late->heads, 0);
        QCOMPARE(late->end->error().message, u"upstream service timed out"_s);
        QCOMPARE(late->end->error().code, ErrorCode::BadGateway);
    }

    void streamsDoNotStarveTheConnectionCap()
    {
        m_fake->setBehaviour(FakeUpstream::Behaviour::Hang);
        const int cap = HttpConnectionPool::MaxConnectionsPerOrigin;
        std::vector<std::shared_ptr<StreamOutcome>> streams;
        for (int i = 0; i < cap; ++i) {
            streams.push_back(
                startStream(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/s%1"_s.arg(i))));
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_fake->requests().size(), cap, kWaitMs);
        // The origin has `cap` connections open, all streaming: a plain call still gets one.
        auto outcome = std::make_shared<Outcome>();
        const auto handle = m_client->send(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/plain"_s),
                                           localOptions(),
                                           recordInto(outcome));
        QTRY_COMPARE_WITH_TIMEOUT(m_fake->requests().size(), cap + 1, kWaitMs);
        QVERIFY(m_fake->requests().last().startsWith("GET /plain "));
        QCOMPARE(m_fake->connectionCount(), cap + 1);
    }

    void streamEgressDeniedWithoutTraffic()
    {
        UpstreamOptions options = localOptions();
        options.egress.allowedHosts = {u"api.example.com"_s};
        const auto outcome =
            startStream(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), options);
        QCOMPARE(outcome->ends, 0); // never from inside stream()
        QTRY_COMPARE_WITH_TIMEOUT(outcome->ends, 1, kWaitMs);
        QCOMPARE(outcome->heads, 0);
        QCOMPARE(outcome->end->error().code, ErrorCode::Forbidden);
        QCOMPARE(outcome->end->error().message, u"egress to host \"127.0.0.1\" is not allowed"_s);
        drainEvents();
        QCOMPARE(m_fake->connectionCount(), 0);
    }

    void streamBodyCap()
    {
        UpstreamOptions options = localOptions();
        options.maxBodyBytes = 1000;
        m_fake->setBehaviour(FakeUpstream::Behaviour::Body);
        m_fake->setBodySize(100000, false); // no length: the cap catches it as it streams
        const auto outcome =
            startStream(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/big"_s), options);
        QTRY_COMPARE_WITH_TIMEOUT(outcome->ends, 1, kWaitMs);
        QCOMPARE(outcome->end->error().message, UpstreamClient::TooLargeMessage);
        QVERIFY(outcome->data.size() <= 1000);
    }

    void streamAbortedFromItsDataHandler()
    {
        m_fake->setBehaviour(FakeUpstream::Behaviour::Raw);
        m_fake->setRawReply(openSseHead() + "3\r\none\r\n"_ba, false);
        const auto outcome =
            startStream(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), localOptions(), true);
        QTRY_COMPARE_WITH_TIMEOUT(outcome->ends, 1, kWaitMs);
        QCOMPARE(outcome->dataCalls, 1);
        QCOMPARE(outcome->end->error().message, u"upstream call canceled"_s);
        drainEvents();
        QCOMPARE(outcome->ends, 1);
        QCOMPARE(outcome->dataCalls, 1);
    }

    // --- our HTTP/1.1 client: the request ---------------------------------------------------

    void requestHead_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentLength"); // the header line, or empty for none
        QTest::newRow("GET") << u"GET"_s << QByteArray() << QByteArray();
        QTest::newRow("POST without a body") << u"POST"_s << QByteArray() << "Content-Length: 0"_ba;
        QTest::newRow("PUT without a body") << u"PUT"_s << QByteArray() << "Content-Length: 0"_ba;
        QTest::newRow("PATCH without a body")
            << u"PATCH"_s << QByteArray() << "Content-Length: 0"_ba;
        QTest::newRow("DELETE without a body") << u"DELETE"_s << QByteArray() << QByteArray();
        QTest::newRow("POST with a body") << u"POST"_s << "{\"a\":1}"_ba
                                          << "Content-Length: 7"_ba;
    }

    void requestHead()
    {
        QFETCH(QString, method);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentLength);
        const Result<UpstreamResponse> result =
            call(plainRequest(method,
                              m_fake->baseUrl() + u"/p/a?x=1%202&y=%C3%A9"_s,
                              body,
                              {{"X-Custom"_ba, "v"_ba}, {"Content-Length"_ba, "999"_ba}}));
        QVERIFY(result);
        QCOMPARE(m_fake->requests().size(), 1);
        const QByteArray head = m_fake->requests().first();
        const QList<QByteArray> lines = head.trimmed().split('\n');
        QCOMPARE(lines.first(), method.toLatin1() + " /p/a?x=1%202&y=%C3%A9 HTTP/1.1\r"_ba);
        const QByteArray host =
            "\r\nHost: 127.0.0.1:"_ba + QByteArray::number(m_fake->port()) + "\r\n"_ba;
        QVERIFY(head.contains(host));
        QVERIFY(head.contains("\r\nUser-Agent: gestaltd\r\n"));
        QVERIFY(head.contains("\r\nX-Custom: v\r\n"));
        QCOMPARE(head.count("Content-Length"), contentLength.isEmpty() ? 0 : 1);
        if (!contentLength.isEmpty()) {
            QVERIFY(head.contains(QByteArray("\r\n"_ba + contentLength + "\r\n"_ba)));
        }
        const QByteArray lower = head.toLower();
        QVERIFY(!lower.contains("accept-encoding"));
        QVERIFY(!lower.contains("connection:"));
    }

    void callerUserAgentAndHostWin()
    {
        QVERIFY(call(plainRequest(u"GET"_s,
                                  m_fake->baseUrl() + u"/x"_s,
                                  {},
                                  {{"User-Agent"_ba, "agent/1"_ba}, {"Host"_ba, "api.test"_ba}})));
        const QByteArray head = m_fake->requests().first();
        QCOMPARE(head.count("User-Agent"), 1);
        QVERIFY(head.contains("\r\nUser-Agent: agent/1\r\n"));
        QCOMPARE(head.count("Host:"), 1);
        QVERIFY(head.contains("\r\nHost: api.test\r\n"));
    }

    void unsafeRequestIsRefusedWithoutTraffic_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("method with a space") << u"GET /evil"_s << "X-A"_ba
                                             << "1"_ba;
        QTest::newRow("header value with CRLF") << u"GET"_s << "X-A"_ba
                                                << "1\r\nX-B: 2"_ba;
        QTest::newRow("header name with a colon") << u"GET"_s << "X-A: 1\r\nX"_ba
                                                  << "1"_ba;
    }

    void unsafeRequestIsRefusedWithoutTraffic()
    {
        QFETCH(QString, method);
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, value);
        const Result<UpstreamResponse> result =
            call(plainRequest(method, m_fake->baseUrl() + u"/x"_s, {}, {{name, value}}));
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(m_fake->connectionCount(), 0);
    }

    // The path is sent as built, never normalised: a dot segment, plain or percent-encoded
    // (however often), is refused before anything is sent.
    void dotSegmentsAreRefusedWithoutTraffic_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString &path : {u"/a/../b"_s,
                                    u"/a/./b"_s,
                                    u"/a/.."_s,
                                    u"/a/%2e%2E/b"_s,
                                    u"/a/..%2Fb"_s,
                                    u"/a/%252e%252e/b"_s,
                                    u"/a/..%5Cb"_s}) {
            QTest::newRow(qPrintable(path)) << path;
        }
    }

    void dotSegmentsAreRefusedWithoutTraffic()
    {
        QFETCH(QString, path);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + path, {}, {}));
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(m_fake->connectionCount(), 0);
    }

    void pathIsSentAsBuilt()
    {
        QVERIFY(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/a/...b/%2Fc%3F/.x"_s, {}, {})));
        QVERIFY(m_fake->requests().first().startsWith("GET /a/...b/%2Fc%3F/.x HTTP/1.1\r\n"));
    }

    // --- our HTTP/1.1 client: the response --------------------------------------------------

    void chunkedBodyFromHttpbin()
    {
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_httpbin.baseUrl() + u"/stream/3"_s));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->status, 200);
        const QList<QByteArray> lines = result->body.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(QJsonDocument::fromJson(lines.at(i)).object().value(u"id"_s).toInt(-1), i);
        }
        QVERIFY(!hasHeader(*result, "Transfer-Encoding"));
    }

    void chunkedWithExtensionsAndTrailers()
    {
        m_fake->setRawReply("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                            "Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                            "5;name=value\r\nhello\r\n"
                            "7 ; quoted=\"a;b\"\r\n, world\r\n"
                            "000\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"_ba,
                            false);
        for (int i = 0; i < 2; ++i) {
            const Result<UpstreamResponse> result =
                call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
            QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
            QCOMPARE(result->body, "hello, world"_ba);
            QCOMPARE(result->contentType, "text/plain"_ba);
            QVERIFY(!hasHeader(*result, "Transfer-Encoding"));
            QVERIFY(!hasHeader(*result, "Trailer"));
            QVERIFY(!hasHeader(*result, "X-Checksum"));
        }
        QCOMPARE(m_fake->connectionCount(), 1);
    }

    void malformedChunkedBodies_data()
    {
        QTest::addColumn<QByteArray>("chunks");
        QTest::newRow("size not hex") << "zz\r\nhello\r\n0\r\n\r\n"_ba;
        QTest::newRow("empty size") << "\r\nhello\r\n0\r\n\r\n"_ba;
        QTest::newRow("negative size") << "-5\r\nhello\r\n0\r\n\r\n"_ba;
        QTest::newRow("junk after the size") << "5 x\r\nhello\r\n0\r\n\r\n"_ba;
        QTest::newRow("size overflows") << "fffffffffffffffffff\r\nhello\r\n0\r\n\r\n"_ba;
        QTest::newRow("no CRLF after the data") << "5\r\nhelloXY0\r\n\r\n"_ba;
        QTest::newRow("trailer without a colon") << "5\r\nhello\r\n0\r\nbogus\r\n\r\n"_ba;
    }

    void malformedChunkedBodies()
    {
        QFETCH(QByteArray, chunks);
        m_fake->setRawReply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"_ba + chunks);
        verifyFailure(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s)),
                      ErrorCode::BadGateway,
                      u"invalid response from upstream service"_s);
    }

    void chunkedBodyCutShortOrTooLarge_data()
    {
        QTest::addColumn<QByteArray>("chunks");
        QTest::addColumn<QString>("message");
        QTest::newRow("closed inside a chunk")
            << "a\r\nhello"_ba << u"failed to reach upstream service"_s;
        QTest::newRow("closed before the last chunk")
            << "5\r\nhello\r\n"_ba << u"failed to reach upstream service"_s;
        QTest::newRow("chunk over the cap")
            << "100001\r\nxx"_ba << u"upstream response exceeds the size limit"_s; // 1 MiB + 1
    }

    void chunkedBodyCutShortOrTooLarge()
    {
        QFETCH(QByteArray, chunks);
        QFETCH(QString, message);
        m_fake->setRawReply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"_ba + chunks);
        UpstreamOptions options = localOptions();
        options.maxBodyBytes = 1024 * 1024;
        verifyFailure(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), options),
                      ErrorCode::BadGateway,
                      message);
    }

    void malformedHeads_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::newRow("header without a colon")
            << "HTTP/1.1 200 OK\r\nBogus\r\nContent-Length: 2\r\n\r\n{}"_ba;
        QTest::newRow("space before the colon")
            << "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n{}"_ba;
        QTest::newRow("conflicting Content-Length")
            << "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"_ba;
        QTest::newRow("Content-Length not a number")
            << "HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\n{}"_ba;
        QTest::newRow("unknown transfer coding")
            << "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"_ba;
        QTest::newRow("HTTP/2 status line") << "HTTP/2 200 OK\r\nContent-Length: 2\r\n\r\n{}"_ba;
        QTest::newRow("two-digit status") << "HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\n{}"_ba;
        QTest::newRow("101 never asked for")
            << "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"_ba;
        QTest::newRow("fold before any header")
            << "HTTP/1.1 200 OK\r\n  folded\r\nContent-Length: 2\r\n\r\n{}"_ba;
        QTest::newRow("head over 64 KiB") << "HTTP/1.1 200 OK\r\nX-Big: "_ba
                                                 + QByteArray(70 * 1024, 'a')
                                                 + "\r\nContent-Length: 2\r\n\r\n{}"_ba;
        QTest::newRow("closed inside the head") << "HTTP/1.1 200 OK\r\nContent-Le"_ba;
    }

    void malformedHeads()
    {
        QFETCH(QByteArray, raw);
        m_fake->setRawReply(raw);
        verifyFailure(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s)),
                      ErrorCode::BadGateway,
                      u"invalid response from upstream service"_s);
    }

    void lenientHeads()
    {
        // Bare LF line ends, an obs-fold continuation, no reason phrase, a repeated equal length.
        m_fake->setRawReply("HTTP/1.1 200\nX-Folded: a\n  b\nContent-Length: 2, 2\n\n{}"_ba);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->status, 200);
        QCOMPARE(headerOf(*result, "X-Folded"), "a b"_ba);
        QCOMPARE(result->body, "{}"_ba);
    }

    void interimResponsesAreSkipped()
    {
        m_fake->setRawReply("HTTP/1.1 100 Continue\r\n\r\n"
                            "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                            "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}"_ba);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->status, 201);
        QCOMPARE(result->body, "{}"_ba);
        QVERIFY(!hasHeader(*result, "Link"));
    }

    void repeatedHeadersAreKept()
    {
        m_fake->setReply(
            200,
            {{"Set-Cookie"_ba, "a=1"_ba}, {"X-One"_ba, "x"_ba}, {"set-cookie"_ba, "b=2"_ba}},
            "{}"_ba);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
        QVERIFY(result);
        QList<QByteArray> cookies;
        for (const auto &[name, value] : result->headers) {
            if (name.compare("set-cookie", Qt::CaseInsensitive) == 0) {
                cookies.append(value);
            }
        }
        QCOMPARE(cookies, (QList<QByteArray>{"a=1"_ba, "b=2"_ba}));
    }

    void deflateIsDecoded()
    {
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_httpbin.baseUrl() + u"/deflate"_s));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QVERIFY(jsonOf(result).value(u"deflated"_s).toBool());
        QVERIFY(!hasHeader(*result, "Content-Encoding"));
    }

    void callerAcceptEncodingPassesTheBodyThrough()
    {
        const Result<UpstreamResponse> result = call(plainRequest(
            u"GET"_s, m_httpbin.baseUrl() + u"/gzip"_s, {}, {{"Accept-Encoding"_ba, "gzip"_ba}}));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->status, 200);
        QVERIFY(result->body.startsWith("\x1f\x8b"));
        QCOMPARE(headerOf(*result, "Content-Encoding"), "gzip"_ba);
    }

    void badlyEncodedBodies_data()
    {
        QTest::addColumn<QByteArray>("encoding");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("corrupt gzip")
            << "gzip"_ba
            << "not gzip at all"_ba << u"invalid response from upstream service"_s;
        QTest::newRow("truncated deflate")
            << "deflate"_ba << zlibFormat(QByteArray(5000, 'x')).left(6)
            << u"invalid response from upstream service"_s;
        QTest::newRow("decoded over the cap")
            << "deflate"_ba << zlibFormat(QByteArray(2 * 1024 * 1024, '0'))
            << u"upstream response exceeds the size limit"_s;
    }

    void badlyEncodedBodies()
    {
        QFETCH(QByteArray, encoding);
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        m_fake->setReply(200, {{"Content-Encoding"_ba, encoding}}, body);
        UpstreamOptions options = localOptions();
        options.maxBodyBytes = 1024 * 1024;
        verifyFailure(call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s), options),
                      ErrorCode::BadGateway,
                      message);
    }

    void unknownEncodingPassesThrough()
    {
        m_fake->setReply(200, {{"Content-Encoding"_ba, "br"_ba}}, "\x0b\x02\x80{}\x03"_ba);
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, m_fake->baseUrl() + u"/x"_s));
        QVERIFY(result);
        QCOMPARE(result->body, "\x0b\x02\x80{}\x03"_ba);
        QCOMPARE(headerOf(*result, "Content-Encoding"), "br"_ba);
    }

    // --- HTTPS -------------------------------------------------------------------------------

    void untrustedCertificateIsRejected()
    {
        SelfSignedTlsServer server;
        QString error;
        if (!server.start(error)) {
            QFAIL(qPrintable(error)); // install-deps.sh installs openssl
        }
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, u"https://127.0.0.1:%1/x"_s.arg(server.serverPort())));
        verifyFailure(result, ErrorCode::BadGateway, u"failed to reach upstream service"_s);
        QCOMPARE(server.connections(), 1);
        QVERIFY(server.plaintext().isEmpty()); // the request never went out
    }

    // The system CA store cannot hold a test certificate; the default configuration, which the
    // client starts from, can.
    void trustedCertificateAndHostName()
    {
        SelfSignedTlsServer server;
        QString error;
        if (!server.start(error)) {
            QFAIL(qPrintable(error)); // install-deps.sh installs openssl
        }
        server.setAnswering(true);
        const QSslConfiguration saved = QSslConfiguration::defaultConfiguration();
        const auto restore =
            qScopeGuard([&saved] { QSslConfiguration::setDefaultConfiguration(saved); });
        QSslConfiguration trusting = saved;
        trusting.addCaCertificate(server.certificate());
        QSslConfiguration::setDefaultConfiguration(trusting);

        const QString url = u"https://127.0.0.1:%1/x"_s.arg(server.serverPort());
        for (int i = 0; i < 2; ++i) {
            const Result<UpstreamResponse> result = call(plainRequest(u"GET"_s, url));
            QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
            QCOMPARE(result->status, 200);
            QCOMPARE(result->body, "{}"_ba);
        }
        QCOMPARE(server.connections(), 1); // kept alive over TLS
        const QByteArray host =
            "\r\nHost: 127.0.0.1:"_ba + QByteArray::number(server.serverPort()) + "\r\n"_ba;
        QVERIFY(server.plaintext().startsWith("GET /x HTTP/1.1\r\n"));
        QVERIFY(server.plaintext().contains(host));

        // The same trusted certificate does not name "localhost".
        const QByteArray before = server.plaintext();
        const Result<UpstreamResponse> result =
            call(plainRequest(u"GET"_s, u"https://localhost:%1/x"_s.arg(server.serverPort())));
        verifyFailure(result, ErrorCode::BadGateway, u"failed to reach upstream service"_s);
        QCOMPARE(server.connections(), 2);
        QCOMPARE(server.plaintext(), before);
    }
};

QTEST_GUILESS_MAIN(tst_UpstreamClient)
#include "tst_upstreamclient.moc"
