// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Attacks on the identity life cycle and on unsafe defaults (issue 18: the admin API without an
// admin policy, the management listener's default host, CLI login token expiry, disabled users,
// anonymous access on a non-loopback address), over real HTTP against the running gestaltd, on
// SQLite and PostgreSQL.
#include "app/Application.h"
#include "store/Database.h"
#include "support/HttpbinProcess.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkInterface>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

const QString appsYaml =
    u"apps:\n  demo:\n    surfaces:\n      rest:\n"
    "        baseUrl: http://127.0.0.1:9\n"
    "        operations:\n          - {name: ping, method: GET, path: /ping}\n"_s;

// Login on, and admin@example.com is the one admin; `serverYaml`: more keys under server:.
QString loginWithAdminPolicy(const QString &serverYaml = {})
{
    return TestServer::unreachableLoginYaml() + uR"(
server:
  admin:
    authorizationPolicy: operators
)"_s + serverYaml
           + uR"(
authorization:
  policies:
    operators:
      members:
        - {email: admin@example.com, role: admin}
)"_s;
}

// A concrete path for a route template: every {param} becomes "x".
QString fill(const QString &pathTemplate)
{
    static const QRegularExpression param(u"\\{[^}]+\\}"_s);
    return QString(pathTemplate).replace(param, u"x"_s);
}

// How long another replica may take to see a disabled (or enabled) user: IdentityService caches a
// user's state for 2 s; a little slack for a loaded machine.
constexpr int replicaWindowMs = 2000 + 2000;

QString nonLoopbackIpv4()
{
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        if (address.protocol() == QAbstractSocket::IPv4Protocol && !address.isLoopback()) {
            return address.toString();
        }
    }
    return {};
}

// Whether a TCP connection to host:port is accepted.
bool accepts(const QString &host, quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(host, port);
    return socket.waitForConnected(3000);
}

QByteArray setCookie(const HttpReply &reply, const QByteArray &name)
{
    for (const auto &[key, value] : reply.headers) {
        if (key.compare("Set-Cookie", Qt::CaseInsensitive) != 0) {
            continue;
        }
        for (const QByteArray &line : value.split('\n')) {
            if (line.startsWith(QByteArray(name + '='))) {
                return line;
            }
        }
    }
    return {};
}

QString cookieValue(const QByteArray &setCookieLine)
{
    const QByteArray pair = setCookieLine.split(';').first();
    return QString::fromUtf8(pair.mid(pair.indexOf('=') + 1));
}

// `gestaltd validate --config <file>`: exit code and everything it wrote.
std::pair<int, QString> validate(const QString &yaml)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"gestaltd.yaml"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(yaml.toUtf8()) < 0) {
        return {-1, u"cannot write the config"_s};
    }
    file.close();
    QProcess process;
    process.start(QStringLiteral(GESTALTD_BINARY), {u"validate"_s, u"--config"_s, path});
    if (!process.waitForFinished(30000)) {
        return {-1, u"gestaltd validate did not finish"_s};
    }
    return {process.exitCode(),
            QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError())};
}

const QString anonymousOnAllInterfaces = uR"(apiVersion: gestaltd.config/v5
server:
  public:
    host: 0.0.0.0
    port: 8080
  encryptionKey: "0000000000000000000000000000000000000000000000000000000000000001"
)"_s;

} // namespace

class tst_SecIdentity final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void cleanup();
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void adminApiWithoutAnAdminPolicyRefusesEveryone();
    void managementListenerWithoutHostIsNotReachableFromTheNetwork();
    void cliLoginTokenIsRefusedAfterItsTtl();
    void disabledUserCannotLogInAgain();
    void disabledUserIsRefusedOnEveryReplicaAndComesBackWhenEnabled();
    void nonAdminCannotDisableAnyone();
    void disabledOwnersWorkflowStepsRunNothing();
    void anonymousAccessOnANonLoopbackAddressIsRefused();
    void proxyAuthorizationIsNeverASecondIdentity();

