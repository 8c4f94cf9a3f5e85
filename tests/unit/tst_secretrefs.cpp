// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Structured secret refs ({secret: {provider, name}}) and the built-in secrets providers (env,
// file), through ConfigLoader as gestaltd loads: resolution anywhere in the tree, the file
// provider's refusals (traversal, symlinks out of the dir, writable files), errors that name the
// ref's key path and never a secret value.
#include "app/ConfigChecks.h"
#include "config/ConfigLoader.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Gestalt;
using namespace Qt::StringLiterals;

namespace {

const QString header = u"apiVersion: gestaltd.config/v5\n"_s;
const QString secretValue = u"s3cr3t-value-never-printed"_s;

// providers.secrets with an env provider `vars` (prefix APP_) and a file provider `files`.
QString providersYaml(const QString &dir)
{
    return uR"(providers:
  secrets:
    vars:
      source: env
      config:
        prefix: APP_
    files:
      source: file
      config:
        dir: "%1"
)"_s.arg(dir);
}

QString keyRef(const QString &provider, const QString &name)
{
    return u"server:\n  encryptionKey:\n    secret:\n      provider: %1\n      name: \"%2\"\n"_s
        .arg(provider, name);
}

} // namespace

class tst_SecretRefs final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(QRegularExpression(u".*"_s));
        m_dir.emplace();
        QVERIFY(m_dir->isValid());
        QVERIFY(QDir(m_dir->path()).mkpath(u"secrets"_s));
        writeSecret(u"enc"_s, secretValue + u"\n"_s);
    }

    void envProviderUsesItsPrefix()
    {
        const Config config =
            loadOk(header + providersYaml(secretsDir()) + keyRef(u"vars"_s, u"KEY"_s),
                   {{u"APP_KEY"_s, secretValue}, {u"KEY"_s, u"unprefixed"_s}});
        QCOMPARE(config.server.encryptionKey, secretValue);
    }

    void fileProviderReadsOneFilePerSecret()
    {
        writeSecret(u"crlf"_s, u"line\r\n"_s);
        writeSecret(u"two-newlines"_s, u"v\n\n"_s);
        const QString yaml = header + providersYaml(secretsDir()) + uR"(  authorization:
    c:
      config:
        crlf: {secret: {provider: files, name: crlf}}
        two: {secret: {provider: files, name: two-newlines}}
)"_s + keyRef(u"files"_s, u"enc"_s);
        const Config config = loadOk(yaml);
        QCOMPARE(config.server.encryptionKey, secretValue); // one trailing newline trimmed
        const QJsonObject cache = config.providers.authorization.value(u"c"_s).config;
        QCOMPARE(cache[u"crlf"_s].toString(), u"line"_s);
        QCOMPARE(cache[u"two"_s].toString(), u"v\n"_s);
    }

    void relativeDirIsRelativeToTheConfigFile()
    {
        const QString yaml = header
                             + u"providers:\n  secrets:\n    files:\n      source: file\n"
                               u"      config:\n        dir: ./secrets\n"_s
                             + keyRef(u"files"_s, u"enc"_s);
        QCOMPARE(loadOk(yaml).server.encryptionKey, secretValue);
    }

    void refsResolveInNestedListsAndMaps()
    {
        writeSecret(u"b"_s, u"from-file"_s);
        const QString yaml = header + providersYaml(secretsDir()) + uR"(  authorization:
    c:
      config:
        list:
          - plain
          - {secret: {provider: vars, name: A}}
          - nested: [{secret: {provider: files, name: b}}]
        map: {deeper: {secret: {provider: files, name: b}}}
)"_s;
        const Config config = loadOk(yaml, {{u"APP_A"_s, u"from-env"_s}});
        const QJsonObject c = config.providers.authorization.value(u"c"_s).config;
        QCOMPARE(c[u"list"_s][0].toString(), u"plain"_s);
        QCOMPARE(c[u"list"_s][1].toString(), u"from-env"_s);
        QCOMPARE(c[u"list"_s][2][u"nested"_s][0].toString(), u"from-file"_s);
        QCOMPARE(c[u"map"_s][u"deeper"_s].toString(), u"from-file"_s);
    }

    void defaultProvider_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        const QString ref = u"server:\n  encryptionKey: {secret: {name: KEY}}\n"_s;
        QTest::newRow("no providers.secrets: built-in env") << ref << u"bare"_s;
        QTest::newRow("the only entry")
            << u"providers:\n  secrets:\n    p: {source: env, config: {prefix: P_}}\n"_s + ref
            << u"p"_s;
        QTest::newRow("default: true")
            << u"providers:\n  secrets:\n    p: {source: env, config: {prefix: P_}}\n"
               u"    q: {source: env, default: true, config: {prefix: Q_}}\n"_s
                   + ref
            << u"q"_s;
        QTest::newRow("server.providers.secrets wins")
            << u"providers:\n  secrets:\n    p: {source: env, config: {prefix: P_}}\n"
               u"    q: {source: env, default: true, config: {prefix: Q_}}\n"
               u"server:\n  providers: {secrets: p}\n  encryptionKey: {secret: {name: KEY}}\n"_s
            << u"p"_s;
    }

    void defaultProvider()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        const Config config = loadOk(
            header + yaml, {{u"KEY"_s, u"bare"_s}, {u"P_KEY"_s, u"p"_s}, {u"Q_KEY"_s, u"q"_s}});
        QCOMPARE(config.server.encryptionKey, expected);
    }

    void refsInLaterFilesAreResolvedAfterTheMerge()
    {
        const QString base =
            write(u"base.yaml"_s,
                  header + providersYaml(secretsDir()) + u"server:\n  encryptionKey: literal\n"_s);
        const QString over = write(u"over.yaml"_s, header + keyRef(u"files"_s, u"enc"_s));
        const ConfigLoadReport report = loader({}).loadReport({base, over});
        QVERIFY2(report.config, qPrintable(report.errors.messages().join(u'\n')));
        QCOMPARE(report.config->server.encryptionKey, secretValue);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        const QString providers = providersYaml(u"%D"_s);
        QTest::newRow("missing file secret")
            << providers + keyRef(u"files"_s, u"nope"_s)
            << u"%F:14:5: server.encryptionKey: secret \"nope\" not found in provider \"files\""_s;
        QTest::newRow("missing env secret")
            << providers + keyRef(u"vars"_s, u"NOPE"_s)
            << u"%F:14:5: server.encryptionKey: secret \"NOPE\" not found in provider \"vars\" "
               u"(environment variable APP_NOPE is not set)"_s;
        QTest::newRow("unknown provider")
            << providers + keyRef(u"filez"_s, u"enc"_s)
            << u"%F:14:5: server.encryptionKey: secret \"enc\": no providers.secrets entry "
               u"\"filez\" (did you mean \"files\"?)"_s;
        QTest::newRow("no name")
            << providers + u"server:\n  encryptionKey: {secret: {provider: files}}\n"_s
            << u"%F:13:19: server.encryptionKey.secret.name: required"_s;
        QTest::newRow("unknown key in a ref")
            << providers
                   + u"server:\n  encryptionKey: {secret: {provider: files, name: enc, nmae: x}}\n"_s
            << u"%F:13:56: unknown key \"server.encryptionKey.secret.nmae\" (did you mean \"name\"?)"_s;
        QTest::newRow("several providers, none chosen")
            << providers + u"server:\n  encryptionKey: {secret: {name: enc}}\n"_s
            << u"%F:13:18: server.encryptionKey: secret \"enc\": name its provider "
               u"(secret.provider), or choose a default with server.providers.secrets"_s;
        QTest::newRow("ref in a secrets provider's config")
            << u"providers:\n  secrets:\n    v:\n      source: env\n"
               u"      config:\n        prefix: {secret: {provider: v, name: P}}\n"_s
            << u"%F:7:17: providers.secrets.v.config.prefix: a secrets provider's own settings "
               u"cannot use a secret ref (it would depend on itself); use ${VAR} or VAR_FILE "
               u"expansion"_s;
        QTest::newRow("unknown key in env config")
            << u"providers:\n  secrets:\n    v:\n      source: env\n"
               u"      config:\n        dir: /x\n"_s
            << u"%F:7:9: unknown key \"providers.secrets.v.config.dir\""_s;
        QTest::newRow("file without dir")
            << u"providers:\n  secrets:\n    f:\n      source: file\n"_s
            << u"%F:5:7: providers.secrets.f.config: dir: required for source: file (the "
               u"directory holding one file per secret)"_s;
        QTest::newRow("no source")
            << u"providers:\n  secrets:\n    v:\n      config: {prefix: X}\n"_s
            << u"%F:5:7: providers.secrets.v.source: required (env or file, the built-in secrets "
               u"providers)"_s;
        QTest::newRow("unknown built-in")
            << u"providers:\n  secrets:\n    v:\n      source: vault\n"_s
            << u"%F:5:7: providers.secrets.v.source: \"vault\" is not a built-in secrets provider "
               u"(this gestaltd has only the built-in env and file; use one of them, or ${VAR} / "
               u"VAR_FILE expansion)"_s;
        QTest::newRow("external provider")
            << u"providers:\n  secrets:\n    v:\n      source: "
               u"https://example.test/secrets/google/provider-release.yaml\n"_s
            << u"%F:5:7: providers.secrets.v.source: external secrets providers are not supported "
               u"(this gestaltd has only the built-in env and file; use one of them, or ${VAR} / "
               u"VAR_FILE expansion)"_s;
    }

    void errors()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        yaml.replace(u"%D"_s, secretsDir());
        const ConfigLoadReport report = loadText(header + yaml, {});
        QVERIFY(!report.config);
        QCOMPARE(errorsOf(report), QStringList{expected});
    }

    void fileNamesCannotLeaveTheDir_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        const QString nameRule =
            u"a file secret's name may not contain '/', '\\' or \"..\" (it names one file in the "
            u"provider's dir)"_s;
        QTest::newRow("parent") << u"../outside"_s << nameRule;
        QTest::newRow("dot dot") << u".."_s << nameRule;
        QTest::newRow("dot") << u"."_s << nameRule;
        QTest::newRow("absolute") << u"/etc/passwd"_s << nameRule;
        QTest::newRow("subdirectory") << u"sub/enc"_s << nameRule;
        QTest::newRow("backslash") << u"..\\\\outside"_s << nameRule;
        QTest::newRow("NUL") << u"enc\\0x"_s << u"secret names are 1 to 256 printable characters"_s;
        QTest::newRow("symlink out of the dir") << u"escape"_s << u"the file leads outside %D"_s;
        QTest::newRow("a directory") << u"adir"_s << u"not a regular file"_s;
        QTest::newRow("a FIFO (would block the start)") << u"fifo"_s << u"not a regular file"_s;
        QTest::newRow("world-writable")
            << u"open"_s << u"the file is writable by every user (chmod o-w)"_s;
        QTest::newRow("too large") << u"big"_s << u"the file is larger than 64 KiB"_s;
    }

    void fileNamesCannotLeaveTheDir()
    {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        QVERIFY(
            QFile::link(write(u"outside"_s, secretValue), m_dir->filePath(u"secrets/escape"_s)));
        QVERIFY(QDir(secretsDir()).mkpath(u"adir"_s));
        QVERIFY(::mkfifo(QFile::encodeName(m_dir->filePath(u"secrets/fifo"_s)).constData(), 0600)
                == 0);
        const QString open = writeSecret(u"open"_s, secretValue);
        QVERIFY(QFile::setPermissions(open, QFile::permissions(open) | QFileDevice::WriteOther));
        writeSecret(u"big"_s, QString(70 * 1024, u'x'));
        const QString yaml =
            header + providersYaml(secretsDir())
            + u"server:\n  encryptionKey: {secret: {provider: files, name: \"%1\"}}\n"_s.arg(name);
        const ConfigLoadReport report = loadText(yaml, {});
        QVERIFY(!report.config);
        const QStringList messages = errorsOf(report);
        QCOMPARE(messages.size(), 1);
        QVERIFY2(messages.front().endsWith(expected), qPrintable(messages.front()));
        QVERIFY2(messages.front().contains(u"server.encryptionKey: "_s),
                 qPrintable(messages.front()));
        QVERIFY(!messages.front().contains(secretValue));
    }

    void symlinksInsideTheDirAreFollowed()
    {
        // Kubernetes mounts secrets as name -> ..data/name -> ..<timestamp>/name.
        QVERIFY(QDir(secretsDir()).mkpath(u"..2026_01_01/"_s));
        QFile::rename(m_dir->filePath(u"secrets/enc"_s),
                      m_dir->filePath(u"secrets/..2026_01_01/enc"_s));
        QVERIFY(QFile::link(u"..2026_01_01"_s, m_dir->filePath(u"secrets/..data"_s)));
        QVERIFY(QFile::link(u"..data/enc"_s, m_dir->filePath(u"secrets/enc"_s)));
        const Config config =
            loadOk(header + providersYaml(secretsDir()) + keyRef(u"files"_s, u"enc"_s));
        QCOMPARE(config.server.encryptionKey, secretValue);
    }

    void resolvedValuesAreNeverEchoed_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("expected");
        QTest::newRow("integer")
            << u"public: {port: %R}"_s
            << u"server.public.port: expected an integer, found a secret value"_s;
        QTest::newRow("duration") << u"apiTokenTtl: %R"_s
                                  << u"server.apiTokenTtl: invalid duration a secret value"_s;
        QTest::newRow("choice") << u"logFormat: %R"_s
                                << u"server.logFormat: invalid value a secret value"_s;
        QTest::newRow("boolean") << u"allowAnonymous: %R"_s
                                 << u"server.allowAnonymous: expected true or false, found a "
                                    u"secret value"_s;
        QTest::newRow("size") << u"http: {maxBodyBytes: %R}"_s
                              << u"server.http.maxBodyBytes: invalid size a secret value"_s;
    }

    void resolvedValuesAreNeverEchoed()
    {
        QFETCH(QString, key);
        QFETCH(QString, expected);
        key.replace(u"%R"_s, u"{secret: {provider: files, name: enc}}"_s);
        const ConfigLoadReport report =
            loadText(header + providersYaml(secretsDir()) + u"server:\n  "_s + key + u'\n', {});
        QVERIFY(!report.config);
        const QString all = errorsOf(report).join(u'\n');
        QVERIFY2(all.contains(expected), qPrintable(all));
        QVERIFY2(!all.contains(secretValue), qPrintable(all));
    }

