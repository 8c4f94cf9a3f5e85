// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/ConfigChecks.h"
#include "config/ConfigLoader.h"
#include "config/ConfigScalars.h"
#include "config/DefaultConfig.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Gestalt;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const QString header = u"apiVersion: gestaltd.config/v5\n"_s;

} // namespace

class tst_Config final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(QRegularExpression(u".*"_s));
        m_dir.emplace();
        QVERIFY(m_dir->isValid());
    }

    void minimalConfigHasDefaults()
    {
        const Config config = loadOk(header);
        QCOMPARE(config.files, QStringList{m_dir->filePath(u"config.yaml"_s)});
        QCOMPARE(config.baseDir, m_dir->path());
        QCOMPARE(config.server.publicListener.host, u"0.0.0.0"_s);
        QCOMPARE(config.server.publicListener.port, 8080);
        QVERIFY(!config.server.management);
        QCOMPARE(config.server.apiTokenTtl, std::chrono::milliseconds(24h * 30));
        QCOMPARE(config.server.artifactsDir, m_dir->path());
        QCOMPARE(config.server.admin.allowedRoles, QStringList{u"admin"_s});
        QCOMPARE(config.server.egressDefaultAction, EgressAction::Allow);
        QCOMPARE(config.server.http.maxBodyBytes, 1024 * 1024);
        QCOMPARE(config.server.http.maxHeaderBytes, 16 * 1024);
        QCOMPARE(config.server.http.idleTimeout, std::chrono::milliseconds(120s));
        QCOMPARE(config.server.http.maxConnections, 1024);
        QCOMPARE(config.server.http.requestTimeout, std::chrono::milliseconds(60s));
        QVERIFY(!config.server.logFormat);
        QVERIFY(config.apps.isEmpty());
        QCOMPARE(config.datastoreDsn(), u"sqlite://"_s + m_dir->filePath(u"gestalt.db"_s));
        QCOMPARE(config.server.cliTokenTtl, std::chrono::milliseconds(24h * 90));
        QVERIFY(!config.server.allowAnonymous);
        // No key, and anonymous access (no login) on all interfaces.
        QCOMPARE(config.serveProblems().size(), 2);
        QVERIFY(config.serveProblems().front().startsWith(u"server.encryptionKey: required"_s));
        QVERIFY(config.serveProblems().back().startsWith(
            u"server.public.host: \"0.0.0.0\" is not a loopback address"_s));
        QVERIFY(!config.validateForServe());
    }

    void fullConfigIsTyped()
    {
        const QString file = QStringLiteral(GESTALT_TEST_DATA_DIR "/config/full.yaml");
        const QString dir = QFileInfo(file).absolutePath();
        Result<Config> loaded = loader({}).load({file});
        QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().message));
        const Config &c = *loaded;
        QVERIFY(c.validateForServe());
        QCOMPARE(c.server.publicListener.port, 9000);
        QCOMPARE(c.server.management->host, u"127.0.0.1"_s); // not server.public.host
        QCOMPARE(c.server.management->port, 9090);
        QCOMPARE(c.server.apiTokenTtl, std::chrono::milliseconds(720h));
        QCOMPARE(c.server.artifactsDir, dir + u"/artifacts"_s);
        QCOMPARE(c.server.admin.allowedRoles, (QStringList{u"admin"_s, u"operator"_s}));
        QCOMPARE(c.server.egressDefaultAction, EgressAction::Deny);
        QCOMPARE(c.server.http.maxBodyBytes, 2 * 1024 * 1024);
        QCOMPARE(c.server.http.maxHeaderBytes, 32768);
        QCOMPARE(c.server.http.idleTimeout, std::chrono::milliseconds(90s));
        QCOMPARE(c.server.http.maxConnections, 64);
        QCOMPARE(c.server.logFormat, LogFormat::Json);
        QCOMPARE(c.datastoreDsn(), u"sqlite://"_s + dir + u"/data/gestalt.db"_s);

        const ProviderEntry &sso = c.providers.authentication.value(u"sso"_s);
        QCOMPARE(sso.source.kind, SourceRef::Kind::LocalPath);
        QCOMPARE(sso.source.location, dir + u"/providers/oidc/manifest.yaml"_s);
        QCOMPARE(sso.config.value(u"pkce"_s), QJsonValue(true));
        QCOMPARE(sso.config.value(u"maxItems"_s), QJsonValue(10));
        QCOMPARE(sso.config.value(u"sessionTtl"_s), QJsonValue(u"24h"_s));
        QCOMPARE(c.providers.authorization.value(u"stdout"_s).source.kind,
                 SourceRef::Kind::Builtin);
        QVERIFY(c.providers.authorization.value(u"stdout"_s).isDefault);

        QCOMPARE(c.authorization.policies.value(u"roadmap"_s).defaultEffect, PolicyEffect::Allow);
        QCOMPARE(c.authorization.policies.value(u"admins"_s).members.front().subjectId,
                 u"user:alice"_s);

        const ConnectionConfig &github = c.connections.value(u"github"_s);
        QCOMPARE(github.effectiveMode(), ConnectionMode::User);
        QCOMPARE(github.auth->clientAuth, ClientAuth::Header);
        QCOMPARE(github.auth->tokenExchange, TokenExchange::Json);
        QCOMPARE(github.auth->scopes, (QStringList{u"repo"_s, u"read:org"_s}));
        QCOMPARE(github.auth->authorizationParams.value(u"prompt"_s), u"consent"_s);
        QCOMPARE(github.params.value(u"org"_s).from, ConnectionParam::From::TokenResponse);
        QCOMPARE(github.credentialRefresh->refreshBeforeExpiry, std::chrono::milliseconds(5min));

        const AppConfig &roadmap = c.apps.value(u"roadmap"_s);
        QCOMPARE(roadmap.iconFile, dir + u"/icons/roadmap.svg"_s);
        QCOMPARE(roadmap.surfaces.rest->operations.size(), 2);
        const RestOperation &list = roadmap.surfaces.rest->operations.front();
        QCOMPARE(list.method, u"GET"_s);
        QCOMPARE(list.parameters.front().defaultValue, QJsonValue(20));
        QCOMPARE(roadmap.connections.value(u"default"_s).ref, u"github"_s);
        QCOMPARE(roadmap.connections.value(u"default"_s).exposure, ConnectionExposure::Internal);
        QCOMPARE(roadmap.connections.value(u"service"_s).connection.effectiveMode(),
                 ConnectionMode::Platform);
        QCOMPARE(roadmap.allowedOperations->value(u"items.list"_s).alias, u"list"_s);
        QCOMPARE(roadmap.invokes.front().app, u"github"_s);
        QCOMPARE(roadmap.securitySchemes.value(u"signed"_s).secretEnv, u"ROADMAP_SECRET"_s);
        QCOMPARE(roadmap.http.value(u"hook"_s).ack->status, 202);
        QCOMPARE(roadmap.http.value(u"hook"_s).ack->body, QJsonValue(QJsonObject{{u"ok"_s, true}}));
        QVERIFY(roadmap.mcp);
        QCOMPARE(roadmap.timeout, std::chrono::milliseconds(10s));
        const AppConfig &tools = c.apps.value(u"tools"_s);
        QCOMPARE(tools.surfaces.mcp->command, (QStringList{u"node"_s, u"server.js"_s}));
        QCOMPARE(tools.surfaces.mcp->workingDir, dir + u"/tools"_s);
        QCOMPARE(tools.timeout, std::chrono::milliseconds(30s));

        QCOMPARE(c.runtime.effectiveDefaultProvider(), u"local"_s);
        const WorkflowSchedule &nightly = c.workflows.schedules.value(u"nightly"_s);
        QCOMPARE(nightly.timezone, u"Europe/Berlin"_s);
        QCOMPARE(nightly.target.value(u"steps"_s).toArray().size(), 1);
        QCOMPARE(nightly.permissions.front().operations, QStringList{u"issues.list"_s});
        QVERIFY(c.workflows.eventTriggers.value(u"updated"_s).paused);
        QCOMPARE(c.workflows.eventTriggers.value(u"updated"_s).match.source, u"roadmap"_s);
    }

    void envExpansion_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("set variable") << u"${GESTALT_T_NAME}"_s << u"alpha"_s;
        QTest::newRow("set but empty wins over default") << u"x${GESTALT_T_EMPTY:-d}x"_s << u"xx"_s;
        QTest::newRow("unset falls back to _FILE, newline trimmed")
            << u"${GESTALT_T_SECRET}"_s << u"from-file"_s;
        QTest::newRow("default") << u"${GESTALT_T_UNSET:-https://x.test:8080/a}"_s
                                 << u"https://x.test:8080/a"_s;
        QTest::newRow("empty default") << u"a${GESTALT_T_UNSET:-}b"_s << u"ab"_s;
        QTest::newRow("$$ is a literal dollar") << u"pa$$word"_s << u"pa$word"_s;
        QTest::newRow("$${VAR} stays literal") << u"$${GESTALT_T_NAME}"_s << u"${GESTALT_T_NAME}"_s;
        QTest::newRow("lone dollar kept") << u"cost $5 $"_s << u"cost $5 $"_s;
        QTest::newRow("two on one line")
            << u"${GESTALT_T_NAME}-${GESTALT_T_NAME}"_s << u"alpha-alpha"_s;
    }

    void envExpansion()
    {
        QFETCH(QString, value);
        QFETCH(QString, expected);
        const QString secretFile = write(u"secret.txt"_s, u"from-file\n"_s);
        const QHash<QString, QString> env{{u"GESTALT_T_NAME"_s, u"alpha"_s},
                                          {u"GESTALT_T_EMPTY"_s, QString()},
                                          {u"GESTALT_T_SECRET_FILE"_s, secretFile}};
        const Config config = loadOk(header
                                         + u"server:\n  baseUrl: https://h.test\n"
                                           u"  encryptionKey: \""_s
                                         + value + u"\"\n"_s,
                                     env);
        QCOMPARE(config.server.encryptionKey, expected);
    }

    void envExpansionUsesTheProcessEnvironment()
    {
        qputenv("GESTALT_T_PROCESS", "from-process");
        const QString path =
            write(u"config.yaml"_s, header + u"server:\n  encryptionKey: ${GESTALT_T_PROCESS}\n"_s);
        Result<Config> config = ConfigLoader().load({path});
        qunsetenv("GESTALT_T_PROCESS");
        QVERIFY(config);
        QCOMPARE(config->server.encryptionKey, u"from-process"_s);
    }

    void envExpansionErrors_data()
    {
        QTest::addColumn<QString>("line3");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unset") << u"  encryptionKey: ${GESTALT_T_NOPE}"_s
                               << u"%F:3: environment variable GESTALT_T_NOPE is not set"_s;
        QTest::newRow("unreadable _FILE")
            << u"  encryptionKey: ${GESTALT_T_MISSING}"_s
            << u"%F:3: environment variable GESTALT_T_MISSING is not set and "
               u"GESTALT_T_MISSING_FILE names a file that cannot be read (No such file or "
               u"directory)"_s;
        QTest::newRow("bad name") << u"  encryptionKey: ${1X}"_s
                                  << u"%F:3: invalid environment placeholder: expected ${NAME} or "
                                     u"${NAME:-default}"_s;
        QTest::newRow("unterminated") << u"  encryptionKey: ${GESTALT_T_NAME"_s
                                      << u"%F:3: invalid environment placeholder: expected ${NAME} "
                                         u"or ${NAME:-default}"_s;
        QTest::newRow("line break in value")
            << u"  encryptionKey: ${GESTALT_T_MULTI}"_s
            << u"%F:3: environment variable GESTALT_T_MULTI holds a line break; a substituted "
               u"value must fit on one line"_s;
    }

    void envExpansionErrors()
    {
        QFETCH(QString, line3);
        QFETCH(QString, expected);
        const QHash<QString, QString> env{{u"GESTALT_T_MULTI"_s, u"a\nb"_s},
                                          {u"GESTALT_T_MISSING_FILE"_s, u"/nonexistent/x"_s}};
        const ConfigLoadReport report = loadText(header + u"server:\n"_s + line3 + u"\n"_s, env);
        QVERIFY(!report.config);
        QCOMPARE(errorsOf(report), QStringList{expected});
    }

    void apiVersion_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << u"server: {}\n"_s
                                 << u"%F: missing apiVersion (expected \"apiVersion: "
                                    u"gestaltd.config/v5\")"_s;
        QTest::newRow("empty file") << QString()
                                    << u"%F: missing apiVersion (expected \"apiVersion: "
                                       u"gestaltd.config/v5\")"_s;
        QTest::newRow("older version") << u"\napiVersion: gestaltd.config/v4\n"_s
                                       << u"%F:2:13: unsupported apiVersion \"gestaltd.config/v4\" "
                                          u"(expected \"gestaltd.config/v5\")"_s;
    }

    void apiVersion()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        QCOMPARE(errorsOf(loadText(yaml)), QStringList{expected});
    }

    void apiVersionIsCheckedInEveryFile()
    {
        const QString first = write(u"a.yaml"_s, header);
        const QString second = write(u"b.yaml"_s, u"server: {}\n"_s);
        const ConfigLoadReport report = loader({}).loadReport({first, second});
        QCOMPARE(report.errors.messages(),
                 QStringList{second
                             + u": missing apiVersion (expected \"apiVersion: "
                               u"gestaltd.config/v5\")"_s});
    }

    void unknownKeys_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("server typo with suggestion")
            << u"server:\n  pubilc:\n    port: 1\n"_s
            << u"%F:3:3: unknown key \"server.pubilc\" (did you mean \"public\"?)"_s;
        QTest::newRow("top level")
            << u"pluginz: {}\n"_s
            << u"%F:2:1: unknown key \"pluginz\" (did you mean \"plugins\"?)"_s;
        QTest::newRow("no close match") << u"server:\n  public: {zzzzzz: 1}\n"_s
                                        << u"%F:3:12: unknown key \"server.public.zzzzzz\""_s;
        QTest::newRow("inside an app surface")
            << u"apps:\n  a:\n    surfaces:\n      openapi:\n        document: x.yaml\n"
               u"        documnet: y\n"_s
            << u"%F:7:9: unknown key \"apps.a.surfaces.openapi.documnet\" (did you mean "
               u"\"document\"?)"_s;
        QTest::newRow("inside plugins alias")
            << u"plugins:\n  a:\n    source: ./m.yaml\n    displayname: A\n"_s
            << u"%F:5:5: unknown key \"plugins.a.displayname\" (did you mean \"displayName\"?)"_s;
        QTest::newRow("inside a connection auth block")
            << u"connections:\n  gh:\n    auth:\n      clientSecrt: s\n"_s
            << u"%F:5:7: unknown key \"connections.gh.auth.clientSecrt\" (did you mean "
               u"\"clientSecret\"?)"_s;
        QTest::newRow("inside a provider entry")
            << u"providers:\n  authorization:\n    out:\n      source: stdout\n      confg: {}\n"_s
            << u"%F:6:7: unknown key \"providers.authorization.out.confg\" (did you mean \"config\"?)"_s;
        QTest::newRow("inside a list item")
            << u"authorization:\n  policies:\n    p:\n      members:\n"
               u"        - {subjectId: \"user:1\", subjectID: \"user:1\", role: r}\n"_s
            << u"%F:6:12: unknown key \"authorization.policies.p.members[0].subjectId\" (did you "
               u"mean \"subjectID\"?)"_s;
        QTest::newRow("dotted operation id is quoted")
            << u"apps:\n  a:\n    source: ./m.yaml\n    allowedOperations:\n"
               u"      chat.post: {alais: x}\n"_s
            << u"%F:6:19: unknown key \"apps.a.allowedOperations[\"chat.post\"].alais\" (did you "
               u"mean \"alias\"?)"_s;
        QTest::newRow("free-form provider config is not checked")
            << u"providers:\n  authorization:\n    out:\n      config: {anything: {goes: [1]}}\n"_s
            << QString();
        QTest::newRow("free-form app config and workflow input are not checked")
            << u"apps:\n  a:\n    source: ./m.yaml\n    config: {whatever: 1}\n"
               u"workflows:\n  schedules:\n    s:\n      cron: \"* * * * *\"\n"
               u"      target: {steps: [{id: x, app: {name: a, operation: op,\n"
               u"                                     input: {literal: {any: 1}}}}]}\n"_s
            << QString();
    }

    void unknownKeys()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        const QStringList errors = errorsOf(loadText(header + yaml));
        QCOMPARE(errors, expected.isEmpty() ? QStringList() : QStringList{expected});
    }

    void mergeOfSeveralFiles()
    {
        const QString base = write(u"base.yaml"_s, header + uR"(server:
  public: {host: 127.0.0.1, port: 8080}
  baseUrl: https://base.test
  admin: {allowedRoles: [admin, ops]}
providers:
  authorization:
    out: {source: stdout, config: {format: text, level: info}}
apps:
  keep: {source: ./keep.yaml}
  drop: {source: ./drop.yaml}
)"_s);
        const QString overlay = write(u"overlay.yaml"_s, header + uR"(server:
  public: {port: 9000}
  baseUrl: null
  admin: {allowedRoles: [root]}
providers:
  authorization:
    out: {config: {format: json}}
apps:
  drop: null
  added: {source: ./added.yaml}
)"_s);
        const QString last = write(u"last.yaml"_s, header + u"server:\n  public: {port: 9100}\n"_s);

        Result<Config> two = loader({}).load({base, overlay});
        QVERIFY2(two, two ? "" : qPrintable(two.error().message));
        QCOMPARE(two->server.publicListener.host, u"127.0.0.1"_s);        // nested maps merge
        QCOMPARE(two->server.publicListener.port, 9000);                  // later scalar wins
        QVERIFY(two->server.baseUrl.isEmpty());                           // null deletes
        QCOMPARE(two->server.admin.allowedRoles, QStringList{u"root"_s}); // lists replace
        const QJsonObject out = two->providers.authorization.value(u"out"_s).config;
        QCOMPARE(out.value(u"format"_s), QJsonValue(u"json"_s));
        QCOMPARE(out.value(u"level"_s), QJsonValue(u"info"_s));
        QCOMPARE(two->providers.authorization.value(u"out"_s).source.location, u"stdout"_s);
        QCOMPARE(two->apps.keys(), (QStringList{u"added"_s, u"keep"_s}));

        Result<Config> three = loader({}).load({base, overlay, last});
        QVERIFY(three);
        QCOMPARE(three->server.publicListener.port, 9100);
        QCOMPARE(three->server.publicListener.host, u"127.0.0.1"_s);
        QCOMPARE(three->files.size(), 3);
        QCOMPARE(three->baseDir, m_dir->path());
    }

    void relativePathsResolvePerFile()
    {
        const QString first = write(u"one/config.yaml"_s, header + uR"(server:
  artifactsDir: ./artifacts
apps:
  local: {source: ./apps/local/manifest.yaml, iconFile: icon.svg}
  packaged: {source: {path: ../pkg/manifest.yaml}}
  resource:
    surfaces: {openapi: {document: ":/apps/httpbin/openapi.yaml"}}
providers:
  authorization:
    out: {source: stdout}
)"_s);
        const QString second = write(u"two/deeper/extra.yaml"_s, header + uR"(apps:
  spec:
    surfaces: {openapi: {document: ../specs/spec.yaml}}
  web:
    surfaces: {openapi: {document: 'https://example.com/openapi.json'}}
providers:
  indexeddb:
    main: {config: {dsn: 'sqlite://data/gestalt.db'}}
)"_s);
        Result<Config> config = loader({}).load({first, second});
        QVERIFY2(config, config ? "" : qPrintable(config.error().message));
        const QString one = m_dir->filePath(u"one"_s);
        const QString two = m_dir->filePath(u"two"_s);
        QCOMPARE(config->baseDir, one);
        QCOMPARE(config->server.artifactsDir, one + u"/artifacts"_s);
        QCOMPARE(config->apps.value(u"local"_s).source.location,
                 one + u"/apps/local/manifest.yaml"_s);
        QCOMPARE(config->apps.value(u"local"_s).iconFile, one + u"/icon.svg"_s);
        QCOMPARE(config->apps.value(u"packaged"_s).source.location,
                 m_dir->filePath(u"pkg/manifest.yaml"_s));
        QCOMPARE(config->apps.value(u"resource"_s).surfaces.openapi->document,
                 u":/apps/httpbin/openapi.yaml"_s);
        QCOMPARE(config->apps.value(u"spec"_s).surfaces.openapi->document,
                 two + u"/specs/spec.yaml"_s);
        QCOMPARE(config->apps.value(u"web"_s).surfaces.openapi->document,
                 u"https://example.com/openapi.json"_s);
        QCOMPARE(config->providers.authorization.value(u"out"_s).source.kind,
                 SourceRef::Kind::Builtin);
        QCOMPARE(config->datastoreDsn(), u"sqlite://"_s + two + u"/deeper/data/gestalt.db"_s);
    }

    void durations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms"); // -1: invalid
        QTest::newRow("seconds") << u"90s"_s << qint64(90'000);
        QTest::newRow("hours") << u"720h"_s << qint64(720) * 3'600'000;
        QTest::newRow("compound") << u"1h30m"_s << qint64(5'400'000);
        QTest::newRow("milliseconds") << u"500ms"_s << qint64(500);
        QTest::newRow("days") << u"30d"_s << qint64(30) * 86'400'000;
        QTest::newRow("fraction") << u"1.5h"_s << qint64(5'400'000);
        QTest::newRow("micro and nano") << u"1500us2000000ns"_s << qint64(3);
        QTest::newRow("zero") << u"0"_s << qint64(0);
        QTest::newRow("negative") << u"-2s"_s << qint64(-2000);
        QTest::newRow("no unit") << u"30"_s << qint64(-1);
        QTest::newRow("unknown unit") << u"3w"_s << qint64(-1);
        QTest::newRow("empty") << QString() << qint64(-1);
        QTest::newRow("unit only") << u"h"_s << qint64(-1);
        QTest::newRow("space inside") << u"1h 30m"_s << qint64(-1);
        QTest::newRow("overflow") << u"999999999999h"_s << qint64(-1);
    }

    void durations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        const std::optional<std::chrono::milliseconds> parsed = parseDuration(text);
        QCOMPARE(parsed.has_value(), ms != -1);
        if (parsed) {
            QCOMPARE(parsed->count(), ms);
        }
    }

    void badDurationsInConfig_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("malformed")
            << u"server:\n  apiTokenTtl: 30x\n"_s
            << u"%F:3:3: server.apiTokenTtl: invalid duration \"30x\" (use Go "
               u"syntax like 500ms, 90s, 1h30m, or days like 30d)"_s;
        QTest::newRow("not positive") << u"server:\n  http: {idleTimeout: 0s}\n"_s
                                      << u"%F:3:10: server.http.idleTimeout: duration \"0s\" must "
                                         u"be positive"_s;
        QTest::newRow("app timeout as a map")
            << u"apps:\n  a:\n    source: ./m.yaml\n    timeout: {s: 1}\n"_s
            << u"%F:5:5: apps.a.timeout: expected a duration, found a map"_s;
    }

    void badDurationsInConfig()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        QCOMPARE(errorsOf(loadText(header + yaml)), QStringList{expected});
    }

    void datastore_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("dsn");     // %D: the fixture directory; empty: none
        QTest::addColumn<QString>("problem"); // serveProblems() beyond the key; empty: none
        const QString key = u"server:\n  encryptionKey: k\n  public: {host: 127.0.0.1}\n"_s;
        QTest::newRow("absent: sqlite beside the file")
            << key << u"sqlite://%D/gestalt.db"_s << QString();
        QTest::newRow("one entry, relative sqlite")
            << key + u"providers:\n  indexeddb:\n    db: {config: {dsn: \"sqlite://x.db\"}}\n"_s
            << u"sqlite://%D/x.db"_s << QString();
        QTest::newRow("one entry, postgres")
            << key
                   + u"providers:\n  indexeddb:\n    pg: {config: {dsn: "
                     u"\"postgres://g:pw@db:5432/g?sslmode=disable\"}}\n"_s
            << u"postgres://g:pw@db:5432/g?sslmode=disable"_s << QString();
        QTest::newRow("several, selected")
            << u"server:\n  encryptionKey: k\n  public: {host: 127.0.0.1}\n"
               u"  providers: {indexeddb: b}\n"
               u"providers:\n  indexeddb:\n    a: {config: {dsn: \"sqlite:///abs/a.db\"}}\n"
               u"    b: {config: {dsn: \"postgresql://u@h/b\"}}\n"_s
            << u"postgresql://u@h/b"_s << QString();
        QTest::newRow("several, not selected")
            << key
                   + u"providers:\n  indexeddb:\n    a: {config: {dsn: \"sqlite://a.db\"}}\n"
                     u"    b: {config: {dsn: \"sqlite://b.db\"}}\n"_s
            << QString()
            << u"server.providers.indexeddb: required when providers.indexeddb has several "
               u"entries (a, b)"_s;
        QTest::newRow("entry without dsn")
            << key + u"providers:\n  indexeddb:\n    main: {}\n"_s << QString()
            << u"providers.indexeddb.main.config.dsn: required (sqlite://<path> or "
               u"postgres://<user>@<host>/<db>)"_s;
    }

    void datastore()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, dsn);
        QFETCH(QString, problem);
        const Config config = loadOk(header + yaml);
        dsn.replace(u"%D"_s, m_dir->path());
        QCOMPARE(config.datastoreDsn().value_or(QString()), dsn);
        QCOMPARE(config.serveProblems(), problem.isEmpty() ? QStringList() : QStringList{problem});
    }

    void datastoreErrors_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("selection names no entry")
            << u"server:\n  providers: {indexeddb: mian}\n"
               u"providers:\n  indexeddb:\n    main: {config: {dsn: \"sqlite://a.db\"}}\n"_s
            << u"%F:3:15: server.providers.indexeddb: names no providers.indexeddb entry \"mian\" "
               u"(did you mean \"main\"?)"_s;
        QTest::newRow("unsupported scheme, password not echoed")
            << u"providers:\n  indexeddb:\n    main: {config: {dsn: \"mysql://u:hunter2@h/db\"}}\n"_s
            << u"%F:4:21: providers.indexeddb.main.config.dsn: unsupported scheme \"mysql\" "
               u"(expected sqlite:// or postgres://: gestaltd's datastore is SQLite or "
               u"PostgreSQL)"_s;
        QTest::newRow("not a URL")
            << u"providers:\n  indexeddb:\n    main: {config: {dsn: \"gestalt.db\"}}\n"_s
            << u"%F:4:21: providers.indexeddb.main.config.dsn: expected sqlite://<path> or "
               u"postgres://<user>@<host>/<db>"_s;
    }

    void datastoreErrors()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        QCOMPARE(errorsOf(loadText(header + yaml)), QStringList{expected});
    }

    void appsAndPluginsAlias()
    {
        const Config legacy = loadOk(header + u"plugins:\n  old: {source: ./old.yaml}\n"_s);
        QCOMPARE(legacy.apps.keys(), QStringList{u"old"_s});
        QCOMPARE(errorsOf(loadText(header
                                   + u"apps:\n  a: {source: ./a.yaml}\n"
                                     u"plugins:\n  b: {source: ./b.yaml}\n"_s)),
                 QStringList{u"%F:4:1: plugins: set either apps or plugins (its older name), not "
                             u"both"_s});
    }

    void validationErrors_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("management without port")
            << u"server:\n  management: {host: 127.0.0.1}\n"_s
            << u"%F:3:3: server.management: port is required when the management listener is "
               u"configured"_s;
        QTest::newRow("management port equals public")
            << u"server:\n  public: {port: 8081}\n  management: {port: 8081}\n"_s
            << u"%F:4:16: server.management.port: must differ from server.public.port (both are "
               u"8081)"_s;
        QTest::newRow("port out of range") << u"server:\n  public: {port: 70000}\n"_s
                                           << u"%F:3:12: server.public.port: 70000 is out of range "
                                              u"(0 to 65535)"_s;
        QTest::newRow("policy member without role")
            << u"authorization:\n  policies:\n    p:\n      members:\n        - subjectID: user:u\n"_s
            << u"%F:6:11: authorization.policies.p.members[0].role: required"_s;
        QTest::newRow("policy member not canonical")
            << u"authorization:\n  policies:\n    p:\n      members:\n        - {subjectID: bob, "
               u"role: admin}\n"_s
            << u"%F:6:12: authorization.policies.p.members[0].subjectID: expected a canonical "
               u"subject id such as user:<id> or service_account:<id>"_s;
        QTest::newRow("policy member with subject and email")
            << u"authorization:\n  policies:\n    p:\n      members:\n        - {subjectID: "
               u"user:b, "
               u"email: b@x.test, role: admin}\n"_s
            << u"%F:6:12: authorization.policies.p.members[0].subjectID: set exactly one of "
               u"subjectID and email"_s;
        QTest::newRow("policy member with empty subject")
            << u"authorization:\n  policies:\n    p:\n      members:\n        - {subjectID: \"\", "
               u"role: admin}\n"_s
            << u"%F:6:12: authorization.policies.p.members[0].subjectID: set exactly one of "
               u"subjectID and email"_s;
        QTest::newRow("connection ref with mode")
            << u"connections:\n  gh: {mode: user}\napps:\n  a:\n    source: ./m.yaml\n"
               u"    connections:\n      default: {ref: gh, mode: none}\n"_s
            << u"%F:8:26: apps.a.connections.default.mode: cannot be set on a binding with ref; "
               u"set it on connections.gh"_s;
        QTest::newRow("connection ref unknown")
            << u"connections:\n  github: {}\napps:\n  a:\n    source: ./m.yaml\n"
               u"    connections:\n      default: {ref: githbu}\n"_s
            << u"%F:8:17: apps.a.connections.default.ref: names no top-level connection \"githbu\" "
               u"(did you mean \"github\"?)"_s;
        QTest::newRow("top-level connection with ref")
            << u"connections:\n  gh: {ref: other}\n"_s
            << u"%F:3:8: connections.gh.ref: only app connection bindings "
               u"(apps.<app>.connections.<name>) may set ref"_s;
        QTest::newRow("connection mode enum") << u"connections:\n  gh: {mode: shared}\n"_s
                                              << u"%F:3:8: connections.gh.mode: invalid value "
                                                 u"\"shared\" (expected one of: none, user, "
                                                 u"platform)"_s;
        QTest::newRow("clientAuth enum")
            << u"connections:\n  gh:\n    auth: {clientAuth: basic}\n"_s
            << u"%F:4:12: connections.gh.auth.clientAuth: invalid value \"basic\" (expected one "
               u"of: "
               u"body, header)"_s;
        QTest::newRow("policy default enum")
            << u"authorization:\n  policies:\n    p: {default: maybe}\n"_s
            << u"%F:4:9: authorization.policies.p.default: invalid value \"maybe\" (expected one "
               u"of: allow, deny)"_s;
        QTest::newRow("egress enum") << u"server:\n  egress: {defaultAction: block}\n"_s
                                     << u"%F:3:12: server.egress.defaultAction: invalid value "
                                        u"\"block\" (expected one of: allow, deny)"_s;
        QTest::newRow("unknown admin policy")
            << u"server:\n  admin: {authorizationPolicy: admins}\n"_s
            << u"%F:3:11: server.admin.authorizationPolicy: names no authorization.policies entry "
               u"\"admins\""_s;
        QTest::newRow("app without source or surface")
            << u"apps:\n  empty: {displayName: E}\n"_s
            << u"%F:3:3: apps.empty: needs a source or at least one surface (openapi, rest, mcp, "
               u"graphql)"_s;
        QTest::newRow("reserved app name") << u"apps:\n  tokens: {source: ./t.yaml}\n"_s
                                           << u"%F:3:3: apps.tokens: \"tokens\" is reserved by the "
                                              u"/api/v1 routes"_s;
        QTest::newRow("duplicate rest operation")
            << u"apps:\n  r:\n    surfaces:\n      rest:\n        baseUrl: https://r.test\n"
               u"        operations:\n          - {name: a, path: /a}\n"
               u"          - {name: a, path: /b}\n"_s
            << u"%F:9:14: apps.r.surfaces.rest.operations[1].name: duplicate operation \"a\""_s;
        QTest::newRow("bad cron")
            << u"workflows:\n  schedules:\n    s: {cron: \"every day\", target: {steps: [{id: a, app: {name: b, operation: c}}]}}\n"_s
            << u"%F:4:9: workflows.schedules.s.cron: expected 5 fields (minute hour day-of-month "
               u"month day-of-week), got 2 in \"every day\""_s;
        QTest::newRow("bad time zone")
            << u"workflows:\n  schedules:\n    s: {cron: \"0 3 * * *\", timezone: Mars/Olympus, "
               u"target: {steps: [{id: a, app: {name: b, operation: c}}]}}\n"_s
            << u"%F:4:28: workflows.schedules.s.timezone: unknown time zone \"Mars/Olympus\""_s;
        QTest::newRow("trigger without type")
            << u"workflows:\n  eventTriggers:\n    t: {match: {source: x}, target: {steps: [{id: a, app: {name: b, operation: c}}]}}\n"_s
            << u"%F:4:9: workflows.eventTriggers.t.match.type: required"_s;
        QTest::newRow("workflow step with app and agent")
            << u"workflows:\n  eventTriggers:\n    t:\n      match: {type: x}\n"
               u"      target: {steps: [{id: a, app: {name: b, operation: c}, agent: {provider: p, "
               u"prompt: hi}}]}\n"_s
            << u"%F:4:5: workflows.eventTriggers.t: workflow step \"a\" sets both app and "
               u"agent; give one of them"_s;
        QTest::newRow("run lease shorter than two polls")
            << u"workflows:\n  pollInterval: 10s\n  runLease: 15s\n"_s
            << u"%F:2:1: workflows: runLease must be at least twice pollInterval"_s;
        QTest::newRow("turn lease shorter than two polls")
            << u"agents:\n  pollInterval: 10s\n  turnLease: 15s\n"_s
            << u"%F:2:1: agents: turnLease must be at least twice pollInterval"_s;
        QTest::newRow("unknown agents key")
            << u"agents:\n  heartbeat: 1s\n"_s << u"%F:3:3: unknown key \"agents.heartbeat\""_s;
        QTest::newRow("operation approval enum")
            << u"apps:\n  a:\n    source: ./m.yaml\n    allowedOperations:\n      op: {approval: maybe}\n"_s
            << u"%F:6:12: apps.a.allowedOperations.op.approval: invalid value \"maybe\" (expected one of: required, never)"_s;
        QTest::newRow("app approval enum")
            << u"apps:\n  a:\n    source: ./m.yaml\n    approval: sometimes\n"_s
            << u"%F:5:5: apps.a.approval: invalid value \"sometimes\" (expected one of: never, writes, always)"_s;
        QTest::newRow("unknown runtime driver")
            << u"runtime:\n  providers:\n    r: {driver: docker}\n"_s
            << u"%F:4:9: runtime.providers.r.driver: invalid value \"docker\" (expected one of: "
               u"local)"_s;
        QTest::newRow("bad size") << u"server:\n  http: {maxBodyBytes: 1 TB}\n"_s
                                  << u"%F:3:10: server.http.maxBodyBytes: invalid size \"1 TB\" (a "
                                     u"positive byte count, or with a unit: 64KiB, 1MiB, 10MB)"_s;
        QTest::newRow("string expected") << u"server:\n  baseUrl: [a]\n"_s
                                         << u"%F:3:3: server.baseUrl: expected a string, found a "
                                            u"list"_s;
    }

    void validationErrors()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        QCOMPARE(errorsOf(loadText(header + yaml)), QStringList{expected});
    }

    void managementListenerDefaults()
    {
        const Config config = loadOk(
            header + u"server:\n  public: {host: 10.0.0.1, port: 0}\n  management: {port: 0}\n"_s);
        // The operator surface stays on loopback unless a host is named.
        QCOMPARE(config.server.management->host, u"127.0.0.1"_s);
        QCOMPARE(config.server.management->port, 0);
        const Config named =
            loadOk(header + u"server:\n  management: {host: 10.0.0.2, port: 0}\n"_s);
        QCOMPARE(named.server.management->host, u"10.0.0.2"_s);
        const Config blank = loadOk(header + u"server:\n  management: {host: \"\", port: 0}\n"_s);
        QCOMPARE(blank.server.management->host, u"127.0.0.1"_s);
    }

    void anonymousAccessNeedsLoopbackOrOptIn_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<bool>("refused");
        const QString key = u"server:\n  encryptionKey: k\n"_s;
        const QString login = u"providers:\n  authentication:\n    sso:\n      source: oidc\n"
                              u"      config: {issuerUrl: \"https://idp.example.com\", "
                              u"clientId: gestalt}\n"_s;
        QTest::newRow("default host") << key << true;
        QTest::newRow("empty host") << key + u"  public: {host: \"\"}\n"_s << true;
        QTest::newRow("address") << key + u"  public: {host: 10.0.0.1}\n"_s << true;
        QTest::newRow("ipv6 any") << key + u"  public: {host: \"::\"}\n"_s << true;
        QTest::newRow("loopback") << key + u"  public: {host: 127.0.0.1}\n"_s << false;
        QTest::newRow("ipv6 loopback") << key + u"  public: {host: \"::1\"}\n"_s << false;
        QTest::newRow("localhost") << key + u"  public: {host: localhost}\n"_s << false;
        QTest::newRow("opt-in") << key + u"  allowAnonymous: true\n"_s << false;
        QTest::newRow("management on all interfaces")
            << key + u"  public: {host: 127.0.0.1}\n  management: {host: 0.0.0.0, port: 9090}\n"_s
            << true;
        QTest::newRow("management on loopback by default")
            << key + u"  public: {host: 127.0.0.1}\n  management: {port: 9090}\n"_s << false;
        QTest::newRow("login") << key + login << false;
        QTest::newRow("login none")
            << key + u"providers:\n  authentication:\n    off: {source: none}\n"_s << true;
    }

    void anonymousAccessNeedsLoopbackOrOptIn()
    {
        QFETCH(QString, yaml);
        QFETCH(bool, refused);
        const Config config = loadOk(header + yaml);
        const QStringList problems = config.serveProblems();
        QCOMPARE(problems.size(), refused ? 1 : 0);
        if (refused) {
            QVERIFY2(problems.front().contains(u"server.allowAnonymous: true"_s),
                     qPrintable(problems.front()));
        }
    }

    void cliTokenTtlIsADuration()
    {
        QCOMPARE(loadOk(header + u"server:\n  cliTokenTtl: 7d\n"_s).server.cliTokenTtl,
                 std::chrono::milliseconds(24h * 7));
        const ConfigLoadReport report = loadText(header + u"server:\n  cliTokenTtl: 0\n"_s);
        QVERIFY(!report.config);
    }

    void allErrorsOfAFileAreReported()
    {
        const ConfigLoadReport report = loadText(header + uR"(server:
  pubilc: {port: 1}
  apiTokenTtl: soon
  egress: {defaultAction: maybe}
  baseUrl: ${GESTALT_T_UNSET}
connections:
  gh: {mode: everyone}
)"_s);
        QVERIFY(!report.config);
        const QStringList errors = errorsOf(report);
        QCOMPARE(errors.size(), 5);
        QVERIFY(errors.at(0).startsWith(u"%F:3:3: unknown key \"server.pubilc\""_s));
        QVERIFY(errors.at(1).startsWith(u"%F:4:3: server.apiTokenTtl: invalid duration"_s));
        QVERIFY(errors.at(2).startsWith(u"%F:5:12: server.egress.defaultAction"_s));
        QCOMPARE(errors.at(3), u"%F:6: environment variable GESTALT_T_UNSET is not set"_s);
        QVERIFY(errors.at(4).startsWith(u"%F:8:8: connections.gh.mode"_s));
        QCOMPARE(report.errors.toError().message.split(u'\n').size(), 5);
    }

    void malformedYaml_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("tab indentation")
            << u"server:\n\tport: 1\n"_s
            << u"%F:3:6: invalid YAML: illegal map value (tabs cannot indent YAML; use "
               u"spaces)"_s;
        QTest::newRow("tab after spaces")
            << u"server:\n  public:\n  \tport: 1\n"_s
            << u"%F:4:8: invalid YAML: illegal map value (tabs cannot indent YAML; use "
               u"spaces)"_s;
        QTest::newRow("unclosed double quote")
            << u"server:\n  baseUrl: \"https://x\n  y: 1\n"_s
            << u"%F:3:12: invalid YAML: unclosed quoted string"_s;
        QTest::newRow("unclosed single quote")
            << u"server:\n  baseUrl: 'https://x\n"_s
            << u"%F:3:12: invalid YAML: unclosed quoted string"_s;
        QTest::newRow("unclosed flow list") << u"server:\n  admin: {allowedRoles: [a, b}\n"_s
                                            << u"%F:3:30: invalid YAML: illegal flow end"_s;
        QTest::newRow("bad indentation") << u"server:\n  public: 1\n port: 2\n"_s
                                         << u"%F:4:2: invalid YAML: end of map not found"_s;
        QTest::newRow("duplicate key") << u"server:\n  baseUrl: https://a.test\n  baseUrl: x\n"_s
                                       << u"%F:4:3: duplicate key \"baseUrl\""_s;
        QTest::newRow("two documents")
            << u"---\nserver: {}\n"_s
            << u"%F: a config file must hold one YAML document, found more than one"_s;
        QTest::newRow("list at the top")
            << u"- a\n"_s << u"%F:1:1: the top level of a config file must be a map"_s;
        QTest::newRow("complex key")
            << u"? [a]\n: 1\n"_s << u"%F:2:3: invalid YAML: map keys must be plain strings"_s;
    }

    void malformedYaml()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        const QString text =
            QTest::currentDataTag() == QByteArrayView("list at the top") ? yaml : header + yaml;
        const ConfigLoadReport report = loadText(text);
        QVERIFY(!report.config);
        QCOMPARE(errorsOf(report), QStringList{expected});
    }

    void defaultConfigRoundTrips()
    {
        const QString key = u"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"_s;
        const QString path = write(u"home/.gestaltd/config.yaml"_s, defaultConfigYaml(key));
        Result<Config> config = loader({}).load({path});
        QVERIFY2(config, config ? "" : qPrintable(config.error().message));
        QVERIFY(config->validateForServe());
        QCOMPARE(config->server.encryptionKey, key);
        QCOMPARE(config->server.publicListener.host, u"127.0.0.1"_s);
        QCOMPARE(config->server.publicListener.port, 8080);
        QVERIFY(config->providers.authentication.isEmpty());
        QCOMPARE(config->datastoreDsn(),
                 u"sqlite://"_s + QFileInfo(path).absolutePath() + u"/gestalt.db"_s);
        const AppConfig &httpbin = config->apps.value(u"httpbin"_s);
        QVERIFY(httpbin.mcp);
        QCOMPARE(httpbin.surfaces.openapi->document, u":/apps/httpbin/openapi.yaml"_s);
        QCOMPARE(httpbin.surfaces.openapi->baseUrl, u"https://httpbin.org"_s);

        Result<Config> local =
            loader({{u"GESTALT_HTTPBIN_URL"_s, u"http://127.0.0.1:1234"_s}}).load({path});
        QVERIFY(local);
        QCOMPARE(local->apps.value(u"httpbin"_s).surfaces.openapi->baseUrl,
                 u"http://127.0.0.1:1234"_s);
    }

    void secretsNeverAppearInErrors()
    {
        const QStringList secrets{u"SUPERSECRETKEY"_s,
                                  u"CLIENTSECRETVALUE"_s,
                                  u"DSNPASSWORD"_s,
                                  u"REFRESHTOKENVALUE"_s,
                                  u"HOOKSECRET"_s};
        const QString yaml = header + uR"(server:
  encryptionKey: {value: SUPERSECRETKEY}
connections:
  gh:
    auth:
      clientSecret: [CLIENTSECRETVALUE]
      refreshToken: {x: REFRESHTOKENVALUE}
providers:
  indexeddb:
    main: {config: {dsn: 'mysql://root:DSNPASSWORD@db/gestalt'}}
    other: {config: {dsn: "DSNPASSWORD"}}
apps:
  a:
    source: ./a.yaml
    securitySchemes:
      s: {type: hmac, secret: {env: X, secret: HOOKSECRET}}
)"_s;
        const ConfigLoadReport report = loadText(yaml);
        QVERIFY(!report.config);
        QVERIFY(report.errors.count() >= 5);
        for (const QString &message : report.errors.messages()) {
            for (const QString &secret : secrets) {
                QVERIFY2(!message.contains(secret), qPrintable(message));
            }
        }
        const ConfigLoadReport broken = loadText(
            header
            + u"connections:\n  gh:\n    auth:\n      clientSecret: \"CLIENTSECRETVALUE\n"_s);
        QCOMPARE(broken.errors.count(), 1);
        QVERIFY(!broken.errors.messages().front().contains(u"CLIENTSECRETVALUE"_s));
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

    // Loads with a fixed environment (not the process one), so rows cannot leak into each other.
    ConfigLoadReport loadText(const QString &yaml, const QHash<QString, QString> &env = {})
    {
        return loader(env).loadReport({write(u"config.yaml"_s, yaml)});
    }

    static ConfigLoader loader(const QHash<QString, QString> &env)
    {
        // As gestaltd loads: with the domains' checks (workflows' cron and targets).
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

    // Messages of a failed load, with the fixture path written as %F.
    QStringList errorsOf(const ConfigLoadReport &report) const
    {
        QStringList out = report.errors.messages();
        out.replaceInStrings(m_dir->filePath(u"config.yaml"_s), u"%F"_s);
        return out;
    }

    std::optional<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(tst_Config)
#include "tst_config.moc"
