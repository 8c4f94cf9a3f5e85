// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/OpenApiLoader.h"
#include "config/ConfigLoader.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Gestalt;
using namespace Qt::StringLiterals;

namespace {

const QString header = u"apiVersion: gestaltd.config/v5\n"_s;

QString fixtureDir()
{
    return QDir::cleanPath(QStringLiteral(GESTALT_TEST_DATA_DIR "/manifests/petstore"));
}

} // namespace

class tst_Manifest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(QRegularExpression(u".*"_s));
        m_dir.emplace();
        QVERIFY(m_dir->isValid());
    }

    void manifestMergedUnderTheEntry()
    {
        const QString manifest = fixtureDir() + u"/manifest.yaml"_s;
        const Config config = loadOk(header + uR"(apps:
  pets:
    source: %1
    displayName: My pets
    surfaces:
      openapi:
        baseUrl: https://pets.internal.example.com/api
    headers: {X-Client: config}
    allowedOperations:
      findPets: {alias: pets.list}
)"_s.arg(manifest));
        const AppConfig &app = config.apps.value(u"pets"_s);
        QCOMPARE(app.source.kind, SourceRef::Kind::LocalPath);
        QCOMPARE(app.source.location, manifest);
        QCOMPARE(app.displayName, u"My pets"_s);                      // the entry wins
        QCOMPARE(app.description, u"The OpenAPI example petstore"_s); // else the manifest
        QCOMPARE(app.iconFile, fixtureDir() + u"/icon.svg"_s);        // manifest-relative
        QVERIFY(app.surfaces.openapi);
        QCOMPARE(app.surfaces.openapi->document,
                 QDir::cleanPath(fixtureDir() + u"/../../openapi/petstore-expanded.yaml"_s));
        QCOMPARE(app.surfaces.openapi->baseUrl, u"https://pets.internal.example.com/api"_s);
        QCOMPARE(app.surfaces.openapi->connection, u"default"_s); // deep merge keeps it
        QCOMPARE(app.connections.value(u"default"_s).connection.auth->type, AuthType::Manual);
        QCOMPARE(app.headers.value(u"X-Client"_s), u"config"_s);
        QCOMPARE(app.headers.value(u"X-Source"_s), u"manifest"_s);
        QVERIFY(app.mcp);
        // Maps merge key by key, all the way down: findPets keeps the manifest's description.
        QCOMPARE(app.allowedOperations->keys(), (QStringList{u"addPet"_s, u"findPets"_s}));
        QCOMPARE(app.allowedOperations->value(u"findPets"_s).alias, u"pets.list"_s);
        QCOMPARE(app.allowedOperations->value(u"findPets"_s).description, u"List the pets"_s);

        // The document the manifest names is really there and loads.
        const Result<OpenApiDocument> doc = OpenApiLoader::loadFile(app.surfaces.openapi->document);
        QVERIFY2(doc, doc ? "" : qPrintable(doc.error().message));
        QCOMPARE(doc->operations.size(), 4);
    }

    void relativePathsFollowTheManifest_data()
    {
        QTest::addColumn<QString>("source"); // as written in config.yaml (in m_dir)
        QTest::newRow("relative file") << u"./vendor/app/manifest.yaml"_s;
        QTest::newRow("directory") << u"./vendor/app"_s;
        QTest::newRow("map form") << u"{path: vendor/app/manifest.yaml}"_s;
    }

    void relativePathsFollowTheManifest()
    {
        QFETCH(QString, source);
        write(u"vendor/app/manifest.yaml"_s, uR"(kind: plugin
version: 0.1.0
iconFile: ./art/icon.svg
spec:
  surfaces:
    openapi: {document: ../specs/api.yaml}
    mcp: {command: [node, server.js], workingDir: tools}
)"_s);
        const Config config = loadOk(header + u"apps:\n  a:\n    source: "_s + source + u"\n"_s);
        const AppConfig &app = config.apps.value(u"a"_s);
        const QString vendor = m_dir->filePath(u"vendor"_s);
        QCOMPARE(app.surfaces.openapi->document, vendor + u"/specs/api.yaml"_s);
        QCOMPARE(app.iconFile, vendor + u"/app/art/icon.svg"_s);
        QCOMPARE(app.surfaces.mcp->workingDir, vendor + u"/app/tools"_s);
    }

    void entryPathsStayRelativeToTheConfig()
    {
        write(u"vendor/app/manifest.yaml"_s,
              u"kind: plugin\nspec:\n  surfaces:\n    openapi: {document: spec.yaml}\n"_s);
        const Config config = loadOk(header + uR"(apps:
  a:
    source: ./vendor/app/manifest.yaml
    iconFile: mine.svg
    surfaces:
      openapi: {document: ./local.yaml}
)"_s);
        const AppConfig &app = config.apps.value(u"a"_s);
        QCOMPARE(app.surfaces.openapi->document, m_dir->filePath(u"local.yaml"_s));
        QCOMPARE(app.iconFile, m_dir->filePath(u"mine.svg"_s));
    }

    void manifestErrors_data()
    {
        QTest::addColumn<QString>("manifest");
        QTest::addColumn<QStringList>("expected"); // %M: the manifest path

        const QString spec = u"spec:\n  surfaces:\n    openapi: {document: x.yaml}\n"_s;
        QTest::newRow("wrong kind")
            << u"kind: provider\n"_s + spec
            << QStringList{u"%M:1:1: kind: unsupported kind \"provider\" (expected plugin)"_s};
        QTest::newRow("kind missing") << spec << QStringList{u"%M:1:1: kind: required"_s};
        QTest::newRow("unknown top-level key")
            << u"kind: plugin\n"_s + spec + u"spce: {}\n"_s
            << QStringList{u"%M:5:1: unknown key \"spce\" (did you mean \"spec\"?)"_s};
        QTest::newRow("unknown key in spec")
            << u"kind: plugin\n"_s + spec + u"  headrs: {X: y}\n"_s
            << QStringList{u"%M:5:3: unknown key \"apps.a.headrs\" (did you mean \"headers\"?)"_s};
        QTest::newRow("unknown key deep in spec")
            << u"kind: plugin\n"_s + spec + u"  connections:\n    c: {mdoe: user}\n"_s
            << QStringList{u"%M:6:9: unknown key \"apps.a.connections.c.mdoe\" (did you mean "
                           u"\"mode\"?)"_s};
        QTest::newRow("type error in spec")
            << u"kind: plugin\n"_s + spec + u"  mcp: sometimes\n"_s
            << QStringList{u"%M:5:3: apps.a.mcp: expected true or false, found \"sometimes\""_s};
        QTest::newRow("source inside spec")
            << u"kind: plugin\n"_s + spec + u"  source: ./other.yaml\n"_s
            << QStringList{u"%M:5:3: spec.source: not allowed in a manifest's spec; the app's "
                           u"source is set by the config entry"_s};
        QTest::newRow("displayName inside spec")
            << u"kind: plugin\n"_s + spec + u"  displayName: X\n"_s
            << QStringList{u"%M:5:3: spec.displayName: not allowed in a manifest's spec; set it "
                           u"at the top level of the manifest"_s};
        QTest::newRow("executable plugin")
            << u"kind: plugin\nentrypoint: {artifactPath: bin/app}\n"_s + spec
            << QStringList{
                   u"%M:2:1: entrypoint: executable plugins are not run by this gestaltd; describe "
                   u"the API in spec.surfaces (openapi, rest or mcp)"_s};
        QTest::newRow("spec a list")
            << u"kind: plugin\nspec: [1]\n"_s << QStringList{u"%M:2:1: spec: expected a map"_s};
        QTest::newRow("spec missing")
            << u"kind: plugin\nversion: 1.0.0\n"_s
            << QStringList{
                   u"%M:1:1: config: spec: required (the app's surfaces, connections...)"_s};
        QTest::newRow("invalid YAML")
            << u"kind: plugin\nspec: {surfaces: [\n"_s
            << QStringList{u"%M:3:1: invalid YAML: end of sequence flow not found"_s};
        QTest::newRow("top level a list") << u"- kind: plugin\n"_s
                                          << QStringList{u"%M:1:1: the top level of a config file "
                                                         u"must be a map"_s};
    }

    void manifestErrors()
    {
        QFETCH(QString, manifest);
        QFETCH(QStringList, expected);
        const QString path = write(u"app/manifest.yaml"_s, manifest);
        const ConfigLoadReport report =
            loadText(header + u"apps:\n  a:\n    source: ./app/manifest.yaml\n"_s);
        QVERIFY(!report.config);
        QStringList messages = report.errors.messages();
        messages.replaceInStrings(path, u"%M"_s);
        QCOMPARE(messages, expected);
    }

    void inlineAppNeedsNoManifest()
    {
        const Config config = loadOk(header + uR"(apps:
  inline:
    displayName: Inline
    surfaces:
      rest:
        baseUrl: https://inline.example.com
        operations:
          - {name: ping, path: /ping}
)"_s);
        const AppConfig &app = config.apps.value(u"inline"_s);
        QVERIFY(!app.source.isSet());
        QCOMPARE(app.displayName, u"Inline"_s);
        QCOMPARE(app.surfaces.rest->operations.size(), 1);
    }

    void sourcesThatAreNotLoaded()
    {
        // A local manifest that does not exist stays a reference (the catalog reports it).
        const Config config =
            loadOk(header + u"apps:\n  missing: {source: ./nowhere/manifest.yaml}\n"_s);
        QCOMPARE(config.apps.value(u"missing"_s).source.kind, SourceRef::Kind::LocalPath);
        QVERIFY(config.apps.value(u"missing"_s).surfaces.isEmpty());
    }

    void remoteSourcesAreRefused()
    {
        // URL, package and release sources: refused with the reason, never "unknown key".
        const ConfigLoadReport report = loadText(header + uR"(apps:
  remote: {source: 'https://example.com/provider-release.yaml'}
  packaged: {source: {package: github.com/x/y/z, version: 1.0.0}}
)"_s);
        QVERIFY(!report.config);
        QCOMPARE(report.errors.otherErrorCount(), 0);
        QCOMPARE(report.errors.refusedKeys(),
                 (QStringList{u"apps.<name>.source"_s,
                              u"apps.<name>.source.package"_s,
                              u"apps.<name>.source.version"_s}));
        for (const QString &message : report.errors.messages()) {
            QVERIFY2(message.contains(u"not supported yet (package, URL and release sources"_s),
                     qPrintable(message));
        }
    }

    void laterConfigFileChangesTheSource()
    {
        write(
            u"one/manifest.yaml"_s,
            u"kind: plugin\ndisplayName: One\nspec: {surfaces: {openapi: {document: a.yaml}}}\n"_s);
        write(
            u"two/manifest.yaml"_s,
            u"kind: plugin\ndisplayName: Two\nspec: {surfaces: {openapi: {document: b.yaml}}}\n"_s);
        const QString base =
            write(u"base.yaml"_s, header + u"apps:\n  a: {source: ./one/manifest.yaml}\n"_s);
        const QString overlay =
            write(u"overlay.yaml"_s, header + u"apps:\n  a: {source: ./two/manifest.yaml}\n"_s);
        const Result<Config> config = loader().load({base, overlay});
        QVERIFY2(config, config ? "" : qPrintable(config.error().message));
        const AppConfig &app = config->apps.value(u"a"_s);
        QCOMPARE(app.displayName, u"Two"_s);
        QCOMPARE(app.surfaces.openapi->document, m_dir->filePath(u"two/b.yaml"_s));
    }

private: // NOLINT(readability-redundant-access-specifiers): Q_SLOTS is empty to tools
    QString write(const QString &name, const QString &content)
    {
        const QString path = m_dir->filePath(name);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            qFatal("cannot write fixture");
        }
        file.write(content.toUtf8());
        return file.fileName();
    }

    static ConfigLoader loader()
    {
        return ConfigLoader([](const QString &) -> std::optional<QString> { return std::nullopt; });
    }

    ConfigLoadReport loadText(const QString &yaml)
    {
        return loader().loadReport({write(u"config.yaml"_s, yaml)});
    }

    Config loadOk(const QString &yaml)
    {
        ConfigLoadReport report = loadText(yaml);
        if (!report.config) {
            qWarning().noquote() << report.errors.messages().join(u'\n');
            return {};
        }
        return *report.config;
    }

    std::optional<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(tst_Manifest)
#include "tst_manifest.moc"
