// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/OpenAiModel.h"
#include "httpclient/UpstreamClient.h"
#include "support/LocalEgress.h"
#include "support/NodePeer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>

#include <memory>
#include <optional>

using namespace Gestalt;
using namespace Gestalt::Test;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Gestalt::ErrorCode)

namespace {

constexpr int kWaitMs = 30000; // a bound for waiting on events, not a timing assertion
const QString kApiKey = u"sk-test-secret-4711"_s;

// What one complete() call produced.
struct Outcome
{
    QStringList text;
    QStringList reasoning;
    int doneCalls = 0;
    std::optional<Result<ModelReply>> result;
    std::shared_ptr<UpstreamCall> handle;
    int textAtDone = 0; // deltas seen when `done` ran (the sink comes first)
};

std::shared_ptr<Outcome> start(ModelProvider &model, const ModelRequest &request)
{
    auto outcome = std::make_shared<Outcome>();
    ModelStreamSink sink;
    sink.textDelta = [outcome](const QString &text) {
        outcome->text.append(text);
    };
    sink.reasoningDelta = [outcome](const QString &text) {
        outcome->reasoning.append(text);
    };
    outcome->handle = model.complete(request, sink, [outcome](Result<ModelReply> result) {
        ++outcome->doneCalls;
        outcome->textAtDone = int(outcome->text.size());
        outcome->result.emplace(std::move(result));
    });
    return outcome;
}

// Starts the call and waits for `done`, then lets queued events run so a second call would show.
std::shared_ptr<Outcome> run(ModelProvider &model, const ModelRequest &request)
{
    std::shared_ptr<Outcome> outcome = start(model, request);
    const bool synchronous = outcome->doneCalls != 0;
    if (!QTest::qWaitFor([&outcome] { return outcome->doneCalls > 0; }, kWaitMs)) {
        outcome->result.emplace(Error::internal(u"no answer within %1 ms"_s.arg(kWaitMs)));
    }
    QCoreApplication::processEvents();
    if (synchronous) {
        outcome->doneCalls = -1; // complete() must never call back from inside itself
    }
    return outcome;
}

ModelRequest userRequest(const QString &text)
{
    ModelRequest request;
    request.messages.append({ModelMessage::Role::User, text, {}, {}, {}});
    return request;
}

QJsonArray weatherTools()
{
    return QJsonArray{
        QJsonObject{{u"name"_s, u"get_weather"_s},
                    {u"description"_s, u"Current weather"_s},
                    {u"inputSchema"_s,
                     QJsonObject{{u"type"_s, u"object"_s},
                                 {u"properties"_s,
                                  QJsonObject{{u"city"_s, QJsonObject{{u"type"_s, u"string"_s}}}}},
                                 {u"required"_s, QJsonArray{u"city"_s}}}}}};
}

QString errorText(const Outcome &outcome)
{
    if (!outcome.result || outcome.result->hasValue()) {
        return u"<no error>"_s;
    }
    return outcome.result->error().message;
}

} // namespace

class tst_OpenAiModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase() { m_peer.reset(); }

    void createsFromConfig();
    void badConfig_data();
    void badConfig();
    void streamsText();
    void streamsReasoning();
    void mapsTheRequest();
    void defaultModelAndOverride();
    void sendsHeaders();
    void accumulatesToolCall();
    void accumulatesParallelToolCalls();
    void answersAfterToolResult();
    void structuredOutput();
    void nonStreamingAnswer();
    void nonStreamingToolCall();
    void failures_data();
    void failures();
    void timesOut();
    void abortCallsDoneOnce();
    void abortFromInsideTheSink();
    void destroyedWithCallInFlight();

private:
    [[nodiscard]] QJsonObject config(const QJsonObject &overrides = {}) const;
    [[nodiscard]] std::unique_ptr<OpenAiModel> model(const QJsonObject &overrides = {});
    [[nodiscard]] QJsonArray received(const QString &what = u"/requests"_s);

    std::unique_ptr<NodePeer> m_peer;
    UpstreamClient m_upstream;
};

