// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Attacks on the boundary between the gateway and its upstreams (issue 18, section 1), over real
// HTTP against a running gestaltd with Debian's httpbin as the upstream, on SQLite and
// PostgreSQL:
//  * a path parameter climbs out of its segment ("../", "%2e%2e", "%2f") to another path of the
//    upstream, with the operation's method and credential, past a token's operation list;
//  * an upstream's HTML, SVG, XML or script is served as a page of the gateway's origin;
//  * a page of the gateway allows inline script or style ('unsafe-inline').
#include "support/FakeUpstream.h"
#include "support/HttpbinProcess.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

// The page of the issue, URL-safe base64: httpbin's /base64/<value> answers it as text/html.
const QString kScriptPage =
    u"PGh0bWw-PHNjcmlwdD5hbGVydChkb2N1bWVudC5kb21haW4pPC9zY3JpcHQ-PC9odG1sPg=="_s;
const QByteArray kScriptPageHtml = "<html><script>alert(document.domain)</script></html>"_ba;

const QString kHiddenSeparator =
    uR"(invalid path parameter "%1": it must not hold a percent-encoded ".", "/" or "\")"_s;
const QString kDotSegment =
    uR"(invalid path parameter "%1": it must not make a "." or ".." path segment)"_s;

QString appsYaml(const QString &httpbin, const QString &fake)
{
    return uR"(apps:
  httpbin:
    mcp: true
    surfaces:
      openapi:
        document: ":/apps/httpbin/openapi.yaml"
        baseUrl: %1
  bin:
    mcp: true
    surfaces:
      rest:
        baseUrl: %1
        operations:
          - name: item
            method: GET
            path: /anything/{item}
            parameters:
              - {name: item, in: path, required: true}
          - name: base64
            method: GET
            path: /base64/{value}
            parameters:
              - {name: value, in: path, required: true}
          - {name: html, method: GET, path: /html}
          - {name: xml, method: GET, path: /xml}
          - {name: svg, method: GET, path: /image/svg}
          - {name: text, method: GET, path: /robots.txt}
          - {name: json, method: GET, path: /uuid}
    http:
      item_hook:
        path: /hooks/item
        method: GET
        target: item
        credentialMode: none
      page_hook:
        path: /hooks/page
        method: GET
        target: html
        credentialMode: none
  raw:
    surfaces:
      rest:
        baseUrl: %2
        operations:
          - name: item
            method: GET
            path: /items/{item}
            parameters:
              - {name: item, in: path, required: true}
          - {name: page, method: GET, path: /page}
)"_s.arg(httpbin, fake);
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The directives of a Content-Security-Policy by name: "script-src" → "'self'".
QMap<QString, QString> directives(const QByteArray &policy)
{
    QMap<QString, QString> out;
    for (const QString &part : QString::fromLatin1(policy).split(u';', Qt::SkipEmptyParts)) {
        const QString directive = part.trimmed();
        const qsizetype space = directive.indexOf(u' ');
        out.insert(space < 0 ? directive : directive.left(space),
                   space < 0 ? QString() : directive.mid(space + 1));
    }
    return out;
}

QString sha256Source(const QByteArray &text)
{
    return u"'sha256-"_s
           + QString::fromLatin1(
               QCryptographicHash::hash(text, QCryptographicHash::Sha256).toBase64())
           + u'\'';
}

// The text of every <style> element of a page.
QList<QByteArray> styleElements(const QByteArray &html)
{
    QList<QByteArray> out;
    qsizetype from = 0;
    while (true) {
        const qsizetype open = html.indexOf("<style>", from);
        const qsizetype close = open < 0 ? -1 : html.indexOf("</style>", open);
        if (close < 0) {
            return out;
        }
        out.append(html.mid(open + 7, close - open - 7));
        from = close;
    }
}

} // namespace

