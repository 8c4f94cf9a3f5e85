// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// gestalt-console against a real gestaltd, the metrics page: charts filled from /metrics scrapes.
#include "ConsoleHarness.h"
#include "MainWindow.h"
#include "pages/MetricsPage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QChart>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Console;
using namespace Gestalt::Test;

class tst_MetricsPage final
    : public QObject
    , private ConsoleHarness
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { startPlayground(); }
    void init() { openWindow(); }
    void cleanup() { closeWindow(); }
    void cleanupTestCase() { stopPlayground(); }

    void metricsChartsFillAfterTraffic();
};

void tst_MetricsPage::metricsChartsFillAfterTraffic()
{
    connectWindow(*m_window);
    m_window->showPage(MainWindow::PageId::Metrics);
    MetricsPage &page = *m_window->metricsPage();
    page.setPaused(true); // scrapes are driven by the test, on a clock it steps by 5 s
    QDateTime now = QDateTime::currentDateTimeUtc();
    page.setClock([&now] { return now; });
    QAbstractItemModelTester busiest(page.busiest(),
                                     QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy scraped(&page, &MetricsPage::scraped);
    page.refresh();
    QVERIFY(scraped.wait(5000));
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(m_server->get(u"/api/v1/team/get"_s).status, 200);
        }
        QCOMPARE(m_server->get(u"/api/v1/team/status?code=503"_s).status, 503);
        now = now.addSecs(5);
        page.refresh();
        QVERIFY(scraped.wait(5000));
    }
    const auto seriesOf = [&page](const QString &chart, const QString &name) -> QLineSeries * {
        for (QAbstractSeries *series : page.chart(chart)->series()) {
            if (series->name() == name) {
                return static_cast<QLineSeries *>(series);
            }
        }
        return nullptr;
    };
    QLineSeries *requests = seriesOf(u"requests"_s, u"team"_s);
    QVERIFY(requests);
    QCOMPARE(requests->count(), 3);
    QVERIFY(requests->at(2).y() > 0);
    QLineSeries *errors = seriesOf(u"errors"_s, u"team"_s);
    QVERIFY(errors && errors->at(2).y() > 0);
    QVERIFY(seriesOf(u"latency"_s, u"team p95"_s)
            && seriesOf(u"latency"_s, u"team p95"_s)->count() == 3);
    QVERIFY(seriesOf(u"memory"_s, u"resident"_s)->count() >= 4);
    // 5 calls (4 + 1 error) in each 5 s step: 1 request/s and 0.2 errors/s.
    QCOMPARE(requests->at(2).y(), 1.0);
    QCOMPARE(errors->at(2).y(), 0.2);
    QCOMPARE(page.busiest()->rowAt(0)->app, u"team"_s);
    QCOMPARE(page.busiest()->rowAt(0)->totalErrors, 3.0);
    QCOMPARE(page.busiest()->data(page.busiest()->index(0, 1), Qt::DisplayRole).toString(),
             u"1.00"_s);
    screenshot(*m_window, u"console-metrics"_s);
}

QTEST_MAIN(tst_MetricsPage)
#include "tst_metricspage.moc"
