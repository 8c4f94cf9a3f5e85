// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Authorization policies (static members, dynamic grants, default allow for users only,
// per-operation allowedRoles) and the /admin/api/v1/authorization routes, on SQLite and
// PostgreSQL.
#include "authz/AuthzSnapshot.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

// Upstreams are never reached: denials happen before, and visibility is read from the lists.
const QString config = uR"(
authorization:
  policies:
    team:
      default: allow
      members:
        - email: alice@example.com
          role: admin
        - subjectID: service_account:bot
          role: viewer
    locked:
      members:
        - email: carol@example.com
          role: viewer
    admins:
      members:
        - email: root@example.com
          role: admin
apps:
  open:
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:9
        operations:
          - {name: ping, method: GET, path: /ping}
  team:
    authorizationPolicy: team
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:9
        operations:
          - {name: read, method: GET, path: /read}
          - {name: write, method: POST, path: /write, allowedRoles: [editor, admin]}
          - {name: wipe, method: DELETE, path: /wipe, allowedRoles: [admin]}
  closed:
    authorizationPolicy: locked
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:9
        operations:
          - {name: peek, method: GET, path: /peek}
)"_s;

const QString adminPolicy = u"server:\n  admin:\n    authorizationPolicy: admins\n"_s;
const QString base = u"/admin/api/v1/authorization"_s;

QStringList names(const QJsonArray &items, const QString &key = u"name"_s)
{
    QStringList out;
    for (const QJsonValue &item : items) {
        out.append(item[key].toString());
    }
    return out;
}

} // namespace

class tst_Authorization final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void precedence_data();
    void precedence();
    void serviceAccountsNeedExplicitGrants();
    void scopedTokenNarrowsPolicy();
    void dynamicGrantChangesAccess();
    void staticSubjectsCannotBeWritten();
    void memberWritesRejectBadInput_data();
    void memberWritesRejectBadInput();
    void memberRowsMergeStaticAndDynamic();
    void deleteMembers();
    void pendingReloadIs202();
    void debugRoutesPage();
    void adminProtection();
    void appAdminsManageOnlyTheirApp();
    void builtInAdmins();
    void openWithoutAdminPolicy();
    void decisionsAreAudited();

private:
    QStringList runnable(const QString &app, const QString &token);
    HttpReply put(const QString &path, const QJsonObject &body, const QString &token);
    std::unique_ptr<TestServer> m_server;
    TestServer::TestUser m_root;
};

void tst_Authorization::init()
{
    QTest::failOnWarning(
        QRegularExpression(u"^(?!authz: snapshot reload after a write failed).*"_s));
    QFETCH_GLOBAL(QString, backend);
    const bool open = QByteArray(QTest::currentTestFunction()) == "openWithoutAdminPolicy";
    m_server = std::make_unique<TestServer>(backend, config, open ? QString() : adminPolicy);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_root = m_server->user(u"root@example.com"_s);
}

QStringList tst_Authorization::runnable(const QString &app, const QString &token)
{
    const HttpReply reply =
        m_server->get(u"/api/v1/apps/%1/operations"_s.arg(app), TestServer::bearer(token));
    if (reply.status != 200) {
        return {u"status %1"_s.arg(reply.status)};
    }
    return names(reply.json().array(), u"id"_s);
}

HttpReply tst_Authorization::put(const QString &path, const QJsonObject &body, const QString &token)
{
    TestServer::Headers headers =
        token.isEmpty() ? TestServer::Headers{} : TestServer::bearer(token);
    headers.append({"Content-Type"_ba, "application/json"_ba});
    return m_server->request("PUT", path, QJsonDocument(body).toJson(), headers);
}

void tst_Authorization::precedence_data()
{
    QTest::addColumn<QString>("email");
    QTest::addColumn<QString>("app");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("static admin runs everything")
        << u"alice@example.com"_s << u"team"_s << QStringList{u"read"_s, u"wipe"_s, u"write"_s};
    QTest::newRow("default allow gives users viewer")
        << u"bob@example.com"_s << u"team"_s << QStringList{u"read"_s};
    QTest::newRow("default deny hides the app")
        << u"bob@example.com"_s << u"closed"_s << QStringList{u"status 403"_s};
    QTest::newRow("static viewer of a closed app")
        << u"carol@example.com"_s << u"closed"_s << QStringList{u"peek"_s};
    QTest::newRow("no policy is open")
        << u"bob@example.com"_s << u"open"_s << QStringList{u"ping"_s};
}

