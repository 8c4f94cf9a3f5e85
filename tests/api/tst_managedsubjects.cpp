// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Managed subjects (service accounts), /api/v1/authorization/subjects: create/inspect/update/
// delete with its cascade, members, app grants (no escalation), external identities, the
// subject's own credentials (manual, OAuth through oauth2-mock-server, pending choice) and API
// tokens, against Debian's httpbin as the upstream, on SQLite and PostgreSQL.
#include "audit/AuditLog.h"
#include "authz/AuthzSnapshot.h"
#include "store/Database.h"
#include "support/HttpbinProcess.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

// {"accounts":[{"id":"acme","name":"Acme Corp","region":"eu"},
//               {"id":"globex","name":"Globex","region":"us"}]}
const QString twoAccounts =
    u"eyJhY2NvdW50cyI6W3siaWQiOiJhY21lIiwibmFtZSI6IkFjbWUgQ29ycCIsInJlZ2lvbiI6ImV1In0seyJpZCI6Imds"
    "b2JleCIsIm5hbWUiOiJHbG9iZXgiLCJyZWdpb24iOiJ1cyJ9XX0="_s;

QString configYaml(const QString &authServer, const QString &httpbin)
{
    return uR"(authorization:
  policies:
    locked:
      default: allow
      members:
        - {email: lockadmin@example.com, role: admin}
        - {subjectID: "service_account:static-bot", role: viewer}
    ops:
      members:
        - {email: root@example.com, role: admin}
connections:
  echo_token:
    mode: user
    auth: {type: manual}
  mock:
    mode: user
    auth:
      type: oauth2
      authorizationUrl: %1/authorize
      tokenUrl: %1/token
      clientId: gestalt-test
      clientSecret: test-client-secret
      pkce: true
apps:
  bin:
    connections: {default: {ref: echo_token}}
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - {name: headers, method: GET, path: /headers}
  locked:
    authorizationPolicy: locked
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - {name: headers, method: GET, path: /headers}
  oauthy:
    connections: {default: {ref: mock}}
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - {name: headers, method: GET, path: /headers}
  accounts:
    connections:
      default:
        mode: user
        auth: {type: manual}
        params:
          region: {from: discovery}
        discovery:
          url: %2/base64/%3
          itemsPath: accounts
          metadata: {region: region}
    headers:
      X-Region: "{region}"
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - {name: headers, method: GET, path: /headers}
)"_s.arg(authServer, httpbin, twoAccounts);
}

const QString adminPolicy = u"server:\n  admin:\n    authorizationPolicy: ops\n"_s;
const QString base = u"/api/v1/authorization/subjects"_s;
const QString bot = u"/service_account:bot"_s;

// GET without following redirects; `cookie` (name=value) is sent when given.
std::pair<int, QUrl>
fetchRedirect(QNetworkAccessManager &network, const QUrl &url, const QByteArray &cookie = {})
{
    QNetworkRequest request(url);
    if (!cookie.isEmpty()) {
        request.setRawHeader("Cookie", cookie);
    }
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = network.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(15000)) {
        return {0, {}};
    }
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    return {status, url.resolved(QUrl::fromEncoded(reply->rawHeader("Location")))};
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_ManagedSubjects final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void createInspectAndUpdate();
    void createRejectsBadInput_data();
    void createRejectsBadInput();
    void callersMustBeUnscopedUsers();
    void permissionMatrix();
    void membersKeepAnAdmin();
    void memberWritesRejectBadInput_data();
    void memberWritesRejectBadInput();
    void grantsNeedTheCallersAppRole();
    void grantDeleteMayBePendingReload();
    void subjectTokensNeedAnExplicitGrant();
    void subjectTokensAreManagedByAdmins();
    void externalIdentities();
    void manualCredentialsBelongToTheSubject();
    void oauthStoresOnTheSubject();
    void pendingChoiceStoresOnTheSubject();
    void deleteCascades();
    void changesAreAudited();

private:
    // `token` empty: the anonymous local user (login is off), who creates the subjects.
    HttpReply call(const QByteArray &method,
                   const QString &path,
                   const QByteArray &body = {},
                   const QString &token = {});
    void createBot();
    [[nodiscard]] QString issueToken(const QByteArray &body = R"({"name":"ci"})");
    [[nodiscard]] TestServer::TestUser member(const QString &email, const QString &role);
    [[nodiscard]] int count(const QString &sql);

    HttpbinProcess m_httpbin;
    NodePeer m_authServer{u"oauth-server.mjs"_s};
    std::unique_ptr<TestServer> m_server;
    QNetworkAccessManager m_browser;
};

void tst_ManagedSubjects::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
    QVERIFY2(m_authServer.start(), qPrintable(m_authServer.errorString()));
}

