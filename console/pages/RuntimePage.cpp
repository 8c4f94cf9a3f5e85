// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "pages/RuntimePage.h"

#include "api/ApiClient.h"
#include "ui_RuntimePage.h"
#include "widgets/TableViews.h"

#include <QCheckBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

constexpr int followIntervalMs = 1000;
constexpr int logPageSize = 500;

QString yesNo(bool value)
{
    return value ? RuntimePage::tr("yes") : RuntimePage::tr("no");
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? QLocale().toString(time.toLocalTime(), QLocale::ShortFormat)
                          : QString();
}

QList<ProvidersModel::Column> providerColumns()
{
    using Row = RuntimeProvider;
    return {
        textColumn<Row>(RuntimePage::tr("Provider"), [](const Row &r) { return r.name; }),
        textColumn<Row>(RuntimePage::tr("Driver"), [](const Row &r) { return r.driver; }),
        textColumn<Row>(RuntimePage::tr("Default"),
                        [](const Row &r) { return yesNo(r.isDefault); }),
        textColumn<Row>(RuntimePage::tr("Loaded"), [](const Row &r) { return yesNo(r.loaded); }),
        textColumn<Row>(RuntimePage::tr("Sessions"),
                        [](const Row &r) { return QString::number(r.sessionCount); }),
        textColumn<Row>(RuntimePage::tr("Advertised"),
                        [](const Row &r) { return profileSummary(r.advertised); }),
        textColumn<Row>(RuntimePage::tr("Effective"),
                        [](const Row &r) { return profileSummary(r.effective); }),
        textColumn<Row>(RuntimePage::tr("Error"), [](const Row &r) { return r.error; }),
    };
}

QList<SessionsModel::Column> sessionColumns()
{
    using Row = RuntimeSession;
    return {
        textColumn<Row>(RuntimePage::tr("Session"), [](const Row &r) { return r.id; }),
        textColumn<Row>(RuntimePage::tr("State"), [](const Row &r) { return r.state; }),
        textColumn<Row>(RuntimePage::tr("App"), [](const Row &r) { return r.app; }),
        textColumn<Row>(
            RuntimePage::tr("PID"),
            [](const Row &r) { return r.pid != 0 ? QString::number(r.pid) : QString(); }),
        textColumn<Row>(RuntimePage::tr("Started"),
                        [](const Row &r) { return timeText(r.startedAt); }),
    };
}

QList<LogModel::Column> logColumns()
{
    using Row = LogLine;
    QList<LogModel::Column> columns{
        textColumn<Row>(RuntimePage::tr("#"), [](const Row &r) { return QString::number(r.seq); }),
        textColumn<Row>(
            RuntimePage::tr("Time"),
            [](const Row &r) { return r.observedAt.toLocalTime().toString(u"HH:mm:ss.zzz"_s); }),
        textColumn<Row>(RuntimePage::tr("Stream"), [](const Row &r) { return r.stream; }),
        {RuntimePage::tr("Message"),
         [](const Row &r, int role) -> QVariant {
             if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
                 return r.message;
             }
             if (role == Qt::FontRole) {
                 return QFont(u"monospace"_s);
             }
             return {};
         }},
    };
    return columns;
}

} // namespace

RuntimePage::RuntimePage(ApiClient &api, QWidget *parent)
    : Page(api, parent)
    , m_ui(std::make_unique<Ui::RuntimePage>())
    , m_providers(new ProvidersModel(providerColumns(), this))
    , m_sessions(new SessionsModel(sessionColumns(), this))
    , m_logs(new LogModel(logColumns(), this))
    , m_followTimer(new QTimer(this))
{
    m_ui->setupUi(this);
    setUpTableView(m_ui->providersTableView, m_providers);
    setUpTableView(m_ui->sessionsTableView, m_sessions);
    setUpTableView(m_ui->logsTableView, m_logs);
    m_ui->providerErrorLabel->hide();
    m_ui->moreSessionsPushButton->hide();
    m_ui->runtimeSplitter->setStretchFactor(1, 1);
    m_followTimer->setInterval(followIntervalMs);

    connect(
        m_ui->providersTableView->selectionModel(),
        &QItemSelectionModel::currentRowChanged,
        this,
        [this](const QModelIndex &current) { showProvider(m_providers->rowAt(current.row())); });
    connect(m_ui->sessionsTableView->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            [this](const QModelIndex &current) {
                const RuntimeSession *session = m_sessions->rowAt(current.row());
                const QString id = session ? session->id : QString();
                if (id == m_session) {
                    return;
                }
                m_session = id;
                m_lastSeq = 0;
                m_logs->setRows({});
                m_ui->sessionTitleLabel->setText(
                    session ? tr("Logs of %1 (%2)").arg(session->id, session->app)
                            : tr("Select a session to see its logs."));
                pollLogs();
                updateFollow();
            });
    connect(
        m_ui->moreSessionsPushButton, &QPushButton::clicked, this, [this] { loadSessions(true); });
    connect(m_ui->followCheckBox, &QCheckBox::toggled, this, &RuntimePage::updateFollow);
    connect(m_followTimer, &QTimer::timeout, this, &RuntimePage::pollLogs);
}

