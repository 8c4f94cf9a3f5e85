// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "MainWindow.h"

#include "Translations.h"
#include "pages/ConnectPage.h"
#include "pages/LimitsPage.h"
#include "pages/MembersPage.h"
#include "pages/MetricsPage.h"
#include "pages/RuntimePage.h"
#include "settings/Settings.h"
#include "shared/Version.h"
#include "ui_MainWindow.h"
#include "widgets/ErrorBanner.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QIcon>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTime>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

constexpr int firstRetryMs = 1000;
constexpr int maxRetryMs = 30000;
constexpr int recoveredMessageMs = 5000;

// The desktop's icon when its theme has one, else ours (SVG, sharp at any scale) or the style's.
QIcon themedIcon(const QString &theme, const QIcon &fallback)
{
    return QIcon::fromTheme(theme, fallback);
}

} // namespace

MainWindow::MainWindow(Settings &settings, SecretStore &secrets, QWidget *parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_ui(std::make_unique<Ui::MainWindow>())
    , m_api(new ApiClient(this))
    , m_connectPage(new ConnectPage(*m_api, settings, secrets, this))
    , m_membersPage(new MembersPage(*m_api, this))
    , m_runtimePage(new RuntimePage(*m_api, this))
    , m_metricsPage(new MetricsPage(*m_api, this))
    , m_limitsPage(new LimitsPage(*m_api, this))
    , m_stateLabel(new QLabel(this))
    , m_versionLabel(new QLabel(this))
    , m_refreshLabel(new QLabel(this))
    , m_retry(new QTimer(this))
    , m_retryDelayMs(firstRetryMs)
{
    m_ui->setupUi(this);
    setWindowIcon(QIcon(u":/icons/gestalt-console.svg"_s));
    addPage(m_connectPage, tr("Connection"), u"connect"_s);
    addPage(m_membersPage, tr("Members"), u"members"_s);
    addPage(m_runtimePage, tr("Runtime"), u"runtime"_s);
    addPage(m_metricsPage, tr("Metrics"), u"metrics"_s);
    addPage(m_limitsPage, tr("Limits"), u"limits"_s);
    createStatusBar();

    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, &MainWindow::probe);
    connect(
        m_ui->pagesListWidget, &QListWidget::currentRowChanged, this, &MainWindow::onPageChanged);
    connect(m_api, &ApiClient::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_api, &ApiClient::serverVersionChanged, this, [this](const QString &version) {
        m_versionLabel->setText(version.isEmpty() ? tr("Console %1").arg(Gestalt::version())
                                                  : tr("gestaltd %1").arg(version));
    });
    connect(m_connectPage, &ConnectPage::connected, this, &MainWindow::onConnected);
    connectMetricsSettings();

    createMenus();
    resize(1180, 760);
    restoreGeometry(m_settings.value(Settings::Key::WindowGeometry).toByteArray());
    restoreState(m_settings.value(Settings::Key::WindowState).toByteArray());
    const int lastPage = m_settings.value(Settings::Key::LastPage).toInt();
    if (lastPage > int(PageId::Connection) && lastPage <= int(PageId::Limits)) {
        m_workPage = PageId(lastPage);
    }
    m_ui->pagesListWidget->setCurrentRow(int(PageId::Connection));
}

void MainWindow::createStatusBar()
{
    m_stateLabel->setObjectName(u"connectionStateLabel"_s);
    m_versionLabel->setObjectName(u"serverVersionLabel"_s);
    m_refreshLabel->setObjectName(u"lastRefreshLabel"_s);
    statusBar()->addWidget(m_stateLabel);
    statusBar()->addPermanentWidget(m_versionLabel);
    statusBar()->addPermanentWidget(m_refreshLabel);
    onStateChanged(ApiClient::State::Disconnected);
    m_versionLabel->setText(tr("Console %1").arg(Gestalt::version()));
}

void MainWindow::connectMetricsSettings()
{
    m_metricsPage->setIntervalSeconds(
        m_settings.value(Settings::Key::MetricsIntervalSeconds).toInt());
    m_metricsPage->setWindowMinutes(m_settings.value(Settings::Key::MetricsWindowMinutes).toInt());
    connect(m_metricsPage, &MetricsPage::intervalChanged, this, [this](int seconds) {
        m_settings.setValue(Settings::Key::MetricsIntervalSeconds, seconds);
    });
    connect(m_metricsPage, &MetricsPage::windowChanged, this, [this](int minutes) {
        m_settings.setValue(Settings::Key::MetricsWindowMinutes, minutes);
    });
}

