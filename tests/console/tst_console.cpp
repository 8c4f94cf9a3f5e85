// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// gestalt-console against a real gestaltd (in this process, on a real socket, temp SQLite):
// connecting, the members round trip, a hosted stdio MCP server on the runtime page, live
// metrics after traffic, limits and an upstream that asked to slow down, the German translation. Set GESTALT_SCREENSHOT_DIR to keep a PNG of
// every page (in English and German).
#include "MainWindow.h"
#include "Translations.h"
#include "api/ApiClient.h"
#include "authz/AuthzSnapshot.h"
#include "pages/ConnectPage.h"
#include "pages/LimitsPage.h"
#include "pages/MembersPage.h"
#include "pages/MetricsPage.h"
#include "pages/RuntimePage.h"
#include "secrets/SecretStore.h"
#include "settings/Settings.h"
#include "support/FakeUpstream.h"
#include "support/HttpbinProcess.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"
#include "widgets/ErrorBanner.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QChart>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Console;
using namespace Gestalt::Test;

namespace {

QString everythingScript()
{
    return QStringLiteral(
        GESTALT_SOURCE_DIR
        "/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
}

// The operator playground: policies with static members, apps behind them, two hosted stdio MCP
// servers (two runtime sessions, so paging shows), a REST app whose upstream is httpbin, and one
// whose upstream answers what a test sets (a 429 with Retry-After).
QString config(const QString &httpbin, const QString &fake)
{
    return uR"(
authorization:
  policies:
    team:
      default: allow
      members:
        - email: alice@example.com
          role: admin
        - subjectID: service_account:bot
          role: viewer
    locked:
      members:
        - email: carol@example.com
          role: viewer
apps:
  team:
    authorizationPolicy: team
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: get, method: GET, path: /get}
          - {name: status, method: GET, path: "/status/{code}", parameters: [{name: code, in: path, required: true}]}
  closed:
    authorizationPolicy: locked
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: peek, method: GET, path: /get}
  everything:
    surfaces:
      mcp:
        command: [%2, %3, stdio]
  everything2:
    surfaces:
      mcp:
        command: [%2, %3, stdio]
  slow:
    surfaces:
      rest:
        baseUrl: %4
        operations:
          - {name: items, method: GET, path: /items}
)"_s.arg(httpbin, NodePeer::nodeBinary(), everythingScript(), fake);
}

template<typename Row, typename Match>
int rowWhere(const RowTableModel<Row> &model, Match match)
{
    for (int i = 0; i < model.rowCount(); ++i) {
        if (match(*model.rowAt(i))) {
            return i;
        }
    }
    return -1;
}

} // namespace

class tst_Console final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void connectsAndRemembersTheTokenInTheSecretStore();
    void refusedTokenIsShownInTheBanner();
    void withoutAKeychainTheTokenIsKeptForTheSession();
    void membersAddChangeRemove();
    void staticRowsAreReadOnly();
    void pendingReloadIsSavedAndListedAgain();
    void adminsListFollowsCanWrite();
    void runtimeShowsTheHostedSession();
    void metricsChartsFillAfterTraffic();
    void limitsShowTheUpstreamThatAskedToSlowDown();
    void limitsPageReadsTheLimitsAnswer();
    void offlineAndBackAgain();
    void connectsOnceAnOfflineServerAnswers();
    void germanTranslation();

private:
    void connectWindow(MainWindow &window, const QString &token = {});
    void screenshot(QWidget &widget, const QString &name);

    HttpbinProcess m_httpbin;
    FakeUpstream m_fake;
    std::unique_ptr<TestServer> m_server;
    QTemporaryDir m_dir;
    std::unique_ptr<Settings> m_settings;
    MemorySecretStore m_secrets;
    std::unique_ptr<MainWindow> m_window;
    int m_settingsCount = 0;
};