private:
    // Starts (once) the OpenID Connect peer, reset to log alice in; its providers: block.
    [[nodiscard]] QString startLoginPeer();
    // A login as alice through the peer: the CLI flow's final answer (cli) or the browser's.
    [[nodiscard]] HttpReply logInAsAlice(bool cli);

    std::unique_ptr<NodePeer> m_oidc;
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<TestServer> m_replica;
};

void tst_SecIdentity::cleanup()
{
    m_replica.reset();
    m_server.reset();
}

void tst_SecIdentity::adminApiWithoutAnAdminPolicyRefusesEveryone()
{
    // Before: with login on and no server.admin.authorizationPolicy, /admin/api/v1 was open to
    // anyone without credentials, on the public listener.
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, appsYaml, TestServer::unreachableLoginYaml());
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    const TestServer::TestUser user = m_server->user(u"someone@example.com"_s);
    int checked = 0;
    for (const Router::Route &route : m_server->app().publicRouter().routes()) {
        if (!route.pathTemplate.startsWith(u"/admin/api/v1/"_s)) {
            continue;
        }
        const QByteArray method = route.method.toLatin1();
        const QByteArray body = method == "GET" || method == "DELETE" ? QByteArray() : "{}"_ba;
        for (const TestServer::Headers &credentials :
             {TestServer::Headers{},
              TestServer::bearer(user.token),
              TestServer::cookie(u"session_token"_s, m_server->sessionFor(user))}) {
            const HttpReply reply =
                m_server->request(method, fill(route.pathTemplate), body, credentials);
            const QString what = QString::fromLatin1(method) + u' ' + route.pathTemplate;
            QVERIFY2(reply.status == 403,
                     qPrintable(what + u" answered "_s + QString::number(reply.status)));
            QCOMPARE(reply.json()["code"_L1].toString(), u"admin_configuration_required"_s);
            QVERIFY2(reply.error().contains(u"server.admin.authorizationPolicy"_s),
                     qPrintable(reply.error()));
            ++checked;
        }
    }
    QVERIFY(checked >= 3 * 10);
    // The admin-only audit route on the authenticated API says the same.
    const HttpReply audit =
        m_server->get(u"/api/v1/audit-events"_s, TestServer::bearer(user.token));
    QCOMPARE(audit.status, 403);
    QCOMPARE(audit.json()["code"_L1].toString(), u"admin_configuration_required"_s);
}

void tst_SecIdentity::managementListenerWithoutHostIsNotReachableFromTheNetwork()
{
    // Before: a management listener without `host` bound the public host (here all interfaces),
    // putting /admin and the unauthenticated /metrics on the network.
    QFETCH_GLOBAL(QString, backend);
    const QString address = nonLoopbackIpv4();
    if (address.isEmpty()) {
        QSKIP("this machine has no non-loopback IPv4 address");
    }
    m_server = std::make_unique<TestServer>(
        backend,
        appsYaml,
        loginWithAdminPolicy(u"  public:\n    host: 0.0.0.0\n  management:\n    port: 0\n"_s));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QVERIFY(m_server->managementPort().has_value());
    QVERIFY2(accepts(address, m_server->port()), "the public listener is not on all interfaces");
    QVERIFY2(!accepts(address, *m_server->managementPort()),
             "the management listener is reachable from the network");
    const HttpReply health =
        m_server->request("GET", u"/health"_s, {}, {}, *m_server->managementPort());
    QCOMPARE(health.status, 200);
}

QString tst_SecIdentity::startLoginPeer()
{
    if (!m_oidc) {
        m_oidc = std::make_unique<NodePeer>(u"oauth-server.mjs"_s);
        if (!m_oidc->start()) {
            m_oidc.reset();
            return {};
        }
    }
    const bool reset =
        m_oidc
            ->postJson(u"/_control"_s,
                       QJsonDocument(QJsonObject{{u"reset"_s, true},
                                                 {u"idTokenClaims"_s,
                                                  QJsonObject{{u"email"_s, u"alice@example.com"_s},
                                                              {u"email_verified"_s, true}}}}))
            .hasValue();
    if (!reset) {
        return {};
    }
    return uR"(
providers:
  authentication:
    sso:
      source: oidc
      config:
        issuerUrl: %1
        clientId: gestalt-login
        clientSecret: login-secret
)"_s.arg(m_oidc->baseUrl());
}

