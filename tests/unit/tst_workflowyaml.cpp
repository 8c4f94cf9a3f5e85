// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/ConfigErrors.h"
#include "config/ConfigNode.h"
#include "workflows/WorkflowYaml.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Gestalt;
using namespace Qt::StringLiterals;

namespace {

using Kind = WorkflowDefinition::Kind;

QByteArray json(const QJsonValue &value)
{
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
}

WorkflowStep appStep(const QString &id, const QJsonValue &input)
{
    WorkflowStep step;
    step.id = id;
    step.app = u"httpbin"_s;
    step.operation = u"post_anything"_s;
    step.connection = u"default"_s;
    step.input = input;
    return step;
}

WorkflowStep agentStep(const QString &id)
{
    WorkflowStep step;
    step.id = id;
    step.kind = WorkflowStep::Kind::Agent;
    step.agent = QJsonObject{
        {u"provider"_s, u"openai"_s},
        {u"prompt"_s, u"Summarize:\n\n{{steps.fetch.output}}\n"_s},
        {u"modelOptions"_s, QJsonObject{{u"temperature"_s, 0.2}, {u"maxTokens"_s, 800}}},
    };
    return step;
}

WorkflowDefinition schedule(const QString &id, const QJsonValue &input)
{
    WorkflowDefinition d;
    d.id = id;
    d.cron = u"*/5 * * * *"_s;
    d.timezone = u"Europe/Berlin"_s;
    d.provider = u"builtin"_s;
    d.target.steps = {appStep(u"fetch"_s, input), agentStep(u"think"_s)};
    return d;
}

WorkflowDefinition trigger(const QString &id)
{
    WorkflowDefinition d;
    d.id = id;
    d.kind = Kind::EventTrigger;
    d.paused = true;
    d.provider = u"temporal"_s;
    d.matchType = u"github.push"_s;
    d.matchSource = u"true"_s;
    d.matchSubject = u"repo: gestalt #1"_s;
    d.target.steps = {appStep(u"only"_s, QJsonValue())};
    return d;
}

// Nine lists of ten aliases to the list before: 10^9 nodes once expanded.
QByteArray billionLaughs()
{
    QByteArray yaml =
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
        "\"lol\"]\n";
    for (char name = 'b'; name <= 'i'; ++name) {
        const QByteArray previous = "*" + QByteArray(1, char(name - 1));
        QByteArrayList items(10, previous);
        yaml += QByteArray(1, name) + ": &" + QByteArray(1, name) + " [" + items.join(',') + "]\n";
    }
    return yaml;
}

// Peak resident memory in KiB (Linux), 0 when unknown.
qint64 peakRssKiB()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly)) {
        return 0;
    }
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:")) {
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return 0;
}

QString errorOf(const QByteArray &yaml)
{
    const Result<QList<WorkflowYaml::Entry>> read = WorkflowYaml::read(yaml);
    return read ? QString() : read.error().message;
}

} // namespace

