// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/SubjectId.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Gestalt {

// Resource types of the dynamic authorization store (gestalt-facts §5.3, our names).
namespace ResourceType {
inline constexpr QStringView App = u"app";                        // id: app name; relation: role
inline constexpr QStringView Admin = u"admin";                    // id: "gestalt"; built-in admins
inline constexpr QStringView ManagedSubject = u"managed_subject"; // id: service_account:<id>
inline constexpr QStringView AppStatic = u"app_static";           // managed copy of config members
inline constexpr QStringView AdminStatic = u"admin_static";       // managed copy of admin members
} // namespace ResourceType

struct ResourceRef
{
    QString type;
    QString id;
    friend bool operator==(const ResourceRef &, const ResourceRef &) = default;
};

// One tuple `<subject> <relation> <resource>`. A subject holds at most one relation per resource:
// writing another relation replaces it (relations are roles).
struct Relationship
{
    SubjectId subject;
    QString relation;
    ResourceRef resource;
    bool managed = false; // written by gestaltd from the config, not through the API
    QDateTime createdAt;  // UTC
    QDateTime updatedAt;  // UTC

    // {subject:{type,id}, relation, resource:{type,id}, managed}
    [[nodiscard]] QJsonObject toJson() const;
};

// Filters of RelationshipRepository::list(); empty fields match everything.
struct RelationshipFilter
{
    QString subjectType;
    QString subjectId;
    QString relation;
    QString resourceType;
    QString resourceId;
    std::optional<bool> managed;
};

struct RelationshipPage
{
    QList<Relationship> relationships;
    QString nextPageToken; // empty on the last page
};

// An authorization model: the resource types and the relations (roles) each allows, derived from
// the config. Its id is a content hash, so the same config yields the same model on every replica.
struct AuthzModel
{
    QString id;
    int version = 0;        // 1, 2, ... in order of first write
    QJsonObject definition; // {"types": {"app": ["admin","editor","viewer"], ...}}
    QDateTime createdAt;
    bool active = false;

    // {id, version, createdAt} (+ definition when `withDefinition`)
    [[nodiscard]] QJsonObject toJson(bool withDefinition = false) const;
};

struct AuthzModelPage
{
    QList<AuthzModel> models;
    QString nextPageToken;
};

} // namespace Gestalt