class tst_SecUpstream final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup() { m_server.reset(); }
    void cleanupTestCase() { TestDatabase::dropAll(); }

    // Path parameters stay inside their segment.
    void operationTokenCannotClimbToAnotherPathOfTheUpstream();
    void encodedAndPlainDotSegmentsAreRefused_data();
    void encodedAndPlainDotSegmentsAreRefused();
    void reservedCharactersArriveEncodedInsideTheirSegment();
    void slashInAValueNeverReachesTheUpstreamAsASlash();
    void hostedBindingCannotClimbOutOfItsSegment();
    void workflowStepCannotClimbOutOfItsSegment();
    void mcpToolCallCannotClimbOutOfItsSegment();

    // Upstream content is never a page of the gateway.
    void upstreamHtmlSvgXmlAreSandboxedAttachments_data();
    void upstreamHtmlSvgXmlAreSandboxedAttachments();
    void upstreamTypeThatBrowsersReadAsHtmlIsSandboxed_data();
    void upstreamTypeThatBrowsersReadAsHtmlIsSandboxed();
    void hostedBindingRelaysHtmlSandboxed();
    void jsonAndTextPassThroughUnchanged();

    // No response allows inline script or style.
    void noResponseAllowsUnsafeInline();
    void adminShellHasNoInlineScript();
    void serverPagesAllowOnlyTheirOwnStyleByHash();
    void consentPageAllowsOnlyItsOwnStyleByHash();

private:
    [[nodiscard]] HttpReply invoke(const QString &app,
                                   const QString &operation,
                                   const QJsonObject &params,
                                   const TestServer::Headers &headers = {});
    void expectSandboxed(const HttpReply &reply);

    HttpbinProcess m_httpbin;
    FakeUpstream m_fake;
    std::unique_ptr<TestServer> m_server;
};

void tst_SecUpstream::initTestCase()
{
    QVERIFY2(m_httpbin.start(), qPrintable(m_httpbin.errorString()));
    QVERIFY(m_fake.start());
}

void tst_SecUpstream::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_fake.setBehaviour(FakeUpstream::Behaviour::Reply);
    m_fake.setReply(200, {{"Content-Type"_ba, "application/json"_ba}}, "{}"_ba);
    m_server = std::make_unique<TestServer>(backend,
                                            appsYaml(m_httpbin.baseUrl(), m_fake.baseUrl()),
                                            u"workflows:\n  pollInterval: 50ms\n"_s);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

HttpReply tst_SecUpstream::invoke(const QString &app,
                                  const QString &operation,
                                  const QJsonObject &params,
                                  const TestServer::Headers &headers)
{
    return m_server->request("POST", u"/api/v1/%1/%2"_s.arg(app, operation), json(params), headers);
}

void tst_SecUpstream::expectSandboxed(const HttpReply &reply)
{
    const QMap<QString, QString> policy = directives(reply.header("content-security-policy"));
    QVERIFY2(policy.contains(u"sandbox"_s), reply.header("content-security-policy").constData());
    QCOMPARE(policy.value(u"sandbox"_s), QString()); // no allow-scripts, no allow-same-origin
    QCOMPARE(policy.value(u"default-src"_s), u"'none'"_s);
    QCOMPARE(reply.header("content-disposition"), "attachment"_ba);
    QCOMPARE(reply.header("x-content-type-options"), "nosniff"_ba);
}

// The issue's attack: a token allowed only httpbin's get_status turns `code` into
// "../base64/<page>" and gets an HTML page with an inline script from the gateway's origin; the
// same climb reaches any path of httpbin (here /anything) with the operation's method.
void tst_SecUpstream::operationTokenCannotClimbToAnotherPathOfTheUpstream()
{
    const TestServer::TestUser mallory =
        m_server->user(u"mallory@example.com"_s,
                       {},
                       QJsonArray{QJsonObject{{u"app"_s, u"httpbin"_s},
                                              {u"operations"_s, QJsonArray{u"get_status"_s}}}});
    const auto auth = TestServer::bearer(mallory.token);
    // The token's limits hold for the operation it is not given...
    QCOMPARE(m_server->get(u"/api/v1/httpbin/get_anything"_s, auth).status, 403);
    // ... and the one it is given works.
    QCOMPARE(m_server->get(u"/api/v1/httpbin/get_status?code=418"_s, auth).status, 418);

    HttpReply reply = m_server->get(u"/api/v1/httpbin/get_status?code=../base64/"_s
                                        + QString(kScriptPage).replace(u"="_s, u"%3D"_s),
                                    auth);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), kDotSegment.arg(u"code"_s));
    QVERIFY(!reply.body.contains("<script>"));

    reply = m_server->get(u"/api/v1/httpbin/get_status?code=..%2Fanything%2Fclimbed"_s, auth);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), kDotSegment.arg(u"code"_s));
    QVERIFY(!reply.body.contains("climbed"));
}

