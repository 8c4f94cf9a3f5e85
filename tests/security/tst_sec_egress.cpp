// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Egress pivots (issue 19, section 4), over real HTTP against a running gestaltd, on SQLite and
// PostgreSQL: a host that comes from a caller (a connection parameter) or from an upstream (a
// discovery result) fills the {host} of an app's base URL and points the gateway, with the
// caller's credential, at the gateway's own machine, a private network or the cloud metadata
// address. Such a host must resolve to public addresses only (checked after DNS, and the
// connection goes to the checked address); a host the operator wrote in the config, or allowed
// by name (egress.allowedHosts), is the operator's choice. A FakeUpstream on 127.0.0.1 counts the
// connections that reach it; Debian's httpbin is the upstream of the apps that must keep working.
#include "support/FakeUpstream.h"
#include "support/HttpbinProcess.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

const QString kNonPublic = u"is not allowed: it resolves to a non-public address"_s;

// A discovery answer with one account whose "host" is `host`, URL-safe base64 for httpbin's
// /base64/<value> (which answers the decoded bytes).
QString discoveryAnswer(const QString &host)
{
    const QByteArray document =
        QJsonDocument(
            QJsonObject{
                {u"accounts"_s, QJsonArray{QJsonObject{{u"id"_s, u"acct"_s}, {u"host"_s, host}}}}})
            .toJson(QJsonDocument::Compact);
    return QString::fromLatin1(document.toBase64(QByteArray::Base64UrlEncoding));
}

// `pivot`: the caller picks {host}; `pivot_allowed`: the same, but the operator allows
// 127.0.0.1 by name; `mapped`: a discovery result picks the IPv6 address of http://[{host}]:port;
// `discovered_port`: a discovery result picks host and port of http://{host} (discovery values
// may hold ":" but not "[", ConnectionService's metadataValue); `local`: a literal loopback base
// URL (the operator's choice); `named`: a literal base URL on the fake's origin.
QString appsYaml(const QString &httpbin, quint16 fakePort)
{
    return uR"(connections:
  chosen_host:
    mode: user
    auth: {type: manual}
    params:
      host: {required: true}
apps:
  pivot:
    timeout: 2s
    connections:
      default: {ref: chosen_host}
    surfaces:
      rest:
        baseUrl: http://{host}:%2
        operations:
          - {name: ping, method: GET, path: /ping}
  pivot_allowed:
    timeout: 2s
    egress:
      allowedHosts: [127.0.0.1]
    connections:
      default: {ref: chosen_host}
    surfaces:
      rest:
        baseUrl: http://{host}:%2
        operations:
          - {name: ping, method: GET, path: /ping}
  mapped:
    timeout: 2s
    connections:
      default:
        mode: user
        auth: {type: manual}
        params:
          host: {from: discovery}
        discovery:
          url: %1/base64/%3
          itemsPath: accounts
          metadata: {host: host}
    surfaces:
      rest:
        baseUrl: http://[{host}]:%2
        operations:
          - {name: ping, method: GET, path: /ping}
  discovered_port:
    timeout: 2s
    connections:
      default:
        mode: user
        auth: {type: manual}
        params:
          host: {from: discovery}
        discovery:
          url: %1/base64/%4
          itemsPath: accounts
          metadata: {host: host}
    surfaces:
      rest:
        baseUrl: http://{host}
        operations:
          - {name: ping, method: GET, path: /ping}
  local:
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: anything, method: GET, path: /anything}
  local_allowed:
    egress:
      allowedHosts: [127.0.0.1]
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - {name: anything, method: GET, path: /anything}
  named:
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:%2
        operations:
          - {name: ping, method: GET, path: /ping}
)"_s.arg(httpbin)
        .arg(fakePort)
        .arg(discoveryAnswer(u"::ffff:127.0.0.1"_s),
             discoveryAnswer(u"localhost:%1"_s.arg(fakePort)));
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_SecEgress final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup();
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void callerChosenHostCannotReachLoopbackPrivateOrMetadata_data();
    void callerChosenHostCannotReachLoopbackPrivateOrMetadata();
    void discoveredHostCannotReachLoopback_data();
    void discoveredHostCannotReachLoopback();
    void keptAliveConnectionOfANamedHostIsNotLentToACallerChosenOne();
    void hostAllowedByNameIsReached();
    void literalBaseUrlOnLoopbackStillWorks();
    void defaultActionDenyRefusesAnAppWithoutAllowedHosts();