void tst_Authorization::precedence()
{
    QFETCH(QString, email);
    QFETCH(QString, app);
    QFETCH(QStringList, expected);
    const TestServer::TestUser caller = m_server->user(email);
    QStringList got = runnable(app, caller.token);
    got.sort();
    QCOMPARE(got, expected);
    const HttpReply apps = m_server->get(u"/api/v1/apps"_s, TestServer::bearer(caller.token));
    QCOMPARE(names(apps.json().array()).contains(app), !expected.first().startsWith(u"status"_s));
}

void tst_Authorization::serviceAccountsNeedExplicitGrants()
{
    // `default: allow` never applies to service accounts; a static member does.
    const QString stranger = m_server->subjectToken(u"stranger"_s);
    QCOMPARE(runnable(u"team"_s, stranger), QStringList{u"status 403"_s});
    const HttpReply denied = m_server->get(u"/api/v1/team/read"_s, TestServer::bearer(stranger));
    QCOMPARE(denied.status, 403);
    QCOMPARE(runnable(u"open"_s, stranger), QStringList{u"ping"_s});
    QCOMPARE(runnable(u"team"_s, m_server->subjectToken(u"bot"_s)), QStringList{u"read"_s});

    const HttpReply granted =
        put(base + u"/apps/team/members"_s,
            {{u"subjectId"_s, u"service_account:stranger"_s}, {u"role"_s, u"editor"_s}},
            m_root.token);
    QCOMPARE(granted.status, 200);
    QStringList ops = runnable(u"team"_s, stranger);
    ops.sort();
    QCOMPARE(ops, (QStringList{u"read"_s, u"write"_s}));
}

void tst_Authorization::scopedTokenNarrowsPolicy()
{
    const TestServer::TestUser scoped = m_server->user(u"alice@example.com"_s, u"open"_s);
    QCOMPARE(runnable(u"team"_s, scoped.token), QStringList{u"status 403"_s});
    const TestServer::TestUser perOp = m_server->user(
        u"alice@example.com"_s,
        {},
        QJsonArray{QJsonObject{{u"app"_s, u"team"_s}, {u"operations"_s, QJsonArray{u"wipe"_s}}}});
    QCOMPARE(runnable(u"team"_s, perOp.token), QStringList{u"wipe"_s});
    // bob is only a viewer: a token naming `wipe` does not add the role.
    const TestServer::TestUser bob = m_server->user(
        u"bob@example.com"_s,
        {},
        QJsonArray{QJsonObject{{u"app"_s, u"team"_s}, {u"operations"_s, QJsonArray{u"wipe"_s}}}});
    QCOMPARE(runnable(u"team"_s, bob.token), QStringList{});
    const HttpReply denied =
        m_server->post(u"/api/v1/team/wipe"_s, "{}"_ba, TestServer::bearer(bob.token));
    QCOMPARE(denied.status, 403);
    QVERIFY2(denied.error().contains(u"role \"viewer\""_s), denied.body.constData());
}

void tst_Authorization::dynamicGrantChangesAccess()
{
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    QCOMPARE(runnable(u"closed"_s, bob.token), QStringList{u"status 403"_s});
    HttpReply reply = put(base + u"/apps/closed/members"_s,
                          {{u"email"_s, u"BOB@example.com "_s}, {u"role"_s, u"viewer"_s}},
                          m_root.token);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()["status"_L1].toString(), u"ok"_s);
    QCOMPARE(reply.json()["persisted"_L1].toBool(), true);
    QCOMPARE(reply.json()["reloaded"_L1].toBool(), true);
    QCOMPARE(reply.json()["membership"_L1]["subjectId"_L1].toString(), bob.subjectId);
    QCOMPARE(runnable(u"closed"_s, bob.token), QStringList{u"peek"_s});

    // A dynamic grant raises a default-allow viewer on the team app.
    reply = put(base + u"/apps/team/members"_s,
                {{u"subjectId"_s, bob.subjectId}, {u"role"_s, u"editor"_s}},
                m_root.token);
    QCOMPARE(reply.status, 200);
    QStringList ops = runnable(u"team"_s, bob.token);
    ops.sort();
    QCOMPARE(ops, (QStringList{u"read"_s, u"write"_s}));
}

