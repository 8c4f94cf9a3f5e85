// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The workflow engine over time, on SQLite and PostgreSQL: schedules fire on a controllable
// clock (DST included), a firing missed while the server was down is made up within the grace
// window, two replicas on one database fire each occurrence once, and runs survive a restart.
#include "support/HttpbinProcess.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <QTimeZone>

#include <atomic>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

// A clock the test moves by hand; the servers read it for every "now".
class ManualClock final
{
public:
    explicit ManualClock(const QDateTime &start)
        : m_ms(std::make_shared<std::atomic<qint64>>(start.toMSecsSinceEpoch()))
    {}
    [[nodiscard]] Clock clock() const
    {
        return [ms = m_ms] {
            return QDateTime::fromMSecsSinceEpoch(ms->load(), Qt::UTC);
        };
    }
    void set(const QDateTime &time) { m_ms->store(time.toMSecsSinceEpoch()); }
    [[nodiscard]] QDateTime now() const { return clock()(); }

private:
    std::shared_ptr<std::atomic<qint64>> m_ms;
};

QString appsYaml(const QString &httpbin)
{
    return uR"(apps:
  bin:
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - name: status
            method: GET
            path: /status/{code}
            parameters:
              - {name: code, in: path, required: true}
          - name: delay
            method: GET
            path: /delay/{seconds}
            parameters:
              - {name: seconds, in: path, required: true}
)"_s.arg(httpbin);
}

const QString engineYaml = u"workflows:\n  pollInterval: 50ms\n  runLease: 600ms\n"_s;

QDateTime utc(const QString &iso)
{
    return QDateTime::fromString(iso, Qt::ISODateWithMs).toUTC();
}

QByteArray scheduleBody(const QString &cron, const QString &zone, const QString &steps)
{
    return u"{\"cron\":\"%1\",\"timezone\":\"%2\",\"target\":{\"steps\":%3}}"_s
        .arg(cron, zone, steps)
        .toUtf8();
}

const QString okStep =
    uR"([{"id":"s","app":{"name":"bin","operation":"status","input":{"literal":{"code":"200"}}}}])"_s;

} // namespace

class tst_WorkflowEngine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void scheduleFiresWhenItsTimeComes();
    void scheduleFollowsDaylightSavingTime();
    void missedFiringIsMadeUpWithinGrace();
    void replicasFireEachOccurrenceOnce();
    void gracefulStopResumesAtTheNextStep();
    void crashMidStepFailsTheRun();

private:
    [[nodiscard]] std::unique_ptr<TestServer> makeServer(const QString &overrideYaml = engineYaml);
    // Kills the current server (as a crash) and starts a new one on its datastore.
    [[nodiscard]] bool restart(const QString &overrideYaml = engineYaml);
    [[nodiscard]] QJsonArray runs(TestServer &server, const QString &query = {});
    [[nodiscard]] QJsonObject waitForStatus(const QString &runId, const QString &status);

    HttpbinProcess m_httpbin;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<TestServer> m_server;
    std::vector<std::unique_ptr<TestServer>> m_retired;
};

void tst_WorkflowEngine::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_WorkflowEngine::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
}

void tst_WorkflowEngine::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    m_clock = std::make_unique<ManualClock>(QDateTime::currentDateTimeUtc());
    m_server = makeServer();
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void tst_WorkflowEngine::cleanup()
{
    m_server.reset();
    m_retired.clear();
}

std::unique_ptr<TestServer> tst_WorkflowEngine::makeServer(const QString &overrideYaml)
{
    QFETCH_GLOBAL(QString, backend);
    auto server =
        std::make_unique<TestServer>(backend, appsYaml(m_httpbin.baseUrl()), overrideYaml);
    server->setClock(m_clock->clock());
    return server;
}

bool tst_WorkflowEngine::restart(const QString &overrideYaml)
{
    std::unique_ptr<TestServer> next = makeServer(overrideYaml);
    next->shareDatastoreOf(*m_server);
    m_server->kill();
    m_retired.push_back(std::move(m_server));
    m_server = std::move(next);
    if (!m_server->start()) {
        qWarning().noquote() << "restart failed:" << m_server->errorString();
        return false;
    }
    return true;
}

