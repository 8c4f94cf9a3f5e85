// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Attacks from a hosted process (a stdio MCP server the runtime starts) on the gateway that hosts
// it (issue 19, section 5), over real HTTP against a running gestaltd, on SQLite and PostgreSQL.
// The hosted program is tests/peers/runtime-probe.py, whose tool `env` reports what it sees:
//  * it reads GESTALT_ENCRYPTION_KEY, another GESTALT_* or any other variable of gestaltd's
//    environment;
//  * it works in, or has its HOME in, the directory of gestaltd's config and SQLite file;
//  * it inherits descriptors of gestaltd (the SQLite file, listening or client sockets);
//  * it runs as gestaltd's user and reads the SQLite file (runtime.providers.<name>.config.user);
//  * a configured user that cannot be honoured (not root, unknown user) is ignored silently.
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

const QByteArray kKey = "0000000000000000000000000000000000000000000000000000000000000001";

const TestServer::Headers mcpHeaders{{"Content-Type", "application/json"},
                                     {"Accept", "application/json, text/event-stream"}};

QString probeScript()
{
    return QStringLiteral(GESTALT_SOURCE_DIR "/tests/peers/runtime-probe.py");
}

// The system's python3: a configured user (nobody) can run it, unlike one in root's home.
QString python()
{
    const QString system = QStandardPaths::findExecutable(u"python3"_s, {u"/usr/bin"_s, u"/bin"_s});
    return system.isEmpty() ? u"python3"_s : system;
}

QString probeYaml(const QString &providerConfig, const QString &appExtra = {})
{
    return uR"(runtime:
  providers:
    local:
      driver: local
      config:
        restartDelay: 200ms
%1apps:
  probe:
    surfaces:
      mcp:
        command: [%3, %2]
        env:
          PROBE_SETTING: from-the-app-config
%4)"_s.arg(providerConfig, probeScript(), python(), appExtra);
}

bool isUnder(const QString &path, const QString &dir)
{
    const QString p = QDir::cleanPath(path);
    const QString d = QDir::cleanPath(dir);
    return p == d || p.startsWith(d + u'/');
}

} // namespace

class tst_SecRuntime final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void initTestCase();
    void cleanup();
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void encryptionKeyAndServerEnvironmentNeverReachTheChild();
    void childNeitherWorksNorLivesInTheDataDirectory();
    void childInheritsNoDescriptorOfTheServer();
    void configuredUserRunsTheChildAsThatUser();
    void configuredUserWithoutRootIsRefused();
    void unknownUserOrGroupIsRefused();
    void appEnvCannotNameGestaltVariables();
    void workingDirCannotBeTheDataDirectory();

private:
    [[nodiscard]] bool startServer(const QString &providerConfig = {});
    [[nodiscard]] QJsonObject probe(const QJsonObject &arguments = {});
    [[nodiscard]] QString dataDir() const { return QFileInfo(m_server->configPath()).path(); }

    std::unique_ptr<TestServer> m_server;
};

void tst_SecRuntime::initTestCase()
{
    // What gestaltd's own environment holds in production: the key, other GESTALT_* settings,
    // credentials of the host. The Application runs in this process: this is its environment.
    qputenv("GESTALT_ENCRYPTION_KEY", kKey);
    qputenv("GESTALT_DATABASE_URL", "postgres://gestalt:hunter2@db/gestalt");
    qputenv("AWS_SECRET_ACCESS_KEY", "host-credential-not-for-apps");
}

void tst_SecRuntime::cleanup()
{
    m_server.reset();
}

bool tst_SecRuntime::startServer(const QString &providerConfig)
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, probeYaml(providerConfig));
    if (!m_server->start()) {
        qWarning().noquote() << m_server->errorString();
        return false;
    }
    return true;
}

QJsonObject tst_SecRuntime::probe(const QJsonObject &arguments)
{
    for (int attempt = 0; attempt < 300; ++attempt) {
        const QJsonObject message{
            {u"jsonrpc"_s, u"2.0"_s},
            {u"id"_s, attempt + 1},
            {u"method"_s, u"tools/call"_s},
            {u"params"_s, QJsonObject{{u"name"_s, u"probe_env"_s}, {u"arguments"_s, arguments}}}};
        const HttpReply reply =
            m_server->post(u"/mcp"_s, QJsonDocument(message).toJson(), mcpHeaders);
        const QJsonObject result = reply.json()[u"result"_s].toObject();
        const QString text = result[u"content"_s][0][u"text"_s].toString();
        if (reply.status == 200 && !result[u"isError"_s].toBool() && text.startsWith(u'{')) {
            return QJsonDocument::fromJson(text.toUtf8()).object();
        }
        QTest::qWait(100); // the hosted process is still starting
    }
    return {};
}

