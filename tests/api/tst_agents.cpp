// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// /api/v1/agent/*: sessions, turns, events and their SSE stream, approval interactions, cancel,
// idempotency, with the scripted provider and with the openai provider against a local
// OpenAI-compatible fake (tests/peers/openai-fake.mjs), tools calling Debian's httpbin, on SQLite
// and PostgreSQL over real HTTP.
#include "store/Database.h"
#include "support/HttpbinProcess.h"
#include "support/NodePeer.h"
#include "support/RawHttpClient.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>

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
          - {name: anything, method: GET, path: /anything, parameters: [{name: city, in: query}]}
          - {name: remove, method: DELETE, path: /delete}
          - {name: slow, method: GET, path: /delay/3}
    allowedOperations:
      anything: {}
      slow: {}
      remove: {approval: required}
  vault:
    authorizationPolicy: locked
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: get, method: GET, path: /get}
)"_s.arg(httpbin);
}

QString agentYaml(const QString &openai)
{
    return uR"(agents:
  pollInterval: 100ms
  turnLease: 1s
  streamHeartbeat: 300ms
providers:
  agent:
    local:
      source: scripted
      default: true
      config:
        rules:
          - when: weather
            replies:
              - text: Let me check.
                toolCalls: [{tool: bin_anything, arguments: {city: Berlin}}]
              - text: "The service said: {{lastToolResult}}"
          - when: delete
            replies:
              - toolCalls: [{tool: bin_remove, arguments: {}}]
              - text: "After the delete: {{lastToolResult}}"
          - when: vault
            replies:
              - toolCalls: [{tool: vault_get, arguments: {}}]
              - text: "Vault: {{lastToolResult}}"
          - when: slow tool
            replies:
              - toolCalls: [{tool: bin_slow, arguments: {}}]
              - text: never
          - when: fail
            replies: [{error: the model is down}]
          - when: summary
            replies: [{text: '{"summary": "ok"}'}]
    slow:
      source: scripted
      config:
        delay: 200ms
        chunkWords: 1
    gpt:
      source: openai
      config:
        baseUrl: %1/v1
        apiKey: sk-test-key
        model: gpt-test
)"_s.arg(openai);
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject userMessage(const QString &text)
{
    return {{u"role"_s, u"user"_s}, {u"text"_s, text}};
}

// A server-sent-events response read as it arrives.
class SseReader final
{
public:
    SseReader(QNetworkAccessManager &network, const QUrl &url)
    {
        m_reply = network.get(QNetworkRequest(url));
        QObject::connect(
            m_reply, &QNetworkReply::readyRead, m_reply, [this] { m_raw += m_reply->readAll(); });
    }
    ~SseReader() { delete m_reply; }

    [[nodiscard]] bool finished() const { return m_reply->isFinished(); }
    [[nodiscard]] int status() const
    {
        return m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }
    [[nodiscard]] QByteArray contentType() const { return m_reply->rawHeader("Content-Type"); }
    [[nodiscard]] const QByteArray &raw() const { return m_raw; }
    // The JSON of each `data:` line so far.
    [[nodiscard]] QList<QJsonObject> events() const
    {
        QList<QJsonObject> out;
        for (const QByteArray &line : m_raw.split('\n')) {
            if (line.startsWith("data: ")) {
                out.append(QJsonDocument::fromJson(line.mid(6)).object());
            }
        }
        return out;
    }
    [[nodiscard]] QStringList types() const
    {
        QStringList out;
        for (const QJsonObject &e : events()) {
            out.append(e[u"type"_s].toString());
        }
        return out;
    }
    void abort() { m_reply->abort(); }

private:
    QNetworkReply *m_reply;
    QByteArray m_raw;
};

} // namespace

class tst_Agents final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();

    void unconfiguredSurfaceIs412();
    void sessionLifecycle();
    void textTurnStreamsEvents();
    void toolCallTurnCallsHttpbin();
    void approvalApproveAndDeny();
    void cancelMidStream();
    void cancelAbortsTheToolCall();
    void idempotentRepeats();
    void toolTheCallerMayNotUseIsDenied();
    void providerErrorFailsTheTurn();
    void structuredOutput();
    void openaiProviderWithTools();
    void olderClientNames();
    void streamResumesAfterAndStopsWhenBlocked();
    void othersSeeNothing();
    void workflowAgentStep();
    void badInput_data();
    void badInput();
    void hugeMessageIs413();

private:
    [[nodiscard]] QString createSession(const QString &provider = {},
                                        const TestServer::Headers &headers = {});
    [[nodiscard]] QJsonObject createTurn(const QString &session,
                                         const QString &text,
                                         const TestServer::Headers &headers = {},
                                         const QJsonObject &extra = {});
    [[nodiscard]] QJsonObject waitForStatus(const QString &turn,
                                            const QStringList &statuses,
                                            const TestServer::Headers &headers = {});
    [[nodiscard]] QJsonArray events(const QString &turn, const TestServer::Headers &headers = {});
    [[nodiscard]] QUrl url(const QString &path) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server->port()).arg(path));
    }

    std::vector<std::unique_ptr<TestServer>>
        m_retired; // restarted: their folders hold the SQLite file
    HttpbinProcess m_httpbin;
    NodePeer m_openai{u"openai-fake.mjs"_s};
    std::unique_ptr<TestServer> m_server;
    QNetworkAccessManager m_network;
};

void tst_Agents::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_Agents::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
    QVERIFY2(m_openai.start(), qPrintable(m_openai.errorString()));
}

