// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "pages/MetricsPage.h"

#include "api/ApiClient.h"
#include "ui_MetricsPage.h"
#include "widgets/TableViews.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QPen>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

using Series = MetricsHistory::Series;

// Distinct colours (Tableau 10), taken by apps in the order they first show.
QColor appColor(qsizetype index)
{
    static const QList<QColor> palette = {QColor(0x4e79a7),
                                          QColor(0xf28e2b),
                                          QColor(0xe15759),
                                          QColor(0x76b7b2),
                                          QColor(0x59a14f),
                                          QColor(0xedc948),
                                          QColor(0xb07aa1),
                                          QColor(0xff9da7),
                                          QColor(0x9c755f),
                                          QColor(0xbab0ac)};
    return palette[index % palette.size()];
}

QString rateText(double value)
{
    return QLocale().toString(value, 'f', 2);
}

QString millisecondsText(double seconds)
{
    return std::isfinite(seconds)
               ? MetricsPage::tr("%1 ms").arg(QLocale().toString(seconds * 1000, 'f', 1))
               : QString();
}

QList<BusiestAppsModel::Column> busiestColumns()
{
    using Row = MetricsHistory::AppSummary;
    const auto number = [](const QString &header, std::function<QString(const Row &)> text) {
        return BusiestAppsModel::Column{
            header, [text = std::move(text)](const Row &r, int role) -> QVariant {
                if (role == Qt::DisplayRole) {
                    return text(r);
                }
                if (role == Qt::TextAlignmentRole) {
                    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
                }
                return {};
            }};
    };
    return {
        textColumn<Row>(MetricsPage::tr("App"), [](const Row &r) { return r.app; }),
        number(MetricsPage::tr("Requests/s"),
               [](const Row &r) { return rateText(r.requestsPerSecond); }),
        number(MetricsPage::tr("Errors/s"),
               [](const Row &r) { return rateText(r.errorsPerSecond); }),
        number(MetricsPage::tr("p95"), [](const Row &r) { return millisecondsText(r.p95Seconds); }),
        number(MetricsPage::tr("Requests"),
               [](const Row &r) { return QLocale().toString(r.totalRequests, 'f', 0); }),
        number(MetricsPage::tr("Errors"),
               [](const Row &r) { return QLocale().toString(r.totalErrors, 'f', 0); }),
    };
}

} // namespace

MetricsPage::MetricsPage(ApiClient &api, QWidget *parent)
    : Page(api, parent)
    , m_ui(std::make_unique<Ui::MetricsPage>())
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
    , m_busiest(new BusiestAppsModel(busiestColumns(), this))
    , m_timer(new QTimer(this))
{
    m_ui->setupUi(this);
    m_ui->windowComboBox->addItem(tr("5 minutes"), 5);
    m_ui->windowComboBox->addItem(tr("15 minutes"), 15);
    m_ui->windowComboBox->addItem(tr("1 hour"), 60);
    m_ui->windowComboBox->addItem(tr("6 hours"), 360);
    m_ui->windowComboBox->setCurrentIndex(1);

    const Chart requests = makeChart(u"requests"_s, tr("Requests per second"), tr("req/s"));
    const Chart errors = makeChart(u"errors"_s, tr("Errors per second"), tr("errors/s"));
    const Chart latency = makeChart(u"latency"_s, tr("Latency p50 / p95"), tr("ms"));
    const Chart memory = makeChart(u"memory"_s, tr("Process memory"), tr("MiB"));
    m_ui->chartsLayout->addWidget(requests.view, 0, 0);
    m_ui->chartsLayout->addWidget(errors.view, 0, 1);
    m_ui->chartsLayout->addWidget(latency.view, 1, 0);
    m_ui->chartsLayout->addWidget(memory.view, 1, 1);

    QTableView *table = m_ui->busiestTableView;
    setUpTableView(table, m_busiest);
    // The app names take the spare width; the numbers stay next to them.
    table->horizontalHeader()->setStretchLastSection(false);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_ui->metricsSplitter->setStretchFactor(0, 3);
    m_ui->metricsSplitter->setStretchFactor(1, 1);

    connect(m_timer, &QTimer::timeout, this, &MetricsPage::refresh);
    connect(m_ui->pausePushButton, &QPushButton::toggled, this, &MetricsPage::setPaused);
    connect(m_ui->intervalSpinBox, &QSpinBox::valueChanged, this, [this](int seconds) {
        m_timer->setInterval(seconds * 1000);
        Q_EMIT intervalChanged(seconds);
    });
    connect(m_ui->windowComboBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        const int minutes = m_ui->windowComboBox->itemData(index).toInt();
        m_history.setWindow(std::chrono::minutes(minutes));
        redraw();
        Q_EMIT windowChanged(minutes);
    });
    m_timer->setInterval(m_ui->intervalSpinBox->value() * 1000);
}

MetricsPage::~MetricsPage() = default;