HttpReply tst_SecIdentity::logInAsAlice(bool cli)
{
    const HttpReply started = m_server->post(
        u"/api/v1/auth/login"_s, cli ? R"({"state":"s1","callbackPort":5555})"_ba : "{}"_ba);
    if (started.status != 200) {
        qWarning() << "login did not start" << started.status << started.body;
        return {};
    }
    const QString stateCookie = cookieValue(setCookie(started, "login_state"));
    QNetworkAccessManager browser;
    QNetworkRequest authorize(QUrl(started.json()["url"_L1].toString()));
    authorize.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                           QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = browser.get(authorize);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(15000)) {
        qWarning() << "the authorization server did not answer";
        return {};
    }
    reply->deleteLater();
    const QUrl back = reply->url().resolved(QUrl::fromEncoded(reply->rawHeader("Location")));
    QString callback = back.path() + u'?' + back.query(QUrl::FullyEncoded);
    if (cli) {
        // The browser leg hands the code to the CLI's loopback port; the CLI completes.
        const HttpReply handOff = m_server->get(callback);
        if (handOff.status != 302) {
            qWarning() << "no hand-off to the CLI" << handOff.status << handOff.body;
            return {};
        }
        const QUrl loopback = QUrl::fromEncoded(handOff.header("Location"));
        callback = u"/api/v1/auth/login/callback?cli=1&"_s + loopback.query(QUrl::FullyEncoded);
    }
    return m_server->get(callback, TestServer::cookie(u"login_state"_s, stateCookie));
}

void tst_SecIdentity::cliLoginTokenIsRefusedAfterItsTtl()
{
    // Before: `gestalt login` minted an API token that never expired.
    QFETCH_GLOBAL(QString, backend);
    const QString login = startLoginPeer();
    QVERIFY2(!login.isEmpty(), "the OpenID Connect peer did not start");
    auto skew = std::make_shared<qint64>(0);
    m_server =
        std::make_unique<TestServer>(backend, appsYaml, login + u"server:\n  cliTokenTtl: 1h\n"_s);
    m_server->setClock([skew] { return QDateTime::currentDateTimeUtc().addMSecs(*skew); });
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->get(u"/ready"_s).status, 200, 15000);

    const HttpReply cli = logInAsAlice(true);
    QCOMPARE(cli.status, 200);
    const QString token = cli.json()["token"_L1].toString();
    const QDateTime expiresAt =
        QDateTime::fromString(cli.json()["expiresAt"_L1].toString(), Qt::ISODateWithMs);
    QVERIFY2(expiresAt.isValid(), cli.body.constData());
    QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(expiresAt) - 3600) < 120);
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(token)).status, 200);

    *skew = qint64(3600 + 5) * 1000;
    const HttpReply expired = m_server->get(u"/api/v1/apps"_s, TestServer::bearer(token));
    QCOMPARE(expired.status, 401);
    QCOMPARE(expired.error(), u"invalid token"_s);
}

void tst_SecIdentity::disabledUserCannotLogInAgain()
{
    // A disabled user going through the identity provider again gets neither a session nor a
    // fresh CLI token.
    QFETCH_GLOBAL(QString, backend);
    const QString login = startLoginPeer();
    QVERIFY2(!login.isEmpty(), "the OpenID Connect peer did not start");
    m_server = std::make_unique<TestServer>(backend, appsYaml, login + uR"(server:
  admin:
    authorizationPolicy: operators
authorization:
  policies:
    operators:
      members:
        - {email: admin@example.com, role: admin}
)"_s);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->get(u"/ready"_s).status, 200, 15000);
    const TestServer::TestUser admin = m_server->user(u"admin@example.com"_s);
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    QCOMPARE(m_server
                 ->post(u"/admin/api/v1/users/"_s + alice.id + u"/disable"_s,
                        {},
                        TestServer::bearer(admin.token))
                 .status,
             200);
    for (const bool cli : {true, false}) {
        const HttpReply refused = logInAsAlice(cli);
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.json()["code"_L1].toString(), u"user_disabled"_s);
        QVERIFY(setCookie(refused, "session_token").isEmpty());
        QVERIFY(refused.json()["token"_L1].isUndefined());
    }
    QCOMPARE(m_server
                 ->post(u"/admin/api/v1/users/"_s + alice.id + u"/enable"_s,
                        {},
                        TestServer::bearer(admin.token))
                 .status,
             200);
    QCOMPARE(logInAsAlice(true).status, 200);
}

