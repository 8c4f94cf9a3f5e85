// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "ConsoleHarness.h"

#include "pages/ConnectPage.h"
#include "pages/MembersPage.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"

#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt::Console;

namespace Gestalt::Test {

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

} // namespace

void ConsoleHarness::startPlayground()
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

void ConsoleHarness::openWindow()
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

void ConsoleHarness::closeWindow()
{
    m_window.reset();
    m_settings.reset();
}

void ConsoleHarness::stopPlayground()
{
    m_server.reset();
    TestDatabase::dropAll();
}

void ConsoleHarness::connectWindow(MainWindow &window, const QString &token)
{
    QSignalSpy connected(window.connectPage(), &ConnectPage::connected);
    window.connectPage()->connectTo(
        u"local"_s, u"http://127.0.0.1:%1"_s.arg(*m_server->managementPort()), token, true);
    QVERIFY(connected.wait(10000));
}

void ConsoleHarness::screenshot(QWidget &widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("GESTALT_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(widget.grab().save(dir + u'/' + name + u".png"_s));
    }
}

} // namespace Gestalt::Test