void tst_ManagedSubjects::init()
{
    QTest::failOnWarning(
        QRegularExpression(u"^(?!authz: snapshot reload after a write failed).*"_s));
    QFETCH_GLOBAL(QString, backend);
    Result<QJsonDocument> reset =
        m_authServer.postJson(u"/_control"_s, QJsonDocument(QJsonObject{{u"reset"_s, true}}));
    QVERIFY2(reset.hasValue(), reset ? "" : qPrintable(reset.error().message));
    m_server = std::make_unique<TestServer>(
        backend, configYaml(m_authServer.baseUrl(), m_httpbin.baseUrl()), adminPolicy);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

HttpReply tst_ManagedSubjects::call(const QByteArray &method,
                                    const QString &path,
                                    const QByteArray &body,
                                    const QString &token)
{
    return m_server->request(method,
                             base + path,
                             body,
                             token.isEmpty() ? TestServer::Headers{} : TestServer::bearer(token));
}

void tst_ManagedSubjects::createBot()
{
    const HttpReply reply = call("POST", {}, R"({"id":"bot"})");
    QCOMPARE(reply.status, 201);
}

QString tst_ManagedSubjects::issueToken(const QByteArray &body)
{
    const HttpReply reply = call("POST", bot + u"/tokens"_s, body);
    if (reply.status != 201) {
        qWarning() << "subject token create failed" << reply.status << reply.body;
        return {};
    }
    return reply.json()[u"token"_s].toString();
}

TestServer::TestUser tst_ManagedSubjects::member(const QString &email, const QString &role)
{
    TestServer::TestUser user = m_server->user(email);
    const HttpReply reply = call(
        "PUT", bot + u"/members"_s, json({{u"subjectId"_s, user.subjectId}, {u"role"_s, role}}));
    if (reply.status != 200) {
        qWarning() << "member put failed" << reply.status << reply.body;
    }
    return user;
}

int tst_ManagedSubjects::count(const QString &sql)
{
    QSqlQuery query(m_server->app().database().connection());
    if (!query.exec(sql) || !query.next()) {
        qWarning() << "count failed:" << sql;
        return -1;
    }
    return query.value(0).toInt();
}

void tst_ManagedSubjects::createInspectAndUpdate()
{
    HttpReply reply = call("POST",
                           {},
                           R"({"subjectId":"service_account:release-bot","kind":"service_account",
                               "displayName":" Release bot ","description":"Ships releases"})");
    QCOMPARE(reply.status, 201);
    QJsonObject subject = reply.json().object();
    QCOMPARE(subject[u"id"_s].toString(), u"service_account:release-bot"_s);
    QCOMPARE(subject[u"subjectId"_s].toString(), u"service_account:release-bot"_s);
    QCOMPARE(subject[u"kind"_s].toString(), u"service_account"_s);
    QCOMPARE(subject[u"displayName"_s].toString(), u"Release bot"_s);
    QCOMPARE(subject[u"description"_s].toString(), u"Ships releases"_s);
    QCOMPARE(subject[u"role"_s].toString(), u"admin"_s);
    QVERIFY(subject[u"createdBySubjectId"_s].toString().startsWith(u"user:"_s));
    QVERIFY(!subject[u"createdAt"_s].toString().isEmpty());
    QVERIFY(!subject.contains(u"deletedAt"_s));
    QCOMPARE(call("POST", {}, R"({"id":"ci.bot_1-x"})").json()[u"displayName"_s].toString(),
             u"ci.bot_1-x"_s);

    // The creator is the admin member; the bare id addresses the subject too.
    reply = call("GET", u"/release-bot/members"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().array(),
             (QJsonArray{QJsonObject{{u"subjectId"_s, subject[u"createdBySubjectId"_s]},
                                     {u"role"_s, u"admin"_s},
                                     {u"email"_s, u"anonymous@gestalt"_s}}}));
    reply = call("GET", {});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().array().size(), 2);
    QCOMPARE(reply.json()[0][u"id"_s].toString(), u"service_account:ci.bot_1-x"_s);

    reply = call("PATCH",
                 u"/service_account:release-bot"_s,
                 R"({"displayName":"Releaser","description":""})");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"displayName"_s].toString(), u"Releaser"_s);
    QVERIFY(!reply.json().object().contains(u"description"_s));
    reply = call("PATCH", u"/service_account:release-bot"_s, R"({"displayName":""})");
    QCOMPARE(reply.json()[u"displayName"_s].toString(), u"release-bot"_s);
    reply = call("PATCH", u"/service_account:release-bot"_s, R"({"owner":"me"})");
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), u"unknown field \"owner\""_s);
    reply = call("GET", u"/service_account:release-bot"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"displayName"_s].toString(), u"release-bot"_s);

    // Ids are never handed out twice.
    reply = call("POST", {}, R"({"id":"release-bot"})");
    QCOMPARE(reply.status, 409);
    QCOMPARE(reply.error(), u"managed subject already exists"_s);
    reply = call("GET", u"/service_account:ghost"_s);
    QCOMPARE(reply.status, 404);
    QCOMPARE(reply.error(), u"managed subject \"service_account:ghost\" not found"_s);
    QCOMPARE(call("GET", u"/user:abc"_s).status, 400);
}

void tst_ManagedSubjects::createRejectsBadInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    const QString badId = u"service account id must be 1 to 128 of [A-Za-z0-9._-]"_s;
    QTest::newRow("malformed JSON") << "{\"id\":"_ba << u"invalid JSON body"_s;
    QTest::newRow("array body") << "[]"_ba << u"JSON body must be an object"_s;
    QTest::newRow("no id") << "{}"_ba << u"id or subjectId is required"_s;
    QTest::newRow("empty id") << R"({"id":""})"_ba << badId;
    QTest::newRow("space in id") << R"({"id":"bad id"})"_ba << badId;
    QTest::newRow("slash in id") << R"({"id":"a/b"})"_ba << badId;
    QTest::newRow("129-character id") << "{\"id\":\"" + QByteArray(129, 'a') + "\"}" << badId;
    QTest::newRow("id is a number") << R"({"id":5})"_ba << u"id must be a string"_s;
    QTest::newRow("user subjectId") << R"({"subjectId":"user:abc"})"_ba
                                    << u"subjectId must have the form service_account:<id>"_s;
    QTest::newRow("system subjectId") << R"({"subjectId":"system:config"})"_ba
                                      << u"subjectId must have the form service_account:<id>"_s;
    QTest::newRow("system id") << R"({"id":"system:config"})"_ba
                               << u"id must have the form service_account:<id>"_s;
    QTest::newRow("ids disagree") << R"({"id":"a","subjectId":"service_account:b"})"_ba
                                  << u"id and subjectId name different subjects"_s;
    QTest::newRow("user kind") << R"({"id":"a","kind":"user"})"_ba
                               << u"managed subject kind must be service_account"_s;
    QTest::newRow("kind is a number")
        << R"({"id":"a","kind":1})"_ba << u"managed subject kind must be service_account"_s;
    QTest::newRow("displayName is a number")
        << R"({"id":"a","displayName":1})"_ba << u"displayName must be a string"_s;
    QTest::newRow("257-character displayName")
        << "{\"id\":\"a\",\"displayName\":\"" + QByteArray(257, 'n') + "\"}"
        << u"displayName is longer than 256 characters"_s;
    QTest::newRow("control character in displayName")
        << R"({"id":"a","displayName":"a\u0007b"})"_ba
        << u"displayName contains control characters"_s;
    QTest::newRow("2049-character description")
        << "{\"id\":\"a\",\"description\":\"" + QByteArray(2049, 'd') + "\"}"
        << u"description is longer than 2048 characters"_s;
    QTest::newRow("unknown field")
        << R"({"id":"a","owner":"me"})"_ba << u"unknown field \"owner\""_s;
}