void tst_Agents::init()
{
    QTest::failOnWarning(QRegularExpression(u"^(?!agent: ).*"_s));
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(
        backend, appsYaml(m_httpbin.baseUrl()), agentYaml(m_openai.baseUrl()));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

QString tst_Agents::createSession(const QString &provider, const TestServer::Headers &headers)
{
    QJsonObject body;
    if (!provider.isEmpty()) {
        body.insert(u"provider"_s, provider);
    }
    const HttpReply reply =
        m_server->request("POST", u"/api/v1/agent/sessions"_s, json(body), headers);
    if (reply.status != 201) {
        qWarning() << "session create failed" << reply.status << reply.body;
    }
    return reply.json()[u"id"_s].toString();
}

QJsonObject tst_Agents::createTurn(const QString &session,
                                   const QString &text,
                                   const TestServer::Headers &headers,
                                   const QJsonObject &extra)
{
    QJsonObject body = extra;
    body.insert(u"messages"_s, QJsonArray{userMessage(text)});
    const HttpReply reply = m_server->request(
        "POST", u"/api/v1/agent/sessions/%1/turns"_s.arg(session), json(body), headers);
    if (reply.status != 201) {
        qWarning() << "turn create failed" << reply.status << reply.body;
    }
    return reply.json().object();
}

QJsonObject tst_Agents::waitForStatus(const QString &turn,
                                      const QStringList &statuses,
                                      const TestServer::Headers &headers)
{
    QJsonObject found;
    for (int i = 0; i < 500; ++i) {
        found =
            m_server->request("GET", u"/api/v1/agent/turns/"_s + turn, {}, headers).json().object();
        if (statuses.contains(found[u"status"_s].toString())) {
            return found;
        }
        QTest::qWait(20);
    }
    qWarning() << "turn" << turn << "stayed" << found[u"status"_s].toString();
    return found;
}

QJsonArray tst_Agents::events(const QString &turn, const TestServer::Headers &headers)
{
    return m_server
        ->request("GET", u"/api/v1/agent/turns/%1/events?limit=1000"_s.arg(turn), {}, headers)
        .json()
        .array();
}

void tst_Agents::unconfiguredSurfaceIs412()
{
    QFETCH_GLOBAL(QString, backend);
    TestServer bare(backend, appsYaml(m_httpbin.baseUrl()));
    QVERIFY2(bare.start(), qPrintable(bare.errorString()));
    for (const auto &[method, path] :
         QList<std::pair<QByteArray, QString>>{{"POST", u"/api/v1/agent/sessions"_s},
                                               {"GET", u"/api/v1/agent/sessions"_s},
                                               {"GET", u"/api/v1/agent/turns/x"_s},
                                               {"GET", u"/api/v1/agent/turns/x/events/stream"_s}}) {
        const HttpReply reply =
            bare.request(method, path, method == "POST" ? "{}"_ba : QByteArray());
        QCOMPARE(reply.status, 412);
        QCOMPARE(reply.error(), u"agent is not configured"_s);
    }
    // /api/v1/auth/info says so; with an agent provider it says features.agent is on.
    QCOMPARE(bare.get(u"/api/v1/auth/info"_s).json()[u"features"_s][u"agent"_s], QJsonValue(false));
    QCOMPARE(m_server->get(u"/api/v1/auth/info"_s).json()[u"features"_s][u"agent"_s],
             QJsonValue(true));
}

void tst_Agents::sessionLifecycle()
{
    const HttpReply created = m_server->post(
        u"/api/v1/agent/sessions"_s,
        json({{u"clientRef"_s, u"roadmap-risk"_s},
              {u"metadata"_s, QJsonObject{{u"ticket"_s, u"RD-42"_s}}},
              {u"workspace"_s,
               QJsonObject{{u"checkouts"_s,
                            QJsonArray{QJsonObject{{u"url"_s, u"https://example.com/r.git"_s},
                                                   {u"path"_s, u"roadmap"_s}}}},
                           {u"cwd"_s, u"roadmap/docs"_s}}}}));
    QCOMPARE(created.status, 201);
    const QJsonObject session = created.json().object();
    const QString id = session[u"id"_s].toString();
    QCOMPARE(session[u"provider"_s].toString(), u"local"_s);
    QCOMPARE(session[u"model"_s].toString(), u"scripted"_s);
    QCOMPARE(session[u"state"_s].toString(), u"active"_s);
    QCOMPARE(session[u"workspace"_s][u"cwd"_s].toString(), u"roadmap/docs"_s);
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions/"_s + id).json().object(), session);

    QCOMPARE(m_server->get(u"/api/v1/agent/sessions?provider=local&state=active"_s)
                 .json()
                 .array()
                 .size(),
             1);
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions?provider=gpt"_s).json().array().size(), 0);
    QVERIFY(!m_server->get(u"/api/v1/agent/sessions?view=summary"_s)
                 .json()[0]
                 .toObject()
                 .contains(u"metadata"_s));

    const HttpReply patched =
        m_server->request("PATCH",
                          u"/api/v1/agent/sessions/"_s + id,
                          json({{u"state"_s, u"archived"_s}, {u"clientRef"_s, u"done"_s}}));
    QCOMPARE(patched.status, 200);
    QCOMPARE(patched.json()[u"state"_s].toString(), u"archived"_s);
    QCOMPARE(patched.json()[u"metadata"_s][u"ticket"_s].toString(), u"RD-42"_s);
    // An archived session takes no turns.
    const HttpReply refused =
        m_server->post(u"/api/v1/agent/sessions/%1/turns"_s.arg(id),
                       json({{u"messages"_s, QJsonArray{userMessage(u"hi"_s)}}}));
    QCOMPARE(refused.status, 409);
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions/nope"_s).status, 404);
}

void tst_Agents::textTurnStreamsEvents()
{
    const QString session = createSession(u"slow"_s);
    const QJsonObject turn = createTurn(session, u"hello there agent"_s);
    const QString id = turn[u"id"_s].toString();
    QCOMPARE(turn[u"status"_s].toString(), u"running"_s);
    QCOMPARE(turn[u"sessionId"_s].toString(), session);
    QCOMPARE(turn[u"messages"_s][0][u"text"_s].toString(), u"hello there agent"_s);

    // The stream delivers each delta as it is made (200 ms apart), then ends with the turn.
    SseReader stream(m_network, url(u"/api/v1/agent/turns/%1/events/stream"_s.arg(id)));
    QTRY_VERIFY_WITH_TIMEOUT(stream.types().contains(u"assistant.delta"_s), 10000);
    QVERIFY(!stream.finished()); // the first delta came while the turn still ran
    QTRY_VERIFY_WITH_TIMEOUT(stream.finished(), 15000);
    QCOMPARE(stream.status(), 200);
    QVERIFY(stream.contentType().startsWith("text/event-stream"));
    QVERIFY(stream.raw().startsWith(": stream-open\n\n"));
    const QList<QJsonObject> seen = stream.events();
    QStringList deltas;
    for (qsizetype i = 0; i < seen.size(); ++i) {
        QCOMPARE(seen[i][u"seq"_s].toInteger(), qint64(i + 1));
        QCOMPARE(seen[i][u"turnId"_s].toString(), id);
        QVERIFY(seen[i][u"data"_s].isObject());
        if (seen[i][u"type"_s].toString() == u"assistant.delta") {
            deltas << seen[i][u"data"_s][u"text"_s].toString();
            QCOMPARE(seen[i][u"display"_s][u"kind"_s].toString(), u"text"_s);
            QCOMPARE(seen[i][u"display"_s][u"phase"_s].toString(), u"delta"_s);
        }
    }
    QCOMPARE(deltas.join(QString()), u"You said: hello there agent"_s);
    QCOMPARE(seen.first()[u"type"_s].toString(), u"turn.started"_s);
    QCOMPARE(seen.last()[u"type"_s].toString(), u"turn.completed"_s);
    // The stored events are what the stream sent.
    QCOMPARE(events(id).size(), seen.size());
    const QJsonObject done = m_server->get(u"/api/v1/agent/turns/"_s + id).json().object();
    QCOMPARE(done[u"status"_s].toString(), u"succeeded"_s);
    QCOMPARE(done[u"outputText"_s].toString(), u"You said: hello there agent"_s);
    QVERIFY(done.contains(u"completedAt"_s));

    // A second turn sees the first one's conversation (history) and lists in order.
    const QString second = createTurn(session, u"again"_s)[u"id"_s].toString();
    QCOMPARE(waitForStatus(second, {u"succeeded"_s})[u"outputText"_s].toString(),
             u"You said: again"_s);
    const QJsonArray turns =
        m_server->get(u"/api/v1/agent/sessions/%1/turns"_s.arg(session)).json().array();
    QCOMPARE(turns.size(), 2);
    QCOMPARE(turns[0][u"id"_s].toString(), id);
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions/%1/turns?status=failed"_s.arg(session))
                 .json()
                 .array()
                 .size(),
             0);
    QVERIFY(!m_server->get(u"/api/v1/agent/sessions/%1/turns?view=summary"_s.arg(session))
                 .json()[0]
                 .toObject()
                 .contains(u"messages"_s));
}