void MainWindow::onPageChanged(int row)
{
    for (int i = 0; i < m_ui->pagesStackedWidget->count(); ++i) {
        page(i)->setActive(i == row);
    }
    m_ui->pagesStackedWidget->setCurrentIndex(row);
    if (row > int(PageId::Connection)) {
        m_workPage = PageId(row);
        m_settings.setValue(Settings::Key::LastPage, row);
    }
    if (row > 0 && m_api->state() != ApiClient::State::Disconnected) {
        refreshCurrentPage();
    }
}

void MainWindow::onConnected()
{
    if (m_ui->errorBanner->kind() != ErrorBanner::Kind::Info) {
        m_ui->errorBanner->dismiss(); // problems of the server before; notes (no keychain) stay
    }
    m_metricsPage->refresh(); // the server's version comes with /metrics
    if (currentPage() == PageId::Connection) {
        showPage(m_workPage); // the page used last (in the last run, at first)
    } else {
        refreshCurrentPage();
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::addPage(Page *page, const QString &title, const QString &icon)
{
    page->setObjectName(icon + u"Page"_s);
    m_ui->pagesStackedWidget->addWidget(page);
    // The drawing in the accent colour, and in white on the selection highlight.
    QIcon pageIcon(u":/icons/%1.svg"_s.arg(icon));
    pageIcon.addFile(u":/icons/%1-selected.svg"_s.arg(icon), QSize(), QIcon::Selected);
    auto *item = new QListWidgetItem(pageIcon, title, m_ui->pagesListWidget);
    item->setSizeHint(QSize(0, 36));
    connect(page, &Page::problem, this, [this](const QString &message) {
        m_ui->errorBanner->showMessage(message, ErrorBanner::Kind::Error);
    });
    connect(page, &Page::notice, this, [this](const QString &message) {
        m_ui->errorBanner->showMessage(message, ErrorBanner::Kind::Info);
    });
    connect(page, &Page::refreshed, this, [this] {
        m_refreshLabel->setText(
            tr("Refreshed %1").arg(QLocale().toString(QTime::currentTime(), u"HH:mm:ss"_s)));
    });
}

ErrorBanner *MainWindow::banner() const
{
    return m_ui->errorBanner;
}

Page *MainWindow::page(int index) const
{
    return static_cast<Page *>(m_ui->pagesStackedWidget->widget(index));
}

void MainWindow::createMenus()
{
    QStyle *const st = style();
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *connectAction =
        file->addAction(themedIcon(u"network-connect"_s, QIcon(u":/icons/connect.svg"_s)),
                        tr("&Connect…"),
                        this,
                        [this] { showPage(PageId::Connection); });
    connectAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), QKeySequence(Qt::CTRL | Qt::Key_L)});
    connectAction->setObjectName(u"connectAction"_s);
    QAction *disconnectAction = file->addAction(
        themedIcon(u"network-disconnect"_s, st->standardIcon(QStyle::SP_DialogCloseButton)),
        tr("&Disconnect"),
        this,
        [this] { m_connectPage->disconnectFromServer(); });
    disconnectAction->setObjectName(u"disconnectAction"_s);
    file->addSeparator();
    QAction *quit = file->addAction(themedIcon(u"application-exit"_s, QIcon()),
                                    tr("&Quit"),
                                    qApp,
                                    &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    const QList<std::pair<PageId, QString>> pages = {{PageId::Connection, tr("C&onnection")},
                                                     {PageId::Members, tr("&Members")},
                                                     {PageId::Runtime, tr("&Runtime")},
                                                     {PageId::Metrics, tr("M&etrics")},
                                                     {PageId::Limits, tr("L&imits")}};
    for (const auto &[id, title] : pages) {
        QAction *action = view->addAction(title, this, [this, id = id] { showPage(id); });
        action->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_0 + int(id))));
    }
    view->addSeparator();
    QAction *refresh =
        view->addAction(themedIcon(u"view-refresh"_s, st->standardIcon(QStyle::SP_BrowserReload)),
                        tr("&Refresh"),
                        this,
                        &MainWindow::refreshCurrentPage);
    // F5 everywhere, plus what the platform calls Refresh (Ctrl+R on some).
    QList<QKeySequence> refreshKeys = QKeySequence::keyBindings(QKeySequence::Refresh);
    if (!refreshKeys.contains(QKeySequence(Qt::Key_F5))) {
        refreshKeys.prepend(QKeySequence(Qt::Key_F5));
    }
    refresh->setShortcuts(refreshKeys);
    refresh->setObjectName(u"refreshAction"_s);
    view->addSeparator();
    createLanguageMenu(view->addMenu(tr("&Language")));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(themedIcon(u"help-about"_s, QIcon()),
                                     tr("&About Gestalt Console"),
                                     this,
                                     &MainWindow::about);
    about->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)
        ->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::createLanguageMenu(QMenu *menu)
{
    menu->setObjectName(u"languageMenu"_s);
    auto *group = new QActionGroup(menu);
    const QString chosen = m_settings.value(Settings::Key::Language).toString();
    QList<std::pair<QString, QString>> languages = {{QString(), tr("System default")},
                                                    {u"en"_s, u"English"_s}};
    for (const QString &code : availableLanguages()) {
        // Each language by its own name ("Deutsch").
        const QLocale locale(code);
        QString name = locale.nativeLanguageName();
        languages.append({code, name.isEmpty() ? code : name.left(1).toUpper() + name.mid(1)});
    }
    for (const auto &[code, name] : languages) {
        QAction *action = menu->addAction(name);
        action->setCheckable(true);
        action->setChecked(code == chosen);
        action->setData(code);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, code = code] {
            m_settings.setValue(Settings::Key::Language, code);
            m_settings.sync();
            m_ui->errorBanner->showMessage(
                tr("The new language applies when the console starts again."),
                ErrorBanner::Kind::Info);
        });
    }
}