MetricsPage::Chart
MetricsPage::makeChart(const QString &name, const QString &title, const QString &unit)
{
    Chart c;
    c.chart = new QChart;
    c.chart->setObjectName(name + u"Chart"_s);
    c.chart->setTitle(title);
    c.chart->setLocalizeNumbers(true); // axis labels in the user's locale (0,5 in German)
    c.chart->legend()->setAlignment(Qt::AlignBottom);
    c.x = new QDateTimeAxis(c.chart);
    c.x->setFormat(u"HH:mm:ss"_s);
    c.x->setTickCount(4);
    c.y = new QValueAxis(c.chart);
    c.y->setTitleText(unit);
    c.y->setLabelFormat(u"%.3g"_s);
    c.y->setRange(0, 1);
    c.chart->addAxis(c.x, Qt::AlignBottom);
    c.chart->addAxis(c.y, Qt::AlignLeft);
    // Qt 6.4 hides an axis that has no series when the chart is first shown, and attaching one
    // later does not bring it back: an empty series, left out of the legend, holds the axes.
    auto *anchor = new QLineSeries(c.chart);
    c.chart->addSeries(anchor);
    anchor->attachAxis(c.x);
    anchor->attachAxis(c.y);
    for (QLegendMarker *marker : c.chart->legend()->markers(anchor)) {
        marker->setVisible(false);
    }
    c.view = new QChartView(c.chart, this);
    c.view->setObjectName(name + u"ChartView"_s);
    c.view->setRenderHint(QPainter::Antialiasing);
    c.view->setMinimumSize(280, 180);
    m_charts.insert(name, c);
    return c;
}

QChart *MetricsPage::chart(const QString &name) const
{
    return m_charts.value(name).chart;
}

void MetricsPage::setActive(bool active)
{
    Page::setActive(active);
    updateTimer();
    if (active && m_history.scrapes() == 0) {
        refresh();
    }
}

void MetricsPage::setIntervalSeconds(int seconds)
{
    m_ui->intervalSpinBox->setValue(seconds);
}

void MetricsPage::setWindowMinutes(int minutes)
{
    const int index = m_ui->windowComboBox->findData(minutes);
    if (index >= 0) {
        m_ui->windowComboBox->setCurrentIndex(index);
    }
}

void MetricsPage::setPaused(bool paused)
{
    m_paused = paused;
    m_ui->pausePushButton->setChecked(paused);
    m_ui->pausePushButton->setText(paused ? tr("&Resume") : tr("&Pause"));
    updateTimer();
}

void MetricsPage::updateTimer()
{
    // Metrics are scraped while the page is shown, so the history has gaps when it is not.
    if (isActive() && !m_paused) {
        m_timer->start();
    } else {
        m_timer->stop();
    }
}

void MetricsPage::refresh()
{
    if (m_inFlight) {
        return;
    }
    m_inFlight = true;
    m_admin.metrics(this, [this](const ApiReply &reply) {
        m_inFlight = false;
        if (!check(reply, tr("Reading /metrics"))) {
            if (reply.reached()) {
                m_ui->metricsStatusLabel->setText(tr("/metrics answered %1").arg(reply.status));
            }
            return;
        }
        const QDateTime now = m_clock();
        if (const std::optional<QString> error = m_history.addScrape(reply.body, now)) {
            Q_EMIT problem(tr("/metrics is not valid Prometheus text: %1").arg(*error));
            return;
        }
        if (!m_history.serverVersion().isEmpty()) {
            m_api.setServerVersion(m_history.serverVersion());
        }
        redraw();
        m_ui->metricsStatusLabel->setText(
            tr("Updated %1").arg(QLocale().toString(now.toLocalTime().time(), u"HH:mm:ss"_s)));
        Q_EMIT refreshed();
        Q_EMIT scraped();
    });
}

void MetricsPage::setSeries(Chart &chart,
                            const QString &name,
                            const QList<MetricsHistory::Point> &points,
                            const Line &line)
{
    QLineSeries *series = chart.series.value(name);
    if (!series) {
        series = new QLineSeries(chart.chart);
        series->setName(name);
        series->setPointsVisible(true);
        chart.chart->addSeries(series);
        series->attachAxis(chart.x);
        series->attachAxis(chart.y);
        QPen pen(line.color, 2, line.style);
        pen.setCosmetic(true);
        series->setPen(pen);
        chart.series.insert(name, series);
    }
    QList<QPointF> xy;
    xy.reserve(points.size());
    for (const MetricsHistory::Point &p : points) {
        xy.append(QPointF(double(p.at.toMSecsSinceEpoch()), p.value * line.scale));
    }
    series->replace(xy);
}

void MetricsPage::redraw()
{
    const QStringList apps = m_history.apps();
    for (const QString &app : apps) {
        // The first colour free when the app first shows, kept from then on.
        if (!m_appColors.contains(app)) {
            m_appColors.insert(app, appColor(m_appColors.size()));
        }
        const QColor color = m_appColors.value(app);
        setSeries(m_charts[u"requests"_s],
                  app,
                  m_history.points(Series::RequestsPerSecond, app),
                  {color});
        setSeries(
            m_charts[u"errors"_s], app, m_history.points(Series::ErrorsPerSecond, app), {color});
        setSeries(m_charts[u"latency"_s],
                  tr("%1 p50").arg(app),
                  m_history.points(Series::LatencyP50Seconds, app),
                  {color, Qt::SolidLine, 1000.0});
        setSeries(m_charts[u"latency"_s],
                  tr("%1 p95").arg(app),
                  m_history.points(Series::LatencyP95Seconds, app),
                  {color, Qt::DashLine, 1000.0});
    }
    setSeries(m_charts[u"memory"_s],
              tr("resident"),
              m_history.memoryBytes(),
              {appColor(0), Qt::SolidLine, 1.0 / (1024 * 1024)});
    const QDateTime now = m_clock();
    for (Chart &chart : m_charts) {
        chart.x->setRange(now.addSecs(-qint64(m_history.window().count())), now);
        double top = 0;
        for (QLineSeries *series : std::as_const(chart.series)) {
            for (const QPointF &p : series->points()) {
                top = std::max(top, p.y());
            }
        }
        chart.y->setRange(0, top > 0 ? top * 1.15 : 1);
        chart.y->applyNiceNumbers(); // round steps: 0, 0.25, 0.5...
    }
    m_busiest->setRows(m_history.busiest());
}

} // namespace Gestalt::Console