void tst_OpenAiModel::initTestCase()
{
    // The fake then insists on this key, as the real API does.
    qputenv("FAKE_OPENAI_KEY", kApiKey.toUtf8());
    m_peer = std::make_unique<NodePeer>(u"openai-fake.mjs"_s);
    if (!m_peer->start()) {
        QFAIL(qPrintable(m_peer->errorString()));
    }
}

void tst_OpenAiModel::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    const Result<QJsonDocument> reset = m_peer->postJson(u"/reset"_s, QJsonDocument(QJsonObject{}));
    QVERIFY2(reset.hasValue(), qPrintable(reset.hasValue() ? QString() : reset.error().message));
}

QJsonObject tst_OpenAiModel::config(const QJsonObject &overrides) const
{
    QJsonObject config{{u"baseUrl"_s, QString(m_peer->baseUrl() + u"/v1"_s)},
                       {u"apiKey"_s, kApiKey},
                       {u"model"_s, u"gpt-fake"_s}};
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        config.insert(it.key(), it.value());
    }
    return config;
}

std::unique_ptr<OpenAiModel> tst_OpenAiModel::model(const QJsonObject &overrides)
{
    Result<std::unique_ptr<OpenAiModel>> created =
        OpenAiModel::create(u"fake"_s, config(overrides), m_upstream, Test::localEgress());
    if (!created) {
        qFatal("OpenAiModel::create: %s", qPrintable(created.error().message));
    }
    return std::move(created).value();
}

QJsonArray tst_OpenAiModel::received(const QString &what)
{
    const Result<QJsonDocument> answer = m_peer->getJson(what);
    return answer ? answer->array() : QJsonArray{};
}

void tst_OpenAiModel::createsFromConfig()
{
    std::unique_ptr<OpenAiModel> openai = model();
    QCOMPARE(openai->name(), u"fake"_s);
    QCOMPARE(openai->defaultModel(), u"gpt-fake"_s);
}

void tst_OpenAiModel::badConfig_data()
{
    QTest::addColumn<QJsonObject>("config");
    QTest::addColumn<QString>("message");
    const QString at = u"providers.agent.fake.config"_s;
    const QString url = u"https://api.openai.com/v1"_s;
    QTest::newRow("baseUrl missing")
        << QJsonObject{{u"model"_s, u"m"_s}} << at + u".baseUrl: must be an http(s) URL"_s;
    QTest::newRow("baseUrl not http")
        << QJsonObject{{u"baseUrl"_s, u"ftp://example.com/v1"_s}, {u"model"_s, u"m"_s}}
        << at + u".baseUrl: must be an http(s) URL"_s;
    QTest::newRow("baseUrl not a URL")
        << QJsonObject{{u"baseUrl"_s, u"api.openai.com"_s}, {u"model"_s, u"m"_s}}
        << at + u".baseUrl: must be an http(s) URL"_s;
    QTest::newRow("baseUrl a number") << QJsonObject{{u"baseUrl"_s, 8080}, {u"model"_s, u"m"_s}}
                                      << at + u".baseUrl: must be an http(s) URL"_s;
    QTest::newRow("unknown key") << QJsonObject{{u"baseUrl"_s, url},
                                                {u"model"_s, u"m"_s},
                                                {u"temperature"_s, 1}}
                                 << at + u": unknown key \"temperature\""_s;
    QTest::newRow("model missing")
        << QJsonObject{{u"baseUrl"_s, url}} << at + u".model: the default model name is required"_s;
    QTest::newRow("model empty") << QJsonObject{{u"baseUrl"_s, url}, {u"model"_s, u" "_s}}
                                 << at + u".model: the default model name is required"_s;
    QTest::newRow("timeout not a duration")
        << QJsonObject{{u"baseUrl"_s, url}, {u"model"_s, u"m"_s}, {u"timeout"_s, u"soon"_s}}
        << at + u".timeout: expected a positive duration such as 120s"_s;
    QTest::newRow("timeout zero") << QJsonObject{{u"baseUrl"_s, url},
                                                 {u"model"_s, u"m"_s},
                                                 {u"timeout"_s, u"0s"_s}}
                                  << at + u".timeout: expected a positive duration such as 120s"_s;
    QTest::newRow("apiKey not a string")
        << QJsonObject{{u"baseUrl"_s, url}, {u"model"_s, u"m"_s}, {u"apiKey"_s, 42}}
        << at + u".apiKey: must be a string on one line"_s;
    QTest::newRow("headers not a map")
        << QJsonObject{{u"baseUrl"_s, url}, {u"model"_s, u"m"_s}, {u"headers"_s, u"x"_s}}
        << at + u".headers: must be a map of header names to strings"_s;
    QTest::newRow("header value not a string")
        << QJsonObject{{u"baseUrl"_s, url},
                       {u"model"_s, u"m"_s},
                       {u"headers"_s, QJsonObject{{u"X-N"_s, 5}}}}
        << at + u".headers.X-N: must be a string on one line"_s;
    QTest::newRow("header value with a line break")
        << QJsonObject{{u"baseUrl"_s, url},
                       {u"model"_s, u"m"_s},
                       {u"headers"_s, QJsonObject{{u"X-N"_s, u"a\r\nB: c"_s}}}}
        << at + u".headers.X-N: must be a string on one line"_s;
    QTest::newRow("header name with a space")
        << QJsonObject{{u"baseUrl"_s, url},
                       {u"model"_s, u"m"_s},
                       {u"headers"_s, QJsonObject{{u"X N"_s, u"a"_s}}}}
        << at + u".headers: \"X N\" is not a header name"_s;
}