void tst_Authorization::staticSubjectsCannotBeWritten()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    for (const QJsonObject &body :
         {QJsonObject{{u"email"_s, u"alice@example.com"_s}, {u"role"_s, u"viewer"_s}},
          QJsonObject{{u"subjectId"_s, alice.subjectId}, {u"role"_s, u"viewer"_s}},
          QJsonObject{{u"subjectId"_s, u"service_account:bot"_s}, {u"role"_s, u"admin"_s}}}) {
        const HttpReply reply = put(base + u"/apps/team/members"_s, body, m_root.token);
        QCOMPARE(reply.status, 409);
    }
    // Still the static admin.
    QCOMPARE(runnable(u"team"_s, alice.token).size(), 3);
    const HttpReply removed = m_server->del(base + u"/apps/team/members/service_account:bot"_s,
                                            TestServer::bearer(m_root.token));
    QCOMPARE(removed.status, 409);
}

void tst_Authorization::memberWritesRejectBadInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::newRow("no role") << R"({"email":"x@example.com"})"_ba << u"role is required"_s;
    QTest::newRow("unknown role") << R"({"email":"x@example.com","role":"owner"})"_ba
                                  << u"invalid role"_s;
    QTest::newRow("role not a string")
        << R"({"email":"x@example.com","role":7})"_ba << u"invalid role"_s;
    QTest::newRow("neither subject nor email") << R"({"role":"viewer"})"_ba << u"exactly one"_s;
    QTest::newRow("both") << R"({"email":"x@example.com","subjectId":"user:1","role":"viewer"})"_ba
                          << u"exactly one"_s;
    QTest::newRow("system subject")
        << R"({"subjectId":"system:config","role":"viewer"})"_ba << u"system"_s;
    QTest::newRow("not canonical") << R"({"subjectId":"bob","role":"viewer"})"_ba << QString();
    QTest::newRow("unknown kind") << R"({"subjectId":"Robot!:x","role":"viewer"})"_ba << QString();
    QTest::newRow("bad service account")
        << R"({"subjectId":"service_account:has space","role":"viewer"})"_ba << QString();
    QTest::newRow("not an email") << R"({"email":"nobody","role":"viewer"})"_ba << u"email"_s;
    QTest::newRow("oversized email")
        << (R"({"role":"viewer","email":")" + QByteArray(400, 'a') + R"(@example.com"})")
        << u"longer than"_s;
    QTest::newRow("not JSON") << "{"_ba << u"invalid JSON"_s;
}

void tst_Authorization::memberWritesRejectBadInput()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    TestServer::Headers headers = TestServer::bearer(m_root.token);
    headers.append({"Content-Type"_ba, "application/json"_ba});
    const HttpReply reply =
        m_server->request("PUT", base + u"/apps/closed/members"_s, body, headers);
    QCOMPARE(reply.status, 400);
    QVERIFY2(reply.error().contains(message), reply.body.constData());
    // Nothing was written.
    const HttpReply rows =
        m_server->get(base + u"/apps/closed/members"_s, TestServer::bearer(m_root.token));
    QCOMPARE(rows.json().array().size(), 1);
}

void tst_Authorization::memberRowsMergeStaticAndDynamic()
{
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    // A dynamic row written before alice became static would be shadowed; simulate with bob.
    QCOMPARE(put(base + u"/apps/team/members"_s,
                 {{u"email"_s, u"bob@example.com"_s}, {u"role"_s, u"editor"_s}},
                 m_root.token)
                 .status,
             200);
    const HttpReply reply =
        m_server->get(base + u"/apps/team/members"_s, TestServer::bearer(m_root.token));
    QCOMPARE(reply.status, 200);
    const QJsonArray rows = reply.json().array();
    QCOMPARE(rows.size(), 3);
    QJsonObject aliceRow;
    QJsonObject botRow;
    QJsonObject bobRow;
    for (const QJsonValue &row : rows) {
        if (row["email"_L1].toString() == u"alice@example.com"_s) {
            aliceRow = row.toObject();
        } else if (row["selectorValue"_L1].toString() == u"service_account:bot"_s) {
            botRow = row.toObject();
        } else {
            bobRow = row.toObject();
        }
    }
    QCOMPARE(aliceRow["source"_L1].toString(), u"static"_s);
    QCOMPARE(aliceRow["mutable"_L1].toBool(), false);
    QCOMPARE(aliceRow["selectorKind"_L1].toString(), u"email"_s);
    QCOMPARE(aliceRow["role"_L1].toString(), u"admin"_s);
    QCOMPARE(botRow["selectorKind"_L1].toString(), u"subject_id"_s);
    QCOMPARE(botRow["effective"_L1].toBool(), true);
    QCOMPARE(bobRow["source"_L1].toString(), u"dynamic"_s);
    QCOMPARE(bobRow["mutable"_L1].toBool(), true);
    QCOMPARE(bobRow["email"_L1].toString(), u"bob@example.com"_s);
    QCOMPARE(bobRow["app"_L1].toString(), u"team"_s);
    QVERIFY(!alice.id.isEmpty());

    QCOMPARE(m_server->get(base + u"/apps/nope/members"_s, TestServer::bearer(m_root.token)).status,
             404);
    const HttpReply noPolicy =
        m_server->get(base + u"/apps/open/members"_s, TestServer::bearer(m_root.token));
    QCOMPARE(noPolicy.status, 400);
    QVERIFY(noPolicy.error().contains(u"authorizationPolicy"_s));
    // The older name answers the same.
    QCOMPARE(m_server->get(base + u"/plugins/team/members"_s, TestServer::bearer(m_root.token))
                 .json()
                 .array()
                 .size(),
             3);
}