void tst_Agents::toolCallTurnCallsHttpbin()
{
    const QString session = createSession();
    const QString id = createTurn(session, u"what is the weather"_s)[u"id"_s].toString();
    const QJsonObject done = waitForStatus(id, {u"succeeded"_s, u"failed"_s});
    QCOMPARE(done[u"status"_s].toString(), u"succeeded"_s);
    QVERIFY2(done[u"outputText"_s].toString().startsWith(
                 u"The service said: {\"args\":{\"city\":\"Berlin\"}"_s),
             qPrintable(done[u"outputText"_s].toString()));
    QStringList types;
    QJsonObject started;
    QJsonObject completed;
    for (const QJsonValue &e : events(id)) {
        types << e[u"type"_s].toString();
        if (e[u"type"_s].toString() == u"tool.started") {
            started = e.toObject();
        }
        if (e[u"type"_s].toString() == u"tool.completed") {
            completed = e.toObject();
        }
    }
    QVERIFY2(types.indexOf(u"tool.started"_s) < types.indexOf(u"tool.completed"_s),
             qPrintable(types.join(u',')));
    QCOMPARE(started[u"data"_s][u"arguments"_s][u"city"_s].toString(), u"Berlin"_s);
    QCOMPARE(started[u"display"_s][u"action"_s].toString(), u"Running"_s);
    QCOMPARE(completed[u"data"_s][u"status"_s].toInt(), 200);
    QCOMPARE(completed[u"data"_s][u"output"_s][u"url"_s].toString(),
             m_httpbin.baseUrl() + u"/anything?city=Berlin"_s);
    QCOMPARE(completed[u"display"_s][u"kind"_s].toString(), u"tool"_s);
    QCOMPARE(completed[u"display"_s][u"phase"_s].toString(), u"completed"_s);
    QCOMPARE(completed[u"display"_s][u"ref"_s].toString(),
             started[u"data"_s][u"toolCallId"_s].toString());
}

void tst_Agents::approvalApproveAndDeny()
{
    for (const bool approve : {true, false}) {
        const QString session = createSession();
        const QString id = createTurn(session, u"please delete the thing"_s)[u"id"_s].toString();
        const QJsonObject waiting = waitForStatus(id, {u"waiting_for_input"_s});
        QCOMPARE(waiting[u"status"_s].toString(), u"waiting_for_input"_s);
        const QJsonArray interactions =
            m_server->get(u"/api/v1/agent/turns/%1/interactions"_s.arg(id)).json().array();
        QCOMPARE(interactions.size(), 1);
        const QJsonObject interaction = interactions[0].toObject();
        QCOMPARE(interaction[u"type"_s].toString(), u"approval"_s);
        QCOMPARE(interaction[u"state"_s].toString(), u"pending"_s);
        QCOMPARE(interaction[u"request"_s][u"operation"_s].toString(), u"remove"_s);
        QCOMPARE(interaction[u"request"_s][u"method"_s].toString(), u"DELETE"_s);
        // Nothing ran upstream yet.
        for (const QJsonValue &e : events(id)) {
            QVERIFY(e[u"type"_s].toString() != u"tool.started");
        }
        const QString resolvePath = u"/api/v1/agent/turns/%1/interactions/%2/resolve"_s.arg(
            id, interaction[u"id"_s].toString());
        QCOMPARE(m_server->post(resolvePath, R"({"resolution":"yes"})").status, 400);
        const HttpReply resolved = m_server->post(
            resolvePath, json({{u"resolution"_s, QJsonObject{{u"approved"_s, approve}}}}));
        QCOMPARE(resolved.status, 200);
        QCOMPARE(resolved.json()[u"state"_s].toString(), u"resolved"_s);
        QCOMPARE(m_server->post(resolvePath, R"({"resolution":{"approved":true}})").status, 409);
        const QJsonObject done = waitForStatus(id, {u"succeeded"_s, u"failed"_s});
        QCOMPARE(done[u"status"_s].toString(), u"succeeded"_s);
        QStringList types;
        for (const QJsonValue &e : events(id)) {
            types << e[u"type"_s].toString();
        }
        QVERIFY(types.contains(u"interaction.requested"_s));
        QVERIFY(types.contains(u"interaction.resolved"_s));
        if (approve) {
            QVERIFY(types.contains(u"tool.completed"_s));
            QVERIFY2(done[u"outputText"_s].toString().contains(u"\"url\":\""_s + m_httpbin.baseUrl()
                                                               + u"/delete"_s),
                     qPrintable(done[u"outputText"_s].toString()));
        } else {
            QVERIFY(!types.contains(u"tool.started"_s));
            QVERIFY(types.contains(u"tool.failed"_s));
            QVERIFY2(done[u"outputText"_s].toString().contains(u"denied"_s),
                     qPrintable(done[u"outputText"_s].toString()));
        }
    }
}

