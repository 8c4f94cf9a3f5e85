// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/ConfigNode.h"

#include "config/ConfigErrors.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <sstream>
#include <string>
#include <utility>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int maxDepth = 128;
// yaml-cpp shares an aliased node; build() copies it at every use, so nine nested lists of ten
// aliases ("billion laughs") would become 10^9 ConfigNodes. Text without aliases has at most about
// one node per byte, so the budget only stops documents that aliases blow up.
constexpr qsizetype minNodeBudget = 200'000;
constexpr qsizetype nodesPerByte = 2;

bool leadingWhitespaceHasTab(const QByteArray &line)
{
    for (const char c : line) {
        if (c == '\t') {
            return true;
        }
        if (c != ' ') {
            return false;
        }
    }
    return false;
}

// yaml-cpp lets a quoted scalar run to the end of the text when its closing quote is missing.
bool quoteIsClosed(const QByteArray &text, qsizetype start)
{
    const char quote = text.at(start);
    for (qsizetype i = start + 1; i < text.size(); ++i) {
        const char c = text.at(i);
        if (quote == '"' && c == '\\') {
            ++i;
        } else if (c == quote) {
            if (quote == '\'' && i + 1 < text.size() && text.at(i + 1) == '\'') {
                ++i;
            } else {
                return true;
            }
        }
    }
    return false;
}

} // namespace

// Turns a yaml-cpp tree into ConfigNodes; the only code that touches yaml-cpp nodes.
// Events ignored: parseYamlDocuments() with it only counts documents and finds syntax errors.
class DocumentCounter final : public YAML::EventHandler
{
public:
    void OnDocumentStart(const YAML::Mark &) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
    void
    OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t, const std::string &) override
    {}
    void OnSequenceStart(const YAML::Mark &,
                         const std::string &,
                         YAML::anchor_t,
                         YAML::EmitterStyle::value) override
    {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark &,
                    const std::string &,
                    YAML::anchor_t,
                    YAML::EmitterStyle::value) override
    {}
    void OnMapEnd() override {}
};

class ConfigNodeBuilder final
{
public:
    ConfigNodeBuilder(const QByteArray &text, SourceLocation file, ConfigErrors &errors)
        : m_text(text)
        , m_file(std::move(file))
        , m_errors(errors)
        , m_nodeBudget(std::max(minNodeBudget, nodesPerByte * text.size()))
    {}

    SourceLocation at(const YAML::Mark &mark) const
    {
        SourceLocation where = m_file;
        where.line = mark.line >= 0 ? mark.line + 1 : 0;
        where.column = mark.column >= 0 ? mark.column + 1 : 0;
        return where;
    }

    bool hasTabIndentNear(int line) const
    {
        const QList<QByteArray> lines = m_text.split('\n');
        for (int i = std::max(0, line - 1); i <= line && i < lines.size(); ++i) {
            if (leadingWhitespaceHasTab(lines.at(i))) {
                return true;
            }
        }
        return false;
    }

