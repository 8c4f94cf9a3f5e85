// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// gestalt-console against a real gestaltd, the runtime page: providers, hosted sessions with
// paging, and their logs.
#include "ConsoleHarness.h"
#include "MainWindow.h"
#include "pages/RuntimePage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Console;
using namespace Gestalt::Test;

class tst_RuntimePage final
    : public QObject
    , private ConsoleHarness
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { startPlayground(); }
    void init() { openWindow(); }
    void cleanup() { closeWindow(); }
    void cleanupTestCase() { stopPlayground(); }

    void runtimeShowsTheHostedSession();
};

void tst_RuntimePage::runtimeShowsTheHostedSession()
{
    connectWindow(*m_window);
    m_window->showPage(MainWindow::PageId::Runtime);
    RuntimePage &page = *m_window->runtimePage();
    QAbstractItemModelTester providers(page.providers(),
                                       QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester sessions(page.sessions(),
                                      QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester logs(page.logs(),
                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(page.providers()->rowCount(), 1);
    QCOMPARE(page.providers()->rowAt(0)->name, u"local"_s);
    QVERIFY(page.providers()->rowAt(0)->loaded);
    QTRY_COMPARE_WITH_TIMEOUT(page.sessions()->rowCount(), 2, 15000);
    auto *more = page.findChild<QPushButton *>(u"moreSessionsPushButton"_s);
    QVERIFY(more->isHidden());
    const int everything = rowWhere(
        *page.sessions(), [](const RuntimeSession &r) { return r.app == u"everything"_s; });
    QVERIFY(everything >= 0);
    QCOMPARE(page.sessions()->rowAt(everything)->state, u"running"_s);
    QVERIFY(page.sessions()->rowAt(everything)->pid > 0);

    // One session a page: "Load more sessions" fetches the next.
    page.setSessionPageSize(1);
    m_window->refreshCurrentPage();
    QTRY_COMPARE(page.sessions()->rowCount(), 1);
    QTRY_VERIFY(!more->isHidden());
    QTest::mouseClick(more, Qt::LeftButton);
    QTRY_COMPARE(page.sessions()->rowCount(), 2);
    QTRY_VERIFY(more->isHidden());

    page.selectSession(rowWhere(*page.sessions(),
                                [](const RuntimeSession &r) { return r.app == u"everything"_s; }));
    // server-everything writes to stderr when it starts.
    QTRY_VERIFY_WITH_TIMEOUT(page.logs()->rowCount() > 0, 15000);
    QVERIFY(page.findChild<QLabel *>(u"sessionTitleLabel"_s)->text().contains(u"everything"_s));
    screenshot(*m_window, u"console-runtime"_s);
}

QTEST_MAIN(tst_RuntimePage)
#include "tst_runtimepage.moc"
