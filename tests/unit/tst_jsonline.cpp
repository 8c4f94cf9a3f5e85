// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// JsonLine writes what QJsonDocument would: every string survives a parse unchanged.
#include "shared/JsonLine.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;

class tst_JsonLine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stringsRoundTrip_data();
    void stringsRoundTrip();
    void fieldsInOrder();
};

void tst_JsonLine::stringsRoundTrip_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("plain") << u"GET /api/v1/apps 200"_s;
    QTest::newRow("quotes and backslashes") << u"say \"hi\" C:\\path\\"_s;
    QTest::newRow("named controls") << u"a\bb\fc\nd\re\tf"_s;
    QTest::newRow("other controls") << QString(QChar(0x01)) + QChar(0x1f) + QChar(0x7f);
    QTest::newRow("non-ASCII") << u"Grüße, 日本, emoji 😀"_s;
    QTest::newRow("json inside") << uR"({"a":[1,"x\"y"]})"_s;
}

void tst_JsonLine::stringsRoundTrip()
{
    QFETCH(QString, text);
    QByteArray out;
    JsonLine::appendString(out, text);
    const QJsonDocument parsed = QJsonDocument::fromJson("[" + out + "]");
    QVERIFY2(parsed.isArray(), out.constData());
    QCOMPARE(parsed.array().at(0).toString(), text);
    QVERIFY(!out.contains('\n'));
    // Byte for byte what QJsonDocument writes.
    const QByteArray reference = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    QCOMPARE(out, reference.mid(1, reference.size() - 2));
}

void tst_JsonLine::fieldsInOrder()
{
    JsonLine line;
    line.add("b", u"x").addBool("a", true).addBool("c", false);
    const QByteArray out = line.finish();
    QCOMPARE(out, R"({"b":"x","a":true,"c":false})"_ba);
    QCOMPARE(QJsonDocument::fromJson(out).object().value(u"a"_s).toBool(), true);
}

QTEST_GUILESS_MAIN(tst_JsonLine)
#include "tst_jsonline.moc"
