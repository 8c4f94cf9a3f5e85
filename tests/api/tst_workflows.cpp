// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// /api/v1/workflow/*: schedules, event triggers, events, runs of steps against Debian's httpbin,
// cancel, ownership, config-managed workflows and the YAML export/import, on SQLite and
// PostgreSQL over real HTTP.
#include "store/Database.h"
#include "support/HttpbinProcess.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"
#include "workflows/WorkflowConfigSync.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

QString appsYaml(const QString &httpbin)
{
    return uR"(authorization:
  policies:
    locked:
      members:
        - email: carol@example.com
          role: viewer
apps:
  bin:
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - name: echo
            method: POST
            path: /anything/{item}
            parameters:
              - {name: item, in: path, required: true}
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
  vault:
    authorizationPolicy: locked
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: get, method: GET, path: /get}
)"_s.arg(httpbin);
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject appStep(const QString &id, const QString &operation, const QJsonObject &input)
{
    QJsonObject app{{u"name"_s, u"bin"_s}, {u"operation"_s, operation}};
    if (!input.isEmpty()) {
        app.insert(u"input"_s, input);
    }
    return QJsonObject{{u"id"_s, id}, {u"app"_s, app}};
}

QJsonObject target(const QJsonArray &steps)
{
    return QJsonObject{{u"steps"_s, steps}};
}

QJsonObject literal(const QJsonObject &value)
{
    return QJsonObject{{u"literal"_s, value}};
}

// Rows of createRejectsBadInput for http-api-legacy.md's target.plugin: its input is the
// parameters, and conflicting target forms name both. `s`: the schedules route, `t`: triggers.
void addLegacyTargetRows(const QString &s, const QString &t)
{
    const auto schedule = [](const QString &cron, const QString &zone, const QString &target) {
        return u"{\"cron\":\"%1\",\"timezone\":\"%2\",\"target\":%3}"_s.arg(cron, zone, target)
            .toUtf8();
    };
    QTest::newRow("plugin and steps")
        << s
        << schedule(
               u"* * * * *"_s,
               u"UTC"_s,
               uR"({"plugin":{"name":"bin","operation":"status"},"steps":[{"id":"a","app":{"name":"bin","operation":"status"}}]})"_s)
        << 400 << u"workflow target sets both steps and plugin; give one of them"_s;
    QTest::newRow("plugin and app")
        << s
        << schedule(
               u"* * * * *"_s,
               u"UTC"_s,
               uR"({"plugin":{"name":"bin","operation":"status"},"app":{"name":"bin","operation":"status"}})"_s)
        << 400 << u"workflow target sets both plugin and app; give one of them"_s;
    QTest::newRow("plugin and agent")
        << s
        << schedule(
               u"* * * * *"_s,
               u"UTC"_s,
               uR"({"plugin":{"name":"bin","operation":"status"},"agent":{"provider":"p","prompt":"x"}})"_s)
        << 400 << u"workflow target sets both plugin and agent; give one of them"_s;
    QTest::newRow("step with app and plugin")
        << s
        << schedule(
               u"* * * * *"_s,
               u"UTC"_s,
               uR"({"steps":[{"id":"a","app":{"name":"bin","operation":"status"},"plugin":{"name":"bin","operation":"status"}}]})"_s)
        << 400 << u"workflow step \"a\" sets both app and plugin; give one of them"_s;
    QTest::newRow("plugin not an object")
        << s << schedule(u"* * * * *"_s, u"UTC"_s, uR"({"plugin":"bin.status"})"_s) << 400
        << u"workflow step \"main\": plugin must be an object"_s;
    QTest::newRow("plugin input not an object")
        << s
        << schedule(u"* * * * *"_s,
                    u"UTC"_s,
                    uR"({"plugin":{"name":"bin","operation":"status","input":[1]}})"_s)
        << 400 << u"plugin: input must be an object (the operation's parameters)"_s;
    QTest::newRow("plugin without operation")
        << s << schedule(u"* * * * *"_s, u"UTC"_s, uR"({"plugin":{"name":"bin"}})"_s) << 400
        << u"operation is required"_s;
    QTest::newRow("plugin unknown field")
        << s
        << schedule(u"* * * * *"_s,
                    u"UTC"_s,
                    uR"({"plugin":{"name":"bin","operation":"status","owner":"x"}})"_s)
        << 400 << u"unknown field \"owner\""_s;
    QTest::newRow("plugin unknown app")
        << t
        << QByteArray(
               R"({"match":{"type":"x"},"target":{"plugin":{"name":"nope","operation":"get","input":{"a":1}}}})")
        << 400 << u"workflow step \"main\": app \"nope\" not found"_s;
    QTest::newRow("plugin the creator may not call")
        << t
        << QByteArray(
               R"({"match":{"type":"x"},"target":{"plugin":{"name":"vault","operation":"get"}}})")
        << 403 << u"access denied"_s;
}

} // namespace

class tst_Workflows final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup()
    {
        m_server.reset();
        m_retired.clear();
    }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void scheduleLifecycle();
    void triggerLifecycle();
    void createRejectsBadInput_data();
    void createRejectsBadInput();
    void eventIsNormalized();
    void eventRejectsBadInput_data();
    void eventRejectsBadInput();
    void eventRunsStepsPassingData();
    void legacyPluginTarget();
    void legacyPluginTargetInConfig();
    void onlyMatchingTriggersFire();
    void stepFailureFailsTheRun();
    void backlogDrainsWithoutWaitingForThePoll();
    void cancelAbortsTheInFlightCall();
    void runFiltersAndPaging();
    void othersSeeNothing();
    void accessIsCheckedAgainWhenItFires();
    void configManagedWorkflows();
    void yamlExportAndImport();
    void yamlImportRejectsBadInput_data();
    void yamlImportRejectsBadInput();

private:
    [[nodiscard]] QJsonObject createTrigger(const QString &type,
                                            const QJsonArray &steps,
                                            const TestServer::Headers &headers = {});
    // Publishes an event and waits until a run of `triggerId` is finished; returns it.
    [[nodiscard]] QJsonObject publishAndWait(const QJsonObject &event,
                                             const QString &triggerId,
                                             const TestServer::Headers &headers = {});
    [[nodiscard]] QJsonObject waitForRun(const QString &triggerId,
                                         const TestServer::Headers &headers = {},
                                         const QString &status = {});

    // Stops the current server as a crash would and starts `next` on its datastore (the old
    // one is kept until cleanup: its folder holds the SQLite file).
    [[nodiscard]] bool restartAs(std::unique_ptr<TestServer> next);

    HttpbinProcess m_httpbin;
    std::unique_ptr<TestServer> m_server;
    std::vector<std::unique_ptr<TestServer>> m_retired;
};

bool tst_Workflows::restartAs(std::unique_ptr<TestServer> next)
{
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

void tst_Workflows::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_Workflows::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
}

void tst_Workflows::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(
        backend, appsYaml(m_httpbin.baseUrl()), u"workflows:\n  pollInterval: 50ms\n"_s);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

QJsonObject tst_Workflows::createTrigger(const QString &type,
                                         const QJsonArray &steps,
                                         const TestServer::Headers &headers)
{
    const HttpReply reply = m_server->request(
        "POST",
        u"/api/v1/workflow/event-triggers"_s,
        json({{u"match"_s, QJsonObject{{u"type"_s, type}}}, {u"target"_s, target(steps)}}),
        headers);
    if (reply.status != 201) {
        qWarning() << "trigger create failed" << reply.status << reply.body;
    }
    return reply.json().object();
}

