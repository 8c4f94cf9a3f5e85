// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Trust boundary "a web page in the user's browser" (docs/SECURITY.md): cross-site requests,
// bodies a form can send without a preflight, DNS rebinding of a loopback listener, caches that
// keep secrets, and log forging, each performed over real HTTP against a running gestaltd on
// SQLite and PostgreSQL.
#include "support/HttpbinProcess.h"
#include "support/RawHttpClient.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

// Access-log lines seen while a test runs (the message handler is process-wide).
QStringList g_accessLog;
QtMessageHandler g_previousHandler = nullptr;

void captureAccessLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (context.category && QByteArray(context.category) == "gestalt.access") {
        g_accessLog.append(message);
        return;
    }
    g_previousHandler(type, context, message);
}

QString httpbinApps(const QString &baseUrl)
{
    return u"apps:\n"
           "  httpbin:\n"
           "    surfaces:\n"
           "      rest:\n"
           "        baseUrl: %1\n"
           "        operations:\n"
           "          - {name: get_ip, method: GET, path: /ip}\n"
           "          - {name: post_anything, method: POST, path: /anything}\n"_s.arg(baseUrl);
}

int tokenCount(TestServer &server)
{
    return int(server.get(u"/api/v1/tokens"_s).json().array().size());
}

} // namespace

class tst_SecBrowser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup();
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void crossSiteTextPlainPostCannotCreateAToken();
    void crossSiteJsonPostIsRefused_data();
    void crossSiteJsonPostIsRefused();
    void sameOriginAndNonBrowserClientsAreServed_data();
    void sameOriginAndNonBrowserClientsAreServed();
    void crossSiteLinkCannotInvokeAnOperation();
    void formBodiesOnlyWhereTheContractHasForms();
    void rebindedHostIsRefusedOnEveryRoute_data();
    void rebindedHostIsRefusedOnEveryRoute();
    void loopbackAndConfiguredHostsAreServed_data();
    void loopbackAndConfiguredHostsAreServed();
    void secretsAreNeverCached();
    void encodedNewlineCannotForgeAnAccessLogLine();
    void forwardedForIsBelievedOnlyFromTrustedProxies();

private:
    [[nodiscard]] bool startServer(const QString &overrideYaml = {});
    HttpbinProcess m_httpbin;
    std::unique_ptr<TestServer> m_server;
};

void tst_SecBrowser::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
}

void tst_SecBrowser::init()
{
    g_accessLog.clear();
    g_previousHandler = qInstallMessageHandler(captureAccessLog);
}

void tst_SecBrowser::cleanup()
{
    m_server.reset();
    qInstallMessageHandler(g_previousHandler);
}

bool tst_SecBrowser::startServer(const QString &overrideYaml)
{
    QFETCH_GLOBAL(QString, backend);
    m_server =
        std::make_unique<TestServer>(backend, httpbinApps(m_httpbin.baseUrl()), overrideYaml);
    if (!m_server->start()) {
        qWarning() << m_server->errorString();
        return false;
    }
    return true;
}

void tst_SecBrowser::crossSiteTextPlainPostCannotCreateAToken()
{
    // A form or fetch() on another site may send text/plain without a CORS preflight: with no
    // login, a loopback gateway took it as JSON and minted a token.
    QVERIFY(startServer());
    const HttpReply reply =
        m_server->post(u"/api/v1/tokens"_s, R"({"name":"evil"})", {{"Content-Type", "text/plain"}});
    QCOMPARE(reply.status, 415);
    QVERIFY2(reply.error().contains(u"application/json"_s), reply.body.constData());
    QCOMPARE(tokenCount(*m_server), 0);
}

void tst_SecBrowser::crossSiteJsonPostIsRefused_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("Sec-Fetch-Site: cross-site") << "Sec-Fetch-Site"_ba
                                                << "cross-site"_ba;
    QTest::newRow("foreign Origin") << "Origin"_ba
                                    << "https://evil.example"_ba;
    QTest::newRow("Origin null (sandboxed frame)") << "Origin"_ba
                                                   << "null"_ba;
    QTest::newRow("same host, other port") << "Origin"_ba
                                           << "http://127.0.0.1:1"_ba;
    QTest::newRow("garbage Origin") << "Origin"_ba
                                    << "::::"_ba;
    // A page of another local service (httpbin's /base64 reflects any HTML) is another site.
    QTest::newRow("a page on another loopback port") << "Origin"_ba
                                                     << "http://localhost:6274"_ba;
}

