// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The inbound request framing (HttpRequestParser): what it accepts, and every way a request could
// be framed differently by two parsers (request smuggling), each refused with its status.
#include "http/HttpRequestParser.h"

#include <QTest>

using namespace Gestalt;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Gestalt::ErrorCode)

namespace {

using Status = HttpRequestParser::Status;

// Feeds `bytes` in pieces of `piece` bytes (0: all at once) and collects every request, stopping at
// an error. `left` receives what the parser did not consume.
struct Outcome
{
    QList<ParsedRequest> requests;
    bool failed = false;
    Error error;
    QByteArray left;
};

Outcome parse(const QByteArray &bytes, qsizetype piece = 0, const HttpRequestLimits &limits = {})
{
    HttpRequestParser parser(limits);
    Outcome outcome;
    QByteArray in;
    qsizetype pos = 0;
    do {
        const qsizetype take = piece > 0 ? qMin(piece, bytes.size() - pos) : bytes.size() - pos;
        in += bytes.mid(pos, take);
        pos += take;
        while (true) {
            const qsizetype before = in.size();
            const Status status = parser.feed(in);
            Q_ASSERT(in.size() <= before);
            if (status == Status::Error) {
                outcome.failed = true;
                outcome.error = parser.error();
                outcome.left = in;
                return outcome;
            }
            if (status == Status::Request) {
                outcome.requests.append(parser.takeRequest());
            } else if (status == Status::NeedMore) {
                break;
            }
        }
    } while (pos < bytes.size());
    outcome.left = in;
    return outcome;
}

} // namespace

class tst_HttpRequestParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestIsFramed_data();
    void requestIsFramed();
    void pipelinedRequestsAreFramedOneByOne_data();
    void pipelinedRequestsAreFramedOneByOne();
    void headIsReportedBeforeItsBody();
    void connectionPersistence_data();
    void connectionPersistence();
    void abuseIsRefused_data();
    void abuseIsRefused();
    void bareLineEndsAreRefusedBeforeTheHeadEnds();
    void chunkedBodyIsRefusedBeforeItsChunkSize();
    void headLimitIsExact();
    void headerCountLimitIsExact();
    void errorIsSticky();
};

void tst_HttpRequestParser::requestIsFramed_data()
{
    QTest::addColumn<qsizetype>("piece");
    QTest::newRow("whole") << qsizetype(0);
    QTest::newRow("byte by byte") << qsizetype(1);
    QTest::newRow("3 bytes") << qsizetype(3);
}

void tst_HttpRequestParser::requestIsFramed()
{
    QFETCH(qsizetype, piece);
    const QByteArray bytes = "\r\n\r\nPOST /api/v1/x?a=b HTTP/1.1\r\nHost: localhost\r\n"
                             "X-Empty:\r\nX-Spaced: \t value with  spaces \t\r\n"
                             "Content-Length: 5\r\n\r\nhello"_ba;
    const Outcome outcome = parse(bytes, piece);
    QVERIFY2(!outcome.failed, qPrintable(outcome.error.message));
    QCOMPARE(outcome.requests.size(), 1);
    const ParsedRequest &request = outcome.requests[0];
    QCOMPARE(request.method, "POST"_ba);
    QCOMPARE(request.target, "/api/v1/x?a=b"_ba);
    QCOMPARE(request.version, "HTTP/1.1"_ba);
    QCOMPARE(request.headers.size(), 4);
    QCOMPARE(request.headers[1], std::pair("X-Empty"_ba, QByteArray()));
    QCOMPARE(request.headers[2], std::pair("X-Spaced"_ba, "value with  spaces"_ba));
    QCOMPARE(request.contentLength, 5);
    QCOMPARE(request.body, "hello"_ba);
    QVERIFY(!request.closeAfter);
    QVERIFY(outcome.left.isEmpty());
}

void tst_HttpRequestParser::pipelinedRequestsAreFramedOneByOne_data()
{
    QTest::addColumn<qsizetype>("piece");
    QTest::newRow("whole") << qsizetype(0);
    QTest::newRow("byte by byte") << qsizetype(1);
    QTest::newRow("7 bytes") << qsizetype(7);
}

