// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>

// The authorization objects of the operator API (http-api.md, Operator Surfaces; gestalt-facts
// §5.4): gestaltd writes them, gestalt-console reads them.
namespace Gestalt::Wire {

// One app of GET /admin/api/v1/authorization/apps.
struct AppPolicy
{
    QString name;
    QString displayName; // the name when the server sends none
    QString policy;      // "authorizationPolicy"

    [[nodiscard]] QJsonObject toJson() const;
    bool operator==(const AppPolicy &) const = default;
    static AppPolicy fromJson(const QJsonObject &object);
};

// One row of GET …/apps/{app}/members or …/admins/members.
struct MemberRow
{
    QString subjectId; // empty for a static row that names an email only
    QString email;
    QString role;
    QString source; // "static" | "dynamic"
    bool effective = true;
    bool isMutable = false;
    QString shadowedBy;   // "static" when a static row hides this dynamic one
    QString selectorKind; // "subject_id" | "email"
    QString selectorValue;

    [[nodiscard]] bool isStatic() const { return source == QLatin1String("static"); }
    // The subject as people read it: the subject id, else the selector.
    [[nodiscard]] QString subject() const;
    // subjectId, email and shadowedBy only when set.
    [[nodiscard]] QJsonObject toJson() const;
    bool operator==(const MemberRow &) const = default;
    static MemberRow fromJson(const QJsonObject &object);
};

} // namespace Gestalt::Wire
