// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// gestalt-console against a real gestaltd, the connection page: saved servers, tokens in the secret
// store, refused tokens, a server that answers late.
#include "ConsoleHarness.h"
#include "MainWindow.h"
#include "api/ApiClient.h"
#include "pages/ConnectPage.h"
#include "secrets/SecretStore.h"
#include "settings/Settings.h"
#include "support/TestServer.h"
#include "widgets/ErrorBanner.h"

#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Console;
using namespace Gestalt::Test;

class tst_ConnectPage final
    : public QObject
    , private ConsoleHarness
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { startPlayground(); }
    void init() { openWindow(); }
    void cleanup() { closeWindow(); }
    void cleanupTestCase() { stopPlayground(); }

    void connectsAndRemembersTheTokenInTheSecretStore();
    void refusedTokenIsShownInTheBanner();
    void withoutAKeychainTheTokenIsKeptForTheSession();
    void connectsOnceAnOfflineServerAnswers();
};

void tst_ConnectPage::connectsAndRemembersTheTokenInTheSecretStore()
{
    MainWindow &window = *m_window;
    auto *url = window.findChild<QLineEdit *>(u"serverUrlLineEdit"_s);
    auto *token = window.findChild<QLineEdit *>(u"tokenLineEdit"_s);
    auto *name = window.findChild<QLineEdit *>(u"profileNameLineEdit"_s);
    QVERIFY(url && token && name);
    name->setText(u"staging"_s);
    url->setText(u"http://127.0.0.1:%1"_s.arg(*m_server->managementPort()));
    token->setText(u"gst_api_not_needed_here"_s);
    screenshot(window, u"console-connection"_s);
    QSignalSpy connected(window.connectPage(), &ConnectPage::connected);
    QTest::mouseClick(window.findChild<QPushButton *>(u"connectPushButton"_s), Qt::LeftButton);
    QVERIFY(connected.wait(10000));
    QCOMPARE(window.currentPage(), MainWindow::PageId::Members);
    QCOMPARE(window.api().state(), ApiClient::State::Online);
    QTRY_VERIFY(
        window.findChild<QLabel *>(u"connectionStateLabel"_s)->text().contains(u"Connected"_s));
    // The version comes from /metrics' target_info.
    QTRY_COMPARE(window.findChild<QLabel *>(u"serverVersionLabel"_s)->text(), u"gestaltd 0.1.0"_s);

    // The profile is in the settings, its token only in the secret store.
    QCOMPARE(m_settings->profiles().size(), 1);
    QCOMPARE(m_settings->profiles().first().name, u"staging"_s);
    m_settings->sync();
    QFile file(m_dir.filePath(u"settings-%1.ini"_s.arg(m_settingsCount)));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("gst_api_"));
    QTRY_VERIFY(m_secrets.contains(Settings::tokenKey(u"staging"_s)));

    // A new window connects to the last profile with the stored token, and shows the page
    // used last.
    window.showPage(MainWindow::PageId::Runtime);
    MainWindow again(*m_settings, m_secrets);
    QCOMPARE(again.currentPage(), MainWindow::PageId::Connection);
    QSignalSpy reconnected(again.connectPage(), &ConnectPage::connected);
    again.reconnectLastProfile();
    QVERIFY(reconnected.wait(10000));
    QCOMPARE(again.findChild<QLineEdit *>(u"tokenLineEdit"_s)->text(),
             u"gst_api_not_needed_here"_s);
    QCOMPARE(again.currentPage(), MainWindow::PageId::Runtime);
}

void tst_ConnectPage::refusedTokenIsShownInTheBanner()
{
    // An admin policy on a second server: a wrong token is refused with the server's message.
    TestServer guarded(u"sqlite"_s,
                       uR"(
authorization:
  policies:
    admins:
      members:
        - email: root@example.com
          role: admin
)"_s,
                       TestServer::unreachableLoginYaml()
                           + u"server:\n  admin:\n    authorizationPolicy: admins\n"_s);
    QVERIFY2(guarded.start(), qPrintable(guarded.errorString()));
    ConnectPage &page = *m_window->connectPage();
    page.connectTo(
        u"guarded"_s, u"http://127.0.0.1:%1"_s.arg(guarded.port()), u"gst_api_wrong"_s, false);
    QTRY_VERIFY(m_window->banner()->message().contains(u"refused the token"_s));
    QVERIFY(m_window->findChild<QLabel *>(u"connectStatusLabel"_s)->text().contains(u"refused"_s));
    // A real admin token gets in.
    const TestServer::TestUser root = guarded.user(u"root@example.com"_s);
    QSignalSpy connected(&page, &ConnectPage::connected);
    page.connectTo(u"guarded"_s, u"http://127.0.0.1:%1"_s.arg(guarded.port()), root.token, false);
    QVERIFY(connected.wait(10000));
    QVERIFY(!m_secrets.contains(Settings::tokenKey(u"guarded"_s))); // not remembered
}

void tst_ConnectPage::withoutAKeychainTheTokenIsKeptForTheSession()
{
    m_secrets.setUnavailable(true);
    connectWindow(*m_window, u"gst_api_session_only"_s);
    m_secrets.setUnavailable(false);
    auto *keychain = m_window->findChild<QLabel *>(u"keychainLabel"_s);
    QTRY_VERIFY(!keychain->isHidden());
    QVERIFY(keychain->text().contains(u"session only"_s));
    QCOMPARE(m_window->api().state(), ApiClient::State::Online);
    QVERIFY(m_window->banner()->message().contains(u"session only"_s));
    QVERIFY(!m_secrets.contains(Settings::tokenKey(u"local"_s)));
    m_window->showPage(MainWindow::PageId::Connection);
    screenshot(*m_window, u"console-no-keychain"_s);

    // Choosing the profile again in this session still finds its token.
    m_secrets.setUnavailable(true);
    auto *token = m_window->findChild<QLineEdit *>(u"tokenLineEdit"_s);
    token->clear();
    m_window->connectPage()->selectProfile(u"local"_s);
    QTRY_COMPARE(token->text(), u"gst_api_session_only"_s);
    m_secrets.setUnavailable(false);
}

void tst_ConnectPage::connectsOnceAnOfflineServerAnswers()
{
    // The console starts before its server: it says so, retries, and connects when it can.
    quint16 port = 0;
    {
        TestServer gone(u"sqlite"_s);
        QVERIFY2(gone.start(), qPrintable(gone.errorString()));
        port = gone.port();
    }
    QSignalSpy connected(m_window->connectPage(), &ConnectPage::connected);
    m_window->connectPage()->connectTo(u"late"_s, u"http://127.0.0.1:%1"_s.arg(port), {}, false);
    QTRY_COMPARE(m_window->api().state(), ApiClient::State::Offline);
    QTRY_VERIFY(m_window->banner()->message().contains(u"does not answer"_s));
    QVERIFY(m_window->findChild<QLabel *>(u"connectStatusLabel"_s)
                ->text()
                .startsWith(u"Cannot reach"_s));
    TestServer late(u"sqlite"_s, QString(), u"server:\n  public:\n    port: %1\n"_s.arg(port));
    QVERIFY2(late.start(), qPrintable(late.errorString()));
    QVERIFY(connected.wait(10000));
    QCOMPARE(m_window->currentPage(), MainWindow::PageId::Members);
    QTRY_VERIFY(m_window->banner()->message().isEmpty());
}

QTEST_MAIN(tst_ConnectPage)
#include "tst_connectpage.moc"
