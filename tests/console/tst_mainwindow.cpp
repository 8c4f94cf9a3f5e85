// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "MainWindow.h"

#include <QLabel>
#include <QStatusBar>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_MainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensWithTitleAndVersion()
    {
        Gestalt::Console::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.windowTitle(), u"Gestalt Console"_s);
        QVERIFY(window.findChild<QLabel *>(u"welcomeLabel"_s));
        QVERIFY(window.statusBar()->currentMessage().contains(u"0.1.0"_s));
    }
};

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
