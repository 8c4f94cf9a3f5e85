// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The /admin web shell as gestaltd serves it: where its files come from, the serve-time edits
// of index.html, the listener split, and the admin policy's login round trip.
#include "admin/AdminShell.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

const QString backend = u"sqlite"_s;

// The `server:` block of an override file (the test config has its own server: and providers:).
QString serverBlock(const QString &body)
{
    return u"server:\n"_s + body;
}
const QString managementListener = u"  management:\n    host: 127.0.0.1\n    port: 0\n"_s;
const QString adminPolicy = u"  admin:\n    authorizationPolicy: admins\n"_s;

// Login on (the provider is never reached: sessions are minted by the test) and an admin policy.
const QString admins = uR"(
authorization:
  policies:
    admins:
      members:
        - email: root@example.com
          role: admin
)"_s;
// Merged over the test config (which has its own providers: block).
const QString login = TestServer::unreachableLoginYaml();

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

QString location(const HttpReply &reply)
{
    return QString::fromUtf8(reply.header("location"));
}

// The `next` parameter of a login redirect.
QString nextOf(const QString &loginUrl)
{
    return QUrlQuery(QUrl(loginUrl).query(QUrl::FullyEncoded))
        .queryItemValue(u"next"_s, QUrl::FullyDecoded);
}

} // namespace

class tst_AdminShell final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Every warning fails a test, except the login provider's, which is never reachable here.
    void init()
    {
        QTest::failOnWarning(QRegularExpression(u"^(?!OIDC provider sso - discovery failed).*"_s));
    }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void rewritesIndex_data();
    void rewritesIndex();
    void readsOnlyFilesInsideTheRoot();

    void singleListenerServesTheBuiltInShell();
    void managementListenerServesTheShellAndThePublicOneHidesIt();
    void clientUiLinkFollowsTheBaseUrl();
    void bundlesReplaceTheBuiltInShell();
    void aBundleWithoutAdminIndexIsAStartError();
    void adminPolicyProtectsShellAndAssets();
    void managementLoginRoundTripGoesThroughThePublicListener();
};

void tst_AdminShell::rewritesIndex_data()
{
    QTest::addColumn<QString>("clientUi");
    QTest::addColumn<QString>("loginBase");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("no base URL: brand to the shell, no Client UI link")
        << QString() << u"/api/v1/auth/login"_s
        << QByteArray(R"(<a class="brand" href="/admin/">G</a>||)"
                      R"(<script>x="/api/v1/auth/login";</script>)");
    QTest::newRow("base URL: both links go there")
        << u"https://gw.example.com"_s << u"https://gw.example.com/api/v1/auth/login"_s
        << QByteArray(R"(<a class="brand" href="https://gw.example.com">G</a>|)"
                      R"(<a href="https://gw.example.com">Client UI</a>|)"
                      R"(<script>x="https://gw.example.com/api/v1/auth/login";</script>)");
    QTest::newRow("quotes and ampersands cannot leave an attribute either")
        << QString() << u"/login?a='b'&c=\"d\""_s
        << QByteArray(R"(<a class="brand" href="/admin/">G</a>||)"
                      R"(<script>x="/login?a=\u0027b\u0027\u0026c=\"d\"";</script>)");
    QTest::newRow("hostile values are escaped")
        << u"https://x/\"><script>"_s << u"</script><script>alert(1)//"_s
        << QByteArray(R"(<a class="brand" href="https://x/&quot;&gt;&lt;script&gt;">G</a>|)"
                      R"(<a href="https://x/&quot;&gt;&lt;script&gt;">Client UI</a>|)"
                      R"(<script>x="\u003c/script\u003e\u003cscript\u003ealert(1)//";</script>)");
}

void tst_AdminShell::rewritesIndex()
{
    QFETCH(QString, clientUi);
    QFETCH(QString, loginBase);
    QFETCH(QByteArray, expected);
    const QByteArray page = R"(<a class="brand" href="/">G</a>|<a href="/">Client UI</a>|)"
                            R"(<script>x=__GESTALT_ADMIN_LOGIN_BASE__;</script>)";
    QCOMPARE(rewriteAdminIndex(page, clientUi, loginBase), expected);
}

void tst_AdminShell::readsOnlyFilesInsideTheRoot()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(u"bundle/admin/index.html"_s), "<p>custom</p>"));
    QVERIFY(writeFile(dir.filePath(u"bundle/admin/js/app.js"_s), "let a = 1;"));
    QVERIFY(writeFile(dir.filePath(u"secret.txt"_s), "top secret"));
    QVERIFY(QFile::link(dir.filePath(u"secret.txt"_s), dir.filePath(u"bundle/admin/leak.txt"_s)));
    Config config;
    ProviderEntry bundle;
    bundle.source.kind = SourceRef::Kind::LocalPath;
    bundle.source.location = dir.filePath(u"bundle"_s);
    config.providers.ui.insert(u"console"_s, bundle);
    config.server.admin.ui = u"console"_s;
    Result<AdminShellAssets> assets = AdminShellAssets::locate(config, {});
    QVERIFY2(assets, qPrintable(assets ? QString() : assets.error().message));
    QCOMPARE(assets->read(u"js/app.js"_s)->body, "let a = 1;"_ba);
    QCOMPARE(assets->read(u"js/app.js"_s)->contentType, "text/javascript; charset=utf-8"_ba);
    for (const QString &path : {u"../secret.txt"_s,
                                u"js/../../secret.txt"_s,
                                u"leak.txt"_s,
                                u"js"_s,
                                u"/etc/passwd"_s,
                                u"js//app.js"_s,
                                u"./index.html"_s,
                                u"missing.css"_s,
                                QString()}) {
        const auto file = assets->read(path);
        QVERIFY2(!file, qPrintable(path));
        QCOMPARE(file.error().code, ErrorCode::NotFound);
    }
    // The built-in shell comes from the binary's resources.
    const AdminShellAssets builtIn = AdminShellAssets::builtIn();
    QVERIFY(builtIn.read(u"index.html"_s)->body.contains("__GESTALT_ADMIN_LOGIN_BASE__"));
    QVERIFY(!builtIn.read(u"../migrations"_s));
}

