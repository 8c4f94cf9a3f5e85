// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Attack catalogue (issue 18 §3 b, f): a token narrowed to some apps or operations sees and acts
// only within them in workflows and agents (definitions, runs, sessions, turns, events,
// approvals), and an event fires only the triggers its publisher may fire (the owner, a subject
// the trigger names, "*" in the config). Real HTTP against a running gestaltd, Debian's httpbin
// as the upstream, the offline scripted agent model, on SQLite and PostgreSQL.
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "identity/TokenRepository.h"
#include "store/Database.h"
#include "support/HttpbinProcess.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"
#include "workflows/WorkflowConfigSync.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

QString appsYaml(const QString &httpbin)
{
    return uR"(apps:
  bin:
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: anything, method: GET, path: /anything}
          - {name: status, method: GET, path: /status/200}
          - {name: remove, method: DELETE, path: /delete}
    allowedOperations:
      anything: {}
      status: {}
      remove: {approval: required}
  other:
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: get, method: GET, path: /get}
)"_s.arg(httpbin);
}

// Config-managed triggers: one naming a publisher, one open to all ("*"), one naming none.
const QString kRuntimeYaml = uR"(agents:
  pollInterval: 100ms
  turnLease: 1s
providers:
  agent:
    local:
      source: scripted
      default: true
      config:
        rules:
          - when: delete
            replies:
              - toolCalls: [{tool: bin_remove, arguments: {}}]
              - text: "After the delete: {{lastToolResult}}"
workflows:
  pollInterval: 50ms
  eventTriggers:
    named:
      match: {type: cfg.named}
      publishers: [service_account:feeder]
      target: {steps: [{id: s, app: {name: bin, operation: status}}]}
    anyone:
      match: {type: cfg.any}
      publishers: ["*"]
      target: {steps: [{id: s, app: {name: bin, operation: status}}]}
    nobody:
      match: {type: cfg.none}
      target: {steps: [{id: s, app: {name: bin, operation: status}}]}
)"_s;

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject step(const QString &id, const QString &app, const QString &operation)
{
    return {{u"id"_s, id}, {u"app"_s, QJsonObject{{u"name"_s, app}, {u"operation"_s, operation}}}};
}

QJsonArray onlyOperation(const QString &app, const QString &operation)
{
    return QJsonArray{QJsonObject{{u"app"_s, app}, {u"operations"_s, QJsonArray{operation}}}};
}

QStringList ids(const QJsonArray &array)
{
    QStringList out;
    for (const QJsonValue &item : array) {
        out << item[u"id"_s].toString();
    }
    return out;
}

} // namespace

class tst_SecScopes final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void scopedTokenCannotSeeOrCancelAnotherAppsWorkflows();
    void scopedTokenCannotCreateOrImportAWorkflowOutsideItsScope();
    void scopedTokenCannotReadAnotherAppsAgentSession();
    void scopedTokenCannotApproveAToolOutsideItsScope();
    void scopedTokenCannotFireItsOwnersWiderTrigger();
    void subjectTokenCannotFireAnotherUsersTrigger();
    void namedPublisherFiresAndRunRecordsIt();
    void publishersRejectBadInput_data();
    void publishersRejectBadInput();
    void configTriggerFiresOnlyForItsPublishers();
    void configTriggerRejectsBadPublishers();

private:
    // A token of the service account `id`, limited to `permissions`.
    [[nodiscard]] QString subjectToken(const QString &id, const QJsonArray &permissions);
    [[nodiscard]] QJsonObject createTrigger(const QString &type,
                                            const QJsonArray &steps,
                                            const TestServer::Headers &as,
                                            const QJsonArray &publishers = {});
    // Runs whose definition is `definitionId`, as "status published_by" rows.
    [[nodiscard]] QStringList runsOf(const QString &definitionId);
    [[nodiscard]] QJsonObject
    waitForTurn(const QString &turn, const QStringList &statuses, const TestServer::Headers &as);

    HttpbinProcess m_httpbin;
    std::unique_ptr<TestServer> m_server;
};

void tst_SecScopes::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_SecScopes::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
}

