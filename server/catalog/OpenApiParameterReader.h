// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/Operation.h"
#include "config/ConfigNode.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gestalt {

class OpenApiRefResolver;

// The inputs of one OpenAPI operation: `parameters` lists and the JSON request body, mapped as
// OpenApiLoader.h describes. Problems go to the resolver's errors.
class OpenApiParameterReader final
{
public:
    explicit OpenApiParameterReader(OpenApiRefResolver &refs);

    // `owner.parameters` (a path item's or an operation's) in the order written, with wireName,
    // location, type, required, description, default and schema set; `name` is left for the
    // caller (Operation::exposedName over the merged list).
    [[nodiscard]] QList<OperationParameter> declared(const ConfigNode &owner,
                                                     const QString &ownerPlace);
    // Appends the parameters `op.requestBody` gives, exposed names taken from `taken`.
    void
    addBody(const ConfigNode &op, const QString &opPlace, Operation &operation, QStringList &taken);

    // schema.type (the non-null one of a 3.1 list), else object / array by properties / items,
    // else the first typed allOf / oneOf / anyOf part, else string.
    [[nodiscard]] static QString typeOf(const QJsonObject &schema);

private:
    struct BodyField
    {
        QString name;
        const ConfigNode *schema = nullptr;
        QString place;
    };

    [[nodiscard]] std::optional<OperationParameter> readParameter(const ConfigNode &item,
                                                                  const QString &place);
    [[nodiscard]] static const ConfigNode::Entry *jsonMediaType(const ConfigNode &content);
    // The properties of an object schema in the order written, allOf parts merged.
    void collectProperties(const ConfigNode &written,
                           const QString &place,
                           QList<BodyField> &fields,
                           QStringList &required,
                           int depth);

    OpenApiRefResolver &m_refs;
};

} // namespace Gestalt