void tst_SecUpstream::encodedAndPlainDotSegmentsAreRefused_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("error");
    QTest::newRow("..") << u".."_s << kDotSegment;
    QTest::newRow(".") << u"."_s << kDotSegment;
    QTest::newRow("../uuid") << u"../uuid"_s << kDotSegment;
    QTest::newRow("x/../../uuid") << u"x/../../uuid"_s << kDotSegment;
    QTest::newRow("backslash ..\\uuid") << u"..\\uuid"_s << kDotSegment;
    QTest::newRow("%2e%2e") << u"%2e%2e"_s << kHiddenSeparator;
    QTest::newRow("%2E%2e") << u"%2E%2e"_s << kHiddenSeparator;
    QTest::newRow(".%2e") << u".%2e"_s << kHiddenSeparator;
    QTest::newRow("%2f") << u"x%2f..%2fuuid"_s << kHiddenSeparator;
    QTest::newRow("%2F") << u"%2F"_s << kHiddenSeparator;
    QTest::newRow("%5c") << u"..%5cuuid"_s << kHiddenSeparator;
    QTest::newRow("double-encoded %252e%252e") << u"%252e%252e"_s << kHiddenSeparator;
}

// Each value would lead httpbin from /anything/{item} to another path (or to /anything
// itself) once decoded and resolved, as Werkzeug, nginx and many others do.
void tst_SecUpstream::encodedAndPlainDotSegmentsAreRefused()
{
    QFETCH(QString, value);
    QFETCH(QString, error);
    HttpReply reply = invoke(u"bin"_s, u"item"_s, {{u"item"_s, value}});
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), error.arg(u"item"_s));
    QVERIFY(reply.header("content-type").startsWith("application/json"));
    // The same through the query of a GET.
    reply = m_server->get(u"/api/v1/bin/item?item="_s
                          + QString::fromLatin1(QUrl::toPercentEncoding(value)));
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), error.arg(u"item"_s));
}

// httpbin's /anything echoes the URL it was asked for: '?', '#' and '%' stayed in the segment
// (no query, no fragment cut off, no escape decoded twice).
void tst_SecUpstream::reservedCharactersArriveEncodedInsideTheirSegment()
{
    const HttpReply reply = invoke(u"bin"_s, u"item"_s, {{u"item"_s, u"a b?c=1#d%2541"_s}});
    QCOMPARE(reply.status, 200);
    const QJsonObject echo = reply.json().object();
    QCOMPARE(echo[u"url"_s].toString(),
             m_httpbin.baseUrl() + u"/anything/a%20b%3Fc%3D1%23d%252541"_s);
    QCOMPARE(echo[u"args"_s].toObject(), QJsonObject()); // the '?' started no query
}

// httpbin (WSGI) decodes %2F before it shows the path, so the exact request line is read from a
// plain socket: the '/' of the value is %2F, inside the one segment.
void tst_SecUpstream::slashInAValueNeverReachesTheUpstreamAsASlash()
{
    const qsizetype before = m_fake.requests().size();
    const HttpReply reply = invoke(u"raw"_s, u"item"_s, {{u"item"_s, u"a/b?c#d%e"_s}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(m_fake.requests().size(), before + 1);
    const QByteArray requestLine = m_fake.requests().last().split('\r').first();
    QCOMPARE(requestLine, "GET /items/a%2Fb%3Fc%23d%25e HTTP/1.1"_ba);
}

// A hosted binding fills the operation's path from its caller's query: same rule.
void tst_SecUpstream::hostedBindingCannotClimbOutOfItsSegment()
{
    HttpReply reply = m_server->get(u"/api/v1/bin/hooks/item?item=..%2Fuuid"_s);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), kDotSegment.arg(u"item"_s));
    reply = m_server->get(u"/api/v1/bin/hooks/item?item=%252e%252e"_s);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.error(), kHiddenSeparator.arg(u"item"_s));
    reply = m_server->get(u"/api/v1/bin/hooks/item?item=a%3Fb"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json()[u"url"_s].toString(), m_httpbin.baseUrl() + u"/anything/a%3Fb"_s);
}