void tst_ManagedSubjects::createRejectsBadInput()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const HttpReply reply =
        m_server->request("POST", base, body, {{"Content-Type"_ba, "application/json"_ba}});
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), message);
    QCOMPARE(call("GET", {}).json().array().size(), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM managed_subjects"_s), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM authz_relationships WHERE resource_type = "
                   "'managed_subject'"_s),
             0);
}

void tst_ManagedSubjects::callersMustBeUnscopedUsers()
{
    createBot();
    const TestServer::TestUser scoped = m_server->user(u"scoped@example.com"_s, u"bin"_s);
    const TestServer::TestUser limited =
        m_server->user(u"limited@example.com"_s, {}, QJsonArray{QJsonObject{{u"app"_s, u"bin"_s}}});
    const QString subjectToken = issueToken();
    QVERIFY(!subjectToken.isEmpty());
    for (const QString &token : {scoped.token, limited.token}) {
        for (const auto &[method, path] : {std::pair{"GET"_ba, QString()},
                                           std::pair{"POST"_ba, QString()},
                                           std::pair{"GET"_ba, bot},
                                           std::pair{"DELETE"_ba, bot}}) {
            const HttpReply reply = call(method, path, R"({"id":"other"})", token);
            QCOMPARE(reply.status, 403);
            QCOMPARE(reply.error(), u"scoped API tokens cannot manage managed subjects"_s);
        }
    }
    const QString tokens = bot + u"/tokens"_s;
    for (const auto &[method, path] : {std::pair{"GET"_ba, QString()},
                                       std::pair{"POST"_ba, QString()},
                                       std::pair{"GET"_ba, bot},
                                       std::pair{"POST"_ba, tokens},
                                       std::pair{"DELETE"_ba, tokens}}) {
        const HttpReply reply = call(method, path, R"({"id":"other","name":"x"})", subjectToken);
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.error(), u"subject-owned API tokens cannot manage managed subjects"_s);
    }
    QCOMPARE(call("GET", {}).json().array().size(), 1); // "other" was never created
    QCOMPARE(call("GET", bot + u"/tokens"_s).json().array().size(), 1);
}

void tst_ManagedSubjects::permissionMatrix()
{
    createBot();
    const TestServer::TestUser viewer = member(u"viewer@example.com"_s, u"viewer"_s);
    const TestServer::TestUser editor = member(u"editor@example.com"_s, u"editor"_s);
    const TestServer::TestUser outsider = m_server->user(u"outsider@example.com"_s);
    struct Route
    {
        QByteArray method;
        QString path;
        QByteArray body;
        QString needed;
        int status; // for a caller holding the role (404s: admitted, then nothing to act on)
    };
    const QList<Route> routes{
        {"GET", {}, {}, u"viewer"_s, 200},
        {"GET", u"/members"_s, {}, u"viewer"_s, 200},
        {"GET", u"/grants"_s, {}, u"viewer"_s, 200},
        {"GET", u"/integrations"_s, {}, u"viewer"_s, 200},
        {"GET", u"/tokens"_s, {}, u"viewer"_s, 200},
        {"POST", u"/auth/start-oauth"_s, R"({"integration":"oauthy"})", u"editor"_s, 200},
        {"POST",
         u"/auth/connect-manual"_s,
         R"({"integration":"nope","credential":"x"})",
         u"editor"_s,
         404},
        {"DELETE", u"/integrations/bin"_s, {}, u"editor"_s, 404},
        {"GET", u"/external-identities"_s, {}, u"admin"_s, 200},
        {"PUT", u"/external-identities"_s, R"({"type":"github_user","id":"1"})", u"admin"_s, 200},
        {"DELETE",
         u"/external-identities"_s,
         R"({"type":"github_user","id":"2"})",
         u"admin"_s,
         404},
        {"PATCH", {}, R"({"displayName":"Bot"})", u"admin"_s, 200},
        {"PUT",
         u"/members"_s,
         R"({"subjectId":"service_account:other","role":"viewer"})",
         u"admin"_s,
         200},
        {"DELETE", u"/members/service_account:nobody"_s, {}, u"admin"_s, 404},
        {"PUT", u"/grants/locked"_s, R"({"role":"viewer"})", u"admin"_s, 200},
        {"DELETE", u"/grants/bin"_s, {}, u"admin"_s, 404},
        {"POST", u"/tokens"_s, R"({"name":"t"})", u"admin"_s, 201},
        {"DELETE", u"/tokens/00000000-0000-0000-0000-000000000000"_s, {}, u"admin"_s, 404},
        {"DELETE", u"/tokens"_s, {}, u"admin"_s, 200},
    };
    const QStringList order{u"none"_s, u"viewer"_s, u"editor"_s, u"admin"_s};
    const QList<std::pair<QString, QString>> callers{{u"none"_s, outsider.token},
                                                     {u"viewer"_s, viewer.token},
                                                     {u"editor"_s, editor.token},
                                                     {u"admin"_s, QString()}};
    for (const Route &route : routes) {
        for (const auto &[role, token] : callers) {
            const HttpReply reply = call(route.method, bot + route.path, route.body, token);
            const QString what = QString::fromLatin1(route.method) + u' ' + route.path + u" as "_s
                                 + role + u": "_s + QString::number(reply.status) + u' '
                                 + QString::fromUtf8(reply.body);
            if (role == u"none") {
                QVERIFY2(reply.status == 404
                             && reply.error()
                                    == u"managed subject \"service_account:bot\" not found",
                         qPrintable(what));
            } else if (order.indexOf(role) < order.indexOf(route.needed)) {
                QVERIFY2(reply.status == 403
                             && reply.error()
                                    == QString(u"managed subject "_s + route.needed
                                               + u" role required"_s),
                         qPrintable(what));
            } else {
                QVERIFY2(reply.status == route.status, qPrintable(what));
            }
        }
    }
    // Outsiders do not see it listed; members see it with their role.
    QCOMPARE(call("GET", {}, {}, outsider.token).json().array().size(), 0);
    QCOMPARE(call("GET", {}, {}, viewer.token).json()[0][u"role"_s].toString(), u"viewer"_s);
    QCOMPARE(call("GET", {}, {}, editor.token).json()[0][u"role"_s].toString(), u"editor"_s);
    // Built-in admins see and manage every managed subject without being a member.
    const TestServer::TestUser root = m_server->user(u"root@example.com"_s);
    QCOMPARE(call("GET", {}, {}, root.token).json()[0][u"role"_s].toString(), u"admin"_s);
    QCOMPARE(call("PATCH", bot, R"({"description":"by root"})", root.token).status, 200);
}