QJsonObject tst_Workflows::waitForRun(const QString &triggerId,
                                      const TestServer::Headers &headers,
                                      const QString &status)
{
    QJsonObject found;
    for (int i = 0; i < 500 && found.isEmpty(); ++i) {
        const HttpReply runs = m_server->request("GET", u"/api/v1/workflow/runs"_s, {}, headers);
        for (const QJsonValue &run : runs.json().array()) {
            const QJsonObject r = run.toObject();
            const QString s = r[u"status"_s].toString();
            const bool finished = s == u"succeeded" || s == u"failed" || s == u"canceled";
            if (r[u"trigger"_s][u"triggerId"_s].toString() == triggerId
                && (status.isEmpty() ? finished : s == status)) {
                found = r;
            }
        }
        if (found.isEmpty()) {
            QTest::qWait(20);
        }
    }
    return found;
}

QJsonObject tst_Workflows::publishAndWait(const QJsonObject &event,
                                          const QString &triggerId,
                                          const TestServer::Headers &headers)
{
    const HttpReply published =
        m_server->request("POST", u"/api/v1/workflow/events"_s, json(event), headers);
    if (published.status != 202) {
        qWarning() << "publish failed" << published.status << published.body;
        return {};
    }
    return waitForRun(triggerId, headers);
}

void tst_Workflows::scheduleLifecycle()
{
    const QJsonObject body{
        {u"cron"_s, u"0 */6 * * *"_s},
        {u"timezone"_s, u"America/New_York"_s},
        {u"target"_s, target({appStep(u"s"_s, u"status"_s, literal({{u"code"_s, u"200"_s}}))})}};
    const HttpReply created = m_server->post(u"/api/v1/workflow/schedules"_s, json(body));
    QCOMPARE(created.status, 201);
    const QJsonObject schedule = created.json().object();
    const QString id = schedule[u"id"_s].toString();
    QVERIFY(id.startsWith(u"wfs_"_s));
    QCOMPARE(schedule[u"provider"_s].toString(), u"builtin"_s);
    QCOMPARE(schedule[u"cron"_s].toString(), u"0 */6 * * *"_s);
    QCOMPARE(schedule[u"timezone"_s].toString(), u"America/New_York"_s);
    QCOMPARE(schedule[u"paused"_s].toBool(), false);
    QCOMPARE(schedule[u"managedBy"_s].toString(), u"api"_s);
    QCOMPARE(schedule[u"target"_s].toObject(), body[u"target"_s].toObject());
    const QDateTime next =
        QDateTime::fromString(schedule[u"nextRunAt"_s].toString(), Qt::ISODateWithMs);
    QVERIFY(next > QDateTime::currentDateTimeUtc());
    QCOMPARE(next.toTimeZone(QTimeZone("America/New_York")).time().hour() % 6, 0);
    QCOMPARE(schedule[u"createdBy"_s][u"subjectKind"_s].toString(), u"user"_s);

    const HttpReply listed = m_server->get(u"/api/v1/workflow/schedules"_s);
    QCOMPARE(listed.status, 200);
    QCOMPARE(listed.json().array().size(), 1);
    QCOMPARE(m_server->get(u"/api/v1/workflow/schedules/"_s + id).json().object(), schedule);

    QJsonObject changed = body;
    changed.insert(u"cron"_s, u"15 3 * * 1-5"_s);
    changed.insert(u"timezone"_s, u"UTC"_s);
    const HttpReply updated =
        m_server->request("PUT", u"/api/v1/workflow/schedules/"_s + id, json(changed));
    QCOMPARE(updated.status, 200);
    const QDateTime moved =
        QDateTime::fromString(updated.json()[u"nextRunAt"_s].toString(), Qt::ISODateWithMs);
    QCOMPARE(moved.time(), QTime(3, 15));
    QVERIFY(moved.date().dayOfWeek() <= 5);

    const HttpReply paused =
        m_server->post(u"/api/v1/workflow/schedules/"_s + id + u"/pause"_s, {});
    QCOMPARE(paused.status, 200);
    QCOMPARE(paused.json()[u"paused"_s].toBool(), true);
    QVERIFY(paused.json()[u"nextRunAt"_s].isNull());
    // PUT without `paused` keeps it paused.
    QCOMPARE(m_server->request("PUT", u"/api/v1/workflow/schedules/"_s + id, json(changed))
                 .json()[u"paused"_s]
                 .toBool(),
             true);
    const HttpReply resumed =
        m_server->post(u"/api/v1/workflow/schedules/"_s + id + u"/resume"_s, {});
    QCOMPARE(resumed.json()[u"paused"_s].toBool(), false);
    QVERIFY(resumed.json()[u"nextRunAt"_s].isString());

    const HttpReply deleted = m_server->del(u"/api/v1/workflow/schedules/"_s + id);
    QCOMPARE(deleted.status, 200);
    QCOMPARE(deleted.json()[u"status"_s].toString(), u"deleted"_s);
    const HttpReply gone = m_server->get(u"/api/v1/workflow/schedules/"_s + id);
    QCOMPARE(gone.status, 404);
    QCOMPARE(gone.error(), u"workflow schedule \"%1\" not found"_s.arg(id));
    QCOMPARE(m_server->del(u"/api/v1/workflow/schedules/"_s + id).status, 404);
}

void tst_Workflows::triggerLifecycle()
{
    const QJsonObject trigger =
        createTrigger(u"roadmap.item.updated"_s,
                      {appStep(u"s"_s, u"status"_s, literal({{u"code"_s, u"200"_s}}))});
    const QString id = trigger[u"id"_s].toString();
    QVERIFY(id.startsWith(u"wft_"_s));
    QCOMPARE(trigger[u"match"_s].toObject(), QJsonObject({{u"type"_s, u"roadmap.item.updated"_s}}));
    QVERIFY(!trigger.contains(u"cron"_s));
    const QString path = u"/api/v1/workflow/event-triggers/"_s + id;
    QCOMPARE(m_server->get(path).json().object(), trigger);
    QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers"_s).json().array().size(), 1);
    // A trigger id is not a schedule id.
    QCOMPARE(m_server->get(u"/api/v1/workflow/schedules/"_s + id).status, 404);

    const HttpReply updated = m_server->request(
        "PUT",
        path,
        json({{u"match"_s,
               QJsonObject{
                   {u"type"_s, u"x"_s}, {u"source"_s, u"roadmap"_s}, {u"subject"_s, u"item"_s}}},
              {u"target"_s, trigger[u"target"_s]}}));
    QCOMPARE(updated.status, 200);
    QCOMPARE(updated.json()[u"match"_s][u"source"_s].toString(), u"roadmap"_s);
    QCOMPARE(m_server->post(path + u"/pause"_s, {}).json()[u"paused"_s].toBool(), true);
    QCOMPARE(m_server->post(path + u"/resume"_s, {}).json()[u"paused"_s].toBool(), false);
    QCOMPARE(m_server->del(path).json()[u"status"_s].toString(), u"deleted"_s);
    QCOMPARE(m_server->get(path).status, 404);
}

