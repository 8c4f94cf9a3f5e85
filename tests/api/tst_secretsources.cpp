// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// gestaltd started from a config whose root key comes from a `file` secrets provider and whose
// OAuth client secret comes from an `env` one: the client secret reaches a real authorization
// server (oauth2-mock-server), a credential stored under one start is readable after a restart
// with the same refs, and a different key from the same ref cannot read it.
#include "support/HttpbinProcess.h"
#include "support/NodePeer.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QFile>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

const QString keyA = u"a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"_s;
const QString keyB = u"0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000"_s;
const QByteArray clientSecretVariable = "GST_SECRETSOURCES_SERVICE_SECRET";
const QString clientSecret = u"client-secret-from-env"_s;

QString appsYaml(const QString &authServer, const QString &httpbin)
{
    return uR"(connections:
  echo_token:
    mode: user
    auth:
      type: manual
  service:
    mode: platform
    auth:
      grantType: client_credentials
      tokenUrl: %1/token
      clientId: gestalt-service
      clientSecret:
        secret:
          provider: vars
          name: SERVICE_SECRET
      clientAuth: header
apps:
  bin:
    connections:
      default:
        ref: echo_token
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - {name: headers, method: GET, path: /headers}
  robot:
    connections:
      default:
        ref: service
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - {name: headers, method: GET, path: /headers}
)"_s.arg(authServer, httpbin);
}

// The second config file: the secrets providers, and server.encryptionKey (over TestServer's
// literal key) from the file provider.
QString secretsYaml(const QString &secretsDir)
{
    return uR"(providers:
  secrets:
    files:
      source: file
      config:
        dir: "%1"
    vars:
      source: env
      config:
        prefix: GST_SECRETSOURCES_
server:
  encryptionKey:
    secret:
      provider: files
      name: root-key
)"_s.arg(secretsDir);
}

} // namespace

class tst_SecretSources final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
        QVERIFY2(m_authServer.start(), qPrintable(m_authServer.errorString()));
        qputenv(clientSecretVariable.constData(), clientSecret.toUtf8());
    }
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        m_secrets.emplace();
        QVERIFY(m_secrets->isValid());
        writeKey(keyA);
        m_server =
            std::make_unique<TestServer>(backend,
                                         appsYaml(m_authServer.baseUrl(), m_httpbin.baseUrl()),
                                         secretsYaml(m_secrets->path()));
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }
    void cleanup() { m_server.reset(); }
    void cleanupTestCase()
    {
        qunsetenv(clientSecretVariable.constData());
        TestDatabase::dropAll();
    }

    void clientSecretFromEnvReachesTheAuthorizationServer()
    {
        const HttpReply reply = m_server->get(u"/api/v1/robot/headers"_s);
        QCOMPARE(reply.status, 200);
        const Result<QJsonDocument> stats = m_authServer.getJson(u"/_control/stats"_s);
        QVERIFY(stats.hasValue());
        QCOMPARE((*stats)[u"last"_s][u"basicCredentials"_s].toString(),
                 u"gestalt-service:"_s + clientSecret);
    }

    void credentialsSurviveARestartWithTheSameRef()
    {
        HttpReply reply = m_server->post(u"/api/v1/auth/connect-manual"_s,
                                         R"({"integration":"bin","credential":"tok-kept"})");
        QCOMPARE(reply.status, 200);
        QCOMPARE(authorizationSent(), u"Bearer tok-kept"_s);

        m_server->kill();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        QCOMPARE(authorizationSent(), u"Bearer tok-kept"_s);

        // The same ref now yields another key: the sealed credential cannot be opened with it.
        m_server->kill();
        writeKey(keyB);
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"does not open: wrong encryption key"_s));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"error 500 .* does not open"_s));
        reply = m_server->get(u"/api/v1/bin/headers"_s);
        QCOMPARE(reply.status, 500);
        QVERIFY(!reply.body.contains("tok-kept"));
    }

    void aMissingSecretStopsTheStartNamingTheRef()
    {
        m_server->kill();
        QVERIFY(QFile::remove(m_secrets->filePath(u"root-key"_s)));
        QVERIFY(!m_server->start());
        QVERIFY2(
            m_server->errorString().contains(
                u"server.encryptionKey: secret \"root-key\" not found in provider \"files\""_s),
            qPrintable(m_server->errorString()));
    }

private:
    [[nodiscard]] QString authorizationSent()
    {
        const HttpReply reply = m_server->get(u"/api/v1/bin/headers"_s);
        if (reply.status != 200) {
            return u"status %1"_s.arg(reply.status);
        }
        return reply.json()[u"headers"_s][u"Authorization"_s].toString();
    }

    void writeKey(const QString &key)
    {
        QFile file(m_secrets->filePath(u"root-key"_s));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QVERIFY(file.write(key.toUtf8() + '\n') > 0);
        file.close();
        QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    }

    HttpbinProcess m_httpbin;
    NodePeer m_authServer{u"oauth-server.mjs"_s};
    std::optional<QTemporaryDir> m_secrets;
    std::unique_ptr<TestServer> m_server;
};

QTEST_GUILESS_MAIN(tst_SecretSources)
#include "tst_secretsources.moc"