// A workflow step fills the path from an event anyone allowed to publish can shape.
void tst_SecUpstream::workflowStepCannotClimbOutOfItsSegment()
{
    const QJsonObject step{
        {u"id"_s, u"fetch"_s},
        {u"app"_s,
         QJsonObject{
             {u"name"_s, u"bin"_s},
             {u"operation"_s, u"item"_s},
             {u"input"_s,
              QJsonObject{
                  {u"fields"_s,
                   QJsonObject{{u"item"_s, QJsonObject{{u"from"_s, u"event.data.id"_s}}}}}}}}}};
    const HttpReply trigger =
        m_server->post(u"/api/v1/workflow/event-triggers"_s,
                       json({{u"match"_s, QJsonObject{{u"type"_s, u"item.updated"_s}}},
                             {u"target"_s, QJsonObject{{u"steps"_s, QJsonArray{step}}}}}));
    QCOMPARE(trigger.status, 201);
    const QString triggerId = trigger.json()[u"id"_s].toString();
    QCOMPARE(m_server
                 ->post(u"/api/v1/workflow/events"_s,
                        json({{u"type"_s, u"item.updated"_s},
                              {u"data"_s, QJsonObject{{u"id"_s, u"../uuid"_s}}}}))
                 .status,
             202);
    QJsonObject run;
    for (int i = 0; i < 500 && run.isEmpty(); ++i) {
        for (const QJsonValue &candidate :
             m_server->get(u"/api/v1/workflow/runs"_s).json().array()) {
            const QString status = candidate[u"status"_s].toString();
            if (candidate[u"trigger"_s][u"triggerId"_s].toString() == triggerId
                && (status == u"succeeded" || status == u"failed")) {
                run = candidate.toObject();
            }
        }
        if (run.isEmpty()) {
            QTest::qWait(20);
        }
    }
    QCOMPARE(run[u"status"_s].toString(), u"failed"_s);
    QVERIFY2(run[u"statusMessage"_s].toString().contains(kDotSegment.arg(u"item"_s)),
             qPrintable(run[u"statusMessage"_s].toString()));
    QVERIFY(!run[u"steps"_s][0].toObject().contains(u"output"_s)
            || run[u"steps"_s][0][u"output"_s].isNull());
}

// An MCP client (a model steered by whatever it read) fills the arguments of tools/call.
void tst_SecUpstream::mcpToolCallCannotClimbOutOfItsSegment()
{
    const auto toolCall = [this](const QString &item) {
        const QJsonObject message{{u"jsonrpc"_s, u"2.0"_s},
                                  {u"id"_s, 1},
                                  {u"method"_s, u"tools/call"_s},
                                  {u"params"_s,
                                   QJsonObject{{u"name"_s, u"bin_item"_s},
                                               {u"arguments"_s, QJsonObject{{u"item"_s, item}}}}}};
        const HttpReply reply =
            m_server->post(u"/mcp"_s,
                           json(message),
                           {{"Content-Type"_ba, "application/json"_ba},
                            {"Accept"_ba, "application/json, text/event-stream"_ba}});
        return reply.json()[u"result"_s].toObject();
    };
    QJsonObject result = toolCall(u"../uuid"_s);
    QCOMPARE(result[u"isError"_s].toBool(), true);
    QVERIFY2(result[u"content"_s][0][u"text"_s].toString().contains(kDotSegment.arg(u"item"_s)),
             qPrintable(result[u"content"_s][0][u"text"_s].toString()));
    result = toolCall(u"%2e%2e%2fuuid"_s);
    QCOMPARE(result[u"isError"_s].toBool(), true);
    QVERIFY(
        result[u"content"_s][0][u"text"_s].toString().contains(kHiddenSeparator.arg(u"item"_s)));
    result = toolCall(u"a?b"_s);
    QCOMPARE(result[u"isError"_s].toBool(), false);
    QVERIFY(QJsonDocument(result).toJson().contains("/anything/a%3Fb"));
}

void tst_SecUpstream::upstreamHtmlSvgXmlAreSandboxedAttachments_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("bodyPart");
    QTest::newRow("html") << u"html"_s << QJsonObject() << "text/html; charset=utf-8"_ba
                          << "<html>"_ba;
    QTest::newRow("xml") << u"xml"_s << QJsonObject() << "application/xml"_ba
                         << "<?xml"_ba;
    QTest::newRow("svg") << u"svg"_s << QJsonObject() << "image/svg+xml"_ba
                         << "<svg"_ba;
    QTest::newRow("base64 page with a script")
        << u"base64"_s << QJsonObject{{u"value"_s, kScriptPage}} << "text/html; charset=utf-8"_ba
        << kScriptPageHtml;
}

// Whatever an upstream answers is relayed as it came (type and body), but a browser may neither
// render it on the gateway's origin nor run its scripts.
void tst_SecUpstream::upstreamHtmlSvgXmlAreSandboxedAttachments()
{
    QFETCH(QString, operation);
    QFETCH(QJsonObject, params);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, bodyPart);
    const HttpReply reply = m_server->get(
        u"/api/v1/bin/"_s + operation
        + (params.isEmpty()
               ? QString()
               : u"?value="_s + params[u"value"_s].toString().replace(u"="_s, u"%3D"_s)));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), contentType);
    QVERIFY(reply.body.contains(bodyPart));
    expectSandboxed(reply);
}