void tst_SecScopes::init()
{
    QTest::failOnWarning(QRegularExpression(u"^(?!agent: ).*"_s));
    // The config trigger without publishers is announced once, at start.
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"workflows\\.eventTriggers\\.nobody names no "
                                            u"publishers"_s));
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, appsYaml(m_httpbin.baseUrl()), kRuntimeYaml);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

QString tst_SecScopes::subjectToken(const QString &id, const QJsonArray &permissions)
{
    const QString token = u"gst_api_"_s + Crypto::randomHex(32);
    ApiTokenRecord record;
    record.id = Crypto::uuidV4();
    record.ownerKind = u"subject"_s;
    record.ownerId = id;
    record.credentialSubjectId = u"service_account:"_s + id;
    record.name = u"feeder"_s;
    record.hashedToken = Crypto::sha256Hex(token.toUtf8());
    record.permissions = permissions;
    if (Result<void> inserted = TokenRepository(m_server->app().database()).insert(record);
        !inserted) {
        qFatal("subjectToken: %s", qPrintable(inserted.error().message));
    }
    return token;
}

QJsonObject tst_SecScopes::createTrigger(const QString &type,
                                         const QJsonArray &steps,
                                         const TestServer::Headers &as,
                                         const QJsonArray &publishers)
{
    QJsonObject body{{u"match"_s, QJsonObject{{u"type"_s, type}}},
                     {u"target"_s, QJsonObject{{u"steps"_s, steps}}}};
    if (!publishers.isEmpty()) {
        body.insert(u"publishers"_s, publishers);
    }
    const HttpReply reply =
        m_server->request("POST", u"/api/v1/workflow/event-triggers"_s, json(body), as);
    if (reply.status != 201) {
        qWarning() << "trigger create failed" << reply.status << reply.body;
    }
    return reply.json().object();
}

QStringList tst_SecScopes::runsOf(const QString &definitionId)
{
    QSqlQuery query(m_server->app().database().connection());
    query.prepare(u"SELECT status, published_by FROM workflow_runs WHERE definition_id = ? "
                  u"ORDER BY created_at"_s);
    query.addBindValue(definitionId);
    QStringList rows;
    if (query.exec()) {
        while (query.next()) {
            rows << query.value(1).toString();
        }
    }
    return rows;
}

QJsonObject tst_SecScopes::waitForTurn(const QString &turn,
                                       const QStringList &statuses,
                                       const TestServer::Headers &as)
{
    QJsonObject found;
    for (int i = 0; i < 500; ++i) {
        found = m_server->request("GET", u"/api/v1/agent/turns/"_s + turn, {}, as).json().object();
        if (statuses.contains(found[u"status"_s].toString())) {
            return found;
        }
        QTest::qWait(20);
    }
    return found;
}