void tst_ManagedSubjects::membersKeepAnAdmin()
{
    createBot();
    HttpReply reply =
        call("PUT", bot + u"/members"_s, R"({"email":"viewer@example.com","role":"viewer"})");
    QCOMPARE(reply.status, 200);
    QJsonObject body = reply.json().object();
    QCOMPARE(body[u"status"_s].toString(), u"ok"_s);
    QCOMPARE(body[u"reloaded"_s].toBool(), true);
    QCOMPARE(body[u"membership"_s][u"email"_s].toString(), u"viewer@example.com"_s);
    QCOMPARE(body[u"membership"_s][u"role"_s].toString(), u"viewer"_s);
    const QString viewerId = body[u"membership"_s][u"subjectId"_s].toString();
    QVERIFY(viewerId.startsWith(u"user:"_s));

    const QJsonArray members = call("GET", bot + u"/members"_s).json().array();
    QCOMPARE(members.size(), 2);
    QString creatorId;
    for (const QJsonValue &row : members) {
        if (row[u"role"_s] == u"admin"_s) {
            creatorId = row[u"subjectId"_s].toString();
        }
    }
    QVERIFY(!creatorId.isEmpty());

    // The only admin can neither step down nor leave.
    reply = call(
        "PUT", bot + u"/members"_s, json({{u"subjectId"_s, creatorId}, {u"role"_s, u"editor"_s}}));
    QCOMPARE(reply.status, 409);
    QCOMPARE(reply.error(),
             u"managed subject \"service_account:bot\" must keep at least one admin"_s);
    QCOMPARE(call("DELETE", bot + u"/members/"_s + creatorId).status, 409);

    // With a second admin it can, and then it loses access.
    reply = call(
        "PUT", bot + u"/members"_s, json({{u"subjectId"_s, viewerId}, {u"role"_s, u"admin"_s}}));
    QCOMPARE(reply.status, 200);
    reply = call("DELETE", bot + u"/members/"_s + creatorId);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"deleted"_s);
    QCOMPARE(call("GET", bot).status, 404);
    QCOMPARE(call("DELETE", bot + u"/members/"_s + creatorId).status, 404);
    const TestServer::TestUser viewer = m_server->user(u"viewer@example.com"_s);
    reply = call("GET", bot + u"/members"_s, {}, viewer.token);
    QCOMPARE(reply.json().array().size(), 1);
    reply = call(
        "DELETE", bot + u"/members/user:00000000-0000-0000-0000-000000000000"_s, {}, viewer.token);
    QCOMPARE(reply.status, 404);
    QCOMPARE(reply.error(), u"managed subject member not found"_s);
}

