// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The HTTP core over real sockets, byte-exact: routing, errors, limits, framing, ordering.
#include "http/HttpServer.h"
#include "support/RawHttpClient.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using Gestalt::Test::RawHttpClient;
using Gestalt::Test::rawRequest;

class tst_HttpServer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void routesAndDecodesSegments_data();
    void routesAndDecodesSegments();
    void unknownRouteIsJson404();
    void wrongMethodIs405WithAllow();
    void optionsListsAllowedMethods();
    void headHasLengthButNoBody();
    void unimplementedMethodsAre501_data();
    void unimplementedMethodsAre501();
    void limitsRejectBeforeReading_data();
    void limitsRejectBeforeReading();
    void malformedRequestLineIs400();
    void expectContinueIsAnswered();
    void connectionCloseIsHonoured_data();
    void connectionCloseIsHonoured();
    void pipelinedAsyncAnswersStayInOrder();
    void slowHandlerGets504();
    void droppedResponderGets500();
    void idleConnectionIsClosed();
    void securityHeadersAndRequestIds();
    void invalidJsonBodyIs400_data();
    void invalidJsonBodyIs400();
    void streamIsChunkedAndKeepsConnection();
    void clientGoneBeforeAsyncAnswer();
    void connectionCapAnswers503();

private:
    std::unique_ptr<HttpServer> m_server;
    std::unique_ptr<HttpServer> m_tinyServer; // short timeouts and a connection cap
    quint16 m_port = 0;
    quint16 m_tinyPort = 0;
    QList<Responder> m_parked;
};

void tst_HttpServer::initTestCase()
{
    HttpServerOptions options;
    options.limits.maxBodyBytes = 1024 * 1024;
    m_server = std::make_unique<HttpServer>(options);
    Router &r = m_server->router();
    r.route(u"GET"_s, u"/api/v1/things/{id}"_s, RouteAuth::Public, [](const HttpRequest &req) {
        return Result<HttpResponse>(
            HttpResponse::json(200, QJsonObject{{u"id"_s, req.pathParam(u"id"_s)}}));
    });
    r.route(u"POST"_s, u"/api/v1/things/{id}"_s, RouteAuth::Public, [](const HttpRequest &req) {
        Result<QJsonObject> body = req.jsonObject();
        if (!body) {
            return Result<HttpResponse>(body.error());
        }
        return Result<HttpResponse>(HttpResponse::json(201, *body));
    });
    r.route(u"GET"_s, u"/files/{path...}"_s, RouteAuth::Public, [](const HttpRequest &req) {
        return Result<HttpResponse>(
            HttpResponse::json(200, QJsonObject{{u"path"_s, req.pathParam(u"path"_s)}}));
    });
    r.routeAsync(
        u"GET"_s, u"/slow"_s, RouteAuth::Public, [](const HttpRequest &, Responder responder) {
            QTimer::singleShot(200, [responder] {
                responder.send(HttpResponse::json(200, QJsonObject{{u"n"_s, u"slow"_s}}));
            });
        });
    r.route(u"GET"_s, u"/fast"_s, RouteAuth::Public, [](const HttpRequest &) {
        return Result<HttpResponse>(HttpResponse::json(200, QJsonObject{{u"n"_s, u"fast"_s}}));
    });
    r.routeAsync(u"GET"_s, u"/dropped"_s, RouteAuth::Public, [](const HttpRequest &, Responder) {});
    r.routeAsync(
        u"GET"_s, u"/stream"_s, RouteAuth::Public, [](const HttpRequest &, Responder responder) {
            std::shared_ptr<StreamWriter> stream =
                responder.startStream(200, "text/event-stream"_ba);
            stream->write("data: 1\n\n"_ba);
            QTimer::singleShot(50, [stream] { stream->write("data: 2\n\n"_ba); });
            QTimer::singleShot(100, [stream] { stream->finish(); });
        });
    const Result<quint16> port = m_server->listen(u"127.0.0.1"_s, 0);
    QVERIFY(port);
    m_port = *port;

    HttpServerOptions tiny;
    tiny.limits.idleTimeoutMs = 300;
    tiny.limits.maxConnections = 2;
    tiny.requestTimeoutMs = 300;
    m_tinyServer = std::make_unique<HttpServer>(tiny);
    m_tinyServer->router().routeAsync(
        u"GET"_s, u"/never"_s, RouteAuth::Public, [this](const HttpRequest &, Responder responder) {
            m_parked.append(responder);
        });
    m_tinyServer->router().route(u"GET"_s, u"/ok"_s, RouteAuth::Public, [](const HttpRequest &) {
        return Result<HttpResponse>(HttpResponse::noContent());
    });
    const Result<quint16> tinyPort = m_tinyServer->listen(u"127.0.0.1"_s, 0);
    QVERIFY(tinyPort);
    m_tinyPort = *tinyPort;
}