void tst_Agents::cancelMidStream()
{
    const QString session = createSession(u"slow"_s);
    const QString id =
        createTurn(session, u"a long answer with many many words in it"_s)[u"id"_s].toString();
    SseReader stream(m_network, url(u"/api/v1/agent/turns/%1/events/stream"_s.arg(id)));
    QTRY_VERIFY_WITH_TIMEOUT(stream.types().contains(u"assistant.delta"_s), 10000);
    const HttpReply canceled = m_server->post(u"/api/v1/agent/turns/%1/cancel"_s.arg(id),
                                              R"({"reason":"operator requested"})");
    QCOMPARE(canceled.status, 200);
    QCOMPARE(canceled.json()[u"status"_s].toString(), u"canceled"_s);
    QCOMPARE(canceled.json()[u"statusMessage"_s].toString(), u"canceled: operator requested"_s);
    QTRY_VERIFY_WITH_TIMEOUT(stream.finished(), 10000);
    QCOMPARE(stream.types().last(), u"turn.canceled"_s);
    const int deltas = int(stream.types().count(u"assistant.delta"_s));
    QVERIFY(deltas < 9); // the model stopped
    // Cancel of a finished turn changes nothing.
    QCOMPARE(m_server->post(u"/api/v1/agent/turns/%1/cancel"_s.arg(id), {})
                 .json()[u"status"_s]
                 .toString(),
             u"canceled"_s);
}

void tst_Agents::cancelAbortsTheToolCall()
{
    const QString session = createSession();
    const QString id = createTurn(session, u"slow tool please"_s)[u"id"_s].toString();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QJsonValue &e : events(id)) {
                if (e[u"type"_s].toString() == u"tool.started") {
                    return true;
                }
            }
            return false;
        }(),
        10000);
    QCOMPARE(m_server->post(u"/api/v1/agent/turns/%1/cancel"_s.arg(id), {})
                 .json()[u"status"_s]
                 .toString(),
             u"canceled"_s);
    QStringList types;
    for (const QJsonValue &e : events(id)) {
        types << e[u"type"_s].toString();
    }
    QVERIFY(!types.contains(u"tool.completed"_s));
    QCOMPARE(types.last(), u"turn.canceled"_s);
    // A new turn may start at once: the session has nothing in progress.
    QVERIFY(!createTurn(session, u"hi"_s)[u"id"_s].toString().isEmpty());
}

void tst_Agents::idempotentRepeats()
{
    const TestServer::Headers key{{"Idempotency-Key"_ba, "session-1"_ba}};
    const HttpReply first =
        m_server->request("POST", u"/api/v1/agent/sessions"_s, R"({"clientRef":"x"})", key);
    QCOMPARE(first.status, 201);
    const HttpReply again = m_server->request("POST",
                                              u"/api/v1/agent/sessions"_s,
                                              R"({"clientRef":"x","idempotencyKey":"session-1"})",
                                              key);
    QCOMPARE(again.status, 201);
    QCOMPARE(again.header("Idempotent-Replayed"_ba), "true"_ba);
    QCOMPARE(again.json()[u"id"_s].toString(), first.json()[u"id"_s].toString());
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions"_s).json().array().size(), 1);
    // Header and body disagree; the same key for another request.
    QCOMPARE(
        m_server->request("POST", u"/api/v1/agent/sessions"_s, R"({"idempotencyKey":"other"})", key)
            .status,
        400);
    const HttpReply different =
        m_server->request("POST", u"/api/v1/agent/sessions"_s, R"({"clientRef":"y"})", key);
    QCOMPARE(different.status, 409);
    QVERIFY(different.error().contains(u"different request"_s));

    // Turns: the same key returns the same turn, not a second one.
    const QString session = first.json()[u"id"_s].toString();
    const TestServer::Headers turnKey{{"Idempotency-Key"_ba, "turn-1"_ba}};
    const QJsonObject turn = createTurn(session, u"hello"_s, turnKey);
    const QJsonObject repeat = createTurn(session, u"hello"_s, turnKey);
    QCOMPARE(repeat[u"id"_s].toString(), turn[u"id"_s].toString());
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions/%1/turns"_s.arg(session)).json().array().size(),
             1);

    // A request with the key still being handled elsewhere (another replica mid-create): 409.
    {
        QSqlQuery query(m_server->app().database().connection());
        QVERIFY(
            query.prepare(u"INSERT INTO agent_idempotency (scope, owner_subject_id, idem_key, "
                          u"request_hash, state, created_at) SELECT 'session', owner_subject_id, "
                          u"'busy', 'h', 'pending', ? FROM agent_sessions WHERE id = ?"_s));
        query.addBindValue(QDateTime::currentMSecsSinceEpoch());
        query.addBindValue(session);
        QVERIFY(query.exec());
    }
    const HttpReply busy = m_server->request(
        "POST", u"/api/v1/agent/sessions"_s, "{}", {{"Idempotency-Key"_ba, "busy"_ba}});
    QCOMPARE(busy.status, 409);
    QVERIFY(busy.error().contains(u"still being processed"_s));
    // Keys are stored: a restart on the same database still knows them.
    auto restarted = std::make_unique<TestServer>(
        QString(), appsYaml(m_httpbin.baseUrl()), agentYaml(m_openai.baseUrl()));
    restarted->shareDatastoreOf(*m_server);
    m_server->kill();
    std::swap(m_server, restarted);
    m_retired.push_back(std::move(restarted));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QCOMPARE(m_server->request("POST", u"/api/v1/agent/sessions"_s, R"({"clientRef":"x"})", key)
                 .json()[u"id"_s]
                 .toString(),
             session);
}