private: // NOLINT(readability-redundant-access-specifiers): Q_SLOTS is empty to tools
    QString secretsDir() const { return m_dir->filePath(u"secrets"_s); }

    QString write(const QString &name, const QString &content)
    {
        const QString path = m_dir->filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            qFatal("cannot write fixture");
        }
        file.write(content.toUtf8());
        return file.fileName();
    }

    QString writeSecret(const QString &name, const QString &content)
    {
        const QString path = write(u"secrets/"_s + name, content);
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return path;
    }

    ConfigLoadReport loadText(const QString &yaml, const QHash<QString, QString> &env = {})
    {
        return loader(env).loadReport({write(u"config.yaml"_s, yaml)});
    }

    static ConfigLoader loader(const QHash<QString, QString> &env)
    {
        ConfigLoader loader([env](const QString &name) -> std::optional<QString> {
            const auto it = env.constFind(name);
            return it == env.cend() ? std::nullopt : std::optional<QString>(*it);
        });
        addConfigChecks(loader);
        return loader;
    }

    Config loadOk(const QString &yaml, const QHash<QString, QString> &env = {})
    {
        ConfigLoadReport report = loadText(yaml, env);
        if (!report.config) {
            qWarning().noquote() << report.errors.messages().join(u'\n');
            return {};
        }
        return *report.config;
    }

    QStringList errorsOf(const ConfigLoadReport &report) const
    {
        QStringList out = report.errors.messages();
        out.replaceInStrings(m_dir->filePath(u"config.yaml"_s), u"%F"_s);
        out.replaceInStrings(secretsDir(), u"%D"_s);
        return out;
    }

    std::optional<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(tst_SecretRefs)
#include "tst_secretrefs.moc"