void tst_HttpServer::routesAndDecodesSegments_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain id") << "/api/v1/things/42"_ba << u"id"_s << u"42"_s;
    QTest::newRow("encoded slash stays in the segment")
        << "/api/v1/things/a%2Fb"_ba << u"id"_s << u"a/b"_s;
    QTest::newRow("encoded space and unicode")
        << "/api/v1/things/x%20%C3%A9"_ba << u"id"_s << u"x é"_s;
    QTest::newRow("catch-all takes the rest")
        << "/files/a/b/c.txt"_ba << u"path"_s << u"a/b/c.txt"_s;
    QTest::newRow("catch-all of a trailing slash is empty")
        << "/files/"_ba << u"path"_s << QString();
    QTest::newRow("catch-all keeps an inner trailing slash")
        << "/files/docs/"_ba << u"path"_s << u"docs/"_s;
}

void tst_HttpServer::routesAndDecodesSegments()
{
    QFETCH(QByteArray, target);
    QFETCH(QString, field);
    QFETCH(QString, expected);
    const auto response =
        rawRequest(m_port, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(response.status, 200);
    QCOMPARE(QJsonDocument::fromJson(response.body).object().value(field).toString(), expected);
}

void tst_HttpServer::unknownRouteIsJson404()
{
    for (const QByteArray &target : {"/nope"_ba,
                                     "/api/v1/things/42/"_ba,
                                     "/api/v1/things/"_ba,
                                     "/api/v1//things/1"_ba,
                                     "/files"_ba,
                                     "/files//x"_ba}) {
        const auto response =
            rawRequest(m_port, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QCOMPARE(response.status, 404);
        QCOMPARE(response.header("content-type"), "application/json"_ba);
        const QString message = QJsonDocument::fromJson(response.body)["error"_L1].toString();
        QVERIFY2(message.startsWith(u"API route \""_s) && message.endsWith(u"\" not found"_s),
                 qPrintable(message));
    }
}

void tst_HttpServer::wrongMethodIs405WithAllow()
{
    const auto response =
        rawRequest(m_port, "DELETE /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(response.status, 405);
    QCOMPARE(response.header("allow"), "GET, POST, HEAD, OPTIONS"_ba);
    QCOMPARE(QJsonDocument::fromJson(response.body)["error"_L1].toString(),
             u"method DELETE is not allowed for API route \"/api/v1/things/1\""_s);
}

void tst_HttpServer::optionsListsAllowedMethods()
{
    const auto response =
        rawRequest(m_port, "OPTIONS /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(response.status, 204);
    QCOMPARE(response.header("allow"), "GET, POST, HEAD, OPTIONS"_ba);
}

void tst_HttpServer::headHasLengthButNoBody()
{
    RawHttpClient client(m_port);
    client.send("HEAD /api/v1/things/7 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                "GET /api/v1/things/7 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const auto responses = client.read(2, 5000, {0});
    QCOMPARE(responses.size(), 2);
    QCOMPARE(responses[0].status, 200);
    QVERIFY(responses[0].body.isEmpty());
    QCOMPARE(responses[0].header("content-length").toInt(), responses[1].body.size());
    QCOMPARE(responses[1].body, "{\"id\":\"7\"}"_ba);
}

void tst_HttpServer::unimplementedMethodsAre501_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::newRow("TRACE") << "TRACE"_ba;
    QTest::newRow("PROPFIND") << "PROPFIND"_ba;
    QTest::newRow("CONNECT") << "CONNECT"_ba;
}

void tst_HttpServer::unimplementedMethodsAre501()
{
    QFETCH(QByteArray, method);
    const auto response =
        rawRequest(m_port, method + " /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(response.status, 501);
    QCOMPARE(QJsonDocument::fromJson(response.body)["error"_L1].toString(),
             u"method %1 is not implemented"_s.arg(QString::fromLatin1(method)));
}

void tst_HttpServer::limitsRejectBeforeReading_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("status");
    QTest::newRow("body over 1 MiB announced")
        << "POST /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\n"
           "Content-Length: 2097152\r\n\r\n"_ba
        << 413;
    QTest::newRow("300 MB body announced")
        << "POST /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\n"
           "Content-Length: 314572800\r\n\r\n"_ba
        << 413;
    QTest::newRow("20 KiB of headers")
        << "GET /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\nX-Big: "
               + QByteArray(20 * 1024, 'a') + "\r\n\r\n"
        << 431;
    QTest::newRow("endless header line")
        << "GET /api/v1/things/1 HTTP/1.1\r\nX: " + QByteArray(40 * 1024, 'b') << 431;
    QTest::newRow("chunked body") << "POST /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\n"
                                     "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"_ba
                                  << 411;
    QTest::newRow("negative length") << "POST /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\n"
                                        "Content-Length: -5\r\n\r\n"_ba
                                     << 400;
    QTest::newRow("conflicting lengths") << "POST /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\n"
                                            "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello"_ba
                                         << 400;
    QTest::newRow("unknown expectation") << "POST /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\n"
                                            "Expect: magic\r\nContent-Length: 2\r\n\r\n{}"_ba
                                         << 417;
}

void tst_HttpServer::limitsRejectBeforeReading()
{
    QFETCH(QByteArray, head);
    QFETCH(int, status);
    RawHttpClient client(m_port);
    client.send(head);
    const auto responses = client.read(1);
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses[0].status, status);
    QCOMPARE(responses[0].header("connection"), "close"_ba);
    QVERIFY(!QJsonDocument::fromJson(responses[0].body)["error"_L1].toString().isEmpty());
    QVERIFY(client.waitForClosed());
    // The server is still serving.
    QCOMPARE(rawRequest(m_port, "GET /fast HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 200);
}

void tst_HttpServer::malformedRequestLineIs400()
{
    const auto response = rawRequest(m_port, "GARBAGE\r\n\r\n");
    QCOMPARE(response.status, 400);
    QCOMPARE(QJsonDocument::fromJson(response.body)["error"_L1].toString(),
             u"malformed request line"_s);
}

void tst_HttpServer::expectContinueIsAnswered()
{
    RawHttpClient client(m_port);
    client.send("POST /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                "Content-Type: application/json\r\nContent-Length: 9\r\n\r\n");
    const auto interim = client.read(1);
    QCOMPARE(interim.size(), 1);
    QCOMPARE(interim[0].status, 100);
    client.send("{\"a\":\"b\"}");
    const auto final = client.read(1);
    QCOMPARE(final.size(), 1);
    QCOMPARE(final[0].status, 201);
    QCOMPARE(final[0].body, "{\"a\":\"b\"}"_ba);
}

void tst_HttpServer::connectionCloseIsHonoured_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("Connection: close")
        << "GET /fast HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
           "GET /fast HTTP/1.1\r\nHost: localhost\r\n\r\n"_ba;
    QTest::newRow("HTTP/1.0 without keep-alive") << "GET /fast HTTP/1.0\r\n\r\n"_ba;
}

void tst_HttpServer::connectionCloseIsHonoured()
{
    QFETCH(QByteArray, request);
    RawHttpClient client(m_port);
    client.send(request);
    const auto responses = client.read(2, 2000);
    QCOMPARE(responses.size(), 1); // nothing after a closing response
    QCOMPARE(responses[0].status, 200);
    QCOMPARE(responses[0].header("connection"), "close"_ba);
    QVERIFY(client.waitForClosed());
}

void tst_HttpServer::pipelinedAsyncAnswersStayInOrder()
{
    RawHttpClient client(m_port);
    client.send(
        "GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\nGET /fast HTTP/1.1\r\nHost: localhost\r\n\r\n"
        "GET /api/v1/things/3 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const auto responses = client.read(3);
    QCOMPARE(responses.size(), 3);
    QCOMPARE(responses[0].body, "{\"n\":\"slow\"}"_ba);
    QCOMPARE(responses[1].body, "{\"n\":\"fast\"}"_ba);
    QCOMPARE(responses[2].body, "{\"id\":\"3\"}"_ba);
}

void tst_HttpServer::slowHandlerGets504()
{
    const auto response = rawRequest(m_tinyPort, "GET /never HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(response.status, 504);
    QCOMPARE(QJsonDocument::fromJson(response.body)["error"_L1].toString(), u"request timed out"_s);
    // A late answer after the timeout is ignored, not a second response or a crash.
    QVERIFY(!m_parked.isEmpty());
    m_parked.constLast().send(HttpResponse::noContent());
    QVERIFY(m_parked.constLast().isDone());
    m_parked.clear();
}

void tst_HttpServer::droppedResponderGets500()
{
    QTest::ignoreMessage(QtCriticalMsg,
                         QRegularExpression(u"handler dropped request without answering"_s));
    const auto response = rawRequest(m_port, "GET /dropped HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(response.status, 500);
    QCOMPARE(QJsonDocument::fromJson(response.body)["error"_L1].toString(), u"internal error"_s);
}

void tst_HttpServer::idleConnectionIsClosed()
{
    RawHttpClient client(m_tinyPort);
    QVERIFY(client.isConnected());
    QVERIFY(client.waitForClosed(5000));
}

void tst_HttpServer::securityHeadersAndRequestIds()
{
    auto response = rawRequest(
        m_port, "GET /fast HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: abc-123\r\n\r\n");
    QCOMPARE(response.header("x-request-id"), "abc-123"_ba);
    QVERIFY(response.header("content-security-policy").contains("frame-ancestors 'none'"));
    QCOMPARE(response.header("x-content-type-options"), "nosniff"_ba);
    QCOMPARE(response.header("x-frame-options"), "DENY"_ba);
    QVERIFY(!response.hasHeader("strict-transport-security"));
    QVERIFY(response.hasHeader("date"));
    response = rawRequest(
        m_port, "GET /fast HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: <script>\r\n\r\n");
    QCOMPARE(response.header("x-request-id").size(), 16);
}

void tst_HttpServer::invalidJsonBodyIs400_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::newRow("not json") << "{nope"_ba << u"invalid JSON body"_s;
    QTest::newRow("array") << "[1,2]"_ba << u"JSON body must be an object"_s;
    QTest::newRow("number") << "42"_ba << u"invalid JSON body"_s;
    QTest::newRow("empty") << ""_ba << u"request body is required"_s;
}

void tst_HttpServer::invalidJsonBodyIs400()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const auto response = rawRequest(m_port,
                                     "POST /api/v1/things/1 HTTP/1.1\r\nHost: localhost\r\n"
                                     "Content-Type: application/json\r\nContent-Length: "
                                         + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QCOMPARE(response.status, 400);
    QCOMPARE(QJsonDocument::fromJson(response.body)["error"_L1].toString(), message);
}

void tst_HttpServer::streamIsChunkedAndKeepsConnection()
{
    RawHttpClient client(m_port);
    client.send("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\nGET /fast HTTP/1.1\r\nHost: "
                "localhost\r\n\r\n");
    const auto responses = client.read(2);
    QCOMPARE(responses.size(), 2);
    QCOMPARE(responses[0].header("content-type"), "text/event-stream"_ba);
    QCOMPARE(responses[0].header("transfer-encoding"), "chunked"_ba);
    QCOMPARE(responses[0].body, "data: 1\n\ndata: 2\n\n"_ba);
    QCOMPARE(responses[1].body, "{\"n\":\"fast\"}"_ba);
}

void tst_HttpServer::clientGoneBeforeAsyncAnswer()
{
    {
        RawHttpClient client(m_port);
        client.send("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n");
    } // disconnects at once; the handler answers 200 ms later into nothing
    QTRY_COMPARE_WITH_TIMEOUT(m_server->activeRequests(), 0, 5000);
    QCOMPARE(rawRequest(m_port, "GET /fast HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 200);
}

void tst_HttpServer::connectionCapAnswers503()
{
    RawHttpClient first(m_tinyPort);
    RawHttpClient second(m_tinyPort);
    QVERIFY(first.isConnected() && second.isConnected());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"connection limit reached"_s));
    RawHttpClient third(m_tinyPort);
    const auto responses = third.read(1);
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses[0].status, 503);
    QVERIFY(third.waitForClosed());
}

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"
