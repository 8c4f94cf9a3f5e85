// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Building the app catalog from a config: operation sources merged, allowedOperations applied,
// connections resolved, and every problem reported with its place.
#include "catalog/AppCatalog.h"
#include "config/ConfigLoader.h"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;

namespace {

const QString kHeader =
    u"apiVersion: gestaltd.config/v5\n"
    "server:\n"
    "  encryptionKey: \"0000000000000000000000000000000000000000000000000000000000000001\"\n"_s;

const QString kRestApp = uR"(
    surfaces:
      rest:
        baseUrl: https://api.example.com/v1
        operations:
          - {name: items.list, method: GET, path: /items}
          - {name: items.create, method: POST, path: /items}
          - {name: items.delete, method: DELETE, path: "/items/{id}", parameters: [{name: id, in: path, required: true}]}
)"_s;

} // namespace

class tst_AppCatalog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void restManifestBecomesOperations();
    void allowedOperationsFilterAndRename();
    void openApiSecuritySchemeBecomesTheDefaultConnection();
    void connectionsResolveRefsAndDefaults();
    void iconIsRead();
    void hostsWrittenInTheConfigAreNamed();
    void problemsNameTheirPlace_data();
    void problemsNameTheirPlace();

private:
    [[nodiscard]] Result<AppCatalog> build(const QString &yaml);
    QTemporaryDir m_dir;
};

Result<AppCatalog> tst_AppCatalog::build(const QString &yaml)
{
    const QString path = m_dir.filePath(u"config.yaml"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return Error::internal(u"cannot write config"_s);
    }
    file.write((kHeader + yaml).toUtf8());
    file.close();
    const ConfigLoader loader([](const QString &) -> std::optional<QString> { return {}; });
    Result<Config> config = loader.load({path});
    if (!config) {
        return config.error();
    }
    return AppCatalog::build(*config);
}

void tst_AppCatalog::restManifestBecomesOperations()
{
    Result<AppCatalog> catalog = build(u"apps:\n  items:\n    displayName: Items\n"_s + kRestApp);
    QVERIFY2(catalog.hasValue(), catalog ? "" : qPrintable(catalog.error().message));
    const AppDefinition *app = catalog->app(u"items"_s);
    QVERIFY(app);
    QCOMPARE(app->displayName, u"Items"_s);
    QCOMPARE(app->baseUrl, u"https://api.example.com/v1"_s);
    QCOMPARE(app->operations.size(), 3);
    QCOMPARE(app->operations[0].id, u"items.create"_s); // sorted by id
    QCOMPARE(app->operations[1].id, u"items.delete"_s);
    QCOMPARE(app->operations[1].inputSchema[u"required"_s].toArray(), QJsonArray{u"id"_s});
    QVERIFY(app->connections.isEmpty());
    QVERIFY(app->defaultConnection.isEmpty());
}

void tst_AppCatalog::allowedOperationsFilterAndRename()
{
    Result<AppCatalog> catalog = build(u"apps:\n  items:\n"_s + kRestApp + uR"(
    allowedOperations:
      items.list: {alias: list, description: All items, allowedRoles: [viewer]}
      items.delete: {}
)"_s);
    QVERIFY2(catalog.hasValue(), catalog ? "" : qPrintable(catalog.error().message));
    const AppDefinition *app = catalog->app(u"items"_s);
    QCOMPARE(app->operations.size(), 2);
    QCOMPARE(app->operations[0].id, u"items.delete"_s);
    QCOMPARE(app->operations[1].id, u"list"_s);
    QCOMPARE(app->operations[1].originalId, u"items.list"_s);
    QCOMPARE(app->operations[1].description, u"All items"_s);
    QCOMPARE(app->operations[1].allowedRoles, QStringList{u"viewer"_s});
    QVERIFY(!app->operation(u"items.create"_s));
}

void tst_AppCatalog::openApiSecuritySchemeBecomesTheDefaultConnection()
{
    QFile document(m_dir.filePath(u"api.yaml"_s));
    QVERIFY(document.open(QIODevice::WriteOnly));
    document.write(R"(openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://api.example.com"}]
security: [{oauth: [read]}]
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: /oauth/authorize
          tokenUrl: https://auth.example.com/token
          scopes: {read: Read, write: Write}