// A body that looks like a request is a body: the framing is Content-Length's alone.
void tst_HttpRequestParser::pipelinedRequestsAreFramedOneByOne()
{
    QFETCH(qsizetype, piece);
    const QByteArray smuggled = "GET /admin HTTP/1.1\r\nHost: x\r\n\r\n"_ba;
    const QByteArray bytes = "POST /a HTTP/1.1\r\nContent-Length: "
                             + QByteArray::number(smuggled.size()) + "\r\n\r\n" + smuggled
                             + "GET /b HTTP/1.1\r\n\r\nDELETE /c HTTP/1.1\r\nContent-Length: "
                               "0\r\n\r\nGET /d HTTP/1.1\r\n";
    const Outcome outcome = parse(bytes, piece);
    QVERIFY2(!outcome.failed, qPrintable(outcome.error.message));
    QCOMPARE(outcome.requests.size(), 3);
    QCOMPARE(outcome.requests[0].target, "/a"_ba);
    QCOMPARE(outcome.requests[0].body, smuggled);
    QCOMPARE(outcome.requests[1].target, "/b"_ba);
    QCOMPARE(outcome.requests[1].contentLength, -1);
    QVERIFY(outcome.requests[1].body.isEmpty());
    QCOMPARE(outcome.requests[2].method, "DELETE"_ba);
    QCOMPARE(outcome.requests[2].contentLength, 0);
    // The fourth head is incomplete: held, not consumed.
    QCOMPARE(outcome.left, "GET /d HTTP/1.1\r\n"_ba);
}

void tst_HttpRequestParser::headIsReportedBeforeItsBody()
{
    HttpRequestParser parser;
    QByteArray in = "PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nab"_ba;
    QCOMPARE(parser.feed(in), Status::Head);
    QCOMPARE(in, "ab"_ba);
    QVERIFY(parser.request().expectsContinue);
    QCOMPARE(parser.request().contentLength, 4);
    QCOMPARE(parser.feed(in), Status::NeedMore);
    QVERIFY(in.isEmpty());
    in = "cdGET"_ba;
    QCOMPARE(parser.feed(in), Status::Request);
    QCOMPARE(parser.request().body, "abcd"_ba);
    QCOMPARE(in, "GET"_ba);
    QCOMPARE(parser.feed(in), Status::NeedMore);
    QCOMPARE(in, "GET"_ba);
}

void tst_HttpRequestParser::connectionPersistence_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<bool>("closeAfter");
    QTest::newRow("HTTP/1.1") << "GET / HTTP/1.1\r\n\r\n"_ba << false;
    QTest::newRow("HTTP/1.1 close") << "GET / HTTP/1.1\r\nConnection: Close\r\n\r\n"_ba << true;
    QTest::newRow("HTTP/1.0") << "GET / HTTP/1.0\r\n\r\n"_ba << true;
    QTest::newRow("HTTP/1.0 keep-alive")
        << "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"_ba << false;
}

void tst_HttpRequestParser::connectionPersistence()
{
    QFETCH(QByteArray, head);
    QFETCH(bool, closeAfter);
    const Outcome outcome = parse(head);
    QVERIFY2(!outcome.failed, qPrintable(outcome.error.message));
    QCOMPARE(outcome.requests.size(), 1);
    QCOMPARE(outcome.requests[0].closeAfter, closeAfter);
}