void tst_Workflows::createRejectsBadInput_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");

    const QString okTarget =
        uR"({"steps":[{"id":"a","app":{"name":"bin","operation":"status"}}]})"_s;
    const auto schedule = [&](const QString &cron, const QString &zone, const QString &t) {
        return u"{\"cron\":\"%1\",\"timezone\":\"%2\",\"target\":%3}"_s.arg(cron, zone, t).toUtf8();
    };
    const QString s = u"/api/v1/workflow/schedules"_s;
    const QString t = u"/api/v1/workflow/event-triggers"_s;
    QTest::newRow("not json") << s << "{"_ba << 400 << u"invalid JSON body"_s;
    QTest::newRow("missing cron") << s << QByteArray(R"({"target":)" + okTarget.toUtf8() + "}")
                                  << 400 << u"cron is required"_s;
    QTest::newRow("cron six fields")
        << s << schedule(u"0 0 0 * * *"_s, u"UTC"_s, okTarget) << 400 << u"cron"_s;
    QTest::newRow("cron hour 24") << s << schedule(u"0 24 * * *"_s, u"UTC"_s, okTarget) << 400
                                  << u"hour"_s;
    QTest::newRow("cron never fires")
        << s << schedule(u"0 0 30 2 *"_s, u"UTC"_s, okTarget) << 400 << u"never"_s;
    QTest::newRow("unknown timezone") << s << schedule(u"* * * * *"_s, u"Mars/Olympus"_s, okTarget)
                                      << 400 << u"unknown time zone \"Mars/Olympus\""_s;
    QTest::newRow("unknown field")
        << s << QByteArray(R"({"cron":"* * * * *","tz":"UTC","target":)" + okTarget.toUtf8() + "}")
        << 400 << u"unknown field \"tz\""_s;
    QTest::newRow("no target") << s << QByteArray(R"({"cron":"* * * * *"})") << 400
                               << u"workflow target is required"_s;
    QTest::newRow("empty steps") << s << schedule(u"* * * * *"_s, u"UTC"_s, u"{\"steps\":[]}"_s)
                                 << 400 << u"non-empty array"_s;
    QTest::newRow("both app and agent")
        << s
        << schedule(
               u"* * * * *"_s,
               u"UTC"_s,
               uR"({"steps":[{"id":"a","app":{"name":"bin","operation":"status"},"agent":{"provider":"p","prompt":"x"}}]})"_s)
        << 400 << u"workflow step \"a\" sets both app and agent; give one of them"_s;
    QTest::newRow("neither app nor agent")
        << s << schedule(u"* * * * *"_s, u"UTC"_s, uR"({"steps":[{"id":"a"}]})"_s) << 400
        << u"workflow step \"a\" must set exactly one of app or agent"_s;
    addLegacyTargetRows(s, t);
    QTest::newRow("duplicate step id")
        << s
        << schedule(
               u"* * * * *"_s,
               u"UTC"_s,
               uR"({"steps":[{"id":"a","app":{"name":"bin","operation":"status"}},{"id":"a","app":{"name":"bin","operation":"status"}}]})"_s)
        << 400 << u"used by an earlier step"_s;
    QTest::newRow("unknown app")
        << t
        << QByteArray(
               R"({"match":{"type":"x"},"target":{"steps":[{"id":"a","app":{"name":"nope","operation":"get"}}]}})")
        << 400 << u"workflow step \"a\": app \"nope\" not found"_s;
    QTest::newRow("unknown operation")
        << t
        << QByteArray(
               R"({"match":{"type":"x"},"target":{"steps":[{"id":"a","app":{"name":"bin","operation":"nope"}}]}})")
        << 400 << u"operation \"nope\" not found on app \"bin\""_s;
    QTest::newRow("step the creator may not call")
        << t
        << QByteArray(
               R"({"match":{"type":"x"},"target":{"steps":[{"id":"a","app":{"name":"vault","operation":"get"}}]}})")
        << 403 << u"workflow step \"a\": access denied"_s;
    QTest::newRow("agent provider not configured")
        << t
        << QByteArray(
               R"({"match":{"type":"x"},"target":{"steps":[{"id":"a","agent":{"provider":"managed","prompt":"hi"}}]}})")
        << 400 << u"agent provider \"managed\" is not configured"_s;
    QTest::newRow("input path to a later step")
        << t
        << QByteArray(
               R"({"match":{"type":"x"},"target":{"steps":[{"id":"a","app":{"name":"bin","operation":"status","input":{"fields":{"code":{"from":"steps.b.output.x"}}}}},{"id":"b","app":{"name":"bin","operation":"status"}}]}})")
        << 400 << u"not an earlier step"_s;
    QTest::newRow("input with two kinds")
        << t
        << QByteArray(
               R"({"match":{"type":"x"},"target":{"steps":[{"id":"a","app":{"name":"bin","operation":"status","input":{"from":"event.data","template":"x"}}}]}})")
        << 400 << u"exactly one of literal, from, template or fields"_s;
    QTest::newRow("missing match type")
        << t << QByteArray(R"({"match":{"source":"x"},"target":)" + okTarget.toUtf8() + "}") << 400
        << u"match.type is required"_s;
    QTest::newRow("unknown match field")
        << t
        << QByteArray(R"({"match":{"type":"x","color":"red"},"target":)" + okTarget.toUtf8() + "}")
        << 400 << u"unknown field \"color\" in match"_s;
    QTest::newRow("unknown step field")
        << s
        << schedule(
               u"* * * * *"_s,
               u"UTC"_s,
               uR"({"steps":[{"id":"a","app":{"name":"bin","operation":"status"},"when":"x"}]})"_s)
        << 400 << u"unknown field \"when\" in workflow step \"a\""_s;
    QTest::newRow("unknown provider")
        << t
        << QByteArray(R"({"provider":"temporal","match":{"type":"x"},"target":)" + okTarget.toUtf8()
                      + "}")
        << 400 << u"unknown workflow provider \"temporal\""_s;
}

void tst_Workflows::createRejectsBadInput()
{
    QFETCH(QString, route);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    const HttpReply reply = m_server->post(route, body);
    QCOMPARE(reply.status, status);
    QVERIFY2(reply.error().contains(message), qPrintable(reply.error()));
    QCOMPARE(m_server->get(route).json().array().size(), 0);
    // The server keeps serving.
    QCOMPARE(m_server->get(u"/health"_s).status, 200);
}

void tst_Workflows::eventIsNormalized()
{
    const HttpReply reply =
        m_server->post(u"/api/v1/workflow/events"_s,
                       R"({"type":" roadmap.item.updated ","source":"roadmap","subject":"item",
            "time":"2026-05-01T12:00:00+02:00","dataContentType":"application/json",
            "data":{"id":"item-1"},"extensions":{"traceId":"trace-1"}})");
    QCOMPARE(reply.status, 202);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"published"_s);
    const QJsonObject event = reply.json()[u"event"_s].toObject();
    QCOMPARE(event[u"type"_s].toString(), u"roadmap.item.updated"_s);
    QCOMPARE(event[u"specVersion"_s].toString(), u"1.0"_s);
    QCOMPARE(event[u"time"_s].toString(), u"2026-05-01T10:00:00.000Z"_s);
    QVERIFY(QRegularExpression(
                u"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"_s)
                .match(event[u"id"_s].toString())
                .hasMatch());
    QCOMPARE(event[u"data"_s][u"id"_s].toString(), u"item-1"_s);
    QCOMPARE(event[u"extensions"_s][u"traceId"_s].toString(), u"trace-1"_s);

    const HttpReply withId =
        m_server->post(u"/api/v1/workflow/events"_s, R"({"type":"t","id":"evt-7"})");
    QCOMPARE(withId.json()[u"event"_s][u"id"_s].toString(), u"evt-7"_s);
    QVERIFY(withId.json()[u"event"_s][u"time"_s].toString().endsWith(u'Z'));
}