class tst_WorkflowYaml final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void valuesRoundTrip_data()
    {
        QTest::addColumn<QJsonValue>("value");
        const QList<std::pair<const char *, QString>> strings{
            {"string true", u"true"_s},
            {"string True", u"True"_s},
            {"empty string", QString()},
            {"string 1", u"1"_s},
            {"string -1", u"-1"_s},
            {"string 1.5", u"1.5"_s},
            {"string 1e3", u"1e3"_s},
            {"string 0x10", u"0x10"_s},
            {"string 0o17", u"0o17"_s},
            {"string .inf", u".inf"_s},
            {"string 1_000", u"1_000"_s},
            {"string 12:30", u"12:30"_s},
            {"string date", u"2026-01-01"_s},
            {"string null", u"null"_s},
            {"string NULL", u"NULL"_s},
            {"string tilde", u"~"_s},
            {"string yes", u"yes"_s},
            {"string off", u"off"_s},
            {"string y", u"y"_s},
            {"colon space", u"a: b"_s},
            {"trailing colon", u"key:"_s},
            {"hash first", u"#x"_s},
            {"space hash", u"x #y"_s},
            {"alias-like", u"*star"_s},
            {"anchor-like", u"&amp"_s},
            {"tag-like", u"!tag"_s},
            {"merge-like", u"<<"_s},
            {"directive-like", u"%YAML"_s},
            {"at sign", u"@user"_s},
            {"backtick", u"`cmd`"_s},
            {"dash", u"-"_s},
            {"list-like", u"- item"_s},
            {"question", u"? q"_s},
            {"flow map-like", u"{a: 1}"_s},
            {"flow list-like", u"[1, 2]"_s},
            {"quotes", u"'single' and \"double\""_s},
            {"backslashes", u"C:\\path\\n"_s},
            {"unicode", u"h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \U0001F389"_s},
            {"multi-line", u"line one\nline two\n\n  indented\n"_s},
            {"crlf", u"a\r\nb"_s},
            {"tab", u"a\tb"_s},
            {"leading space", u"  x"_s},
            {"trailing space", u"x  "_s},
            {"only spaces", u"   "_s},
            {"control char", u"bell\u0007"_s},
            {"no-break space", u"a\u00a0b"_s},
            {"inner byte order mark", u"x\ufeffy"_s},
            {"document marker", u"---"_s},
            {"plain words", u"just some words"_s},
            {"long", QString(3000, u'x') + u" end"_s},
        };
        for (const auto &[name, text] : strings) {
            QTest::newRow(name) << QJsonValue(text);
        }
        QTest::newRow("zero") << QJsonValue(0);
        QTest::newRow("negative") << QJsonValue(-7);
        QTest::newRow("large integer") << QJsonValue(qint64(4'000'000'000'000));
        QTest::newRow("float") << QJsonValue(1.5);
        QTest::newRow("small float") << QJsonValue(-0.000125);
        QTest::newRow("big float") << QJsonValue(1e20);
        QTest::newRow("tiny float") << QJsonValue(1e-7);
        QTest::newRow("bool true") << QJsonValue(true);
        QTest::newRow("bool false") << QJsonValue(false);
        QTest::newRow("null") << QJsonValue(QJsonValue::Null);
        QTest::newRow("empty object") << QJsonValue(QJsonObject{});
        QTest::newRow("empty array") << QJsonValue(QJsonArray{});
        QTest::newRow("nested arrays") << QJsonValue(QJsonArray{
            QJsonArray{1, u"1"_s, QJsonArray{}},
            QJsonArray{QJsonArray{true, QJsonValue::Null, u""_s}},
            QJsonObject{{u"deep"_s, QJsonArray{QJsonObject{{u"x"_s, QJsonArray{2.5}}}}}},
        });
        QTest::newRow("tricky keys") << QJsonValue(QJsonObject{
            {u""_s, 1},
            {u"true"_s, 2},
            {u"null"_s, 3},
            {u"~"_s, 4},
            {u"1"_s, 5},
            {u"a: b"_s, 6},
            {u"#x"_s, 7},
            {u"<<"_s, 8},
            {u"multi\nline"_s, 9},
            {u"\u00fcber"_s, 10},
        });
    }

    void valuesRoundTrip()
    {
        QFETCH(QJsonValue, value);
        const QJsonObject input{{u"value"_s, value}, {u"list"_s, QJsonArray{value, value}}};
        const WorkflowDefinition d = schedule(u"nightly"_s, input);
        const QByteArray yaml = WorkflowYaml::write({d});
        const Result<QList<WorkflowYaml::Entry>> read = WorkflowYaml::read(yaml);
        QVERIFY2(read,
                 read ? "" : qPrintable(read.error().message + u"\n"_s + QString::fromUtf8(yaml)));
        QCOMPARE(read->size(), 1);
        const QJsonValue steps = read->front().body.value(u"target"_s)[u"steps"_s];
        QVERIFY2(json(steps[0][u"app"_s][u"input"_s]) == json(input), yaml.constData());
        QCOMPARE(json(read->front().body.value(u"target"_s)), json(d.target.toJson()));
    }

    void definitionsRoundTrip()
    {
        const QJsonObject input{
            {u"literal"_s,
             QJsonObject{
                 {u"query"_s, u"repo:gestalt is:open"_s},
                 {u"limit"_s, 20},
                 {u"strict"_s, false},
                 {u"labels"_s, QJsonArray{u"bug"_s, u"true"_s, QJsonArray{1, 2}}},
                 {u"since"_s, QJsonValue::Null},
             }}};
        const WorkflowDefinition b = schedule(u"b.nightly"_s, input);
        WorkflowDefinition a = schedule(u"a-hourly"_s, QJsonValue());
        a.cron = u"0 * * * *"_s;
        a.timezone = u"UTC"_s;
        a.paused = true;
        a.provider = u"temporal"_s;
        const WorkflowDefinition t = trigger(u"on_push"_s);
        const QByteArray yaml = WorkflowYaml::write({t, b, a});

        qDebug().noquote() << yaml;
        QJsonObject all;
        for (auto v : {u"a"_s})
            all[v] = QJsonObject{{u"n"_s, QJsonValue::Null},
                                 {u"i"_s, -5},
                                 {u"f"_s, 1e20},
                                 {u"g"_s, 0.1},
                                 {u"e"_s, QJsonArray{}},
                                 {u"k"_s, u"x"_s},
                                 {u"s"_s, u"a b"_s}};
        qDebug().noquote() << WorkflowYaml::write({schedule(u"x"_s, all)});
        QVERIFY(yaml.startsWith("# Gestalt workflow definitions"));
        QVERIFY2(yaml.contains("\nworkflows:\n  schedules:\n    a-hourly:\n"), yaml.constData());
        QVERIFY(yaml.indexOf("a-hourly:") < yaml.indexOf("b.nightly:"));
        QVERIFY(yaml.indexOf("b.nightly:") < yaml.indexOf("eventTriggers:"));
        QCOMPARE(yaml.count("provider: builtin"), 0);
        QVERIFY(yaml.contains("timezone: Europe/Berlin"));
        QVERIFY(yaml.contains("cron: \"*/5 * * * *\""));
        QCOMPARE(WorkflowYaml::write({t, b, a}), yaml); // no time or other noise

        const Result<QList<WorkflowYaml::Entry>> read = WorkflowYaml::read(yaml);
        QVERIFY2(read, read ? "" : qPrintable(read.error().message));
        QCOMPARE(read->size(), 3);
        const QList<std::pair<QString, Kind>> order{{u"a-hourly"_s, Kind::Schedule},
                                                    {u"b.nightly"_s, Kind::Schedule},
                                                    {u"on_push"_s, Kind::EventTrigger}};
        for (qsizetype i = 0; i < order.size(); ++i) {
            QCOMPARE(read->at(i).id, order.at(i).first);
            QCOMPARE(read->at(i).kind, order.at(i).second);
        }
        const QJsonObject hourly{{u"cron"_s, u"0 * * * *"_s},
                                 {u"timezone"_s, u"UTC"_s},
                                 {u"paused"_s, true},
                                 {u"provider"_s, u"temporal"_s},
                                 {u"target"_s, a.target.toJson()}};
        QCOMPARE(json(read->at(0).body), json(hourly));
        const QJsonObject nightly{{u"cron"_s, u"*/5 * * * *"_s},
                                  {u"timezone"_s, u"Europe/Berlin"_s},
                                  {u"paused"_s, false},
                                  {u"target"_s, b.target.toJson()}};
        QCOMPARE(json(read->at(1).body), json(nightly));
        const QJsonObject onPush{{u"match"_s,
                                  QJsonObject{{u"type"_s, u"github.push"_s},
                                              {u"source"_s, u"true"_s},
                                              {u"subject"_s, u"repo: gestalt #1"_s}}},
                                 {u"paused"_s, true},
                                 {u"provider"_s, u"temporal"_s},
                                 {u"target"_s, t.target.toJson()}};
        QCOMPARE(json(read->at(2).body), json(onPush));
        const Result<WorkflowTarget> target =
            WorkflowTarget::fromJson(read->at(1).body[u"target"_s]);
        QVERIFY2(target, target ? "" : qPrintable(target.error().message));
        QCOMPARE(target->steps.size(), 2);
        QCOMPARE(target->steps.at(1).agent, b.target.steps.at(1).agent);
    }

    void emptySectionsStayVisible()
    {
        const QByteArray yaml = WorkflowYaml::write({});
        QVERIFY2(yaml.contains("workflows:\n  schedules: {}\n  eventTriggers: {}"),
                 yaml.constData());
        const Result<QList<WorkflowYaml::Entry>> read = WorkflowYaml::read(yaml);
        QVERIFY(read);
        QVERIFY(read->isEmpty());
    }

    void emptyImports_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::newRow("nothing") << QByteArray();
        QTest::newRow("only a comment") << "# nothing here\n"_ba;
        QTest::newRow("explicit null document") << "---\n~\n"_ba;
        QTest::newRow("workflows null") << "workflows:\n"_ba;
        QTest::newRow("workflows empty map") << "workflows: {}\n"_ba;
        QTest::newRow("null sections") << "workflows:\n  schedules:\n  eventTriggers: ~\n"_ba;
        QTest::newRow("byte order mark") << "\xEF\xBB\xBFworkflows: {}\n"_ba;
    }

    void emptyImports()
    {
        QFETCH(QByteArray, yaml);
        const Result<QList<WorkflowYaml::Entry>> read = WorkflowYaml::read(yaml);
        QVERIFY2(read, read ? "" : qPrintable(read.error().message));
        QVERIFY(read->isEmpty());
    }

    void badImports_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("expected");
        const int invalid = int(ErrorCode::InvalidArgument);
        const QByteArray head = "workflows:\n  schedules:\n";
        const QByteArray triggers = "workflows:\n  eventTriggers:\n";
        const QString aliases = u"YAML aliases and anchors are not allowed in a workflow import"_s;

        QTest::newRow("invalid YAML")
            << head + "    a: [1, 2\n"_ba << invalid << u"workflow import:4:1: invalid YAML: "_s;
        QTest::newRow("tab indentation")
            << "workflows:\n\tschedules: {}\n"_ba << invalid << u"tabs cannot indent YAML"_s;
        QTest::newRow("unclosed quote") << head + "    a:\n      cron: \"* * * * *\n"_ba << invalid
                                        << u"workflow import:4:13: invalid YAML: unclosed"_s;
        QTest::newRow("duplicate ids") << head + "    a: {cron: x}\n    a: {cron: y}\n"_ba
                                       << invalid << u"workflow import:4:5: duplicate key \"a\""_s;
        QTest::newRow("duplicate field") << head + "    a:\n      cron: x\n      cron: y\n"_ba
                                         << invalid << u"duplicate key \"cron\""_s;
        QTest::newRow("not UTF-8")
            << head + "    a: {cron: \"\xff\"}\n"_ba << invalid << u"not valid UTF-8"_s;
        QTest::newRow("top-level list")
            << "- workflows\n"_ba << invalid << u"top level of a workflow import must be a map"_s;
        QTest::newRow("top-level string")
            << "workflows\n"_ba << invalid << u"top level of a workflow import must be a map"_s;
        QTest::newRow("two documents") << "workflows: {}\n---\nworkflows: {}\n"_ba << invalid
                                       << u"must hold one YAML document, found more than one"_s;
        // yaml-cpp 0.7 reports endless empty documents for these (found by fuzz_workflow_yaml;
        // jbeder/yaml-cpp#1319): the import used to spin and grow without end.
        QTest::newRow("endless documents (fuzz)")
            << "#wnr\n ,eo{}ks\nnull{}\n"_ba << invalid
            << u"must hold one YAML document, found more than one"_s;
        QTest::newRow("endless documents (comma line)")
            << "\n,\n"_ba << invalid << u"must hold one YAML document, found more than one"_s;
        QTest::newRow("unknown top-level key")
            << "apiVersion: gestaltd.config/v5\nworkflows: {}\n"_ba << invalid
            << u"workflow import:1:1: unknown key \"apiVersion\""_s;
        QTest::newRow("config-only workflows key")
            << "workflows:\n  pollInterval: 1s\n"_ba << invalid
            << u"unknown key \"workflows.pollInterval\""_s;
        QTest::newRow("misspelled section")
            << "workflows:\n  schedule: {}\n"_ba << invalid << u"(did you mean \"schedules\"?)"_s;
        QTest::newRow("unknown entry key")
            << head + "    a: {crn: x}\n"_ba << invalid
            << u"unknown key \"workflows.schedules.a.crn\" (did you mean \"cron\"?)"_s;
        QTest::newRow("schedule field on a trigger")
            << triggers + "    a: {cron: x}\n"_ba << invalid
            << u"unknown key \"workflows.eventTriggers.a.cron\""_s;
        QTest::newRow("unknown match key") << triggers + "    a: {match: {tpye: x}}\n"_ba << invalid
                                           << u"(did you mean \"type\"?)"_s;
        QTest::newRow("permissions")
            << head + "    a:\n      cron: x\n      permissions: [{app: a}]\n"_ba << invalid
            << u"workflow import:5:7: workflows.schedules.a.permissions: permissions can only "
               u"be set in the config file"_s;
        QTest::newRow("cron is a map") << head + "    nightly:\n      cron: {at: 3}\n"_ba << invalid
                                       << u"workflow import:4:7: workflows.schedules.nightly.cron: "
                                          u"expected a string, found a map"_s;
        QTest::newRow("timezone is a list")
            << head + "    a: {timezone: [UTC]}\n"_ba << invalid
            << u"workflows.schedules.a.timezone: expected a string"_s;
        QTest::newRow("paused is yes") << head + "    a: {paused: yes}\n"_ba << invalid
                                       << u"workflows.schedules.a.paused: expected true or false"_s;
        QTest::newRow("target is a list") << head + "    a: {target: [x]}\n"_ba << invalid
                                          << u"workflows.schedules.a.target: expected a map"_s;
        QTest::newRow("match is a string") << triggers + "    a: {match: push}\n"_ba << invalid
                                           << u"workflows.eventTriggers.a.match: expected a map"_s;
        QTest::newRow("match type is a list")
            << triggers + "    a: {match: {type: [x]}}\n"_ba << invalid
            << u"workflows.eventTriggers.a.match.type: expected a string"_s;
        QTest::newRow("entry is null")
            << head + "    a:\n"_ba << invalid << u"workflows.schedules.a: expected a map"_s;
        QTest::newRow("entry is a list")
            << head + "    a: [x]\n"_ba << invalid << u"workflows.schedules.a: expected a map"_s;
        QTest::newRow("schedules is a list") << "workflows:\n  schedules: [a]\n"_ba << invalid
                                             << u"workflows.schedules: expected a map"_s;
        QTest::newRow("workflows is a string")
            << "workflows: all\n"_ba << invalid << u"workflows: expected a map"_s;
        QTest::newRow("id with cfg_ prefix")
            << head + "    cfg_abc: {cron: x}\n"_ba << invalid
            << u"workflows.schedules.cfg_abc: workflow ids starting with \"cfg_\" are reserved"_s;
        QTest::newRow("id with a space") << head + "    \"a b\": {cron: x}\n"_ba << invalid
                                         << u"workflows.schedules[\"a b\"]: invalid workflow id"_s;
        QTest::newRow("id with a slash") << head + "    a/b: {cron: x}\n"_ba << invalid
                                         << u"workflows.schedules.a/b: invalid workflow id"_s;
        QTest::newRow("empty id") << head + "    \"\": {cron: x}\n"_ba << invalid
                                  << u"invalid workflow id"_s;
        QTest::newRow("id too long") << head + "    " + QByteArray(129, 'x') + ": {cron: x}\n"
                                     << invalid << u"invalid workflow id"_s;
        QTest::newRow("same id in both sections")
            << "workflows:\n  schedules:\n    x: {cron: a}\n  eventTriggers:\n    x: {}\n"_ba
            << int(ErrorCode::Conflict) << u"workflow id \"x\" appears twice"_s;
        QTest::newRow("oversized")
            << "# " + QByteArray(WorkflowYaml::MaxImportBytes, 'x') + "\n"
            << int(ErrorCode::PayloadTooLarge) << u"workflow import is larger than 256 KiB"_s;
        QTest::newRow("alias bomb")
            << billionLaughs() << invalid << u"workflow import:1:4: "_s + aliases;
        QTest::newRow("anchor without alias") << head + "    a: &base {cron: x}\n"_ba << invalid
                                              << u"workflow import:3:8: "_s + aliases;
        QTest::newRow("anchor on a scalar")
            << head + "    a: {cron: &c x}\n"_ba << invalid << aliases;
        QTest::newRow("alias of an unknown anchor")
            << head + "    a: *nowhere\n"_ba << invalid << u"workflow import:3:8: "_s + aliases;
        QTest::newRow("merge key") << head + "    a:\n      <<: {cron: x}\n"_ba << invalid
                                   << u"workflow import:4:7: "_s + aliases;
        QTest::newRow("merge key in a flow map")
            << head + "    a: {<<: {cron: x}}\n"_ba << invalid << aliases;
        QByteArray deep = head + "    a:\n      target: ";
        deep += QByteArray(200, '[') + QByteArray(200, ']') + "\n";
        QTest::newRow("too deep") << deep << invalid << u"YAML nesting is too deep"_s;
        QTest::newRow("much too deep")
            << head + "    a: {target: " + QByteArray(100'000, '[') + "\n"
            << invalid << u"invalid YAML"_s;
    }

    void badImports()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(int, code);
        QFETCH(QString, expected);
        // Refused, not crashed; a reader that took too long would hit ctest's timeout (no timing
        // asserts: they fail on a loaded machine, as under the sanitizers).
        const Result<QList<WorkflowYaml::Entry>> read = WorkflowYaml::read(yaml);
        QVERIFY(!read);
        QVERIFY2(read.error().message.contains(expected), qPrintable(read.error().message));
        QCOMPARE(int(read.error().code), code);
    }

    void quotedMergeKeyIsAPlainKey()
    {
        // Only a plain << is YAML's merge key; quoted, it is data like any other key.
        const QByteArray yaml = "workflows:\n  schedules:\n    a:\n      target: {\"<<\": 1}\n";
        const Result<QList<WorkflowYaml::Entry>> read = WorkflowYaml::read(yaml);
        QVERIFY2(read, read ? "" : qPrintable(read.error().message));
        QCOMPARE(read->front().body.value(u"target"_s), QJsonObject({{u"<<"_s, 1}}));
    }

    void allProblemsAreReported()
    {
        const QString message = errorOf("workflows:\n  schedules:\n    cfg_a: {crn: x}\n"
                                        "    b: {paused: 1, permissions: []}\n");
        const QStringList expected{
            u"workflow import:3:5: workflows.schedules.cfg_a: workflow ids starting with \"cfg_\" "
            u"are reserved for the config file"_s,
            u"workflow import:3:13: unknown key \"workflows.schedules.cfg_a.crn\" (did you mean "
            u"\"cron\"?)"_s,
            u"workflow import:4:9: workflows.schedules.b.paused: expected true or false, found "
            u"\"1\""_s,
            u"workflow import:4:20: workflows.schedules.b.permissions: permissions can only be set "
            u"in the config file"_s,
        };
        QCOMPARE(message.split(u'\n'), expected);
    }

    void aliasBombFailsFastWithoutMemory()
    {
        const qint64 before = peakRssKiB();
        QByteArray yaml = "workflows:\n  schedules:\n    a:\n      target:\n";
        for (const QByteArray &line : billionLaughs().split('\n')) {
            yaml += "        " + line + "\n";
        }
        QCOMPARE(errorOf(yaml),
                 u"workflow import:5:12: YAML aliases and anchors are not allowed in a workflow "
                 u"import"_s);
        QVERIFY(peakRssKiB() - before < 20 * 1024);
    }

    // ConfigNode::parse (config files, manifests, OpenAPI documents) keeps aliases, but stops a
    // document that expands past its node budget.
    void configNodeStopsBillionLaughs()
    {
        const qint64 before = peakRssKiB();
        ConfigErrors errors;
        const std::optional<ConfigNode> root =
            ConfigNode::parse(billionLaughs(), SourceLocation{u"config.yaml"_s}, errors);
        QVERIFY(!root);
        QCOMPARE(errors.messages(),
                 QStringList{u"config.yaml: YAML document expands to too many nodes (aliases?)"_s});
        QVERIFY(peakRssKiB() - before < 512 * 1024);
    }

    void configNodeStopsSelfReference()
    {
        ConfigErrors errors;
        const std::optional<ConfigNode> root =
            ConfigNode::parse("a: &a [*a, *a]\n"_ba, SourceLocation{u"config.yaml"_s}, errors);
        QVERIFY(!root || !errors.isEmpty());
        QVERIFY(!errors.isEmpty());
    }

    void configNodeKeepsModestAliases()
    {
        ConfigErrors errors;
        const std::optional<ConfigNode> root =
            ConfigNode::parse("base: &base {x: 1}\nuse: [*base, *base]\n"_ba,
                              SourceLocation{u"config.yaml"_s},
                              errors);
        QVERIFY2(root && errors.isEmpty(), qPrintable(errors.messages().join(u'\n')));
        QCOMPARE(root->child(u"use")->toJson(),
                 QJsonArray({QJsonObject{{u"x"_s, 1}}, QJsonObject{{u"x"_s, 1}}}));
    }

    void configNodeBudgetGrowsWithTheText()
    {
        // 220,000 nodes without aliases: more than the minimum budget, but only ~2 bytes each.
        QByteArray yaml = "list: [";
        yaml += QByteArrayList(220'000, "1").join(',');
        yaml += "]\n";
        ConfigErrors errors;
        const std::optional<ConfigNode> root =
            ConfigNode::parse(yaml, SourceLocation{u"big.yaml"_s}, errors);
        QVERIFY2(root && errors.isEmpty(), qPrintable(errors.messages().join(u'\n')));
        QCOMPARE(root->child(u"list")->items().size(), size_t(220'000));
    }
};

QTEST_GUILESS_MAIN(tst_WorkflowYaml)
#include "tst_workflowyaml.moc"