    ConfigNode build(const YAML::Node &node, const SourceLocation &fallback, int depth)
    {
        ConfigNode out;
        const YAML::Mark mark = node.Mark();
        out.m_location = mark.line >= 0 ? at(mark) : fallback;
        if (--m_nodeBudget < 0) {
            if (m_nodeBudget == -1) {
                m_errors.add(m_file, u"YAML document expands to too many nodes (aliases?)"_s);
            }
            m_failed = true;
            return out;
        }
        if (depth > maxDepth) {
            m_errors.add(out.m_location, u"YAML nesting is too deep"_s);
            return out;
        }
        switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            out.m_kind = ConfigNode::Kind::Null;
            out.m_location = fallback;
            break;
        case YAML::NodeType::Scalar: {
            out.m_kind = ConfigNode::Kind::Scalar;
            out.m_text = QString::fromStdString(node.Scalar());
            const std::string &tag = node.Tag();
            out.m_quoted = tag != "?" && tag != "tag:yaml.org,2002:int"
                           && tag != "tag:yaml.org,2002:float" && tag != "tag:yaml.org,2002:bool"
                           && tag != "tag:yaml.org,2002:null";
            const auto pos = static_cast<qsizetype>(mark.pos);
            if (out.m_quoted && pos >= 0 && pos < m_text.size()
                && (m_text.at(pos) == '"' || m_text.at(pos) == '\'')
                && !quoteIsClosed(m_text, pos)) {
                m_errors.add(out.m_location, u"invalid YAML: unclosed quoted string"_s);
                m_failed = true;
            }
            break;
        }
        case YAML::NodeType::Sequence:
            out.m_kind = ConfigNode::Kind::Sequence;
            for (const YAML::Node &item : node) {
                if (m_nodeBudget < 0) {
                    break;
                }
                out.m_items.push_back(build(item, out.m_location, depth + 1));
            }
            break;
        case YAML::NodeType::Map: {
            out.m_kind = ConfigNode::Kind::Map;
            QSet<QString> seen;
            for (auto it = node.begin(); it != node.end() && m_nodeBudget >= 0; ++it) {
                const SourceLocation keyAt = at(it->first.Mark());
                if (!it->first.IsScalar()) {
                    m_errors.add(keyAt, u"invalid YAML: map keys must be plain strings"_s);
                    m_failed = true;
                    continue;
                }
                const QString key = QString::fromStdString(it->first.Scalar());
                if (seen.contains(key)) {
                    m_errors.add(keyAt, u"duplicate key \"%1\""_s.arg(key));
                    continue;
                }
                seen.insert(key);
                out.m_entries.push_back(
                    ConfigNode::Entry{key, keyAt, build(it->second, keyAt, depth + 1)});
            }
            break;
        }
        }
        return out;
    }

    std::optional<ConfigNode> parse()
    {
        try {
            // Count first (and report syntax errors), never past a second document: see
            // parseYamlDocuments(). Then build the one document there is.
            DocumentCounter counter;
            if (ConfigNode::parseYamlDocuments(m_text, counter, 2) > 1) {
                m_errors.add(m_file,
                             u"a config file must hold one YAML document, found more than one"_s);
                return std::nullopt;
            }
            const YAML::Node document = YAML::Load(m_text.toStdString());
            SourceLocation start = m_file;
            start.line = 1;
            start.column = 1;
            if (!document.IsDefined() || document.IsNull()) {
                ConfigNode empty;
                empty.m_kind = ConfigNode::Kind::Map;
                empty.m_location = start;
                return empty;
            }
            ConfigNode root = build(document, start, 0);
            if (!root.isMap()) {
                m_errors.add(root.location(), u"the top level of a config file must be a map"_s);
                return std::nullopt;
            }
            if (m_failed) {
                return std::nullopt;
            }
            return root;
        } catch (const YAML::ParserException &e) {
            QString message = u"invalid YAML: "_s + QString::fromStdString(e.msg);
            if (hasTabIndentNear(e.mark.line)) {
                message += u" (tabs cannot indent YAML; use spaces)"_s;
            }
            m_errors.add(at(e.mark), message);
        } catch (const YAML::Exception &e) {
            m_errors.add(m_file, u"invalid YAML: "_s + QString::fromStdString(e.msg));
        }
        return std::nullopt;
    }

private:
    const QByteArray &m_text;
    SourceLocation m_file;
    ConfigErrors &m_errors;
    qsizetype m_nodeBudget;
    bool m_failed = false;
};

int ConfigNode::parseYamlDocuments(const QByteArray &utf8,
                                   YAML::EventHandler &handler,
                                   int maxDocuments)
{
    std::istringstream in(utf8.toStdString());
    YAML::Parser parser(in);
    int documents = 0;
    while (documents < maxDocuments && parser.HandleNextDocument(handler)) {
        ++documents;
    }
    return documents;
}

