// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/Relationship.h"

#include "shared/TimeFormat.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

QJsonObject Relationship::toJson() const
{
    return {
        {u"subject"_s, QJsonObject{{u"type"_s, subject.kind}, {u"id"_s, subject.id}}},
        {u"relation"_s, relation},
        {u"resource"_s, QJsonObject{{u"type"_s, resource.type}, {u"id"_s, resource.id}}},
        {u"managed"_s, managed},
    };
}

QJsonObject AuthzModel::toJson(bool withDefinition) const
{
    QJsonObject json{
        {u"id"_s, id},
        {u"version"_s, version},
        {u"createdAt"_s, isoUtc(createdAt)},
    };
    if (withDefinition) {
        json.insert(u"definition"_s, definition);
    }
    return json;
}

} // namespace Gestalt