void tst_OpenAiModel::badConfig()
{
    QFETCH(QJsonObject, config);
    QFETCH(QString, message);
    const Result<std::unique_ptr<OpenAiModel>> created =
        OpenAiModel::create(u"fake"_s, config, m_upstream, Test::localEgress());
    QVERIFY(!created);
    QCOMPARE(created.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(created.error().message, message);
}

void tst_OpenAiModel::streamsText()
{
    std::unique_ptr<OpenAiModel> openai = model();
    const std::shared_ptr<Outcome> outcome = run(*openai, userRequest(u"hello there world"_s));
    QCOMPARE(outcome->doneCalls, 1);
    QVERIFY2(outcome->result->hasValue(), qPrintable(errorText(*outcome)));
    const ModelReply &reply = outcome->result->value();
    QCOMPARE(reply.text, u"Echo: hello there world"_s);
    QCOMPARE(reply.finishReason, u"stop"_s);
    QVERIFY(reply.toolCalls.isEmpty());
    QVERIFY(!reply.structured);
    // Several deltas, in order, all before `done`, joining to the text.
    QCOMPARE(outcome->text, (QStringList{u"Echo: "_s, u"hello "_s, u"there "_s, u"world"_s}));
    QCOMPARE(outcome->textAtDone, 4);
    QVERIFY(outcome->reasoning.isEmpty());
}

void tst_OpenAiModel::streamsReasoning()
{
    std::unique_ptr<OpenAiModel> openai = model();
    const std::shared_ptr<Outcome> outcome = run(*openai, userRequest(u"reasoning please"_s));
    QVERIFY2(outcome->result->hasValue(), qPrintable(errorText(*outcome)));
    QVERIFY(outcome->reasoning.size() > 1);
    QCOMPARE(outcome->reasoning.join(QString()), u"Let me think. The user wants an echo."_s);
    QCOMPARE(outcome->result->value().text, u"Echo: reasoning please"_s);
}

void tst_OpenAiModel::mapsTheRequest()
{
    ModelRequest request;
    request.messages = {
        {ModelMessage::Role::System,
         u"You are terse."_s,
         {},
         {},
         {QJsonObject{{u"tz"_s, u"UTC"_s}}}},
        {ModelMessage::Role::User,
         u"What is the weather?"_s,
         {},
         {},
         {QJsonObject{{u"a"_s, 1}, {u"b"_s, QJsonArray{true, QJsonValue::Null}}},
          QJsonValue(u"x"_s)}},
        {ModelMessage::Role::Assistant,
         QString(),
         {{u"call_1"_s, u"get_weather"_s, QJsonObject{{u"city"_s, u"Berlin"_s}}}},
         {},
         {}},
        {ModelMessage::Role::Tool, u"{\"temp\":21}"_s, {}, u"call_1"_s, {}},
        {ModelMessage::Role::Assistant, u"It is 21 degrees."_s, {}, {}, {}},
        {ModelMessage::Role::User, u"thanks"_s, {}, {}, {}},
    };
    request.tools = weatherTools();
    request.tools.append(QJsonObject{{u"name"_s, u"no_schema"_s}});
    request.modelOptions = QJsonObject{{u"temperature"_s, 0.25},
                                       {u"top_p"_s, 0.5},
                                       {u"maxTokens"_s, 50},
                                       {u"seed"_s, 7},
                                       {u"stop"_s, QJsonArray{u"END"_s}},
                                       {u"presence_penalty"_s, 0.125},
                                       {u"frequency_penalty"_s, 0.375},
                                       {u"someOtherOption"_s, true}};
    std::unique_ptr<OpenAiModel> openai = model();
    const std::shared_ptr<Outcome> outcome = run(*openai, request);
    QVERIFY2(outcome->result->hasValue(), qPrintable(errorText(*outcome)));

    const QJsonArray requests = received();
    QCOMPARE(requests.size(), 1);
    const QJsonObject body = requests.first().toObject();
    const QJsonArray messages{
        QJsonObject{{u"role"_s, u"system"_s},
                    {u"content"_s, u"You are terse.\n{\"tz\":\"UTC\"}"_s}},
        QJsonObject{{u"role"_s, u"user"_s},
                    {u"content"_s, u"What is the weather?\n{\"a\":1,\"b\":[true,null]}\n\"x\""_s}},
        QJsonObject{
            {u"role"_s, u"assistant"_s},
            {u"content"_s, QJsonValue::Null},
            {u"tool_calls"_s,
             QJsonArray{QJsonObject{{u"id"_s, u"call_1"_s},
                                    {u"type"_s, u"function"_s},
                                    {u"function"_s,
                                     QJsonObject{{u"name"_s, u"get_weather"_s},
                                                 {u"arguments"_s, u"{\"city\":\"Berlin\"}"_s}}}}}}},
        QJsonObject{{u"role"_s, u"tool"_s},
                    {u"tool_call_id"_s, u"call_1"_s},
                    {u"content"_s, u"{\"temp\":21}"_s}},
        QJsonObject{{u"role"_s, u"assistant"_s}, {u"content"_s, u"It is 21 degrees."_s}},
        QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"thanks"_s}},
    };
    QCOMPARE(body.value(u"messages"_s).toArray(), messages);
    const QJsonArray tools{
        QJsonObject{{u"type"_s, u"function"_s},
                    {u"function"_s,
                     QJsonObject{{u"name"_s, u"get_weather"_s},
                                 {u"description"_s, u"Current weather"_s},
                                 {u"parameters"_s,
                                  weatherTools().first().toObject().value(u"inputSchema"_s)}}}},
        QJsonObject{{u"type"_s, u"function"_s},
                    {u"function"_s,
                     QJsonObject{{u"name"_s, u"no_schema"_s},
                                 {u"parameters"_s,
                                  QJsonObject{{u"type"_s, u"object"_s},
                                              {u"properties"_s, QJsonObject{}}}}}}},
    };
    QCOMPARE(body.value(u"tools"_s).toArray(), tools);
    QCOMPARE(body.value(u"tool_choice"_s).toString(), u"auto"_s);
    QCOMPARE(body.value(u"stream"_s), QJsonValue(true));
    QCOMPARE(body.value(u"stream_options"_s).toObject(), (QJsonObject{{u"include_usage"_s, true}}));
    QCOMPARE(body.value(u"temperature"_s).toDouble(), 0.25);
    QCOMPARE(body.value(u"top_p"_s).toDouble(), 0.5);
    QCOMPARE(body.value(u"max_tokens"_s).toInt(), 50);
    QCOMPARE(body.value(u"seed"_s).toInt(), 7);
    QCOMPARE(body.value(u"stop"_s).toArray(), QJsonArray{u"END"_s});
    QCOMPARE(body.value(u"presence_penalty"_s).toDouble(), 0.125);
    QCOMPARE(body.value(u"frequency_penalty"_s).toDouble(), 0.375);
    QVERIFY(!body.contains(u"someOtherOption"_s));
    QVERIFY(!body.contains(u"maxTokens"_s));
    QVERIFY(!body.contains(u"response_format"_s));
}

