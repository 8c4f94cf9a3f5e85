// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/AppConnections.h"
#include "invocation/RequestBuilder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Gestalt;
using namespace Qt::StringLiterals;

namespace {

QJsonObject object(const QString &json)
{
    return json.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(json.toUtf8()).object();
}

// Declared parameters written compactly as JSON:
// [{"name":..., "wire":..., "in":..., "required":true, "internal":true, "default":...}]
QList<OperationParameter> parametersFrom(const QString &json)
{
    QList<OperationParameter> out;
    for (const QJsonValue &item : QJsonDocument::fromJson(json.toUtf8()).array()) {
        const QJsonObject o = item.toObject();
        OperationParameter p;
        p.name = o.value(u"name"_s).toString();
        p.wireName = o.contains(u"wire"_s) ? o.value(u"wire"_s).toString() : p.name;
        p.location = o.value(u"in"_s).toString();
        p.required = o.value(u"required"_s).toBool();
        p.internal = o.value(u"internal"_s).toBool();
        p.defaultValue = o.value(u"default"_s); // Undefined when absent
        out.append(p);
    }
    return out;
}

// An auth block written compactly as JSON: {"style":..., "authHeader":..., "tokenPrefix":...,
// "headers":{"H":{"value":v}|{"field":f}}, "basic":{"username":{...},"password":{...}}}.
MappedValue mappedFrom(const QJsonObject &o)
{
    return MappedValue{o.value(u"value"_s).toString(), o.value(u"field"_s).toString()};
}

std::optional<AuthConfig> authFrom(const QString &json)
{
    if (json.isEmpty()) {
        return std::nullopt;
    }
    const QJsonObject o = object(json);
    AuthConfig auth;
    auth.type = AuthType::Manual;
    auth.authStyle = o.value(u"style"_s).toString();
    auth.authHeader = o.value(u"authHeader"_s).toString();
    auth.tokenPrefix = o.value(u"tokenPrefix"_s).toString();
    const QJsonObject headers = o.value(u"headers"_s).toObject();
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        auth.authMapping.headers.insert(it.key(), mappedFrom(it.value().toObject()));
    }
    if (o.contains(u"basic"_s)) {
        const QJsonObject basic = o.value(u"basic"_s).toObject();
        auth.authMapping.basic =
            BasicAuthMapping{mappedFrom(basic.value(u"username"_s).toObject()),
                             mappedFrom(basic.value(u"password"_s).toObject())};
    }
    return auth;
}

QMap<QString, QString> stringMap(const QString &json)
{
    QMap<QString, QString> out;
    const QJsonObject o = object(json);
    for (auto it = o.begin(); it != o.end(); ++it) {
        out.insert(it.key(), it.value().toString());
    }
    return out;
}

AppDefinition makeApp(const QString &baseUrl = u"https://api.example.com/v1"_s)
{
    AppDefinition app;
    app.name = u"demo"_s;
    app.baseUrl = baseUrl;
    return app;
}

Operation makeOperation(const QString &method, const QString &path, const QString &declared)
{
    Operation op;
    op.id = u"op"_s;
    op.method = method;
    op.path = path;
    op.parameters = parametersFrom(declared);
    return op;
}