void tst_SecUpstream::upstreamTypeThatBrowsersReadAsHtmlIsSandboxed_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::newRow("javascript") << "text/javascript"_ba;
    QTest::newRow("xhtml") << "application/xhtml+xml"_ba;
    QTest::newRow("text/xml") << "text/xml"_ba;
    QTest::newRow("upper-case HTML") << "TEXT/HTML"_ba;
    // Browsers take the last type of a list: this is HTML to them.
    QTest::newRow("JSON, then HTML") << "application/json, text/html"_ba;
    QTest::newRow("not a media type") << "json"_ba;
    QTest::newRow("JSON-looking type of another kind") << "text/html+json"_ba;
    QTest::newRow("octet-stream") << "application/octet-stream"_ba;
}

void tst_SecUpstream::upstreamTypeThatBrowsersReadAsHtmlIsSandboxed()
{
    QFETCH(QByteArray, contentType);
    m_fake.setReply(200, {{"Content-Type"_ba, contentType}}, "<script>alert(1)</script>"_ba);
    const HttpReply reply = m_server->get(u"/api/v1/raw/page"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), contentType);
    QCOMPARE(reply.body, "<script>alert(1)</script>"_ba);
    expectSandboxed(reply);
}

void tst_SecUpstream::hostedBindingRelaysHtmlSandboxed()
{
    const HttpReply reply = m_server->get(u"/api/v1/bin/hooks/page"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), "text/html; charset=utf-8"_ba);
    expectSandboxed(reply);
}

void tst_SecUpstream::jsonAndTextPassThroughUnchanged()
{
    HttpReply reply = m_server->get(u"/api/v1/bin/json"_s);
    QVERIFY2(reply.status == 200, reply.body.constData());
    QCOMPARE(reply.header("content-type"), "application/json"_ba);
    QVERIFY(reply.json()[u"uuid"_s].isString());
    QVERIFY(reply.header("content-disposition").isEmpty());
    QVERIFY(!directives(reply.header("content-security-policy")).contains(u"sandbox"_s));

    reply = m_server->get(u"/api/v1/bin/text"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), "text/plain"_ba);
    QVERIFY(reply.body.startsWith("User-agent: *"));
    QVERIFY(reply.header("content-disposition").isEmpty());
    QVERIFY(!directives(reply.header("content-security-policy")).contains(u"sandbox"_s));

    for (const QByteArray &type : {"application/problem+json"_ba,
                                   "text/plain; charset=utf-8"_ba,
                                   "Application/JSON; charset=utf-8"_ba}) {
        m_fake.setReply(200, {{"Content-Type"_ba, type}}, "{\"a\":1}"_ba);
        reply = m_server->get(u"/api/v1/raw/page"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("content-type"), type);
        QCOMPARE(reply.body, "{\"a\":1}"_ba);
        QVERIFY2(reply.header("content-disposition").isEmpty(), type.constData());
    }
}

// Every kind of response: the gateway's CSP allows no inline script or style anywhere.
void tst_SecUpstream::noResponseAllowsUnsafeInline()
{
    struct Probe
    {
        QByteArray method;
        QString path;
        TestServer::Headers headers;
    };
    const QList<Probe> probes = {
        {"GET"_ba, u"/api/v1/apps"_s, {}},                               // JSON
        {"GET"_ba, u"/api/v1/nope"_s, {}},                               // JSON error
        {"GET"_ba, u"/api/v1/bin/json"_s, {}},                           // relayed JSON
        {"GET"_ba, u"/api/v1/bin/html"_s, {}},                           // relayed HTML
        {"GET"_ba, u"/admin/"_s, {}},                                    // the admin shell
        {"GET"_ba, u"/admin/admin.js"_s, {}},                            // its script
        {"GET"_ba, u"/integrations"_s, {{"Accept"_ba, "text/html"_ba}}}, // a server page
        {"GET"_ba, u"/api/v1/auth/callback?error=denied"_s, {{"Accept"_ba, "text/html"_ba}}},
        {"GET"_ba, u"/api/v1/auth/login"_s, {}}, // login (not configured here)
    };
    for (const Probe &probe : probes) {
        const HttpReply reply = m_server->request(probe.method, probe.path, {}, probe.headers);
        const QByteArray policy = reply.header("content-security-policy");
        QVERIFY2(!policy.isEmpty(), qPrintable(probe.path));
        QVERIFY2(!policy.contains("unsafe-inline"),
                 qPrintable(probe.path + u": "_s + QString::fromLatin1(policy)));
        QVERIFY2(!policy.contains("unsafe-eval"), qPrintable(probe.path));
    }
    const QMap<QString, QString> policy =
        directives(m_server->get(u"/admin/"_s).header("content-security-policy"));
    QCOMPARE(policy.value(u"script-src"_s), u"'self'"_s);
    QCOMPARE(policy.value(u"style-src"_s), u"'self'"_s);
}