void tst_OpenAiModel::defaultModelAndOverride()
{
    std::unique_ptr<OpenAiModel> openai = model();
    QVERIFY(run(*openai, userRequest(u"one"_s))->result->hasValue());
    ModelRequest request = userRequest(u"two"_s);
    request.model = u"gpt-other"_s;
    QVERIFY(run(*openai, request)->result->hasValue());

    const QJsonArray requests = received();
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.at(0).toObject().value(u"model"_s).toString(), u"gpt-fake"_s);
    QCOMPARE(requests.at(1).toObject().value(u"model"_s).toString(), u"gpt-other"_s);
    // Nothing offered: no tools, no tool_choice, no options.
    const QJsonObject body = requests.at(1).toObject();
    QVERIFY(!body.contains(u"tools"_s));
    QVERIFY(!body.contains(u"tool_choice"_s));
    QVERIFY(!body.contains(u"temperature"_s));
}

void tst_OpenAiModel::sendsHeaders()
{
    std::unique_ptr<OpenAiModel> openai = model(QJsonObject{
        {u"baseUrl"_s, QString(m_peer->baseUrl() + u"/openai/v1/?api-version=2024-06-01"_s)},
        {u"organization"_s, u"org-test"_s},
        {u"headers"_s, QJsonObject{{u"X-Extra"_s, u"yes"_s}}}});
    QVERIFY(run(*openai, userRequest(u"hi"_s))->result->hasValue());
    const QJsonArray headers = received(u"/headers"_s);
    QCOMPARE(headers.size(), 1);
    const QJsonObject seen = headers.first().toObject();
    QCOMPARE(seen.value(u"path"_s).toString(),
             u"/openai/v1/chat/completions?api-version=2024-06-01"_s);
    QCOMPARE(seen.value(u"authorization"_s).toString(), u"Bearer "_s + kApiKey);
    QCOMPARE(seen.value(u"organization"_s).toString(), u"org-test"_s);
    QCOMPARE(seen.value(u"contentType"_s).toString(), u"application/json"_s);
    QVERIFY(seen.value(u"accept"_s).toString().contains(u"text/event-stream"_s));
    QCOMPARE(seen.value(u"extra"_s).toObject(), (QJsonObject{{u"x-extra"_s, u"yes"_s}}));
}