void tst_SecRuntime::encryptionKeyAndServerEnvironmentNeverReachTheChild()
{
    QVERIFY(startServer());
    const QJsonObject report = probe();
    QVERIFY2(!report.isEmpty(), "the probe never answered");
    const QJsonObject env = report[u"env"_s].toObject();
    for (auto it = env.constBegin(); it != env.constEnd(); ++it) {
        QVERIFY2(!it.key().startsWith(u"GESTALT_"_s), qPrintable(it.key()));
        QVERIFY2(it.value().toString().toUtf8() != kKey, qPrintable(it.key()));
    }
    QVERIFY(!env.contains(u"AWS_SECRET_ACCESS_KEY"_s));
    // Only what a program needs, plus what the app's config gives it.
    const QStringList allowed{u"PATH"_s,
                              u"HOME"_s,
                              u"LANG"_s,
                              u"TZ"_s,
                              u"PROBE_SETTING"_s,
                              u"LC_CTYPE"_s /* Python's own locale coercion */,
                              u"PWD"_s /* QProcess: the working directory */};
    for (const QString &name : env.keys()) {
        QVERIFY2(allowed.contains(name), qPrintable(u"unexpected variable "_s + name));
    }
    QCOMPARE(env[u"PROBE_SETTING"_s].toString(), u"from-the-app-config"_s);
    QCOMPARE(env[u"PATH"_s].toString(), qEnvironmentVariable("PATH"));
}

void tst_SecRuntime::childNeitherWorksNorLivesInTheDataDirectory()
{
    QVERIFY(startServer());
    const QJsonObject report = probe();
    QVERIFY2(!report.isEmpty(), "the probe never answered");
    const QString cwd = report[u"cwd"_s].toString();
    const QString home = report[u"env"_s][u"HOME"_s].toString();
    QVERIFY(!cwd.isEmpty());
    QCOMPARE(home, cwd);
    for (const QString &dir : {dataDir(), QDir::currentPath()}) {
        QVERIFY2(!isUnder(cwd, dir), qPrintable(cwd + u" is under "_s + dir));
        QVERIFY2(!isUnder(dir, cwd), qPrintable(dir + u" is under "_s + cwd));
    }
    // A directory of its own: nobody else may look in.
    QCOMPARE(QFileInfo(cwd).permissions()
                 & (QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther
                    | QFile::WriteGroup | QFile::WriteOther),
             QFile::Permissions{});
}

void tst_SecRuntime::childInheritsNoDescriptorOfTheServer()
{
    // A descriptor gestaltd holds without close-on-exec (as a library may open one): the config
    // directory's files, the SQLite file on that backend.
    QTemporaryDir scratch;
    const QString secretFile = scratch.filePath(u"server-secret"_s);
    {
        QFile file(secretFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(kKey);
    }
    const int leaky = ::open(QFile::encodeName(secretFile).constData(), O_RDONLY);
    QVERIFY(leaky >= 0);
    QVERIFY((::fcntl(leaky, F_GETFD) & FD_CLOEXEC) == 0);
    QVERIFY(startServer());
    const QJsonObject report = probe();
    ::close(leaky);
    QVERIFY2(!report.isEmpty(), "the probe never answered");
    const QJsonObject fds = report[u"fds"_s].toObject();
    for (auto it = fds.constBegin(); it != fds.constEnd(); ++it) {
        const QString target = it.value().toString();
        if (it.key().toInt() <= 2) {
            continue; // its stdin/stdout/stderr pipes
        }
        QVERIFY2(!target.startsWith(u"socket:"_s), qPrintable(it.key() + u" -> "_s + target));
        QVERIFY2(!isUnder(target, dataDir()), qPrintable(it.key() + u" -> "_s + target));
        QVERIFY2(target != secretFile, qPrintable(it.key() + u" -> "_s + target));
        QVERIFY2(!target.endsWith(u".db"_s), qPrintable(it.key() + u" -> "_s + target));
    }
}

void tst_SecRuntime::configuredUserRunsTheChildAsThatUser()
{
    if (::geteuid() != 0) {
        QSKIP("switching the hosted process's user needs root");
    }
    const passwd *nobody = ::getpwnam("nobody");
    if (!nobody) {
        QSKIP("no user nobody here");
    }
    QVERIFY(startServer(u"        user: nobody\n"_s));
    QFETCH_GLOBAL(QString, backend);
    // The SQLite file, or the config file that names the PostgreSQL DSN and holds the key.
    QString target = m_server->configPath();
    const QStringList stores = QDir(dataDir()).entryList({u"*.db"_s}, QDir::Files);
    if (backend == u"sqlite"_s) {
        QVERIFY(!stores.isEmpty());
        target = QDir(dataDir()).filePath(stores.first());
    }
    const QJsonObject report = probe({{u"path"_s, target}});
    QVERIFY2(!report.isEmpty(), "the probe never answered");
    QCOMPARE(report[u"uid"_s].toInteger(), qint64(nobody->pw_uid));
    QCOMPARE(report[u"euid"_s].toInteger(), qint64(nobody->pw_uid));
    QCOMPARE(report[u"gid"_s].toInteger(), qint64(nobody->pw_gid));
    QCOMPARE(report[u"groups"_s].toArray(), QJsonArray{qint64(nobody->pw_gid)});
    QCOMPARE(report[u"readable"_s].toBool(true), false);
    // Its home is its own.
    QCOMPARE(QFileInfo(report[u"cwd"_s].toString()).ownerId(), nobody->pw_uid);
}

void tst_SecRuntime::configuredUserWithoutRootIsRefused()
{
    QFETCH_GLOBAL(QString, backend);
    const QString expected =
        u"config.user: running hosted processes as another user needs gestaltd to run as root"_s;
    if (::geteuid() != 0) {
        m_server = std::make_unique<TestServer>(backend, probeYaml(u"        user: nobody\n"_s));
        QVERIFY(!m_server->start());
        QVERIFY2(m_server->errorString().contains(expected), qPrintable(m_server->errorString()));
        return;
    }
    // As root here: `gestaltd validate` run as nobody is gestaltd without root.
    const QString setpriv = QStandardPaths::findExecutable(u"setpriv"_s);
    if (setpriv.isEmpty() || !::getpwnam("nobody")) {
        QSKIP("needs setpriv and the user nobody to run gestaltd without root");
    }
    QTemporaryDir dir;
    QVERIFY(QFile::setPermissions(dir.path(),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner
                                      | QFile::ReadOther | QFile::ExeOther));
    QFile config(dir.filePath(u"gestaltd.yaml"_s));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(u"apiVersion: gestaltd.config/v5\n"
                 "server:\n"
                 "  public: {host: 127.0.0.1, port: 0}\n"
                 "  encryptionKey: \"%1\"\n"
                 "providers:\n"
                 "  indexeddb:\n"
                 "    main:\n"
                 "      config:\n"
                 "        dsn: \"sqlite://%2\"\n"_s
                     .arg(QString::fromLatin1(kKey), dir.filePath(u"store.db"_s))
                     .toUtf8()
                 + probeYaml(u"        user: nobody\n"_s).toUtf8());
    config.close();
    QVERIFY(config.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));
    QProcess validate;
    validate.start(setpriv,
                   {u"--reuid=nobody"_s,
                    u"--regid=nogroup"_s,
                    u"--clear-groups"_s,
                    QStringLiteral(GESTALTD_BINARY),
                    u"validate"_s,
                    u"--config"_s,
                    config.fileName()});
    QVERIFY(validate.waitForFinished(30000));
    const QString output =
        QString::fromUtf8(validate.readAllStandardError() + validate.readAllStandardOutput());
    QVERIFY2(validate.exitCode() != 0, qPrintable(output));
    QVERIFY2(output.contains(expected), qPrintable(output));
    QVERIFY2(output.contains(u"runtime.providers.local.config"_s), qPrintable(output));
}