QJsonArray tst_WorkflowEngine::runs(TestServer &server, const QString &query)
{
    return server.get(u"/api/v1/workflow/runs"_s + query).json().array();
}

QJsonObject tst_WorkflowEngine::waitForStatus(const QString &runId, const QString &status)
{
    for (int i = 0; i < 500; ++i) {
        const QJsonObject run = m_server->get(u"/api/v1/workflow/runs/"_s + runId).json().object();
        if (run[u"status"_s].toString() == status) {
            return run;
        }
        QTest::qWait(20);
    }
    return {};
}

void tst_WorkflowEngine::scheduleFiresWhenItsTimeComes()
{
    m_clock->set(utc(u"2026-06-01T10:00:30Z"_s));
    const HttpReply created = m_server->post(u"/api/v1/workflow/schedules"_s,
                                             scheduleBody(u"* * * * *"_s, u"UTC"_s, okStep));
    QCOMPARE(created.status, 201);
    const QString id = created.json()[u"id"_s].toString();
    QCOMPARE(created.json()[u"nextRunAt"_s].toString(), u"2026-06-01T10:01:00.000Z"_s);

    // Nothing happens before its time, however long we wait.
    QTest::qWait(300);
    QCOMPARE(runs(*m_server).size(), 0);

    m_clock->set(utc(u"2026-06-01T10:01:00.100Z"_s));
    QTRY_COMPARE_WITH_TIMEOUT(runs(*m_server, u"?status=succeeded"_s).size(), 1, 10000);
    const QJsonObject run = runs(*m_server).first().toObject();
    QCOMPARE(run[u"trigger"_s][u"kind"_s].toString(), u"schedule"_s);
    QCOMPARE(run[u"trigger"_s][u"scheduleId"_s].toString(), id);
    QCOMPARE(run[u"trigger"_s][u"scheduledFor"_s].toString(), u"2026-06-01T10:01:00.000Z"_s);
    QCOMPARE(m_server->get(u"/api/v1/workflow/schedules/"_s + id).json()[u"nextRunAt"_s].toString(),
             u"2026-06-01T10:02:00.000Z"_s);

    // Paused schedules do not fire.
    QCOMPARE(m_server->post(u"/api/v1/workflow/schedules/"_s + id + u"/pause"_s, {}).status, 200);
    m_clock->set(utc(u"2026-06-01T10:05:00.100Z"_s));
    QTest::qWait(300);
    QCOMPARE(runs(*m_server).size(), 1);

    // The metrics say what happened.
    const QByteArray metrics = m_server->get(u"/metrics"_s).body;
    QVERIFY2(
        metrics.contains(
            "gestaltd_workflow_runs_started_total{gestalt_workflow_trigger_kind=\"schedule\"} 1"),
        metrics.constData());
    QVERIFY(metrics.contains(
        "gestaltd_workflow_runs_finished_total{gestalt_workflow_run_status=\"succeeded\"} 1"));
    QVERIFY(metrics.contains("gestaltd_workflow_schedule_lag_seconds_count 1"));
    QVERIFY(metrics.contains("gestaltd_workflow_step_duration_seconds_count{gestalt_workflow_step_"
                             "kind=\"app\",gestalt_workflow_step_status=\"succeeded\"} 1"));
}

void tst_WorkflowEngine::scheduleFollowsDaylightSavingTime()
{
    // 2026-03-08: New York skips 02:00-03:00. 02:30 does not exist, so it fires at 03:00 EDT.
    m_clock->set(utc(u"2026-03-08T05:00:00Z"_s)); // 00:00 EST
    const HttpReply created =
        m_server->post(u"/api/v1/workflow/schedules"_s,
                       scheduleBody(u"30 2 * * *"_s, u"America/New_York"_s, okStep));
    QCOMPARE(created.status, 201);
    QCOMPARE(created.json()[u"nextRunAt"_s].toString(), u"2026-03-08T07:00:00.000Z"_s);
    m_clock->set(utc(u"2026-03-08T07:00:00.050Z"_s));
    QTRY_COMPARE_WITH_TIMEOUT(runs(*m_server).size(), 1, 10000);
    QCOMPARE(runs(*m_server).first()[u"trigger"_s][u"scheduledFor"_s].toString(),
             u"2026-03-08T07:00:00.000Z"_s);
    // The next day it is 02:30 EDT again.
    QCOMPARE(m_server->get(u"/api/v1/workflow/schedules/"_s + created.json()[u"id"_s].toString())
                 .json()[u"nextRunAt"_s]
                 .toString(),
             u"2026-03-09T06:30:00.000Z"_s);
}

