// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Request smuggling and framing abuse at the listener, over real HTTP against a running gestaltd
// (SQLite and PostgreSQL): every request whose framing two HTTP parsers could read differently (a
// reverse proxy in front, QtHttpServer's parser behind the guard) is refused with its status and a
// JSON error, and the connection closes, so no second request can hide in the first one's bytes.
#include "support/RawHttpClient.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

class tst_SecFraming final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void smuggledFramingIsRefused_data();
    void smuggledFramingIsRefused();
    void bareLineFeedHeadIsRefusedWithoutWaiting();
    void requestInABodyIsOnlyABody();

private:
    std::unique_ptr<TestServer> m_server;
};

void tst_SecFraming::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void tst_SecFraming::smuggledFramingIsRefused_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    // Each hides "GET /admin/api/v1/users" behind a framing some parser reads another way.
    const QByteArray post = "POST /api/v1/tokens HTTP/1.1\r\nHost: localhost\r\n"_ba;
    const QByteArray hidden = "GET /admin/api/v1/users HTTP/1.1\r\nHost: localhost\r\n\r\n"_ba;
    QTest::newRow("Content-Length and Transfer-Encoding")
        << post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden << 411
        << u"chunked request bodies are not supported; send Content-Length"_s;
    QTest::newRow("two different Content-Lengths")
        << post + "Content-Length: 0\r\nContent-Length: " + QByteArray::number(hidden.size())
               + "\r\n\r\n" + hidden
        << 400 << u"conflicting Content-Length headers"_s;
    QTest::newRow("repeated Content-Length")
        << post + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}" + hidden << 400
        << u"repeated Content-Length header"_s;
    QTest::newRow("Content-Length list") << post + "Content-Length: 2, 2\r\n\r\n{}" + hidden << 400
                                         << u"invalid Content-Length header"_s;
    QTest::newRow("signed Content-Length") << post + "Content-Length: +2\r\n\r\n{}" + hidden << 400
                                           << u"invalid Content-Length header"_s;
    QTest::newRow("whitespace before the colon")
        << post + "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" + hidden
        << 400 << u"malformed request header"_s;
    QTest::newRow("obs-fold hiding Transfer-Encoding")
        << post + "X-A: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"
               + hidden
        << 400 << u"obsolete line folding in request header"_s;
    QTest::newRow("bare LF between headers")
        << post + "X-A: a\nContent-Length: " + QByteArray::number(hidden.size()) + "\r\n\r\n"
               + hidden
        << 400 << u"bare LF in request header"_s;
    QTest::newRow("bare CR between headers")
        << post + "X-A: a\rContent-Length: " + QByteArray::number(hidden.size()) + "\r\n\r\n"
               + hidden
        << 400 << u"bare CR in request header"_s;
    QTest::newRow("NUL in a header value")
        << post + "X-A: a\0b\r\nContent-Length: 2\r\n\r\n{}"_ba + hidden << 400
        << u"NUL in request header"_s;
    QTest::newRow("control character in a header value")
        << post + "X-A: a\x0b b\r\nContent-Length: 2\r\n\r\n{}"_ba + hidden << 400
        << u"invalid character in request header"_s;
    QByteArray many = "GET /health HTTP/1.1\r\nHost: localhost\r\n"_ba;
    for (int i = 0; i < 100; ++i) {
        many += "X-" + QByteArray::number(i) + ": v\r\n";
    }
    QTest::newRow("too many header fields")
        << many + "\r\n"
        << 431 << u"too many request header fields (limit 100)"_s;
    QTest::newRow("over-long header line")
        << "GET /health HTTP/1.1\r\nX-Long: " + QByteArray(20000, 'a') + "\r\n\r\n"
        << 431 << u"request header is too large"_s;
}

// An outsider (no credentials needed: the framing is read before any authentication) sends a
// request whose framing is ambiguous.
void tst_SecFraming::smuggledFramingIsRefused()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);
    QFETCH(QString, error);
    RawHttpClient client(m_server->port());
    QVERIFY(client.isConnected());
    client.send(bytes);
    const QList<RawResponse> responses = client.read(2, 3000);
    QCOMPARE(responses.size(), 1); // the refusal, and nothing for a request hidden behind it
    QCOMPARE(responses[0].status, status);
    QCOMPARE(responses[0].header("connection"), "close"_ba);
    QCOMPARE(QJsonDocument::fromJson(responses[0].body).object().value("error"_L1).toString(),
             error);
    QVERIFY(client.waitForClosed());
    QCOMPARE(m_server->get(u"/health"_s).status, 200);
}

// QtHttpServer's parser accepts LF line ends; the guard used to wait for CRLF CRLF and let such a
// head through uninspected. Now the first bare LF is refused at once.
void tst_SecFraming::bareLineFeedHeadIsRefusedWithoutWaiting()
{
    RawHttpClient client(m_server->port());
    client.send("GET /health HTTP/1.1\nHost: localhost\n\n"_ba);
    const QList<RawResponse> responses = client.read(1, 3000);
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses[0].status, 400);
    QCOMPARE(QJsonDocument::fromJson(responses[0].body).object().value("error"_L1).toString(),
             u"bare LF in request header"_s);
    QVERIFY(client.waitForClosed());
}

// The control case: a body that looks like a request is a body (Content-Length alone frames it),
// answered once; the next pipelined request is answered in order.
void tst_SecFraming::requestInABodyIsOnlyABody()
{
    const QByteArray hidden = "GET /admin/api/v1/users HTTP/1.1\r\nHost: localhost\r\n\r\n"_ba;
    RawHttpClient client(m_server->port());
    client.send("POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                "Content-Length: "
                + QByteArray::number(hidden.size()) + "\r\n\r\n" + hidden
                + "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const QList<RawResponse> responses = client.read(3, 3000);
    QCOMPARE(responses.size(), 2);
    QCOMPARE(responses[0].status, 405);
    QCOMPARE(responses[1].status, 200);
}

QTEST_GUILESS_MAIN(tst_SecFraming)
#include "tst_sec_framing.moc"