void tst_ManagedSubjects::memberWritesRejectBadInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::newRow("malformed JSON") << "{"_ba << u"invalid JSON body"_s;
    QTest::newRow("no role") << R"({"subjectId":"service_account:x"})"_ba << u"role is required"_s;
    QTest::newRow("unknown role")
        << R"({"subjectId":"service_account:x","role":"owner"})"_ba
        << u"invalid role \"owner\" (expected one of: viewer, editor, admin)"_s;
    QTest::newRow("role is a number") << R"({"subjectId":"service_account:x","role":3})"_ba
                                      << u"invalid role \"(not a string)\" (expected one of: "
                                         "viewer, editor, admin)"_s;
    QTest::newRow("nobody") << R"({"role":"viewer"})"_ba
                            << u"exactly one of subjectId and email is required"_s;
    QTest::newRow("subjectId and email")
        << R"({"subjectId":"service_account:x","email":"a@example.com","role":"viewer"})"_ba
        << u"exactly one of subjectId and email is required"_s;
    QTest::newRow("system subject") << R"({"subjectId":"system:config","role":"viewer"})"_ba
                                    << u"system subjects cannot be granted roles"_s;
    QTest::newRow("bad service account id")
        << R"({"subjectId":"service_account:a b","role":"viewer"})"_ba
        << u"service account id must be 1 to 128 of [A-Za-z0-9._-]"_s;
    QTest::newRow("not canonical") << R"({"subjectId":"bob","role":"viewer"})"_ba
                                   << u"subject id must have the form kind:id"_s;
    QTest::newRow("external kind")
        << R"({"subjectId":"github_user:1","role":"viewer"})"_ba
        << u"managed subject members must be users or service accounts"_s;
    QTest::newRow("itself") << R"({"subjectId":"service_account:bot","role":"viewer"})"_ba
                            << u"a managed subject cannot be a member of itself"_s;
    QTest::newRow("malformed email") << R"({"email":"not-an-email","role":"viewer"})"_ba
                                     << u"email is not a valid email address"_s;
    QTest::newRow("321-character email")
        << "{\"email\":\"" + QByteArray(309, 'a') + "@example.com\",\"role\":\"viewer\"}"
        << u"email is longer than 320 characters"_s;
    QTest::newRow("unknown field")
        << R"({"subjectId":"service_account:x","role":"viewer","x":1})"_ba
        << u"unknown field \"x\""_s;
}

void tst_ManagedSubjects::memberWritesRejectBadInput()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    createBot();
    const int users = count(u"SELECT COUNT(*) FROM users"_s);
    const HttpReply reply = m_server->request(
        "PUT", base + bot + u"/members"_s, body, {{"Content-Type"_ba, "application/json"_ba}});
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), message);
    QCOMPARE(call("GET", bot + u"/members"_s).json().array().size(), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM users"_s), users);
}

void tst_ManagedSubjects::grantsNeedTheCallersAppRole()
{
    createBot();
    // The anonymous user holds `viewer` on "locked" through default: allow.
    HttpReply reply = call("PUT", bot + u"/grants/locked"_s, R"({"role":"editor"})");
    QCOMPARE(reply.status, 403);
    QCOMPARE(reply.error(), u"app role cannot grant requested role"_s);
    reply = call("PUT", bot + u"/grants/locked"_s, R"({"role":"viewer"})");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"membership"_s][u"subjectId"_s].toString(), u"service_account:bot"_s);
    QCOMPARE(reply.json()[u"membership"_s][u"app"_s].toString(), u"locked"_s);

    // The app's admin (a subject admin too) may grant any role.
    const TestServer::TestUser lockAdmin = member(u"lockadmin@example.com"_s, u"admin"_s);
    QCOMPARE(call("PUT", bot + u"/grants/locked"_s, R"({"role":"admin"})", lockAdmin.token).status,
             200);
    // A built-in admin too, without being a member.
    const TestServer::TestUser root = m_server->user(u"root@example.com"_s);
    QCOMPARE(call("PUT", bot + u"/grants/locked"_s, R"({"role":"editor"})", root.token).status,
             200);
    // A subject editor may not grant at all.
    const TestServer::TestUser editor = member(u"editor@example.com"_s, u"editor"_s);
    QCOMPARE(call("PUT", bot + u"/grants/locked"_s, R"({"role":"viewer"})", editor.token).status,
             403);

    const QList<std::tuple<QString, QByteArray, int, QString>> bad{
        {u"nope"_s, R"({"role":"viewer"})", 404, u"app \"nope\" not found"_s},
        {u"bin"_s,
         R"({"role":"viewer"})",
         400,
         u"app \"bin\" does not declare authorizationPolicy; every authenticated subject may use "
         "it already"_s},
        {u"locked"_s,
         R"({"role":"owner"})",
         400,
         u"invalid role \"owner\" (expected one of: viewer, editor, admin)"_s},
        {u"locked"_s, R"({})", 400, u"role is required"_s},
        {u"locked"_s, R"({"role":"viewer","app":"x"})", 400, u"unknown field \"app\""_s},
    };
    for (const auto &[app, body, status, message] : bad) {
        reply = call("PUT", bot + u"/grants/"_s + app, body);
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.error(), message);
    }
    reply = call("GET", bot + u"/grants"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().array(),
             (QJsonArray{QJsonObject{{u"app"_s, u"locked"_s},
                                     {u"plugin"_s, u"locked"_s},
                                     {u"role"_s, u"editor"_s},
                                     {u"source"_s, u"dynamic"_s},
                                     {u"mutable"_s, true}}}));

    // A subject named statically in the policy shows that row and cannot get a dynamic one.
    // Only a built-in admin may create it (whoever creates it holds its roles).
    QCOMPARE(call("POST", {}, R"({"id":"static-bot"})").status, 403);
    QCOMPARE(call("POST", {}, R"({"id":"static-bot"})", root.token).status, 201);
    reply = call("GET", u"/static-bot/grants"_s, {}, root.token);
    QCOMPARE(reply.json()[0][u"source"_s].toString(), u"static"_s);
    QCOMPARE(reply.json()[0][u"mutable"_s].toBool(), false);
    QCOMPARE(call("PUT", u"/static-bot/grants/locked"_s, R"({"role":"viewer"})", root.token).status,
             409);

    reply = call("DELETE", bot + u"/grants/locked"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"deleted"_s);
    QCOMPARE(reply.json()[u"persisted"_s].toBool(), true);
    QCOMPARE(reply.json()[u"reloaded"_s].toBool(), true);
    reply = call("DELETE", bot + u"/grants/locked"_s);
    QCOMPARE(reply.status, 404);
    QCOMPARE(reply.error(), u"managed subject grant not found"_s);
    QCOMPARE(call("GET", bot + u"/grants"_s).json().array().size(), 0);
}