void tst_SecIdentity::disabledUserIsRefusedOnEveryReplicaAndComesBackWhenEnabled()
{
    // Before: there was no way to disable a user; a leaver's session, API tokens and MCP tokens
    // kept working.
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, appsYaml, loginWithAdminPolicy());
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_replica = std::make_unique<TestServer>(backend, appsYaml, loginWithAdminPolicy());
    m_replica->shareDatastoreOf(*m_server);
    QVERIFY2(m_replica->start(), qPrintable(m_replica->errorString()));

    const TestServer::TestUser admin = m_server->user(u"admin@example.com"_s);
    const TestServer::TestUser victim = m_server->user(u"leaver@example.com"_s);
    const TestServer::TestUser bystander = m_server->user(u"stays@example.com"_s);
    const QString session = m_server->sessionFor(victim);
    // A session cookie, an API token, and a session JWT as a bearer token (the shape of the MCP
    // OAuth access token).
    const QList<TestServer::Headers> credentials{TestServer::cookie(u"session_token"_s, session),
                                                 TestServer::bearer(victim.token),
                                                 TestServer::bearer(session)};
    for (const TestServer::Headers &headers : credentials) {
        QCOMPARE(m_replica->get(u"/api/v1/apps"_s, headers).status, 200);
    }

    const HttpReply disabled = m_server->post(
        u"/admin/api/v1/users/"_s + victim.id + u"/disable"_s, {}, TestServer::bearer(admin.token));
    QCOMPARE(disabled.status, 200);
    QCOMPARE(disabled.json()["disabled"_L1].toBool(), true);
    QCOMPARE(disabled.json()["email"_L1].toString(), victim.email);
    QVERIFY(!disabled.json()["disabledAt"_L1].toString().isEmpty());

    for (const TestServer::Headers &headers : credentials) {
        // At once on the replica that disabled the user...
        const HttpReply local = m_server->get(u"/api/v1/apps"_s, headers);
        QCOMPARE(local.status, 403);
        QCOMPARE(local.json()["code"_L1].toString(), u"user_disabled"_s);
        // ...and on the other one within the cache window.
        QTRY_COMPARE_WITH_TIMEOUT(
            m_replica->get(u"/api/v1/apps"_s, headers).status, 403, replicaWindowMs);
        QCOMPARE(m_replica->get(u"/api/v1/apps"_s, headers).json()["code"_L1].toString(),
                 u"user_disabled"_s);
        // Not even the user's own token routes (they could mint a fresh token otherwise).
        QCOMPARE(m_replica->post(u"/api/v1/tokens"_s, R"({"name":"fresh"})", headers).status, 403);
    }
    QCOMPARE(m_replica->get(u"/api/v1/apps"_s, TestServer::bearer(bystander.token)).status, 200);

    const HttpReply listed =
        m_replica->get(u"/admin/api/v1/users"_s, TestServer::bearer(admin.token));
    QCOMPARE(listed.status, 200);
    bool seen = false;
    for (const QJsonValue &user : listed.json()["users"_L1].toArray()) {
        if (user["id"_L1].toString() == victim.id) {
            seen = true;
            QCOMPARE(user["disabled"_L1].toBool(), true);
        } else {
            QCOMPARE(user["disabled"_L1].toBool(), false);
        }
    }
    QVERIFY(seen);

    const HttpReply enabled = m_server->post(
        u"/admin/api/v1/users/"_s + victim.id + u"/enable"_s, {}, TestServer::bearer(admin.token));
    QCOMPARE(enabled.status, 200);
    QCOMPARE(enabled.json()["disabled"_L1].toBool(), false);
    for (const TestServer::Headers &headers : credentials) {
        QCOMPARE(m_server->get(u"/api/v1/apps"_s, headers).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(
            m_replica->get(u"/api/v1/apps"_s, headers).status, 200, replicaWindowMs);
    }
}

