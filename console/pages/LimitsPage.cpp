// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "pages/LimitsPage.h"

#include "api/ApiClient.h"
#include "widgets/TableViews.h"

#include <QColor>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

const QString limitsPath = u"/admin/api/v1/limits"_s;
const QString upstreamPath = u"/admin/api/v1/limits/upstream"_s;

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

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

QLabel *stateLabel(const QString &name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->hide();
    return label;
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
    const QString count = QLocale().toString(*requests);
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
    , m_rules(new LimitRulesModel(ruleColumns(), this))
    , m_usage(new LimitUsageModel(usageColumns(), this))
    , m_blocked(new BlockedUpstreamModel(blockedColumns(), this))
    , m_limitsState(stateLabel(u"limitsStateLabel"_s, this))
    , m_blockedState(stateLabel(u"blockedStateLabel"_s, this))
    , m_refresh(new QPushButton(tr("&Refresh"), this))
    , m_timer(new QTimer(this))
{
    m_rulesView = makeTableView(u"limitRulesTableView"_s, m_rules, this);
    m_usageView = makeTableView(u"limitUsageTableView"_s, m_usage, this);
    m_blockedView = makeTableView(u"blockedUpstreamTableView"_s, m_blocked, this);
    m_refresh->setObjectName(u"limitsRefreshPushButton"_s);
    m_timer->setInterval(refreshIntervalMs);

    auto *top = new QHBoxLayout;
    top->addWidget(heading(tr("Configured limits"), this), 1);
    top->addWidget(m_refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_limitsState);
    layout->addWidget(m_rulesView, 2);
    layout->addWidget(heading(tr("Current use"), this));
    layout->addWidget(m_usageView, 3);
    layout->addWidget(heading(tr("Upstreams that asked to slow down"), this));
    auto *note = new QLabel(tr("An upstream's 429 or 503 with Retry-After holds calls on that "
                               "credential (on this replica) until the time it named."),
                            this);
    note->setWordWrap(true);
    layout->addWidget(note);
    layout->addWidget(m_blockedState);
    layout->addWidget(m_blockedView, 2);

    connect(m_refresh, &QPushButton::clicked, this, &LimitsPage::refresh);
    connect(m_timer, &QTimer::timeout, this, &LimitsPage::refresh);
}

void LimitsPage::setActive(bool active)
{
    Page::setActive(active);
    if (active) {
        m_timer->start();
    } else {
        m_timer->stop();
    }
}

void LimitsPage::showLimits(const QJsonObject &answer)
{
    QList<LimitRule> rules;
    for (const QJsonValue &value : answer.value(u"limits"_s).toArray()) {
        rules.append(LimitRule::fromJson(value.toObject(), false));
    }
    for (const QJsonValue &value : answer.value(u"overrides"_s).toArray()) {
        rules.append(LimitRule::fromJson(value.toObject(), true));
    }
    QList<LimitUsage> usage = listFromJson<LimitUsage>(answer.value(u"usage"_s).toArray());
    // The limited counters first, then the busiest.
    std::stable_sort(usage.begin(), usage.end(), [](const LimitUsage &a, const LimitUsage &b) {
        return std::pair(a.limited.value_or(0), a.requests.value_or(0))
               > std::pair(b.limited.value_or(0), b.requests.value_or(0));
    });
    m_rules->setRows(rules);
    m_usage->setRows(usage);
    fitColumns(m_rulesView);
    fitColumns(m_usageView);
    m_limitsState->setVisible(rules.isEmpty());
    m_limitsState->setText(tr("No rate limits or concurrency caps are configured."));
}

void LimitsPage::refresh()
{
    m_api.get(limitsPath, this, [this](const ApiReply &reply) {
        if (reply.status == 404) {
            // A server without rate limits: say so on the page, not as a problem.
            m_rules->setRows({});
            m_usage->setRows({});
            m_limitsState->setText(tr("This server does not report rate limits."));
            m_limitsState->show();
            return;
        }
        if (!check(reply, tr("Loading limits"))) {
            return;
        }
        showLimits(reply.json.object());
    });
    m_api.get(upstreamPath, this, [this](const ApiReply &reply) {
        if (!check(reply, tr("Loading blocked upstream credentials"))) {
            return;
        }
        QList<BlockedUpstream> blocked =
            listFromJson<BlockedUpstream>(reply.json.object().value(u"blocked"_s).toArray());
        m_blocked->setRows(blocked);
        fitColumns(m_blockedView);
        m_blockedState->setVisible(blocked.isEmpty());
        m_blockedState->setText(tr("No upstream has asked to slow down."));
        Q_EMIT refreshed();
    });
}

} // namespace Gestalt::Console