void tst_AdminShell::singleListenerServesTheBuiltInShell()
{
    TestServer server(backend);
    QVERIFY2(server.start(), qPrintable(server.errorString()));

    HttpReply reply = server.get(u"/admin"_s);
    QCOMPARE(reply.status, 301);
    QCOMPARE(location(reply), u"/admin/"_s);
    reply = server.get(u"/admin?tab=members"_s);
    QCOMPARE(reply.status, 301);
    QCOMPARE(location(reply), u"/admin/?tab=members"_s);

    for (const QString &page : {u"/admin/"_s, u"/admin/?tab=runtime"_s, u"/admin/members"_s}) {
        reply = server.get(page);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("content-type"), "text/html; charset=utf-8"_ba);
        QCOMPARE(reply.header("cache-control"), "no-store"_ba);
        QVERIFY(reply.body.contains("<title>Gestalt Admin</title>"));
        QVERIFY(reply.body.contains("\"/api/v1/auth/login\""));
        QVERIFY(!reply.body.contains("__GESTALT_ADMIN_LOGIN_BASE__"));
        QVERIFY(reply.body.contains("<a class=\"brand\" href=\"/admin/\">"));
        QVERIFY(!reply.body.contains("Client UI</a>"));
        QVERIFY(reply.header("content-security-policy").contains("default-src 'self'"));
    }
    reply = server.get(u"/admin/admin.css"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), "text/css; charset=utf-8"_ba);
    reply = server.get(u"/admin/admin.js"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), "text/javascript; charset=utf-8"_ba);
    // Every module the shell imports, directly or not (one per panel), is compiled in and served.
    static const QRegularExpression importFrom(u"^import \\{[^}]*\\} from '\\./([a-z]+\\.js)';$"_s,
                                               QRegularExpression::MultilineOption);
    QStringList modules = {u"admin.js"_s};
    for (qsizetype i = 0; i < modules.size(); ++i) {
        reply = server.get(u"/admin/"_s + modules.at(i));
        QVERIFY2(reply.status == 200, qPrintable(modules.at(i)));
        QCOMPARE(reply.header("content-type"), "text/javascript; charset=utf-8"_ba);
        auto imports = importFrom.globalMatch(QString::fromUtf8(reply.body));
        while (imports.hasNext()) {
            const QString module = imports.next().captured(1);
            if (!modules.contains(module)) {
                modules.append(module);
            }
        }
    }
    for (const QString &module : {u"shell.js"_s,
                                  u"overview.js"_s,
                                  u"members.js"_s,
                                  u"runtime.js"_s,
                                  u"limits.js"_s,
                                  u"prometheus.js"_s}) {
        QVERIFY2(modules.contains(module), qPrintable(modules.join(u", "_s)));
    }

    for (const QString &missing : {u"/admin/nope.js"_s,
                                   u"/admin/%2e%2e/migrations"_s,
                                   u"/admin/..%2Fmigrations%2Fsqlite"_s,
                                   u"/admin/api/v1/nope"_s,
                                   u"/admin/api"_s}) {
        reply = server.get(missing);
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.header("content-type"), "application/json"_ba);
        QVERIFY(!reply.error().isEmpty());
    }
    // The root is the client UI's on the public listener, never a redirect to /admin.
    QCOMPARE(server.get(u"/"_s).status, 404);
    QCOMPARE(server.request("POST", u"/admin/"_s, "{}").status, 405);
}