void tst_WorkflowEngine::missedFiringIsMadeUpWithinGrace()
{
    m_clock->set(utc(u"2026-06-01T10:01:00Z"_s));
    const HttpReply created = m_server->post(u"/api/v1/workflow/schedules"_s,
                                             scheduleBody(u"*/5 * * * *"_s, u"UTC"_s, okStep));
    const QString id = created.json()[u"id"_s].toString();
    QCOMPARE(created.json()[u"nextRunAt"_s].toString(), u"2026-06-01T10:05:00.000Z"_s);

    // Down from 10:01 to 10:17: 10:05, 10:10 and 10:15 were missed; only the latest is made up
    // (it is 2 minutes old, inside the 15-minute grace window).
    m_server->kill();
    m_clock->set(utc(u"2026-06-01T10:17:00Z"_s));
    QVERIFY(restart());
    QTRY_COMPARE_WITH_TIMEOUT(runs(*m_server, u"?status=succeeded"_s).size(), 1, 10000);
    QTest::qWait(200);
    const QJsonArray afterFirst = runs(*m_server);
    QCOMPARE(afterFirst.size(), 1);
    QCOMPARE(afterFirst.first()[u"trigger"_s][u"scheduledFor"_s].toString(),
             u"2026-06-01T10:15:00.000Z"_s);
    QCOMPARE(m_server->get(u"/api/v1/workflow/schedules/"_s + id).json()[u"nextRunAt"_s].toString(),
             u"2026-06-01T10:20:00.000Z"_s);

    // A daily schedule whose server was down across its time by more than the grace window:
    // that firing is skipped, the next one is tomorrow's.
    const HttpReply daily = m_server->post(u"/api/v1/workflow/schedules"_s,
                                           scheduleBody(u"0 11 * * *"_s, u"UTC"_s, okStep));
    const QString dailyId = daily.json()[u"id"_s].toString();
    QCOMPARE(daily.json()[u"nextRunAt"_s].toString(), u"2026-06-01T11:00:00.000Z"_s);
    m_server->kill();
    m_clock->set(utc(u"2026-06-01T11:16:00Z"_s));
    QVERIFY(restart());
    QTRY_COMPARE_WITH_TIMEOUT(
        m_server->get(u"/api/v1/workflow/schedules/"_s + dailyId).json()[u"nextRunAt"_s].toString(),
        u"2026-06-02T11:00:00.000Z"_s,
        10000);
    QTest::qWait(200);
    const QJsonArray all = runs(*m_server);
    for (const QJsonValue &run : all) {
        QVERIFY(run[u"trigger"_s][u"scheduleId"_s].toString() != dailyId);
    }
}

void tst_WorkflowEngine::replicasFireEachOccurrenceOnce()
{
    std::unique_ptr<TestServer> second = makeServer();
    second->shareDatastoreOf(*m_server);
    QVERIFY2(second->start(), qPrintable(second->errorString()));

    m_clock->set(utc(u"2026-06-01T10:00:30Z"_s));
    constexpr int Schedules = 25;
    for (int i = 0; i < Schedules; ++i) {
        TestServer &via = i % 2 ? *second : *m_server;
        QCOMPARE(via.post(u"/api/v1/workflow/schedules"_s,
                          scheduleBody(u"* * * * *"_s, u"UTC"_s, okStep))
                     .status,
                 201);
    }
    for (const QString &minute : {u"01"_s, u"02"_s}) {
        m_clock->set(utc(u"2026-06-01T10:%1:00.010Z"_s.arg(minute)));
        const int expected = minute == u"01" ? Schedules : 2 * Schedules;
        QTRY_COMPARE_WITH_TIMEOUT(
            runs(*m_server, u"?status=succeeded&pageSize=500"_s).size(), expected, 20000);
    }
    QTest::qWait(300);
    const QJsonArray all = runs(*second, u"?pageSize=500"_s);
    QCOMPARE(all.size(), 2 * Schedules);
    QSet<QString> firings;
    for (const QJsonValue &run : all) {
        firings.insert(run[u"trigger"_s][u"scheduleId"_s].toString()
                       + run[u"trigger"_s][u"scheduledFor"_s].toString());
    }
    QCOMPARE(firings.size(), 2 * Schedules); // no occurrence fired twice
}

