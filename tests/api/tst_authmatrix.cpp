// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Every authenticated route of the public listener × every kind of credential, with platform
// login on: the routes are read from the live route table, so a route added later is covered
// without touching this file.
#include "app/Application.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

// Merged over the test config (which has its own providers: block).
const QString login = TestServer::unreachableLoginYaml();

const QString config = uR"(
apps:
  demo:
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:9
        operations:
          - {name: ping, method: GET, path: /ping}
  other:
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:9
        operations:
          - {name: ping, method: GET, path: /ping}
)"_s;

// A concrete path for a route template.
QString fill(const QString &pathTemplate)
{
    QString path = pathTemplate;
    const QList<std::pair<QString, QString>> values{{u"{app}"_s, u"demo"_s},
                                                    {u"{operation}"_s, u"ping"_s},
                                                    {u"{name}"_s, u"demo"_s},
                                                    {u"{id}"_s, u"nope"_s},
                                                    {u"{subjectID}"_s, u"service_account:nobody"_s},
                                                    {u"{memberSubjectID}"_s, u"user:nobody"_s}};
    for (const auto &[key, value] : values) {
        path.replace(key, value);
    }
    static const QRegularExpression rest(u"\\{[^}]+\\}"_s);
    path.replace(rest, u"x"_s);
    return path;
}

bool userOnly(const QString &pathTemplate)
{
    return pathTemplate.startsWith(u"/api/v1/tokens"_s)
           || pathTemplate.startsWith(u"/api/v1/authorization/subjects"_s);
}

} // namespace

class tst_AuthMatrix final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void everyRouteRejectsBadCredentials();
    void everyRouteAcceptsGoodCredentials();

private:
    struct Route
    {
        QByteArray method;
        QString pathTemplate;
        QString path;
    };
    [[nodiscard]] QList<Route> authenticatedRoutes() const;
    HttpReply call(const Route &route, const TestServer::Headers &headers);
    std::unique_ptr<TestServer> m_server;
};

void tst_AuthMatrix::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, config, login);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

QList<tst_AuthMatrix::Route> tst_AuthMatrix::authenticatedRoutes() const
{
    QList<Route> out;
    for (const Router::Route &route : m_server->app().publicRouter().routes()) {
        if (route.auth == RouteAuth::Authenticated) {
            out.append({route.method.toLatin1(), route.pathTemplate, fill(route.pathTemplate)});
        }
    }
    return out;
}

HttpReply tst_AuthMatrix::call(const Route &route, const TestServer::Headers &headers)
{
    TestServer::Headers all = headers;
    all.append({"Content-Type"_ba, "application/json"_ba});
    const QByteArray body =
        route.method == "GET" || route.method == "DELETE" ? QByteArray() : "{}"_ba;
    return m_server->request(route.method, route.path, body, all);
}

void tst_AuthMatrix::everyRouteRejectsBadCredentials()
{
    const TestServer::TestUser expired =
        m_server->user(u"old@example.com"_s, {}, {}, QDateTime::currentDateTimeUtc().addSecs(-60));
    const TestServer::TestUser revoked = m_server->user(u"gone@example.com"_s);
    QCOMPARE(
        m_server->del(u"/api/v1/tokens/"_s + revoked.tokenId, TestServer::bearer(revoked.token))
            .status,
        200);
    const TestServer::TestUser forged = m_server->user(u"forged@example.com"_s);
    QString tamperedSession = m_server->sessionFor(forged);
    tamperedSession[tamperedSession.size() - 2] =
        tamperedSession.at(tamperedSession.size() - 2) == u'A' ? u'B' : u'A';

    const QList<std::tuple<QString, TestServer::Headers, QString>> credentials{
        {u"no credential"_s, {}, u"missing authorization"_s},
        {u"malformed header"_s,
         {{"Authorization"_ba, "Token abc"_ba}},
         u"invalid authorization header format"_s},
        {u"empty bearer"_s,
         {{"Authorization"_ba, "Bearer "_ba}},
         u"invalid authorization header format"_s},
        {u"unknown token"_s,
         TestServer::bearer(u"gst_api_"_s + QString(64, u'0')),
         u"invalid token"_s},
        {u"not a token"_s, TestServer::bearer(u"hello"_s), u"invalid token"_s},
        {u"expired token"_s, TestServer::bearer(expired.token), u"invalid token"_s},
        {u"revoked token"_s, TestServer::bearer(revoked.token), u"invalid token"_s},
        {u"garbage session cookie"_s,
         TestServer::cookie(u"session_token"_s, u"garbage"_s),
         u"invalid token"_s},
        {u"tampered session cookie"_s,
         TestServer::cookie(u"session_token"_s, tamperedSession),
         u"invalid token"_s},
        {u"session JWT as bearer, tampered"_s,
         TestServer::bearer(tamperedSession),
         u"invalid token"_s},
    };
    const QList<Route> routes = authenticatedRoutes();
    QVERIFY(routes.size() > 15);
    for (const Route &route : routes) {
        for (const auto &[name, headers, message] : credentials) {
            const HttpReply reply = call(route, headers);
            const QString where =
                u"%1 %2 with %3: %4 %5"_s.arg(QString::fromLatin1(route.method), route.path, name)
                    .arg(reply.status)
                    .arg(QString::fromUtf8(reply.body));
            QVERIFY2(reply.status == 401, qPrintable(where));
            QVERIFY2(reply.error() == message, qPrintable(where));
        }
    }
}