void tst_SecBrowser::crossSiteJsonPostIsRefused()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);
    QVERIFY(startServer());
    const HttpReply reply =
        m_server->post(u"/api/v1/tokens"_s, R"({"name":"evil"})", {{header, value}});
    QCOMPARE(reply.status, 403);
    QCOMPARE(reply.json()["code"_L1].toString(), u"cross_site_request"_s);
    QCOMPARE(tokenCount(*m_server), 0);
    // Revoking everything is a state change too.
    QCOMPARE(m_server->request("DELETE", u"/api/v1/tokens"_s, {}, {{header, value}}).status, 403);
}

void tst_SecBrowser::sameOriginAndNonBrowserClientsAreServed_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("curl: no Origin, no Sec-Fetch-Site") << QByteArray() << QByteArray();
    QTest::newRow("same-origin fetch") << "Sec-Fetch-Site"_ba
                                       << "same-origin"_ba;
    QTest::newRow("typed in the address bar") << "Sec-Fetch-Site"_ba
                                              << "none"_ba;
    QTest::newRow("own Origin") << "Origin"_ba
                                << "http://127.0.0.1:%1"_ba;
}

void tst_SecBrowser::sameOriginAndNonBrowserClientsAreServed()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);
    QVERIFY(startServer());
    TestServer::Headers headers;
    if (!header.isEmpty()) {
        headers.append({header, value.replace("%1", QByteArray::number(m_server->port()))});
    }
    QCOMPARE(m_server->post(u"/api/v1/tokens"_s, R"({"name":"mine"})", headers).status, 201);
    // An empty POST needs no Content-Type.
    const HttpReply empty =
        m_server->request("POST", u"/api/v1/httpbin/post_anything"_s, {}, headers);
    QCOMPARE(empty.status, 200);
    QCOMPARE(m_server->get(u"/api/v1/httpbin/get_ip"_s, headers).status, 200);
}

void tst_SecBrowser::crossSiteLinkCannotInvokeAnOperation()
{
    // <img src="http://127.0.0.1:8080/api/v1/slack/chat.postMessage?text=…"> on another site.
    QVERIFY(startServer());
    const HttpReply reply =
        m_server->get(u"/api/v1/httpbin/get_ip"_s, {{"Sec-Fetch-Site", "cross-site"}});
    QCOMPARE(reply.status, 403);
    QCOMPARE(reply.json()["code"_L1].toString(), u"cross_site_request"_s);
    const HttpReply byOrigin =
        m_server->get(u"/api/v1/httpbin/get_ip"_s, {{"Origin", "https://evil.example"}});
    QCOMPARE(byOrigin.status, 403);
    // A sibling host (evil.example.com next to gw.example.com) sends same-site, and no Origin
    // for an image.
    QCOMPARE(m_server->get(u"/api/v1/httpbin/get_ip"_s, {{"Sec-Fetch-Site", "same-site"}}).status,
             403);
    // Reading lists cross-site stays possible (the browser withholds the answer without CORS).
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, {{"Sec-Fetch-Site", "cross-site"}}).status, 200);
}

