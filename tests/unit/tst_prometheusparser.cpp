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

namespace {

// An excerpt of a real scrape: `curl http://127.0.0.1:9090/metrics` of Prometheus 2.42.0
// (Debian 12, client_golang), after one request each to /-/ready and /api/v1/query. `promtool
// check metrics` accepts it.
const QByteArray capturedPrometheusScrape =
    "# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection "
    "cycles.\n"
    "# TYPE go_gc_duration_seconds summary\n"
    "go_gc_duration_seconds{quantile=\"0\"} 2.6651e-05\n"
    "go_gc_duration_seconds{quantile=\"0.25\"} 0.00146467\n"
    "go_gc_duration_seconds{quantile=\"0.5\"} 0.002868975\n"
    "go_gc_duration_seconds{quantile=\"0.75\"} 0.005180968\n"
    "go_gc_duration_seconds{quantile=\"1\"} 0.005180968\n"
    "go_gc_duration_seconds_sum 0.009541264\n"
    "go_gc_duration_seconds_count 4\n"
    "# HELP go_goroutines Number of goroutines that currently exist.\n"
    "# TYPE go_goroutines gauge\n"
    "go_goroutines 29\n"
    "# HELP go_info Information about the Go environment.\n"
    "# TYPE go_info gauge\n"
    "go_info{version=\"go1.19.8\"} 1\n"
    "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
    "# TYPE process_cpu_seconds_total counter\n"
    "process_cpu_seconds_total 0.12\n"
    "# HELP process_max_fds Maximum number of open file descriptors.\n"
    "# TYPE process_max_fds gauge\n"
    "process_max_fds 20000\n"
    "# HELP process_open_fds Number of open file descriptors.\n"
    "# TYPE process_open_fds gauge\n"
    "process_open_fds 13\n"
    "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
    "# TYPE process_resident_memory_bytes gauge\n"
    "process_resident_memory_bytes 4.448256e+07\n"
    "# HELP process_start_time_seconds Start time of the process since unix epoch in "
    "seconds.\n"
    "# TYPE process_start_time_seconds gauge\n"
    "process_start_time_seconds 1.79543491792e+09\n"
    "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
    "# TYPE process_virtual_memory_bytes gauge\n"
    "process_virtual_memory_bytes 1.31088384e+09\n"
    "# HELP process_virtual_memory_max_bytes Maximum amount of virtual memory available in "
    "bytes.\n"
    "# TYPE process_virtual_memory_max_bytes gauge\n"
    "process_virtual_memory_max_bytes 1.8446744073709552e+19\n"
    "# HELP prometheus_build_info A metric with a constant '1' value labeled by version, "
    "revision, branch, goversion from which prometheus was built, and the goos and goarch "
    "for the build.\n"
    "# TYPE prometheus_build_info gauge\n"
    "prometheus_build_info{branch=\"debian/sid\",goarch=\"amd64\",goos=\"linux\","
    "goversion=\"go1.19.8\",revision=\"2.42.0+ds-5+deb12u1\",version=\"2.42.0+ds\"} 1\n"
    "# HELP prometheus_http_request_duration_seconds Histogram of latencies for HTTP "
    "requests.\n"
    "# TYPE prometheus_http_request_duration_seconds histogram\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"0.1\"} 1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"0.2\"} 1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"0.4\"} 1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"1\"} 1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"3\"} 1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"8\"} 1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"20\"} 1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"60\"} 1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"120\"} 1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"+Inf\"} 1\n"
    "prometheus_http_request_duration_seconds_sum{handler=\"/-/ready\"} 0.000228976\n"
    "prometheus_http_request_duration_seconds_count{handler=\"/-/ready\"} 1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"0.1\"} "
    "1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"0.2\"} "
    "1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"0.4\"} "
    "1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"1\"} "
    "1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"3\"} "
    "1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"8\"} "
    "1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"20\"} "
    "1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"60\"} "
    "1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"120\"} "
    "1\n"
    "prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\","
    "le=\"+Inf\"} 1\n"
    "prometheus_http_request_duration_seconds_sum{handler=\"/api/v1/query\"} 0.000873354\n"
    "prometheus_http_request_duration_seconds_count{handler=\"/api/v1/query\"} 1\n"
    "# HELP prometheus_http_requests_total Counter of HTTP requests.\n"
    "# TYPE prometheus_http_requests_total counter\n"
    "prometheus_http_requests_total{code=\"200\",handler=\"/-/ready\"} 1\n"
    "prometheus_http_requests_total{code=\"200\",handler=\"/api/v1/query\"} 1\n"_ba;

// The example of the exposition format documentation: escaping, timestamps (one before the
// epoch), a line without HELP/TYPE, a histogram and a summary.
const QByteArray documentationExample =
    "# HELP http_requests_total The total number of HTTP requests.\n"
    "# TYPE http_requests_total counter\n"
    "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
    "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000\n"
    "\n"
    "# Escaping in label values:\n"
    "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n"
    "\\\"FILE.TXT\\\"\"} 1.458255915e9\n"
    "\n"
    "# Minimalistic line:\n"
    "metric_without_timestamp_and_labels 12.47\n"
    "\n"
    "# A weird metric from before the epoch:\n"
    "something_weird{problem=\"division by zero\"} +Inf -3982045\n"
    "\n"
    "# A histogram, which has a pretty complex representation in the text format:\n"
    "# HELP http_request_duration_seconds A histogram of the request duration.\n"
    "# TYPE http_request_duration_seconds histogram\n"
    "http_request_duration_seconds_bucket{le=\"0.05\"} 24054\n"
    "http_request_duration_seconds_bucket{le=\"0.1\"} 33444\n"
    "http_request_duration_seconds_bucket{le=\"0.2\"} 100392\n"
    "http_request_duration_seconds_bucket{le=\"0.5\"} 129389\n"
    "http_request_duration_seconds_bucket{le=\"1\"} 133988\n"
    "http_request_duration_seconds_bucket{le=\"+Inf\"} 144320\n"
    "http_request_duration_seconds_sum 53423\n"
    "http_request_duration_seconds_count 144320\n"
    "\n"
    "# Finally a summary, which has a complex representation, too:\n"
    "# HELP rpc_duration_seconds A summary of the RPC duration in seconds.\n"
    "# TYPE rpc_duration_seconds summary\n"
    "rpc_duration_seconds{quantile=\"0.01\"} 3102\n"
    "rpc_duration_seconds{quantile=\"0.05\"} 3272\n"
    "rpc_duration_seconds{quantile=\"0.5\"} 4773\n"
    "rpc_duration_seconds{quantile=\"0.9\"} 9001\n"
    "rpc_duration_seconds{quantile=\"0.99\"} 76656\n"
    "rpc_duration_seconds_sum 1.7560473e+07\n"
    "rpc_duration_seconds_count 2693\n"_ba;

const MetricFamily *findFamily(const QList<MetricFamily> &families, const QString &name)
{
    for (const MetricFamily &family : families) {
        if (family.name == name) {
            return &family;
        }
    }
    return nullptr;
}

} // namespace

