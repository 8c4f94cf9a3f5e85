// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "metrics/MetricsRegistry.h"
#include "metrics/ProcessMetrics.h"
#include "metrics/ServerMetrics.h"
#include "shared/PrometheusText.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;
using Gestalt::MetricFamily;
using Gestalt::MetricLabels;
using Gestalt::MetricSample;
using Gestalt::MetricsRegistry;
using Type = MetricFamily::Type;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const QString promtool = u"/usr/bin/promtool"_s;

// The error message of a failed result, for QVERIFY2 (which evaluates its message eagerly).
template<typename T>
QByteArray errorOf(const Gestalt::Result<T> &result)
{
    return result.hasValue() ? QByteArray() : result.error().message.toUtf8();
}

const MetricFamily *findFamily(const QList<MetricFamily> &families, const QString &name)
{
    for (const MetricFamily &family : families) {
        if (family.name == name) {
            return &family;
        }
    }
    return nullptr;
}

QList<double> sampleValues(const MetricFamily &family)
{
    QList<double> values;
    for (const MetricSample &sample : family.samples) {
        values.append(sample.value);
    }
    return values;
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

// Runs `promtool check metrics` on text; returns its complaints (empty if it is happy).
QString promtoolComplaints(const QByteArray &text)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"metrics.prom"_s);
    if (!dir.isValid() || !writeFile(path, text)) {
        return u"cannot write the exposition to a temporary file"_s;
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setStandardInputFile(path);
    process.start(promtool, {u"check"_s, u"metrics"_s});
    if (!process.waitForFinished(120'000)) {
        return u"promtool did not finish: "_s + process.errorString();
    }
    QString output = QString::fromUtf8(process.readAll()).trimmed();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        return u"promtool exited with %1: %2"_s.arg(QString::number(process.exitCode()), output);
    }
    return output;
}

// A registry with every family gestaltd exposes, with samples in all of them.
void populate(MetricsRegistry &registry, Gestalt::ServerMetrics &metrics)
{
    metrics.recordHttpRequest(u"GET"_s, u"/health"_s, 200, 0.003, 0, 15);
    metrics.recordHttpRequest(u"POST"_s, u"/api/v1/tokens"_s, 201, 0.2, 512, 2048);
    metrics.recordHttpRequest(u"DELETE"_s, u"/api/v1/tokens/{id}"_s, 404, 12.0, 0, 90);
    metrics.recordHttpRequest(u"BREW"_s, u"/"_s, 405, 0.0001, -1, -1);
    metrics.recordOperation(
        {u"github"_s, u"issues.list"_s, u"http"_s, u"oauth"_s, u"api"_s, {}, u"200"_s, u"2xx"_s},
        0.42,
        false);
    metrics.recordOperation({u"slack"_s,
                             u"chat.post \"quoted\""_s,
                             u"http"_s,
                             u"token"_s,
                             u"mcp"_s,
                             u"inbound"_s,
                             u"timeout"_s,
                             u"error"_s},
                            30,
                            true);
    registry.gauge(u"gestaltd_weird_label_values"_s, u"Escaping: \\ and\nnewline."_s, {u"v"_s})
        .labels({u"back\\slash \"quote\"\nnewline ☃"_s})
        .set(-kInf);
    Gestalt::ProcessMetrics().install(registry);
}

} // namespace