void tst_WorkflowEngine::gracefulStopResumesAtTheNextStep()
{
    const HttpReply trigger = m_server->post(u"/api/v1/workflow/event-triggers"_s,
                                             uR"({"match":{"type":"go"},"target":{"steps":[
              {"id":"wait","app":{"name":"bin","operation":"delay","input":{"literal":{"seconds":"1"}}}},
              {"id":"after","app":{"name":"bin","operation":"status","input":{"literal":{"code":"200"}}}}]}})"_s
                                                 .toUtf8());
    QCOMPARE(trigger.status, 201);
    QCOMPARE(m_server->post(u"/api/v1/workflow/events"_s, R"({"type":"go"})").status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(runs(*m_server, u"?status=running"_s).size(), 1, 10000);
    const QString runId = runs(*m_server).first()[u"id"_s].toString();

    // The stop waits for the step in flight, saves it and lets go of the run.
    bool stopped = false;
    QObject::connect(
        &m_server->app(), &Application::stopped, &m_server->app(), [&stopped] { stopped = true; });
    m_server->app().shutdown(10000);
    QTRY_VERIFY_WITH_TIMEOUT(stopped, 10000);
    QVERIFY(restart());
    const QJsonObject run = waitForStatus(runId, u"succeeded"_s);
    QVERIFY(!run.isEmpty());
    QCOMPARE(run[u"steps"_s][0][u"status"_s].toString(), u"succeeded"_s);
    QCOMPARE(run[u"steps"_s][1][u"status"_s].toString(), u"succeeded"_s);
}

void tst_WorkflowEngine::crashMidStepFailsTheRun()
{
    const HttpReply trigger = m_server->post(u"/api/v1/workflow/event-triggers"_s,
                                             uR"({"match":{"type":"go"},"target":{"steps":[
              {"id":"wait","app":{"name":"bin","operation":"delay","input":{"literal":{"seconds":"5"}}}},
              {"id":"after","app":{"name":"bin","operation":"status","input":{"literal":{"code":"200"}}}}]}})"_s
                                                 .toUtf8());
    QCOMPARE(trigger.status, 201);
    QCOMPARE(m_server->post(u"/api/v1/workflow/events"_s, R"({"type":"go"})").status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(runs(*m_server, u"?status=running"_s).size(), 1, 10000);
    const QString runId = runs(*m_server).first()[u"id"_s].toString();

    // A crash leaves the run "running" with a lease nobody renews; once it expires the next
    // server takes the run over and, since a step was in flight, fails it rather than repeat it.
    QVERIFY(restart());
    QTest::qWait(200);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs/"_s + runId).json()[u"status"_s].toString(),
             u"running"_s); // the lease still holds
    m_clock->set(m_clock->now().addSecs(1));
    QVERIFY(!waitForStatus(runId, u"failed"_s).isEmpty());
    const QJsonObject run = m_server->get(u"/api/v1/workflow/runs/"_s + runId).json().object();
    QCOMPARE(run[u"statusMessage"_s].toString(),
             u"run interrupted during step \"wait\" (the server stopped)"_s);
    QVERIFY(run[u"steps"_s][0][u"error"_s].toString().startsWith(u"interrupted"_s));
    QCOMPARE(run[u"steps"_s][1][u"status"_s].toString(), u"skipped"_s);
}

QTEST_MAIN(tst_WorkflowEngine)
#include "tst_workflowengine.moc"