paths:
  /me:
    get: {operationId: me, responses: {"200": {description: ok}}}
)");
    document.close();
    Result<AppCatalog> catalog = build(uR"(apps:
  api:
    surfaces:
      openapi: {document: ./api.yaml}
)"_s);
    QVERIFY2(catalog.hasValue(), catalog ? "" : qPrintable(catalog.error().message));
    const AppDefinition *app = catalog->app(u"api"_s);
    QCOMPARE(app->defaultConnection, u"default"_s);
    const AppConnection *connection = app->connection(u"default"_s);
    QVERIFY(connection && connection->config.auth);
    QCOMPARE(connection->connectionId, u"api:default"_s);
    QCOMPARE(connection->mode(), ConnectionMode::User);
    QCOMPARE(connection->config.auth->type, AuthType::OAuth2);
    // A relative authorization URL is resolved against the base URL.
    QCOMPARE(connection->config.auth->authorizationUrl,
             u"https://api.example.com/oauth/authorize"_s);
    QCOMPARE(connection->config.auth->scopes, (QStringList{u"read"_s, u"write"_s}));
}

void tst_AppCatalog::connectionsResolveRefsAndDefaults()
{
    Result<AppCatalog> catalog = build(uR"(connections:
  shared:
    displayName: Shared
    mode: user
    auth: {type: manual}
apps:
  items:
    defaultConnection: second
    connections:
      first: {ref: shared}
      second: {ref: shared, displayName: Second}
)"_s + kRestApp.mid(1).replace(u"\n    "_s, u"\n    "_s));
    QVERIFY2(catalog.hasValue(), catalog ? "" : qPrintable(catalog.error().message));
    const AppDefinition *app = catalog->app(u"items"_s);
    QCOMPARE(app->defaultConnection, u"second"_s);
    QCOMPARE(app->connection(u"first"_s)->connectionId, u"shared"_s);
    QCOMPARE(app->connection(u"first"_s)->config.displayName, u"Shared"_s);
    QCOMPARE(app->connection(u"second"_s)->config.displayName, u"Second"_s);
}

void tst_AppCatalog::iconIsRead()
{
    QFile icon(m_dir.filePath(u"icon.svg"_s));
    QVERIFY(icon.open(QIODevice::WriteOnly));
    icon.write(R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>)");
    icon.close();
    Result<AppCatalog> catalog =
        build(u"apps:\n  items:\n    iconFile: ./icon.svg\n"_s + kRestApp.mid(1));
    QVERIFY2(catalog.hasValue(), catalog ? "" : qPrintable(catalog.error().message));
    QVERIFY(catalog->app(u"items"_s)->iconSvg.startsWith(u"<svg"_s));
}

void tst_AppCatalog::problemsNameTheirPlace_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("problem");
    QTest::newRow("unknown allowed operation")
        << u"apps:\n  items:\n    allowedOperations: {nope: {}}\n"_s + kRestApp.mid(1)
        << u"apps.items: allowedOperations: no operation \"nope\""_s;
    QTest::newRow("alias collision")
        << u"apps:\n  items:\n    allowedOperations: {items.list: {alias: x}, items.create: {alias: x}}\n"_s
               + kRestApp.mid(1)
        << u"two operations are exposed as \"x\""_s;
    QTest::newRow("graphql")
        << u"apps:\n  g:\n    surfaces: {graphql: {url: https://x.example/graphql}}\n"_s
        << u"apps.g.surfaces.graphql: not supported yet (GraphQL surfaces)"_s;
    QTest::newRow("missing document")
        << u"apps:\n  o:\n    surfaces: {openapi: {document: ./missing.yaml}}\n"_s
        << u"apps.o: surfaces.openapi.document:"_s;
    QTest::newRow("missing manifest") << u"apps:\n  m:\n    source: ./nowhere/manifest.yaml\n"_s
                                      << u"apps.m: source: no manifest at"_s;
    QTest::newRow("package source")
        << u"apps:\n  m:\n    source: {package: github.com/acme/tools, version: 1.0.0}\n"_s
        << u"apps.m.source.package: not supported yet (package, URL and release sources"_s;
    QTest::newRow("unreadable icon")
        << u"apps:\n  items:\n    iconFile: ./none.svg\n"_s + kRestApp.mid(1)
        << u"apps.items: iconFile: cannot read"_s;
    QTest::newRow("operation pins unknown connection") << uR"(apps:
  p:
    surfaces:
      rest:
        baseUrl: https://x.example
        operations: [{name: a, method: GET, path: /a, connection: nope}]
)"_s << u"operation \"a\" uses connection \"nope\""_s;
    QTest::newRow("binding target unknown")
        << u"apps:\n  items:\n    http: {hook: {path: /hook, method: POST, target: nope}}\n"_s
               + kRestApp.mid(1)
        << u"apps.items: http.hook.target: no operation \"nope\""_s;
    QTest::newRow("binding security unknown")
        << u"apps:\n  items:\n    http: {hook: {path: /hook, security: nope, target: items.list}}\n"_s
               + kRestApp.mid(1)
        << u"http.hook.security: no securitySchemes entry \"nope\""_s;
    QTest::newRow("binding hides an operation")
        << u"apps:\n  items:\n    http: {hook: {path: /items.list, method: GET, target: items.list}}\n"_s
               + kRestApp.mid(1)
        << u"hides the operation \"items.list\""_s;
    QTest::newRow("platform without token URL") << uR"(apps:
  p:
    connections:
      default: {mode: platform, auth: {grantType: client_credentials, clientId: a}}
    surfaces:
      rest: {baseUrl: https://x.example, operations: [{name: a, method: GET, path: /a}]}
)"_s << u"a platform connection needs tokenUrl"_s;
    QTest::newRow("mixed modes") << uR"(apps:
  p:
    connections:
      a: {mode: none}
      b: {mode: user, auth: {type: manual}}
    surfaces:
      rest: {baseUrl: https://x.example, operations: [{name: a, method: GET, path: /a}]}
)"_s << u"all connections of one app must share one mode"_s;
    QTest::newRow("bad base URL")
        << u"apps:\n  p:\n    surfaces: {rest: {baseUrl: ftp://x, operations: []}}\n"_s
        << u"must be an http or https URL"_s;
    QTest::newRow("unknown default connection")
        << u"apps:\n  items:\n    defaultConnection: nope\n"_s + kRestApp.mid(1)
        << u"defaultConnection: no connection \"nope\""_s;
}

