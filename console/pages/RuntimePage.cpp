// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "pages/RuntimePage.h"

#include "api/ApiClient.h"
#include "widgets/TableViews.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QUrlQuery>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

const QString base = u"/admin/api/v1/runtime/providers"_s;
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
                        [](const Row &r) { return r.advertised.summary(); }),
        textColumn<Row>(RuntimePage::tr("Effective"),
                        [](const Row &r) { return r.effective.summary(); }),
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
        textColumn<Row>(RuntimePage::tr("PID"),
                        [](const Row &r) { return r.pid ? QString::number(r.pid) : QString(); }),
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
    , m_providers(new ProvidersModel(providerColumns(), this))
    , m_sessions(new SessionsModel(sessionColumns(), this))
    , m_logs(new LogModel(logColumns(), this))
    , m_providerError(new QLabel(this))
    , m_more(new QPushButton(tr("Load &more sessions"), this))
    , m_follow(new QCheckBox(tr("&Follow new lines"), this))
    , m_sessionTitle(new QLabel(this))
    , m_followTimer(new QTimer(this))
{
    m_providerView = makeTableView(u"providersTableView"_s, m_providers, this);
    m_sessionView = makeTableView(u"sessionsTableView"_s, m_sessions, this);
    m_logView = makeTableView(u"logsTableView"_s, m_logs, this);
    m_logView->setWordWrap(false);
    m_providerError->setObjectName(u"providerErrorLabel"_s);
    m_providerError->setWordWrap(true);
    m_providerError->setTextFormat(Qt::PlainText);
    m_providerError->hide();
    m_more->setObjectName(u"moreSessionsPushButton"_s);
    m_more->hide();
    m_follow->setObjectName(u"followCheckBox"_s);
    m_follow->setChecked(true);
    m_sessionTitle->setObjectName(u"sessionTitleLabel"_s);
    m_sessionTitle->setTextFormat(Qt::PlainText);
    m_followTimer->setInterval(followIntervalMs);

    auto *providersBox = new QWidget(this);
    auto *providersLayout = new QVBoxLayout(providersBox);
    providersLayout->setContentsMargins(0, 0, 0, 0);
    providersLayout->addWidget(new QLabel(tr("Runtime providers"), providersBox));
    providersLayout->addWidget(m_providerView);
    providersLayout->addWidget(m_providerError);
    auto *sessionsBox = new QWidget(this);
    auto *sessionsLayout = new QVBoxLayout(sessionsBox);
    sessionsLayout->setContentsMargins(0, 0, 0, 0);
    sessionsLayout->addWidget(new QLabel(tr("Sessions"), sessionsBox));
    sessionsLayout->addWidget(m_sessionView);
    sessionsLayout->addWidget(m_more, 0, Qt::AlignLeft);
    auto *logsBox = new QWidget(this);
    auto *logsLayout = new QVBoxLayout(logsBox);
    logsLayout->setContentsMargins(0, 0, 0, 0);
    auto *logsHeader = new QHBoxLayout;
    logsHeader->addWidget(m_sessionTitle, 1);
    logsHeader->addWidget(m_follow);
    logsLayout->addLayout(logsHeader);
    logsLayout->addWidget(m_logView);
    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(providersBox);
    top->addWidget(sessionsBox);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(top);
    splitter->addWidget(logsBox);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
    m_sessionTitle->setText(tr("Select a session to see its logs."));

    connect(
        m_providerView->selectionModel(),
        &QItemSelectionModel::currentRowChanged,
        this,
        [this](const QModelIndex &current) { showProvider(m_providers->rowAt(current.row())); });
    connect(m_sessionView->selectionModel(),
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
                m_sessionTitle->setText(session
                                            ? tr("Logs of %1 (%2)").arg(session->id, session->app)
                                            : tr("Select a session to see its logs."));
                pollLogs();
                updateFollow();
            });
    connect(m_more, &QPushButton::clicked, this, [this] { loadSessions(true); });
    connect(m_follow, &QCheckBox::toggled, this, &RuntimePage::updateFollow);
    connect(m_followTimer, &QTimer::timeout, this, &RuntimePage::pollLogs);
}

