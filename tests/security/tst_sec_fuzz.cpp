// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Inputs the fuzzers (fuzz/) found, replayed over real HTTP against a running gestaltd, on SQLite
// and PostgreSQL. Each one used to hang a request (and the server's event loop) for good. And the
// request framing corpus (fuzz/corpus/http_request/), every input sent as raw bytes: the server
// answers exactly the requests HttpRequestParser frames in it, then refuses what it refuses.
#include "http/HttpRequestParser.h"
#include "http/HttpResponse.h"
#include "support/RawHttpClient.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

class tst_SecFuzz final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void workflowImportOfEndlessYamlDocumentsIsRefused_data();
    void workflowImportOfEndlessYamlDocumentsIsRefused();
    void requestFramingCorpusIsAnsweredAsFramed_data();
    void requestFramingCorpusIsAnsweredAsFramed();

private:
    std::unique_ptr<TestServer> m_server;
};

void tst_SecFuzz::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void tst_SecFuzz::workflowImportOfEndlessYamlDocumentsIsRefused_data()
{
    QTest::addColumn<QByteArray>("yaml");
    // yaml-cpp 0.7 reports an endless run of empty documents for these (jbeder/yaml-cpp#1319):
    // an import looped, allocating, until the process ran out of memory.
    QTest::newRow("fuzz_workflow_yaml timeout") << "#wnr\n ,eo{}ks\nnull{}\n"_ba;
    QTest::newRow("a line holding a comma") << "\n,\n"_ba;
}

// An insider (any signed-in user) posts 3 bytes of YAML to the workflow import.
void tst_SecFuzz::workflowImportOfEndlessYamlDocumentsIsRefused()
{
    QFETCH(QByteArray, yaml);
    const HttpReply reply = m_server->request("POST",
                                              u"/api/v1/workflow/config/import"_s,
                                              yaml,
                                              {{"Content-Type"_ba, "application/yaml"_ba}});
    QCOMPARE(reply.status, 400);
    QVERIFY2(reply.error().contains(u"YAML"_s), qPrintable(reply.error()));
    // The server still answers.
    QCOMPARE(m_server->get(u"/api/v1/workflow/schedules"_s).status, 200);
    QCOMPARE(m_server->get(u"/api/v1/workflow/schedules"_s).json().array().size(), 0);
}

void tst_SecFuzz::requestFramingCorpusIsAnsweredAsFramed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    const QDir corpus(QStringLiteral(GESTALT_SOURCE_DIR "/fuzz/corpus/http_request"));
    const QStringList names = corpus.entryList(QDir::Files, QDir::Name);
    QVERIFY(!names.isEmpty());
    for (const QString &name : names) {
        QFile file(corpus.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        // The first byte only tells the fuzzer where to cut the input.
        QTest::addRow("%s", qPrintable(name)) << file.readAll().mid(1);
    }
}

// An outsider sends each input of the framing corpus (pipelined requests, smuggling attempts,
// malformed heads) on one connection.
void tst_SecFuzz::requestFramingCorpusIsAnsweredAsFramed()
{
    QFETCH(QByteArray, bytes);
    // What the framing makes of the bytes, with the server's default limits.
    HttpRequestParser parser;
    QByteArray in = bytes;
    int framed = 0;
    bool closes = false;
    std::optional<Error> refusal;
    for (bool going = true; going;) {
        switch (parser.feed(in)) {
        case HttpRequestParser::Status::Head:
            break;
        case HttpRequestParser::Status::Request:
            ++framed;
            closes = parser.request().closeAfter;
            going = !closes;
            break;
        case HttpRequestParser::Status::Error:
            refusal = parser.error();
            going = false;
            break;
        case HttpRequestParser::Status::NeedMore:
            going = false;
            break;
        }
    }
    const int expected = framed + (refusal ? 1 : 0);

    RawHttpClient client(m_server->port());
    QVERIFY(client.isConnected());
    client.send(bytes);
    QList<RawResponse> answers;
    while (answers.size() < expected) {
        const QList<RawResponse> read = client.read(1, 5000);
        if (read.isEmpty()) {
            break;
        }
        if (read[0].status != 100) {
            answers.append(read[0]);
        }
    }
    QCOMPARE(answers.size(), expected);
    // Each framed request gets its own answer (501: a method the server does not know, such as
    // "ET" when a body's length ends just after the G of the next request).
    for (qsizetype i = 0; i < framed; ++i) {
        QVERIFY2(answers[i].status < 500 || answers[i].status == 501,
                 qPrintable(QString::number(answers[i].status)));
    }
    if (refusal) {
        QCOMPARE(answers.constLast().status, httpStatusFor(refusal->code));
        QCOMPARE(
            QJsonDocument::fromJson(answers.constLast().body).object().value("error"_L1).toString(),
            refusal->message);
    }
    if (refusal || closes) {
        QVERIFY(client.waitForClosed());
    }
    QCOMPARE(m_server->get(u"/health"_s).status, 200);
}

QTEST_GUILESS_MAIN(tst_SecFuzz)
#include "tst_sec_fuzz.moc"