void tst_Workflows::eventRejectsBadInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::newRow("no type") << R"({"source":"x"})"_ba << u"workflow event type is required"_s;
    QTest::newRow("blank type") << R"({"type":"  "})"_ba << u"workflow event type is required"_s;
    QTest::newRow("type not a string") << R"({"type":5})"_ba << u"type must be a string"_s;
    QTest::newRow("bad time") << R"({"type":"t","time":"yesterday"})"_ba << u"RFC 3339"_s;
    QTest::newRow("extensions not an object")
        << R"({"type":"t","extensions":[1]})"_ba << u"extensions must be an object"_s;
    QTest::newRow("unknown field")
        << R"({"type":"t","color":"red"})"_ba << u"unknown field \"color\""_s;
    QTest::newRow("array body") << "[]"_ba << u"JSON body must be an object"_s;
}

void tst_Workflows::eventRejectsBadInput()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const HttpReply reply = m_server->post(u"/api/v1/workflow/events"_s, body);
    QCOMPARE(reply.status, 400);
    QVERIFY2(reply.error().contains(message), qPrintable(reply.error()));
}

void tst_Workflows::eventRunsStepsPassingData()
{
    // fetch echoes the event's id (httpbin answers with what it got); notify reads it back out of
    // fetch's output and renders a template from both.
    const QJsonObject first = appStep(
        u"fetch"_s,
        u"echo"_s,
        QJsonObject{{u"literal"_s, QJsonObject{{u"mode"_s, u"incremental"_s}}},
                    {u"fields"_s,
                     QJsonObject{{u"item"_s, QJsonObject{{u"from"_s, u"event.data.id"_s}}},
                                 {u"itemId"_s, QJsonObject{{u"from"_s, u"event.data.id"_s}}},
                                 {u"tags"_s, QJsonObject{{u"from"_s, u"event.data.tags"_s}}}}}});
    const QJsonObject second = appStep(
        u"notify"_s,
        u"echo"_s,
        QJsonObject{
            {u"fields"_s,
             QJsonObject{
                 {u"item"_s, QJsonObject{{u"literal"_s, u"note"_s}}},
                 {u"firstTag"_s, QJsonObject{{u"from"_s, u"steps.fetch.output.json.tags.0"_s}}},
                 {u"text"_s,
                  QJsonObject{
                      {u"template"_s,
                       u"item {{ steps.fetch.output.json.itemId }} on {{event.subject}} ({{steps.fetch.output.json.mode}}, {{ steps.fetch.output.json.tags }})"_s}}}}}});
    const QJsonObject trigger = createTrigger(u"item.updated"_s, {first, second});
    const QString triggerId = trigger[u"id"_s].toString();
    const QJsonObject run = publishAndWait(
        {{u"type"_s, u"item.updated"_s},
         {u"source"_s, u"roadmap"_s},
         {u"subject"_s, u"board"_s},
         {u"data"_s,
          QJsonObject{{u"id"_s, u"item-42"_s}, {u"tags"_s, QJsonArray{u"red"_s, u"blue"_s}}}}},
        triggerId);
    QCOMPARE(run[u"status"_s].toString(), u"succeeded"_s);
    QCOMPARE(run[u"trigger"_s][u"kind"_s].toString(), u"event"_s);
    QCOMPARE(run[u"trigger"_s][u"event"_s][u"data"_s][u"id"_s].toString(), u"item-42"_s);
    QVERIFY(run.contains(u"startedAt"_s) && run.contains(u"completedAt"_s));
    const QJsonArray steps = run[u"steps"_s].toArray();
    QCOMPARE(steps.size(), 2);
    const QJsonObject fetched = steps[0].toObject();
    QCOMPARE(fetched[u"status"_s].toString(), u"succeeded"_s);
    QCOMPARE(fetched[u"httpStatus"_s].toInt(), 200);
    QVERIFY(fetched.contains(u"startedAt"_s) && fetched.contains(u"completedAt"_s));
    QCOMPARE(fetched[u"output"_s][u"url"_s].toString(),
             m_httpbin.baseUrl() + u"/anything/item-42"_s);
    QCOMPARE(fetched[u"output"_s][u"json"_s][u"mode"_s].toString(), u"incremental"_s);
    QCOMPARE(fetched[u"output"_s][u"method"_s].toString(), u"POST"_s);
    const QJsonObject notified = steps[1].toObject()[u"output"_s][u"json"_s].toObject();
    QCOMPARE(notified[u"firstTag"_s].toString(), u"red"_s);
    QCOMPARE(notified[u"text"_s].toString(),
             u"item item-42 on board (incremental, [\"red\",\"blue\"])"_s);
    // The run's result is the last step's output.
    QCOMPARE(run[u"result"_s][u"json"_s][u"firstTag"_s].toString(), u"red"_s);
    QVERIFY(run[u"resultBody"_s].toString().contains(u"firstTag"_s));

    // A path that finds nothing fails that step with a clear message and skips the rest.
    const QJsonObject missing = appStep(
        u"a"_s,
        u"echo"_s,
        QJsonObject{{u"fields"_s,
                     QJsonObject{{u"item"_s, QJsonObject{{u"from"_s, u"event.data.nothing"_s}}}}}});
    const QString missingId =
        createTrigger(
            u"item.other"_s,
            {missing, appStep(u"b"_s, u"status"_s, literal({{u"code"_s, u"200"_s}}))})[u"id"_s]
            .toString();
    const QJsonObject failed = publishAndWait({{u"type"_s, u"item.other"_s}}, missingId);
    QCOMPARE(failed[u"status"_s].toString(), u"failed"_s);
    QCOMPARE(
        failed[u"statusMessage"_s].toString(),
        u"step \"a\" failed: workflow step \"a\" input field \"item\": \"event.data.nothing\" is not set"_s);
    QCOMPARE(failed[u"steps"_s][1][u"status"_s].toString(), u"skipped"_s);
}

