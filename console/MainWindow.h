// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/ApiClient.h"

#include <QMainWindow>

#include <memory>

class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;
class QTimer;

namespace Gestalt::Console {

namespace Ui {
class MainWindow;
}

class ConnectPage;
class ErrorBanner;
class LimitsPage;
class MembersPage;
class MetricsPage;
class Page;
class RuntimePage;
class SecretStore;
class Settings;

// The console's window (its frame: MainWindow.ui): a sidebar of pages (Connection, Members,
// Runtime, Metrics, Limits), a banner for problems, and a status bar with the connection state, the
// server's version and the last refresh. When the server stops answering it says so and retries
// with backoff; when it answers again the banner goes and the page reloads. Layout and the last
// page are remembered.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    enum class PageId {
        Connection,
        Members,
        Runtime,
        Metrics,
        Limits,
    };

    MainWindow(Settings &settings, SecretStore &secrets, QWidget *parent = nullptr);
    ~MainWindow() override;
    Q_DISABLE_COPY_MOVE(MainWindow)

    void showPage(PageId id);
    [[nodiscard]] PageId currentPage() const;
    [[nodiscard]] ApiClient &api() { return *m_api; }
    [[nodiscard]] ConnectPage *connectPage() const { return m_connectPage; }
    [[nodiscard]] MembersPage *membersPage() const { return m_membersPage; }
    [[nodiscard]] RuntimePage *runtimePage() const { return m_runtimePage; }
    [[nodiscard]] MetricsPage *metricsPage() const { return m_metricsPage; }
    [[nodiscard]] LimitsPage *limitsPage() const { return m_limitsPage; }
    [[nodiscard]] ErrorBanner *banner() const;
    // Connects to the last used profile, when there is one.
    void reconnectLastProfile();

public Q_SLOTS: // NOLINT(readability-redundant-access-specifiers): moc reads the slots section
    void refreshCurrentPage();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createStatusBar();
    void connectMetricsSettings();
    void onPageChanged(int row);
    void onConnected();
    void createMenus();
    void createLanguageMenu(QMenu *menu);
    void addPage(Page *page, const QString &title, const QString &icon);
    void onStateChanged(ApiClient::State state);
    void scheduleRetry();
    void probe();
    void about();
    [[nodiscard]] Page *page(int index) const;

    Settings &m_settings;
    const std::unique_ptr<Ui::MainWindow> m_ui; // the frame: MainWindow.ui
    ApiClient *m_api;
    ConnectPage *m_connectPage;
    MembersPage *m_membersPage;
    RuntimePage *m_runtimePage;
    MetricsPage *m_metricsPage;
    LimitsPage *m_limitsPage;
    QLabel *m_stateLabel;
    QLabel *m_versionLabel;
    QLabel *m_refreshLabel;
    QTimer *m_retry;
    int m_retryDelayMs;
    PageId m_workPage = PageId::Members; // shown after connecting: the last page but Connection
};

} // namespace Gestalt::Console
