// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowYaml.h"

#include "config/ConfigErrors.h"
#include "config/ConfigMapReader.h"
#include "config/ConfigNode.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QStringDecoder>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

using namespace Qt::StringLiterals;

namespace Gestalt::WorkflowYaml {

namespace {

using Kind = WorkflowDefinition::Kind;

// --- write() ---------------------------------------------------------------------------------

// Strings that every YAML reader (1.1 or 1.2) takes as a plain string; anything else is
// double-quoted, so "true", "1", "null", "", "0x10" or "a: b" come back as the same string.
bool isPlainSafe(const QString &text)
{
    static const QRegularExpression safe(u"^[A-Za-z_][A-Za-z0-9_./@+-]*( [A-Za-z0-9_./@+-]+)*$"_s);
    static const QRegularExpression reserved(u"^(y|n|yes|no|on|off|true|false|null)$"_s,
                                             QRegularExpression::CaseInsensitiveOption);
    return safe.match(text).hasMatch() && !reserved.match(text).hasMatch();
}

void emitString(YAML::Emitter &out, const QString &text)
{
    if (!isPlainSafe(text)) {
        out << YAML::DoubleQuoted;
    }
    out << text.toStdString();
}

void emitJson(YAML::Emitter &out, const QJsonValue &value);

// Keys in this order come first in every map, so a step reads as id, app {name, operation, ...};
// YAML maps are unordered, so this is only for people.
const QStringList &leadingKeys()
{
    static const QStringList keys =
        u"id type source subject name operation connection instance provider model prompt"_s.split(
            u' ');
    return keys;
}

void emitMap(YAML::Emitter &out, const QJsonObject &object)
{
    QStringList keys = object.keys();
    std::stable_sort(keys.begin(), keys.end(), [](const QString &a, const QString &b) {
        const auto rank = [](const QString &key) {
            const qsizetype at = leadingKeys().indexOf(key);
            return at < 0 ? leadingKeys().size() : at;
        };
        return rank(a) < rank(b);
    });
    if (keys.isEmpty()) {
        out << YAML::Flow;
    }
    out << YAML::BeginMap;
    for (const QString &key : std::as_const(keys)) {
        out << YAML::Key;
        emitString(out, key);
        out << YAML::Value;
        emitJson(out, object.value(key));
    }
    out << YAML::EndMap;
}

void emitJson(YAML::Emitter &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Object:
        emitMap(out, value.toObject());
        return;
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            out << YAML::Flow;
        }
        out << YAML::BeginSeq;
        for (const auto &item : array) {
            emitJson(out, item);
        }
        out << YAML::EndSeq;
        return;
    }
    case QJsonValue::String:
        emitString(out, value.toString());
        return;
    case QJsonValue::Bool:
        out << value.toBool();
        return;
    case QJsonValue::Double: {
        const double number = value.toDouble();
        if (!std::isfinite(number)) {
            break; // JSON has no infinities; QJsonDocument writes them as null too
        }
        // Plain scalars that ConfigNode::toJson() reads back as the same number.
        if (std::trunc(number) == number && std::abs(number) < 9.0e15) {
            out << QString::number(value.toInteger()).toStdString();
        } else {
            out << QString::number(number, 'g', QLocale::FloatingPointShortest).toStdString();
        }
        return;
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    out << YAML::Null;
}

void emitDefinition(YAML::Emitter &out, const WorkflowDefinition &d)
{
    out << YAML::Key;
    emitString(out, d.id);
    out << YAML::Value << YAML::BeginMap;
    if (d.isSchedule()) {
        out << YAML::Key << "cron" << YAML::Value;
        emitString(out, d.cron);
        out << YAML::Key << "timezone" << YAML::Value;
        emitString(out, d.timezone);
    } else {
        QJsonObject match{{u"type"_s, d.matchType}};
        if (!d.matchSource.isEmpty()) {
            match.insert(u"source"_s, d.matchSource);
        }
        if (!d.matchSubject.isEmpty()) {
            match.insert(u"subject"_s, d.matchSubject);
        }
        out << YAML::Key << "match" << YAML::Value;
        emitMap(out, match);
        if (!d.publishers.isEmpty()) {
            out << YAML::Key << "publishers" << YAML::Value;
            emitJson(out, QJsonArray::fromStringList(d.publishers));
        }
    }
    out << YAML::Key << "paused" << YAML::Value << d.paused;
    if (!d.provider.isEmpty() && d.provider != u"builtin") {
        out << YAML::Key << "provider" << YAML::Value;
        emitString(out, d.provider);
    }
    out << YAML::Key << "target" << YAML::Value;
    emitMap(out, d.target.toJson());
    out << YAML::EndMap;
}

void emitSection(YAML::Emitter &out, const char *name, QList<const WorkflowDefinition *> section)
{
    std::sort(
        section.begin(), section.end(), [](const auto *a, const auto *b) { return a->id < b->id; });
    out << YAML::Key << name << YAML::Value;
    if (section.isEmpty()) {
        out << YAML::Flow;
    }
    out << YAML::BeginMap;
    for (const WorkflowDefinition *d : std::as_const(section)) {
        emitDefinition(out, *d);
    }
    out << YAML::EndMap;
}

// --- read(): the event scan --------------------------------------------------------------------

// Looks at the parser's events before anything is built. yaml-cpp shares an aliased node and
// ConfigNode copies it at every use, so aliases are how a small text becomes a huge tree; here
// they cost nothing. Records the first alias, anchor or plain `<<` merge key, the number of
// documents and what the first document's root is.
class ImportScan final : public YAML::EventHandler
{
public:
    enum class Root {
        Null,
        Scalar,
        Map,
        Other
    };