void tst_SecBrowser::formBodiesOnlyWhereTheContractHasForms()
{
    QVERIFY(startServer());
    const QByteArray form = "name=evil";
    const TestServer::Headers formType{{"Content-Type", "application/x-www-form-urlencoded"}};
    QCOMPARE(m_server->post(u"/api/v1/tokens"_s, form, formType).status, 415);
    QCOMPARE(m_server->post(u"/api/v1/httpbin/post_anything"_s, form, formType).status, 415);
    QCOMPARE(m_server
                 ->post(u"/api/v1/tokens"_s,
                        R"({"name":"x"})",
                        {{"Content-Type", "multipart/form-data; boundary=x"}})
                 .status,
             415);
    // No Content-Type at all with a body.
    const HttpReply untyped =
        m_server->post(u"/api/v1/tokens"_s, R"({"name":"x"})", {{"Content-Type", ""}});
    QCOMPARE(untyped.status, 415);
    QCOMPARE(tokenCount(*m_server), 0);
    // JSON with parameters and a +json type are JSON.
    QCOMPARE(m_server
                 ->post(u"/api/v1/tokens"_s,
                        R"({"name":"a"})",
                        {{"Content-Type", "application/json; charset=utf-8"}})
                 .status,
             201);
    QCOMPARE(m_server
                 ->post(u"/api/v1/tokens"_s,
                        R"({"name":"b"})",
                        {{"Content-Type", "application/merge-patch+json"}})
                 .status,
             201);
    // The pending-connection form of the connection picker still takes a form (400: no token).
    QCOMPARE(
        m_server->post(u"/api/v1/auth/pending-connection"_s, "pending_token=x", formType).status,
        400);
}

void tst_SecBrowser::rebindedHostIsRefusedOnEveryRoute_data()
{
    QTest::addColumn<QByteArray>("request");
    const QByteArray host = "Host: evil.example\r\n";
    QTest::newRow("token creation")
        << "POST /api/v1/tokens HTTP/1.1\r\n" + host
               + "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"name\":\"evil\"}";
    QTest::newRow("token list") << "GET /api/v1/tokens HTTP/1.1\r\n" + host + "\r\n";
    QTest::newRow("operation") << "GET /api/v1/httpbin/get_ip HTTP/1.1\r\n" + host + "\r\n";
    QTest::newRow("probe") << "GET /health HTTP/1.1\r\n" + host + "\r\n";
    QTest::newRow("metrics") << "GET /metrics HTTP/1.1\r\n" + host + "\r\n";
    QTest::newRow("admin shell") << "GET /admin/ HTTP/1.1\r\n" + host + "\r\n";
    QTest::newRow("unknown route") << "GET /nope HTTP/1.1\r\n" + host + "\r\n";
    QTest::newRow("with a port")
        << "GET /api/v1/tokens HTTP/1.1\r\nHost: evil.example:8080\r\n\r\n"_ba;
    QTest::newRow("a private address")
        << "GET /api/v1/tokens HTTP/1.1\r\nHost: 192.168.1.10\r\n\r\n"_ba;
    QTest::newRow("localhost as a suffix")
        << "GET /api/v1/tokens HTTP/1.1\r\nHost: localhost.evil.example\r\n\r\n"_ba;
    QTest::newRow("userinfo trick")
        << "GET /api/v1/tokens HTTP/1.1\r\nHost: localhost@evil.example\r\n\r\n"_ba;
}

void tst_SecBrowser::rebindedHostIsRefusedOnEveryRoute()
{
    // evil.example resolves to 127.0.0.1 after the page loaded: the browser sends its own name.
    QFETCH(QByteArray, request);
    QVERIFY(startServer());
    const RawResponse response = rawRequest(m_server->port(), request);
    QCOMPARE(response.status, 403);
    QVERIFY2(response.body.contains("host_not_allowed"), response.body.constData());
    QCOMPARE(tokenCount(*m_server), 0);
}

void tst_SecBrowser::loopbackAndConfiguredHostsAreServed_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::newRow("127.0.0.1:port") << "127.0.0.1:%1"_ba;
    QTest::newRow("localhost") << "localhost"_ba;
    QTest::newRow("LOCALHOST:port") << "LOCALHOST:%1"_ba;
    QTest::newRow("app.localhost") << "app.localhost"_ba;
    QTest::newRow("[::1]") << "[::1]:%1"_ba;
    QTest::newRow("127.0.0.2") << "127.0.0.2"_ba;
    QTest::newRow("server.baseUrl's host") << "gw.example.com"_ba;
    QTest::newRow("server.management.baseUrl's host") << "ops.example.com:9443"_ba;
}