void tst_AppCatalog::problemsNameTheirPlace()
{
    QFETCH(QString, yaml);
    QFETCH(QString, problem);
    Result<AppCatalog> catalog = build(yaml);
    QVERIFY(!catalog.hasValue());
    QVERIFY2(catalog.error().message.contains(problem), qPrintable(catalog.error().message));
}

// The hosts the operator wrote literally may resolve anywhere; a host with a {placeholder} is
// filled at run time (connection params, discovery, token responses) and is not named.
void tst_AppCatalog::hostsWrittenInTheConfigAreNamed()
{
    Result<AppCatalog> catalog = build(uR"(apps:
  items:
    egress:
      allowedHosts: [api.example.com, "*.example.net"]
    connections:
      default:
        mode: user
        auth:
          authorizationUrl: https://login.example.com/authorize
          tokenUrl: /oauth/token
          clientId: a
        params:
          tenant: {required: true}
        discovery: {url: "https://{tenant}.accounts.example.com/list"}
    surfaces:
      rest:
        baseUrl: https://API.example.com/v1/{tenant}
        operations:
          - {name: a, method: GET, path: /a}
      mcp:
        url: http://127.0.0.1:9000/mcp
  templated:
    connections:
      default:
        mode: user
        auth: {type: manual}
        params:
          host: {required: true}
    surfaces:
      rest:
        baseUrl: http://{host}:8080
        operations:
          - {name: a, method: GET, path: /a}
)"_s);
    QVERIFY2(catalog.hasValue(), catalog ? "" : qPrintable(catalog.error().message));
    const AppDefinition *items = catalog->app(u"items"_s);
    QVERIFY(items);
    QStringList named = items->egress.namedHosts;
    named.sort();
    QCOMPARE(named, (QStringList{u"127.0.0.1"_s, u"api.example.com"_s, u"login.example.com"_s}));
    QVERIFY(!items->egress.requiresPublicAddress(u"api.example.com"_s));
    QVERIFY(!items->egress.requiresPublicAddress(u"127.0.0.1"_s));
    QVERIFY(items->egress.requiresPublicAddress(u"acme.accounts.example.com"_s));
    QVERIFY(items->egress.requiresPublicAddress(u"a.example.net"_s));

    const AppDefinition *templated = catalog->app(u"templated"_s);
    QVERIFY(templated);
    QVERIFY(templated->egress.namedHosts.isEmpty());
    QVERIFY(templated->egress.requiresPublicAddress(u"127.0.0.1"_s));
}

QTEST_GUILESS_MAIN(tst_AppCatalog)
#include "tst_appcatalog.moc"