private:
    void startServer(const QString &overrideYaml = {});
    void connectWithHost(const QString &app, const QString &host);
    static void verifyNonPublic(const HttpReply &reply);

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<FakeUpstream> m_fake;
    HttpbinProcess m_httpbin;
};

void tst_SecEgress::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
}

void tst_SecEgress::init()
{
    m_fake = std::make_unique<FakeUpstream>();
    QVERIFY(m_fake->start());
}

void tst_SecEgress::cleanup()
{
    m_server.reset();
    m_fake.reset();
}

void tst_SecEgress::startServer(const QString &overrideYaml)
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(
        backend, appsYaml(m_httpbin.baseUrl(), m_fake->port()), overrideYaml);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void tst_SecEgress::connectWithHost(const QString &app, const QString &host)
{
    const HttpReply reply =
        m_server->post(u"/api/v1/auth/connect-manual"_s,
                       json({{u"integration"_s, app},
                             {u"credential"_s, u"user-secret-token"_s},
                             {u"connectionParams"_s, QJsonObject{{u"host"_s, host}}}}));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"status"_s].toString(), u"connected"_s);
}

void tst_SecEgress::verifyNonPublic(const HttpReply &reply)
{
    QCOMPARE(reply.status, 403);
    QVERIFY2(reply.error().startsWith(u"egress to host \""_s)
                 && reply.error().endsWith(u"\" "_s + kNonPublic),
             qPrintable(reply.error()));
    QVERIFY(!reply.body.contains("user-secret-token"));
}

void tst_SecEgress::callerChosenHostCannotReachLoopbackPrivateOrMetadata_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("reported"); // the host the error names
    QTest::newRow("loopback") << u"127.0.0.1"_s << u"127.0.0.1"_s;
    QTest::newRow("loopback by name") << u"localhost"_s << u"localhost"_s; // after DNS
    QTest::newRow("loopback, short form") << u"127.1"_s << QString();
    QTest::newRow("loopback, decimal") << u"2130706433"_s << QString();
    QTest::newRow("this host") << u"0.0.0.0"_s << u"0.0.0.0"_s;
    QTest::newRow("cloud metadata") << u"169.254.169.254"_s << u"169.254.169.254"_s;
    QTest::newRow("private network") << u"10.0.0.1"_s << u"10.0.0.1"_s;
    QTest::newRow("private network 192.168") << u"192.168.0.1"_s << u"192.168.0.1"_s;
}

// A user connects with host=127.0.0.1 (or a name or form of it, or a private or metadata
// address) and calls the operation: the gateway would send the user's credential to whatever
// listens on that port of its own machine or network, and relay the answer.
void tst_SecEgress::callerChosenHostCannotReachLoopbackPrivateOrMetadata()
{
    QFETCH(QString, host);
    QFETCH(QString, reported);
    startServer();
    connectWithHost(u"pivot"_s, host);
    const HttpReply reply = m_server->get(u"/api/v1/pivot/ping"_s);
    verifyNonPublic(reply);
    if (!reported.isEmpty()) {
        QCOMPARE(reply.error(), u"egress to host \"%1\" "_s.arg(reported) + kNonPublic);
    }
    QCOMPARE(m_fake->connectionCount(), 0);
}

void tst_SecEgress::discoveredHostCannotReachLoopback_data()
{
    QTest::addColumn<QString>("app");
    QTest::newRow("IPv4-mapped ::ffff:127.0.0.1") << u"mapped"_s;
    QTest::newRow("localhost and a port of its choice") << u"discovered_port"_s;
}