void tst_HttpRequestParser::abuseIsRefused_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<Gestalt::ErrorCode>("code");
    QTest::addColumn<QString>("message");
    const QByteArray get = "GET / HTTP/1.1\r\nHost: x\r\n"_ba;
    const QByteArray post = "POST / HTTP/1.1\r\nHost: x\r\n"_ba;

    // Request smuggling: two ways to frame one body.
    QTest::newRow("Content-Length and Transfer-Encoding")
        << post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        << ErrorCode::LengthRequired
        << u"chunked request bodies are not supported; send Content-Length"_s;
    QTest::newRow("Transfer-Encoding and Content-Length")
        << post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"
        << ErrorCode::LengthRequired
        << u"chunked request bodies are not supported; send Content-Length"_s;
    QTest::newRow("Transfer-Encoding: identity")
        << post + "Transfer-Encoding: identity\r\n\r\n"
        << ErrorCode::LengthRequired
        << u"chunked request bodies are not supported; send Content-Length"_s;
    QTest::newRow("two different Content-Lengths")
        << post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
        << ErrorCode::InvalidArgument << u"conflicting Content-Length headers"_s;
    QTest::newRow("repeated Content-Length")
        << post + "Content-Length: 5\r\ncontent-length: 5\r\n\r\nhello"
        << ErrorCode::InvalidArgument << u"repeated Content-Length header"_s;
    QTest::newRow("Content-Length list")
        << post + "Content-Length: 5, 5\r\n\r\nhello" << ErrorCode::InvalidArgument
        << u"invalid Content-Length header"_s;
    QTest::newRow("signed Content-Length")
        << post + "Content-Length: +5\r\n\r\nhello" << ErrorCode::InvalidArgument
        << u"invalid Content-Length header"_s;
    QTest::newRow("negative Content-Length")
        << post + "Content-Length: -5\r\n\r\n"
        << ErrorCode::InvalidArgument << u"invalid Content-Length header"_s;
    QTest::newRow("hex Content-Length")
        << post + "Content-Length: 0x5\r\n\r\nhello" << ErrorCode::InvalidArgument
        << u"invalid Content-Length header"_s;
    QTest::newRow("empty Content-Length")
        << post + "Content-Length:\r\n\r\n"
        << ErrorCode::InvalidArgument << u"invalid Content-Length header"_s;
    QTest::newRow("Content-Length overflow")
        << post + "Content-Length: 18446744073709551621\r\n\r\n"
        << ErrorCode::InvalidArgument << u"invalid Content-Length header"_s;
    QTest::newRow("Content-Length over the limit")
        << post + "Content-Length: 1048577\r\n\r\n"
        << ErrorCode::PayloadTooLarge << u"request body is too large (limit 1048576 bytes)"_s;
    QTest::newRow("whitespace before the colon")
        << post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"
        << ErrorCode::InvalidArgument << u"malformed request header"_s;
    QTest::newRow("obs-fold") << get + "X-A: a\r\n Transfer-Encoding: chunked\r\n\r\n"
                              << ErrorCode::InvalidArgument
                              << u"obsolete line folding in request header"_s;
    QTest::newRow("obs-fold with a tab")
        << get + "X-A: a\r\n\tb\r\n\r\n"
        << ErrorCode::InvalidArgument << u"obsolete line folding in request header"_s;
    QTest::newRow("bare LF between headers")
        << get + "X-A: a\nContent-Length: 5\r\n\r\nhello" << ErrorCode::InvalidArgument
        << u"bare LF in request header"_s;
    QTest::newRow("bare LF ends the head")
        << "GET / HTTP/1.1\n\n"_ba << ErrorCode::InvalidArgument << u"bare LF in request header"_s;
    QTest::newRow("bare CR in a value")
        << get + "X-A: a\rContent-Length: 5\r\n\r\nhello" << ErrorCode::InvalidArgument
        << u"bare CR in request header"_s;
    QTest::newRow("NUL in a value")
        << get + "X-A: a\0b\r\n\r\n"_ba << ErrorCode::InvalidArgument << u"NUL in request header"_s;
    QTest::newRow("NUL in a name")
        << get + "X-\0A: b\r\n\r\n"_ba << ErrorCode::InvalidArgument << u"NUL in request header"_s;
    QTest::newRow("NUL in the target") << "GET /\0 HTTP/1.1\r\n\r\n"_ba
                                       << ErrorCode::InvalidArgument << u"NUL in request header"_s;
    QTest::newRow("control character in a value")
        << get + "X-A: a\x01 b\r\n\r\n"_ba << ErrorCode::InvalidArgument
        << u"invalid character in request header"_s;
    QTest::newRow("header without a colon")
        << get + "X-A b\r\n\r\n"
        << ErrorCode::InvalidArgument << u"malformed request header"_s;
    QTest::newRow("header without a name")
        << get + ": b\r\n\r\n"
        << ErrorCode::InvalidArgument << u"malformed request header"_s;
    QTest::newRow("unknown expectation")
        << post + "Expect: magic\r\n\r\n"
        << ErrorCode::ExpectationFailed << u"unsupported Expect header"_s;

    // Malformed request lines.
    for (const QByteArray &line : {"GARBAGE"_ba,
                                   "GET /"_ba,
                                   "GET  / HTTP/1.1"_ba,
                                   "GET /  HTTP/1.1"_ba,
                                   " GET / HTTP/1.1"_ba,
                                   "GET / HTTP/1.1 "_ba,
                                   "GET\t/ HTTP/1.1"_ba,
                                   "GET / HTTP/2.0"_ba,
                                   "GET / HTTP/1.x"_ba,
                                   "G(T / HTTP/1.1"_ba,
                                   "GET /a\x7f HTTP/1.1"_ba,
                                   "GET /a b HTTP/1.1"_ba}) {
        QTest::addRow("request line %s", line.constData())
            << line + "\r\n\r\n"
            << ErrorCode::InvalidArgument << u"malformed request line"_s;
    }

    // Limits.
    QTest::newRow("over-long header line")
        << get + "X-Long: " + QByteArray(20000, 'a') + "\r\n\r\n"
        << ErrorCode::HeadersTooLarge << u"request header is too large"_s;
    QTest::newRow("over-long request line")
        << "GET /" + QByteArray(20000, 'a') + " HTTP/1.1\r\n\r\n"
        << ErrorCode::HeadersTooLarge << u"request header is too large"_s;
    QByteArray many = get;
    for (int i = 0; i < 100; ++i) {
        many += "X-" + QByteArray::number(i) + ": v\r\n";
    }
    QTest::newRow("header count") << many + "\r\n"
                                  << ErrorCode::HeadersTooLarge
                                  << u"too many request header fields (limit 100)"_s;
}

