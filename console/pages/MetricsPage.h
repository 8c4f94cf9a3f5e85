// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "metrics/MetricsHistory.h"
#include "models/RowTableModel.h"
#include "pages/Page.h"

#include <QColor>
#include <QDateTime>
#include <QHash>

#include <functional>
#include <memory>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QTimer;
class QValueAxis;

namespace Gestalt::Console {

namespace Ui {
class MetricsPage;
}

using BusiestAppsModel = RowTableModel<MetricsHistory::AppSummary>;

// Live charts from /metrics, polled on an interval: requests/s, errors/s and latency p50/p95 per
// app, process memory, and the busiest apps. Pause, interval and time window are the user's.
class MetricsPage final : public Page
{
    Q_OBJECT

public:
    explicit MetricsPage(ApiClient &api, QWidget *parent = nullptr);
    ~MetricsPage() override;
    Q_DISABLE_COPY_MOVE(MetricsPage)

    void refresh() override; // one scrape now
    void setActive(bool active) override;

    void setIntervalSeconds(int seconds);
    void setWindowMinutes(int minutes);
    void setPaused(bool paused);

    // Where the page takes the time of a scrape (tests step it instead of waiting).
    using Clock = std::function<QDateTime()>;
    void setClock(Clock clock) { m_clock = std::move(clock); }

    [[nodiscard]] const MetricsHistory &history() const { return m_history; }
    [[nodiscard]] BusiestAppsModel *busiest() const { return m_busiest; }
    // The chart of one kind ("requests", "errors", "latency", "memory"), for tests.
    [[nodiscard]] QChart *chart(const QString &name) const;

Q_SIGNALS:
    void scraped();
    void intervalChanged(int seconds);
    void windowChanged(int minutes);

private:
    struct Chart
    {
        QChart *chart = nullptr;
        QChartView *view = nullptr;
        QDateTimeAxis *x = nullptr;
        QValueAxis *y = nullptr;
        QHash<QString, QLineSeries *> series;
    };
    Chart makeChart(const QString &name, const QString &title, const QString &unit);
    // The line of one series: an app keeps its colour on every chart; p95 is dashed.
    struct Line
    {
        QColor color;
        Qt::PenStyle style = Qt::SolidLine;
        double scale = 1.0; // value → unit of the chart's axis
    };
    void setSeries(Chart &chart,
                   const QString &name,
                   const QList<MetricsHistory::Point> &points,
                   const Line &line);
    void redraw();
    void updateTimer();

    const std::unique_ptr<Ui::MetricsPage> m_ui; // the form: MetricsPage.ui
    MetricsHistory m_history;
    Clock m_clock;
    QHash<QString, Chart> m_charts;
    QHash<QString, QColor> m_appColors;
    BusiestAppsModel *m_busiest;
    QTimer *m_timer;
    bool m_paused = false;
    bool m_inFlight = false;
};

} // namespace Gestalt::Console