void RuntimePage::setActive(bool active)
{
    Page::setActive(active);
    updateFollow();
}

void RuntimePage::updateFollow()
{
    const bool on = isActive() && m_follow->isChecked() && !m_session.isEmpty();
    if (on && !m_followTimer->isActive()) {
        m_followTimer->start();
    } else if (!on) {
        m_followTimer->stop();
    }
}

void RuntimePage::refresh()
{
    m_api.get(base, this, [this](const ApiReply &reply) {
        if (!check(reply, tr("Loading runtime providers"))) {
            return;
        }
        const QString keep = m_provider;
        m_providers->setRows(listFromJson<RuntimeProvider>(reply.json.array()));
        int row = m_providers->rowCount() > 0 ? 0 : -1;
        for (int i = 0; i < m_providers->rowCount(); ++i) {
            if (m_providers->rowAt(i)->name == keep) {
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
    m_providerView->selectRow(row);
}

void RuntimePage::selectSession(int row)
{
    m_sessionView->selectRow(row);
}

void RuntimePage::showProvider(const RuntimeProvider *provider)
{
    m_providerError->setVisible(provider && !provider->error.isEmpty());
    if (provider && !provider->error.isEmpty()) {
        m_providerError->setText(tr("%1: %2").arg(provider->name, provider->error));
    }
    m_provider = provider ? provider->name : QString();
    loadSessions(false);
}

void RuntimePage::loadSessions(bool more)
{
    if (m_provider.isEmpty()) {
        m_sessions->setRows({});
        m_more->hide();
        return;
    }
    QUrlQuery query;
    query.addQueryItem(u"pageSize"_s, QString::number(m_sessionPageSize));
    if (more && !m_nextPageToken.isEmpty()) {
        query.addQueryItem(u"pageToken"_s,
                           QString::fromLatin1(QUrl::toPercentEncoding(m_nextPageToken)));
    }
    const QString provider = m_provider;
    m_api.get(base + u'/' + ApiClient::segment(provider) + u"/sessions?"_s
                  + query.toString(QUrl::FullyEncoded),
              this,
              [this, provider, more](const ApiReply &reply) {
                  if (provider != m_provider || !check(reply, tr("Loading sessions"))) {
                      return;
                  }
                  const QJsonObject page = reply.json.object();
                  const auto sessions =
                      listFromJson<RuntimeSession>(page.value(u"sessions"_s).toArray());
                  m_nextPageToken = page.value(u"nextPageToken"_s).toString();
                  m_more->setVisible(!m_nextPageToken.isEmpty());
                  if (more) {
                      m_sessions->appendRows(sessions);
                      fitColumns(m_sessionView);
                      return;
                  }
                  const QString keep = m_session;
                  m_sessions->setRows(sessions);
                  for (int i = 0; i < m_sessions->rowCount(); ++i) {
                      if (m_sessions->rowAt(i)->id == keep) {
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
    const QString path = base + u'/' + ApiClient::segment(m_provider) + u"/sessions/"_s
                         + ApiClient::segment(session)
                         + u"/logs?after=%1&limit=%2"_s.arg(m_lastSeq).arg(logPageSize);
    m_api.get(path, this, [this, session](const ApiReply &reply) {
        m_polling = false;
        if (session != m_session) {
            return;
        }
        if (!check(reply, tr("Loading logs"))) {
            m_follow->setChecked(false); // a gone session would fail every second
            return;
        }
        const QList<LogLine> lines = listFromJson<LogLine>(reply.json.array());
        if (lines.isEmpty()) {
            return;
        }
        m_lastSeq = lines.last().seq;
        const bool atBottom =
            m_logView->verticalScrollBar()->value() == m_logView->verticalScrollBar()->maximum();
        m_logs->appendRows(lines);
        m_logs->trimFront(maxLogLines);
        if (atBottom) {
            m_logView->scrollToBottom();
        }
    });
}

} // namespace Gestalt::Console
