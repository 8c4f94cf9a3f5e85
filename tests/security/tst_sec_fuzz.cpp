// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Inputs the fuzzers (fuzz/) found, replayed over real HTTP against a running gestaltd, on SQLite
// and PostgreSQL. Each one used to hang a request (and the server's event loop) for good.
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
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

QTEST_GUILESS_MAIN(tst_SecFuzz)
#include "tst_sec_fuzz.moc"