void tst_SecIdentity::nonAdminCannotDisableAnyone()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, appsYaml, loginWithAdminPolicy());
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    const TestServer::TestUser admin = m_server->user(u"admin@example.com"_s);
    const TestServer::TestUser user = m_server->user(u"user@example.com"_s);
    const TestServer::TestUser scoped = m_server->user(u"admin@example.com"_s, u"demo"_s);
    const QString disableAdmin = u"/admin/api/v1/users/"_s + admin.id + u"/disable"_s;

    const HttpReply anonymous = m_server->post(disableAdmin, {});
    QCOMPARE(anonymous.status, 401);
    const HttpReply byUser = m_server->post(disableAdmin, {}, TestServer::bearer(user.token));
    QCOMPARE(byUser.status, 403);
    QCOMPARE(byUser.error(), u"admin access denied"_s);
    QCOMPARE(m_server->get(u"/admin/api/v1/users"_s, TestServer::bearer(user.token)).status, 403);
    // A token the admin scoped to one app is not the admin.
    const HttpReply byScoped = m_server->post(
        u"/admin/api/v1/users/"_s + user.id + u"/disable"_s, {}, TestServer::bearer(scoped.token));
    QCOMPARE(byScoped.status, 403);
    // The admin cannot lock themselves out.
    const HttpReply self = m_server->post(disableAdmin, {}, TestServer::bearer(admin.token));
    QCOMPARE(self.status, 409);
    QCOMPARE(self.json()["code"_L1].toString(), u"cannot_disable_self"_s);
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(admin.token)).status, 200);
    // Unknown users and bad paging.
    QCOMPARE(
        m_server->post(u"/admin/api/v1/users/nobody/disable"_s, {}, TestServer::bearer(admin.token))
            .status,
        404);
    QCOMPARE(
        m_server->get(u"/admin/api/v1/users?pageToken=%25%25"_s, TestServer::bearer(admin.token))
            .status,
        400);
    QCOMPARE(
        m_server->get(u"/admin/api/v1/users?pageSize=0"_s, TestServer::bearer(admin.token)).status,
        400);
    // Paging walks every user once.
    QStringList emails;
    QString pageToken;
    do {
        const HttpReply page =
            m_server->get(u"/admin/api/v1/users?pageSize=1"_s
                              + (pageToken.isEmpty() ? QString() : u"&pageToken="_s + pageToken),
                          TestServer::bearer(admin.token));
        QCOMPARE(page.status, 200);
        for (const QJsonValue &entry : page.json()["users"_L1].toArray()) {
            emails.append(entry["email"_L1].toString());
        }
        pageToken = page.json()["nextPageToken"_L1].toString();
    } while (!pageToken.isEmpty() && emails.size() < 10);
    QCOMPARE(emails, (QStringList{u"admin@example.com"_s, u"user@example.com"_s}));
    // Nothing changed.
    QCOMPARE(m_server->get(u"/api/v1/apps"_s, TestServer::bearer(user.token)).status, 200);
}

void tst_SecIdentity::anonymousAccessOnANonLoopbackAddressIsRefused()
{
    // Before: without platform login on 0.0.0.0, anyone on the network was the anonymous local
    // user, with every stored credential and the admin API.
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(
        backend, appsYaml, u"server:\n  public:\n    host: 0.0.0.0\n"_s);
    QVERIFY(!m_server->start());
    QVERIFY2(m_server->errorString().contains(u"server.public.host"_s)
                 && m_server->errorString().contains(u"server.allowAnonymous: true"_s),
             qPrintable(m_server->errorString()));

    const auto [refused, why] = validate(anonymousOnAllInterfaces);
    QCOMPARE(refused, 1);
    QVERIFY2(why.contains(u"is not a loopback address and no platform login is configured"_s),
             qPrintable(why));

    // The explicit opt-in starts, and so does loopback without it.
    m_server = std::make_unique<TestServer>(
        backend, appsYaml, u"server:\n  public:\n    host: 0.0.0.0\n  allowAnonymous: true\n"_s);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QCOMPARE(m_server->get(u"/api/v1/apps"_s).status, 200);
    const auto [accepted, output] =
        validate(anonymousOnAllInterfaces + u"  allowAnonymous: true\n"_s);
    QCOMPARE(accepted, 0);
    QVERIFY2(output.contains(u"config is valid"_s), qPrintable(output));
}