QByteArray headerValue(const UpstreamRequest &request, const QByteArray &name)
{
    for (const auto &[key, value] : request.headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

bool hasHeader(const UpstreamRequest &request, const QByteArray &name)
{
    return std::any_of(request.headers.cbegin(), request.headers.cend(), [&name](const auto &h) {
        return h.first.compare(name, Qt::CaseInsensitive) == 0;
    });
}

QByteArray basic(const QByteArray &userPass)
{
    return "Basic "_ba + userPass.toBase64();
}

} // namespace

class tst_RequestBuilder final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    // --- parameter placement, path, body --------------------------------------------------

    void placement_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("declared");
        QTest::addColumn<QString>("params");
        QTest::addColumn<QString>("url"); // expected, fully encoded; empty when an error
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error"); // expected 400 message

        const QString base = u"https://api.example.com/v1"_s;
        QTest::newRow("GET declared query")
            << u"GET"_s << u"/search"_s << uR"([{"name":"q","in":"query"}])"_s
            << uR"({"q":"cats"})"_s << base + u"/search?q=cats"_s << QByteArray() << QString();
        QTest::newRow("GET undeclared go to the query")
            << u"GET"_s << u"/x"_s << u"[]"_s << uR"({"a":1,"b":true})"_s
            << base + u"/x?a=1&b=true"_s << QByteArray() << QString();
        QTest::newRow("DELETE undeclared go to the query")
            << u"DELETE"_s << u"/x"_s << u"[]"_s << uR"({"a":"b"})"_s << base + u"/x?a=b"_s
            << QByteArray() << QString();
        QTest::newRow("HEAD undeclared go to the query")
            << u"HEAD"_s << u"/x"_s << u"[]"_s << uR"({"a":"b"})"_s << base + u"/x?a=b"_s
            << QByteArray() << QString();
        QTest::newRow("POST undeclared go to the body")
            << u"POST"_s << u"/items"_s << u"[]"_s << uR"({"a":1,"b":"x"})"_s << base + u"/items"_s
            << R"({"a":1,"b":"x"})"_ba << QString();
        QTest::newRow("PUT undeclared go to the body")
            << u"PUT"_s << u"/items"_s << u"[]"_s << uR"({"a":[1,2]})"_s << base + u"/items"_s
            << R"({"a":[1,2]})"_ba << QString();
        QTest::newRow("PATCH declared body keeps JSON types")
            << u"PATCH"_s << u"/items"_s
            << uR"([{"name":"done","in":"body"},{"name":"meta","in":"body"}])"_s
            << uR"({"done":false,"meta":{"k":null}})"_s << base + u"/items"_s
            << R"({"done":false,"meta":{"k":null}})"_ba << QString();
        QTest::newRow("POST declared query stays in the query; empty POST body is {}")
            << u"POST"_s << u"/items"_s << uR"([{"name":"q","in":"query"}])"_s << uR"({"q":"x"})"_s
            << base + u"/items?q=x"_s << "{}"_ba << QString();
        QTest::newRow("PUT with nothing for the body sends none")
            << u"PUT"_s << u"/items"_s << u"[]"_s << u"{}"_s << base + u"/items"_s << QByteArray()
            << QString();
        QTest::newRow("GET declared body params are appended to the query")
            << u"GET"_s << u"/x"_s << uR"([{"name":"b","in":"body"}])"_s << uR"({"b":"y"})"_s
            << base + u"/x?b=y"_s << QByteArray() << QString();
        QTest::newRow("declared without in is dropped")
            << u"GET"_s << u"/x"_s << uR"([{"name":"hint"}])"_s << uR"({"hint":"x"})"_s
            << base + u"/x"_s << QByteArray() << QString();
        QTest::newRow("internal param from the caller is rejected")
            << u"GET"_s << u"/x"_s << uR"([{"name":"tenant","in":"query","internal":true}])"_s
            << uR"({"tenant":"t"})"_s << QString() << QByteArray()
            << uR"(parameter "tenant" cannot be set by the caller)"_s;
        QTest::newRow("internal param not given is fine")
            << u"GET"_s << u"/x"_s
            << uR"([{"name":"tenant","in":"query","internal":true,"default":"t"}])"_s << u"{}"_s
            << base + u"/x"_s << QByteArray() << QString();
        QTest::newRow("wireName is the query key")
            << u"GET"_s << u"/x"_s
            << uR"([{"name":"page_size","wire":"page[size]","in":"query"}])"_s
            << uR"({"page_size":10})"_s << base + u"/x?page%5Bsize%5D=10"_s << QByteArray()
            << QString();
        QTest::newRow("wireName is the body key")
            << u"POST"_s << u"/x"_s << uR"([{"name":"user_name","wire":"user-name","in":"body"}])"_s
            << uR"({"user_name":"ann"})"_s << base + u"/x"_s << R"({"user-name":"ann"})"_ba
            << QString();
        QTest::newRow("the wire name from a caller is undeclared")
            << u"GET"_s << u"/x"_s
            << uR"([{"name":"page_size","wire":"page[size]","in":"query"}])"_s
            << uR"({"page[size]":3})"_s << base + u"/x?page%5Bsize%5D=3"_s << QByteArray()
            << QString();
        QTest::newRow("an internal param's wire name from the caller is rejected")
            << u"GET"_s << u"/x"_s
            << uR"([{"name":"tenant_id","wire":"tenantId","in":"query","internal":true}])"_s
            << uR"({"tenantId":"t"})"_s << QString() << QByteArray()
            << uR"(parameter "tenantId" cannot be set by the caller)"_s;
        QTest::newRow("the declared spelling wins over its wire name")
            << u"GET"_s << u"/x"_s
            << uR"([{"name":"page_size","wire":"page[size]","in":"query"}])"_s
            << uR"({"page[size]":3,"page_size":4})"_s << base + u"/x?page%5Bsize%5D=4"_s
            << QByteArray() << QString();
        QTest::newRow("path placeholder filled")
            << u"GET"_s << u"/users/{id}/repos"_s
            << uR"([{"name":"id","in":"path","required":true}])"_s << uR"({"id":42})"_s
            << base + u"/users/42/repos"_s << QByteArray() << QString();
        QTest::newRow("path param by wire name")
            << u"GET"_s << u"/r/{repo-name}"_s
            << uR"([{"name":"repo_name","wire":"repo-name","in":"path","required":true}])"_s
            << uR"({"repo_name":"gestalt"})"_s << base + u"/r/gestalt"_s << QByteArray()
            << QString();
        QTest::newRow("required path param missing")
            << u"GET"_s << u"/users/{id}"_s << uR"([{"name":"id","in":"path","required":true}])"_s
            << u"{}"_s << QString() << QByteArray() << uR"(missing required path parameter "id")"_s;
        QTest::newRow("undeclared placeholder missing")
            << u"GET"_s << u"/users/{id}"_s << u"[]"_s << u"{}"_s << QString() << QByteArray()
            << uR"(missing required path parameter "id")"_s;
        QTest::newRow("GET undeclared param does not fill the path")
            << u"GET"_s << u"/users/{id}"_s << u"[]"_s << uR"({"id":1})"_s << QString()
            << QByteArray() << uR"(missing required path parameter "id")"_s;
        QTest::newRow("POST undeclared param fills the path and leaves the body")
            << u"POST"_s << u"/users/{id}"_s << u"[]"_s << uR"({"id":"7","name":"x"})"_s
            << base + u"/users/7"_s << R"({"name":"x"})"_ba << QString();
        // A path value stays inside its one segment (issue 18; Go's gestalt inserted it as is).
        const QString hidden =
            uR"(invalid path parameter "p": it must not hold a percent-encoded ".", "/" or "\")"_s;
        const QString dots =
            uR"(invalid path parameter "p": it must not make a "." or ".." path segment)"_s;
        QTest::newRow("slash in a path value is encoded")
            << u"GET"_s << u"/files/{path}"_s << uR"([{"name":"path","in":"path"}])"_s
            << uR"({"path":"dir/sub file.txt"})"_s << base + u"/files/dir%2Fsub%20file.txt"_s
            << QByteArray() << QString();
        QTest::newRow("? and # in a path value are escaped")
            << u"GET"_s << u"/f/{p}"_s << uR"([{"name":"p","in":"path"}])"_s
            << uR"({"p":"a?b#c"})"_s << base + u"/f/a%3Fb%23c"_s << QByteArray() << QString();
        QTest::newRow("% ; and backslash in a path value are escaped")
            << u"GET"_s << u"/f/{p}"_s << uR"([{"name":"p","in":"path"}])"_s
            << uR"({"p":"50% off;x=1\\y%zz"})"_s << base + u"/f/50%25%20off%3Bx%3D1%5Cy%25zz"_s
            << QByteArray() << QString();
        QTest::newRow("unreserved and non-ASCII in a path value")
            << u"GET"_s << u"/f/{p}"_s << uR"([{"name":"p","in":"path"}])"_s
            << uR"({"p":"a.b-c_d~é"})"_s << base + u"/f/a.b-c_d~%C3%A9"_s << QByteArray()
            << QString();
        QTest::newRow("dots inside a value are fine")
            << u"GET"_s << u"/f/{p}"_s << uR"([{"name":"p","in":"path"}])"_s
            << uR"({"p":"...x.."})"_s << base + u"/f/...x.."_s << QByteArray() << QString();
        QTest::newRow("a percent-encoded slash in a path value is refused")
            << u"GET"_s << u"/f/{p}"_s << uR"([{"name":"p","in":"path"}])"_s
            << uR"({"p":"a%2Fb"})"_s << QString() << QByteArray() << hidden;
        for (const QString &value : {u"%2e%2e"_s,
                                     u"%2E%2e"_s,
                                     u".%2e"_s,
                                     u"%2e"_s,
                                     u"%2f"_s,
                                     u"%5C"_s,
                                     u"%252e%252e"_s,
                                     u"%25252f"_s}) {
            QTest::addRow("encoded separator %s refused", qPrintable(value))
                << u"GET"_s << u"/f/{p}"_s << uR"([{"name":"p","in":"path"}])"_s
                << uR"({"p":"%1"})"_s.arg(value) << QString() << QByteArray() << hidden;
        }
        for (const QString &value :
             {u"."_s, u".."_s, u"../admin"_s, u"a/../b"_s, u"a/."_s, uR"(..\\x)"_s}) {
            QTest::addRow("dot segment %s refused", qPrintable(value))
                << u"GET"_s << u"/f/{p}"_s << uR"([{"name":"p","in":"path"}])"_s
                << uR"({"p":"%1"})"_s.arg(value) << QString() << QByteArray() << dots;
        }
        QTest::newRow("a dot value is refused even inside a segment")
            << u"GET"_s << u"/f/v{p}"_s << uR"([{"name":"p","in":"path"}])"_s << uR"({"p":".."})"_s
            << QString() << QByteArray() << dots;
        QTest::newRow("the operation's own dot segment")
            << u"GET"_s << u"/f/../{p}"_s << uR"([{"name":"p","in":"path"}])"_s << uR"({"p":"x"})"_s
            << QString() << QByteArray()
            << uR"(invalid path: it must not have a "." or ".." segment)"_s;
        QTest::newRow("a number is a path value too")
            << u"GET"_s << u"/f/{p}"_s << uR"([{"name":"p","in":"path"}])"_s << uR"({"p":418})"_s
            << base + u"/f/418"_s << QByteArray() << QString();
        QTest::newRow("array in the query: repeated keys")
            << u"GET"_s << u"/x"_s << uR"([{"name":"tag","in":"query"}])"_s
            << uR"({"tag":["a","b",3]})"_s << base + u"/x?tag=a&tag=b&tag=3"_s << QByteArray()
            << QString();
        QTest::newRow("object in the query: JSON text")
            << u"GET"_s << u"/x"_s << u"[]"_s << uR"({"f":{"a":1}})"_s
            << base + u"/x?f=%7B%22a%22%3A1%7D"_s << QByteArray() << QString();
        QTest::newRow("scalars as JSON text without quotes")
            << u"GET"_s << u"/x"_s << u"[]"_s << uR"({"b":false,"f":1.5,"n":3,"s":"x"})"_s
            << base + u"/x?b=false&f=1.5&n=3&s=x"_s << QByteArray() << QString();
        QTest::newRow("null is left out of the query")
            << u"GET"_s << u"/x"_s << u"[]"_s << uR"({"n":null,"s":"x"})"_s << base + u"/x?s=x"_s
            << QByteArray() << QString();
        QTest::newRow("query values are percent-encoded")
            << u"GET"_s << u"/x"_s << u"[]"_s << uR"({"q":"a&b=c d+é"})"_s
            << base + u"/x?q=a%26b%3Dc%20d%2B%C3%A9"_s << QByteArray() << QString();
        QTest::newRow("default used when omitted")
            << u"GET"_s << u"/x"_s << uR"([{"name":"limit","in":"query","default":20}])"_s
            << u"{}"_s << base + u"/x?limit=20"_s << QByteArray() << QString();
        QTest::newRow("default satisfies required")
            << u"POST"_s << u"/x"_s
            << uR"([{"name":"kind","in":"body","required":true,"default":"a"}])"_s << u"{}"_s
            << base + u"/x"_s << R"({"kind":"a"})"_ba << QString();
        QTest::newRow("caller overrides the default")
            << u"GET"_s << u"/x"_s << uR"([{"name":"limit","in":"query","default":20}])"_s
            << uR"({"limit":5})"_s << base + u"/x?limit=5"_s << QByteArray() << QString();
        QTest::newRow("required param missing")
            << u"GET"_s << u"/x"_s << uR"([{"name":"q","in":"query","required":true}])"_s << u"{}"_s
            << QString() << QByteArray() << uR"(missing required parameter "q")"_s;
        QTest::newRow("whole-body param: array")
            << u"POST"_s << u"/x"_s
            << uR"([{"name":"body","wire":"","in":"body","required":true}])"_s
            << uR"({"body":[1,"two"]})"_s << base + u"/x"_s << R"([1,"two"])"_ba << QString();
        QTest::newRow("whole-body param: string")
            << u"PUT"_s << u"/x"_s << uR"([{"name":"body","wire":"","in":"body"}])"_s
            << uR"({"body":"hi"})"_s << base + u"/x"_s << R"("hi")"_ba << QString();
        QTest::newRow("whole-body param with a path param")
            << u"POST"_s << u"/x/{id}"_s
            << uR"([{"name":"id","in":"path"},{"name":"body","wire":"","in":"body"}])"_s
            << uR"({"body":{"a":1},"id":"9"})"_s << base + u"/x/9"_s << R"({"a":1})"_ba
            << QString();
    }

    void placement()
    {
        QFETCH(QString, method);
        QFETCH(QString, path);
        QFETCH(QString, declared);
        QFETCH(QString, params);
        QFETCH(QString, url);
        QFETCH(QByteArray, body);
        QFETCH(QString, error);

        const Result<UpstreamRequest> request = RequestBuilder::build(
            makeApp(), makeOperation(method, path, declared), object(params), nullptr, nullptr);
        if (!error.isEmpty()) {
            QVERIFY(!request);
            QCOMPARE(request.error().code, ErrorCode::InvalidArgument);
            QCOMPARE(request.error().message, error);
            return;
        }
        QVERIFY2(request, qPrintable(request ? QString() : request.error().message));
        QCOMPARE(request->method, method);
        QCOMPARE(QString::fromUtf8(request->url.toEncoded()), url);
        QCOMPARE(request->body, body);
        QCOMPARE(headerValue(*request, "Content-Type"),
                 body.isEmpty() ? QByteArray() : "application/json; charset=utf-8"_ba);
    }

    void methodIsUppercased()
    {
        const Result<UpstreamRequest> request = RequestBuilder::build(
            makeApp(), makeOperation(u"post"_s, u"/x"_s, u"[]"_s), {}, nullptr, nullptr);
        QVERIFY(request);
        QCOMPARE(request->method, u"POST"_s);
        QCOMPARE(request->body, "{}"_ba);
    }

    // --- base URL ---------------------------------------------------------------------------

    void baseUrl_data()
    {
        QTest::addColumn<QString>("baseUrl");
        QTest::addColumn<QString>("connectionParams");
        QTest::addColumn<QString>("url");
        QTest::newRow("plain") << u"https://api.example.com"_s << u"{}"_s
                               << u"https://api.example.com/things?q=1"_s;
        QTest::newRow("trailing slash") << u"https://api.example.com/v2/"_s << u"{}"_s
                                        << u"https://api.example.com/v2/things?q=1"_s;
        QTest::newRow("query in the base URL is kept")
            << u"http://h.test:8080/api?key=k"_s << u"{}"_s
            << u"http://h.test:8080/api/things?key=k&q=1"_s;
        QTest::newRow("interpolated host and path")
            << u"https://{tenant}.example.com/{ver}"_s << uR"({"tenant":"acme","ver":"v3"})"_s
            << u"https://acme.example.com/v3/things?q=1"_s;
        QTest::newRow("unknown placeholder stays as written")
            << u"https://api.example.com/{region}"_s << uR"({"tenant":"acme"})"_s
            << u"https://api.example.com/%7Bregion%7D/things?q=1"_s;
    }

    void baseUrl()
    {
        QFETCH(QString, baseUrl);
        QFETCH(QString, connectionParams);
        QFETCH(QString, url);
        const CredentialMaterial credential{QString(), stringMap(connectionParams)};
        const Result<UpstreamRequest> request =
            RequestBuilder::build(makeApp(baseUrl),
                                  makeOperation(u"GET"_s, u"/things"_s, u"[]"_s),
                                  object(uR"({"q":1})"_s),
                                  nullptr,
                                  &credential);
        QVERIFY2(request, qPrintable(request ? QString() : request.error().message));
        QCOMPARE(QString::fromUtf8(request->url.toEncoded()), url);
    }

    void invalidBaseUrl()
    {
        const Result<UpstreamRequest> request =
            RequestBuilder::build(makeApp(u"https://{tenant}.example.com"_s),
                                  makeOperation(u"GET"_s, u"/x"_s, u"[]"_s),
                                  {},
                                  nullptr,
                                  nullptr);
        QVERIFY(!request);
        QCOMPARE(request.error().code, ErrorCode::InvalidArgument);
    }

    // --- headers and credentials ----------------------------------------------------------

    void headers_data()
    {
        QTest::addColumn<QString>("appHeaders");
        QTest::addColumn<QString>("declared");
        QTest::addColumn<QString>("params");
        QTest::addColumn<QString>("auth"); // JSON spec; empty: no auth block
        QTest::addColumn<bool>("hasCredential");
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("connectionParams");
        QTest::addColumn<QString>("expected"); // {"Header": "value" | null (absent)}

        const QString none = u"{}"_s;
        QTest::newRow("no auth block: nothing injected")
            << none << u"[]"_s << none << QString() << true << u"tok"_s << none
            << uR"({"Authorization":null})"_s;
        QTest::newRow("no credential: nothing injected")
            << none << u"[]"_s << none << u"{}"_s << false << QString() << none
            << uR"({"Authorization":null})"_s;
        QTest::newRow("bearer by default") << none << u"[]"_s << none << u"{}"_s << true << u"tok"_s
                                           << none << uR"({"Authorization":"Bearer tok"})"_s;
        QTest::newRow("bearer omitted for an empty token")
            << none << u"[]"_s << none << u"{}"_s << true << QString() << none
            << uR"({"Authorization":null})"_s;
        QTest::newRow("raw") << none << u"[]"_s << none << uR"({"style":"raw"})"_s << true
                             << u"tok"_s << none << uR"({"Authorization":"tok"})"_s;
        QTest::newRow("basic adds a colon")
            << none << u"[]"_s << none << uR"({"style":"basic"})"_s << true << u"user"_s << none
            << uR"({"Authorization":"%1"})"_s.arg(QString::fromLatin1(basic("user:")));
        QTest::newRow("basic keeps user:password")
            << none << u"[]"_s << none << uR"({"style":"basic"})"_s << true << u"ann:pw"_s << none
            << uR"({"Authorization":"%1"})"_s.arg(QString::fromLatin1(basic("ann:pw")));
        QTest::newRow("authHeader puts the raw token in that header")
            << none << u"[]"_s << none << uR"({"authHeader":"X-Api-Key"})"_s << true << u"tok"_s
            << none << uR"({"X-Api-Key":"tok","Authorization":null})"_s;
        QTest::newRow("tokenPrefix")
            << none << u"[]"_s << none << uR"({"tokenPrefix":"token "})"_s << true << u"tok"_s
            << none << uR"({"Authorization":"token tok"})"_s;
        QTest::newRow("authMapping headers from credential fields and literals")
            << none << u"[]"_s << none
            << uR"({"headers":{"X-Key":{"field":"api_key"},"X-Site":{"value":"eu"}}})"_s << true
            << uR"({"api_key":"k1","other":"o"})"_s << none
            << uR"({"X-Key":"k1","X-Site":"eu","Authorization":null})"_s;
        QTest::newRow("authMapping basic from credential fields")
            << none << u"[]"_s << none
            << uR"({"basic":{"username":{"field":"user"},"password":{"field":"pass"}}})"_s << true
            << uR"({"user":"ann","pass":"s3"})"_s << none
            << uR"({"Authorization":"%1"})"_s.arg(QString::fromLatin1(basic("ann:s3")));
        QTest::newRow("authMapping: a missing field leaves the header out")
            << none << u"[]"_s << none << uR"({"headers":{"X-Key":{"field":"api_key"}}})"_s << true
            << uR"({"nope":"x"})"_s << none << uR"({"X-Key":null})"_s;
        QTest::newRow("app header interpolated; unknown placeholder kept")
            << uR"({"X-Tenant":"{tenant}","X-Other":"{other}-x"})"_s << u"[]"_s << none << QString()
            << true << QString() << uR"({"tenant":"acme"})"_s
            << uR"({"X-Tenant":"acme","X-Other":"{other}-x"})"_s;
        QTest::newRow("header param as text under its wire name")
            << none << uR"([{"name":"x_count","wire":"X-Count","in":"header"}])"_s
            << uR"({"x_count":3})"_s << QString() << false << QString() << none
            << uR"({"X-Count":"3"})"_s;
        QTest::newRow("header param overrides an app header")
            << uR"({"X-Mode":"app"})"_s << uR"([{"name":"mode","wire":"x-mode","in":"header"}])"_s
            << uR"({"mode":"param"})"_s << QString() << false << QString() << none
            << uR"({"X-Mode":"param"})"_s;
        QTest::newRow("credential overrides app header and header param")
            << uR"({"Authorization":"app"})"_s
            << uR"([{"name":"auth","wire":"authorization","in":"header"}])"_s
            << uR"({"auth":"param"})"_s << u"{}"_s << true << u"tok"_s << none
            << uR"({"Authorization":"Bearer tok"})"_s;
        QTest::newRow("JSON body brings its content type")
            << none << uR"([{"name":"b","in":"body"}])"_s << uR"({"b":1})"_s << QString() << false
            << QString() << none << uR"({"Content-Type":"application/json; charset=utf-8"})"_s;
    }

    void headers()
    {
        QFETCH(QString, appHeaders);
        QFETCH(QString, declared);
        QFETCH(QString, params);
        QFETCH(QString, auth);
        QFETCH(bool, hasCredential);
        QFETCH(QString, token);
        QFETCH(QString, connectionParams);
        QFETCH(QString, expected);

        AppDefinition app = makeApp();
        app.headers = stringMap(appHeaders);
        const std::optional<AuthConfig> authConfig = authFrom(auth);
        const CredentialMaterial credential{token, stringMap(connectionParams)};
        const Result<UpstreamRequest> request =
            RequestBuilder::build(app,
                                  makeOperation(u"POST"_s, u"/x"_s, declared),
                                  object(params),
                                  authConfig ? &*authConfig : nullptr,
                                  hasCredential ? &credential : nullptr);
        QVERIFY2(request, qPrintable(request ? QString() : request.error().message));

        const QJsonObject want = object(expected);
        for (auto it = want.begin(); it != want.end(); ++it) {
            const QByteArray name = it.key().toUtf8();
            if (it.value().isNull()) {
                QVERIFY2(!hasHeader(*request, name), name.constData());
            } else {
                QCOMPARE(headerValue(*request, name), it.value().toString().toUtf8());
            }
        }
        // One header per name: overrides replace, they do not add.
        QSet<QByteArray> seen;
        for (const auto &[name, value] : request->headers) {
            QVERIFY2(!seen.contains(name.toLower()), name.constData());
            seen.insert(name.toLower());
        }
    }

    void controlCharactersInHeaders_data()
    {
        QTest::addColumn<QString>("appHeaders");
        QTest::addColumn<QString>("params");
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("header");
        QTest::newRow("CRLF in a header param")
            << u"{}"_s << uR"({"trace":"a\r\nX-Injected: 1"})"_s << u"tok"_s << u"X-Trace"_s;
        QTest::newRow("LF in a header param")
            << u"{}"_s << uR"({"trace":"a\nb"})"_s << u"tok"_s << u"X-Trace"_s;
        QTest::newRow("CR in the token")
            << u"{}"_s << u"{}"_s << u"s3cret\rX: y"_s << u"Authorization"_s;
        QTest::newRow("LF in an interpolated app header")
            << uR"({"X-Tenant":"{tenant}"})"_s << u"{}"_s << u"tok"_s << u"X-Tenant"_s;
    }

    void controlCharactersInHeaders()
    {
        QFETCH(QString, appHeaders);
        QFETCH(QString, params);
        QFETCH(QString, token);
        QFETCH(QString, header);
        AppDefinition app = makeApp();
        app.headers = stringMap(appHeaders);
        const AuthConfig auth;
        const CredentialMaterial credential{token, {{u"tenant"_s, u"a\nb"_s}}};
        const Result<UpstreamRequest> request = RequestBuilder::build(
            app,
            makeOperation(
                u"GET"_s, u"/x"_s, uR"([{"name":"trace","wire":"X-Trace","in":"header"}])"_s),
            object(params),
            &auth,
            &credential);
        QVERIFY(!request);
        QCOMPARE(request.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(request.error().message, u"invalid value for header \"%1\""_s.arg(header));
        QVERIFY(!request.error().message.contains(u"s3cret"_s));
    }

    // --- interpolate ------------------------------------------------------------------------

    void interpolate_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no placeholders") << u"plain"_s << u"plain"_s;
        QTest::newRow("known") << u"a-{x}-b"_s << u"a-1-b"_s;
        QTest::newRow("adjacent") << u"{x}{y}"_s << u"12"_s;
        QTest::newRow("unknown kept") << u"{nope}/{x}"_s << u"{nope}/1"_s;
        QTest::newRow("empty braces kept") << u"{}"_s << u"{}"_s;
        QTest::newRow("unclosed kept") << u"{x"_s << u"{x"_s;
        QTest::newRow("double braces") << u"{{x}}"_s << u"{1}"_s;
        QTest::newRow("value is not re-interpolated") << u"{z}"_s << u"{x}"_s;
    }

    void interpolate()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const QMap<QString, QString> values{{u"x"_s, u"1"_s}, {u"y"_s, u"2"_s}, {u"z"_s, u"{x}"_s}};
        QCOMPARE(AppConnections::interpolate(text, values), expected);
    }
};

QTEST_GUILESS_MAIN(tst_RequestBuilder)
#include "tst_requestbuilder.moc"
