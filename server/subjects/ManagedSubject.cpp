// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "subjects/ManagedSubject.h"

#include "shared/TimeFormat.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

QJsonObject ManagedSubject::toJson() const
{
    QJsonObject json{
        {u"id"_s, subjectId()},
        {u"subjectId"_s, subjectId()},
        {u"kind"_s, kind},
        {u"displayName"_s, displayName.isEmpty() ? id : displayName},
        {u"createdAt"_s, isoUtc(createdAt)},
        {u"updatedAt"_s, isoUtc(updatedAt)},
    };
    if (!description.isEmpty()) {
        json.insert(u"description"_s, description);
    }
    if (!createdBySubjectId.isEmpty()) {
        json.insert(u"createdBySubjectId"_s, createdBySubjectId);
    }
    if (deletedAt) {
        json.insert(u"deletedAt"_s, isoUtc(*deletedAt));
    }
    return json;
}

} // namespace Gestalt
