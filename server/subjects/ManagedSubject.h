// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Gestalt {

// A managed subject (service account), row of `managed_subjects`. Deleting is soft: the row keeps
// its id so it is never reused.
struct ManagedSubject
{
    QString id; // the bare id ("release-bot"); subject id is service_account:<id>
    QString kind = QStringLiteral("service_account");
    QString displayName; // defaults to id
    QString description;
    QString createdBySubjectId;
    QDateTime createdAt;
    QDateTime updatedAt;
    std::optional<QDateTime> deletedAt;

    [[nodiscard]] QString subjectId() const { return kind + u':' + id; }
    // {id (= subjectId), subjectId, kind, displayName, description?, createdBySubjectId?,
    //  createdAt, updatedAt, deletedAt?}
    [[nodiscard]] QJsonObject toJson() const;
};

} // namespace Gestalt