void tst_Authorization::deleteMembers()
{
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    QCOMPARE(put(base + u"/apps/closed/members"_s,
                 {{u"subjectId"_s, bob.subjectId}, {u"role"_s, u"viewer"_s}},
                 m_root.token)
                 .status,
             200);
    HttpReply reply = m_server->del(base + u"/apps/closed/members/"_s + bob.subjectId,
                                    TestServer::bearer(m_root.token));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()["status"_L1].toString(), u"deleted"_s);
    QCOMPARE(runnable(u"closed"_s, bob.token), QStringList{u"status 403"_s});
    reply = m_server->del(base + u"/apps/closed/members/"_s + bob.subjectId,
                          TestServer::bearer(m_root.token));
    QCOMPARE(reply.status, 404);
    QCOMPARE(reply.error(), u"authorization member not found"_s);
    reply = m_server->del(base + u"/apps/closed/members/system:config"_s,
                          TestServer::bearer(m_root.token));
    QCOMPARE(reply.status, 400);
}

void tst_Authorization::pendingReloadIs202()
{
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    m_server->app().authzSnapshot().failNextReloadsForTesting(1);
    const HttpReply reply = put(base + u"/apps/closed/members"_s,
                                {{u"subjectId"_s, bob.subjectId}, {u"role"_s, u"viewer"_s}},
                                m_root.token);
    QCOMPARE(reply.status, 202);
    QCOMPARE(reply.json()["status"_L1].toString(), u"persisted_pending_reload"_s);
    QCOMPARE(reply.json()["persisted"_L1].toBool(), true);
    QCOMPARE(reply.json()["reloaded"_L1].toBool(), false);
    // The poll converges.
    QTRY_COMPARE_WITH_TIMEOUT(runnable(u"closed"_s, bob.token), QStringList{u"peek"_s}, 10000);

    m_server->app().authzSnapshot().failNextReloadsForTesting(1);
    const HttpReply removed = m_server->del(base + u"/apps/closed/members/"_s + bob.subjectId,
                                            TestServer::bearer(m_root.token));
    QCOMPARE(removed.status, 202);
    QCOMPARE(removed.json()["status"_L1].toString(), u"persisted_pending_reload"_s);
    QTRY_COMPARE_WITH_TIMEOUT(
        runnable(u"closed"_s, bob.token), QStringList{u"status 403"_s}, 10000);
}