void tst_SecScopes::scopedTokenCannotSeeOrCancelAnotherAppsWorkflows()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    const auto asAlice = TestServer::bearer(alice.token);
    const auto asNarrow = TestServer::bearer(
        m_server->user(u"alice@example.com"_s, {}, onlyOperation(u"bin"_s, u"status"_s)).token);
    const auto asOldScope =
        TestServer::bearer(m_server->user(u"alice@example.com"_s, u"bin"_s).token);

    // Alice's own trigger on another app, and one mixing both apps; one inside the scope.
    const QString otherId =
        createTrigger(u"o"_s, {step(u"s"_s, u"other"_s, u"get"_s)}, asAlice)[u"id"_s].toString();
    const QString mixedId =
        createTrigger(u"o"_s,
                      {step(u"a"_s, u"bin"_s, u"status"_s), step(u"b"_s, u"other"_s, u"get"_s)},
                      asAlice)[u"id"_s]
            .toString();
    const QString insideId =
        createTrigger(u"i"_s, {step(u"s"_s, u"bin"_s, u"status"_s)}, asAlice)[u"id"_s].toString();
    QVERIFY(!otherId.isEmpty() && !mixedId.isEmpty() && !insideId.isEmpty());
    // A pending run of the other-app trigger (a schedule would do as well).
    QCOMPARE(
        m_server->request("POST", u"/api/v1/workflow/events"_s, R"({"type":"o"})", asAlice).status,
        202);
    QCOMPARE(
        m_server->request("POST", u"/api/v1/workflow/events"_s, R"({"type":"i"})", asAlice).status,
        202);
    const QJsonArray aliceRuns = m_server->get(u"/api/v1/workflow/runs"_s, asAlice).json().array();
    QCOMPARE(aliceRuns.size(), 3);
    QString otherRun;
    QString insideRun;
    for (const QJsonValue &run : aliceRuns) {
        const QString definition = run[u"trigger"_s][u"triggerId"_s].toString();
        if (definition == otherId) {
            otherRun = run[u"id"_s].toString();
        } else if (definition == insideId) {
            insideRun = run[u"id"_s].toString();
        }
    }
    QVERIFY(!otherRun.isEmpty() && !insideRun.isEmpty());

    for (const auto &as : {asNarrow, asOldScope}) {
        // Listing: only what is inside the scope.
        QCOMPARE(ids(m_server->get(u"/api/v1/workflow/event-triggers"_s, as).json().array()),
                 QStringList{insideId});
        QCOMPARE(ids(m_server->get(u"/api/v1/workflow/runs"_s, as).json().array()),
                 QStringList{insideRun});
        QCOMPARE(ids(m_server->get(u"/api/v1/workflow/runs?app=other"_s, as).json().array()),
                 QStringList());
        QVERIFY(!m_server->get(u"/api/v1/workflow/config/export"_s, as)
                     .body.contains(otherId.toUtf8()));
        // Each door of a definition outside the scope answers as if it did not exist.
        for (const QString &id : {otherId, mixedId}) {
            const QString path = u"/api/v1/workflow/event-triggers/"_s + id;
            for (const HttpReply &reply :
                 {m_server->get(path, as),
                  m_server->request(
                      "PUT",
                      path,
                      json({{u"match"_s, QJsonObject{{u"type"_s, u"x"_s}}},
                            {u"target"_s,
                             QJsonObject{
                                 {u"steps"_s, QJsonArray{step(u"s"_s, u"bin"_s, u"status"_s)}}}}}),
                      as),
                  m_server->request("POST", path + u"/pause"_s, {}, as),
                  m_server->request("DELETE", path, {}, as)}) {
                QCOMPARE(reply.status, 404);
                QCOMPARE(reply.error(), u"workflow event trigger \"%1\" not found"_s.arg(id));
            }
        }
        // Runs likewise: no read, no cancel.
        const HttpReply read = m_server->get(u"/api/v1/workflow/runs/"_s + otherRun, as);
        QCOMPARE(read.status, 404);
        QCOMPARE(read.error(), u"workflow run \"%1\" not found"_s.arg(otherRun));
        const HttpReply cancel =
            m_server->request("POST", u"/api/v1/workflow/runs/%1/cancel"_s.arg(otherRun), {}, as);
        QCOMPARE(cancel.status, 404);
        QCOMPARE(cancel.error(), u"workflow run \"%1\" not found"_s.arg(otherRun));
        // What is inside the scope stays usable.
        QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers/"_s + insideId, as).status, 200);
        QCOMPARE(m_server->get(u"/api/v1/workflow/runs/"_s + insideRun, as).status, 200);
    }
    // Nothing was changed behind Alice's back; her full token still sees everything.
    QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers/"_s + otherId, asAlice)
                 .json()[u"paused"_s]
                 .toBool(),
             false);
    QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers"_s, asAlice).json().array().size(), 3);
}