    std::optional<YAML::Mark> forbidden;
    int documents = 0;
    Root root = Root::Null; // of the first document

    void OnDocumentStart(const YAML::Mark &) override { ++documents; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        node(mark, anchor, Root::Null);
    }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        flag(mark);
        node(mark, anchor, Root::Other);
    }
    void OnScalar(const YAML::Mark &mark,
                  const std::string &tag,
                  YAML::anchor_t anchor,
                  const std::string &value) override
    {
        // "?" is yaml-cpp's tag for a plain scalar; a quoted "<<" is an ordinary key.
        if (atKey() && tag == "?" && value == "<<") {
            flag(mark);
        }
        node(mark, anchor, Root::Scalar);
    }
    void OnSequenceStart(const YAML::Mark &mark,
                         const std::string &,
                         YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override
    {
        node(mark, anchor, Root::Other);
        m_open.push_back(Open{false, 0});
    }
    void OnSequenceEnd() override { m_open.pop_back(); }
    void OnMapStart(const YAML::Mark &mark,
                    const std::string &,
                    YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override
    {
        node(mark, anchor, Root::Map);
        m_open.push_back(Open{true, 0});
    }
    void OnMapEnd() override { m_open.pop_back(); }
    void OnAnchor(const YAML::Mark &mark, const std::string &) override { flag(mark); }

    void flag(const YAML::Mark &mark)
    {
        if (!forbidden) {
            forbidden = mark;
        }
    }

private:
    struct Open
    {
        bool map;
        qsizetype children;
    };

    [[nodiscard]] bool atKey() const
    {
        return !m_open.empty() && m_open.back().map && m_open.back().children % 2 == 0;
    }

    void node(const YAML::Mark &mark, YAML::anchor_t anchor, Root kind)
    {
        if (anchor != YAML::NullAnchor) {
            flag(mark);
        }
        if (!m_open.empty()) {
            ++m_open.back().children;
        } else if (documents == 1) {
            root = kind;
        }
    }

    std::vector<Open> m_open;
};

SourceLocation importLocation(int line = 0, int column = 0)
{
    return SourceLocation{u"workflow import"_s, 0, line, column};
}

SourceLocation locationOf(const YAML::Mark &mark)
{
    return importLocation(mark.line >= 0 ? mark.line + 1 : 0,
                          mark.column >= 0 ? mark.column + 1 : 0);
}

// Fails for aliases, anchors, merge keys, several documents and a root that is not a map.
// Syntax errors are left to ConfigNode::parse, which reports them with the same line numbers.
[[nodiscard]] Result<void> scan(const QByteArray &yaml)
{
    ImportScan events;
    bool complete = false;
    try {
        // Never past a second document (see ConfigNode::parseYamlDocuments).
        (void)ConfigNode::parseYamlDocuments(yaml, events, 2);
        complete = true;
    } catch (const YAML::Exception &e) {
        if (e.msg == YAML::ErrorMsg::UNKNOWN_ANCHOR) {
            events.flag(e.mark);
        }
    }
    ConfigErrors errors;
    if (events.forbidden) {
        errors.add(locationOf(*events.forbidden),
                   u"YAML aliases and anchors are not allowed in a workflow import"_s);
    } else if (complete && events.documents > 1) {
        errors.add(importLocation(),
                   u"a workflow import must hold one YAML document, found more than one"_s);
    } else if (complete && events.root != ImportScan::Root::Null
               && events.root != ImportScan::Root::Map) {
        errors.add(importLocation(1, 1),
                   u"the top level of a workflow import must be a map with the key "
                   u"\"workflows\""_s);
    }
    if (!errors.isEmpty()) {
        return errors.toError();
    }
    return {};
}

// --- read(): the shape of the tree ---------------------------------------------------------------

void insertString(ConfigMapReader &r, QJsonObject &body, const QString &key)
{
    if (r.has(key)) {
        body.insert(key, r.string(key)); // any scalar as written: `cron: 5` is "5"
    }
}

// The parsed tree as entries, checking keys and value kinds only (cron, time zones, providers and
// steps are WorkflowService::build()'s business). Problems go to `errors` as
// "workflow import:4:11: workflows.schedules.x.cron: expected a string, found a map".
QList<Entry> readEntries(const ConfigNode &root, ConfigErrors &errors)
{
    static const QRegularExpression validId(u"^[A-Za-z0-9._-]{1,128}$"_s);
    QList<Entry> entries;
    ConfigMapReader top(&root, QString(), importLocation(1, 1), errors);
    ConfigMapReader workflows = top.map(u"workflows");
    for (const Kind kind : {Kind::Schedule, Kind::EventTrigger}) {
        const bool isSchedule = kind == Kind::Schedule;
        for (const ConfigMapReader::Child &child :
             workflows.entries(isSchedule ? u"schedules" : u"eventTriggers")) {
            if (!validId.match(child.name).hasMatch()) {
                errors.add(child.location,
                           child.path
                               + u": invalid workflow id: use 1 to 128 letters, digits, \".\", "
                                 u"\"_\" or \"-\""_s);
            } else if (child.name.startsWith(u"cfg_")) {
                errors.add(child.location,
                           child.path
                               + u": workflow ids starting with \"cfg_\" are reserved for the "
                                 u"config file"_s);
            }
            if (child.node->isNull()) {
                errors.add(child.location, child.path + u": expected a map, found null"_s);
            }
            ConfigMapReader r(child, errors);
            if (!r.isMap()) {
                continue;
            }
            QJsonObject body;
            if (isSchedule) {
                insertString(r, body, u"cron"_s);
                insertString(r, body, u"timezone"_s);
            } else if (r.has(u"match")) {
                ConfigMapReader m = r.map(u"match");
                QJsonObject match;
                for (const QString &key : {u"type"_s, u"source"_s, u"subject"_s}) {
                    insertString(m, match, key);
                }
                body.insert(u"match"_s, match);
            }
            if (!isSchedule && r.has(u"publishers")) {
                body.insert(u"publishers"_s,
                            QJsonArray::fromStringList(r.stringList(u"publishers")));
            }
            if (r.has(u"paused")) {
                body.insert(u"paused"_s, r.boolean(u"paused", false));
            }
            insertString(r, body, u"provider"_s);
            if (r.has(u"target")) {
                body.insert(u"target"_s, r.object(u"target"));
            }
            if (r.has(u"permissions")) {
                r.error(u"permissions", u"permissions can only be set in the config file"_s);
            }
            entries.append(Entry{child.name, kind, body});
        }
    }
    return entries;
}

} // namespace

QByteArray write(const QList<WorkflowDefinition> &definitions)
{
    QList<const WorkflowDefinition *> schedules;
    QList<const WorkflowDefinition *> triggers;
    for (const WorkflowDefinition &d : definitions) {
        (d.isSchedule() ? schedules : triggers).append(&d);
    }
    YAML::Emitter out;
    out.SetIndent(2);
    out << YAML::BeginMap << YAML::Key << "workflows" << YAML::Value << YAML::BeginMap;
    emitSection(out, "schedules", schedules);
    emitSection(out, "eventTriggers", triggers);
    out << YAML::EndMap << YAML::EndMap;
    QByteArray text = "# Gestalt workflow definitions. Import them with POST "
                      "/api/v1/workflow/config/import,\n"
                      "# or paste the workflows section into a config file.\n"_ba;
    text.append(out.c_str(), qsizetype(out.size()));
    text.append('\n');
    return text;
}

Result<QList<Entry>> read(const QByteArray &yaml)
{
    if (yaml.size() > MaxImportBytes) {
        return Error{ErrorCode::PayloadTooLarge, u"workflow import is larger than 256 KiB"_s};
    }
    QByteArray text = yaml;
    if (text.startsWith("\xEF\xBB\xBF")) {
        text.remove(0, 3);
    }
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString decoded = utf8.decode(text);
    if (utf8.hasError()) {
        return Error::invalid(u"workflow import is not valid UTF-8"_s);
    }
    if (Result<void> scanned = scan(text); !scanned) {
        return scanned.error();
    }
    ConfigErrors errors;
    const std::optional<ConfigNode> root = ConfigNode::parse(text, importLocation(), errors);
    if (!root || !errors.isEmpty()) {
        if (errors.isEmpty()) {
            errors.add(importLocation(), u"not a usable YAML document"_s);
        }
        return errors.toError();
    }
    const QList<Entry> entries = readEntries(*root, errors);
    if (!errors.isEmpty()) {
        return errors.toError();
    }
    QSet<QString> schedules;
    for (const Entry &entry : std::as_const(entries)) {
        if (entry.kind == Kind::Schedule) {
            schedules.insert(entry.id);
        }
    }
    for (const Entry &entry : std::as_const(entries)) {
        if (entry.kind == Kind::EventTrigger && schedules.contains(entry.id)) {
            return Error::conflict(
                u"workflow id \"%1\" appears twice (as a schedule and as an event trigger)"_s.arg(
                    entry.id));
        }
    }
    return entries;
}

} // namespace Gestalt::WorkflowYaml