void tst_ManagedSubjects::grantDeleteMayBePendingReload()
{
    createBot();
    QCOMPARE(call("PUT", bot + u"/grants/locked"_s, R"({"role":"viewer"})").status, 200);
    m_server->app().authzSnapshot().failNextReloadsForTesting(1);
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"^authz: snapshot reload after a write failed"_s));
    const HttpReply reply = call("DELETE", bot + u"/grants/locked"_s);
    QCOMPARE(reply.status, 202);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"deleted_pending_reload"_s);
    QCOMPARE(reply.json()[u"persisted"_s].toBool(), true);
    QCOMPARE(reply.json()[u"reloaded"_s].toBool(), false);
    QCOMPARE(call("GET", bot + u"/grants"_s).json().array().size(), 0); // the store has it
}

void tst_ManagedSubjects::subjectTokensNeedAnExplicitGrant()
{
    createBot();
    const QString token = issueToken();
    QVERIFY(!token.isEmpty());
    // default: allow opens "locked" to users, never to service accounts.
    QCOMPARE(m_server->get(u"/api/v1/locked/headers"_s).status, 200);
    HttpReply reply = m_server->get(u"/api/v1/locked/headers"_s, TestServer::bearer(token));
    QCOMPARE(reply.status, 403);
    QVERIFY(!m_server->get(u"/api/v1/apps"_s, TestServer::bearer(token))
                 .itemNamed(u"locked"_s)
                 .contains(u"name"_s));
    QVERIFY(!call("GET", bot + u"/integrations"_s).itemNamed(u"locked"_s).contains(u"name"_s));

    QCOMPARE(call("PUT", bot + u"/grants/locked"_s, R"({"role":"viewer"})").status, 200);
    reply = m_server->get(u"/api/v1/locked/headers"_s, TestServer::bearer(token));
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.json()[u"headers"_s].isObject());
    QVERIFY(call("GET", bot + u"/integrations"_s).itemNamed(u"locked"_s).contains(u"name"_s));
    // Its token cannot manage API tokens or managed subjects.
    QCOMPARE(
        m_server->post(u"/api/v1/tokens"_s, R"({"name":"x"})", TestServer::bearer(token)).status,
        403);

    QCOMPARE(call("DELETE", bot + u"/grants/locked"_s).status, 200);
    QCOMPARE(m_server->get(u"/api/v1/locked/headers"_s, TestServer::bearer(token)).status, 403);
}

void tst_ManagedSubjects::subjectTokensAreManagedByAdmins()
{
    createBot();
    HttpReply reply = call("POST", bot + u"/tokens"_s, R"({"name":"deploy","scopes":"bin"})");
    QCOMPARE(reply.status, 201);
    const QString first = reply.json()[u"token"_s].toString();
    const QString firstId = reply.json()[u"id"_s].toString();
    QVERIFY(QRegularExpression(u"^gst_api_[0-9a-f]{64}$"_s).match(first).hasMatch());
    QCOMPARE(reply.json()[u"scopes"_s].toString(), u"bin"_s);
    reply = call("POST", bot + u"/tokens"_s, R"({"name":"x","scopes":"nope"})");
    QCOMPARE(reply.status, 400);
    const QString second = issueToken();
    const QString third = issueToken();

    reply = call("GET", bot + u"/tokens"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().array().size(), 3);
    QVERIFY(!reply.body.contains("gst_api_"));
    // They are the subject's, not the caller's.
    QCOMPARE(m_server->get(u"/api/v1/tokens"_s).json().array().size(), 0);
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(first)).status, 200);

    reply = call("DELETE", bot + u"/tokens/"_s + firstId);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"revoked"_s);
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(first)).status, 401);
    QCOMPARE(call("DELETE", bot + u"/tokens/"_s + firstId).status, 404);
    reply = call("DELETE", bot + u"/tokens"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().object(), (QJsonObject{{u"status"_s, u"revoked"_s}, {u"count"_s, 2}}));
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(second)).status, 401);
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(third)).status, 401);
}

void tst_ManagedSubjects::externalIdentities()
{
    createBot();
    HttpReply reply =
        call("PUT", bot + u"/external-identities"_s, R"({"type":"github_user","id":"12345"})");
    QCOMPARE(reply.status, 200);
    const QJsonObject identity{{u"type"_s, u"github_user"_s},
                               {u"id"_s, u"12345"_s},
                               {u"resourceId"_s, u"service_account:bot"_s}};
    QCOMPARE(reply.json()[u"membership"_s].toObject(), identity);
    reply = call("GET", bot + u"/external-identities"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().array(), QJsonArray{identity});
    // Identities are not members, and members are not identities.
    QCOMPARE(call("GET", bot + u"/members"_s).json().array().size(), 1);

    const QList<std::pair<QByteArray, QString>> bad{
        {R"({"type":"GitHub","id":"1"})", u"type is required and must be 1 to 32 of [a-z_]"_s},
        {R"({"id":"1"})", u"type is required and must be 1 to 32 of [a-z_]"_s},
        {R"({"type":"user","id":"1"})", u"external identity type \"user\" is reserved"_s},
        {R"({"type":"system","id":"config"})", u"external identity type \"system\" is reserved"_s},
        {R"({"type":"service_account","id":"x"})",
         u"external identity type \"service_account\" is reserved"_s},
        {R"({"type":"github_user"})", u"id is required and must be a non-empty string"_s},
        {R"({"type":"github_user","id":""})", u"id is required and must be a non-empty string"_s},
        {"{\"type\":\"github_user\",\"id\":\"" + QByteArray(257, '9') + "\"}",
         u"subject id is longer than 256 characters"_s},
        {R"({"type":"github_user","id":"1","extra":true})", u"unknown field \"extra\""_s},
    };
    for (const auto &[body, message] : bad) {
        reply = call("PUT", bot + u"/external-identities"_s, body);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.error(), message);
    }
    QCOMPARE(call("GET", bot + u"/external-identities"_s).json().array().size(), 1);

    reply =
        call("DELETE", bot + u"/external-identities"_s, R"({"type":"github_user","id":"12345"})");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"deleted"_s);
    reply =
        call("DELETE", bot + u"/external-identities"_s, R"({"type":"github_user","id":"12345"})");
    QCOMPARE(reply.status, 404);
    QCOMPARE(reply.error(), u"external identity not found"_s);
    QCOMPARE(call("GET", bot + u"/external-identities"_s).json().array().size(), 0);
}