void tst_SecScopes::scopedTokenCannotCreateOrImportAWorkflowOutsideItsScope()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    const auto asAlice = TestServer::bearer(alice.token);
    const auto asNarrow = TestServer::bearer(
        m_server->user(u"alice@example.com"_s, {}, onlyOperation(u"bin"_s, u"status"_s)).token);

    // Another app, or another operation of the same app.
    for (const QJsonObject &outside :
         {step(u"s"_s, u"other"_s, u"get"_s), step(u"s"_s, u"bin"_s, u"remove"_s)}) {
        const HttpReply created =
            m_server->request("POST",
                              u"/api/v1/workflow/schedules"_s,
                              json({{u"cron"_s, u"0 3 * * *"_s},
                                    {u"target"_s, QJsonObject{{u"steps"_s, QJsonArray{outside}}}}}),
                              asNarrow);
        QCOMPARE(created.status, 403);
        QVERIFY2(created.error().contains(u"token scope denied"_s), qPrintable(created.error()));
    }
    // An import may not overwrite a definition of the owner's that lies outside the scope,
    // even with steps inside it.
    const QString otherId =
        createTrigger(u"o"_s, {step(u"s"_s, u"other"_s, u"get"_s)}, asAlice)[u"id"_s].toString();
    const QByteArray yaml =
        "workflows:\n  eventTriggers:\n    " + otherId.toUtf8()
        + ":\n      match: {type: o}\n      target: {steps: [{id: s, app: {name: bin, "
          "operation: status}}]}\n";
    const HttpReply imported =
        m_server->request("POST",
                          u"/api/v1/workflow/config/import"_s,
                          yaml,
                          asNarrow + TestServer::Headers{{"Content-Type", "application/yaml"}});
    QCOMPARE(imported.status, 409);
    QVERIFY2(imported.error().contains(u"is already taken"_s), qPrintable(imported.error()));
    QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers/"_s + otherId, asAlice)
                 .json()[u"target"_s][u"steps"_s][0][u"app"_s][u"name"_s]
                 .toString(),
             u"other"_s);
}

void tst_SecScopes::scopedTokenCannotReadAnotherAppsAgentSession()
{
    const auto asAlice = TestServer::bearer(m_server->user(u"alice@example.com"_s).token);
    const auto asNarrow = TestServer::bearer(
        m_server->user(u"alice@example.com"_s, {}, onlyOperation(u"bin"_s, u"anything"_s)).token);
    const auto asWider = TestServer::bearer(
        m_server
            ->user(
                u"alice@example.com"_s,
                {},
                QJsonArray{QJsonObject{{u"app"_s, u"bin"_s},
                                       {u"operations"_s, QJsonArray{u"anything"_s, u"status"_s}}}})
            .token);

    // Alice's full session: its turns may call every tool she has.
    const HttpReply session = m_server->request("POST", u"/api/v1/agent/sessions"_s, "{}", asAlice);
    QCOMPARE(session.status, 201);
    const QString sessionId = session.json()[u"id"_s].toString();
    const HttpReply turn = m_server->request("POST",
                                             u"/api/v1/agent/sessions/%1/turns"_s.arg(sessionId),
                                             R"({"messages":[{"role":"user","text":"hello"}]})",
                                             asAlice);
    QCOMPARE(turn.status, 201);
    const QString turnId = turn.json()[u"id"_s].toString();
    QCOMPARE(waitForTurn(turnId, {u"succeeded"_s}, asAlice)[u"status"_s].toString(),
             u"succeeded"_s);

    const auto refusedAsNotFound = [](const HttpReply &reply, const QString &what) {
        QCOMPARE(reply.status, 404);
        QVERIFY2(reply.error().startsWith(what) && reply.error().endsWith(u"not found"_s),
                 qPrintable(reply.error()));
    };
    refusedAsNotFound(m_server->get(u"/api/v1/agent/sessions/"_s + sessionId, asNarrow),
                      u"agent session"_s);
    refusedAsNotFound(
        m_server->request(
            "PATCH", u"/api/v1/agent/sessions/"_s + sessionId, R"({"state":"archived"})", asNarrow),
        u"agent session"_s);
    refusedAsNotFound(m_server->get(u"/api/v1/agent/sessions/%1/turns"_s.arg(sessionId), asNarrow),
                      u"agent session"_s);
    refusedAsNotFound(m_server->request("POST",
                                        u"/api/v1/agent/sessions/%1/turns"_s.arg(sessionId),
                                        R"({"messages":[{"role":"user","text":"more"}]})",
                                        asNarrow),
                      u"agent session"_s);
    refusedAsNotFound(m_server->get(u"/api/v1/agent/turns/"_s + turnId, asNarrow), u"agent turn"_s);
    refusedAsNotFound(m_server->get(u"/api/v1/agent/turns/%1/events"_s.arg(turnId), asNarrow),
                      u"agent turn"_s);
    refusedAsNotFound(
        m_server->get(u"/api/v1/agent/turns/%1/events/stream"_s.arg(turnId), asNarrow),
        u"agent turn"_s);
    refusedAsNotFound(m_server->get(u"/api/v1/agent/turns/%1/interactions"_s.arg(turnId), asNarrow),
                      u"agent turn"_s);
    refusedAsNotFound(
        m_server->request("POST", u"/api/v1/agent/turns/%1/cancel"_s.arg(turnId), {}, asNarrow),
        u"agent turn"_s);
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions"_s, asNarrow).json().array().size(), 0);

    // A session the narrow token made is its own, and a wider token's too (the wider scope
    // holds it); a session the wider token made is not the narrow one's.
    const HttpReply narrowSession =
        m_server->request("POST", u"/api/v1/agent/sessions"_s, "{}", asNarrow);
    QCOMPARE(narrowSession.status, 201);
    const QString narrowId = narrowSession.json()[u"id"_s].toString();
    QVERIFY(!narrowSession.json()[u"createdBy"_s].toObject().contains(u"tokenScope"_s));
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions/"_s + narrowId, asNarrow).status, 200);
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions/"_s + narrowId, asWider).status, 200);
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions/"_s + narrowId, asAlice).status, 200);
    const QString widerId = m_server->request("POST", u"/api/v1/agent/sessions"_s, "{}", asWider)
                                .json()[u"id"_s]
                                .toString();
    refusedAsNotFound(m_server->get(u"/api/v1/agent/sessions/"_s + widerId, asNarrow),
                      u"agent session"_s);
    QCOMPARE(ids(m_server->get(u"/api/v1/agent/sessions"_s, asNarrow).json().array()),
             QStringList{narrowId});

    // Once Alice's full token adds a turn to the narrow session, its conversation reaches beyond
    // the narrow scope: the session is no longer the narrow token's.
    const HttpReply wide = m_server->request("POST",
                                             u"/api/v1/agent/sessions/%1/turns"_s.arg(narrowId),
                                             R"({"messages":[{"role":"user","text":"hello"}]})",
                                             asAlice);
    QCOMPARE(wide.status, 201);
    QCOMPARE(waitForTurn(wide.json()[u"id"_s].toString(), {u"succeeded"_s}, asAlice)[u"status"_s]
                 .toString(),
             u"succeeded"_s);
    refusedAsNotFound(m_server->get(u"/api/v1/agent/sessions/"_s + narrowId, asNarrow),
                      u"agent session"_s);
}