void tst_OpenAiModel::accumulatesToolCall()
{
    ModelRequest request = userRequest(u"call-tool:get_weather"_s);
    request.tools = weatherTools();
    std::unique_ptr<OpenAiModel> openai = model();
    const std::shared_ptr<Outcome> outcome = run(*openai, request);
    QCOMPARE(outcome->doneCalls, 1);
    QVERIFY2(outcome->result->hasValue(), qPrintable(errorText(*outcome)));
    const ModelReply &reply = outcome->result->value();
    QCOMPARE(reply.finishReason, u"tool_calls"_s);
    QVERIFY(reply.text.isEmpty());
    QVERIFY(outcome->text.isEmpty());
    QCOMPARE(reply.toolCalls.size(), 1);
    QCOMPARE(reply.toolCalls.first().name, u"get_weather"_s);
    QVERIFY(reply.toolCalls.first().id.startsWith(u"call_fake"_s));
    QCOMPARE(reply.toolCalls.first().arguments,
             (QJsonObject{{u"city"_s, u"Berlin"_s}, {u"days"_s, 3}}));
}

void tst_OpenAiModel::accumulatesParallelToolCalls()
{
    ModelRequest request = userRequest(u"call-tool:get_weather and call-tool:get_time"_s);
    request.tools = weatherTools();
    request.tools.append(QJsonObject{{u"name"_s, u"get_time"_s}});
    std::unique_ptr<OpenAiModel> openai = model();
    const std::shared_ptr<Outcome> outcome = run(*openai, request);
    QVERIFY2(outcome->result->hasValue(), qPrintable(errorText(*outcome)));
    const QList<ModelToolCall> calls = outcome->result->value().toolCalls;
    QCOMPARE(calls.size(), 2);
    QCOMPARE(calls.at(0).name, u"get_weather"_s);
    QCOMPARE(calls.at(1).name, u"get_time"_s);
    QVERIFY(calls.at(0).id != calls.at(1).id);
    QCOMPARE(calls.at(1).arguments, (QJsonObject{{u"city"_s, u"Berlin"_s}, {u"days"_s, 3}}));
}

