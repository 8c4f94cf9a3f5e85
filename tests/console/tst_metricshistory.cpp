// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// What the metrics page computes from /metrics scrapes: per-app rates summed over every other
// label, counter resets, latency quantiles from bucket increases, memory, the window, bad text.
#include "metrics/MetricsHistory.h"

#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt::Console;
using Series = MetricsHistory::Series;

namespace {

const QDateTime t0 = QDateTime::fromString(u"2026-12-04T10:00:00Z"_s, Qt::ISODate);

// A scrape as gestaltd writes it: two operations of app "a" (one label set each, plus a
// second transport for one of them), one of app "b", histogram buckets for "a".
QByteArray scrape(double aGet,
                  double aGetMcp,
                  double aPut,
                  double aErrors,
                  double b,
                  QList<double> aBuckets,
                  double memory = 1048576)
{
    QByteArray text =
        "# HELP gestaltd_operation_count_total Number of app operations invoked through gestaltd.\n"
        "# TYPE gestaltd_operation_count_total counter\n";
    text += "gestaltd_operation_count_total{gestalt_provider=\"a\",gestalt_operation=\"get\","
            "gestalt_transport=\"rest\"} "
            + QByteArray::number(aGet) + "\n";
    text += "gestaltd_operation_count_total{gestalt_provider=\"a\",gestalt_operation=\"get\","
            "gestalt_transport=\"mcp-passthrough\"} "
            + QByteArray::number(aGetMcp) + "\n";
    text += "gestaltd_operation_count_total{gestalt_provider=\"a\",gestalt_operation=\"put\","
            "gestalt_transport=\"rest\"} "
            + QByteArray::number(aPut) + "\n";
    text += "gestaltd_operation_count_total{gestalt_provider=\"b "
            "\\\"quoted\\\"\",gestalt_operation=\"x\"} "
            + QByteArray::number(b) + "\n";
    text +=
        "# TYPE gestaltd_operation_error_count_total counter\n"
        "gestaltd_operation_error_count_total{gestalt_provider=\"a\",gestalt_operation=\"put\"} "
        + QByteArray::number(aErrors) + "\n";
    text += "# TYPE gestaltd_operation_duration_seconds histogram\n";
    const QList<QByteArray> bounds = {"0.01", "0.1", "1", "+Inf"};
    for (int i = 0; i < bounds.size(); ++i) {
        text += "gestaltd_operation_duration_seconds_bucket{gestalt_provider=\"a\",le=\""
                + bounds[i] + "\"} " + QByteArray::number(aBuckets.value(i)) + "\n";
    }
    text += "gestaltd_operation_duration_seconds_sum{gestalt_provider=\"a\"} 1\n"
            "gestaltd_operation_duration_seconds_count{gestalt_provider=\"a\"} "
            + QByteArray::number(aBuckets.value(3)) + "\n";
    text += "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes "
            + QByteArray::number(memory) + "\n";
    text += "# TYPE target_info "
            "gauge\ntarget_info{service_name=\"gestaltd\",service_version=\"9.8.7\"} 1\n";
    return text;
}

double last(const QList<MetricsHistory::Point> &points)
{
    return points.isEmpty() ? qQNaN() : points.last().value;
}

} // namespace