void tst_Agents::toolTheCallerMayNotUseIsDenied()
{
    // Dave has no role on vault: the turn is created, the call is denied and that shows.
    const TestServer::TestUser dave = m_server->user(u"dave@example.com"_s);
    const auto asDave = TestServer::bearer(dave.token);
    const QString session = createSession({}, asDave);
    const QString id = createTurn(session,
                                  u"read the vault"_s,
                                  asDave,
                                  {{u"toolRefs"_s,
                                    QJsonArray{QJsonObject{{u"appName"_s, u"vault"_s},
                                                           {u"operation"_s, u"get"_s}}}}})[u"id"_s]
                           .toString();
    const QJsonObject done = waitForStatus(id, {u"succeeded"_s, u"failed"_s}, asDave);
    QCOMPARE(done[u"status"_s].toString(), u"succeeded"_s);
    QJsonObject failed;
    for (const QJsonValue &e : events(id, asDave)) {
        if (e[u"type"_s].toString() == u"tool.failed") {
            failed = e.toObject();
        }
    }
    QVERIFY2(failed[u"data"_s][u"error"_s].toString().contains(u"access denied"_s),
             qPrintable(failed[u"data"_s][u"error"_s].toString()));
    QCOMPARE(failed[u"display"_s][u"phase"_s].toString(), u"failed"_s);
    // Without toolRefs only what the caller may use is offered: no vault tool at all.
    const QString open = createTurn(session, u"read the vault"_s, asDave)[u"id"_s].toString();
    QCOMPARE(waitForStatus(open, {u"succeeded"_s}, asDave)[u"status"_s].toString(), u"succeeded"_s);
    for (const QJsonValue &e : events(open, asDave)) {
        if (e[u"type"_s].toString() == u"tool.failed") {
            QVERIFY(e[u"data"_s][u"error"_s].toString().contains(u"not offered"_s));
        }
    }
    // Carol is a member: her call goes through.
    const TestServer::TestUser carol = m_server->user(u"carol@example.com"_s);
    const auto asCarol = TestServer::bearer(carol.token);
    const QString carolSession = createSession({}, asCarol);
    const QString carolTurn =
        createTurn(carolSession, u"read the vault"_s, asCarol)[u"id"_s].toString();
    QVERIFY(
        waitForStatus(carolTurn, {u"succeeded"_s}, asCarol)[u"outputText"_s].toString().startsWith(
            u"Vault: {"_s));
}

void tst_Agents::providerErrorFailsTheTurn()
{
    const QString session = createSession();
    const QString id = createTurn(session, u"fail now"_s)[u"id"_s].toString();
    const QJsonObject done = waitForStatus(id, {u"failed"_s});
    QCOMPARE(done[u"statusMessage"_s].toString(), u"model provider \"local\": the model is down"_s);
    const QJsonArray all = events(id);
    QCOMPARE(all.last()[u"type"_s].toString(), u"turn.failed"_s);
    QCOMPARE(all.last()[u"display"_s][u"kind"_s].toString(), u"error"_s);
}

void tst_Agents::structuredOutput()
{
    const QString session = createSession();
    const QJsonObject schema{
        {u"type"_s, u"object"_s},
        {u"properties"_s, QJsonObject{{u"summary"_s, QJsonObject{{u"type"_s, u"string"_s}}}}}};
    const QString id =
        createTurn(session, u"give me a summary"_s, {}, {{u"responseSchema"_s, schema}})[u"id"_s]
            .toString();
    const QJsonObject done = waitForStatus(id, {u"succeeded"_s});
    QCOMPARE(done[u"structuredOutput"_s].toObject(), QJsonObject({{u"summary"_s, u"ok"_s}}));
}

void tst_Agents::openaiProviderWithTools()
{
    const QString session = createSession(u"gpt"_s);
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions/"_s + session).json()[u"model"_s].toString(),
             u"gpt-test"_s);
    const QString id =
        createTurn(session,
                   u"please call-tool:bin_anything"_s,
                   {},
                   {{u"toolRefs"_s,
                     QJsonArray{QJsonObject{{u"appName"_s, u"bin"_s},
                                            {u"operation"_s, u"anything"_s}}}}})[u"id"_s]
            .toString();
    const QJsonObject done = waitForStatus(id, {u"succeeded"_s, u"failed"_s});
    QCOMPARE(done[u"status"_s].toString(), u"succeeded"_s);
    QVERIFY2(done[u"outputText"_s].toString().startsWith(u"Tool said: "_s),
             qPrintable(done[u"outputText"_s].toString()));
    QStringList types;
    for (const QJsonValue &e : events(id)) {
        types << e[u"type"_s].toString();
    }
    QVERIFY(types.contains(u"tool.completed"_s));
    QVERIFY(types.count(u"assistant.delta"_s) >= 2); // streamed from the fake's chunks
    // Token usage, summed over the two model calls (the fake reports 10 + 5 for each).
    const QJsonArray all = events(id);
    QCOMPARE(all.last()[u"type"_s].toString(), u"turn.completed"_s);
    QCOMPARE(all.last()[u"data"_s][u"usage"_s].toObject(),
             QJsonObject({{u"promptTokens"_s, 20}, {u"completionTokens"_s, 10}}));
    // What went to the model: the tool as a function, with the operation's input schema.
    Result<QJsonDocument> requests = m_openai.getJson(u"/requests"_s);
    QVERIFY(requests);
    const QJsonObject firstCall = requests->array().at(requests->array().size() - 2).toObject();
    QCOMPARE(firstCall[u"model"_s].toString(), u"gpt-test"_s);
    QCOMPARE(firstCall[u"tools"_s][0][u"function"_s][u"name"_s].toString(), u"bin_anything"_s);
    QVERIFY(firstCall[u"tools"_s][0][u"function"_s][u"parameters"_s][u"properties"_s]
                .toObject()
                .contains(u"city"_s));
}

