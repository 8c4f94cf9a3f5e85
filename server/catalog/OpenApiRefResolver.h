// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gestalt {

class ConfigErrors;
class ConfigNode;

// Follows the local $refs of one OpenAPI document ("#/components/schemas/Pet", JSON-pointer
// escapes ~0 ~1 and percent-encoding included). Problems go to `errors` as
// "<place>: <problem>" under the document's name; every function returns something usable.
//   * A remote $ref (not starting with '#') and a $ref that names nothing are problems.
//   * A schema that refers back to itself is cut where the $ref repeats: that spot becomes the
//     placeholder {"type":"object"} (no $ref is left in the result).
//   * At most 64 $refs may be open at once; a schema may nest at most 256 levels and expand to
//     at most 100000 nodes, a document to at most 2000000 (so a small document cannot fan out
//     into a huge one).
// Only schema positions are expanded (properties, items, allOf...); values such as examples,
// defaults and enums are copied as written even when they hold a "$ref" key.
class OpenApiRefResolver final
{
public:
    OpenApiRefResolver(const ConfigNode &root, ConfigErrors &errors, QString source);

    // A component (parameter, request body, path item, security scheme) with its $ref chain
    // followed; keys written next to a $ref are ignored. nullptr when the chain is broken.
    [[nodiscard]] const ConfigNode *follow(const ConfigNode &node, const QString &place);
    // A schema with every $ref replaced by what it names. Boolean schemas (3.1) and broken
    // parts give an empty object.
    [[nodiscard]] QJsonObject schema(const ConfigNode &node, const QString &place);

    // The dotted place a JSON pointer names: "#/paths/~1pets/get" → "paths./pets.get".
    [[nodiscard]] static QString placeOf(const QString &ref);
    // Adds "<place>: <problem>" for this document.
    void problem(const QString &place, const QString &message);

    // Typed reads of `map`.`key` that report a wrong type as a problem at "<place>.<key>".
    // Absent and null values give nullopt / nullptr without a problem (requiredText: "required").
    [[nodiscard]] std::optional<QString>
    text(const ConfigNode &map, QStringView key, const QString &place);
    [[nodiscard]] std::optional<QString>
    requiredText(const ConfigNode &map, QStringView key, const QString &place);
    [[nodiscard]] const ConfigNode *
    mapAt(const ConfigNode &map, QStringView key, const QString &place);
    [[nodiscard]] bool flag(const ConfigNode &map, QStringView key, const QString &place);
    // "a.b" from "a" and "b"; "b" when `place` is empty.
    [[nodiscard]] static QString join(const QString &place, QStringView key);
    // "<place>[<index>]": an array element's place.
    [[nodiscard]] static QString indexed(const QString &place, size_t index);

private:
    [[nodiscard]] const ConfigNode *lookup(const QString &ref, const QString &place);
    [[nodiscard]] QJsonValue expand(const ConfigNode &node, const QString &place, int depth);
    [[nodiscard]] QJsonValue expandRef(const ConfigNode &node, const QString &place, int depth);
    [[nodiscard]] QJsonValue expandMap(const ConfigNode &node, const QString &place, int depth);
    [[nodiscard]] bool spend(const QString &place);

    const ConfigNode &m_root;
    ConfigErrors &m_errors;
    QString m_source;
    struct Target
    {
        const ConfigNode *node = nullptr;
        QString place;
    };
    QHash<QString, Target> m_targets; // resolved $refs
    QStringList m_open;               // $refs being expanded, innermost last
    qint64 m_schemaNodes = 0;
    qint64 m_documentNodes = 0;
    bool m_overBudget = false;
};

} // namespace Gestalt
