// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// gestalt-console against a real gestaltd, the main window: going offline and back, and the German
// translation across the pages.
#include "ConsoleHarness.h"
#include "MainWindow.h"
#include "Translations.h"
#include "api/ApiClient.h"
#include "pages/ConnectPage.h"
#include "pages/LimitsPage.h"
#include "pages/MembersPage.h"
#include "pages/MetricsPage.h"
#include "pages/RuntimePage.h"
#include "support/TestServer.h"
#include "widgets/ErrorBanner.h"

#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>
#include <QTranslator>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Console;
using namespace Gestalt::Test;

class tst_MainWindow final
    : public QObject
    , private ConsoleHarness
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { startPlayground(); }
    void init() { openWindow(); }
    void cleanup() { closeWindow(); }
    void cleanupTestCase() { stopPlayground(); }

    void offlineAndBackAgain();
    void germanTranslation();
};

void tst_MainWindow::offlineAndBackAgain()
{
    // A server that goes away: the window says so, retries, and recovers on its own.
    TestServer flaky(u"sqlite"_s);
    QVERIFY2(flaky.start(), qPrintable(flaky.errorString()));
    const quint16 port = flaky.port();
    QSignalSpy connected(m_window->connectPage(), &ConnectPage::connected);
    m_window->connectPage()->connectTo(u"flaky"_s, u"http://127.0.0.1:%1"_s.arg(port), {}, false);
    QVERIFY(connected.wait(10000));
    flaky.kill();
    m_window->refreshCurrentPage();
    QTRY_COMPARE(m_window->api().state(), ApiClient::State::Offline);
    QTRY_VERIFY(m_window->banner()->message().contains(u"does not answer"_s));
    QVERIFY(
        m_window->findChild<QLabel *>(u"connectionStateLabel"_s)->text().startsWith(u"Offline"_s));
    // Back on the same port (the test config asks for port 0, so start a raw listener there).
    TestServer again(u"sqlite"_s, QString(), u"server:\n  public:\n    port: %1\n"_s.arg(port));
    QVERIFY2(again.start(), qPrintable(again.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->api().state(), ApiClient::State::Online, 10000);
    // The banner goes; the status bar says so for a moment.
    QTRY_VERIFY(m_window->banner()->message().isEmpty());
    QVERIFY(m_window->statusBar()->currentMessage().contains(u"answers again"_s));
}

void tst_MainWindow::germanTranslation()
{
    // Every message of the German file is translated.
    QFile ts(QStringLiteral(GESTALT_SOURCE_DIR "/translations/gestalt-console_de.ts"));
    QVERIFY(ts.open(QIODevice::ReadOnly));
    const QByteArray text = ts.readAll();
    QVERIFY(!text.contains("type=\"unfinished\""));
    QVERIFY(!text.contains("<translation></translation>"));
    QVERIFY(text.count("<message>") > 100);
    QVERIFY(availableLanguages().contains(u"de"_s));
    QTranslator translator;
    QVERIFY(translator.load(u":/i18n/gestalt-console_de.qm"_s));
    QCoreApplication::installTranslator(&translator);
    {
        MainWindow window(*m_settings, m_secrets);
        window.show();
        QCOMPARE(window.windowTitle(), u"Gestalt-Konsole"_s);
        QCOMPARE(window.findChild<QPushButton *>(u"connectPushButton"_s)->text(), u"&Verbinden"_s);
        QCOMPARE(window.findChild<QLabel *>(u"connectionStateLabel"_s)->text(),
                 u"Nicht verbunden"_s);
        window.findChild<QLineEdit *>(u"serverUrlLineEdit"_s)
            ->setText(u"http://127.0.0.1:%1"_s.arg(*m_server->managementPort()));
        screenshot(window, u"console-de-connection"_s);
        QSignalSpy connected(window.connectPage(), &ConnectPage::connected);
        window.connectPage()->connectTo(
            u"local"_s, u"http://127.0.0.1:%1"_s.arg(*m_server->managementPort()), {}, false);
        QVERIFY(connected.wait(10000));
        window.showPage(MainWindow::PageId::Members);
        auto *targets = window.membersPage()->findChild<QListWidget *>(u"targetsListWidget"_s);
        QTRY_COMPARE(targets->count(), 3);
        QCOMPARE(targets->item(0)->text(), u"Eingebaute Administratoren"_s);
        window.membersPage()->selectTarget(u"team"_s);
        QTRY_VERIFY(window.membersPage()->model()->rowCount() >= 2);
        screenshot(window, u"console-de-members"_s);
        window.showPage(MainWindow::PageId::Runtime);
        QTRY_COMPARE(window.runtimePage()->providers()->rowCount(), 1);
        screenshot(window, u"console-de-runtime"_s);
        window.showPage(MainWindow::PageId::Metrics);
        QSignalSpy scraped(window.metricsPage(), &MetricsPage::scraped);
        QVERIFY(scraped.wait(10000));
        screenshot(window, u"console-de-metrics"_s);
        window.showPage(MainWindow::PageId::Limits);
        QTRY_VERIFY(
            !window.limitsPage()->findChild<QLabel *>(u"blockedStateLabel"_s)->text().isEmpty());
        screenshot(window, u"console-de-limits"_s);
    }
    QCoreApplication::removeTranslator(&translator);
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