void tst_Agents::olderClientNames()
{
    // http-api-legacy.md: providerOptions is the older name of modelOptions (sessions and turns),
    // toolRefs[].pluginName the older name of appName. Answers use the current names.
    const HttpReply created =
        m_server->post(u"/api/v1/agent/sessions"_s,
                       R"({"provider":"gpt","providerOptions":{"temperature":0.25}})");
    QCOMPARE(created.status, 201);
    const QString session = created.json()[u"id"_s].toString();
    const QJsonObject turn = createTurn(
        session,
        u"please call-tool:bin_anything"_s,
        {},
        {{u"toolRefs"_s,
          QJsonArray{QJsonObject{{u"pluginName"_s, u"bin"_s}, {u"operation"_s, u"anything"_s}}}},
         {u"providerOptions"_s, QJsonObject{{u"seed"_s, 7}}}});
    QCOMPARE(turn[u"toolRefs"_s].toArray(),
             QJsonArray({QJsonObject{{u"appName"_s, u"bin"_s}, {u"operation"_s, u"anything"_s}}}));
    const QJsonObject done = waitForStatus(turn[u"id"_s].toString(), {u"succeeded"_s, u"failed"_s});
    QCOMPARE(done[u"status"_s].toString(), u"succeeded"_s);
    // The model got the session's and the turn's options, and the tool pluginName named.
    Result<QJsonDocument> requests = m_openai.getJson(u"/requests"_s);
    QVERIFY(requests);
    const QJsonObject firstCall = requests->array().at(requests->array().size() - 2).toObject();
    QCOMPARE(firstCall[u"temperature"_s].toDouble(), 0.25);
    QCOMPARE(firstCall[u"seed"_s].toInt(), 7);
    QCOMPARE(firstCall[u"tools"_s].toArray().size(), 1);
    QCOMPARE(firstCall[u"tools"_s][0][u"function"_s][u"name"_s].toString(), u"bin_anything"_s);

    // Both names with the same value are one field.
    const HttpReply same = m_server->post(
        u"/api/v1/agent/sessions/%1/turns"_s.arg(createSession()),
        R"({"messages":[{"role":"user","text":"hi"}],"modelOptions":{"seed":1},"providerOptions":{"seed":1},
            "toolRefs":[{"appName":"bin","pluginName":"bin","operation":"anything"}]})");
    QCOMPARE(same.status, 201);
    QCOMPARE(same.json()[u"toolRefs"_s][0].toObject(),
             QJsonObject({{u"appName"_s, u"bin"_s}, {u"operation"_s, u"anything"_s}}));
}

void tst_Agents::streamResumesAfterAndStopsWhenBlocked()
{
    const QString session = createSession();
    const QString id = createTurn(session, u"delete please"_s)[u"id"_s].toString();
    QCOMPARE(waitForStatus(id, {u"waiting_for_input"_s})[u"status"_s].toString(),
             u"waiting_for_input"_s);
    // until=blocked_or_terminal ends at the approval; resuming after seq 1 skips turn.started.
    SseReader blocked(
        m_network,
        url(u"/api/v1/agent/turns/%1/events/stream?after=1&until=blocked_or_terminal"_s.arg(id)));
    QTRY_VERIFY_WITH_TIMEOUT(blocked.finished(), 10000);
    QCOMPARE(blocked.events().first()[u"seq"_s].toInteger(), qint64(2));
    QCOMPARE(blocked.types().last(), u"interaction.requested"_s);
    // until=terminal keeps the stream open (heartbeats) while the turn waits.
    SseReader open(m_network, url(u"/api/v1/agent/turns/%1/events/stream"_s.arg(id)));
    QTRY_VERIFY_WITH_TIMEOUT(open.raw().contains(": keepalive\n\n"), 10000);
    QVERIFY(!open.finished());
    // Other requests are served while streams are open.
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions"_s).status, 200);
    // A client that goes away costs nothing: the server drops it.
    SseReader gone(m_network, url(u"/api/v1/agent/turns/%1/events/stream"_s.arg(id)));
    QTRY_VERIFY_WITH_TIMEOUT(gone.raw().contains(": stream-open"), 10000);
    gone.abort();
    const QString interaction = m_server->get(u"/api/v1/agent/turns/%1/interactions"_s.arg(id))
                                    .json()[0][u"id"_s]
                                    .toString();
    QCOMPARE(m_server
                 ->post(u"/api/v1/agent/turns/%1/interactions/%2/resolve"_s.arg(id, interaction),
                        R"({"resolution":{"approved":false}})")
                 .status,
             200);
    QTRY_VERIFY_WITH_TIMEOUT(open.finished(), 10000);
    QCOMPARE(open.types().last(), u"turn.completed"_s);
    QCOMPARE(
        m_server->get(u"/api/v1/agent/turns/%1/events?after=1000"_s.arg(id)).json().array().size(),
        0);
    QCOMPARE(m_server->get(u"/api/v1/agent/turns/%1/events?after=2&limit=1"_s.arg(id))
                 .json()[0][u"seq"_s]
                 .toInteger(),
             qint64(3));
}

void tst_Agents::othersSeeNothing()
{
    const QString session = createSession();
    const QString turn = createTurn(session, u"hello"_s)[u"id"_s].toString();
    QCOMPARE(waitForStatus(turn, {u"succeeded"_s})[u"status"_s].toString(), u"succeeded"_s);
    const auto asErin = TestServer::bearer(m_server->user(u"erin@example.com"_s).token);
    QCOMPARE(m_server->request("GET", u"/api/v1/agent/sessions/"_s + session, {}, asErin).status,
             404);
    QCOMPARE(m_server->request("GET", u"/api/v1/agent/turns/"_s + turn, {}, asErin).status, 404);
    QCOMPARE(
        m_server->request("GET", u"/api/v1/agent/turns/%1/events"_s.arg(turn), {}, asErin).status,
        404);
    QCOMPARE(
        m_server->request("GET", u"/api/v1/agent/turns/%1/events/stream"_s.arg(turn), {}, asErin)
            .status,
        404);
    QCOMPARE(m_server
                 ->request("POST",
                           u"/api/v1/agent/sessions/%1/turns"_s.arg(session),
                           json({{u"messages"_s, QJsonArray{userMessage(u"x"_s)}}}),
                           asErin)
                 .status,
             404);
    QCOMPARE(
        m_server->request("GET", u"/api/v1/agent/sessions"_s, {}, asErin).json().array().size(), 0);
}