void tst_SecScopes::scopedTokenCannotApproveAToolOutsideItsScope()
{
    const auto asAlice = TestServer::bearer(m_server->user(u"alice@example.com"_s).token);
    const auto asNarrow = TestServer::bearer(
        m_server->user(u"alice@example.com"_s, {}, onlyOperation(u"bin"_s, u"anything"_s)).token);

    // Alice's turn waits for approval of the destructive bin.remove.
    const QString sessionId = m_server->request("POST", u"/api/v1/agent/sessions"_s, "{}", asAlice)
                                  .json()[u"id"_s]
                                  .toString();
    const QString turnId =
        m_server
            ->request("POST",
                      u"/api/v1/agent/sessions/%1/turns"_s.arg(sessionId),
                      R"({"messages":[{"role":"user","text":"please delete it"}]})",
                      asAlice)
            .json()[u"id"_s]
            .toString();
    QCOMPARE(waitForTurn(turnId, {u"waiting_for_input"_s}, asAlice)[u"status"_s].toString(),
             u"waiting_for_input"_s);
    const QJsonArray interactions =
        m_server->get(u"/api/v1/agent/turns/%1/interactions"_s.arg(turnId), asAlice).json().array();
    QCOMPARE(interactions.size(), 1);
    const QString interactionId = interactions[0][u"id"_s].toString();
    QCOMPARE(interactions[0][u"request"_s][u"operation"_s].toString(), u"remove"_s);

    // The narrow token's approval is refused, the interaction stays pending, nothing ran.
    const QString resolve =
        u"/api/v1/agent/turns/%1/interactions/%2/resolve"_s.arg(turnId, interactionId);
    const HttpReply approved =
        m_server->request("POST", resolve, R"({"resolution":{"approved":true}})", asNarrow);
    QCOMPARE(approved.status, 403);
    QCOMPARE(
        approved.error(),
        u"token scope denied: the token may not approve operation \"remove\" on app \"bin\""_s);
    const QJsonArray after =
        m_server->get(u"/api/v1/agent/turns/%1/interactions"_s.arg(turnId), asAlice).json().array();
    QCOMPARE(after[0][u"state"_s].toString(), u"pending"_s);
    QCOMPARE(
        m_server->get(u"/api/v1/agent/turns/"_s + turnId, asAlice).json()[u"status"_s].toString(),
        u"waiting_for_input"_s);
    for (const QJsonValue &event :
         m_server->get(u"/api/v1/agent/turns/%1/events"_s.arg(turnId), asAlice).json().array()) {
        QVERIFY(!event[u"type"_s].toString().startsWith(u"tool."_s));
    }
    // A token whose scope holds the tool approves its own turn.
    const auto asRemover = TestServer::bearer(
        m_server->user(u"alice@example.com"_s, {}, onlyOperation(u"bin"_s, u"remove"_s)).token);
    const QString ownSession =
        m_server->request("POST", u"/api/v1/agent/sessions"_s, "{}", asRemover)
            .json()[u"id"_s]
            .toString();
    const QString ownTurn =
        m_server
            ->request("POST",
                      u"/api/v1/agent/sessions/%1/turns"_s.arg(ownSession),
                      R"({"messages":[{"role":"user","text":"please delete it"}]})",
                      asRemover)
            .json()[u"id"_s]
            .toString();
    QCOMPARE(waitForTurn(ownTurn, {u"waiting_for_input"_s}, asRemover)[u"status"_s].toString(),
             u"waiting_for_input"_s);
    const QString ownInteraction =
        m_server->get(u"/api/v1/agent/turns/%1/interactions"_s.arg(ownTurn), asRemover)
            .json()[0][u"id"_s]
            .toString();
    // The narrow token may not approve it either (another operation), even knowing the ids.
    QCOMPARE(m_server
                 ->request("POST",
                           u"/api/v1/agent/turns/%1/interactions/%2/resolve"_s.arg(ownTurn,
                                                                                   ownInteraction),
                           R"({"resolution":{"approved":true}})",
                           asNarrow)
                 .status,
             403);
    const HttpReply own = m_server->request(
        "POST",
        u"/api/v1/agent/turns/%1/interactions/%2/resolve"_s.arg(ownTurn, ownInteraction),
        R"({"resolution":{"approved":true}})",
        asRemover);
    QCOMPARE(own.status, 200);
    QCOMPARE(waitForTurn(ownTurn, {u"succeeded"_s, u"failed"_s}, asRemover)[u"status"_s].toString(),
             u"succeeded"_s);
    // Alice's full token may still decide her own turn.
    QCOMPARE(
        m_server->request("POST", resolve, R"({"resolution":{"approved":false}})", asAlice).status,
        200);
}