class tst_PrometheusParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void parses_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QList<MetricFamily>>("expected");

        QTest::newRow("empty input") << QByteArray() << QList<MetricFamily>{};
        QTest::newRow("counter with labels")
            << "# HELP a_total Things.\n# TYPE a_total counter\n"
               "a_total{x=\"1\",y=\"2\"} 5\na_total{x=\"3\",y=\"4\"} 6\n"_ba
            << QList<MetricFamily>{
                   family(u"a_total"_s,
                          u"Things."_s,
                          Type::Counter,
                          {sample(u"a_total"_s, 5, {{u"x"_s, u"1"_s}, {u"y"_s, u"2"_s}}),
                           sample(u"a_total"_s, 6, {{u"x"_s, u"3"_s}, {u"y"_s, u"4"_s}})})};
        QTest::newRow("gauge without labels, TYPE before HELP")
            << "# TYPE g gauge\n# HELP g A gauge.\ng -1.5\n"_ba
            << QList<MetricFamily>{
                   family(u"g"_s, u"A gauge."_s, Type::Gauge, {sample(u"g"_s, -1.5)})};
        QTest::newRow("histogram samples grouped under their family")
            << "# HELP h_seconds H.\n# TYPE h_seconds histogram\n"
               "h_seconds_bucket{le=\"0.1\"} 1\nh_seconds_bucket{le=\"+Inf\"} 2\n"
               "h_seconds_sum 0.3\nh_seconds_count 2\n"_ba
            << QList<MetricFamily>{family(u"h_seconds"_s,
                                          u"H."_s,
                                          Type::Histogram,
                                          {sample(u"h_seconds_bucket"_s, 1, {{u"le"_s, u"0.1"_s}}),
                                           sample(u"h_seconds_bucket"_s, 2, {{u"le"_s, u"+Inf"_s}}),
                                           sample(u"h_seconds_sum"_s, 0.3),
                                           sample(u"h_seconds_count"_s, 2)})};
        QTest::newRow("summary samples grouped under their family")
            << "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns{quantile=\"1\"} NaN\n"
               "s_sum 3\ns_count 2\n"_ba
            << QList<MetricFamily>{family(u"s"_s,
                                          QString(),
                                          Type::Summary,
                                          {sample(u"s"_s, 1, {{u"quantile"_s, u"0.5"_s}}),
                                           sample(u"s"_s, kNaN, {{u"quantile"_s, u"1"_s}}),
                                           sample(u"s_sum"_s, 3),
                                           sample(u"s_count"_s, 2)})};
        QTest::newRow("untyped samples without TYPE, each name its own family")
            << "plain 1\nplain_sum 2\nplain{k=\"v\"} 3\n"_ba
            << QList<MetricFamily>{
                   family(u"plain"_s,
                          QString(),
                          Type::Untyped,
                          {sample(u"plain"_s, 1), sample(u"plain"_s, 3, {{u"k"_s, u"v"_s}})}),
                   family(u"plain_sum"_s, QString(), Type::Untyped, {sample(u"plain_sum"_s, 2)})};
        QTest::newRow("suffixes do not join a counter")
            << "# TYPE c counter\nc 1\nc_count 2\n"_ba
            << QList<MetricFamily>{
                   family(u"c"_s, QString(), Type::Counter, {sample(u"c"_s, 1)}),
                   family(u"c_count"_s, QString(), Type::Untyped, {sample(u"c_count"_s, 2)})};
        QTest::newRow("escaped label values and HELP")
            << "# HELP e Back\\\\slash\\nnewline \"quoted\" \\t kept\n"
               "e{v=\"a\\\\b\\\"c\\nd\",w=\"\\t\"} 1\n"_ba
            << QList<MetricFamily>{
                   family(u"e"_s,
                          u"Back\\slash\nnewline \"quoted\" \\t kept"_s,
                          Type::Untyped,
                          {sample(u"e"_s, 1, {{u"v"_s, u"a\\b\"c\nd"_s}, {u"w"_s, u"\\t"_s}})})};
        QTest::newRow("label values with braces, commas and UTF-8")
            << "r{route=\"/a/{id},x\",who=\"J\xc3\xbcrgen\"} 1\n"_ba
            << QList<MetricFamily>{family(
                   u"r"_s,
                   QString(),
                   Type::Untyped,
                   {sample(u"r"_s, 1, {{u"route"_s, u"/a/{id},x"_s}, {u"who"_s, u"Jürgen"_s}})})};
        QTest::newRow("timestamps are ignored")
            << "t 1 1395066363000\nt{a=\"b\"} 2 -3982045\n"_ba
            << QList<MetricFamily>{
                   family(u"t"_s,
                          QString(),
                          Type::Untyped,
                          {sample(u"t"_s, 1), sample(u"t"_s, 2, {{u"a"_s, u"b"_s}})})};
        QTest::newRow("comments and blank lines are ignored")
            << "\n# just a comment\n#HELP not metadata\n#\n   \n# HELP\n# TYPE\n"
               "# HELPER x y\nc 1\n\t\n"_ba
            << QList<MetricFamily>{family(u"c"_s, QString(), Type::Untyped, {sample(u"c"_s, 1)})};
        QTest::newRow("special and Go-style values")
            << "v{k=\"a\"} +Inf\nv{k=\"b\"} -Inf\nv{k=\"c\"} Inf\nv{k=\"d\"} -infinity\n"
               "v{k=\"e\"} 1e3\nv{k=\"f\"} .5\nv{k=\"g\"} 5.\nv{k=\"h\"} -0.25E-2\n"
               "v{k=\"i\"} +7\n"_ba
            << QList<MetricFamily>{family(u"v"_s,
                                          QString(),
                                          Type::Untyped,
                                          {sample(u"v"_s, kInf, {{u"k"_s, u"a"_s}}),
                                           sample(u"v"_s, -kInf, {{u"k"_s, u"b"_s}}),
                                           sample(u"v"_s, kInf, {{u"k"_s, u"c"_s}}),
                                           sample(u"v"_s, -kInf, {{u"k"_s, u"d"_s}}),
                                           sample(u"v"_s, 1000, {{u"k"_s, u"e"_s}}),
                                           sample(u"v"_s, 0.5, {{u"k"_s, u"f"_s}}),
                                           sample(u"v"_s, 5, {{u"k"_s, u"g"_s}}),
                                           sample(u"v"_s, -0.0025, {{u"k"_s, u"h"_s}}),
                                           sample(u"v"_s, 7, {{u"k"_s, u"i"_s}})})};
        QTest::newRow("blanks around everything, trailing comma, no final newline")
            << "  # TYPE  w \t gauge  \n\t w { a = \"1\" , b=\"2\", } \t 3 \t 42 \t"_ba
            << QList<MetricFamily>{
                   family(u"w"_s,
                          QString(),
                          Type::Gauge,
                          {sample(u"w"_s, 3, {{u"a"_s, u"1"_s}, {u"b"_s, u"2"_s}})})};
        QTest::newRow("empty label set and empty label value")
            << "x{} 1\nx{k=\"\"} 2\n"_ba
            << QList<MetricFamily>{
                   family(u"x"_s,
                          QString(),
                          Type::Untyped,
                          {sample(u"x"_s, 1), sample(u"x"_s, 2, {{u"k"_s, QString()}})})};
        QTest::newRow("announced family without samples is kept")
            << "# HELP quiet_total Nothing yet.\n# TYPE quiet_total counter\n# HELP empty_help\n"_ba
            << QList<MetricFamily>{family(u"quiet_total"_s, u"Nothing yet."_s, Type::Counter),
                                   family(u"empty_help"_s, QString(), Type::Untyped)};
        QTest::newRow("interleaved families keep first-appearance order")
            << "b 1\na 2\nb 3\n"_ba
            << QList<MetricFamily>{
                   family(u"b"_s, QString(), Type::Untyped, {sample(u"b"_s, 1), sample(u"b"_s, 3)}),
                   family(u"a"_s, QString(), Type::Untyped, {sample(u"a"_s, 2)})};
        QTest::newRow("metric names with colons")
            << "job:request_rate:5m{job=\"x\"} 0.5\n"_ba
            << QList<MetricFamily>{
                   family(u"job:request_rate:5m"_s,
                          QString(),
                          Type::Untyped,
                          {sample(u"job:request_rate:5m"_s, 0.5, {{u"job"_s, u"x"_s}})})};
    }

    void parses()
    {
        QFETCH(QByteArray, text);
        QFETCH(QList<MetricFamily>, expected);

        const auto parsed = Gestalt::parsePrometheusText(text);
        QVERIFY2(parsed.hasValue(), errorOf(parsed).constData());
        // NaN never compares equal: compare those separately, then as 0.
        QList<MetricFamily> actual = *parsed;
        QCOMPARE(actual.size(), expected.size());
        for (qsizetype f = 0; f < actual.size(); ++f) {
            QCOMPARE(actual.at(f).samples.size(), expected.at(f).samples.size());
            for (qsizetype s = 0; s < actual.at(f).samples.size(); ++s) {
                double &got = actual[f].samples[s].value;
                double &want = expected[f].samples[s].value;
                QCOMPARE(std::isnan(got), std::isnan(want));
                if (std::isnan(got)) {
                    got = 0;
                    want = 0;
                }
            }
        }
        QCOMPARE(actual, expected);
    }

    void rejectsMalformedLines_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("line");

        QTest::newRow("missing value") << "ok 1\nnovalue\n"_ba << 2;
        QTest::newRow("missing value after labels") << "x{a=\"b\"}\n"_ba << 1;
        QTest::newRow("value is not a number") << "x 12abc\n"_ba << 1;
        QTest::newRow("hex value") << "x 0x1p3\n"_ba << 1;
        QTest::newRow("underscore in value") << "x 1_000\n"_ba << 1;
        QTest::newRow("signed NaN") << "x -NaN\n"_ba << 1;
        QTest::newRow("value out of range") << "x 1e400\n"_ba << 1;
        QTest::newRow("metric name starts with a digit") << "\n\n1x 1\n"_ba << 3;
        QTest::newRow("invalid character in metric name") << "x-y 1\n"_ba << 1;
        QTest::newRow("unterminated label value") << "# c\nx{a=\"b} 1\n"_ba << 2;
        QTest::newRow("unterminated label set") << "x{a=\"b\" 1\n"_ba << 1;
        QTest::newRow("label value without quotes") << "x{a=b} 1\n"_ba << 1;
        QTest::newRow("label without value") << "x{a} 1\n"_ba << 1;
        QTest::newRow("invalid label name") << "x{1a=\"b\"} 1\n"_ba << 1;
        QTest::newRow("missing comma between labels") << "x{a=\"b\" c=\"d\"} 1\n"_ba << 1;
        QTest::newRow("duplicate label name") << "x{a=\"b\",a=\"c\"} 1\n"_ba << 1;
        QTest::newRow("label value is not UTF-8") << "x{a=\"\xff\"} 1\n"_ba << 1;
        QTest::newRow("raw newline in label value") << "x{a=\"b\nc\"} 1\n"_ba << 1;
        QTest::newRow("timestamp is not an integer") << "x 1 1.5\n"_ba << 1;
        QTest::newRow("text after timestamp") << "x 1 2 3\n"_ba << 1;
        QTest::newRow("CRLF line ending") << "x 1\r\n"_ba << 1;
        QTest::newRow("HELP without metric name") << "# HELP \n"_ba << 1;
        QTest::newRow("invalid metric name in HELP") << "# HELP x-y text\n"_ba << 1;
        QTest::newRow("HELP is not UTF-8") << "# HELP x \xc3\x28\n"_ba << 1;
        QTest::newRow("TYPE without type") << "# TYPE x\t \n"_ba << 1;
        QTest::newRow("unknown type") << "# TYPE x timer\n"_ba << 1;
        QTest::newRow("type in capitals") << "# TYPE x COUNTER\n"_ba << 1;
        QTest::newRow("second TYPE") << "# TYPE x gauge\n# TYPE x gauge\n"_ba << 2;
        QTest::newRow("TYPE after samples") << "x 1\n# TYPE x gauge\n"_ba << 2;
        QTest::newRow("second HELP") << "# HELP x a\n\n# HELP x b\n"_ba << 3;
        QTest::newRow("le is not a float")
            << "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"big\"} 2\n"_ba << 3;
        QTest::newRow("quantile is not a float")
            << "# TYPE s summary\ns{quantile=\"median\"} 1\n"_ba << 2;
        QTest::newRow("error on the last line without newline") << "x 1\ny 2\nz"_ba << 3;
    }

    void rejectsMalformedLines()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, line);

        const auto parsed = Gestalt::parsePrometheusText(text);
        QVERIFY(!parsed.hasValue());
        QCOMPARE(parsed.error().code, Gestalt::ErrorCode::InvalidArgument);
        const QString prefix = u"line %1: "_s.arg(line);
        QVERIFY2(parsed.error().message.startsWith(prefix), errorOf(parsed).constData());
        QVERIFY(parsed.error().message.size() > prefix.size());
    }

    void parsesDocumentationExample()
    {
        const auto parsed = Gestalt::parsePrometheusText(documentationExample);
        QVERIFY2(parsed.hasValue(), errorOf(parsed).constData());
        const QList<MetricFamily> &families = *parsed;

        QStringList names;
        for (const MetricFamily &family : families) {
            names.append(family.name);
        }
        QCOMPARE(names,
                 QStringList({u"http_requests_total"_s,
                              u"msdos_file_access_time_seconds"_s,
                              u"metric_without_timestamp_and_labels"_s,
                              u"something_weird"_s,
                              u"http_request_duration_seconds"_s,
                              u"rpc_duration_seconds"_s}));
        QCOMPARE(families.at(0).type, Type::Counter);
        QCOMPARE(families.at(0).samples.at(1).value, 3.0);
        QCOMPARE(families.at(1).type, Type::Untyped);
        QCOMPARE(families.at(1).samples.constFirst().labels,
                 MetricLabels({{u"path"_s, u"C:\\DIR\\FILE.TXT"_s},
                               {u"error"_s, u"Cannot find file:\n\"FILE.TXT\""_s}}));
        QCOMPARE(families.at(1).samples.constFirst().value, 1458255915.0);
        QCOMPARE(families.at(3).samples.constFirst().value, kInf);
        QCOMPARE(families.at(4).type, Type::Histogram);
        QCOMPARE(families.at(4).samples.size(), 8);
        QCOMPARE(families.at(5).type, Type::Summary);
        QCOMPARE(families.at(5).samples.size(), 7);
        QCOMPARE(families.at(5).samples.at(5).value, 17560473.0);

        // PromQL gives 0.5 + (1 - 0.5) * (0.9 * 144320 - 129389) / (133988 - 129389) for this.
        const auto buckets = Gestalt::histogramBuckets(families.at(4), {});
        QCOMPARE(buckets.size(), 6);
        QCOMPARE(Gestalt::histogramQuantile(0.9, buckets), 0.5542509241139378);
    }

    void parsesCapturedScrape()
    {
        const auto parsed = Gestalt::parsePrometheusText(capturedPrometheusScrape);
        QVERIFY2(parsed.hasValue(), errorOf(parsed).constData());
        const QList<MetricFamily> &families = *parsed;
        QCOMPARE(families.size(), 13);

        const MetricFamily *gc = findFamily(families, u"go_gc_duration_seconds"_s);
        QVERIFY(gc);
        QCOMPARE(gc->type, Type::Summary);
        QCOMPARE(gc->help, u"A summary of the pause duration of garbage collection cycles."_s);
        QCOMPARE(gc->samples.size(), 7);
        QCOMPARE(gc->samples.constFirst().value, 2.6651e-05);
        QCOMPARE(gc->samples.constLast().name, u"go_gc_duration_seconds_count"_s);

        const MetricFamily *rss = findFamily(families, u"process_resident_memory_bytes"_s);
        QVERIFY(rss);
        QCOMPARE(rss->type, Type::Gauge);
        QCOMPARE(rss->samples.constFirst().value, 44482560.0);
        const MetricFamily *vmax = findFamily(families, u"process_virtual_memory_max_bytes"_s);
        QVERIFY(vmax);
        QCOMPARE(vmax->samples.constFirst().value, 18446744073709551615.0);

        const MetricFamily *build = findFamily(families, u"prometheus_build_info"_s);
        QVERIFY(build);
        QCOMPARE(build->samples.constFirst().labels.size(), 6);
        QCOMPARE(build->samples.constFirst().labels.at(4),
                 std::make_pair(u"revision"_s, u"2.42.0+ds-5+deb12u1"_s));

        const MetricFamily *http =
            findFamily(families, u"prometheus_http_request_duration_seconds"_s);
        QVERIFY(http);
        QCOMPARE(http->type, Type::Histogram);
        QCOMPARE(http->samples.size(), 24);
        const QList<Gestalt::HistogramSeries> series = Gestalt::histogramSeries(*http);
        QCOMPARE(series.size(), 2);
        QCOMPARE(series.at(0).labels, MetricLabels({{u"handler"_s, u"/-/ready"_s}}));
        QCOMPARE(series.at(1).labels, MetricLabels({{u"handler"_s, u"/api/v1/query"_s}}));
        QCOMPARE(series.at(1).sum, 0.000873354);
        QCOMPARE(series.at(1).count, 1.0);
        QCOMPARE(series.at(1).buckets.size(), 10);
        QCOMPARE(series.at(1).buckets.constFirst(), std::make_pair(0.1, 1.0));
        QCOMPARE(series.at(1).buckets.constLast(), std::make_pair(kInf, 1.0));

        const Buckets query =
            Gestalt::histogramBuckets(*http, {{u"handler"_s, u"/api/v1/query"_s}});
        QCOMPARE(query, series.at(1).buckets);
        // One observation below 0.1 s: the median interpolates to the middle of [0, 0.1].
        QCOMPARE(Gestalt::histogramQuantile(0.5, query), 0.05);
        QVERIFY(Gestalt::histogramBuckets(*http, {{u"handler"_s, u"/nope"_s}}).isEmpty());
        QVERIFY(Gestalt::histogramBuckets(*http, {}).isEmpty());

        // What we write back parses to the same families.
        const auto again = Gestalt::parsePrometheusText(Gestalt::writePrometheusText(families));
        QVERIFY2(again.hasValue(), errorOf(again).constData());
        QCOMPARE(*again, families);
    }
};

QTEST_GUILESS_MAIN(tst_PrometheusParser)
#include "tst_prometheusparser.moc"
