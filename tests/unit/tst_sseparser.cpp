// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/SseParser.h"

#include <QRegularExpression>
#include <QTest>

using namespace Gestalt;
using namespace Qt::StringLiterals;

namespace {

// One line per event, "type|id|data" (data with its LFs shown as "\n"), so a failure is readable.
QByteArrayList describe(const QList<SseParser::Event> &events)
{
    QByteArrayList lines;
    for (const SseParser::Event &event : events) {
        QByteArray data = event.data;
        data.replace('\n', "\\n");
        lines.append(event.type + '|' + event.id + '|' + data);
    }
    return lines;
}

QByteArrayList parseInChunks(const QList<QByteArrayView> &chunks, SseParser &parser)
{
    QList<SseParser::Event> events;
    for (QByteArrayView chunk : chunks) {
        events.append(parser.feed(chunk));
    }
    return describe(events);
}

} // namespace

class tst_SseParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void parses_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<QByteArrayList>("expected");
        QTest::addColumn<QByteArray>("lastEventId");
        QTest::addColumn<qint64>("retry"); // -1: none

        QTest::newRow("one event")
            << "data: hello\n\n"_ba << QByteArrayList{"message||hello"} << QByteArray() << -1LL;
        QTest::newRow("multi-line data joined with LF")
            << "data: a\ndata: b\ndata: c\n\n"_ba << QByteArrayList{"message||a\\nb\\nc"}
            << QByteArray() << -1LL;
        QTest::newRow("CRLF line ends") << "event: note\r\ndata: x\r\ndata: y\r\n\r\n"_ba
                                        << QByteArrayList{"note||x\\ny"} << QByteArray() << -1LL;
        QTest::newRow("CR line ends")
            << "data: x\r\rdata: y\r\r"_ba << QByteArrayList{"message||x", "message||y"}
            << QByteArray() << -1LL;
        QTest::newRow("mixed line ends")
            << "data: a\r\ndata: b\ndata: c\r\r\n"_ba << QByteArrayList{"message||a\\nb\\nc"}
            << QByteArray() << -1LL;
        QTest::newRow("type and id") << "event: ping\nid: 7\ndata: {}\n\n"_ba
                                     << QByteArrayList{"ping|7|{}"} << "7"_ba << -1LL;
        QTest::newRow("id carries over to later events")
            << "id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"_ba
            << QByteArrayList{"message|1|a", "message|1|b", "message|2|c"} << "2"_ba << -1LL;
        QTest::newRow("empty id resets it")
            << "id: 1\ndata: a\n\nid\ndata: b\n\n"_ba << QByteArrayList{"message|1|a", "message||b"}
            << QByteArray() << -1LL;
        QTest::newRow("id with NUL ignored") << "id: 1\n\nid: a\0b\ndata: x\n\n"_ba
                                             << QByteArrayList{"message|1|x"} << "1"_ba << -1LL;
        QTest::newRow("comments are skipped")
            << ": keep-alive\n\n:another\ndata: z\n\n"_ba << QByteArrayList{"message||z"}
            << QByteArray() << -1LL;
        QTest::newRow("no space after the colon")
            << "data:x\n\n"_ba << QByteArrayList{"message||x"} << QByteArray() << -1LL;
        QTest::newRow("only one space removed")
            << "data:  x \n\n"_ba << QByteArrayList{"message|| x "} << QByteArray() << -1LL;
        QTest::newRow("field without colon")
            << "data\n\n"_ba << QByteArrayList{"message||"} << QByteArray() << -1LL;
        QTest::newRow("priming event with empty data")
            << "id: p1\ndata: \n\n"_ba << QByteArrayList{"message|p1|"} << "p1"_ba << -1LL;
        QTest::newRow("event without data is not dispatched, type resets")
            << "event: foo\n\ndata: a\n\n"_ba << QByteArrayList{"message||a"} << QByteArray()
            << -1LL;
        QTest::newRow("unfinished event at the end is dropped")
            << "data: a\n\ndata: b\n"_ba << QByteArrayList{"message||a"} << QByteArray() << -1LL;
        QTest::newRow("leading BOM skipped")
            << "\xEF\xBB\xBF"
               "data: a\n\n"_ba
            << QByteArrayList{"message||a"} << QByteArray() << -1LL;
        QTest::newRow("unknown fields ignored")
            << "foo: bar\ndata: a\nDATA: b\n\n"_ba << QByteArrayList{"message||a"} << QByteArray()
            << -1LL;
        QTest::newRow("retry") << "retry: 2500\n\n"_ba << QByteArrayList{} << QByteArray()
                               << 2500LL;
        QTest::newRow("retry not all digits ignored") << "retry: 1000\nretry: 2s\nretry: \n\n"_ba
                                                      << QByteArrayList{} << QByteArray() << 1000LL;
        QTest::newRow("colon inside the value kept")
            << "data: {\"a\":\"b:c\"}\n\n"_ba << QByteArrayList{"message||{\"a\":\"b:c\"}"}
            << QByteArray() << -1LL;
        QTest::newRow("MCP JSON-RPC message")
            << "event: message\nid: 4f2e\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n"_ba
            << QByteArrayList{"message|4f2e|{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"}
            << "4f2e"_ba << -1LL;
        QTest::newRow("empty stream") << QByteArray() << QByteArrayList{} << QByteArray() << -1LL;
    }

    // Every row is parsed whole, split in two at every position (inside a line, between CR and
    // LF, inside the BOM) and one byte at a time: always the same events.
    void parses()
    {
        QFETCH(QByteArray, stream);
        QFETCH(QByteArrayList, expected);
        QFETCH(QByteArray, lastEventId);
        QFETCH(qint64, retry);

        {
            SseParser parser;
            QCOMPARE(parseInChunks({stream}, parser), expected);
            QCOMPARE(parser.lastEventId(), lastEventId);
            QCOMPARE(parser.retryMs().value_or(-1), retry);
            QVERIFY(!parser.overflowed());
        }
        const QByteArrayView view(stream);
        for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
            SseParser parser;
            const QByteArrayList got = parseInChunks({view.first(cut), view.sliced(cut)}, parser);
            if (got != expected) {
                QFAIL(qPrintable(
                    u"split at %1: got [%2]"_s.arg(cut).arg(QString::fromUtf8(got.join(", ")))));
            }
            QCOMPARE(parser.lastEventId(), lastEventId);
        }
        SseParser parser;
        QList<QByteArrayView> bytes;
        for (qsizetype i = 0; i < stream.size(); ++i) {
            bytes.append(view.sliced(i, 1));
        }
        QCOMPARE(parseInChunks(bytes, parser), expected);
        QCOMPARE(parser.retryMs().value_or(-1), retry);
    }

    void keepsStateAcrossFeeds()
    {
        SseParser parser;
        QCOMPARE(describe(parser.feed("id: 9\nda")), QByteArrayList{});
        QCOMPARE(describe(parser.feed("ta: first\r")), QByteArrayList{});
        QCOMPARE(describe(parser.feed("\n\r")), QByteArrayList{"message|9|first"});
        QCOMPARE(describe(parser.feed("\ndata: second\n\n")), QByteArrayList{"message|9|second"});
    }

    void stopsBeyondTheLimit_data()
    {
        QTest::addColumn<QByteArray>("stream");

        QTest::newRow("one long line") << QByteArray(100, 'x');
        QTest::newRow("many data lines") << "data: 0123456789\n"_ba.repeated(10);
    }

    void stopsBeyondTheLimit()
    {
        QFETCH(QByteArray, stream);

        SseParser parser(64);
        QCOMPARE(describe(parser.feed("data: small\n\n")), QByteArrayList{"message||small"});
        QVERIFY(!parser.overflowed());
        QCOMPARE(describe(parser.feed(stream)), QByteArrayList{});
        QVERIFY(parser.overflowed());
        QCOMPARE(describe(parser.feed("\n\ndata: more\n\n")), QByteArrayList{});
    }
};

QTEST_GUILESS_MAIN(tst_SseParser)
#include "tst_sseparser.moc"