// The shell's bootstrap value is data in a <meta> element read by shell.js, not an inline script
// (which the policy would block, and which a hostile login base could break out of).
void tst_SecUpstream::adminShellHasNoInlineScript()
{
    const HttpReply reply = m_server->get(u"/admin/"_s);
    QCOMPARE(reply.status, 200);
    static const QRegularExpression scriptTag(u"<script\\b([^>]*)>"_s);
    auto scripts = scriptTag.globalMatch(QString::fromUtf8(reply.body));
    int count = 0;
    while (scripts.hasNext()) {
        const QString attributes = scripts.next().captured(1);
        QVERIFY2(attributes.contains(u"src="_s), qPrintable(attributes)); // from a file
        ++count;
    }
    QVERIFY(count > 0);
    QVERIFY(!reply.body.contains(" style="));
    QVERIFY(styleElements(reply.body).isEmpty());
    QVERIFY(reply.body.contains(
        R"(<meta name="gestalt-admin-login-base" content='"/api/v1/auth/login"'>)"));
    QVERIFY(m_server->get(u"/admin/shell.js"_s).body.contains("gestalt-admin-login-base"));
}

// The connection pages keep their <style>, allowed by its hash only, and load nothing.
void tst_SecUpstream::serverPagesAllowOnlyTheirOwnStyleByHash()
{
    for (const QString &path : {u"/integrations"_s, u"/api/v1/auth/callback?error=denied"_s}) {
        const HttpReply reply = m_server->get(path, {{"Accept"_ba, "text/html"_ba}});
        QVERIFY(reply.header("content-type").startsWith("text/html"));
        const QList<QByteArray> styles = styleElements(reply.body);
        QCOMPARE(styles.size(), 1);
        const QMap<QString, QString> policy = directives(reply.header("content-security-policy"));
        QCOMPARE(policy.value(u"default-src"_s), u"'none'"_s);
        QCOMPARE(policy.value(u"style-src"_s), sha256Source(styles.first()));
        QVERIFY(!policy.contains(u"script-src"_s));
        QVERIFY(!reply.body.contains("<script"));
    }
}

// The MCP OAuth consent page (login configured, an MCP app): the same.
void tst_SecUpstream::consentPageAllowsOnlyItsOwnStyleByHash()
{
    QFETCH_GLOBAL(QString, backend);
    m_server.reset();
    m_server = std::make_unique<TestServer>(backend,
                                            appsYaml(m_httpbin.baseUrl(), m_fake.baseUrl()),
                                            TestServer::unreachableLoginYaml());
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    const HttpReply registered = m_server->post(
        u"/oauth/register"_s, R"({"redirect_uris":["https://app.example/callback"]})");
    QCOMPARE(registered.status, 201);
    const QString clientId = registered.json()[u"client_id"_s].toString();
    const TestServer::TestUser ada = m_server->user(u"ada@example.com"_s);
    const HttpReply page =
        m_server->get(u"/oauth/authorize?response_type=code&client_id="_s + clientId
                          + u"&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback"
                            "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                            "&code_challenge_method=S256&state=s"_s,
                      TestServer::cookie(u"session_token"_s, m_server->sessionFor(ada)));
    QCOMPARE(page.status, 200);
    QVERIFY(page.header("content-type").startsWith("text/html"));
    const QList<QByteArray> styles = styleElements(page.body);
    QCOMPARE(styles.size(), 1);
    const QByteArray header = page.header("content-security-policy");
    QVERIFY2(!header.contains("unsafe-inline"), header.constData());
    const QMap<QString, QString> policy = directives(header);
    QCOMPARE(policy.value(u"default-src"_s), u"'none'"_s);
    QCOMPARE(policy.value(u"style-src"_s), sha256Source(styles.first()));
}

QTEST_GUILESS_MAIN(tst_SecUpstream)
#include "tst_sec_upstream.moc"
