// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "MainWindow.h"

#include "shared/Version.h"

#include <QLabel>
#include <QStatusBar>

namespace Gestalt::Console {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("Gestalt Console"));
    auto *welcome = new QLabel(tr("Gestalt Console"), this);
    welcome->setObjectName(QStringLiteral("welcomeLabel"));
    welcome->setAlignment(Qt::AlignCenter);
    setCentralWidget(welcome);
    statusBar()->showMessage(tr("Version %1 - not connected").arg(Gestalt::version()));
    resize(960, 640);
}

MainWindow::~MainWindow() = default;

} // namespace Gestalt::Console