void tst_AuthMatrix::everyRouteAcceptsGoodCredentials()
{
    for (const Route &route : authenticatedRoutes()) {
        // Fresh credentials for every call: DELETE /api/v1/tokens revokes the caller's tokens.
        const auto token = [this](const QString &scopes = {}, const QJsonArray &permissions = {}) {
            return TestServer::bearer(
                m_server->user(u"bob@example.com"_s, scopes, permissions).token);
        };
        const auto session = [this] {
            return m_server->sessionFor(m_server->user(u"bob@example.com"_s));
        };
        const auto check =
            [&](const QString &name, const TestServer::Headers &headers, bool forbiddenExpected) {
                const HttpReply reply = call(route, headers);
                const QString where = u"%1 %2 with %3: %4 %5"_s
                                          .arg(QString::fromLatin1(route.method), route.path, name)
                                          .arg(reply.status)
                                          .arg(QString::fromUtf8(reply.body));
                QVERIFY2(reply.status != 401, qPrintable(where));
                if (forbiddenExpected) {
                    QVERIFY2(reply.status == 403, qPrintable(where));
                } else {
                    QVERIFY2(reply.status != 403 || route.pathTemplate == u"/api/v1/audit-events"_s,
                             qPrintable(where));
                }
            };
        check(u"session cookie"_s, TestServer::cookie(u"session_token"_s, session()), false);
        check(u"session JWT as bearer"_s, TestServer::bearer(session()), false);
        check(u"unscoped token"_s, token(), false);
        const bool namesDemo = route.pathTemplate.contains(u"{app}"_s)
                               || (route.pathTemplate.contains(u"{name}"_s)
                                   && !route.pathTemplate.startsWith(u"/api/v1/authorization"_s));
        // Scoped tokens cannot manage tokens or managed subjects: they would mint themselves an
        // unscoped token.
        const bool unscopedOnly = userOnly(route.pathTemplate);
        check(u"token scoped to another app"_s,
              token(u"other"_s),
              namesDemo || unscopedOnly || route.pathTemplate == u"/api/v1/audit-events"_s);
        if (unscopedOnly) {
            check(u"per-operation token"_s,
                  token({},
                        QJsonArray{QJsonObject{{u"app"_s, u"demo"_s},
                                               {u"operations"_s, QJsonArray{u"ping"_s}}}}),
                  true);
        }
        if (route.pathTemplate == u"/api/v1/{app}/{operation}"_s) {
            check(u"token for another operation"_s,
                  token({},
                        QJsonArray{QJsonObject{{u"app"_s, u"demo"_s},
                                               {u"operations"_s, QJsonArray{u"other"_s}}}}),
                  true);
        }
        check(u"subject-owned token"_s,
              TestServer::bearer(m_server->subjectToken(u"robot"_s)),
              userOnly(route.pathTemplate) || route.pathTemplate == u"/api/v1/audit-events"_s);
    }
}

QTEST_GUILESS_MAIN(tst_AuthMatrix)
#include "tst_authmatrix.moc"