void tst_SecRuntime::unknownUserOrGroupIsRefused()
{
    QFETCH_GLOBAL(QString, backend);
    const QList<std::pair<QString, QString>> cases{
        {u"        user: gestalt-no-such-user\n"_s,
         u"config.user: no user named \"gestalt-no-such-user\""_s},
        {u"        user: [root]\n"_s, u"config.user must be a user name or a uid"_s},
        {u"        group: nogroup\n"_s, u"config.group needs config.user"_s},
        {u"        user: root\n        group: gestalt-no-such-group\n"_s,
         u"config.group: no group named \"gestalt-no-such-group\""_s},
    };
    for (const auto &[config, expected] : cases) {
        m_server = std::make_unique<TestServer>(backend, probeYaml(config));
        QVERIFY2(!m_server->start(), qPrintable(config));
        QVERIFY2(m_server->errorString().contains(expected), qPrintable(m_server->errorString()));
    }
}

void tst_SecRuntime::appEnvCannotNameGestaltVariables()
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(
        backend, probeYaml({}, u"          GESTALT_ENCRYPTION_KEY: ${GESTALT_ENCRYPTION_KEY}\n"_s));
    QVERIFY(!m_server->start());
    QVERIFY2(m_server->errorString().contains(
                 u"\"GESTALT_ENCRYPTION_KEY\": names starting with GESTALT_ belong to gestaltd "
                 "and never reach a hosted process"_s),
             qPrintable(m_server->errorString()));
}

void tst_SecRuntime::workingDirCannotBeTheDataDirectory()
{
    QFETCH_GLOBAL(QString, backend);
    // Relative paths are resolved against the config file's directory: "." is that directory,
    // where the SQLite file lives too.
    m_server = std::make_unique<TestServer>(backend, probeYaml({}, u"        workingDir: .\n"_s));
    QVERIFY(!m_server->start());
    QVERIFY2(m_server->errorString().contains(
                 u"apps.probe.surfaces.mcp.workingDir: \"%1\" is the directory of gestaltd's "
                 "config or database"_s.arg(dataDir())),
             qPrintable(m_server->errorString()));
}

QTEST_MAIN(tst_SecRuntime)
#include "tst_sec_runtime.moc"
