// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// http/JsonBodyReader and http/QueryParams: the one way a route reads a JSON body and typed query
// parameters, and the one error text each kind of bad input gets.
#include "http/HttpRequest.h"
#include "http/JsonBodyReader.h"
#include "http/QueryParams.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;

namespace {

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

QString errorOf(const Result<void> &result)
{
    return result ? QString() : result.error().message;
}

HttpRequest withQuery(const QString &query)
{
    HttpRequest request;
    request.query.setQuery(query);
    return request;
}

} // namespace

class tst_RequestReaders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsKnownFields();
    void unknownFieldIsRefusedWithItsPath();
    void typeErrors_data();
    void typeErrors();
    void firstErrorWins();
    void absentAndNullReadAsAbsent();
    void requiredString();
    void nestedReadersNameTheirPath();
    void skippedFieldsAreKnown();
    void olderNames();
    void longKeysAreCutInErrors();
    void queryInteger_data();
    void queryInteger();
    void queryBoolean();
};

void tst_RequestReaders::readsKnownFields()
{
    JsonBodyReader body(
        parse(R"({"name":"n","on":true,"count":42,"tags":["a","b"],"meta":{"x":1},"list":[1]})"));
    QCOMPARE(body.string(u"name"), std::optional<QString>(u"n"_s));
    QCOMPARE(body.boolean(u"on"), std::optional<bool>(true));
    QCOMPARE(body.integer(u"count", 0, 100), std::optional<qint64>(42));
    QCOMPARE(body.stringList(u"tags"), std::optional<QStringList>({u"a"_s, u"b"_s}));
    QCOMPARE(body.objectValue(u"meta")->value(u"x"_s).toInt(), 1);
    QCOMPARE(body.array(u"list")->size(), 1);
    QCOMPARE(errorOf(body.finish()), QString());
}

void tst_RequestReaders::unknownFieldIsRefusedWithItsPath()
{
    JsonBodyReader body(parse(R"({"name":"n","owner":"me"})"));
    (void)body.string(u"name");
    QCOMPARE(errorOf(body.finish()), u"unknown field \"owner\""_s);

    JsonBodyReader outer(parse(R"({"permissions":[{"app":"a","actions":["x"]}]})"));
    const std::optional<QJsonArray> items = outer.array(u"permissions");
    QVERIFY(items);
    Error error;
    std::optional<JsonBodyReader> entry =
        JsonBodyReader::item(items->at(0), outer.pathOf(u"permissions") + u"[0]"_s, &error);
    QVERIFY(entry);
    (void)entry->string(u"app");
    QCOMPARE(errorOf(entry->finish()), u"unknown field \"actions\" in permissions[0]"_s);
    QCOMPARE(errorOf(outer.finish()), QString());
}

void tst_RequestReaders::typeErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("string") << R"({"f":1})"_ba << u"f must be a string"_s;
    QTest::newRow("bool") << R"({"f":"true"})"_ba << u"f must be true or false"_s;
    QTest::newRow("int from text") << R"({"f":"5"})"_ba << u"f must be an integer from 1 to 10"_s;
    QTest::newRow("int fraction") << R"({"f":1.5})"_ba << u"f must be an integer from 1 to 10"_s;
    QTest::newRow("int too big") << R"({"f":11})"_ba << u"f must be an integer from 1 to 10"_s;
    QTest::newRow("int huge") << R"({"f":1e300})"_ba << u"f must be an integer from 1 to 10"_s;
    QTest::newRow("int too small") << R"({"f":0})"_ba << u"f must be an integer from 1 to 10"_s;
    QTest::newRow("list not array")
        << R"({"f":"a"})"_ba << u"f must be an array of non-empty strings"_s;
    QTest::newRow("list item") << R"({"f":["a",2]})"_ba
                               << u"f must be an array of non-empty strings"_s;
    QTest::newRow("list empty item")
        << R"({"f":["a",""]})"_ba << u"f must be an array of non-empty strings"_s;
    QTest::newRow("object") << R"({"f":[1]})"_ba << u"f must be an object"_s;
    QTest::newRow("array") << R"({"f":{}})"_ba << u"f must be an array"_s;
}

void tst_RequestReaders::typeErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    JsonBodyReader body(QJsonDocument::fromJson(json).object());
    const QString tag = QString::fromLatin1(QTest::currentDataTag());
    if (tag == u"string") {
        QVERIFY(!body.string(u"f"));
    } else if (tag == u"bool") {
        QVERIFY(!body.boolean(u"f"));
    } else if (tag.startsWith(u"int")) {
        QVERIFY(!body.integer(u"f", 1, 10));
    } else if (tag.startsWith(u"list")) {
        QVERIFY(!body.stringList(u"f"));
    } else if (tag == u"object") {
        QVERIFY(!body.objectValue(u"f"));
    } else {
        QVERIFY(!body.array(u"f"));
    }
    QCOMPARE(errorOf(body.finish()), expected);
}

void tst_RequestReaders::firstErrorWins()
{
    JsonBodyReader body(parse(R"({"a":1,"b":2,"zzz":0})"));
    (void)body.string(u"a");
    (void)body.boolean(u"b");
    QCOMPARE(errorOf(body.finish()), u"a must be a string"_s);
}

void tst_RequestReaders::absentAndNullReadAsAbsent()
{
    JsonBodyReader body(parse(R"({"n":null})"));
    QVERIFY(!body.has(u"n"));
    QVERIFY(!body.string(u"n"));
    QVERIFY(!body.integer(u"missing", 0, 1));
    QVERIFY(!body.child(u"n"));
    QCOMPARE(errorOf(body.finish()), QString());
}