void tst_SecScopes::scopedTokenCannotFireItsOwnersWiderTrigger()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    const auto asAlice = TestServer::bearer(alice.token);
    const auto asNarrow = TestServer::bearer(
        m_server->user(u"alice@example.com"_s, {}, onlyOperation(u"bin"_s, u"status"_s)).token);
    const QString wider =
        createTrigger(u"w"_s, {step(u"s"_s, u"other"_s, u"get"_s)}, asAlice)[u"id"_s].toString();
    const QString inside =
        createTrigger(u"w"_s, {step(u"s"_s, u"bin"_s, u"status"_s)}, asAlice)[u"id"_s].toString();
    const HttpReply published = m_server->request(
        "POST", u"/api/v1/workflow/events"_s, R"({"type":"w","data":{"x":1}})", asNarrow);
    QCOMPARE(published.status, 202);
    QCOMPARE(runsOf(wider).size(), 0);
    QCOMPARE(runsOf(inside), QStringList{alice.subjectId});
    QCOMPARE(published.json()[u"publishedBy"_s].toString(), alice.subjectId);
}

void tst_SecScopes::subjectTokenCannotFireAnotherUsersTrigger()
{
    const auto asAlice = TestServer::bearer(m_server->user(u"alice@example.com"_s).token);
    const auto asFeeder =
        TestServer::bearer(subjectToken(u"feeder"_s, onlyOperation(u"bin"_s, u"status"_s)));
    const auto asBob = TestServer::bearer(m_server->user(u"bob@example.com"_s).token);
    const QString trigger =
        createTrigger(u"deploy"_s, {step(u"s"_s, u"bin"_s, u"anything"_s)}, asAlice)[u"id"_s]
            .toString();
    QVERIFY(!trigger.isEmpty());
    for (const auto &as : {asFeeder, asBob}) {
        const HttpReply published = m_server->request(
            "POST", u"/api/v1/workflow/events"_s, R"({"type":"deploy","data":{"inject":"x"}})", as);
        QCOMPARE(published.status, 202);
        QCOMPARE(published.json()[u"status"_s].toString(), u"published"_s);
    }
    // Runs are stored while the event is published: none was made.
    QCOMPARE(runsOf(trigger), QStringList());
    QCOMPARE(m_server->get(u"/api/v1/workflow/runs"_s, asAlice).json().array().size(), 0);
}

