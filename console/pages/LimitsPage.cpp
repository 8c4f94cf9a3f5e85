// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "pages/LimitsPage.h"

#include "api/ApiClient.h"
#include "ui_LimitsPage.h"
#include "widgets/TableViews.h"

#include <QColor>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

QString countText(const std::optional<qint64> &value)
{
    return value ? QLocale().toString(*value) : u"–"_s;
}

QString orAny(const QString &value)
{
    return value.isEmpty() ? LimitsPage::tr("any") : value;
}

QVariant rightAligned(int role, const QString &text)
{
    if (role == Qt::DisplayRole) {
        return text;
    }
    if (role == Qt::TextAlignmentRole) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QList<LimitRulesModel::Column> ruleColumns()
{
    using Row = LimitRule;
    return {
        textColumn<Row>(LimitsPage::tr("Applies to"),
                        [](const Row &r) {
                            if (!r.isOverride) {
                                return LimitsPage::scopeText(r.scope);
                            }
                            QStringList who;
                            if (!r.role.isEmpty()) {
                                who.append(LimitsPage::tr("role %1").arg(r.role));
                            }
                            if (!r.token.isEmpty()) {
                                who.append(LimitsPage::tr("token %1").arg(r.token));
                            }
                            //: An override of the limits; %1 says for whom ("role admin").
                            return LimitsPage::tr("override: %1")
                                .arg(who.isEmpty() ? LimitsPage::tr("everyone")
                                                   : who.join(u", "_s));
                        }),
        textColumn<Row>(LimitsPage::tr("App"), [](const Row &r) { return orAny(r.app); }),
        textColumn<Row>(LimitsPage::tr("Operation"),
                        [](const Row &r) { return orAny(r.operation); }),
        {LimitsPage::tr("Requests"),
         [](const Row &r, int role) {
             return rightAligned(role, LimitsPage::rateText(r.requests, r.perSeconds));
         }},
        {LimitsPage::tr("Concurrent"),
         [](const Row &r, int role) {
             return rightAligned(role, countText(r.concurrent));
         }},
    };
}

QList<LimitUsageModel::Column> usageColumns()
{
    using Row = LimitUsage;
    const auto orDash = [](const QString &value) {
        return value.isEmpty() ? u"–"_s : value;
    };
    return {
        textColumn<Row>(LimitsPage::tr("Counted for"),
                        [](const Row &r) { return LimitsPage::scopeText(r.scope); }),
        textColumn<Row>(LimitsPage::tr("App"), [orDash](const Row &r) { return orDash(r.app); }),
        textColumn<Row>(LimitsPage::tr("Operation"),
                        [orDash](const Row &r) { return orDash(r.operation); }),
        textColumn<Row>(LimitsPage::tr("Subject"),
                        [orDash](const Row &r) { return orDash(r.subject); }),
        {LimitsPage::tr("Requests"),
         [](const Row &r, int role) {
             return rightAligned(role, LimitsPage::rateText(r.requests, r.perSeconds));
         }},
        {LimitsPage::tr("In flight"),
         [](const Row &r, int role) {
             return rightAligned(role, countText(r.inFlight));
         }},
        {LimitsPage::tr("Limited"),
         [](const Row &r, int role) -> QVariant {
             if (role == Qt::ForegroundRole && r.limited.value_or(0) > 0) {
                 return QColor(0xc0, 0x1c, 0x28);
             }
             return rightAligned(role, countText(r.limited));
         }},
    };
}

QList<BlockedUpstreamModel::Column> blockedColumns()
{
    using Row = BlockedUpstream;
    return {
        textColumn<Row>(LimitsPage::tr("App"), [](const Row &r) { return r.app; }),
        textColumn<Row>(
            LimitsPage::tr("Connection"),
            [](const Row &r) { return r.connection.isEmpty() ? u"–"_s : r.connection; }),
        textColumn<Row>(LimitsPage::tr("Instance"),
                        [](const Row &r) {
                            return r.instance.isEmpty() ? LimitsPage::tr("shared") : r.instance;
                        }),
        textColumn<Row>(LimitsPage::tr("Subject"),
                        [](const Row &r) {
                            return r.subject.isEmpty() ? LimitsPage::tr("everyone") : r.subject;
                        }),
        textColumn<Row>(LimitsPage::tr("Until"),
                        [](const Row &r) {
                            return r.until.isValid() ? QLocale().toString(r.until.toLocalTime(),
                                                                          QLocale::ShortFormat)
                                                     : QString();
                        }),
        {LimitsPage::tr("Retry in"),
         [](const Row &r, int role) {
             return rightAligned(role, LimitsPage::tr("%1 s").arg(r.retryAfter));
         }},
    };
}

} // namespace