void tst_RequestReaders::requiredString()
{
    for (const char *json : {R"({})", R"({"name":null})", R"({"name":""})"}) {
        JsonBodyReader body(parse(json));
        QCOMPARE(body.requiredString(u"name"), QString());
        QCOMPARE(errorOf(body.finish()), u"name is required"_s);
    }
    JsonBodyReader wrong(parse(R"({"name":7})"));
    (void)wrong.requiredString(u"name");
    QCOMPARE(errorOf(wrong.finish()), u"name must be a string"_s);
    JsonBodyReader good(parse(R"({"name":"x"})"));
    QCOMPARE(good.requiredString(u"name"), u"x"_s);
    QCOMPARE(errorOf(good.finish()), QString());
}

void tst_RequestReaders::nestedReadersNameTheirPath()
{
    JsonBodyReader body(parse(R"({"match":{"type":3,"color":"red"}})"));
    std::optional<JsonBodyReader> match = body.child(u"match");
    QVERIFY(match);
    QCOMPARE(match->path(), u"match"_s);
    (void)match->string(u"type");
    QCOMPARE(errorOf(match->finish()), u"match.type must be a string"_s);
    QCOMPARE(errorOf(body.finish()), QString());

    Error error;
    QVERIFY(!JsonBodyReader::item(QJsonValue(3), u"steps[2]"_s, &error));
    QCOMPARE(error.message, u"steps[2] must be an object"_s);
}

void tst_RequestReaders::olderNames()
{
    // The current name, an older one, both alike: one field, read under the name that was sent.
    JsonBodyReader current(parse(R"({"appName":"a"})"));
    QCOMPARE(current.nameOf(u"appName", {u"pluginName", u"plugin"}), u"appName"_s);
    QCOMPARE(errorOf(current.finish()), QString());
    JsonBodyReader older(parse(R"({"plugin":"a"})"));
    QCOMPARE(older.nameOf(u"appName", {u"pluginName", u"plugin"}), u"plugin"_s);
    QCOMPARE(errorOf(older.finish()), QString());
    JsonBodyReader none(parse(R"({})"));
    QCOMPARE(none.nameOf(u"appName", {u"pluginName"}), u"appName"_s);
    QCOMPARE(errorOf(none.finish()), QString());
    JsonBodyReader alike(parse(R"({"appName":"a","pluginName":"a"})"));
    QCOMPARE(alike.nameOf(u"appName", {u"pluginName"}), u"appName"_s);
    QCOMPARE(errorOf(alike.finish()), QString());
    // Type errors name what was sent.
    JsonBodyReader typed(parse(R"({"providerOptions":3})"));
    (void)typed.objectValue(typed.nameOf(u"modelOptions", {u"providerOptions"}));
    QCOMPARE(errorOf(typed.finish()), u"providerOptions must be an object"_s);
    // Different values under two names: neither is picked.
    JsonBodyReader differ(parse(R"({"appName":"a","pluginName":"b"})"), u"toolRefs[0]"_s);
    (void)differ.nameOf(u"appName", {u"pluginName"});
    QCOMPARE(errorOf(differ.finish()),
             u"toolRefs[0].pluginName and toolRefs[0].appName differ; give one of them"_s);
}

void tst_RequestReaders::skippedFieldsAreKnown()
{
    JsonBodyReader body(parse(R"({"legacy":1,"other":{}})"));
    body.skip({u"legacy", u"other"});
    QCOMPARE(errorOf(body.finish()), QString());
}

void tst_RequestReaders::longKeysAreCutInErrors()
{
    const QString key(10000, u'k');
    JsonBodyReader body(QJsonObject{{key, 1}});
    const QString message = errorOf(body.finish());
    QVERIFY(message.startsWith(u"unknown field \"kkkk"_s));
    QVERIFY2(message.size() < 100, qPrintable(message.left(120)));
}

void tst_RequestReaders::queryInteger_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<qint64>("expected"); // -1: an error
    QTest::newRow("absent") << u""_s << qint64(100);
    QTest::newRow("empty") << u"limit="_s << qint64(100);
    QTest::newRow("value") << u"limit=7"_s << qint64(7);
    QTest::newRow("min") << u"limit=1"_s << qint64(1);
    QTest::newRow("max") << u"limit=500"_s << qint64(500);
    QTest::newRow("below") << u"limit=0"_s << qint64(-1);
    QTest::newRow("above") << u"limit=501"_s << qint64(-1);
    QTest::newRow("text") << u"limit=ten"_s << qint64(-1);
    QTest::newRow("fraction") << u"limit=1.5"_s << qint64(-1);
    QTest::newRow("overflow") << u"limit=99999999999999999999999"_s << qint64(-1);
}

void tst_RequestReaders::queryInteger()
{
    QFETCH(QString, query);
    QFETCH(qint64, expected);
    const Result<qint64> value = QueryParams::integer(withQuery(query), u"limit"_s, 100, 1, 500);
    if (expected < 0) {
        QVERIFY(!value);
        QCOMPARE(value.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(value.error().message, u"limit must be an integer from 1 to 500"_s);
    } else {
        QVERIFY(value);
        QCOMPARE(*value, expected);
    }
}

void tst_RequestReaders::queryBoolean()
{
    QCOMPARE(*QueryParams::boolean(withQuery(u""_s), u"all"_s, true), true);
    QCOMPARE(*QueryParams::boolean(withQuery(u"all=false"_s), u"all"_s, true), false);
    QCOMPARE(*QueryParams::boolean(withQuery(u"all=true"_s), u"all"_s, false), true);
    const Result<bool> bad = QueryParams::boolean(withQuery(u"all=yes"_s), u"all"_s, false);
    QVERIFY(!bad);
    QCOMPARE(bad.error().message, u"all must be true or false"_s);
}

QTEST_GUILESS_MAIN(tst_RequestReaders)
#include "tst_requestreaders.moc"