void tst_Workflows::legacyPluginTarget()
{
    // http-api-legacy.md: target.plugin with the operation's parameters as they are, even ones
    // that look like a workflow value ("from" here is a parameter, not a path).
    const QJsonObject parameters{{u"item"_s, u"item-7"_s},
                                 {u"owner"_s, u"valon-technologies"_s},
                                 {u"from"_s, u"event.data.id"_s}};
    const QJsonObject plugin{
        {u"name"_s, u"bin"_s}, {u"operation"_s, u"echo"_s}, {u"input"_s, parameters}};
    const HttpReply created =
        m_server->post(u"/api/v1/workflow/event-triggers"_s,
                       json({{u"match"_s, QJsonObject{{u"type"_s, u"legacy.ping"_s}}},
                             {u"target"_s, QJsonObject{{u"plugin"_s, plugin}}}}));
    QCOMPARE(created.status, 201);
    // The answer has the current shape: one app step "main" whose input is the literal.
    const QJsonObject current =
        target({QJsonObject{{u"id"_s, u"main"_s},
                            {u"app"_s,
                             QJsonObject{{u"name"_s, u"bin"_s},
                                         {u"operation"_s, u"echo"_s},
                                         {u"input"_s, literal(parameters)}}}}});
    QCOMPARE(created.json()[u"target"_s].toObject(), current);
    const QString triggerId = created.json()[u"id"_s].toString();

    const QJsonObject run = publishAndWait(
        {{u"type"_s, u"legacy.ping"_s}, {u"data"_s, QJsonObject{{u"id"_s, u"x"_s}}}}, triggerId);
    QCOMPARE(run[u"status"_s].toString(), u"succeeded"_s);
    QCOMPARE(run[u"target"_s].toObject(), current);
    const QJsonObject output = run[u"steps"_s][0][u"output"_s].toObject();
    QCOMPARE(output[u"url"_s].toString(), m_httpbin.baseUrl() + u"/anything/item-7"_s);
    QCOMPARE(output[u"json"_s][u"owner"_s].toString(), u"valon-technologies"_s);
    QCOMPARE(output[u"json"_s][u"from"_s].toString(), u"event.data.id"_s);

    // Schedules take it too, on create and update, with connection and instance; no input.
    QJsonObject withSelectors = plugin;
    withSelectors.remove(u"input"_s);
    withSelectors.insert(u"operation"_s, u"status"_s);
    withSelectors.insert(u"instance"_s, u"tenant-a"_s);
    const QJsonObject schedule{{u"cron"_s, u"0 3 * * *"_s},
                               {u"target"_s, QJsonObject{{u"plugin"_s, withSelectors}}}};
    const HttpReply scheduled = m_server->post(u"/api/v1/workflow/schedules"_s, json(schedule));
    QCOMPARE(scheduled.status, 201);
    const QJsonObject step = scheduled.json()[u"target"_s][u"steps"_s][0].toObject();
    QCOMPARE(step[u"app"_s][u"instance"_s].toString(), u"tenant-a"_s);
    QVERIFY(!step[u"app"_s].toObject().contains(u"input"_s));
    const HttpReply updated = m_server->request(
        "PUT",
        u"/api/v1/workflow/schedules/"_s + scheduled.json()[u"id"_s].toString(),
        json({{u"cron"_s, u"0 4 * * *"_s}, {u"target"_s, QJsonObject{{u"plugin"_s, plugin}}}}));
    QCOMPARE(updated.status, 200);
    QCOMPARE(updated.json()[u"target"_s].toObject(), current);
}

void tst_Workflows::legacyPluginTargetInConfig()
{
    // The Go documentation's config-managed trigger: target.plugin with plain input.
    const QString workflows = uR"(workflows:
  pollInterval: 50ms
  eventTriggers:
    item_updated:
      match: {type: roadmap.item.updated, source: roadmap}
      publishers: ["*"]
      target:
        plugin:
          name: bin
          operation: echo
          input:
            item: sync
            reason: sync
)"_s;
    auto server = std::make_unique<TestServer>(QString(), appsYaml(m_httpbin.baseUrl()), workflows);
    QVERIFY(restartAs(std::move(server)));
    QCOMPARE(m_server
                 ->post(u"/api/v1/workflow/events"_s,
                        R"({"type":"roadmap.item.updated","source":"roadmap"})")
                 .status,
             202);
    const auto succeeded = [this] {
        QSqlQuery query(m_server->app().database().connection());
        query.prepare(u"SELECT steps_json FROM workflow_runs WHERE definition_id = ? AND "
                      u"status = 'succeeded'"_s);
        query.addBindValue(WorkflowConfigSync::triggerId(u"item_updated"_s));
        return query.exec() && query.next() ? query.value(0).toString() : QString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!succeeded().isEmpty(), 10000);
    QVERIFY2(succeeded().contains(u"/anything/sync"_s), qPrintable(succeeded()));
    QVERIFY2(succeeded().contains(u"\"reason\":\"sync\""_s), qPrintable(succeeded()));
}

void tst_Workflows::onlyMatchingTriggersFire()
{
    const QJsonArray ok{appStep(u"s"_s, u"status"_s, literal({{u"code"_s, u"200"_s}}))};
    const auto make = [&](const QJsonObject &match) {
        const HttpReply reply =
            m_server->post(u"/api/v1/workflow/event-triggers"_s,
                           json({{u"match"_s, match}, {u"target"_s, target(ok)}}));
        return reply.json()[u"id"_s].toString();
    };
    const QString any = make({{u"type"_s, u"deploy"_s}});
    const QString fromCi = make({{u"type"_s, u"deploy"_s}, {u"source"_s, u"ci"_s}});
    const QString fromCiProd =
        make({{u"type"_s, u"deploy"_s}, {u"source"_s, u"ci"_s}, {u"subject"_s, u"prod"_s}});
    const QString other = make({{u"type"_s, u"Deploy"_s}});
    const QString paused = make({{u"type"_s, u"deploy"_s}});
    QCOMPARE(
        m_server->post(u"/api/v1/workflow/event-triggers/"_s + paused + u"/pause"_s, {}).status,
        200);

    QCOMPARE(m_server
                 ->post(u"/api/v1/workflow/events"_s,
                        R"({"type":"deploy","source":"ci","subject":"staging"})")
                 .status,
             202);
    QVERIFY(!waitForRun(any).isEmpty());
    QVERIFY(!waitForRun(fromCi).isEmpty());
    const QJsonArray runs = m_server->get(u"/api/v1/workflow/runs"_s).json().array();
    QCOMPARE(runs.size(), 2); // exact equality: not the prod one, not "Deploy", not the paused one
    for (const QJsonValue &run : runs) {
        const QString trigger = run[u"trigger"_s][u"triggerId"_s].toString();
        QVERIFY(trigger == any || trigger == fromCi);
    }
    Q_UNUSED(fromCiProd)
    Q_UNUSED(other)
}

void tst_Workflows::backlogDrainsWithoutWaitingForThePoll()
{
    // Two runs at a time and a poll that never comes during the test: the runs beyond the first
    // two wait for a free slot, and each finished run hands its slot on at once.
    auto server = std::make_unique<TestServer>(
        QString(),
        appsYaml(m_httpbin.baseUrl()),
        u"workflows:\n  pollInterval: 1h\n  runLease: 2h\n  maxConcurrentRuns: 2\n"_s);
    QVERIFY(restartAs(std::move(server)));
    const QString id =
        createTrigger(u"many"_s,
                      {appStep(u"s"_s, u"status"_s, literal({{u"code"_s, u"200"_s}}))})[u"id"_s]
            .toString();
    constexpr int Events = 12;
    for (int i = 0; i < Events; ++i) {
        QCOMPARE(m_server->post(u"/api/v1/workflow/events"_s, R"({"type":"many"})").status, 202);
    }
    const auto succeeded = [&] {
        int count = 0;
        for (const QJsonValue &run :
             m_server->get(u"/api/v1/workflow/runs?status=succeeded"_s).json().array()) {
            count += run[u"trigger"_s][u"triggerId"_s].toString() == id ? 1 : 0;
        }
        return count;
    };
    QTRY_COMPARE_WITH_TIMEOUT(succeeded(), Events, 20000);
}