class tst_MetricsHistory final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void firstScrapeIsTheBaseline()
    {
        MetricsHistory history;
        QCOMPARE(history.addScrape(scrape(10, 0, 5, 1, 3, {1, 5, 10, 10}), t0), std::nullopt);
        QCOMPARE(history.apps(), (QStringList{u"a"_s, u"b \"quoted\""_s}));
        QVERIFY(history.points(Series::RequestsPerSecond, u"a"_s).isEmpty());
        QCOMPARE(history.memoryBytes().size(), 1);
        QCOMPARE(history.serverVersion(), u"9.8.7"_s);
        const auto busiest = history.busiest();
        QCOMPARE(busiest.first().app, u"a"_s);
        QCOMPARE(busiest.first().totalRequests, 15.0);
        QCOMPARE(busiest.first().totalErrors, 1.0);
    }

    void ratesSumEveryLabelOfAnApp()
    {
        MetricsHistory history;
        QVERIFY(!history.addScrape(scrape(10, 0, 5, 1, 3, {1, 5, 10, 10}), t0));
        // 10 s later: +20 get (rest), +10 get (mcp), +10 put, +2 errors, +0 for b.
        QVERIFY(!history.addScrape(scrape(30, 10, 15, 3, 3, {1, 5, 10, 10}), t0.addSecs(10)));
        QCOMPARE(last(history.points(Series::RequestsPerSecond, u"a"_s)), 4.0);
        QCOMPARE(last(history.points(Series::ErrorsPerSecond, u"a"_s)), 0.2);
        QCOMPARE(last(history.points(Series::RequestsPerSecond, u"b \"quoted\""_s)), 0.0);
        QCOMPARE(history.busiest().first().requestsPerSecond, 4.0);
    }

    void aCounterResetCountsItsNewValue()
    {
        MetricsHistory history;
        QVERIFY(!history.addScrape(scrape(100, 0, 50, 10, 3, {1, 5, 10, 10}), t0));
        // The server restarted: every counter starts again from a small value.
        QVERIFY(!history.addScrape(scrape(4, 0, 2, 1, 0, {0, 1, 2, 2}), t0.addSecs(2)));
        QCOMPARE(last(history.points(Series::RequestsPerSecond, u"a"_s)), 3.0);
        QCOMPARE(last(history.points(Series::ErrorsPerSecond, u"a"_s)), 0.5);
    }

    void latencyQuantilesComeFromBucketIncreases()
    {
        MetricsHistory history;
        // Before: 10 fast observations. Between the scrapes: 100 more, all between 0.1 and 1 s.
        QVERIFY(!history.addScrape(scrape(10, 0, 0, 0, 0, {10, 10, 10, 10}), t0));
        QVERIFY(!history.addScrape(scrape(110, 0, 0, 0, 0, {10, 10, 110, 110}), t0.addSecs(5)));
        // Linear interpolation inside (0.1, 1]: p50 → 0.1 + 0.9 * 0.5, p95 → 0.1 + 0.9 * 0.95.
        QCOMPARE(last(history.points(Series::LatencyP50Seconds, u"a"_s)), 0.55);
        QVERIFY(qFuzzyCompare(last(history.points(Series::LatencyP95Seconds, u"a"_s)), 0.955));
        // No observations in the next interval: no latency point rather than a made-up one.
        QVERIFY(!history.addScrape(scrape(110, 0, 0, 0, 0, {10, 10, 110, 110}), t0.addSecs(10)));
        QCOMPARE(history.points(Series::LatencyP50Seconds, u"a"_s).size(), 1);
        QCOMPARE(history.points(Series::RequestsPerSecond, u"a"_s).size(), 2);
        QVERIFY(std::isnan(history.busiest().first().p95Seconds));
    }

    void pointsOlderThanTheWindowGo()
    {
        MetricsHistory history(std::chrono::seconds(60));
        for (int i = 0; i <= 10; ++i) {
            QVERIFY(!history.addScrape(scrape(i * 10, 0, 0, 0, 0, {0, 0, 0, 0}, 1000 + i),
                                       t0.addSecs(i * 20)));
        }
        const auto points = history.points(Series::RequestsPerSecond, u"a"_s);
        QCOMPARE(points.size(), 4); // t = 140, 160, 180, 200 s: within 60 s of the last scrape
        QCOMPARE(points.first().at, t0.addSecs(140));
        QCOMPARE(history.memoryBytes().size(), 4);
        history.setWindow(std::chrono::seconds(20));
        QCOMPARE(history.points(Series::RequestsPerSecond, u"a"_s).size(), 2);
    }

    void badTextIsReportedAndResetsTheBaseline()
    {
        MetricsHistory history;
        QVERIFY(!history.addScrape(scrape(10, 0, 0, 0, 0, {0, 0, 0, 0}), t0));
        const std::optional<QString> error =
            history.addScrape("metric{a=\"unterminated} 1\n", t0.addSecs(5));
        QVERIFY(error);
        QVERIFY2(error->startsWith(u"line 1"_s), qPrintable(*error));
        // The next good scrape is a new baseline: no rate across the gap.
        QVERIFY(!history.addScrape(scrape(1000, 0, 0, 0, 0, {0, 0, 0, 0}), t0.addSecs(10)));
        QVERIFY(history.points(Series::RequestsPerSecond, u"a"_s).isEmpty());
    }

    void otherFamiliesAndNonFiniteValuesAreIgnored()
    {
        MetricsHistory history;
        const QByteArray text = "# TYPE gestaltd_operation_count_total counter\n"
                                "gestaltd_operation_count_total{gestalt_provider=\"a\"} NaN\n"
                                "gestaltd_operation_count_total{gestalt_operation=\"no app\"} 5\n"
                                "http_server_request_duration_seconds_count{http_route=\"/x\"} 9\n";
        QVERIFY(!history.addScrape(text, t0));
        QVERIFY(!history.addScrape(text, t0.addSecs(1)));
        QVERIFY(history.apps().isEmpty());
        QVERIFY(history.busiest().isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_MetricsHistory)
#include "tst_metricshistory.moc"