void tst_ManagedSubjects::manualCredentialsBelongToTheSubject()
{
    createBot();
    const QString token = issueToken();
    QCOMPARE(call("GET", bot + u"/integrations"_s).itemNamed(u"bin"_s)[u"status"_s].toString(),
             u"needs_user_connection"_s);
    HttpReply reply = call("POST",
                           bot + u"/auth/connect-manual"_s,
                           R"({"integration":"bin","credential":"sa-secret"})");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().object(),
             (QJsonObject{{u"status"_s, u"connected"_s}, {u"integration"_s, u"bin"_s}}));
    QCOMPARE(call("GET", bot + u"/integrations"_s).itemNamed(u"bin"_s)[u"status"_s].toString(),
             u"ready"_s);
    // The caller's own connection state is untouched.
    QCOMPARE(m_server->get(u"/api/v1/apps"_s).itemNamed(u"bin"_s)[u"status"_s].toString(),
             u"needs_user_connection"_s);
    QCOMPARE(m_server->get(u"/api/v1/bin/headers"_s).status, 412);
    reply = m_server->get(u"/api/v1/bin/headers"_s, TestServer::bearer(token));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"headers"_s][u"Authorization"_s].toString(), u"Bearer sa-secret"_s);
    QCOMPARE(count(u"SELECT COUNT(*) FROM credentials WHERE subject_id = 'service_account:bot'"_s),
             1);

    reply = call("DELETE", bot + u"/integrations/bin"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"disconnected"_s);
    QCOMPARE(m_server->get(u"/api/v1/bin/headers"_s, TestServer::bearer(token)).status, 412);
    reply = call("DELETE", bot + u"/integrations/bin"_s);
    QCOMPARE(reply.status, 404);
    QCOMPARE(count(u"SELECT COUNT(*) FROM credentials"_s), 0);
}

void tst_ManagedSubjects::oauthStoresOnTheSubject()
{
    createBot();
    const HttpReply started =
        call("POST", bot + u"/auth/start-oauth"_s, R"({"integration":"oauthy"})");
    QCOMPARE(started.status, 200);
    const QUrl authorize(started.json()[u"url"_s].toString());
    const auto [authStatus, callback] = fetchRedirect(m_browser, authorize);
    QCOMPARE(authStatus, 302);
    QCOMPARE(callback.path(), u"/api/v1/auth/callback"_s);
    const auto [callbackStatus, landing] =
        fetchRedirect(m_browser, callback, started.header("set-cookie").split(';').constFirst());
    QCOMPARE(callbackStatus, 303);
    QCOMPARE(QUrlQuery(landing).queryItemValue(u"connected"_s), u"oauthy"_s);

    QCOMPARE(count(u"SELECT COUNT(*) FROM credentials WHERE subject_id = 'service_account:bot'"_s),
             1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM credentials"_s), 1);
    QCOMPARE(call("GET", bot + u"/integrations"_s).itemNamed(u"oauthy"_s)[u"status"_s].toString(),
             u"ready"_s);
    QCOMPARE(m_server->get(u"/api/v1/apps"_s).itemNamed(u"oauthy"_s)[u"status"_s].toString(),
             u"needs_user_connection"_s);
    const HttpReply reply =
        m_server->get(u"/api/v1/oauthy/headers"_s, TestServer::bearer(issueToken()));
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.json()[u"headers"_s][u"Authorization"_s].toString().startsWith(u"Bearer "_s));
}

void tst_ManagedSubjects::pendingChoiceStoresOnTheSubject()
{
    createBot();
    HttpReply reply = call("POST",
                           bot + u"/auth/connect-manual"_s,
                           R"({"integration":"accounts","credential":"tok"})");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"selection_required"_s);
    const QString pending = reply.json()[u"pendingToken"_s].toString();
    QVERIFY(!pending.isEmpty());
    const QByteArray choice =
        json({{u"pending_token"_s, pending}, {u"candidate_id"_s, u"globex"_s}});

    // Somebody else cannot take the choice over; the user who started it can, by token.
    const TestServer::TestUser stranger = m_server->user(u"stranger@example.com"_s);
    reply = m_server->post(
        u"/api/v1/auth/pending-connection"_s, choice, TestServer::bearer(stranger.token));
    QCOMPARE(reply.status, 401);
    reply = m_server->post(u"/api/v1/tokens"_s, R"({"name":"mine"})");
    QCOMPARE(reply.status, 201);
    const QString mine = reply.json()[u"token"_s].toString();
    reply = m_server->post(u"/api/v1/auth/pending-connection"_s, choice, TestServer::bearer(mine));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"connected"_s);

    QCOMPARE(count(u"SELECT COUNT(*) FROM credentials WHERE subject_id = 'service_account:bot'"_s),
             1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM credentials"_s), 1);
    reply = m_server->get(u"/api/v1/accounts/headers"_s, TestServer::bearer(issueToken()));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"headers"_s][u"X-Region"_s].toString(), u"us"_s);
}