void tst_SecScopes::namedPublisherFiresAndRunRecordsIt()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    const auto asAlice = TestServer::bearer(alice.token);
    const auto asFeeder =
        TestServer::bearer(subjectToken(u"feeder"_s, onlyOperation(u"bin"_s, u"status"_s)));
    const auto asOtherFeeder =
        TestServer::bearer(subjectToken(u"feeder2"_s, onlyOperation(u"bin"_s, u"status"_s)));
    const QJsonObject created =
        createTrigger(u"deploy"_s,
                      {step(u"s"_s, u"bin"_s, u"anything"_s)},
                      asAlice,
                      QJsonArray{u"service_account:feeder"_s, u"service_account:feeder"_s});
    const QString trigger = created[u"id"_s].toString();
    QCOMPARE(created[u"publishers"_s].toArray(), QJsonArray{u"service_account:feeder"_s});
    QCOMPARE(
        m_server
            ->request("POST", u"/api/v1/workflow/events"_s, R"({"type":"deploy"})", asOtherFeeder)
            .status,
        202);
    QCOMPARE(runsOf(trigger), QStringList());
    QCOMPARE(
        m_server->request("POST", u"/api/v1/workflow/events"_s, R"({"type":"deploy"})", asFeeder)
            .status,
        202);
    QCOMPARE(runsOf(trigger), QStringList{u"service_account:feeder"_s});
    const QJsonArray runs = m_server->get(u"/api/v1/workflow/runs"_s, asAlice).json().array();
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs[0][u"publishedBy"_s].toString(), u"service_account:feeder"_s);
    QCOMPARE(runs[0][u"createdBy"_s][u"subjectId"_s].toString(), alice.subjectId);

    // A PUT without publishers keeps them; an empty list clears them.
    const QString path = u"/api/v1/workflow/event-triggers/"_s + trigger;
    QJsonObject body{{u"match"_s, QJsonObject{{u"type"_s, u"deploy"_s}}},
                     {u"target"_s, created[u"target"_s]}};
    QCOMPARE(m_server->request("PUT", path, json(body), asAlice).json()[u"publishers"_s].toArray(),
             QJsonArray{u"service_account:feeder"_s});
    body.insert(u"publishers"_s, QJsonArray());
    QCOMPARE(m_server->request("PUT", path, json(body), asAlice).json()[u"publishers"_s].toArray(),
             QJsonArray());
    QCOMPARE(
        m_server->request("POST", u"/api/v1/workflow/events"_s, R"({"type":"deploy"})", asFeeder)
            .status,
        202);
    QCOMPARE(runsOf(trigger).size(), 1);

    // Export and import carry the publishers.
    body.insert(u"publishers"_s, QJsonArray{u"service_account:feeder"_s});
    QCOMPARE(m_server->request("PUT", path, json(body), asAlice).status, 200);
    const QByteArray yaml = m_server->get(u"/api/v1/workflow/config/export"_s, asAlice).body;
    QVERIFY2(yaml.contains("publishers:"), yaml.constData());
    QByteArray renamed = yaml;
    renamed.replace(trigger.toUtf8(), "imported-one");
    const HttpReply imported =
        m_server->request("POST",
                          u"/api/v1/workflow/config/import"_s,
                          renamed,
                          asAlice + TestServer::Headers{{"Content-Type", "application/yaml"}});
    QCOMPARE(imported.status, 200);
    QCOMPARE(m_server->get(u"/api/v1/workflow/event-triggers/imported-one"_s, asAlice)
                 .json()[u"publishers"_s]
                 .toArray(),
             QJsonArray{u"service_account:feeder"_s});
}