void tst_SecIdentity::proxyAuthorizationIsNeverASecondIdentity()
{
    // http-api-legacy.md: proxy routes also take `Proxy-Authorization: Bearer <token>`. Attacks:
    // smuggle a second identity beside Authorization (which one wins?), get past a bad
    // Authorization with a good Proxy-Authorization, use it beyond the operation routes, or have
    // it relayed to the upstream.
    HttpbinProcess httpbin;
    QVERIFY2(httpbin.start(), qPrintable(httpbin.errorString()));
    QFETCH_GLOBAL(QString, backend);
    const QString apps =
        u"apps:\n  bin:\n    surfaces:\n      rest:\n        baseUrl: %1\n"
        "        operations:\n          - {name: headers, method: GET, path: /headers}\n"_s.arg(
            httpbin.baseUrl());
    m_server = std::make_unique<TestServer>(backend, apps, TestServer::unreachableLoginYaml());
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    const TestServer::TestUser alice = m_server->user(u"alice@example.com"_s);
    const TestServer::TestUser mallory = m_server->user(u"mallory@example.com"_s);
    const QByteArray aliceBearer = "Bearer " + alice.token.toLatin1();
    const QByteArray malloryBearer = "Bearer " + mallory.token.toLatin1();
    const QString invoke = u"/api/v1/bin/headers"_s;
    const auto call = [&](const QString &path, const TestServer::Headers &headers) {
        return m_server->get(path, headers);
    };

    // Alone, or the same credential twice, it is the caller's credential; it is not relayed.
    const HttpReply proxied = call(invoke, {{"Proxy-Authorization"_ba, aliceBearer}});
    QCOMPARE(proxied.status, 200);
    const QJsonObject upstreamSaw = proxied.json()[u"headers"_s].toObject();
    QVERIFY2(!upstreamSaw.contains(u"Proxy-Authorization"_s)
                 && !upstreamSaw.contains(u"Authorization"_s),
             proxied.body.constData());
    QCOMPARE(
        call(invoke, {{"Authorization"_ba, aliceBearer}, {"Proxy-Authorization"_ba, aliceBearer}})
            .status,
        200);

    // Two different credentials: refused whichever way round, whichever one is valid.
    const QList<std::pair<QByteArray, QByteArray>> pairs{{aliceBearer, malloryBearer},
                                                         {malloryBearer, aliceBearer},
                                                         {"Bearer gst_api_forged"_ba, aliceBearer},
                                                         {aliceBearer, "Bearer gst_api_forged"_ba},
                                                         {"Basic YTpi"_ba, aliceBearer}};
    for (const auto &[authorization, proxy] : pairs) {
        const HttpReply reply =
            call(invoke, {{"Authorization"_ba, authorization}, {"Proxy-Authorization"_ba, proxy}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.error(),
                 u"Authorization and Proxy-Authorization carry different credentials; send one"_s);
        // Neither token is echoed.
        QVERIFY(!reply.body.contains(alice.token.toLatin1())
                && !reply.body.contains(mallory.token.toLatin1()));
    }
    // A forged Proxy-Authorization alone is an invalid token, as in Authorization.
    const HttpReply forged = call(invoke, {{"Proxy-Authorization"_ba, "Bearer gst_api_forged"_ba}});
    QCOMPARE(forged.status, 401);
    QCOMPARE(forged.error(), u"invalid token"_s);
    // Another scheme belongs to a proxy on the way: ignored, Authorization decides.
    QCOMPARE(call(invoke,
                  {{"Authorization"_ba, aliceBearer}, {"Proxy-Authorization"_ba, "Basic YTpi"_ba}})
                 .status,
             200);
    QCOMPARE(call(invoke, {{"Proxy-Authorization"_ba, "Basic YTpi"_ba}}).status, 401);

    // Beyond the operation routes it is no credential at all.
    for (const QString &path :
         {u"/api/v1/tokens"_s, u"/api/v1/apps"_s, u"/api/v1/workflow/runs"_s}) {
        const HttpReply reply = call(path, {{"Proxy-Authorization"_ba, aliceBearer}});
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.error(), u"missing authorization"_s);
    }
}

