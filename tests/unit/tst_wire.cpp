// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The shared wire types (shared/wire/): every type survives toJson → fromJson unchanged, the
// JSON gestaltd writes survives fromJson → toJson unchanged, unknown fields are ignored and
// missing ones read as empty.
#include "shared/wire/Authorization.h"
#include "shared/wire/Limits.h"
#include "shared/wire/Runtime.h"
#include "shared/wire/WireJson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;

namespace {

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        qFatal("bad test JSON: %s", json.constData());
    }
    return document.object();
}

const QDateTime at = QDateTime(QDate(2026, 12, 7), QTime(16, 30, 5, 250), Qt::UTC);

// toJson → fromJson gives the value back, and fromJson → toJson the JSON.
template<typename T>
void roundTrip(const T &value)
{
    const QJsonObject json = value.toJson();
    QCOMPARE(T::fromJson(json), value);
    QCOMPARE(T::fromJson(json).toJson(), json);
}

} // namespace

class tst_Wire final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appPolicy();
    void memberRow();
    void memberRowAsTheServerWritesIt();
    void runtimeProvider();
    void runtimeProviderNotLoaded();
    void runtimeSession();
    void logLine();
    void limitRule();
    void limitUsage();
    void blockedUpstream();
    void unknownFieldsAreIgnored();
    void missingFieldsAreEmpty();
    void lists();
};

void tst_Wire::appPolicy()
{
    roundTrip(Wire::AppPolicy{u"team"_s, u"Team tools"_s, u"team"_s});
    // Without a display name, the name stands in.
    QCOMPARE(Wire::AppPolicy::fromJson(parse(R"({"name":"team"})")).displayName, u"team"_s);
}

void tst_Wire::memberRow()
{
    Wire::MemberRow dynamic;
    dynamic.subjectId = u"user:u_1"_s;
    dynamic.email = u"bob@example.com"_s;
    dynamic.role = u"editor"_s;
    dynamic.source = u"dynamic"_s;
    dynamic.effective = false;
    dynamic.isMutable = true;
    dynamic.shadowedBy = u"static"_s;
    dynamic.selectorKind = u"subject_id"_s;
    dynamic.selectorValue = u"user:u_1"_s;
    roundTrip(dynamic);
    QCOMPARE(dynamic.subject(), u"user:u_1"_s);
    QVERIFY(!dynamic.isStatic());

    Wire::MemberRow byEmail;
    byEmail.email = u"alice@example.com"_s;
    byEmail.role = u"admin"_s;
    byEmail.source = u"static"_s;
    byEmail.selectorKind = u"email"_s;
    byEmail.selectorValue = u"alice@example.com"_s;
    roundTrip(byEmail);
    QCOMPARE(byEmail.subject(), u"alice@example.com"_s);
    QVERIFY(byEmail.isStatic());
    // Empty optional fields are left out.
    QVERIFY(!byEmail.toJson().contains(u"subjectId"_s));
    QVERIFY(!byEmail.toJson().contains(u"shadowedBy"_s));
}

void tst_Wire::memberRowAsTheServerWritesIt()
{
    const QJsonObject json = parse(R"({"role":"viewer","source":"static","effective":true,
        "mutable":false,"subjectId":"service_account:bot","selectorKind":"subject_id",
        "selectorValue":"service_account:bot"})");
    QCOMPARE(Wire::MemberRow::fromJson(json).toJson(), json);
}

void tst_Wire::runtimeProvider()
{
    Wire::RuntimeProvider provider;
    provider.name = u"local"_s;
    provider.driver = u"local"_s;
    provider.isDefault = true;
    provider.loaded = true;
    provider.sessionCount = 2;
    provider.advertised = Wire::RuntimeProfile{true, u"direct"_s, u"unrestricted"_s};
    provider.effective = Wire::RuntimeProfile{false, u"none"_s, u"blocked"_s};
    roundTrip(provider);
    const QJsonObject json = provider.toJson();
    QVERIFY(!json.contains(u"error"_s));
    QCOMPARE(json.value(u"profile"_s)[u"advertised"_s][u"egressMode"_s].toString(),
             u"unrestricted"_s);
    roundTrip(Wire::RuntimeProfile{true, u"direct"_s, u"unrestricted"_s});
    QVERIFY(Wire::RuntimeProfile().isEmpty());
}

void tst_Wire::runtimeProviderNotLoaded()
{
    const QJsonObject json = parse(
        R"({"name":"remote","driver":"grpc","default":false,"loaded":false,"error":"no socket"})");
    const Wire::RuntimeProvider provider = Wire::RuntimeProvider::fromJson(json);
    QCOMPARE(provider.error, u"no socket"_s);
    QVERIFY(provider.advertised.isEmpty());
    QCOMPARE(provider.toJson(), json);
    roundTrip(provider);
}