void MainWindow::showPage(PageId id)
{
    m_ui->pagesListWidget->setCurrentRow(int(id));
}

MainWindow::PageId MainWindow::currentPage() const
{
    return PageId(m_ui->pagesStackedWidget->currentIndex());
}

void MainWindow::refreshCurrentPage()
{
    page(m_ui->pagesStackedWidget->currentIndex())->refresh();
}

void MainWindow::reconnectLastProfile()
{
    const QString last = m_settings.value(Settings::Key::LastProfile).toString();
    if (last.isEmpty()) {
        return;
    }
    m_connectPage->connectToProfile(last);
}

void MainWindow::onStateChanged(ApiClient::State state)
{
    if (auto *disconnectAction = findChild<QAction *>(u"disconnectAction"_s)) {
        disconnectAction->setEnabled(state != ApiClient::State::Disconnected);
    }
    switch (state) {
    case ApiClient::State::Disconnected:
        m_stateLabel->setText(tr("Not connected"));
        m_retry->stop();
        break;
    case ApiClient::State::Connecting:
        m_stateLabel->setText(tr("Connecting to %1…").arg(m_api->baseUrl().toString()));
        break;
    case ApiClient::State::Online:
        m_stateLabel->setText(tr("Connected to %1").arg(m_api->baseUrl().toString()));
        if (m_retry->isActive() || m_retryDelayMs != firstRetryMs) {
            // Back after an outage: the banner goes, the status bar says so for a moment and
            // the page shown reloads.
            m_retry->stop();
            m_retryDelayMs = firstRetryMs;
            if (m_ui->errorBanner->kind() == ErrorBanner::Kind::Warning) {
                m_ui->errorBanner->dismiss();
            }
            statusBar()->showMessage(tr("The server answers again."), recoveredMessageMs);
            QTimer::singleShot(0, this, &MainWindow::refreshCurrentPage);
        }
        break;
    case ApiClient::State::Offline:
        m_stateLabel->setText(tr("Offline: %1 does not answer").arg(m_api->baseUrl().toString()));
        scheduleRetry();
        break;
    }
}

void MainWindow::scheduleRetry()
{
    m_ui->errorBanner->showMessage(tr("The server at %1 does not answer. Retrying in %2 s…")
                                       .arg(m_api->baseUrl().toString())
                                       .arg(m_retryDelayMs / 1000),
                                   ErrorBanner::Kind::Warning);
    m_retry->start(m_retryDelayMs);
    m_retryDelayMs = std::min(m_retryDelayMs * 2, maxRetryMs);
}

void MainWindow::probe()
{
    AdminApi(*m_api).health(this, [this](const ApiReply &reply) {
        // An answer makes the state Online, which reloads the page; silence tries again later.
        if (!reply.reached() && m_api->state() == ApiClient::State::Offline) {
            scheduleRetry();
        }
    });
}

void MainWindow::about()
{
    QMessageBox::about(this,
                       tr("About Gestalt Console"),
                       tr("<h3>Gestalt Console %1</h3><p>The operator console of gestaltd: "
                          "members, runtime sessions and live metrics.</p>")
                           .arg(Gestalt::version()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_settings.setValue(Settings::Key::WindowGeometry, saveGeometry());
    m_settings.setValue(Settings::Key::WindowState, saveState());
    m_settings.sync();
    event->accept();
}

} // namespace Gestalt::Console