void tst_HttpRequestParser::abuseIsRefused()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Gestalt::ErrorCode, code);
    QFETCH(QString, message);
    for (const qsizetype piece : {qsizetype(0), qsizetype(1), qsizetype(5)}) {
        const Outcome outcome = parse(bytes, piece);
        QVERIFY2(outcome.failed, qPrintable(u"accepted when fed in pieces of %1"_s.arg(piece)));
        QCOMPARE(outcome.error.code, code);
        QCOMPARE(outcome.error.message, message);
        QVERIFY(outcome.requests.isEmpty());
    }
}

// A lenient parser behind this one could end the head at a bare LF: the error comes at once, not
// when (or if) a CRLF CRLF arrives.
void tst_HttpRequestParser::bareLineEndsAreRefusedBeforeTheHeadEnds()
{
    HttpRequestParser parser;
    QByteArray in = "GET / HTTP/1.1\r\nHost: x\n"_ba;
    QCOMPARE(parser.feed(in), Status::Error);
    QCOMPARE(parser.error().message, u"bare LF in request header"_s);

    HttpRequestParser cr;
    in = "GET / HTTP/1.1\r"_ba;
    QCOMPARE(cr.feed(in), Status::NeedMore); // the LF may still come
    in += "X";
    QCOMPARE(cr.feed(in), Status::Error);
    QCOMPARE(cr.error().message, u"bare CR in request header"_s);
}

// Chunked bodies are refused at the head, so no chunk size (however long) is ever parsed.
void tst_HttpRequestParser::chunkedBodyIsRefusedBeforeItsChunkSize()
{
    HttpRequestParser parser;
    const QByteArray chunk = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"_ba;
    QByteArray in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"_ba + chunk;
    QCOMPARE(parser.feed(in), Status::Error);
    QCOMPARE(parser.error().code, ErrorCode::LengthRequired);
    QCOMPARE(in, chunk);
}

void tst_HttpRequestParser::headLimitIsExact()
{
    const HttpRequestLimits limits{.maxHeaderBytes = 64};
    const QByteArray start = "GET / HTTP/1.1\r\nX: "_ba;
    // Exactly 64 bytes with its blank line: accepted; one more: refused.
    const QByteArray fits = start + QByteArray(64 - start.size() - 4, 'a') + "\r\n\r\n";
    QCOMPARE(fits.size(), 64);
    const Outcome ok = parse(fits, 0, limits);
    QVERIFY2(!ok.failed, qPrintable(ok.error.message));
    QCOMPARE(ok.requests.size(), 1);
    const QByteArray over = start + QByteArray(64 - start.size() - 3, 'a') + "\r\n\r\n";
    for (const qsizetype piece : {qsizetype(0), qsizetype(1)}) {
        const Outcome refused = parse(over, piece, limits);
        QVERIFY(refused.failed);
        QCOMPARE(refused.error.code, ErrorCode::HeadersTooLarge);
    }
    // An endless head is refused once it passes the limit, without waiting for its end.
    HttpRequestParser parser(limits);
    QByteArray in = start + QByteArray(64, 'a');
    QCOMPARE(parser.feed(in), Status::Error);
    QCOMPARE(parser.error().code, ErrorCode::HeadersTooLarge);
}

void tst_HttpRequestParser::headerCountLimitIsExact()
{
    QByteArray head = "GET / HTTP/1.1\r\n"_ba;
    for (int i = 0; i < 10; ++i) {
        head += "X-" + QByteArray::number(i) + ": v\r\n";
    }
    const Outcome ok = parse(head + "\r\n", 0, {.maxHeaderCount = 10});
    QVERIFY2(!ok.failed, qPrintable(ok.error.message));
    QCOMPARE(ok.requests.value(0).headers.size(), 10);
    const Outcome refused = parse(head + "X-10: v\r\n\r\n", 0, {.maxHeaderCount = 10});
    QVERIFY(refused.failed);
    QCOMPARE(refused.error.code, ErrorCode::HeadersTooLarge);
}

void tst_HttpRequestParser::errorIsSticky()
{
    HttpRequestParser parser;
    QByteArray in = "BAD\r\n\r\nGET / HTTP/1.1\r\n\r\n"_ba;
    QCOMPARE(parser.feed(in), Status::Error);
    QCOMPARE(parser.feed(in), Status::Error);
    QCOMPARE(in, "GET / HTTP/1.1\r\n\r\n"_ba);
    parser.reset();
    QCOMPARE(parser.feed(in), Status::Head);
    QCOMPARE(parser.feed(in), Status::Request);
    QVERIFY(in.isEmpty());
}

QTEST_GUILESS_MAIN(tst_HttpRequestParser)
#include "tst_httprequestparser.moc"
