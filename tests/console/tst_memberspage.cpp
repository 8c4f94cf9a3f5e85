// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// gestalt-console against a real gestaltd, the members page: adding, changing and removing members,
// read-only rows, pending reloads.
#include "ConsoleHarness.h"
#include "authz/AuthzSnapshot.h"
#include "pages/MembersPage.h"
#include "support/TestServer.h"
#include "widgets/ErrorBanner.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Console;
using namespace Gestalt::Test;

class tst_MembersPage final
    : public QObject
    , private ConsoleHarness
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { startPlayground(); }
    void init() { openWindow(); }
    void cleanup() { closeWindow(); }
    void cleanupTestCase() { stopPlayground(); }

    void membersAddChangeRemove();
    void staticRowsAreReadOnly();
    void pendingReloadIsSavedAndListedAgain();
    void adminsListFollowsCanWrite();
};

void tst_MembersPage::membersAddChangeRemove()
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
    const auto erinsRole = [&page, &erin] {
        const MemberRow *row = page.model()->rowAt(erin());
        return row != nullptr ? row->role : QString();
    };
    QTRY_COMPARE(erinsRole(), u"editor"_s);
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

void tst_MembersPage::staticRowsAreReadOnly()
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

void tst_MembersPage::pendingReloadIsSavedAndListedAgain()
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
    // The page lists at once (frank shows only if the server's own poll already reloaded).
    QTRY_COMPARE(loaded.count(), 1);
    // The server catches up (its poll would, within 2 s); the page lists again after its delay.
    const auto frank = [](const MemberRow &r) {
        return r.email == u"frank@example.com"_s;
    };
    QVERIFY(m_server->app().authzSnapshot().reload().hasValue());
    QTRY_COMPARE(loaded.count(), 2); // at once, then after the delay
    QVERIFY(rowWhere(*page.model(), frank) >= 0);
}

void tst_MembersPage::adminsListFollowsCanWrite()
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

QTEST_MAIN(tst_MembersPage)
#include "tst_memberspage.moc"