void tst_Authorization::debugRoutesPage()
{
    const TestServer::Headers root = TestServer::bearer(m_root.token);
    const HttpReply provider = m_server->get(base + u"/provider"_s, root);
    QCOMPARE(provider.status, 200);
    QCOMPARE(provider.json()["name"_L1].toString(), u"database"_s);
    const QString modelId = provider.json()["activeModelId"_L1].toString();
    QVERIFY(!modelId.isEmpty());
    QVERIFY(
        provider.json()["activeModel"_L1]["definition"_L1]["types"_L1]["app"_L1].toArray().contains(
            u"editor"_s));

    const HttpReply models = m_server->get(base + u"/models"_s, root);
    QCOMPARE(models.status, 200);
    QCOMPARE(models.json()["models"_L1][0]["id"_L1].toString(), modelId);

    for (const QString &email : {u"a@example.com"_s, u"b@example.com"_s, u"c@example.com"_s}) {
        QCOMPARE(put(base + u"/apps/closed/members"_s,
                     {{u"email"_s, email}, {u"role"_s, u"viewer"_s}},
                     m_root.token)
                     .status,
                 200);
    }
    QStringList seen;
    QString token;
    int pages = 0;
    do {
        const HttpReply page = m_server->get(
            base + u"/relationships?resourceType=app&resourceId=closed&pageSize=2&pageToken="_s
                + token,
            root);
        QCOMPARE(page.status, 200);
        QCOMPARE(page.json()["modelId"_L1].toString(), modelId);
        for (const QJsonValue &item : page.json()["relationships"_L1].toArray()) {
            QCOMPARE(item["managed"_L1].toBool(), false);
            seen.append(item["subject"_L1]["id"_L1].toString());
        }
        token = page.json()["nextPageToken"_L1].toString();
        ++pages;
    } while (!token.isEmpty() && pages < 10);
    QCOMPARE(seen.size(), 3);
    QCOMPARE(pages, 2);

    // The config's static subject members are stored as managed relationships.
    const HttpReply managed =
        m_server->get(base + u"/relationships?resource=app_static:team"_s, root);
    QCOMPARE(managed.json()["relationships"_L1].toArray().size(), 1);
    QCOMPARE(managed.json()["relationships"_L1][0]["managed"_L1].toBool(), true);

    for (const QString &bad : {u"0"_s, u"-3"_s, u"abc"_s}) {
        const HttpReply reply = m_server->get(base + u"/relationships?pageSize="_s + bad, root);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.error(), u"pageSize must be a positive integer"_s);
    }
    QCOMPARE(m_server->get(base + u"/relationships?pageSize=100000"_s, root).status, 200);
    QCOMPARE(m_server->get(base + u"/relationships?pageToken=%%%"_s, root).status, 400);
    QCOMPARE(m_server->get(base + u"/relationships?modelId=other"_s, root).status, 404);

    const HttpReply apps = m_server->get(base + u"/apps"_s, root);
    QStringList appNames = names(apps.json().array());
    appNames.sort();
    QCOMPARE(appNames, (QStringList{u"closed"_s, u"team"_s}));
}

void tst_Authorization::adminProtection()
{
    // Login is off here, so an anonymous caller is the local user: not an admin.
    HttpReply reply = m_server->get(base + u"/provider"_s);
    QCOMPARE(reply.status, 403);
    QCOMPARE(reply.error(), u"admin access denied"_s);
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    QCOMPARE(m_server->get(base + u"/apps/team/members"_s, TestServer::bearer(bob.token)).status,
             403);
    QCOMPARE(put(base + u"/apps/team/members"_s,
                 {{u"subjectId"_s, bob.subjectId}, {u"role"_s, u"admin"_s}},
                 bob.token)
                 .status,
             403);
    QCOMPARE(m_server->get(base + u"/provider"_s, TestServer::bearer(u"gst_api_nope"_s)).status,
             401);
    // A scoped token of an admin is no admin credential.
    const TestServer::TestUser scoped = m_server->user(u"root@example.com"_s, u"open"_s);
    QCOMPARE(m_server->get(base + u"/provider"_s, TestServer::bearer(scoped.token)).status, 403);
}

void tst_Authorization::appAdminsManageOnlyTheirApp()
{
    const TestServer::TestUser dave = m_server->user(u"dave@example.com"_s);
    QCOMPARE(put(base + u"/apps/team/members"_s,
                 {{u"subjectId"_s, dave.subjectId}, {u"role"_s, u"admin"_s}},
                 m_root.token)
                 .status,
             200);
    const TestServer::Headers asDave = TestServer::bearer(dave.token);
    QCOMPARE(m_server->get(base + u"/apps/team/members"_s, asDave).status, 200);
    QCOMPARE(put(base + u"/apps/team/members"_s,
                 {{u"email"_s, u"erin@example.com"_s}, {u"role"_s, u"viewer"_s}},
                 dave.token)
                 .status,
             200);
    QCOMPARE(m_server->get(base + u"/apps/closed/members"_s, asDave).status, 403);
    QCOMPARE(m_server->get(base + u"/provider"_s, asDave).status, 403);
    QCOMPARE(m_server->get(base + u"/admins/members"_s, asDave).status, 403);
}