std::optional<ConfigNode>
ConfigNode::parse(const QByteArray &utf8, const SourceLocation &file, ConfigErrors &errors)
{
    SourceLocation where = file;
    where.line = 0;
    where.column = 0;
    ConfigNodeBuilder builder(utf8, where, errors);
    return builder.parse();
}

void ConfigNode::setText(const QString &text)
{
    m_kind = Kind::Scalar;
    m_text = text;
    m_quoted = true;
}

void ConfigNode::setSecretText(const QString &text)
{
    setText(text);
    m_items.clear();
    m_entries.clear();
    m_secret = true;
}

const ConfigNode::Entry *ConfigNode::entry(QStringView key) const
{
    for (const Entry &e : m_entries) {
        if (e.key == key) {
            return &e;
        }
    }
    return nullptr;
}

const ConfigNode *ConfigNode::child(QStringView key) const
{
    const Entry *e = entry(key);
    return e ? &e->value : nullptr;
}

ConfigNode *ConfigNode::child(QStringView key)
{
    for (Entry &e : m_entries) {
        if (e.key == key) {
            return &e.value;
        }
    }
    return nullptr;
}

void ConfigNode::removeEntry(QStringView key)
{
    m_entries.erase(std::remove_if(m_entries.begin(),
                                   m_entries.end(),
                                   [key](const Entry &e) { return e.key == key; }),
                    m_entries.end());
}

void ConfigNode::mergeFrom(const ConfigNode &overlay)
{
    if (!isMap() || !overlay.isMap()) {
        *this = overlay;
        return;
    }
    for (const Entry &incoming : overlay.m_entries) {
        auto existing = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry &e) {
            return e.key == incoming.key;
        });
        if (incoming.value.isNull()) {
            if (existing != m_entries.end()) {
                m_entries.erase(existing);
            }
            continue;
        }
        if (existing == m_entries.end()) {
            m_entries.push_back(incoming);
        } else if (existing->value.isMap() && incoming.value.isMap()) {
            existing->value.mergeFrom(incoming.value);
        } else {
            *existing = incoming;
        }
    }
}

QJsonValue ConfigNode::toJson() const
{
    switch (m_kind) {
    case Kind::Null:
        return QJsonValue::Null;
    case Kind::Sequence: {
        QJsonArray array;
        for (const ConfigNode &item : m_items) {
            array.append(item.toJson());
        }
        return array;
    }
    case Kind::Map: {
        QJsonObject object;
        for (const Entry &e : m_entries) {
            object.insert(e.key, e.value.toJson());
        }
        return object;
    }
    case Kind::Scalar:
        break;
    }
    if (m_quoted) {
        return m_text;
    }
    static const QRegularExpression nullRe(u"^(~|null|Null|NULL|)$"_s);
    static const QRegularExpression trueRe(u"^(true|True|TRUE)$"_s);
    static const QRegularExpression falseRe(u"^(false|False|FALSE)$"_s);
    static const QRegularExpression intRe(u"^[-+]?[0-9]+$"_s);
    static const QRegularExpression floatRe(
        u"^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"_s);
    if (nullRe.match(m_text).hasMatch()) {
        return QJsonValue::Null;
    }
    if (trueRe.match(m_text).hasMatch()) {
        return true;
    }
    if (falseRe.match(m_text).hasMatch()) {
        return false;
    }
    bool ok = false;
    if (intRe.match(m_text).hasMatch()) {
        const qint64 value = m_text.toLongLong(&ok);
        if (ok) {
            return value;
        }
    }
    if (m_text.startsWith(u"0x"_s)) {
        const qint64 value = m_text.mid(2).toLongLong(&ok, 16);
        if (ok) {
            return value;
        }
    }
    if (m_text.startsWith(u"0o"_s)) {
        const qint64 value = m_text.mid(2).toLongLong(&ok, 8);
        if (ok) {
            return value;
        }
    }
    if (floatRe.match(m_text).hasMatch()) {
        const double value = m_text.toDouble(&ok);
        if (ok) {
            return value;
        }
    }
    return m_text;
}

} // namespace Gestalt