void tst_SecIdentity::disabledOwnersWorkflowStepsRunNothing()
{
    // A trigger runs as its owner, with the owner's credentials, and without a request: a
    // disabled owner's authority must not keep reaching upstreams through it.
    HttpbinProcess httpbin;
    QVERIFY2(httpbin.start(), qPrintable(httpbin.errorString()));
    QFETCH_GLOBAL(QString, backend);
    const QString apps =
        u"apps:\n  bin:\n    surfaces:\n      rest:\n        baseUrl: %1\n"
        "        operations:\n          - {name: ip, method: GET, path: /ip}\n"_s.arg(
            httpbin.baseUrl());
    m_server = std::make_unique<TestServer>(backend, apps, loginWithAdminPolicy());
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    const TestServer::TestUser admin = m_server->user(u"admin@example.com"_s);
    const TestServer::TestUser owner = m_server->user(u"owner@example.com"_s);
    const TestServer::TestUser publisher = m_server->user(u"publisher@example.com"_s);

    const QJsonObject step{
        {u"id"_s, u"s"_s},
        {u"app"_s, QJsonObject{{u"name"_s, u"bin"_s}, {u"operation"_s, u"ip"_s}}}};
    const QJsonObject trigger{{u"match"_s, QJsonObject{{u"type"_s, u"ping"_s}}},
                              {u"publishers"_s, QJsonArray{publisher.subjectId}},
                              {u"target"_s, QJsonObject{{u"steps"_s, QJsonArray{step}}}}};
    const HttpReply created = m_server->post(u"/api/v1/workflow/event-triggers"_s,
                                             QJsonDocument(trigger).toJson(QJsonDocument::Compact),
                                             TestServer::bearer(owner.token));
    QCOMPARE(created.status, 201);
    const QString definition = created.json()["id"_L1].toString();
    const auto runs = [&] {
        QSqlQuery query(m_server->app().database().connection());
        query.prepare(u"SELECT status, status_message FROM workflow_runs WHERE definition_id = ? "
                      "ORDER BY created_at"_s);
        query.addBindValue(definition);
        QStringList rows;
        if (query.exec()) {
            while (query.next()) {
                rows.append(query.value(0).toString() + u' ' + query.value(1).toString());
            }
        }
        return rows;
    };
    const QByteArray ping = R"({"type":"ping"})";
    const HttpReply first =
        m_server->post(u"/api/v1/workflow/events"_s, ping, TestServer::bearer(publisher.token));
    QVERIFY2(first.status == 200 || first.status == 202, first.body.constData());
    QTRY_VERIFY_WITH_TIMEOUT(runs().size() == 1 && runs().at(0).startsWith(u"succeeded"_s), 10000);

    const HttpReply disabled = m_server->post(
        u"/admin/api/v1/users/"_s + owner.id + u"/disable"_s, {}, TestServer::bearer(admin.token));
    QCOMPARE(disabled.status, 200);
    const HttpReply second =
        m_server->post(u"/api/v1/workflow/events"_s, ping, TestServer::bearer(publisher.token));
    QVERIFY2(second.status == 200 || second.status == 202, second.body.constData());
    QTRY_VERIFY_WITH_TIMEOUT(runs().size() == 2 && runs().at(1).startsWith(u"failed"_s), 10000);
    QVERIFY2(runs().at(1).contains(u"disabled"_s), qPrintable(runs().join(u" | "_s)));
}

QTEST_MAIN(tst_SecIdentity)
#include "tst_sec_identity.moc"