void tst_OpenAiModel::answersAfterToolResult()
{
    ModelRequest request = userRequest(u"call-tool:get_weather"_s);
    request.tools = weatherTools();
    std::unique_ptr<OpenAiModel> openai = model();
    const std::shared_ptr<Outcome> first = run(*openai, request);
    QVERIFY2(first->result->hasValue(), qPrintable(errorText(*first)));
    const ModelToolCall call = first->result->value().toolCalls.value(0);

    // The turn loop's second request: the assistant's call, then the tool's result.
    request.messages.append({ModelMessage::Role::Assistant, QString(), {call}, {}, {}});
    request.messages.append({ModelMessage::Role::Tool, u"sunny, 24 C"_s, {}, call.id, {}});
    const std::shared_ptr<Outcome> second = run(*openai, request);
    QVERIFY2(second->result->hasValue(), qPrintable(errorText(*second)));
    QCOMPARE(second->result->value().text, u"Tool said: sunny, 24 C"_s);
    QCOMPARE(second->text.join(QString()), u"Tool said: sunny, 24 C"_s);

    const QJsonArray requests = received();
    QCOMPARE(requests.size(), 2);
    const QJsonArray messages = requests.at(1).toObject().value(u"messages"_s).toArray();
    QCOMPARE(messages.size(), 3);
    const QJsonObject assistant = messages.at(1).toObject();
    QCOMPARE(
        assistant.value(u"tool_calls"_s).toArray().first().toObject().value(u"id"_s).toString(),
        call.id);
    QCOMPARE(messages.at(2).toObject().value(u"tool_call_id"_s).toString(), call.id);
}

void tst_OpenAiModel::structuredOutput()
{
    const QJsonObject schema{
        {u"type"_s, u"object"_s},
        {u"properties"_s, QJsonObject{{u"summary"_s, QJsonObject{{u"type"_s, u"string"_s}}}}}};
    ModelRequest request = userRequest(u"json-answer"_s);
    request.responseSchema = schema;
    std::unique_ptr<OpenAiModel> openai = model();
    const std::shared_ptr<Outcome> outcome = run(*openai, request);
    QVERIFY2(outcome->result->hasValue(), qPrintable(errorText(*outcome)));
    const ModelReply &reply = outcome->result->value();
    QCOMPARE(reply.text, u"{\"summary\":\"ok\"}"_s);
    QVERIFY(outcome->text.size() > 1);
    QVERIFY(reply.structured.has_value());
    QCOMPARE(*reply.structured, QJsonValue(QJsonObject{{u"summary"_s, u"ok"_s}}));

    const QJsonObject format = received().first().toObject().value(u"response_format"_s).toObject();
    QCOMPARE(format,
             (QJsonObject{{u"type"_s, u"json_schema"_s},
                          {u"json_schema"_s,
                           QJsonObject{{u"name"_s, u"response"_s},
                                       {u"schema"_s, schema},
                                       {u"strict"_s, false}}}}));
}

