// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// gestalt-console against a real gestaltd, the limits page: blocked upstream credentials and the
// limits answer.
#include "ConsoleHarness.h"
#include "MainWindow.h"
#include "pages/LimitsPage.h"
#include "support/TestServer.h"
#include "widgets/ErrorBanner.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Console;
using namespace Gestalt::Test;

class tst_LimitsPage final
    : public QObject
    , private ConsoleHarness
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { startPlayground(); }
    void init() { openWindow(); }
    void cleanup() { closeWindow(); }
    void cleanupTestCase() { stopPlayground(); }

    void limitsShowTheUpstreamThatAskedToSlowDown();
    void limitsPageReadsTheLimitsAnswer();
};

void tst_LimitsPage::limitsShowTheUpstreamThatAskedToSlowDown()
{
    m_fake.setReply(429,
                    {{"Content-Type"_ba, "application/json"_ba}, {"Retry-After"_ba, "120"_ba}},
                    "{\"message\":\"slow down\"}"_ba);
    QCOMPARE(m_server->get(u"/api/v1/slow/items"_s).status, 429);
    const HttpReply refused = m_server->get(u"/api/v1/slow/items"_s);
    QCOMPARE(refused.status, 429);
    QCOMPARE(refused.json()[u"code"_s].toString(), u"upstream_rate_limited"_s);

    connectWindow(*m_window);
    m_window->showPage(MainWindow::PageId::Limits);
    LimitsPage &page = *m_window->limitsPage();
    QAbstractItemModelTester blocked(page.blocked(),
                                     QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(page.blocked()->rowCount(), 1);
    const BlockedUpstream &row = *page.blocked()->rowAt(0);
    QCOMPARE(row.app, u"slow"_s);
    QVERIFY(row.instance.isEmpty() && row.subject.isEmpty()); // no per-user credential
    QVERIFY2(row.retryAfter > 0 && row.retryAfter <= 120,
             qPrintable(QString::number(row.retryAfter)));
    QVERIFY(row.until > QDateTime::currentDateTimeUtc());
    QCOMPARE(page.blocked()->data(page.blocked()->index(0, 3), Qt::DisplayRole).toString(),
             u"everyone"_s);
    QVERIFY(page.findChild<QLabel *>(u"blockedStateLabel"_s)->isHidden());
    // Configured limits, or the page's own word that this server reports none: never a problem.
    auto *limitsState = page.findChild<QLabel *>(u"limitsStateLabel"_s);
    QTRY_VERIFY(page.rules()->rowCount() > 0 || !limitsState->isHidden());
    QVERIFY2(m_window->banner()->message().isEmpty(), qPrintable(m_window->banner()->message()));

    // Refresh asks again.
    QSignalSpy refreshed(&page, &Page::refreshed);
    QTest::mouseClick(page.findChild<QPushButton *>(u"limitsRefreshPushButton"_s), Qt::LeftButton);
    QVERIFY(refreshed.wait(5000));
    screenshot(*m_window, u"console-limits"_s);
    m_fake.setReply(200, {{"Content-Type"_ba, "application/json"_ba}}, "{}"_ba);
}

// The answer of GET /admin/api/v1/limits (the rate limits' route) in its documented shape.
void tst_LimitsPage::limitsPageReadsTheLimitsAnswer()
{
    LimitsPage &page = *m_window->limitsPage();
    QAbstractItemModelTester rules(page.rules(),
                                   QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester usage(page.usage(),
                                   QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QJsonObject answer = QJsonDocument::fromJson(R"({
      "limits": [
        {"scope":"subject","app":null,"operation":null,"requests":600,"perSeconds":60,"concurrent":32},
        {"scope":"operation-total","app":"team","operation":"status","requests":5,"perSeconds":3600}
      ],
      "overrides": [
        {"role":"admin","app":"team","token":null,"requests":6000,"perSeconds":60,"concurrent":null}
      ],
      "usage": [
        {"scope":"app-subject","app":"team","operation":null,"subject":"user:quiet","requests":40,"perSeconds":60,"inFlight":0,"limited":0},
        {"scope":"app-subject","app":"team","operation":null,"subject":"user:busy","requests":12,"perSeconds":60,"inFlight":1,"limited":3}
      ]})")
                                   .object();
    page.showLimits(LimitsAnswer::fromJson(answer));
    const auto cell = [](const QAbstractItemModel &model, int row, int column) {
        return model.data(model.index(row, column), Qt::DisplayRole).toString();
    };
    QCOMPARE(page.rules()->rowCount(), 3);
    QCOMPARE(cell(*page.rules(), 0, 0), u"each caller"_s);
    QCOMPARE(cell(*page.rules(), 0, 1), u"any"_s);
    QCOMPARE(cell(*page.rules(), 0, 3), u"600 / 1 min"_s);
    QCOMPARE(cell(*page.rules(), 0, 4), u"32"_s);
    QCOMPARE(cell(*page.rules(), 1, 0), u"all callers of an operation"_s);
    QCOMPARE(cell(*page.rules(), 1, 3), u"5 / 1 h"_s);
    QCOMPARE(cell(*page.rules(), 1, 4), u"–"_s); // absent: not configured
    QCOMPARE(cell(*page.rules(), 2, 0), u"override: role admin"_s);
    QCOMPARE(cell(*page.rules(), 2, 3), QLocale().toString(6000) + u" / 1 min"_s);
    QCOMPARE(cell(*page.rules(), 2, 4), u"–"_s); // null: not configured
    QCOMPARE(page.usage()->rowCount(), 2);
    QCOMPARE(page.usage()->rowAt(0)->subject, u"user:busy"_s); // limited first
    QCOMPARE(cell(*page.usage(), 0, 4), u"12 / 1 min"_s);
    QCOMPARE(cell(*page.usage(), 0, 5), u"1"_s);
    QCOMPARE(cell(*page.usage(), 0, 6), u"3"_s);
    QVERIFY(page.findChild<QLabel *>(u"limitsStateLabel"_s)->isHidden());
    m_window->showPage(MainWindow::PageId::Limits);
    screenshot(*m_window, u"console-limits-shape"_s);
}

QTEST_MAIN(tst_LimitsPage)
#include "tst_limitspage.moc"