void tst_Agents::workflowAgentStep()
{
    // An event trigger whose agent step asks the scripted model, which calls httpbin through its
    // tool; the next app step gets the turn's answer.
    const QJsonObject agentStep{
        {u"id"_s, u"ask"_s},
        {u"agent"_s,
         QJsonObject{{u"provider"_s, u"local"_s},
                     {u"sessionKey"_s, u"weather-desk"_s},
                     {u"prompt"_s, u"weather for {{ event.data.city }}"_s},
                     {u"tools"_s,
                      QJsonArray{QJsonObject{{u"appName"_s, u"bin"_s},
                                             {u"operation"_s, u"anything"_s}}}}}}};
    const QJsonObject echoStep{
        {u"id"_s, u"echo"_s},
        {u"app"_s,
         QJsonObject{{u"name"_s, u"bin"_s},
                     {u"operation"_s, u"anything"_s},
                     {u"input"_s,
                      QJsonObject{{u"fields"_s,
                                   QJsonObject{{u"city"_s,
                                                QJsonObject{{u"from"_s,
                                                             u"steps.ask.output.text"_s}}}}}}}}}};
    const HttpReply trigger = m_server->post(
        u"/api/v1/workflow/event-triggers"_s,
        json({{u"match"_s, QJsonObject{{u"type"_s, u"weather.asked"_s}}},
              {u"target"_s, QJsonObject{{u"steps"_s, QJsonArray{agentStep, echoStep}}}}}));
    QCOMPARE(trigger.status, 201);
    // A tool that does not exist, or that the maker may not run, is refused when it is created.
    QJsonObject badAgent = agentStep;
    QJsonObject agent = badAgent[u"agent"_s].toObject();
    agent.insert(u"tools"_s,
                 QJsonArray{QJsonObject{{u"appName"_s, u"bin"_s}, {u"operation"_s, u"nope"_s}}});
    badAgent.insert(u"agent"_s, agent);
    const HttpReply unknownTool =
        m_server->post(u"/api/v1/workflow/event-triggers"_s,
                       json({{u"match"_s, QJsonObject{{u"type"_s, u"x"_s}}},
                             {u"target"_s, QJsonObject{{u"steps"_s, QJsonArray{badAgent}}}}}));
    QCOMPARE(unknownTool.status, 400);
    QCOMPARE(unknownTool.error(),
             u"workflow step \"ask\" agent tools[0]: no operation \"nope\" on app \"bin\""_s);
    agent.insert(u"tools"_s,
                 QJsonArray{QJsonObject{{u"appName"_s, u"vault"_s}, {u"operation"_s, u"get"_s}}});
    badAgent.insert(u"agent"_s, agent);
    const auto asDave = TestServer::bearer(m_server->user(u"dave@example.com"_s).token);
    const HttpReply denied =
        m_server->request("POST",
                          u"/api/v1/workflow/event-triggers"_s,
                          json({{u"match"_s, QJsonObject{{u"type"_s, u"x"_s}}},
                                {u"target"_s, QJsonObject{{u"steps"_s, QJsonArray{badAgent}}}}}),
                          asDave);
    QCOMPARE(denied.status, 403);
    QCOMPARE(m_server
                 ->post(u"/api/v1/workflow/events"_s,
                        R"({"type":"weather.asked","data":{"city":"Berlin"}})")
                 .status,
             202);
    QJsonObject run;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QJsonArray runs = m_server->get(u"/api/v1/workflow/runs"_s).json().array();
            run = runs.isEmpty() ? QJsonObject() : runs[0].toObject();
            const QString status = run[u"status"_s].toString();
            return status == u"succeeded" || status == u"failed";
        }(),
        20000);
    QCOMPARE(run[u"status"_s].toString(), u"succeeded"_s);
    const QString answer = run[u"steps"_s][0][u"output"_s][u"text"_s].toString();
    QVERIFY2(answer.startsWith(u"The service said: {\"args\":{\"city\":\"Berlin\"}"_s),
             qPrintable(answer));
    QCOMPARE(run[u"steps"_s][1][u"output"_s][u"args"_s][u"city"_s].toString(), answer);
    // The turn is the run owner's, in the session of its sessionKey.
    const QJsonArray sessions = m_server->get(u"/api/v1/agent/sessions"_s).json().array();
    QCOMPARE(sessions.size(), 1);
    QCOMPARE(sessions[0][u"clientRef"_s].toString(), u"workflow:weather-desk"_s);
}