void tst_OpenAiModel::nonStreamingAnswer()
{
    std::unique_ptr<OpenAiModel> openai = model();
    const std::shared_ptr<Outcome> outcome = run(*openai, userRequest(u"no-stream please"_s));
    QCOMPARE(outcome->doneCalls, 1);
    QVERIFY2(outcome->result->hasValue(), qPrintable(errorText(*outcome)));
    QCOMPARE(outcome->result->value().text, u"Echo: no-stream please"_s);
    QCOMPARE(outcome->result->value().finishReason, u"stop"_s);
    QCOMPARE(outcome->text, QStringList{u"Echo: no-stream please"_s});
}

void tst_OpenAiModel::nonStreamingToolCall()
{
    ModelRequest request = userRequest(u"no-stream call-tool:get_weather"_s);
    request.tools = weatherTools();
    std::unique_ptr<OpenAiModel> openai = model();
    const std::shared_ptr<Outcome> outcome = run(*openai, request);
    QVERIFY2(outcome->result->hasValue(), qPrintable(errorText(*outcome)));
    const ModelReply &reply = outcome->result->value();
    QCOMPARE(reply.finishReason, u"tool_calls"_s);
    QCOMPARE(reply.toolCalls.size(), 1);
    QCOMPARE(reply.toolCalls.first().name, u"get_weather"_s);
    QCOMPARE(reply.toolCalls.first().arguments,
             (QJsonObject{{u"city"_s, u"Berlin"_s}, {u"days"_s, 3}}));
}

void tst_OpenAiModel::failures_data()
{
    QTest::addColumn<QJsonObject>("overrides");
    QTest::addColumn<QString>("userText");
    QTest::addColumn<bool>("withSchema");
    QTest::addColumn<QString>("message");
    QTest::addColumn<ErrorCode>("code");

    const QString p = u"model provider \"fake\": "_s;
    QTest::newRow("HTTP 401 with the API's message")
        << QJsonObject{} << u"fail-401"_s << false << p + u"HTTP 401: Incorrect API key provided"_s
        << ErrorCode::BadGateway;
    QTest::newRow("wrong key quoted by the upstream is redacted")
        << QJsonObject{{u"apiKey"_s, u"sk-wrong-key-0042"_s}} << u"hi"_s << false
        << p
               + u"HTTP 401: Incorrect API key provided: [redacted]. You can find your API key at "
                 u"https://platform.openai.com/account/api-keys."_s
        << ErrorCode::BadGateway;
    QTest::newRow("error chunk inside the stream")
        << QJsonObject{} << u"stream-error"_s << false
        << p + u"The server had an error while processing your request."_s << ErrorCode::BadGateway;
    QTest::newRow("stream ends without finish_reason or [DONE]")
        << QJsonObject{} << u"cut-off"_s << false
        << p + u"the stream ended before the answer was complete"_s << ErrorCode::BadGateway;
    QTest::newRow("tool arguments that are not JSON")
        << QJsonObject{} << u"bad-arguments:get_weather"_s << false
        << p + u"the arguments of the call of tool \"get_weather\" are not a JSON object"_s
        << ErrorCode::BadGateway;
    QTest::newRow("text where the schema wants JSON")
        << QJsonObject{} << u"plain words"_s << true
        << p + u"the answer is not valid JSON for the response schema"_s << ErrorCode::BadGateway;

    QTest::newRow("answer over the size limit")
        << QJsonObject{} << u"huge"_s << false << p + u"the answer exceeds 16 MiB"_s
        << ErrorCode::BadGateway;

    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    QTest::newRow("connection refused")
        << QJsonObject{{u"baseUrl"_s, u"http://127.0.0.1:%1/v1"_s.arg(port)}} << u"hi"_s << false
        << p + u"cannot reach the API: failed to reach upstream service"_s << ErrorCode::BadGateway;
}