RuntimePage::~RuntimePage() = default;

void RuntimePage::setActive(bool active)
{
    Page::setActive(active);
    updateFollow();
}

void RuntimePage::updateFollow()
{
    const bool on = isActive() && m_ui->followCheckBox->isChecked() && !m_session.isEmpty();
    if (on && !m_followTimer->isActive()) {
        m_followTimer->start();
    } else if (!on) {
        m_followTimer->stop();
    }
}

void RuntimePage::refresh()
{
    m_admin.providers(this, [this](const ApiReply &reply, const QList<RuntimeProvider> &providers) {
        if (!check(reply, tr("Loading runtime providers"))) {
            return;
        }
        const QString keep = m_provider;
        m_providers->setRows(providers);
        int row = m_providers->rowCount() > 0 ? 0 : -1;
        for (int i = 0; i < m_providers->rowCount(); ++i) {
            if (const RuntimeProvider *provider = m_providers->rowAt(i);
                provider != nullptr && provider->name == keep) {
                row = i;
            }
        }
        if (row >= 0) {
            selectProvider(row);
        }
        showProvider(m_providers->rowAt(row));
        Q_EMIT refreshed();
    });
}

void RuntimePage::selectProvider(int row)
{
    m_ui->providersTableView->selectRow(row);
}

void RuntimePage::selectSession(int row)
{
    m_ui->sessionsTableView->selectRow(row);
}

void RuntimePage::showProvider(const RuntimeProvider *provider)
{
    m_ui->providerErrorLabel->setVisible(provider != nullptr && !provider->error.isEmpty());
    if (provider != nullptr && !provider->error.isEmpty()) {
        m_ui->providerErrorLabel->setText(tr("%1: %2").arg(provider->name, provider->error));
    }
    m_provider = provider ? provider->name : QString();
    loadSessions(false);
}

void RuntimePage::loadSessions(bool more)
{
    if (m_provider.isEmpty()) {
        m_sessions->setRows({});
        m_ui->moreSessionsPushButton->hide();
        return;
    }
    const QString provider = m_provider;
    m_admin.sessions(provider,
                     m_sessionPageSize,
                     more ? m_nextPageToken : QString(),
                     this,
                     [this, provider, more](const ApiReply &reply, const SessionPage &page) {
                         if (provider != m_provider || !check(reply, tr("Loading sessions"))) {
                             return;
                         }
                         const QList<RuntimeSession> &sessions = page.sessions;
                         m_nextPageToken = page.nextPageToken;
                         m_ui->moreSessionsPushButton->setVisible(!m_nextPageToken.isEmpty());
                         if (more) {
                             m_sessions->appendRows(sessions);
                             fitColumns(m_ui->sessionsTableView);
                             return;
                         }
                         const QString keep = m_session;
                         m_sessions->setRows(sessions);
                         for (int i = 0; i < m_sessions->rowCount(); ++i) {
                             if (const auto *session = m_sessions->rowAt(i);
                                 session != nullptr && session->id == keep) {
                                 selectSession(i);
                             }
                         }
                     });
}

void RuntimePage::pollLogs()
{
    if (m_session.isEmpty() || m_provider.isEmpty() || m_polling) {
        return;
    }
    m_polling = true;
    const QString session = m_session;
    m_admin.logs(m_provider,
                 session,
                 m_lastSeq,
                 logPageSize,
                 this,
                 [this, session](const ApiReply &reply, const QList<LogLine> &lines) {
                     m_polling = false;
                     if (session != m_session) {
                         return;
                     }
                     if (!check(reply, tr("Loading logs"))) {
                         m_ui->followCheckBox->setChecked(
                             false); // a gone session would fail every second
                         return;
                     }
                     if (lines.isEmpty()) {
                         return;
                     }
                     m_lastSeq = lines.last().seq;
                     const bool atBottom = m_ui->logsTableView->verticalScrollBar()->value()
                                           == m_ui->logsTableView->verticalScrollBar()->maximum();
                     m_logs->appendRows(lines);
                     m_logs->trimFront(maxLogLines);
                     if (atBottom) {
                         m_ui->logsTableView->scrollToBottom();
                     }
                 });
}

} // namespace Gestalt::Console