void tst_Workflows::stepFailureFailsTheRun()
{
    const QString id =
        createTrigger(u"t"_s,
                      {appStep(u"ok"_s, u"status"_s, literal({{u"code"_s, u"204"_s}})),
                       appStep(u"boom"_s, u"status"_s, literal({{u"code"_s, u"503"_s}})),
                       appStep(u"never"_s, u"status"_s, literal({{u"code"_s, u"200"_s}}))})[u"id"_s]
            .toString();
    const QJsonObject run = publishAndWait({{u"type"_s, u"t"_s}}, id);
    QCOMPARE(run[u"status"_s].toString(), u"failed"_s);
    QCOMPARE(run[u"statusMessage"_s].toString(),
             u"step \"boom\" failed: app \"bin\" operation \"status\" answered 503: "_s);
    const QJsonArray steps = run[u"steps"_s].toArray();
    QCOMPARE(steps[0][u"status"_s].toString(), u"succeeded"_s);
    QVERIFY(steps[0][u"output"_s].isNull()); // 204: no body
    QCOMPARE(steps[1][u"status"_s].toString(), u"failed"_s);
    QCOMPARE(steps[1][u"httpStatus"_s].toInt(), 503);
    QCOMPARE(steps[2][u"status"_s].toString(), u"skipped"_s);
    QVERIFY(!steps[2].toObject().contains(u"startedAt"_s));
    QVERIFY(!run.contains(u"result"_s));

    // Finished runs cannot be canceled.
    const HttpReply cancel =
        m_server->post(u"/api/v1/workflow/runs/"_s + run[u"id"_s].toString() + u"/cancel"_s, {});
    QCOMPARE(cancel.status, 409);
    QVERIFY(cancel.error().contains(u"already failed"_s));
}

void tst_Workflows::cancelAbortsTheInFlightCall()
{
    const QString id =
        createTrigger(u"slow"_s,
                      {appStep(u"wait"_s, u"delay"_s, literal({{u"seconds"_s, u"8"_s}})),
                       appStep(u"after"_s, u"status"_s, literal({{u"code"_s, u"200"_s}}))})[u"id"_s]
            .toString();
    QCOMPARE(m_server->post(u"/api/v1/workflow/events"_s, R"({"type":"slow"})").status, 202);
    const QJsonObject running = waitForRun(id, {}, u"running"_s);
    QVERIFY(!running.isEmpty());
    QElapsedTimer elapsed;
    elapsed.start();
    const HttpReply canceled =
        m_server->post(u"/api/v1/workflow/runs/"_s + running[u"id"_s].toString() + u"/cancel"_s,
                       R"({"reason":"changed my mind"})");
    QCOMPARE(canceled.status, 200);
    const QJsonObject run = canceled.json().object();
    QCOMPARE(run[u"status"_s].toString(), u"canceled"_s);
    QCOMPARE(run[u"statusMessage"_s].toString(), u"canceled: changed my mind"_s);
    QCOMPARE(run[u"steps"_s][0][u"status"_s].toString(), u"canceled"_s);
    QCOMPARE(run[u"steps"_s][1][u"status"_s].toString(), u"canceled"_s);
    QVERIFY(elapsed.elapsed() < 8000); // the 8-second upstream call did not have to end
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs/"_s + run[u"id"_s].toString())
                 .json()[u"status"_s]
                 .toString(),
             u"canceled"_s);
    // Bad bodies and unknown runs.
    QCOMPARE(m_server
                 ->post(u"/api/v1/workflow/runs/"_s + run[u"id"_s].toString() + u"/cancel"_s,
                        R"({"reason":5})")
                 .status,
             400);
    QCOMPARE(m_server->post(u"/api/v1/workflow/runs/wfr_nope/cancel"_s, {}).status, 404);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs/wfr_nope"_s).error(),
             u"workflow run \"wfr_nope\" not found"_s);
}

void tst_Workflows::runFiltersAndPaging()
{
    const QString okId =
        createTrigger(u"a"_s,
                      {appStep(u"s"_s, u"status"_s, literal({{u"code"_s, u"200"_s}}))})[u"id"_s]
            .toString();
    const QString badId =
        createTrigger(u"b"_s,
                      {appStep(u"s"_s, u"status"_s, literal({{u"code"_s, u"500"_s}}))})[u"id"_s]
            .toString();
    for (int i = 0; i < 3; ++i) {
        QVERIFY(!publishAndWait({{u"type"_s, u"a"_s}}, okId).isEmpty());
    }
    QCOMPARE(publishAndWait({{u"type"_s, u"b"_s}}, badId)[u"status"_s].toString(), u"failed"_s);

    QCOMPARE(m_server->get(u"/api/v1/workflow/runs"_s).json().array().size(), 4);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs?status=failed"_s).json().array().size(), 1);
    QCOMPARE(
        m_server->get(u"/api/v1/workflow/runs?status=succeeded&app=bin"_s).json().array().size(),
        3);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs?app=vault"_s).json().array().size(), 0);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs?app=bi"_s).json().array().size(), 0);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs?status=done"_s).status, 400);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs?pageSize=0"_s).status, 400);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs?pageToken=%25%25"_s).status, 400);

    QStringList seen;
    QString token;
    int pages = 0;
    do {
        const HttpReply page =
            m_server->get(u"/api/v1/workflow/runs?pageSize=3&pageToken="_s + token);
        QCOMPARE(page.status, 200);
        for (const QJsonValue &run : page.json().array()) {
            seen.append(run[u"id"_s].toString());
        }
        token = QString::fromLatin1(page.header("Gestalt-Next-Page-Token"));
        ++pages;
    } while (!token.isEmpty() && pages < 10);
    QCOMPARE(pages, 2);
    QCOMPARE(seen.size(), 4);
    seen.removeDuplicates();
    QCOMPARE(seen.size(), 4);
}

void tst_Workflows::othersSeeNothing()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    const auto asAlice = TestServer::bearer(alice.token);
    const auto asBob = TestServer::bearer(bob.token);
    const QJsonObject trigger = createTrigger(
        u"mine"_s, {appStep(u"s"_s, u"status"_s, literal({{u"code"_s, u"200"_s}}))}, asAlice);
    const QString id = trigger[u"id"_s].toString();
    QCOMPARE(trigger[u"createdBy"_s][u"subjectId"_s].toString(), alice.subjectId);
    const QJsonObject run = publishAndWait({{u"type"_s, u"mine"_s}}, id, asAlice);
    QCOMPARE(run[u"status"_s].toString(), u"succeeded"_s);
    const QString path = u"/api/v1/workflow/event-triggers/"_s + id;
    QCOMPARE(m_server->get(path, asBob).status, 404);
    QCOMPARE(m_server->request("PUT", path, json(trigger), asBob).status, 404);
    QCOMPARE(m_server->request("DELETE", path, {}, asBob).status, 404);
    QCOMPARE(m_server->request("POST", path + u"/pause"_s, {}, asBob).status, 404);
    QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers"_s, asBob).json().array().size(), 0);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs"_s, asBob).json().array().size(), 0);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs/"_s + run[u"id"_s].toString(), asBob).status,
             404);
    QCOMPARE(m_server
                 ->request("POST",
                           u"/api/v1/workflow/runs/"_s + run[u"id"_s].toString() + u"/cancel"_s,
                           {},
                           asBob)
                 .status,
             404);
    // Bob's event does not fire Alice's trigger until she names him among its publishers; then
    // the run is hers and records who published the event.
    const HttpReply published =
        m_server->request("POST", u"/api/v1/workflow/events"_s, R"({"type":"mine"})", asBob);
    QCOMPARE(published.status, 202);
    QCOMPARE(published.json()[u"publishedBy"_s].toString(), bob.subjectId);
    QJsonObject withBob = trigger;
    withBob.insert(u"publishers"_s, QJsonArray{bob.subjectId});
    QCOMPARE(m_server->request("PUT", path, json(withBob), asAlice).status, 200);
    QCOMPARE(
        m_server->request("POST", u"/api/v1/workflow/events"_s, R"({"type":"mine"})", asBob).status,
        202);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_server->get(u"/api/v1/workflow/runs?status=succeeded"_s, asAlice).json().array().size(),
        2,
        10000);
    const QJsonArray aliceRuns =
        m_server->get(u"/api/v1/workflow/runs?status=succeeded"_s, asAlice).json().array();
    QStringList publishers;
    for (const QJsonValue &r : aliceRuns) {
        publishers << r[u"publishedBy"_s].toString();
    }
    publishers.sort();
    QStringList expected{alice.subjectId, bob.subjectId};
    expected.sort();
    QCOMPARE(publishers, expected);
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs"_s, asBob).json().array().size(), 0);
    // Unauthenticated callers are turned away.
    QCOMPARE(
        m_server->get(u"/api/v1/workflow/runs"_s, TestServer::bearer(u"gst_api_nope"_s)).status,
        401);
}

