// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/SourceLocation.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <optional>
#include <vector>

namespace YAML {
class EventHandler;
} // namespace YAML

namespace Gestalt {

class ConfigErrors;

// A YAML document as plain values that remember where they were written. yaml-cpp is only used
// (and its exceptions only caught) inside parse(); everything after works on this tree: path
// rebasing, the deep merge of several files, typed decoding and free-form blocks.
class ConfigNode final
{
public:
    enum class Kind {
        Null,
        Scalar,
        Sequence,
        Map,
    };
    struct Entry;

    ConfigNode() = default;

    // Parses one YAML document. `file` names the source (line and column are ignored). Syntax
    // errors, duplicate keys, non-string keys and unclosed quotes go to `errors`; returns nullopt
    // when the text is not usable. An empty document gives an empty map. Aliases are copied at
    // every use, so a document that expands to more than max(200,000, 2 per byte of text) nodes
    // fails ("YAML document expands to too many nodes") instead of growing without bound.
    [[nodiscard]] static std::optional<ConfigNode>
    parse(const QByteArray &utf8, const SourceLocation &file, ConfigErrors &errors);

    // Runs yaml-cpp's parser over `utf8`, passing the events of each document to `handler`, and
    // returns how many documents it handled, stopping after `maxDocuments`. Every loop over YAML
    // documents goes through here: yaml-cpp 0.7 (Debian 12's) reports an endless run of empty
    // documents for some malformed text (a line holding only ",": jbeder/yaml-cpp#1319, found by
    // fuzz/fuzz_workflow_yaml), so an unbounded `while (HandleNextDocument())` spins and grows
    // without end. Throws what yaml-cpp throws (YAML::Exception).
    static int
    parseYamlDocuments(const QByteArray &utf8, YAML::EventHandler &handler, int maxDocuments);

    [[nodiscard]] Kind kind() const { return m_kind; }
    [[nodiscard]] bool isNull() const { return m_kind == Kind::Null; }
    [[nodiscard]] bool isScalar() const { return m_kind == Kind::Scalar; }
    [[nodiscard]] bool isSequence() const { return m_kind == Kind::Sequence; }
    [[nodiscard]] bool isMap() const { return m_kind == Kind::Map; }
    [[nodiscard]] const SourceLocation &location() const { return m_location; }

    // Scalar text exactly as written (after YAML unquoting).
    [[nodiscard]] const QString &text() const { return m_text; }
    void setText(const QString &text);
    // Turns this node into a quoted scalar holding a resolved secret: decoders and error messages
    // must not echo it (ConfigMapReader writes "a secret value" instead).
    void setSecretText(const QString &text);
    [[nodiscard]] bool isSecret() const { return m_secret; }

    [[nodiscard]] const std::vector<ConfigNode> &items() const { return m_items; }
    [[nodiscard]] const std::vector<Entry> &entries() const { return m_entries; }
    // For passes that rewrite values in place (secret refs); keys must not change.
    [[nodiscard]] std::vector<ConfigNode> &mutableItems() { return m_items; }
    [[nodiscard]] std::vector<Entry> &mutableEntries() { return m_entries; }
    [[nodiscard]] const Entry *entry(QStringView key) const;
    [[nodiscard]] const ConfigNode *child(QStringView key) const;
    [[nodiscard]] ConfigNode *child(QStringView key);
    void removeEntry(QStringView key);

    // Deep merge of a later file: maps merge key by key, an explicit null deletes the key, any
    // other value (scalar, list, or a map over a non-map) replaces what was there.
    void mergeFrom(const ConfigNode &overlay);

    // Free-form value: plain scalars resolve like YAML 1.2 core (null, bool, int, float, string).
    [[nodiscard]] QJsonValue toJson() const;

private:
    friend class ConfigNodeBuilder;

    Kind m_kind = Kind::Null;
    SourceLocation m_location;
    QString m_text;
    bool m_quoted = false;
    bool m_secret = false;
    std::vector<ConfigNode> m_items;
    std::vector<Entry> m_entries;
};

struct ConfigNode::Entry
{
    QString key;
    SourceLocation keyLocation;
    ConfigNode value;
};

} // namespace Gestalt