QString LimitsPage::scopeText(const QString &scope)
{
    if (scope == u"subject") {
        return tr("each caller");
    }
    if (scope == u"app-subject") {
        return tr("each caller, per app");
    }
    if (scope == u"app-total") {
        return tr("all callers of an app");
    }
    if (scope == u"operation-subject") {
        return tr("each caller, per operation");
    }
    if (scope == u"operation-total") {
        return tr("all callers of an operation");
    }
    return scope;
}

QString LimitsPage::rateText(const std::optional<qint64> &requests,
                             const std::optional<qint64> &perSeconds)
{
    if (!requests) {
        return u"–"_s;
    }
    QString count = QLocale().toString(*requests);
    if (!perSeconds || *perSeconds <= 0) {
        return count;
    }
    const qint64 seconds = *perSeconds;
    //: A rate: %1 requests per %2 ("600 / 1 min").
    const QString rate = tr("%1 / %2");
    if (seconds % 3600 == 0) {
        return rate.arg(count, tr("%1 h").arg(seconds / 3600));
    }
    if (seconds % 60 == 0) {
        return rate.arg(count, tr("%1 min").arg(seconds / 60));
    }
    return rate.arg(count, tr("%1 s").arg(seconds));
}

LimitsPage::LimitsPage(ApiClient &api, QWidget *parent)
    : Page(api, parent)
    , m_ui(std::make_unique<Ui::LimitsPage>())
    , m_rules(new LimitRulesModel(ruleColumns(), this))
    , m_usage(new LimitUsageModel(usageColumns(), this))
    , m_blocked(new BlockedUpstreamModel(blockedColumns(), this))
    , m_timer(new QTimer(this))
{
    m_ui->setupUi(this);
    m_ui->limitsStateLabel->hide();
    m_ui->blockedStateLabel->hide();
    setUpTableView(m_ui->limitRulesTableView, m_rules);
    setUpTableView(m_ui->limitUsageTableView, m_usage);
    setUpTableView(m_ui->blockedUpstreamTableView, m_blocked);
    m_timer->setInterval(refreshIntervalMs);

    connect(m_ui->limitsRefreshPushButton, &QPushButton::clicked, this, &LimitsPage::refresh);
    connect(m_timer, &QTimer::timeout, this, &LimitsPage::refresh);
}

LimitsPage::~LimitsPage() = default;

void LimitsPage::setActive(bool active)
{
    Page::setActive(active);
    if (active) {
        m_timer->start();
    } else {
        m_timer->stop();
    }
}

void LimitsPage::showLimits(const LimitsAnswer &limits)
{
    const QList<LimitRule> &rules = limits.rules;
    QList<LimitUsage> usage = limits.usage;
    // The limited counters first, then the busiest.
    std::stable_sort(usage.begin(), usage.end(), [](const LimitUsage &a, const LimitUsage &b) {
        return std::pair(a.limited.value_or(0), a.requests.value_or(0))
               > std::pair(b.limited.value_or(0), b.requests.value_or(0));
    });
    m_rules->setRows(rules);
    m_usage->setRows(usage);
    fitColumns(m_ui->limitRulesTableView);
    fitColumns(m_ui->limitUsageTableView);
    m_ui->limitsStateLabel->setVisible(rules.isEmpty());
    m_ui->limitsStateLabel->setText(tr("No rate limits or concurrency caps are configured."));
}

void LimitsPage::refresh()
{
    m_admin.limits(this, [this](const ApiReply &reply, const LimitsAnswer &limits) {
        if (reply.status == 404) {
            // A server without rate limits: say so on the page, not as a problem.
            m_rules->setRows({});
            m_usage->setRows({});
            m_ui->limitsStateLabel->setText(tr("This server does not report rate limits."));
            m_ui->limitsStateLabel->show();
            return;
        }
        if (!check(reply, tr("Loading limits"))) {
            return;
        }
        showLimits(limits);
    });
    m_admin.blockedUpstreams(
        this, [this](const ApiReply &reply, const QList<BlockedUpstream> &blocked) {
            if (!check(reply, tr("Loading blocked upstream credentials"))) {
                return;
            }
            m_blocked->setRows(blocked);
            fitColumns(m_ui->blockedUpstreamTableView);
            m_ui->blockedStateLabel->setVisible(blocked.isEmpty());
            m_ui->blockedStateLabel->setText(tr("No upstream has asked to slow down."));
            Q_EMIT refreshed();
        });
}

} // namespace Gestalt::Console