void tst_Workflows::accessIsCheckedAgainWhenItFires()
{
    // A token scoped to `bin` may create workflows on bin only...
    const TestServer::TestUser scoped = m_server->user(u"dave@example.com"_s, u"bin"_s);
    const auto asScoped = TestServer::bearer(scoped.token);
    const HttpReply denied = m_server->request(
        "POST",
        u"/api/v1/workflow/event-triggers"_s,
        R"({"match":{"type":"x"},"target":{"steps":[{"id":"a","app":{"name":"vault","operation":"get"}}]}})",
        asScoped);
    QCOMPARE(denied.status, 403);
    QVERIFY2(denied.error().contains(u"token scope denied"_s), qPrintable(denied.error()));

    // ...and Carol, a member of vault's policy, may create one on vault. Once her membership is
    // gone the run fails at fire time with the access error.
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    const auto asCarol = TestServer::bearer(carol.token);
    const QString id =
        createTrigger(
            u"v"_s,
            {QJsonObject{
                {u"id"_s, u"read"_s},
                {u"app"_s, QJsonObject{{u"name"_s, u"vault"_s}, {u"operation"_s, u"get"_s}}}}},
            asCarol)[u"id"_s]
            .toString();
    QVERIFY(!id.isEmpty());
    QCOMPARE(publishAndWait({{u"type"_s, u"v"_s}}, id, asCarol)[u"status"_s].toString(),
             u"succeeded"_s);
    // Same store, new config without Carol in the policy (a restart with a changed config).
    auto restarted = std::make_unique<TestServer>(
        QString(),
        appsYaml(m_httpbin.baseUrl()).replace(u"carol@example.com"_s, u"erin@example.com"_s),
        u"workflows:\n  pollInterval: 50ms\n"_s);
    QVERIFY(restartAs(std::move(restarted)));
    QCOMPARE(
        m_server->request("POST", u"/api/v1/workflow/events"_s, R"({"type":"v"})", asCarol).status,
        202);
    QJsonObject failed;
    QTRY_VERIFY_WITH_TIMEOUT(!(failed = waitForRun(id, asCarol, u"failed"_s)).isEmpty(), 10000);
    QVERIFY2(failed[u"statusMessage"_s].toString().contains(
                 u"access denied: no role on app \"vault\""_s),
             qPrintable(failed[u"statusMessage"_s].toString()));
}

void tst_Workflows::configManagedWorkflows()
{
    const QString workflows = uR"(workflows:
  pollInterval: 50ms
  eventTriggers:
    on-ping:
      match: {type: ping, source: cfg}
      publishers: ["*"]
      target:
        steps:
          - id: echo
            app:
              name: bin
              operation: echo
              input:
                fields:
                  item: {literal: config}
                  seen: {from: event.data}
  schedules:
    nightly:
      cron: "0 3 * * *"
      timezone: Europe/Berlin
      target:
        steps:
          - {id: s, app: {name: bin, operation: status, input: {literal: {code: "200"}}}}
)"_s;
    auto server = std::make_unique<TestServer>(QString(), appsYaml(m_httpbin.baseUrl()), workflows);
    QVERIFY(restartAs(std::move(server)));

    const QString triggerId = WorkflowConfigSync::triggerId(u"on-ping"_s);
    const QString scheduleId = WorkflowConfigSync::scheduleId(u"nightly"_s);
    QVERIFY(triggerId.startsWith(u"cfg_"_s) && triggerId.size() == 4 + 64);
    QVERIFY(triggerId != WorkflowConfigSync::scheduleId(u"on-ping"_s));
    // Config-managed ones are nobody's: users do not list, change or delete them.
    QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers"_s).json().array().size(), 0);
    QCOMPARE(m_server->del(u"/api/v1/workflow/schedules/"_s + scheduleId).status, 404);

    QCOMPARE(
        m_server
            ->post(u"/api/v1/workflow/events"_s, R"({"type":"ping","source":"cfg","data":{"n":1}})")
            .status,
        202);
    const auto configRuns = [this](const QString &status) {
        QSqlQuery query(m_server->app().database().connection());
        query.prepare(
            u"SELECT status, owner_subject_id, steps_json, authority_json FROM workflow_runs "
            u"WHERE definition_id = ? AND status = ?"_s);
        query.addBindValue(WorkflowConfigSync::triggerId(u"on-ping"_s));
        query.addBindValue(status);
        QStringList rows;
        if (query.exec()) {
            while (query.next()) {
                rows.append(query.value(1).toString() + u' ' + query.value(2).toString() + u' '
                            + query.value(3).toString());
            }
        }
        return rows;
    };
    QTRY_COMPARE_WITH_TIMEOUT(configRuns(u"succeeded"_s).size(), 1, 10000);
    const QString row = configRuns(u"succeeded"_s).first();
    QVERIFY2(row.startsWith(u"system:config "_s), qPrintable(row));
    QVERIFY2(row.contains(u"\"seen\":{\"n\":1}"_s), qPrintable(row));
    QVERIFY2(row.contains(u"\"authSource\":\"config\""_s), qPrintable(row));

    const auto definitionCount = [this] {
        QSqlQuery query(m_server->app().database().connection());
        query.exec(u"SELECT COUNT(*) FROM workflow_definitions WHERE managed_by = 'config'"_s);
        return query.next() ? query.value(0).toInt() : -1;
    };
    QCOMPARE(definitionCount(), 2);
    // Restart with the schedule gone and the trigger changed: reconciled, same trigger id.
    QString changed = workflows;
    changed.truncate(changed.indexOf(u"  schedules:"_s));
    changed.replace(u"source: cfg"_s, u"source: cfg2"_s);
    auto again = std::make_unique<TestServer>(QString(), appsYaml(m_httpbin.baseUrl()), changed);
    QVERIFY(restartAs(std::move(again)));
    QCOMPARE(definitionCount(), 1);
    QSqlQuery source(m_server->app().database().connection());
    QVERIFY(source.exec(u"SELECT match_source, id FROM workflow_definitions"_s) && source.next());
    QCOMPARE(source.value(0).toString(), u"cfg2"_s);
    QCOMPARE(source.value(1).toString(), triggerId);

    // A config workflow naming an app that does not exist stops the start with a clear error.
    auto broken =
        std::make_unique<TestServer>(QString(),
                                     appsYaml(m_httpbin.baseUrl()),
                                     QString(changed).replace(u"name: bin"_s, u"name: nowhere"_s));
    broken->shareDatastoreOf(*m_server);
    m_server->kill();
    QVERIFY(!broken->start());
    m_retired.push_back(std::move(broken));
    QVERIFY2(
        m_retired.back()->errorString().contains(
            u"workflows.eventTriggers.on-ping: workflow step \"echo\": app \"nowhere\" not found"_s),
        qPrintable(m_retired.back()->errorString()));
}