void tst_Agents::badInput_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path"); // {s}: a session id, {t}: a finished turn id
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");

    const QString sessions = u"/api/v1/agent/sessions"_s;
    const QString turns = u"/api/v1/agent/sessions/{s}/turns"_s;
    QTest::newRow("unknown provider") << "POST"_ba << sessions << R"({"provider":"nope"})"_ba << 400
                                      << u"unknown agent provider \"nope\""_s;
    QTest::newRow("session unknown field")
        << "POST"_ba << sessions << R"({"color":1})"_ba << 400 << u"unknown field \"color\""_s;
    QTest::newRow("reserved metadata")
        << "POST"_ba << sessions << R"({"metadata":{"__gestalt.lifecycle.x":1}})"_ba << 400
        << u"reserved"_s;
    QTest::newRow("absolute checkout path")
        << "POST"_ba << sessions << R"({"workspace":{"checkouts":[{"url":"u","path":"/etc"}]}})"_ba
        << 400 << u"relative path"_s;
    QTest::newRow("checkout path escapes")
        << "POST"_ba << sessions
        << R"({"workspace":{"checkouts":[{"url":"u","path":"a/../../b"}]}})"_ba << 400
        << u"relative path"_s;
    QTest::newRow("cwd outside checkouts")
        << "POST"_ba << sessions
        << R"({"workspace":{"checkouts":[{"url":"u","path":"a"}],"cwd":"b"}})"_ba << 400
        << u"inside one of workspace.checkouts"_s;
    QTest::newRow("bad state filter") << "GET"_ba << sessions + u"?state=gone"_s << QByteArray()
                                      << 400 << u"state must be active or archived"_s;
    QTest::newRow("view and summary") << "GET"_ba << sessions + u"?view=full&summary=true"_s
                                      << QByteArray() << 400 << u"contradict"_s;
    QTest::newRow("limit too big") << "GET"_ba << sessions + u"?limit=501"_s << QByteArray() << 400
                                   << u"limit must be an integer from 1 to 500"_s;
    QTest::newRow("no messages") << "POST"_ba << turns << R"({})"_ba << 400
                                 << u"messages must be a non-empty array"_s;
    QTest::newRow("message without role")
        << "POST"_ba << turns << R"({"messages":[{"text":"x"}]})"_ba << 400
        << u"messages[0].role must be one of"_s;
    QTest::newRow("message without content")
        << "POST"_ba << turns << R"({"messages":[{"role":"user"}]})"_ba << 400
        << u"messages[0] needs text or parts"_s;
    QTest::newRow("part of unknown type")
        << "POST"_ba << turns << R"({"messages":[{"role":"user","parts":[{"type":"video"}]}]})"_ba
        << 400 << u"messages[0].parts[0].type must be one of"_s;
    QTest::newRow("text part without text")
        << "POST"_ba << turns << R"({"messages":[{"role":"user","parts":[{"type":"text"}]}]})"_ba
        << 400 << u"messages[0].parts[0].text must be a string"_s;
    QTest::newRow("tool ref without appName")
        << "POST"_ba << turns
        << R"({"messages":[{"role":"user","text":"x"}],"toolRefs":[{"operation":"anything"}]})"_ba
        << 400 << u"toolRefs[0].appName is required"_s;
    QTest::newRow("tool ref without operation")
        << "POST"_ba << turns
        << R"({"messages":[{"role":"user","text":"x"}],"toolRefs":[{"appName":"bin"}]})"_ba << 400
        << u"toolRefs[0].operation is required"_s;
    QTest::newRow("tool ref pluginName and appName differ")
        << "POST"_ba << turns
        << R"({"messages":[{"role":"user","text":"x"}],"toolRefs":[{"appName":"bin","pluginName":"vault","operation":"get"}]})"_ba
        << 400 << u"toolRefs[0].pluginName and toolRefs[0].appName differ; give one of them"_s;
    QTest::newRow("tool ref pluginName and plugin differ")
        << "POST"_ba << turns
        << R"({"messages":[{"role":"user","text":"x"}],"toolRefs":[{"pluginName":"bin","plugin":"vault","operation":"get"}]})"_ba
        << 400 << u"toolRefs[0].plugin and toolRefs[0].pluginName differ"_s;
    QTest::newRow("tool ref empty pluginName")
        << "POST"_ba << turns
        << R"({"messages":[{"role":"user","text":"x"}],"toolRefs":[{"pluginName":" ","operation":"anything"}]})"_ba
        << 400 << u"toolRefs[0].pluginName is required"_s;
    QTest::newRow("tool ref pluginName to unknown app")
        << "POST"_ba << turns
        << R"({"messages":[{"role":"user","text":"x"}],"toolRefs":[{"pluginName":"nope","operation":"x"}]})"_ba
        << 400 << u"app \"nope\" not found"_s;
    QTest::newRow("session providerOptions not an object")
        << "POST"_ba << sessions << R"({"providerOptions":[1]})"_ba << 400
        << u"providerOptions must be an object"_s;
    QTest::newRow("session providerOptions and modelOptions differ")
        << "POST"_ba << sessions << R"({"providerOptions":{"seed":1},"modelOptions":{"seed":2}})"_ba
        << 400 << u"providerOptions and modelOptions differ; give one of them"_s;
    QTest::newRow("turn providerOptions not an object")
        << "POST"_ba << turns
        << R"({"messages":[{"role":"user","text":"x"}],"providerOptions":"hot"})"_ba << 400
        << u"providerOptions must be an object"_s;
    QTest::newRow("turn providerOptions and modelOptions differ")
        << "POST"_ba << turns
        << R"({"messages":[{"role":"user","text":"x"}],"providerOptions":{},"modelOptions":{"seed":2}})"_ba
        << 400 << u"providerOptions and modelOptions differ"_s;
    QTest::newRow("toolRefs null")
        << "POST"_ba << turns << R"({"messages":[{"role":"user","text":"x"}],"toolRefs":null})"_ba
        << 400 << u"toolRefs must be an array"_s;
    QTest::newRow("tool ref to unknown app")
        << "POST"_ba << turns
        << R"({"messages":[{"role":"user","text":"x"}],"toolRefs":[{"appName":"nope","operation":"x"}]})"_ba
        << 400 << u"app \"nope\" not found"_s;
    QTest::newRow("bad toolSource")
        << "POST"_ba << turns
        << R"({"messages":[{"role":"user","text":"x"}],"toolSource":"web"})"_ba << 400
        << u"toolSource"_s;
    QTest::newRow("invalid until")
        << "GET"_ba << u"/api/v1/agent/turns/{t}/events/stream?until=forever"_s << QByteArray()
        << 400 << u"until must be terminal or blocked_or_terminal"_s;
    QTest::newRow("negative after") << "GET"_ba << u"/api/v1/agent/turns/{t}/events?after=-1"_s
                                    << QByteArray() << 400 << u"after must be an integer"_s;
    QTest::newRow("resolve unknown interaction")
        << "POST"_ba << u"/api/v1/agent/turns/{t}/interactions/nope/resolve"_s
        << R"({"resolution":{"approved":true}})"_ba << 404 << u"not found"_s;
    QTest::newRow("cancel with a number reason")
        << "POST"_ba << u"/api/v1/agent/turns/{t}/cancel"_s << R"({"reason":5})"_ba << 400
        << u"reason must be a string"_s;
}

void tst_Agents::badInput()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    const QString session = createSession();
    const QString turn = createTurn(session, u"hi"_s)[u"id"_s].toString();
    QCOMPARE(waitForStatus(turn, {u"succeeded"_s})[u"status"_s].toString(), u"succeeded"_s);
    path.replace(u"{s}"_s, session).replace(u"{t}"_s, turn);
    const HttpReply reply = m_server->request(method, path, body);
    QCOMPARE(reply.status, status);
    QVERIFY2(reply.error().contains(message), qPrintable(reply.error()));
    // The server keeps serving.
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions"_s).status, 200);
}

void tst_Agents::hugeMessageIs413()
{
    const QString session = createSession();
    const QByteArray huge =
        R"({"messages":[{"role":"user","text":")" + QByteArray(2 * 1024 * 1024, 'x') + R"("}]})";
    // Content-Length announces it: the server answers 413 before reading the body.
    const RawResponse tooBig =
        rawRequest(m_server->port(),
                   "POST /api/v1/agent/sessions/" + session.toUtf8()
                       + "/turns HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         "Content-Length: "
                       + QByteArray::number(huge.size()) + "\r\n\r\n" + huge.left(1024));
    QCOMPARE(tooBig.status, 413);
    QCOMPARE(m_server->get(u"/api/v1/agent/sessions/%1/turns"_s.arg(session)).json().array().size(),
             0);
}

QTEST_GUILESS_MAIN(tst_Agents)
#include "tst_agents.moc"