void tst_AdminShell::managementListenerServesTheShellAndThePublicOneHidesIt()
{
    TestServer server(backend, QString(), serverBlock(managementListener));
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const quint16 port = *server.managementPort();

    for (const QString &path : {u"/admin"_s, u"/admin/"_s, u"/admin/admin.js"_s}) {
        QCOMPARE(server.get(path).status, 404);
    }
    HttpReply reply = server.request("GET", u"/?tab=members"_s, {}, {}, port);
    QCOMPARE(reply.status, 301);
    QCOMPARE(location(reply), u"/admin/?tab=members"_s);
    reply = server.request("GET", u"/admin"_s, {}, {}, port);
    QCOMPARE(reply.status, 301);
    QCOMPARE(location(reply), u"/admin/"_s);
    reply = server.request("GET", u"/admin/"_s, {}, {}, port);
    QCOMPARE(reply.status, 200);
    // The login goes through the public listener.
    QVERIFY2(reply.body.contains(
                 u"\"http://127.0.0.1:%1/api/v1/auth/login\""_s.arg(server.port()).toUtf8()),
             reply.body.constData());
    QVERIFY(!reply.body.contains("Client UI</a>"));
    QCOMPARE(server.request("GET", u"/admin/admin.css"_s, {}, {}, port).status, 200);
}

void tst_AdminShell::clientUiLinkFollowsTheBaseUrl()
{
    TestServer server(backend,
                      QString(),
                      serverBlock(u"  baseUrl: https://gw.example.com/\n"_s + managementListener));
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const HttpReply reply = server.request("GET", u"/admin/"_s, {}, {}, *server.managementPort());
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.body.contains("<a href=\"https://gw.example.com/\">Client UI</a>"));
    QVERIFY(reply.body.contains("<a class=\"brand\" href=\"https://gw.example.com/\">"));
    QVERIFY(reply.body.contains("\"https://gw.example.com/api/v1/auth/login\""));
}

void tst_AdminShell::bundlesReplaceTheBuiltInShell()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(u"ops/admin/index.html"_s),
                      "<title>Ops</title><a href=\"/\">Client UI</a>"
                      "<script>l=__GESTALT_ADMIN_LOGIN_BASE__</script>"));
    QVERIFY(writeFile(dir.filePath(u"ops/admin/ops.js"_s), "ops();"));
    QVERIFY(writeFile(dir.filePath(u"root/admin/index.html"_s), "<title>Root bundle</title>"));
    QVERIFY(writeFile(dir.filePath(u"plain/index.html"_s), "<title>Client</title>"));
    const QString bundles = uR"(
providers:
  ui:
    ops:
      source: %1/ops
    root:
      source: %1/root
      default: true
)"_s.arg(dir.path());

    {
        // server.admin.ui wins over the root bundle.
        TestServer server(backend, QString(), bundles + serverBlock(u"  admin:\n    ui: ops\n"_s));
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        HttpReply reply = server.get(u"/admin/"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body, "<title>Ops</title><script>l=\"/api/v1/auth/login\"</script>"_ba);
        reply = server.get(u"/admin/ops.js"_s);
        QCOMPARE(reply.body, "ops();"_ba);
        QCOMPARE(server.get(u"/admin/admin.js"_s).status, 404); // nothing of the built-in shell
    }
    {
        // Else the default (root-mounted) bundle, when it has admin/index.html.
        TestServer server(backend, QString(), bundles);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QCOMPARE(server.get(u"/admin/"_s).body, "<title>Root bundle</title>"_ba);
    }
    {
        // A root bundle without admin/index.html leaves the built-in shell in place.
        TestServer server(backend, QString(), uR"(
providers:
  ui:
    plain:
      source: %1/plain
      default: true
)"_s.arg(dir.path()));
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QVERIFY(server.get(u"/admin/"_s).body.contains("<title>Gestalt Admin</title>"));
    }
}