void tst_OpenAiModel::failures()
{
    QFETCH(QJsonObject, overrides);
    QFETCH(QString, userText);
    QFETCH(bool, withSchema);
    QFETCH(QString, message);
    QFETCH(ErrorCode, code);

    ModelRequest request = userRequest(userText);
    request.tools = weatherTools();
    if (withSchema) {
        request.responseSchema = QJsonObject{{u"type"_s, u"object"_s}};
    }
    std::unique_ptr<OpenAiModel> openai = model(overrides);
    const std::shared_ptr<Outcome> outcome = run(*openai, request);
    QCOMPARE(outcome->doneCalls, 1);
    QVERIFY(outcome->result.has_value());
    QVERIFY(!outcome->result->hasValue());
    QCOMPARE(outcome->result->error().message, message);
    QCOMPARE(outcome->result->error().code, code);
    const QString key = overrides.value(u"apiKey"_s).toString(kApiKey);
    QVERIFY(!outcome->result->error().message.contains(key));
}

void tst_OpenAiModel::timesOut()
{
    std::unique_ptr<OpenAiModel> openai = model(QJsonObject{{u"timeout"_s, u"300ms"_s}});
    const std::shared_ptr<Outcome> outcome = run(*openai, userRequest(u"hang"_s));
    QCOMPARE(outcome->doneCalls, 1);
    QVERIFY(!outcome->result->hasValue());
    QCOMPARE(outcome->result->error().message, u"model provider \"fake\": timed out after 0.3 s"_s);
    QCOMPARE(outcome->result->error().code, ErrorCode::GatewayTimeout);
}

void tst_OpenAiModel::abortCallsDoneOnce()
{
    std::unique_ptr<OpenAiModel> openai = model();
    const std::shared_ptr<Outcome> outcome = start(*openai, userRequest(u"hang"_s));
    QTRY_COMPARE_WITH_TIMEOUT(received().size(), 1, kWaitMs);
    outcome->handle->abort();
    QCOMPARE(outcome->doneCalls, 0); // later, from the event loop
    QTRY_COMPARE_WITH_TIMEOUT(outcome->doneCalls, 1, kWaitMs);
    QCOMPARE(errorText(*outcome), u"model provider \"fake\": canceled"_s);
    outcome->handle->abort(); // a second abort does nothing
    QCoreApplication::processEvents();
    QCOMPARE(outcome->doneCalls, 1);
}

void tst_OpenAiModel::abortFromInsideTheSink()
{
    std::unique_ptr<OpenAiModel> openai = model();
    auto outcome = std::make_shared<Outcome>();
    ModelStreamSink sink;
    sink.textDelta = [outcome](const QString &text) {
        outcome->text.append(text);
        outcome->handle->abort();
    };
    outcome->handle = openai->complete(
        userRequest(u"one two three four five"_s), sink, [outcome](Result<ModelReply> result) {
            ++outcome->doneCalls;
            outcome->result.emplace(std::move(result));
        });
    QTRY_COMPARE_WITH_TIMEOUT(outcome->doneCalls, 1, kWaitMs);
    QCOMPARE(errorText(*outcome), u"model provider \"fake\": canceled"_s);
    QCOMPARE(outcome->text, QStringList{u"Echo: "_s}); // nothing after the abort
}

void tst_OpenAiModel::destroyedWithCallInFlight()
{
    std::unique_ptr<OpenAiModel> openai = model(QJsonObject{{u"timeout"_s, u"300ms"_s}});
    const std::shared_ptr<Outcome> outcome = start(*openai, userRequest(u"hang"_s));
    QTRY_COMPARE_WITH_TIMEOUT(received().size(), 1, kWaitMs);
    openai.reset();
    outcome->handle->abort(); // the handle outlives the model harmlessly
    // Past the (300 ms) timeout the model would have had: still no callback.
    QTest::qWait(600);
    QCOMPARE(outcome->doneCalls, 0);
}

QTEST_GUILESS_MAIN(tst_OpenAiModel)
#include "tst_openaimodel.moc"