void tst_SecScopes::publishersRejectBadInput_data()
{
    QTest::addColumn<QByteArray>("publishers");
    QTest::addColumn<QString>("error");
    QTest::newRow("wildcard") << R"(["*"])"_ba
                              << u"publishers[0]: \"*\" (any publisher) can only be set in the "
                                 u"config file"_s;
    QTest::newRow("not an array") << R"("user:x")"_ba
                                  << u"publishers must be an array of subject ids"_s;
    QTest::newRow("not a string") << R"([1])"_ba << u"publishers[0] must be a string"_s;
    QTest::newRow("no kind") << R"(["alice"])"_ba << QString();
    QTest::newRow("empty id") << R"(["user:"])"_ba << QString();
    QTest::newRow("control char") << R"(["user:a\u0001b"])"_ba << QString();
}

void tst_SecScopes::publishersRejectBadInput()
{
    QFETCH(QByteArray, publishers);
    QFETCH(QString, error);
    const auto asAlice = TestServer::bearer(m_server->user(u"alice@example.com"_s).token);
    const HttpReply reply = m_server->request(
        "POST",
        u"/api/v1/workflow/event-triggers"_s,
        R"({"match":{"type":"t"},"target":{"steps":[{"id":"s","app":{"name":"bin","operation":"status"}}]},"publishers":)"
            + publishers + "}",
        asAlice);
    QCOMPARE(reply.status, 400);
    if (error.isEmpty()) {
        QVERIFY2(reply.error().startsWith(u"publishers[0]: "_s), qPrintable(reply.error()));
    } else {
        QCOMPARE(reply.error(), error);
    }
    // Schedules take no publishers.
    const HttpReply schedule = m_server->request(
        "POST",
        u"/api/v1/workflow/schedules"_s,
        R"({"cron":"0 3 * * *","target":{"steps":[{"id":"s","app":{"name":"bin","operation":"status"}}]},"publishers":[]})",
        asAlice);
    QCOMPARE(schedule.status, 400);
    QVERIFY2(schedule.error().startsWith(u"unknown field \"publishers\""_s),
             qPrintable(schedule.error()));
}

void tst_SecScopes::configTriggerFiresOnlyForItsPublishers()
{
    const auto asAlice = TestServer::bearer(m_server->user(u"alice@example.com"_s).token);
    const auto asFeeder =
        TestServer::bearer(subjectToken(u"feeder"_s, onlyOperation(u"bin"_s, u"status"_s)));
    const QString named = WorkflowConfigSync::triggerId(u"named"_s);
    const QString anyone = WorkflowConfigSync::triggerId(u"anyone"_s);
    const QString nobody = WorkflowConfigSync::triggerId(u"nobody"_s);
    for (const auto &as : {asAlice, asFeeder}) {
        for (const QByteArray &type : {"cfg.named"_ba, "cfg.any"_ba, "cfg.none"_ba}) {
            QCOMPARE(
                m_server
                    ->request(
                        "POST", u"/api/v1/workflow/events"_s, R"({"type":")" + type + R"("})", as)
                    .status,
                202);
        }
    }
    QCOMPARE(runsOf(named), QStringList{u"service_account:feeder"_s});
    QStringList anyRuns = runsOf(anyone);
    anyRuns.sort();
    QStringList expected{m_server->user(u"alice@example.com"_s).subjectId,
                         u"service_account:feeder"_s};
    expected.sort();
    QCOMPARE(anyRuns, expected);
    QCOMPARE(runsOf(nobody), QStringList());
}

void tst_SecScopes::configTriggerRejectsBadPublishers()
{
    QFETCH_GLOBAL(QString, backend);
    TestServer bad(backend, appsYaml(m_httpbin.baseUrl()), uR"(workflows:
  eventTriggers:
    t:
      match: {type: x}
      publishers: [alice]
      target: {steps: [{id: s, app: {name: bin, operation: status}}]}
)"_s);
    QVERIFY(!bad.start());
    QVERIFY2(bad.errorString().contains(u"workflows.eventTriggers.t: publishers[0]: "_s),
             qPrintable(bad.errorString()));
}

QTEST_GUILESS_MAIN(tst_SecScopes)
#include "tst_sec_scopes.moc"
