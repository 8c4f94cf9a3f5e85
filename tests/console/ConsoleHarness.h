// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "MainWindow.h"
#include "models/RowTableModel.h"
#include "secrets/SecretStore.h"
#include "settings/Settings.h"
#include "support/FakeUpstream.h"
#include "support/HttpbinProcess.h"
#include "support/TestServer.h"

#include <QTemporaryDir>

#include <memory>

namespace Gestalt::Test {

// What every console page test has: the operator playground (a real gestaltd with policies,
// apps, two hosted stdio MCP servers, a REST app on httpbin and one on a fake upstream) and a
// fresh main window per test function. A test class derives from QObject and from this, and
// forwards its initTestCase/init/cleanup/cleanupTestCase slots here.
class ConsoleHarness
{
protected:
    void startPlayground(); // initTestCase
    void openWindow();      // init
    void closeWindow();     // cleanup
    void stopPlayground();  // cleanupTestCase

    void connectWindow(Console::MainWindow &window, const QString &token = {});
    // Saves a picture of `widget` when GESTALT_SCREENSHOT_DIR is set.
    static void screenshot(QWidget &widget, const QString &name);

    HttpbinProcess m_httpbin;
    FakeUpstream m_fake;
    std::unique_ptr<TestServer> m_server;
    QTemporaryDir m_dir;
    std::unique_ptr<Console::Settings> m_settings;
    Console::MemorySecretStore m_secrets;
    std::unique_ptr<Console::MainWindow> m_window;
    int m_settingsCount = 0;
};

// The first row of `model` that `match` accepts, or -1.
template<typename Row, typename Match>
int rowWhere(const Console::RowTableModel<Row> &model, Match match)
{
    for (int i = 0; i < model.rowCount(); ++i) {
        if (const Row *row = model.rowAt(i); row != nullptr && match(*row)) {
            return i;
        }
    }
    return -1;
}

} // namespace Gestalt::Test