void tst_Authorization::builtInAdmins()
{
    const TestServer::Headers root = TestServer::bearer(m_root.token);
    HttpReply reply = m_server->get(base + u"/admins/members"_s, root);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("X-Gestalt-Can-Write"), "true"_ba);
    QCOMPARE(reply.json().array().size(), 1);
    QCOMPARE(reply.json()[0]["source"_L1].toString(), u"static"_s);

    const TestServer::TestUser erin = m_server->user(u"erin@example.com"_s);
    QCOMPARE(m_server->get(base + u"/provider"_s, TestServer::bearer(erin.token)).status, 403);
    // A viewer admin is not admitted (allowedRoles is [admin]).
    QCOMPARE(put(base + u"/admins/members"_s,
                 {{u"subjectId"_s, erin.subjectId}, {u"role"_s, u"viewer"_s}},
                 m_root.token)
                 .status,
             200);
    QCOMPARE(m_server->get(base + u"/provider"_s, TestServer::bearer(erin.token)).status, 403);
    QCOMPARE(put(base + u"/admins/members"_s,
                 {{u"subjectId"_s, erin.subjectId}, {u"role"_s, u"admin"_s}},
                 m_root.token)
                 .status,
             200);
    QCOMPARE(m_server->get(base + u"/provider"_s, TestServer::bearer(erin.token)).status, 200);
    QCOMPARE(put(base + u"/admins/members"_s,
                 {{u"email"_s, u"root@example.com"_s}, {u"role"_s, u"viewer"_s}},
                 erin.token)
                 .status,
             409);
    reply = m_server->del(base + u"/admins/members/"_s + erin.subjectId, root);
    QCOMPARE(reply.status, 200);
    QCOMPARE(m_server->get(base + u"/provider"_s, TestServer::bearer(erin.token)).status, 403);
}

void tst_Authorization::openWithoutAdminPolicy()
{
    QCOMPARE(m_server->get(base + u"/provider"_s).status, 200);
    const HttpReply reply = m_server->get(base + u"/admins/members"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("X-Gestalt-Can-Write"), "false"_ba);
    QCOMPARE(put(base + u"/admins/members"_s,
                 {{u"email"_s, u"x@example.com"_s}, {u"role"_s, u"admin"_s}},
                 {})
                 .status,
             400);
    QCOMPARE(put(base + u"/apps/closed/members"_s,
                 {{u"email"_s, u"x@example.com"_s}, {u"role"_s, u"viewer"_s}},
                 {})
                 .status,
             200);
}

void tst_Authorization::decisionsAreAudited()
{
    const TestServer::TestUser bob = m_server->user(u"bob@example.com"_s);
    TestServer::Headers headers = TestServer::bearer(bob.token);
    headers.append({"X-Request-Id"_ba, "audit-check-1"_ba});
    headers.append({"User-Agent"_ba, "tst-authorization"_ba});
    QCOMPARE(m_server->get(u"/api/v1/closed/peek"_s, headers).status, 403);
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(u"gst_api_wrong"_s)).status, 401);

    const TestServer::Headers root = TestServer::bearer(m_root.token);
    HttpReply reply = m_server->get(u"/api/v1/audit-events?action=peek"_s, root);
    QCOMPARE(reply.status, 200);
    const QJsonObject event = reply.json()["events"_L1][0].toObject();
    QCOMPARE(event["allowed"_L1].toBool(), false);
    QCOMPARE(event["subjectId"_L1].toString(), bob.subjectId);
    QCOMPARE(event["authSource"_L1].toString(), u"api_token"_s);
    QCOMPARE(event["targetName"_L1].toString(), u"closed"_s);
    QCOMPARE(event["requestId"_L1].toString(), u"audit-check-1"_s);
    QCOMPARE(event["clientIp"_L1].toString(), u"127.0.0.1"_s);
    QCOMPARE(event["userAgent"_L1].toString(), u"tst-authorization"_s);
    QVERIFY(event["error"_L1].toString().contains(u"access denied"_s));

    reply = m_server->get(u"/api/v1/audit-events?action=auth.*"_s, root);
    QCOMPARE(reply.json()["events"_L1][0]["action"_L1].toString(), u"auth.authenticate"_s);
    QCOMPARE(reply.json()["events"_L1][0]["error"_L1].toString(), u"invalid token"_s);
    // The token itself never reaches the trail.
    QVERIFY(!reply.body.contains("gst_api_wrong"));
    QVERIFY(!m_server->get(u"/api/v1/audit-events?limit=1000"_s, root)
                 .body.contains(bob.token.toUtf8()));
    // Only admins read it.
    QCOMPARE(m_server->get(u"/api/v1/audit-events"_s, TestServer::bearer(bob.token)).status, 403);
}

QTEST_GUILESS_MAIN(tst_Authorization)
#include "tst_authorization.moc"