void tst_AdminShell::aBundleWithoutAdminIndexIsAStartError()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(u"plain/index.html"_s), "<title>Client</title>"));
    TestServer server(backend, QString(), uR"(
providers:
  ui:
    plain:
      source: %1/plain
server:
  admin:
    ui: plain
)"_s.arg(dir.path()));
    QVERIFY(!server.start());
    QVERIFY2(server.errorString().contains(u"server.admin.ui: providers.ui.plain has no "
                                           "admin/index.html"_s),
             qPrintable(server.errorString()));
}

void tst_AdminShell::adminPolicyProtectsShellAndAssets()
{
    TestServer server(backend, admins, login + serverBlock(adminPolicy));
    QVERIFY2(server.start(), qPrintable(server.errorString()));

    // No session: the browser goes to the login and comes back to the same page.
    for (const QString &path : {u"/admin/?tab=members"_s, u"/admin/admin.css"_s}) {
        const HttpReply reply = server.get(path);
        QCOMPARE(reply.status, 302);
        QVERIFY2(location(reply).startsWith(u"/api/v1/auth/login?next="_s),
                 qPrintable(location(reply)));
        QCOMPARE(nextOf(location(reply)), path);
    }
    // Signed in without an admin role.
    const QString bob = server.sessionFor(server.user(u"bob@example.com"_s));
    HttpReply reply = server.get(u"/admin/"_s, TestServer::cookie(u"session_token"_s, bob));
    QCOMPARE(reply.status, 403);
    QCOMPARE(reply.header("content-type"), "text/html; charset=utf-8"_ba);
    QVERIFY(reply.body.contains("Access denied"));
    QCOMPARE(server.get(u"/admin/admin.js"_s, TestServer::cookie(u"session_token"_s, bob)).status,
             403);
    // A built-in admin.
    const QString root = server.sessionFor(server.user(u"root@example.com"_s));
    reply = server.get(u"/admin/"_s, TestServer::cookie(u"session_token"_s, root));
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.body.contains("<title>Gestalt Admin</title>"));
    QCOMPARE(server.get(u"/admin/admin.js"_s, TestServer::cookie(u"session_token"_s, root)).status,
             200);
    // The API beside it answers JSON, never a redirect.
    reply = server.get(u"/admin/api/v1/runtime/providers"_s);
    QCOMPARE(reply.status, 401);
    QCOMPARE(reply.error(), u"missing authorization"_s);
}

void tst_AdminShell::managementLoginRoundTripGoesThroughThePublicListener()
{
    const QString publicBase = u"  baseUrl: http://gw.example.com:8080\n"_s;
    {
        TestServer server(backend,
                          admins,
                          login
                              + serverBlock(publicBase + adminPolicy + managementListener
                                            + u"    baseUrl: http://gw.example.com:9090/\n"_s));
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const HttpReply reply =
            server.request("GET", u"/admin/?tab=runtime"_s, {}, {}, *server.managementPort());
        QCOMPARE(reply.status, 302);
        QVERIFY2(
            location(reply).startsWith(u"http://gw.example.com:8080/api/v1/auth/login?next="_s),
            qPrintable(location(reply)));
        QCOMPARE(nextOf(location(reply)), u"http://gw.example.com:9090/admin/?tab=runtime"_s);
        // The session cookie of the public listener works here too.
        const QString root = server.sessionFor(server.user(u"root@example.com"_s));
        QCOMPARE(server
                     .request("GET",
                              u"/admin/"_s,
                              {},
                              TestServer::cookie(u"session_token"_s, root),
                              *server.managementPort())
                     .status,
                 200);
    }
    {
        // Without server.management.baseUrl the way back is unknown: say what to configure.
        TestServer server(
            backend, admins, login + serverBlock(publicBase + adminPolicy + managementListener));
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const HttpReply reply =
            server.request("GET", u"/admin/"_s, {}, {}, *server.managementPort());
        QCOMPARE(reply.status, 401);
        QVERIFY(reply.body.contains("server.management.baseUrl"));
    }
}

QTEST_GUILESS_MAIN(tst_AdminShell)
#include "tst_adminshell.moc"