void tst_ManagedSubjects::deleteCascades()
{
    createBot();
    QCOMPARE(call("POST", {}, R"({"id":"keeper"})").status, 201);
    const QString token = issueToken();
    const TestServer::TestUser viewer = member(u"viewer@example.com"_s, u"viewer"_s);
    QCOMPARE(call("POST",
                  bot + u"/auth/connect-manual"_s,
                  R"({"integration":"bin","credential":"sa-secret"})")
                 .status,
             200);
    QCOMPARE(call("PUT", bot + u"/grants/locked"_s, R"({"role":"viewer"})").status, 200);
    QCOMPARE(
        call("PUT", bot + u"/external-identities"_s, R"({"type":"github_user","id":"7"})").status,
        200);
    QCOMPARE(
        call("PUT", u"/keeper/members"_s, R"({"subjectId":"service_account:bot","role":"viewer"})")
            .status,
        200);
    QCOMPARE(m_server->get(u"/api/v1/locked/headers"_s, TestServer::bearer(token)).status, 200);

    QCOMPARE(call("DELETE", bot, {}, viewer.token).status, 403);
    HttpReply reply = call("DELETE", bot);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"deleted"_s);
    QCOMPARE(reply.json()[u"revokedTokens"_s].toInt(), 1);
    QCOMPARE(reply.json()[u"removedCredentials"_s].toInt(), 1);
    // creator + viewer + identity on it, its grant, its membership of "keeper"
    QCOMPARE(reply.json()[u"removedRelationships"_s].toInt(), 5);

    QCOMPARE(m_server->get(u"/api/v1/locked/headers"_s, TestServer::bearer(token)).status, 401);
    QCOMPARE(count(u"SELECT COUNT(*) FROM credentials"_s), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM authz_relationships WHERE (subject_kind = "
                   "'service_account' AND subject_id = 'bot') OR resource_id = "
                   "'service_account:bot'"_s),
             0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM api_tokens WHERE owner_kind = 'subject'"_s), 0);
    QCOMPARE(call("GET", bot).status, 404);
    QCOMPARE(call("GET", bot, {}, viewer.token).status, 404);
    QCOMPARE(call("DELETE", bot).status, 404);
    reply = call("GET", {});
    QCOMPARE(reply.json().array().size(), 1);
    QCOMPARE(reply.json()[0][u"id"_s].toString(), u"service_account:keeper"_s);
    QCOMPARE(call("GET", u"/keeper/members"_s).json().array().size(), 1);
    // The row stays, soft-deleted, so the id is never handed out again.
    QCOMPARE(count(u"SELECT COUNT(*) FROM managed_subjects WHERE deleted_at IS NOT NULL"_s), 1);
    QCOMPARE(call("POST", {}, R"({"id":"bot"})").status, 409);
}

void tst_ManagedSubjects::changesAreAudited()
{
    createBot();
    const QString token = issueToken();
    QVERIFY(!token.isEmpty());
    (void)member(u"viewer@example.com"_s, u"viewer"_s);
    QCOMPARE(call("PUT", bot + u"/grants/locked"_s, R"({"role":"admin"})").status, 403);
    QCOMPARE(call("PUT", bot + u"/grants/locked"_s, R"({"role":"viewer"})").status, 200);
    QCOMPARE(call("POST",
                  bot + u"/auth/connect-manual"_s,
                  R"({"integration":"bin","credential":"sa-secret"})")
                 .status,
             200);
    QCOMPARE(call("DELETE", bot + u"/integrations/bin"_s).status, 200);
    QCOMPARE(call("DELETE", bot).status, 200);
    QVERIFY(m_server->app().auditLog().flush());

    QSqlQuery query(m_server->app().database().connection());
    QVERIFY(query.exec(u"SELECT action, target_kind, target_id, allowed, error, subject_kind "
                       "FROM audit_events ORDER BY id"_s));
    QStringList rows;
    while (query.next()) {
        rows.append(query.value(0).toString() + u' ' + query.value(1).toString() + u' '
                    + query.value(2).toString() + u' '
                    + (query.value(3).toBool()
                           ? u"allowed"_s
                           : QString(u"denied: "_s + query.value(4).toString())));
    }
    const QString joined = rows.join(u'\n');
    for (const QString &expected : {
             u"managed_subject.create managed_subject service_account:bot allowed"_s,
             u"managed_subject.member.put managed_subject service_account:bot allowed"_s,
             u"managed_subject.grant.put managed_subject service_account:bot denied: app role "
             "cannot grant requested role"_s,
             u"managed_subject.grant.put managed_subject service_account:bot allowed"_s,
             u"connection.manual.connect connection service_account:bot allowed"_s,
             u"connection.disconnect connection service_account:bot allowed"_s,
             u"managed_subject.delete managed_subject service_account:bot allowed"_s,
         }) {
        QVERIFY2(rows.contains(expected), qPrintable(expected + u"\nnot in:\n"_s + joined));
    }
    QVERIFY2(joined.contains(u"api_token.create api_token "_s), qPrintable(joined));
    // Never a secret.
    QCOMPARE(count(u"SELECT COUNT(*) FROM audit_events WHERE target_name LIKE '%sa-secret%' OR "
                   "target_name LIKE '%gst_api_%' OR target_id LIKE '%gst_api_%'"_s),
             0);
}

QTEST_GUILESS_MAIN(tst_ManagedSubjects)
#include "tst_managedsubjects.moc"