void tst_Wire::runtimeSession()
{
    roundTrip(Wire::RuntimeSession{u"rs_1"_s, u"running"_s, u"everything"_s, 4242, at});
    roundTrip(Wire::RuntimeSession{u"rs_2"_s, u"starting"_s, u"everything"_s, 0, {}});
    // An older server names the app "plugin".
    QCOMPARE(Wire::RuntimeSession::fromJson(parse(R"({"id":"rs_3","plugin":"old"})")).app,
             u"old"_s);
}

void tst_Wire::logLine()
{
    roundTrip(Wire::LogLine{7, u"stderr"_s, u"listening"_s, at});
}

void tst_Wire::limitRule()
{
    Wire::LimitRule rule;
    rule.scope = u"app-subject"_s;
    rule.app = u"team"_s;
    rule.requests = 10;
    rule.perSeconds = 60;
    roundTrip(rule);
    QVERIFY(!rule.toJson().contains(u"concurrent"_s));

    Wire::LimitRule overridden;
    overridden.isOverride = true;
    overridden.scope = u"subject"_s;
    overridden.role = u"admin"_s;
    overridden.concurrent = 0;
    const QJsonObject json = overridden.toJson();
    QCOMPARE(Wire::LimitRule::fromJson(json, true), overridden);
    // Null is as good as absent: not configured.
    QCOMPARE(
        Wire::LimitRule::fromJson(parse(R"({"scope":"subject","requests":null})"), false).requests,
        std::nullopt);
}

void tst_Wire::limitUsage()
{
    Wire::LimitUsage usage;
    usage.scope = u"operation-total"_s;
    usage.app = u"team"_s;
    usage.operation = u"get"_s;
    usage.subject = u"user:u_1"_s;
    usage.requests = 3;
    usage.perSeconds = 60;
    usage.inFlight = 1;
    usage.limited = 0;
    roundTrip(usage);
}

void tst_Wire::blockedUpstream()
{
    roundTrip(Wire::BlockedUpstream{u"slow"_s, u"default"_s, u"i_1"_s, u"user:u_1"_s, at, 30});
    roundTrip(Wire::BlockedUpstream{u"slow"_s, u"default"_s, {}, {}, at, 1});
}

void tst_Wire::unknownFieldsAreIgnored()
{
    const QJsonObject member = parse(R"({"role":"viewer","source":"dynamic","app":"team",
        "plugin":"team","future":{"x":1},"subjectId":"user:u_1"})");
    QCOMPARE(Wire::MemberRow::fromJson(member).role, u"viewer"_s);
    QVERIFY(!Wire::MemberRow::fromJson(member).toJson().contains(u"future"_s));
    const QJsonObject provider =
        parse(R"({"name":"local","loaded":true,"sessionCount":1,"later":[1,2]})");
    QCOMPARE(Wire::RuntimeProvider::fromJson(provider).sessionCount, 1);
    QCOMPARE(Wire::LogLine::fromJson(parse(R"({"seq":2,"color":"red"})")).seq, 2);
}

void tst_Wire::missingFieldsAreEmpty()
{
    const QJsonObject empty;
    QCOMPARE(Wire::AppPolicy::fromJson(empty), Wire::AppPolicy());
    QCOMPARE(Wire::MemberRow::fromJson(empty), Wire::MemberRow()); // effective defaults to true
    QCOMPARE(Wire::RuntimeProvider::fromJson(empty), Wire::RuntimeProvider());
    QCOMPARE(Wire::RuntimeSession::fromJson(empty), Wire::RuntimeSession());
    QCOMPARE(Wire::LogLine::fromJson(empty), Wire::LogLine());
    QCOMPARE(Wire::LimitRule::fromJson(empty, false), Wire::LimitRule());
    QCOMPARE(Wire::LimitUsage::fromJson(empty), Wire::LimitUsage());
    QCOMPARE(Wire::BlockedUpstream::fromJson(empty), Wire::BlockedUpstream());
    // A field of the wrong type reads as missing.
    QCOMPARE(Wire::LimitUsage::fromJson(parse(R"({"requests":"3"})")).requests, std::nullopt);
    QVERIFY(!Wire::BlockedUpstream::fromJson(parse(R"({"until":"soon"})")).until.isValid());
}

void tst_Wire::lists()
{
    const QList<Wire::LogLine> lines{{1, u"stdout"_s, u"a"_s, at}, {2, u"stderr"_s, u"b"_s, at}};
    const QJsonArray array = Wire::listToJson(lines);
    QCOMPARE(array.size(), 2);
    QCOMPARE(Wire::listFromJson<Wire::LogLine>(array), lines);
    QVERIFY(Wire::listFromJson<Wire::LogLine>(QJsonArray()).isEmpty());
}

QTEST_GUILESS_MAIN(tst_Wire)
#include "tst_wire.moc"
