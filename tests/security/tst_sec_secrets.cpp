// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Secret values resolved from structured secret refs (providers.secrets env and file) never reach
// gestaltd's output: not the problems `gestaltd validate` prints, not the error of a refused
// start, not the log of a running server with every debug category on.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString fileKey = u"f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed"_s;
const QString fileSecret = u"file-secret-Zq8vYw"_s;
const QString envSecret = u"env-secret-Kp3mXr"_s;

QString providers(const QString &dir)
{
    return uR"(apiVersion: gestaltd.config/v5
providers:
  secrets:
    files: {source: file, config: {dir: "%1"}}
    vars: {source: env, config: {prefix: GST_SECSECRETS_}}
)"_s.arg(dir);
}

} // namespace

class tst_SecSecrets final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir.emplace();
        QVERIFY(m_dir->isValid());
        QVERIFY(QDir(m_dir->path()).mkpath(u"secrets"_s));
        writeSecret(u"key"_s, fileKey);
        writeSecret(u"other"_s, fileSecret);
    }

    // Secrets put where a number, a duration or an enum is expected, and a missing one.
    void validateNamesTheKeysNotTheValues()
    {
        const QString yaml = providers(secretsDir()) + uR"(server:
  encryptionKey: {secret: {provider: files, name: key}}
  public:
    host: 127.0.0.1
    port: {secret: {provider: vars, name: PORT}}
  apiTokenTtl: {secret: {provider: files, name: other}}
  logFormat: {secret: {provider: files, name: key}}
  baseUrl: {secret: {provider: files, name: gone}}
)"_s;
        const auto [code, output] = run({u"validate"_s, u"--config"_s, write(yaml)});
        QVERIFY2(code == 1, qPrintable(output));
        QVERIFY2(
            output.contains(u"server.public.port: expected an integer, found a secret value"_s),
            qPrintable(output));
        QVERIFY2(output.contains(u"server.apiTokenTtl: invalid duration a secret value"_s),
                 qPrintable(output));
        QVERIFY2(
            output.contains(u"server.baseUrl: secret \"gone\" not found in provider \"files\""_s),
            qPrintable(output));
        expectNoSecret(output);
    }

    void aRefusedStartPrintsNoSecret()
    {
        const QString yaml = providers(secretsDir()) + uR"(server:
  encryptionKey: {secret: {provider: files, name: key}}
  public: {host: 127.0.0.1, port: {secret: {provider: vars, name: PORT}}}
)"_s;
        const auto [code, output] = run({u"serve"_s, u"--config"_s, write(yaml)});
        QVERIFY2(code == 2, qPrintable(output));
        QVERIFY2(output.contains(u"invalid config"_s), qPrintable(output));
        expectNoSecret(output);
    }

    void aRunningServerLogsNoSecret()
    {
        const QString yaml = providers(secretsDir()) + uR"(server:
  encryptionKey: {secret: {provider: files, name: key}}
  public: {host: 127.0.0.1, port: 0}
connections:
  service:
    mode: platform
    auth:
      grantType: client_credentials
      tokenUrl: http://127.0.0.1:9/token
      clientId: gestalt-service
      clientSecret: {secret: {provider: vars, name: PORT}}
apps:
  robot:
    connections: {default: {ref: service}}
    headers: {X-Api-Key: {secret: {provider: files, name: other}}}
    surfaces:
      rest:
        baseUrl: http://127.0.0.1:9
        operations: [{name: ping, method: GET, path: /ping}]
)"_s;
        QProcess server;
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.setProcessEnvironment(environment());
        server.start(QStringLiteral(GESTALTD_BINARY), {u"serve"_s, u"--config"_s, write(yaml)});
        QVERIFY(server.waitForStarted());
        QByteArray output;
        while (!output.contains("public listener on") && server.waitForReadyRead(15000)) {
            output += server.readAll();
        }
        QVERIFY2(output.contains("public listener on"), output.constData());
        server.terminate();
        QVERIFY(server.waitForFinished(15000));
        output += server.readAll();
        QVERIFY2(output.contains("config: resolved 3 secret refs"), output.constData());
        expectNoSecret(QString::fromUtf8(output));
    }

private:
    [[nodiscard]] QString secretsDir() const { return m_dir->filePath(u"secrets"_s); }

    void writeSecret(const QString &name, const QString &value)
    {
        QFile file(m_dir->filePath(u"secrets/"_s + name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.write(value.toUtf8() + '\n') > 0);
        file.close();
        QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    }

    [[nodiscard]] QString write(const QString &yaml) const
    {
        const QString path = m_dir->filePath(u"gestaltd.yaml"_s);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            qFatal("cannot write the config");
        }
        file.write(yaml.toUtf8());
        return path;
    }

    // Every debug category on, and the env secret set.
    [[nodiscard]] static QProcessEnvironment environment()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"QT_LOGGING_RULES"_s, u"*.debug=true"_s);
        env.insert(u"GST_SECSECRETS_PORT"_s, envSecret);
        return env;
    }

    [[nodiscard]] static std::pair<int, QString> run(const QStringList &arguments)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.setProcessEnvironment(environment());
        process.start(QStringLiteral(GESTALTD_BINARY), arguments);
        if (!process.waitForFinished(30000)) {
            return {-1, u"gestaltd did not finish"_s};
        }
        return {process.exitCode(), QString::fromUtf8(process.readAll())};
    }

    static void expectNoSecret(const QString &output)
    {
        for (const QString &secret : {fileKey, fileSecret, envSecret}) {
            QVERIFY2(!output.contains(secret), qPrintable(u"leaked: "_s + secret));
        }
    }

    std::optional<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(tst_SecSecrets)
#include "tst_sec_secrets.moc"
