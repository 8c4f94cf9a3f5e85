// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/PrometheusText.h"
#include "support/PrometheusTestHelpers.h"

#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;
using Gestalt::MetricFamily;
using Gestalt::MetricLabels;
using Gestalt::MetricSample;
using Type = MetricFamily::Type;
using Buckets = QList<std::pair<double, double>>;

using namespace Gestalt::Test;

namespace {} // namespace

class tst_PrometheusText final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void formatsValues_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("expected");

        QTest::newRow("zero") << 0.0 << "0"_ba;
        QTest::newRow("small integer") << 42.0 << "42"_ba;
        QTest::newRow("negative integer") << -7.0 << "-7"_ba;
        QTest::newRow("ten megabytes, no exponent") << 1e7 << "10000000"_ba;
        QTest::newRow("2^53 + 2, no exponent") << 9007199254740994.0 << "9007199254740994"_ba;
        QTest::newRow("1e20, no exponent") << 1e20 << "100000000000000000000"_ba;
        QTest::newRow("one tenth") << 0.1 << "0.1"_ba;
        QTest::newRow("bucket bound") << 0.005 << "0.005"_ba;
        QTest::newRow("sum with rounding noise") << 0.1 + 0.2 << "0.30000000000000004"_ba;
        QTest::newRow("one third") << 1.0 / 3 << "0.3333333333333333"_ba;
        QTest::newRow("tiny") << 1.5e-7 << "1.5e-07"_ba;
        QTest::newRow("huge") << 1.7976931348623157e308 << "1.7976931348623157e+308"_ba;
        QTest::newRow("positive infinity") << kInf << "+Inf"_ba;
        QTest::newRow("negative infinity") << -kInf << "-Inf"_ba;
        QTest::newRow("not a number") << kNaN << "NaN"_ba;
    }

    void formatsValues()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, expected);

        const QByteArray text = Gestalt::formatPrometheusValue(value);
        QCOMPARE(text, expected);

        // Whatever the spelling, the parser reads back the same double.
        const auto parsed = Gestalt::parsePrometheusText("m " + text + '\n');
        QVERIFY2(parsed.hasValue(), errorOf(parsed).constData());
        const double back = parsed->constFirst().samples.constFirst().value;
        if (std::isnan(value)) {
            QVERIFY(std::isnan(back));
        } else {
            QVERIFY(back == value); // bit-exact, not fuzzy
        }
    }

    void writesFamilies_data()
    {
        QTest::addColumn<MetricFamily>("family");
        QTest::addColumn<QByteArray>("expected");

        QTest::newRow("counter with labels")
            << family(u"requests_total"_s,
                      u"Requests."_s,
                      Type::Counter,
                      {sample(u"requests_total"_s,
                              3,
                              {{u"method"_s, u"GET"_s}, {u"code"_s, u"200"_s}})})
            << "# HELP requests_total Requests.\n"
               "# TYPE requests_total counter\n"
               "requests_total{method=\"GET\",code=\"200\"} 3\n"_ba;
        QTest::newRow("gauge without labels") << family(u"temperature_celsius"_s,
                                                        u"Heat."_s,
                                                        Type::Gauge,
                                                        {sample(u"temperature_celsius"_s, -2.5)})
                                              << "# HELP temperature_celsius Heat.\n"
                                                 "# TYPE temperature_celsius gauge\n"
                                                 "temperature_celsius -2.5\n"_ba;
        QTest::newRow("family without samples keeps HELP and TYPE")
            << family(u"idle_seconds"_s, u"Idle."_s, Type::Histogram)
            << "# HELP idle_seconds Idle.\n"
               "# TYPE idle_seconds histogram\n"_ba;
        QTest::newRow("empty help")
            << family(u"thing"_s, QString(), Type::Untyped, {sample(u"thing"_s, 1)})
            << "# HELP thing \n"
               "# TYPE thing untyped\n"
               "thing 1\n"_ba;
        QTest::newRow("help escapes backslash and newline, not quotes")
            << family(u"x"_s, u"Path C:\\dir\nsecond \"line\""_s, Type::Summary)
            << "# HELP x Path C:\\\\dir\\nsecond \"line\"\n"
               "# TYPE x summary\n"_ba;
        QTest::newRow("label value escapes backslash, quote and newline")
            << family(u"x"_s,
                      u"h"_s,
                      Type::Gauge,
                      {sample(u"x"_s, 1, {{u"path"_s, u"C:\\dir \"a\"\nb"_s}})})
            << "# HELP x h\n"
               "# TYPE x gauge\n"
               "x{path=\"C:\\\\dir \\\"a\\\"\\nb\"} 1\n"_ba;
        QTest::newRow("label value in UTF-8") << family(
            u"x"_s, u"Grüße"_s, Type::Gauge, {sample(u"x"_s, 1, {{u"who"_s, u"Jürgen ☃"_s}})})
                                              << "# HELP x Gr\xc3\xbc\xc3\x9f"
                                                 "e\n"
                                                 "# TYPE x gauge\n"
                                                 "x{who=\"J\xc3\xbcrgen \xe2\x98\x83\"} 1\n"_ba;
        QTest::newRow("special values") << family(u"x"_s,
                                                  u"h"_s,
                                                  Type::Untyped,
                                                  {sample(u"x"_s, kInf, {{u"k"_s, u"a"_s}}),
                                                   sample(u"x"_s, -kInf, {{u"k"_s, u"b"_s}}),
                                                   sample(u"x"_s, kNaN, {{u"k"_s, u"c"_s}})})
                                        << "# HELP x h\n"
                                           "# TYPE x untyped\n"
                                           "x{k=\"a\"} +Inf\n"
                                           "x{k=\"b\"} -Inf\n"
                                           "x{k=\"c\"} NaN\n"_ba;
    }

    void writesFamilies()
    {
        QFETCH(MetricFamily, family);
        QFETCH(QByteArray, expected);

        QCOMPARE(Gestalt::writePrometheusText({family}), expected);
    }

    void roundTripsWriterToParser()
    {
        const QList<MetricFamily> families = {
            family(u"jobs_total"_s,
                   u"Jobs with a \\ backslash\nand a newline."_s,
                   Type::Counter,
                   {sample(u"jobs_total"_s, 0, {{u"queue"_s, u""_s}}),
                    sample(u"jobs_total"_s, 9007199254740993.0, {{u"queue"_s, u"a\"b\\c\nd"_s}})}),
            family(u"ratio"_s,
                   u"A gauge."_s,
                   Type::Gauge,
                   {sample(u"ratio"_s, 0.1 + 0.2), sample(u"ratio"_s, -kInf, {{u"k"_s, u"v"_s}})}),
            family(u"latency_seconds"_s,
                   u"A histogram."_s,
                   Type::Histogram,
                   {sample(u"latency_seconds_bucket"_s,
                           1,
                           {{u"route"_s, u"/a/{id}"_s}, {u"le"_s, u"0.005"_s}}),
                    sample(u"latency_seconds_bucket"_s,
                           4,
                           {{u"route"_s, u"/a/{id}"_s}, {u"le"_s, u"+Inf"_s}}),
                    sample(u"latency_seconds_sum"_s, 1e-300, {{u"route"_s, u"/a/{id}"_s}}),
                    sample(u"latency_seconds_count"_s, 4, {{u"route"_s, u"/a/{id}"_s}})}),
            family(u"rpc_seconds"_s,
                   u"A summary."_s,
                   Type::Summary,
                   {sample(u"rpc_seconds"_s, 1.7976931348623157e308, {{u"quantile"_s, u"0.99"_s}}),
                    sample(u"rpc_seconds_sum"_s, 12.5),
                    sample(u"rpc_seconds_count"_s, 3)}),
            family(u"legacy"_s, u"Untyped."_s, Type::Untyped, {sample(u"legacy"_s, 2.5e-7)}),
            family(u"nothing_yet_total"_s, u"No samples yet."_s, Type::Counter),
        };

        const auto parsed = Gestalt::parsePrometheusText(Gestalt::writePrometheusText(families));
        QVERIFY2(parsed.hasValue(), errorOf(parsed).constData());
        QCOMPARE(*parsed, families);
    }

    void histogramBucketsIgnoreLabelOrder()
    {
        const auto parsed = Gestalt::parsePrometheusText("# TYPE h histogram\n"
                                                         "h_bucket{a=\"1\",b=\"2\",le=\"1\"} 3\n"
                                                         "h_bucket{le=\"+Inf\",b=\"2\",a=\"1\"} 4\n"
                                                         "h_bucket{a=\"1\",b=\"3\",le=\"+Inf\"} 9\n"
                                                         "h_sum{b=\"2\",a=\"1\"} 2.5\n"_ba);
        QVERIFY2(parsed.hasValue(), errorOf(parsed).constData());
        const MetricFamily &h = parsed->constFirst();

        QCOMPARE(Gestalt::histogramBuckets(h, {{u"b"_s, u"2"_s}, {u"a"_s, u"1"_s}}),
                 Buckets({{1.0, 3.0}, {kInf, 4.0}}));
        const QList<Gestalt::HistogramSeries> series = Gestalt::histogramSeries(h);
        QCOMPARE(series.size(), 2);
        QCOMPARE(series.at(0).sum, 2.5);
        QVERIFY(std::isnan(series.at(0).count));
        QVERIFY(std::isnan(series.at(1).sum));
    }

    void histogramQuantile_data()
    {
        QTest::addColumn<double>("q");
        QTest::addColumn<Buckets>("buckets");
        QTest::addColumn<double>("expected");

        const Buckets simple = {{1, 10}, {2, 30}, {kInf, 40}};
        QTest::newRow("median interpolates in the second bucket") << 0.5 << simple << 1.5;
        QTest::newRow("first bucket starts at zero") << 0.1 << simple << 0.4;
        QTest::newRow("q = 0") << 0.0 << simple << 0.0;
        QTest::newRow("rank in the +Inf bucket gives the highest finite bound")
            << 0.9 << simple << 2.0;
        QTest::newRow("q = 1") << 1.0 << simple << 2.0;
        QTest::newRow("unsorted buckets") << 0.5 << Buckets({{kInf, 40}, {2, 30}, {1, 10}}) << 1.5;
        QTest::newRow("q below 0") << -0.1 << simple << -kInf;
        QTest::newRow("q above 1") << 1.1 << simple << kInf;
        QTest::newRow("q NaN") << kNaN << simple << kNaN;
        QTest::newRow("no buckets") << 0.5 << Buckets() << kNaN;
        QTest::newRow("empty histogram") << 0.5 << Buckets({{1, 0}, {2, 0}, {kInf, 0}}) << kNaN;
        QTest::newRow("+Inf bucket only") << 0.5 << Buckets({{kInf, 5}}) << kNaN;
        QTest::newRow("+Inf bucket only, no observations") << 0.5 << Buckets({{kInf, 0}}) << kNaN;
        QTest::newRow("no +Inf bucket") << 0.5 << Buckets({{1, 5}, {2, 10}}) << kNaN;
        QTest::newRow("all observations above the finite buckets")
            << 0.5 << Buckets({{1, 0}, {2, 0}, {kInf, 7}}) << 2.0;
        QTest::newRow("non-positive first bound is returned as is")
            << 0.25 << Buckets({{-1, 10}, {0, 20}, {kInf, 20}}) << -1.0;
        QTest::newRow("non-monotonic counts are flattened")
            << 0.5 << Buckets({{1, 10}, {2, 8}, {3, 30}, {kInf, 30}}) << 2.25;
        QTest::newRow("duplicate bounds are merged")
            << 0.75 << Buckets({{1, 5}, {1, 5}, {2, 20}, {kInf, 20}}) << 1.5;
        QTest::newRow("single observation")
            << 0.99 << Buckets({{0.1, 0}, {0.5, 1}, {kInf, 1}}) << 0.496;
    }

    void histogramQuantile()
    {
        QFETCH(double, q);
        QFETCH(Buckets, buckets);
        QFETCH(double, expected);

        QCOMPARE(Gestalt::histogramQuantile(q, buckets), expected);
    }

    void typeNames()
    {
        for (const Type type :
             {Type::Counter, Type::Gauge, Type::Histogram, Type::Summary, Type::Untyped}) {
            QCOMPARE(Gestalt::metricTypeFromName(Gestalt::metricTypeName(type)), type);
        }
        QCOMPARE(Gestalt::metricTypeFromName(u"Counter"), std::nullopt);
        QCOMPARE(Gestalt::prometheusTextContentType(),
                 "text/plain; version=0.0.4; charset=utf-8"_ba);
        QVERIFY(Gestalt::isValidMetricName(u"a:b_c1"));
        QVERIFY(!Gestalt::isValidMetricName(u"1a"));
        QVERIFY(!Gestalt::isValidMetricName(u"\u00e4"));
        QVERIFY(Gestalt::isValidLabelName(u"_a1"));
        QVERIFY(!Gestalt::isValidLabelName(u"a:b"));
        QVERIFY(!Gestalt::isValidLabelName(u""));
    }
};

QTEST_GUILESS_MAIN(tst_PrometheusText)
#include "tst_prometheustext.moc"
