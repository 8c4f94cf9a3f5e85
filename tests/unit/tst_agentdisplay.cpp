// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The `display` projection of agent events (gestalt-facts §7) and the request validation helpers
// that have no route of their own to test them through.
#include "agents/AgentDisplay.h"
#include "agents/AgentRequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Gestalt;

class tst_AgentDisplay final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void projection_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("data");
        QTest::addColumn<QJsonObject>("expected");

        QTest::newRow("assistant delta")
            << u"assistant.delta"_s << QJsonObject{{u"text"_s, u"Hel"_s}}
            << QJsonObject{{u"kind"_s, u"text"_s},
                           {u"phase"_s, u"delta"_s},
                           {u"text"_s, u"Hel"_s},
                           {u"format"_s, u"markdown"_s}};
        QTest::newRow("older delta name, content key")
            << u"agent.message.delta"_s << QJsonObject{{u"content"_s, u"lo"_s}}
            << QJsonObject{{u"kind"_s, u"text"_s},
                           {u"phase"_s, u"delta"_s},
                           {u"text"_s, u"lo"_s},
                           {u"format"_s, u"markdown"_s}};
        QTest::newRow("tool started") << u"tool.started"_s
                                      << QJsonObject{{u"tool"_s, u"bin_get"_s},
                                                     {u"toolCallId"_s, u"c1"_s},
                                                     {u"arguments"_s, QJsonObject{{u"a"_s, 1}}}}
                                      << QJsonObject{{u"kind"_s, u"tool"_s},
                                                     {u"phase"_s, u"started"_s},
                                                     {u"action"_s, u"Running"_s},
                                                     {u"label"_s, u"bin_get"_s},
                                                     {u"ref"_s, u"c1"_s},
                                                     {u"input"_s, QJsonObject{{u"a"_s, 1}}}};
        QTest::newRow("tool failed") << u"tool.failed"_s
                                     << QJsonObject{{u"tool"_s, u"bin_get"_s},
                                                    {u"toolCallId"_s, u"c1"_s},
                                                    {u"error"_s, u"access denied"_s}}
                                     << QJsonObject{{u"kind"_s, u"tool"_s},
                                                    {u"phase"_s, u"failed"_s},
                                                    {u"action"_s, u"Failed"_s},
                                                    {u"label"_s, u"bin_get"_s},
                                                    {u"ref"_s, u"c1"_s},
                                                    {u"error"_s, u"access denied"_s}};
        QTest::newRow("interaction requested") << u"interaction.requested"_s
                                               << QJsonObject{{u"interactionId"_s, u"i1"_s},
                                                              {u"title"_s, u"Approve"_s},
                                                              {u"prompt"_s, u"Allow?"_s}}
                                               << QJsonObject{{u"kind"_s, u"interaction"_s},
                                                              {u"phase"_s, u"requested"_s},
                                                              {u"ref"_s, u"i1"_s},
                                                              {u"label"_s, u"Approve"_s},
                                                              {u"text"_s, u"Allow?"_s}};
        QTest::newRow("turn failed")
            << u"turn.failed"_s << QJsonObject{{u"message"_s, u"model down"_s}}
            << QJsonObject{{u"kind"_s, u"error"_s},
                           {u"phase"_s, u"failed"_s},
                           {u"error"_s, u"model down"_s}};
        QTest::newRow("turn canceled")
            << u"turn.canceled"_s << QJsonObject{{u"reason"_s, u"stop"_s}}
            << QJsonObject{
                   {u"kind"_s, u"status"_s}, {u"phase"_s, u"canceled"_s}, {u"text"_s, u"stop"_s}};
        QTest::newRow("unknown type has none")
            << u"custom.thing"_s << QJsonObject{} << QJsonObject{};
    }

    void projection()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, data);
        QFETCH(QJsonObject, expected);
        QCOMPARE(AgentDisplay::project(type, data), expected);
    }

    void givenDisplayWinsAndIsTrimmed()
    {
        const QJsonObject display =
            AgentDisplay::project(u"assistant.completed"_s,
                                  {{u"text"_s, u"hi"_s}},
                                  {{u"format"_s, u"  plain "_s}, {u"label"_s, u"Answer"_s}});
        QCOMPARE(display[u"format"_s].toString(), u"plain"_s);
        QCOMPARE(display[u"label"_s].toString(), u"Answer"_s);
        QCOMPARE(display[u"text"_s].toString(), u"hi"_s);
    }

    void workspace_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error"); // empty: valid

        QTest::newRow("checkout and cwd inside")
            << R"({"checkouts":[{"url":"u","path":"./repo/"}],"cwd":"repo/src"})"_ba << QString();
        QTest::newRow("cwd is the checkout")
            << R"({"checkouts":[{"url":"u","path":"a"}],"cwd":"a"})"_ba << QString();
        QTest::newRow("prefix is not inside")
            << R"({"checkouts":[{"url":"u","path":"a"}],"cwd":"ab"})"_ba << u"inside"_s;
        QTest::newRow("windows drive")
            << R"({"checkouts":[{"url":"u","path":"C:/x"}]})"_ba << u"relative path"_s;
        QTest::newRow("dot dot") << R"({"checkouts":[{"url":"u","path":"a/.."}]})"_ba
                                 << u"relative path"_s;
        QTest::newRow("same path twice")
            << R"({"checkouts":[{"url":"u","path":"a"},{"url":"v","path":"./a"}]})"_ba
            << u"used by another checkout"_s;
        QTest::newRow("no url") << R"({"checkouts":[{"path":"a"}]})"_ba << u"url is required"_s;
        QTest::newRow("unknown field") << R"({"checkouts":[],"branch":"main"})"_ba
                                       << u"unknown field \"branch\" in workspace"_s;
        QTest::newRow("unknown checkout field")
            << R"({"checkouts":[{"url":"u","path":"a","depth":1}]})"_ba
            << u"unknown field \"depth\" in workspace.checkouts[0]"_s;
    }

    void workspace()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        const Result<QJsonObject> result =
            AgentRequest::workspace(QJsonDocument::fromJson(json).object());
        if (error.isEmpty()) {
            QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        } else {
            QVERIFY(!result);
            QVERIFY2(result.error().message.contains(error), qPrintable(result.error().message));
        }
    }

    // The nested objects are read strictly (JsonBodyReader): an unknown field names its path.
    void nestedErrors_data()
    {
        QTest::addColumn<QByteArray>("messages");
        QTest::addColumn<QByteArray>("toolRefs");
        QTest::addColumn<QString>("error");

        const QByteArray fine = R"([{"role":"user","text":"x"}])"_ba;
        QTest::newRow("message field")
            << R"([{"role":"user","text":"x","tone":"dry"}])"_ba << QByteArray()
            << u"unknown field \"tone\" in messages[0]"_s;
        QTest::newRow("part field")
            << R"([{"role":"user","parts":[{"type":"text","text":"x","lang":"en"}]}])"_ba
            << QByteArray() << u"unknown field \"lang\" in messages[0].parts[0]"_s;
        QTest::newRow("tool call arguments")
            << R"([{"role":"assistant","parts":[{"type":"tool_call","toolCall":{"id":"c","toolId":"t","arguments":1}}]}])"_ba
            << QByteArray() << u"messages[0].parts[0].toolCall.arguments must be an object"_s;
        QTest::newRow("message text null")
            << R"([{"role":"user","text":null,"parts":[{"type":"text","text":"x"}]}])"_ba
            << QByteArray() << u"messages[0].text must be a string"_s;
        QTest::newRow("tool ref field")
            << fine << R"([{"appName":"a","operation":"o","version":2}])"_ba
            << u"unknown field \"version\" in toolRefs[0]"_s;
        QTest::newRow("tool ref title")
            << fine << R"([{"plugin":"a","operation":"o","title":3}])"_ba
            << u"toolRefs[0].title must be a string"_s;
        QTest::newRow("older plugin")
            << fine << R"([{"plugin":"a","operation":"o"}])"_ba << QString();
    }

    void nestedErrors()
    {
        QFETCH(QByteArray, messages);
        QFETCH(QByteArray, toolRefs);
        QFETCH(QString, error);
        const Result<QJsonArray> checkedMessages =
            AgentRequest::messages(QJsonDocument::fromJson(messages).array());
        const Result<QJsonArray> refs =
            toolRefs.isEmpty() ? Result<QJsonArray>(QJsonArray())
                               : AgentRequest::toolRefs(QJsonDocument::fromJson(toolRefs).array());
        const Result<QJsonArray> &checked = checkedMessages ? refs : checkedMessages;
        if (error.isEmpty()) {
            QVERIFY2(checked, qPrintable(checked ? QString() : checked.error().message));
            QCOMPARE(refs->at(0).toObject().value(u"appName"_s).toString(), u"a"_s);
        } else {
            QVERIFY(!checked);
            QCOMPARE(checked.error().message, error);
        }
    }

    void messagesForTheModel()
    {
        const QJsonArray messages = QJsonDocument::fromJson(R"([
            {"role":"system","text":"Be concise.","parts":[{"type":"text","text":"Be concise."}]},
            {"role":"user","text":"Summarize","parts":[{"type":"json","json":{"ticket":"RD-42"}}]},
            {"role":"assistant","parts":[{"type":"tool_call","toolCall":{"id":"c1","toolId":"t","arguments":{"x":1}}}]},
            {"role":"tool","parts":[{"type":"tool_result","toolResult":{"toolCallId":"c1","output":{"ok":true}}}]}
        ])")
                                        .array();
        QVERIFY(AgentRequest::messages(messages));
        const QList<ModelMessage> model = AgentRequest::toModel(messages);
        QCOMPARE(model.size(), 4);
        QCOMPARE(model[0].text, u"Be concise."_s); // text and the same text part: once
        QCOMPARE(model[1].json.size(), 1);
        QCOMPARE(model[2].toolCalls.size(), 1);
        QCOMPARE(model[2].toolCalls[0].arguments[u"x"_s].toInt(), 1);
        QCOMPARE(model[3].role, ModelMessage::Role::Tool);
        QCOMPARE(model[3].toolCallId, u"c1"_s);
        QCOMPARE(model[3].text, u"{\"ok\":true}"_s);
    }
};

QTEST_APPLESS_MAIN(tst_AgentDisplay)
#include "tst_agentdisplay.moc"