void tst_SecBrowser::loopbackAndConfiguredHostsAreServed()
{
    QFETCH(QByteArray, host);
    QVERIFY(startServer(u"server:\n"
                        "  baseUrl: https://gw.example.com\n"
                        "  management:\n"
                        "    port: 0\n"
                        "    baseUrl: https://ops.example.com:9443\n"_s));
    host.replace("%1", QByteArray::number(m_server->port()));
    const RawResponse response =
        rawRequest(m_server->port(), "GET /api/v1/tokens HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    QCOMPARE(response.status, 200);
    // A page of the configured public origin may change state.
    QCOMPARE(m_server
                 ->post(u"/api/v1/tokens"_s,
                        R"({"name":"ui"})",
                        {{"Origin", "https://gw.example.com"}, {"Sec-Fetch-Site", "same-origin"}})
                 .status,
             201);
}

void tst_SecBrowser::secretsAreNeverCached()
{
    QVERIFY(startServer());
    const HttpReply created = m_server->post(u"/api/v1/tokens"_s, R"({"name":"t"})");
    QCOMPARE(created.status, 201);
    QVERIFY(created.json()["token"_L1].toString().startsWith(u"gst_api_"_s));
    QCOMPARE(created.header("Cache-Control"), "no-store"_ba);
    QCOMPARE(m_server->get(u"/api/v1/tokens"_s).header("Cache-Control"), "no-store"_ba);
    QCOMPARE(m_server->get(u"/api/v1/httpbin/get_ip"_s).header("Cache-Control"), "no-store"_ba);
    // Errors too (they may name what the caller sent).
    QCOMPARE(m_server->get(u"/api/v1/nope/nope"_s).header("Cache-Control"), "no-store"_ba);
}

void tst_SecBrowser::encodedNewlineCannotForgeAnAccessLogLine()
{
    QVERIFY(startServer());
    const QString forged = u" 200 0.1ms bytes=0 request_id=x remote=10.0.0.1"_s;
    (void)m_server->get(u"/api/v1/x%0Apublic GET /admin"_s + QString(forged).replace(u' ', u"%20"_s)
                        + u"%0D%1B[2J%5C"_s);
    QTRY_VERIFY(!g_accessLog.isEmpty());
    const QString line = g_accessLog.last();
    QVERIFY2(!line.contains(u'\n') && !line.contains(u'\r') && !line.contains(QChar(0x1b)),
             qPrintable(line));
    QVERIFY2(line.contains(u"/api/v1/x\\x0apublic GET /admin"_s), qPrintable(line));
    QVERIFY2(line.contains(u"\\x0d\\x1b[2J\\x5c"_s), qPrintable(line));
}

void tst_SecBrowser::forwardedForIsBelievedOnlyFromTrustedProxies()
{
    // From an untrusted peer, X-Forwarded-For is the caller's own text: it must not become the
    // client address (audit, logs).
    QVERIFY(startServer());
    (void)m_server->get(u"/health"_s, {{"X-Forwarded-For", "203.0.113.7"}});
    QTRY_VERIFY(!g_accessLog.isEmpty());
    QVERIFY2(!g_accessLog.last().contains(u"203.0.113.7"_s), qPrintable(g_accessLog.last()));

    m_server.reset();
    g_accessLog.clear();
    QVERIFY(startServer(u"server:\n  trustedProxies: [127.0.0.1/32]\n"_s));
    (void)m_server->get(u"/health"_s, {{"X-Forwarded-For", "6.6.6.6, 203.0.113.7"}});
    QTRY_VERIFY(!g_accessLog.isEmpty());
    // The right-most hop that is not a trusted proxy; the spoofable left-most one is ignored.
    QVERIFY2(g_accessLog.last().contains(u"client=203.0.113.7"_s), qPrintable(g_accessLog.last()));

    // A config that names no address is refused at start.
    m_server.reset();
    QFETCH_GLOBAL(QString, backend);
    TestServer bad(backend, {}, u"server:\n  trustedProxies: [proxy.example]\n"_s);
    QVERIFY(!bad.start());
    QVERIFY2(bad.errorString().contains(u"trustedProxies"_s), qPrintable(bad.errorString()));
}

QTEST_GUILESS_MAIN(tst_SecBrowser)
#include "tst_sec_browser.moc"