void tst_Workflows::yamlExportAndImport()
{
    const QJsonObject schedule{
        {u"cron"_s, u"30 2 * * *"_s},
        {u"timezone"_s, u"America/New_York"_s},
        {u"paused"_s, true},
        {u"target"_s,
         target({appStep(u"s"_s,
                         u"echo"_s,
                         QJsonObject{{u"literal"_s,
                                      QJsonObject{{u"item"_s, u"true"_s},
                                                  {u"n"_s, 5},
                                                  {u"empty"_s, u""_s},
                                                  {u"none"_s, QJsonValue()}}}})})}};
    const HttpReply created = m_server->post(u"/api/v1/workflow/schedules"_s, json(schedule));
    QCOMPARE(created.status, 201);
    const QJsonObject trigger =
        createTrigger(u"t"_s, {appStep(u"s"_s, u"status"_s, literal({{u"code"_s, u"200"_s}}))});

    const HttpReply exported = m_server->get(u"/api/v1/workflow/config/export"_s);
    QCOMPARE(exported.status, 200);
    QCOMPARE(exported.header("Content-Type"), "application/yaml; charset=utf-8"_ba);
    QCOMPARE(exported.header("Content-Disposition"), "attachment; filename=\"workflows.yaml\""_ba);
    QVERIFY2(exported.body.contains("workflows:"), exported.body.constData());
    QVERIFY(exported.body.contains(created.json()[u"id"_s].toString().toUtf8()));

    // Delete everything, import the export: the same definitions come back under the same ids.
    QVERIFY(
        m_server->del(u"/api/v1/workflow/schedules/"_s + created.json()[u"id"_s].toString()).status
        == 200);
    QVERIFY(
        m_server->del(u"/api/v1/workflow/event-triggers/"_s + trigger[u"id"_s].toString()).status
        == 200);
    const HttpReply imported =
        m_server->request("POST",
                          u"/api/v1/workflow/config/import"_s,
                          exported.body,
                          {{"Content-Type"_ba, "application/x-yaml; charset=utf-8"_ba}});
    QCOMPARE(imported.status, 200);
    QCOMPARE(imported.json()[u"created"_s].toInt(), 2);
    const QJsonObject back =
        m_server->get(u"/api/v1/workflow/schedules/"_s + created.json()[u"id"_s].toString())
            .json()
            .object();
    QCOMPARE(back[u"target"_s].toObject(), schedule[u"target"_s].toObject());
    QCOMPARE(back[u"paused"_s].toBool(), true);
    QCOMPARE(back[u"timezone"_s].toString(), u"America/New_York"_s);
    QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers/"_s + trigger[u"id"_s].toString())
                 .json()[u"match"_s]
                 .toObject(),
             trigger[u"match"_s].toObject());
    // Importing it again updates in place.
    const HttpReply again = m_server->request("POST",
                                              u"/api/v1/workflow/config/import"_s,
                                              exported.body,
                                              {{"Content-Type"_ba, "text/yaml"_ba}});
    QCOMPARE(again.json()[u"updated"_s].toInt(), 2);
    QCOMPARE(again.json()[u"created"_s].toInt(), 0);
    QCOMPARE(m_server->get(u"/api/v1/workflow/schedules"_s).json().array().size(), 1);

    // Someone else's id is a conflict, and nothing of the file is applied.
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    const QByteArray bobs =
        "workflows:\n  eventTriggers:\n    fresh-one:\n      match: {type: z}\n"
        "      target: {steps: [{id: s, app: {name: bin, operation: status}}]}\n"
        "    "
        + trigger[u"id"_s].toString().toUtf8()
        + ":\n      match: {type: z}\n      target: {steps: [{id: s, app: {name: bin, operation: "
          "status}}]}\n";
    TestServer::Headers headers = TestServer::bearer(bob.token);
    headers.append({"Content-Type"_ba, "application/yaml"_ba});
    const HttpReply conflict =
        m_server->request("POST", u"/api/v1/workflow/config/import"_s, bobs, headers);
    QCOMPARE(conflict.status, 409);
    QVERIFY2(conflict.error().contains(u"already taken"_s), qPrintable(conflict.error()));
    QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers"_s, TestServer::bearer(bob.token))
                 .json()
                 .array()
                 .size(),
             0);
}

void tst_Workflows::yamlImportRejectsBadInput_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    const QByteArray yaml = "application/yaml";
    const QByteArray good =
        "workflows:\n  eventTriggers:\n    a:\n      match: {type: z}\n"
        "      target: {steps: [{id: s, app: {name: bin, operation: status}}]}\n";
    QTest::newRow("json") << "application/json"_ba << good << 415 << u"YAML"_s;
    QTest::newRow("no content type") << QByteArray() << good << 415 << u"YAML"_s;
    QTest::newRow("text plain") << "text/plain"_ba << good << 415 << u"YAML"_s;
    QTest::newRow("latin1 charset")
        << "application/yaml; charset=iso-8859-1"_ba << good << 415 << u"UTF-8"_s;
    QTest::newRow("invalid yaml") << yaml << "workflows: [\n"_ba << 400 << u"YAML"_s;
    QTest::newRow("bad cron")
        << yaml
        << "workflows:\n  schedules:\n    a:\n      cron: \"61 * * * *\"\n"
           "      target: {steps: [{id: s, app: {name: bin, operation: status}}]}\n"_ba
        << 400 << u"workflows.schedules.a: "_s;
    QTest::newRow("unknown app")
        << yaml << QByteArray(good).replace("name: bin", "name: nowhere") << 400
        << u"workflows.eventTriggers.a: workflow step \"s\": app \"nowhere\" not found"_s;
    QTest::newRow("step not allowed")
        << yaml
        << QByteArray(good).replace("name: bin, operation: status", "name: vault, operation: get")
        << 403 << u"access denied"_s;
    QTest::newRow("same id twice")
        << yaml
        << good
               + "  schedules:\n    a:\n      cron: \"* * * * *\"\n"
                 "      target: {steps: [{id: s, app: {name: bin, operation: status}}]}\n"
        << 409 << u"appears twice"_s;
    QTest::newRow("alias bomb")
        << yaml
        << "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
           "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, "
           "*c]\n"
           "workflows: {eventTriggers: {z: {match: {type: *d}}}}\n"_ba
        << 400 << u"aliases"_s;
    QTest::newRow("oversized") << yaml << "workflows: {}\n# " + QByteArray(300 * 1024, 'x') + "\n"
                               << 413 << u"larger than"_s;
    QTest::newRow("config prefix id")
        << yaml << QByteArray(good).replace("    a:", "    cfg_a:") << 400 << u"cfg_"_s;
}

void tst_Workflows::yamlImportRejectsBadInput()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    TestServer::Headers headers;
    headers.append({"Content-Type"_ba, contentType});
    const HttpReply reply =
        m_server->request("POST", u"/api/v1/workflow/config/import"_s, body, headers);
    QCOMPARE(reply.status, status);
    QVERIFY2(reply.error().contains(message), qPrintable(reply.error()));
    // All or nothing: nothing was created.
    QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers"_s).json().array().size(), 0);
    QCOMPARE(m_server->get(u"/api/v1/workflow/schedules"_s).json().array().size(), 0);
}

QTEST_MAIN(tst_Workflows)
#include "tst_workflows.moc"