// The discovery endpoint (an upstream) answers an account whose host is loopback (an IPv6 form,
// or a name with a port of its choice); the stored metadata fills {host} of the base URL on
// every later call.
void tst_SecEgress::discoveredHostCannotReachLoopback()
{
    QFETCH(QString, app);
    startServer();
    const HttpReply connected =
        m_server->post(u"/api/v1/auth/connect-manual"_s,
                       json({{u"integration"_s, app}, {u"credential"_s, u"user-secret-token"_s}}));
    QCOMPARE(connected.status, 200);
    QCOMPARE(connected.json()[u"status"_s].toString(), u"connected"_s);
    verifyNonPublic(m_server->get(u"/api/v1/%1/ping"_s.arg(app)));
    QCOMPARE(m_fake->connectionCount(), 0);
}

// An app that names 127.0.0.1:<port> in its config opens a kept-alive connection there; a
// caller-chosen host=127.0.0.1 on the same origin must not ride on it.
void tst_SecEgress::keptAliveConnectionOfANamedHostIsNotLentToACallerChosenOne()
{
    startServer();
    QCOMPARE(m_server->get(u"/api/v1/named/ping"_s).status, 200);
    QCOMPARE(m_fake->connectionCount(), 1);
    connectWithHost(u"pivot"_s, u"127.0.0.1"_s);
    verifyNonPublic(m_server->get(u"/api/v1/pivot/ping"_s));
    QCOMPARE(m_fake->requests().size(), 1);
    QCOMPARE(m_server->get(u"/api/v1/named/ping"_s).status, 200);
    QCOMPARE(m_fake->requests().size(), 2);
}

// egress.allowedHosts: [127.0.0.1] names the host: the operator chose it, so it is reached.
void tst_SecEgress::hostAllowedByNameIsReached()
{
    startServer();
    connectWithHost(u"pivot_allowed"_s, u"127.0.0.1"_s);
    const HttpReply reply = m_server->get(u"/api/v1/pivot_allowed/ping"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(m_fake->requests().size(), 1);
    QVERIFY(m_fake->requests().first().contains("Bearer user-secret-token"));
    // A name is not an address: "localhost" is outside the list.
    connectWithHost(u"pivot_allowed"_s, u"localhost"_s);
    const HttpReply other = m_server->get(u"/api/v1/pivot_allowed/ping"_s);
    QCOMPARE(other.status, 403);
    QCOMPARE(other.error(), u"egress to host \"localhost\" is not allowed"_s);
    QCOMPARE(m_fake->requests().size(), 1);
}

// A base URL the operator wrote (http://127.0.0.1:<port>) is the operator's choice.
void tst_SecEgress::literalBaseUrlOnLoopbackStillWorks()
{
    startServer();
    const HttpReply reply = m_server->get(u"/api/v1/local/anything"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"method"_s].toString(), u"GET"_s);
}

// server.egress.defaultAction: deny and an app without egress.allowedHosts: nothing goes out.
void tst_SecEgress::defaultActionDenyRefusesAnAppWithoutAllowedHosts()
{
    startServer(u"server:\n  egress:\n    defaultAction: deny\n"_s);
    HttpReply reply = m_server->get(u"/api/v1/local/anything"_s);
    QCOMPARE(reply.status, 403);
    QCOMPARE(reply.error(), u"egress to host \"127.0.0.1\" is not allowed"_s);
    reply = m_server->get(u"/api/v1/named/ping"_s);
    QCOMPARE(reply.status, 403);
    QCOMPARE(m_fake->connectionCount(), 0);
    // An app that lists its hosts still reaches them.
    QCOMPARE(m_server->get(u"/api/v1/local_allowed/anything"_s).status, 200);
}

QTEST_GUILESS_MAIN(tst_SecEgress)
#include "tst_sec_egress.moc"