class tst_MetricsRegistry final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void countersWithLabels()
    {
        MetricsRegistry registry;
        Gestalt::Counter &requests =
            registry.counter(u"requests_total"_s, u"Requests."_s, {u"method"_s, u"code"_s});
        requests.labels({u"GET"_s, u"200"_s}).inc();
        requests.labels({u"GET"_s, u"200"_s}).inc(2.5);
        requests.labels({u"POST"_s, u"500"_s}).inc();

        QCOMPARE(requests.labels({u"GET"_s, u"200"_s}).value(), 3.5);
        QCOMPARE(requests.labels({u"POST"_s, u"500"_s}).value(), 1.0);
        QCOMPARE(requests.labels({u"PUT"_s, u"200"_s}).value(), 0.0);
        QCOMPARE(registry.exposition(),
                 "# HELP requests_total Requests.\n"
                 "# TYPE requests_total counter\n"
                 "requests_total{method=\"GET\",code=\"200\"} 3.5\n"
                 "requests_total{method=\"POST\",code=\"500\"} 1\n"
                 "requests_total{method=\"PUT\",code=\"200\"} 0\n"_ba);
    }

    void counterIgnoresInvalidIncrements_data()
    {
        QTest::addColumn<double>("amount");
        QTest::newRow("negative") << -1.0;
        QTest::newRow("NaN") << kNaN;
    }

    void counterIgnoresInvalidIncrements()
    {
        QFETCH(double, amount);
        MetricsRegistry registry;
        Gestalt::CounterChild &child = registry.counter(u"c_total"_s, u"C."_s).labels();
        child.inc(4);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"ignoring counter increment"_s));
        child.inc(amount);
        QCOMPARE(child.value(), 4.0);
    }

    void gauges()
    {
        MetricsRegistry registry;
        Gestalt::Gauge &gauge = registry.gauge(u"queue_length"_s, u"Queue."_s, {u"queue"_s});
        Gestalt::GaugeChild &a = gauge.labels({u"a"_s});
        a.set(10);
        a.inc();
        a.dec(3.5);
        QCOMPARE(a.value(), 7.5);
        gauge.labels({u"b"_s}).dec();
        QCOMPARE(gauge.labels({u"b"_s}).value(), -1.0);

        Gestalt::GaugeChild &plain = registry.gauge(u"temperature_celsius"_s, u"T."_s).labels();
        plain.set(-273.15);
        QCOMPARE(registry.exposition(),
                 "# HELP queue_length Queue.\n"
                 "# TYPE queue_length gauge\n"
                 "queue_length{queue=\"a\"} 7.5\n"
                 "queue_length{queue=\"b\"} -1\n"
                 "# HELP temperature_celsius T.\n"
                 "# TYPE temperature_celsius gauge\n"
                 "temperature_celsius -273.15\n"_ba);
    }

    void histogramBuckets_data()
    {
        QTest::addColumn<QList<double>>("observations");
        QTest::addColumn<QList<double>>("expectedCumulative"); // le 1, 2, 5, +Inf
        QTest::addColumn<double>("expectedSum");

        QTest::newRow("nothing observed") << QList<double>{} << QList<double>{0, 0, 0, 0} << 0.0;
        QTest::newRow("a value on a bound counts in that bucket (le is inclusive)")
            << QList<double>{2} << QList<double>{0, 1, 1, 1} << 2.0;
        QTest::newRow("between bounds")
            << QList<double>{1.5, 4.9} << QList<double>{0, 1, 2, 2} << 6.4;
        QTest::newRow("below the first bound, negative too")
            << QList<double>{0.5, -3} << QList<double>{2, 2, 2, 2} << -2.5;
        QTest::newRow("above the last bound goes to +Inf only")
            << QList<double>{5.0001, 1000} << QList<double>{0, 0, 0, 2} << 1005.0001;
        QTest::newRow("+Inf observation")
            << QList<double>{kInf} << QList<double>{0, 0, 0, 1} << kInf;
    }

    void histogramBuckets()
    {
        QFETCH(QList<double>, observations);
        QFETCH(QList<double>, expectedCumulative);
        QFETCH(double, expectedSum);

        MetricsRegistry registry;
        // Unsorted, duplicated and infinite bounds are normalized.
        Gestalt::Histogram &histogram =
            registry.histogram(u"job_seconds"_s, u"Jobs."_s, {u"kind"_s}, {5, 1, 2, 2, kInf});
        QCOMPARE(histogram.buckets(), QList<double>({1, 2, 5}));
        Gestalt::HistogramChild &child = histogram.labels({u"batch"_s});
        for (const double value : std::as_const(observations)) {
            child.observe(value);
        }

        const Gestalt::HistogramChild::Snapshot snapshot = child.snapshot();
        QCOMPARE(snapshot.count, static_cast<quint64>(observations.size()));
        QCOMPARE(child.count(), static_cast<quint64>(observations.size()));
        QCOMPARE(snapshot.sum, expectedSum);
        QCOMPARE(child.sum(), expectedSum);

        const MetricFamily family = histogram.collect();
        QCOMPARE(family.type, Type::Histogram);
        QCOMPARE(family.samples.size(), 6);
        const QStringList les = {u"1"_s, u"2"_s, u"5"_s, u"+Inf"_s};
        for (qsizetype i = 0; i < les.size(); ++i) {
            const MetricSample &bucket = family.samples.at(i);
            QCOMPARE(bucket.name, u"job_seconds_bucket"_s);
            QCOMPARE(bucket.labels, MetricLabels({{u"kind"_s, u"batch"_s}, {u"le"_s, les.at(i)}}));
            QCOMPARE(bucket.value, expectedCumulative.at(i));
        }
        QCOMPARE(family.samples.at(4).name, u"job_seconds_sum"_s);
        QCOMPARE(family.samples.at(4).labels, MetricLabels({{u"kind"_s, u"batch"_s}}));
        QCOMPARE(family.samples.at(4).value, expectedSum);
        QCOMPARE(family.samples.at(5).name, u"job_seconds_count"_s);
        QCOMPARE(family.samples.at(5).value, static_cast<double>(observations.size()));
    }

    void histogramNaNObservation()
    {
        MetricsRegistry registry;
        Gestalt::HistogramChild &child =
            registry.histogram(u"h_seconds"_s, u"H."_s, {}, {1}).labels();
        child.observe(kNaN);
        const Gestalt::HistogramChild::Snapshot snapshot = child.snapshot();
        QCOMPARE(snapshot.cumulativeCounts, QList<quint64>({0, 1}));
        QVERIFY(std::isnan(snapshot.sum));
        QCOMPARE(snapshot.count, quint64{1});
    }

    void histogramExposition()
    {
        MetricsRegistry registry;
        Gestalt::Histogram &sizes = registry.histogram(
            u"payload_bytes"_s, u"Payloads."_s, {u"route"_s}, MetricsRegistry::byteSizeBuckets());
        sizes.labels({u"/b"_s}).observe(100);
        sizes.labels({u"/a"_s}).observe(2'000'000);
        QCOMPARE(registry.exposition(),
                 "# HELP payload_bytes Payloads.\n"
                 "# TYPE payload_bytes histogram\n"
                 "payload_bytes_bucket{route=\"/a\",le=\"100\"} 0\n"
                 "payload_bytes_bucket{route=\"/a\",le=\"1000\"} 0\n"
                 "payload_bytes_bucket{route=\"/a\",le=\"10000\"} 0\n"
                 "payload_bytes_bucket{route=\"/a\",le=\"100000\"} 0\n"
                 "payload_bytes_bucket{route=\"/a\",le=\"1000000\"} 0\n"
                 "payload_bytes_bucket{route=\"/a\",le=\"10000000\"} 1\n"
                 "payload_bytes_bucket{route=\"/a\",le=\"+Inf\"} 1\n"
                 "payload_bytes_sum{route=\"/a\"} 2000000\n"
                 "payload_bytes_count{route=\"/a\"} 1\n"
                 "payload_bytes_bucket{route=\"/b\",le=\"100\"} 1\n"
                 "payload_bytes_bucket{route=\"/b\",le=\"1000\"} 1\n"
                 "payload_bytes_bucket{route=\"/b\",le=\"10000\"} 1\n"
                 "payload_bytes_bucket{route=\"/b\",le=\"100000\"} 1\n"
                 "payload_bytes_bucket{route=\"/b\",le=\"1000000\"} 1\n"
                 "payload_bytes_bucket{route=\"/b\",le=\"10000000\"} 1\n"
                 "payload_bytes_bucket{route=\"/b\",le=\"+Inf\"} 1\n"
                 "payload_bytes_sum{route=\"/b\"} 100\n"
                 "payload_bytes_count{route=\"/b\"} 1\n"_ba);
    }

    void defaultBuckets()
    {
        QCOMPARE(MetricsRegistry::secondsBuckets(),
                 QList<double>(
                     {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}));
        QCOMPARE(MetricsRegistry::byteSizeBuckets(), QList<double>({100, 1e3, 1e4, 1e5, 1e6, 1e7}));
        MetricsRegistry registry;
        QCOMPARE(registry.histogram(u"d_seconds"_s, u"D."_s).buckets(),
                 MetricsRegistry::secondsBuckets());
    }

    void childrenStayValid()
    {
        MetricsRegistry registry;
        Gestalt::Counter &family = registry.counter(u"hits_total"_s, u"Hits."_s, {u"key"_s});
        Gestalt::CounterChild &cached = family.labels({u"m"_s});
        Gestalt::HistogramChild &cachedHistogram =
            registry.histogram(u"lat_seconds"_s, u"L."_s, {u"key"_s}).labels({u"m"_s});
        cached.inc();
        // Many more children (and families) must not move the ones handed out before.
        for (int i = 0; i < 2000; ++i) {
            family.labels({QString::number(i)}).inc();
            registry.histogram(u"lat_seconds"_s, u"L."_s, {u"key"_s})
                .labels({QString::number(i)})
                .observe(i);
            registry.gauge(u"g%1"_s.arg(i), u"G."_s).labels().set(i);
        }
        cached.inc();
        cachedHistogram.observe(1);
        QCOMPARE(&family.labels({u"m"_s}), &cached);
        QCOMPARE(&registry.counter(u"hits_total"_s, u"Hits."_s, {u"key"_s}), &family);
        QCOMPARE(&registry.histogram(u"lat_seconds"_s, u"L."_s, {u"key"_s}).labels({u"m"_s}),
                 &cachedHistogram);
        QCOMPARE(cached.value(), 2.0);
        QCOMPARE(cachedHistogram.count(), quint64{1});
    }

    void concurrentUpdatesAreNotLost()
    {
        MetricsRegistry registry;
        constexpr int threadCount = 4;
        constexpr int iterations = 5000;
        std::vector<std::unique_ptr<QThread>> threads;
        for (int t = 0; t < threadCount; ++t) {
            threads.emplace_back(QThread::create([&registry, t] {
                for (int i = 0; i < iterations; ++i) {
                    // Registration and labels() race with each other on purpose.
                    registry.counter(u"c_total"_s, u"C."_s, {u"k"_s}).labels({u"shared"_s}).inc();
                    registry.gauge(u"g"_s, u"G."_s).labels().inc(0.5);
                    registry.histogram(u"h_seconds"_s, u"H."_s, {u"k"_s})
                        .labels({QString::number(i % 3)})
                        .observe(t);
                }
            }));
            threads.back()->start();
        }
        for (const auto &thread : threads) {
            QVERIFY(thread->wait());
        }
        constexpr auto total = static_cast<double>(threadCount * iterations);
        QCOMPARE(registry.counter(u"c_total"_s, u"C."_s, {u"k"_s}).labels({u"shared"_s}).value(),
                 total);
        QCOMPARE(registry.gauge(u"g"_s, u"G."_s).labels().value(), total / 2);
        quint64 observed = 0;
        for (const QString &k : {u"0"_s, u"1"_s, u"2"_s}) {
            observed +=
                registry.histogram(u"h_seconds"_s, u"H."_s, {u"k"_s}).labels({k}).snapshot().count;
        }
        QCOMPARE(observed, static_cast<quint64>(total));
    }

    void duplicateRegistrationReturnsTheExistingFamily()
    {
        MetricsRegistry registry;
        Gestalt::Counter &counter = registry.counter(u"x_total"_s, u"First help."_s, {u"a"_s});
        counter.labels({u"1"_s}).inc();
        Gestalt::Counter &again = registry.counter(u"x_total"_s, u"Other help."_s, {u"a"_s});
        QCOMPARE(&again, &counter);
        QCOMPARE(again.help(), u"First help."_s);
        QCOMPARE(again.labels({u"1"_s}).value(), 1.0);

        Gestalt::Gauge &gauge = registry.gauge(u"y"_s, u"Y."_s);
        QCOMPARE(&registry.gauge(u"y"_s, u"Y."_s), &gauge);

        Gestalt::Histogram &histogram = registry.histogram(u"z_seconds"_s, u"Z."_s, {}, {1, 2});
        // The same buckets in another order are the same buckets.
        QCOMPARE(&registry.histogram(u"z_seconds"_s, u"Z."_s, {}, {2, 1, 2}), &histogram);

        const auto families = Gestalt::parsePrometheusText(registry.exposition());
        QVERIFY2(families.hasValue(), errorOf(families).constData());
        QCOMPARE(families->size(), 3);
    }

    void collectorsRunAtScrapeTime()
    {
        MetricsRegistry registry;
        registry.counter(u"m_total"_s, u"Registered."_s).labels().inc();
        int scrapes = 0;
        registry.addCollector([&scrapes] {
            ++scrapes;
            return QList<MetricFamily>{
                MetricFamily{u"z_scrapes"_s,
                             u"Computed at scrape time."_s,
                             Type::Gauge,
                             {MetricSample{u"z_scrapes"_s, {}, static_cast<double>(scrapes)}}},
                MetricFamily{u"a_pool_connections"_s,
                             u"Pool size."_s,
                             Type::Gauge,
                             {MetricSample{u"a_pool_connections"_s, {{u"pool"_s, u"db"_s}}, 4}}},
            };
        });
        QCOMPARE(scrapes, 0);

        const QList<MetricFamily> first = registry.collect();
        QCOMPARE(scrapes, 1);
        QStringList names;
        for (const MetricFamily &family : first) {
            names.append(family.name);
        }
        QCOMPARE(names, QStringList({u"a_pool_connections"_s, u"m_total"_s, u"z_scrapes"_s}));
        QCOMPARE(first.at(2).samples.constFirst().value, 1.0);

        const auto second = Gestalt::parsePrometheusText(registry.exposition());
        QVERIFY2(second.hasValue(), errorOf(second).constData());
        QCOMPARE(scrapes, 2);
        QCOMPARE(second->at(2).samples.constFirst().value, 2.0);
    }

    void collectorFamiliesWithTakenNamesAreDropped()
    {
        MetricsRegistry registry;
        registry.gauge(u"taken"_s, u"Registered."_s).labels().set(1);
        registry.addCollector([] {
            return QList<MetricFamily>{MetricFamily{u"taken"_s, u"Duplicate."_s, Type::Gauge, {}},
                                       MetricFamily{u"fresh"_s, u"New."_s, Type::Gauge, {}},
                                       MetricFamily{u"fresh"_s, u"Again."_s, Type::Gauge, {}},
                                       MetricFamily{u"bad name"_s, u"Invalid."_s, Type::Gauge, {}}};
        });
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"dropping.*\"taken\""_s));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"dropping.*\"fresh\""_s));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"dropping.*\"bad name\""_s));
        const QList<MetricFamily> families = registry.collect();
        QCOMPARE(families.size(), 2);
        QCOMPARE(families.at(0).name, u"fresh"_s);
        QCOMPARE(families.at(0).help, u"New."_s);
        QCOMPARE(families.at(1).help, u"Registered."_s);
    }

    void expositionIsSortedAndStable()
    {
        MetricsRegistry registry;
        registry.gauge(u"b"_s, u"B."_s, {u"k"_s}).labels({u"z"_s}).set(1);
        registry.gauge(u"b"_s, u"B."_s, {u"k"_s}).labels({u"a"_s}).set(2);
        registry.counter(u"a_total"_s, u"A."_s).labels().inc();
        const QByteArray first = registry.exposition();
        QCOMPARE(first,
                 "# HELP a_total A.\n"
                 "# TYPE a_total counter\n"
                 "a_total 1\n"
                 "# HELP b B.\n"
                 "# TYPE b gauge\n"
                 "b{k=\"a\"} 2\n"
                 "b{k=\"z\"} 1\n"_ba);
        QCOMPARE(registry.exposition(), first);
    }

    void processMetricsArePlausible()
    {
        const QList<MetricFamily> families = Gestalt::ProcessMetrics().collect();
        QStringList names;
        for (const MetricFamily &family : families) {
            names.append(family.name);
            QVERIFY(!family.help.isEmpty());
            QCOMPARE(family.samples.size(), 1);
        }
        QCOMPARE(names,
                 QStringList({u"process_cpu_seconds_total"_s,
                              u"process_max_fds"_s,
                              u"process_open_fds"_s,
                              u"process_resident_memory_bytes"_s,
                              u"process_start_time_seconds"_s,
                              u"process_virtual_memory_bytes"_s}));
        const auto value = [&families](const QString &name) {
            return findFamily(families, name)->samples.constFirst().value;
        };
        QCOMPARE(findFamily(families, u"process_cpu_seconds_total"_s)->type, Type::Counter);
        QVERIFY(value(u"process_cpu_seconds_total"_s) >= 0);
        QVERIFY(value(u"process_resident_memory_bytes"_s) > 0);
        QVERIFY(value(u"process_virtual_memory_bytes"_s)
                >= value(u"process_resident_memory_bytes"_s));
        QVERIFY(value(u"process_open_fds"_s) >= 3); // stdin, stdout, stderr at least
        QVERIFY(value(u"process_max_fds"_s) >= value(u"process_open_fds"_s));
        const auto now = static_cast<double>(QDateTime::currentSecsSinceEpoch());
        const double started = value(u"process_start_time_seconds"_s);
        QVERIFY2(started <= now + 1 && started > now - 3600,
                 qPrintable(u"start %1, now %2"_s.arg(started, 0, 'f').arg(now, 0, 'f')));
    }

    void processMetricsFromProcFiles()
    {
        QTemporaryDir proc;
        QVERIFY(proc.isValid());
        QVERIFY(QDir(proc.path()).mkpath(u"self/fd"_s));
        // comm may contain blanks and parentheses: fields count from the last ')'.
        QVERIFY(writeFile(proc.filePath(u"self/stat"_s),
                          "4242 (gestalt (d) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 "
                          "20 0 4 0 12345 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 "
                          "0 0 17 3 0 0 0 0 0\n"_ba));
        QVERIFY(writeFile(proc.filePath(u"stat"_s),
                          "cpu  1 2 3 4\nintr 5\nctxt 6\nbtime 1700000000\nprocesses 7\n"_ba));
        QVERIFY(writeFile(
            proc.filePath(u"self/limits"_s),
            "Limit                     Soft Limit           Hard Limit           Units     \n"
            "Max cpu time              unlimited            unlimited            seconds   \n"
            "Max open files            1024                 524288               files     \n"_ba));
        for (const QString &fd : {u"0"_s, u"1"_s, u"2"_s, u"7"_s}) {
            QVERIFY(writeFile(proc.filePath(u"self/fd/"_s + fd), {}));
        }

        const QList<MetricFamily> families =
            Gestalt::ProcessMetrics(proc.path(), 100, 4096).collect();
        QCOMPARE(families.size(), 6);
        QList<double> values;
        for (const MetricFamily &family : families) {
            QCOMPARE(family.samples.size(), 1);
            values.append(family.samples.constFirst().value);
        }
        // cpu, max fds, open fds, resident, start time, virtual
        QCOMPARE(values, QList<double>({3.0, 1024, 4, 2560.0 * 4096, 1700000123.45, 104857600}));
    }

    void processMetricsWithoutProc()
    {
        const QList<MetricFamily> families =
            Gestalt::ProcessMetrics(u"/nonexistent/gestalt-proc"_s, 100, 4096).collect();
        QCOMPARE(families.size(), 6);
        for (const MetricFamily &family : families) {
            QVERIFY(!family.help.isEmpty());
            QVERIFY(family.samples.isEmpty());
        }
    }

    void processMetricsInstallAsCollector()
    {
        MetricsRegistry registry;
        Gestalt::ProcessMetrics().install(registry);
        const QList<MetricFamily> families = registry.collect();
        QCOMPARE(families.size(), 6);
        QVERIFY(findFamily(families, u"process_open_fds"_s));
    }

    void serverMetricsFamiliesExistBeforeAnySample_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<Type>("type");

        QTest::newRow("request duration")
            << u"http_server_request_duration_seconds"_s << Type::Histogram;
        QTest::newRow("request body size")
            << u"http_server_request_body_size_bytes"_s << Type::Histogram;
        QTest::newRow("response body size")
            << u"http_server_response_body_size_bytes"_s << Type::Histogram;
        QTest::newRow("operation count") << u"gestaltd_operation_count_total"_s << Type::Counter;
        QTest::newRow("operation errors")
            << u"gestaltd_operation_error_count_total"_s << Type::Counter;
        QTest::newRow("operation duration")
            << u"gestaltd_operation_duration_seconds"_s << Type::Histogram;
    }

    void serverMetricsFamiliesExistBeforeAnySample()
    {
        QFETCH(QString, name);
        QFETCH(Type, type);

        MetricsRegistry registry;
        const Gestalt::ServerMetrics metrics(registry, u"1.2.3"_s);
        const QByteArray text = registry.exposition();
        QVERIFY(text.contains(QByteArray("# HELP " + name.toUtf8() + ' ')));
        QVERIFY(text.contains(QByteArray("# TYPE " + name.toUtf8() + ' ')));

        const auto families = Gestalt::parsePrometheusText(text);
        QVERIFY2(families.hasValue(), errorOf(families).constData());
        QCOMPARE(families->size(), 7);
        const MetricFamily *family = findFamily(*families, name);
        QVERIFY(family);
        QCOMPARE(family->type, type);
        QVERIFY(!family->help.isEmpty());
        QVERIFY(family->samples.isEmpty());
    }

    void serverMetricsTargetInfo()
    {
        MetricsRegistry registry;
        const Gestalt::ServerMetrics metrics(registry, u"1.2.3"_s);
        const auto families = Gestalt::parsePrometheusText(registry.exposition());
        QVERIFY2(families.hasValue(), errorOf(families).constData());
        const MetricFamily *info = findFamily(*families, u"target_info"_s);
        QVERIFY(info);
        QCOMPARE(info->type, Type::Gauge);
        QCOMPARE(info->samples,
                 QList<MetricSample>({MetricSample{
                     u"target_info"_s,
                     {{u"service_name"_s, u"gestaltd"_s}, {u"service_version"_s, u"1.2.3"_s}},
                     1}}));

        MetricsRegistry defaultRegistry;
        Gestalt::ServerMetrics defaults(defaultRegistry);
        QCOMPARE(defaults.targetInfo().labels({u"gestaltd"_s, u"0.1.0"_s}).value(), 1.0);
    }

    void serverMetricsRecordHttpRequest()
    {
        MetricsRegistry registry;
        Gestalt::ServerMetrics metrics(registry);
        metrics.recordHttpRequest(u"GET"_s, u"/api/v1/tokens/{id}"_s, 200, 0.02, 0, 1500);
        metrics.recordHttpRequest(u"GET"_s, u"/api/v1/tokens/{id}"_s, 200, 0.3, 0, 20);
        metrics.recordHttpRequest(u"FROB"_s, u"/"_s, 405, 0.001, -1, -1);

        const QStringList tokens = {u"GET"_s, u"/api/v1/tokens/{id}"_s, u"200"_s};
        QCOMPARE(metrics.httpRequestDuration().labels(tokens).count(), quint64{2});
        QCOMPARE(metrics.httpRequestDuration().labels(tokens).sum(), 0.32);
        QCOMPARE(metrics.httpRequestBodySize().labels(tokens).count(), quint64{2});
        QCOMPARE(metrics.httpResponseBodySize().labels(tokens).sum(), 1520.0);

        // Unknown methods collapse into "_OTHER"; unknown sizes are not observed.
        const QStringList other = {u"_OTHER"_s, u"/"_s, u"405"_s};
        QCOMPARE(metrics.httpRequestDuration().labels(other).count(), quint64{1});
        const auto families = Gestalt::parsePrometheusText(registry.exposition());
        QVERIFY2(families.hasValue(), errorOf(families).constData());
        const MetricFamily *requestSizes =
            findFamily(*families, u"http_server_request_body_size_bytes"_s);
        QVERIFY(requestSizes);
        const QList<Gestalt::HistogramSeries> series = Gestalt::histogramSeries(*requestSizes);
        QCOMPARE(series.size(), 1);
        QCOMPARE(series.constFirst().labels,
                 MetricLabels({{u"http_request_method"_s, u"GET"_s},
                               {u"http_route"_s, u"/api/v1/tokens/{id}"_s},
                               {u"http_response_status_code"_s, u"200"_s}}));
        QVERIFY(
            !findFamily(*families, u"http_server_request_duration_seconds"_s)->samples.isEmpty());
    }

    void serverMetricsRecordOperation_data()
    {
        QTest::addColumn<bool>("failed");
        QTest::addColumn<double>("expectedErrors");
        QTest::newRow("success") << false << 0.0;
        QTest::newRow("failure") << true << 1.0;
    }

    void serverMetricsRecordOperation()
    {
        QFETCH(bool, failed);
        QFETCH(double, expectedErrors);

        MetricsRegistry registry;
        Gestalt::ServerMetrics metrics(registry);
        const Gestalt::OperationLabels labels{.provider = u"github"_s,
                                              .operation = u"issues.list"_s,
                                              .transport = u"http"_s,
                                              .connectionMode = u"oauth"_s,
                                              .invocationSurface = u"api"_s,
                                              .resultStatus = u"200"_s,
                                              .resultStatusClass = u"2xx"_s};
        metrics.recordOperation(labels, 0.25, failed);

        const QStringList values = {
            u"github"_s, u"issues.list"_s, u"http"_s, u"oauth"_s, u"api"_s, {}, u"200"_s, u"2xx"_s};
        QCOMPARE(metrics.operationCount().labels(values).value(), 1.0);
        QCOMPARE(metrics.operationDuration().labels(values).sum(), 0.25);

        const auto families = Gestalt::parsePrometheusText(registry.exposition());
        QVERIFY2(families.hasValue(), errorOf(families).constData());
        const MetricFamily *errors =
            findFamily(*families, u"gestaltd_operation_error_count_total"_s);
        QVERIFY(errors);
        QCOMPARE(sampleValues(*errors).value(0, 0.0), expectedErrors);
        QCOMPARE(errors->samples.size(), failed ? 1 : 0);
        const MetricFamily *count = findFamily(*families, u"gestaltd_operation_count_total"_s);
        QVERIFY(count);
        QCOMPARE(count->samples.constFirst().labels.size(), 8);
        QCOMPARE(count->samples.constFirst().labels.constLast(),
                 std::make_pair(u"gestalt_result_status_class"_s, u"2xx"_s));
    }

    void expositionParsesBack()
    {
        MetricsRegistry registry;
        Gestalt::ServerMetrics metrics(registry);
        populate(registry, metrics);
        const QList<MetricFamily> collected = registry.collect();
        const auto parsed = Gestalt::parsePrometheusText(Gestalt::writePrometheusText(collected));
        QVERIFY2(parsed.hasValue(), errorOf(parsed).constData());
        // -Inf compares equal; there is no NaN in there.
        QCOMPARE(*parsed, collected);
    }

    void promtoolAcceptsExposition_data()
    {
        QTest::addColumn<bool>("withSamples");
        QTest::newRow("fresh registry, families without samples") << false;
        QTest::newRow("every family with samples") << true;
    }

    void promtoolAcceptsExposition()
    {
        QFETCH(bool, withSamples);
        if (!QFile::exists(promtool)) {
            QSKIP("promtool is not installed (it is in CI)");
        }
        MetricsRegistry registry;
        Gestalt::ServerMetrics metrics(registry);
        if (withSamples) {
            populate(registry, metrics);
        }
        const QByteArray text = registry.exposition();
        const QString complaints = promtoolComplaints(text);
        if (!complaints.isEmpty()) {
            QFAIL(qPrintable(u"promtool check metrics: "_s + complaints + u"\n\n"_s
                             + QString::fromUtf8(text)));
        }
    }
};

QTEST_GUILESS_MAIN(tst_MetricsRegistry)
#include "tst_metricsregistry.moc"