void tst_Console::initTestCase()
{
    if (!QFile::exists(NodePeer::nodeBinary()) || !QFile::exists(everythingScript())) {
        QFAIL("the npm test peers are missing: run npm ci --prefix tests");
    }
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
    QVERIFY(m_fake.start());
    m_server = std::make_unique<TestServer>(u"sqlite"_s,
                                            config(m_httpbin.baseUrl(), m_fake.baseUrl()),
                                            u"server:\n  management:\n    host: 127.0.0.1\n"
                                            "    port: 0\n"_s);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void tst_Console::init()
{
    // Every warning fails a test but the offscreen platform's note about size hints and the
    // unreachable login provider of refusedTokenIsShownInTheBanner().
    QTest::failOnWarning(QRegularExpression(
        u"^(?!This plugin does not support propagateSizeHints|OIDC provider sso - discovery failed).*"_s));
    m_settings =
        std::make_unique<Settings>(m_dir.filePath(u"settings-%1.ini"_s.arg(++m_settingsCount)));
    m_window = std::make_unique<MainWindow>(*m_settings, m_secrets);
    m_window->membersPage()->setConfirm([](const QString &) { return true; });
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_Console::cleanup()
{
    m_window.reset();
    m_settings.reset();
}

void tst_Console::cleanupTestCase()
{
    m_server.reset();
    TestDatabase::dropAll();
}

void tst_Console::connectWindow(MainWindow &window, const QString &token)
{
    QSignalSpy connected(window.connectPage(), &ConnectPage::connected);
    window.connectPage()->connectTo(
        u"local"_s, u"http://127.0.0.1:%1"_s.arg(*m_server->managementPort()), token, true);
    QVERIFY(connected.wait(10000));
}

void tst_Console::screenshot(QWidget &widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("GESTALT_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(widget.grab().save(dir + u'/' + name + u".png"_s));
    }
}

void tst_Console::connectsAndRemembersTheTokenInTheSecretStore()
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

void tst_Console::refusedTokenIsShownInTheBanner()
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

void tst_Console::withoutAKeychainTheTokenIsKeptForTheSession()
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

void tst_Console::membersAddChangeRemove()
{
    connectWindow(*m_window);
    MembersPage &page = *m_window->membersPage();
    QAbstractItemModelTester tester(page.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto *targets = page.findChild<QListWidget *>(u"targetsListWidget"_s);
    QTRY_COMPARE(targets->count(), 3); // built-in admins, closed, team
    page.selectTarget(u"team"_s);
    QTRY_COMPARE(page.model()->rowCount(), 2);

    page.findChild<QLineEdit *>(u"subjectLineEdit"_s)->setText(u"erin@example.com"_s);
    page.findChild<QComboBox *>(u"roleComboBox"_s)->setCurrentText(u"viewer"_s);
    QTest::mouseClick(page.findChild<QPushButton *>(u"addPushButton"_s), Qt::LeftButton);
    const auto erin = [&page] {
        return rowWhere(*page.model(),
                        [](const MemberRow &r) { return r.email == u"erin@example.com"_s; });
    };
    QTRY_VERIFY(erin() >= 0);
    QCOMPARE(page.model()->rowAt(erin())->role, u"viewer"_s);
    QCOMPARE(page.model()->rowAt(erin())->source, u"dynamic"_s);
    screenshot(*m_window, u"console-members"_s);

    auto *table = page.findChild<QTableView *>(u"membersTableView"_s);
    table->selectRow(erin());
    QVERIFY(page.findChild<QPushButton *>(u"changeRolePushButton"_s)->isEnabled());
    page.findChild<QComboBox *>(u"newRoleComboBox"_s)->setCurrentText(u"editor"_s);
    QTest::mouseClick(page.findChild<QPushButton *>(u"changeRolePushButton"_s), Qt::LeftButton);
    QTRY_VERIFY(erin() >= 0 && page.model()->rowAt(erin())->role == u"editor"_s);
    // The server agrees.
    const HttpReply members = m_server->request("GET",
                                                u"/admin/api/v1/authorization/apps/team/members"_s,
                                                {},
                                                {},
                                                *m_server->managementPort());
    QVERIFY(members.body.contains("\"role\":\"editor\""));

    table->selectRow(erin());
    QTest::mouseClick(page.findChild<QPushButton *>(u"removePushButton"_s), Qt::LeftButton);
    QTRY_COMPARE(erin(), -1);
    QTRY_COMPARE(page.model()->rowCount(), 2);

    // A bad subject: the server's message lands in the banner.
    page.findChild<QLineEdit *>(u"subjectLineEdit"_s)->setText(u"system:config"_s);
    QTest::mouseClick(page.findChild<QPushButton *>(u"addPushButton"_s), Qt::LeftButton);
    QTRY_VERIFY(m_window->banner()->message().startsWith(u"Adding the member failed: "_s));
}

void tst_Console::staticRowsAreReadOnly()
{
    connectWindow(*m_window);
    MembersPage &page = *m_window->membersPage();
    QTRY_COMPARE(page.findChild<QListWidget *>(u"targetsListWidget"_s)->count(), 3);
    page.selectTarget(u"team"_s);
    QTRY_COMPARE(page.model()->rowCount(), 2);
    const int alice = rowWhere(
        *page.model(), [](const MemberRow &r) { return r.email == u"alice@example.com"_s; });
    QVERIFY(alice >= 0);
    page.findChild<QTableView *>(u"membersTableView"_s)->selectRow(alice);
    QVERIFY(!page.findChild<QPushButton *>(u"removePushButton"_s)->isEnabled());
    QVERIFY(!page.findChild<QPushButton *>(u"changeRolePushButton"_s)->isEnabled());
    QVERIFY(page.findChild<QLabel *>(u"readOnlyReasonLabel"_s)->text().contains(u"policy team"_s));
    QCOMPARE(page.model()->data(page.model()->index(alice, 0), Qt::ToolTipRole).toString(),
             u"Defined by config policy team: read-only"_s);
}

void tst_Console::pendingReloadIsSavedAndListedAgain()
{
    connectWindow(*m_window);
    MembersPage &page = *m_window->membersPage();
    page.setPendingReloadDelay(500);
    QTRY_COMPARE(page.findChild<QListWidget *>(u"targetsListWidget"_s)->count(), 3);
    page.selectTarget(u"closed"_s);
    QTRY_COMPARE(page.model()->rowCount(), 1);
    // The server saves the grant but its authorization snapshot does not reload at once: 202.
    m_server->app().authzSnapshot().failNextReloadsForTesting(1);
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"^authz: snapshot reload after a write failed"_s));
    QSignalSpy loaded(page.model(), &QAbstractItemModel::modelReset);
    QTest::keyClicks(page.findChild<QLineEdit *>(u"subjectLineEdit"_s), u"frank@example.com"_s);
    QTest::keyClick(page.findChild<QLineEdit *>(u"subjectLineEdit"_s), Qt::Key_Return);
    QTRY_VERIFY(m_window->banner()->message().startsWith(u"Saved — pending reload"_s));
    QCOMPARE(m_window->banner()->kind(), ErrorBanner::Kind::Info);
    // The server catches up (its poll would, within 2 s); the page lists again after its delay.
    QVERIFY(m_server->app().authzSnapshot().reload().hasValue());
    QTRY_VERIFY(rowWhere(*page.model(),
                         [](const MemberRow &r) { return r.email == u"frank@example.com"_s; })
                >= 0);
    QCOMPARE(loaded.count(), 2); // at once, then after the delay
}

void tst_Console::adminsListFollowsCanWrite()
{
    // Without an admin policy the server says X-Gestalt-Can-Write: false for the admins list.
    connectWindow(*m_window);
    MembersPage &page = *m_window->membersPage();
    QTRY_COMPARE(page.findChild<QListWidget *>(u"targetsListWidget"_s)->count(), 3);
    page.selectTarget(QString());
    QTRY_VERIFY(!page.findChild<QLineEdit *>(u"subjectLineEdit"_s)->isEnabled());
    QVERIFY(!page.findChild<QPushButton *>(u"addPushButton"_s)->isEnabled());
    QVERIFY(page.findChild<QLabel *>(u"readOnlyReasonLabel"_s)
                ->text()
                .contains(u"X-Gestalt-Can-Write"_s));
}

void tst_Console::runtimeShowsTheHostedSession()
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

void tst_Console::metricsChartsFillAfterTraffic()
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

void tst_Console::offlineAndBackAgain()
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

void tst_Console::connectsOnceAnOfflineServerAnswers()
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

void tst_Console::limitsShowTheUpstreamThatAskedToSlowDown()
{
    m_fake.setReply(429, {{"Content-Type"_ba, "application/json"_ba}, {"Retry-After"_ba, "120"_ba}},
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
    QVERIFY2(row.retryAfter > 0 && row.retryAfter <= 120, qPrintable(QString::number(row.retryAfter)));
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
    QTest::mouseClick(page.findChild<QPushButton *>(u"limitsRefreshPushButton"_s),
                      Qt::LeftButton);
    QVERIFY(refreshed.wait(5000));
    screenshot(*m_window, u"console-limits"_s);
    m_fake.setReply(200, {{"Content-Type"_ba, "application/json"_ba}}, "{}"_ba);
}

// The answer of GET /admin/api/v1/limits (the rate limits' route) in its documented shape.
void tst_Console::limitsPageReadsTheLimitsAnswer()
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
    page.showLimits(answer);
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

void tst_Console::germanTranslation()
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
        QTRY_VERIFY(!window.limitsPage()
                         ->findChild<QLabel *>(u"blockedStateLabel"_s)
                         ->text()
                         .isEmpty());
        screenshot(window, u"console-de-limits"_s);
    }
    QCoreApplication::removeTranslator(&translator);
}

QTEST_MAIN(tst_Console)
#include "tst_console.moc"
