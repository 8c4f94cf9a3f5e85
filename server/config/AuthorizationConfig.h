// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QMap>
#include <QString>

namespace Gestalt {

enum class PolicyEffect {
    Deny,
    Allow, // users without a role get `viewer`; never applies to non-user subjects
};

struct PolicyMember
{
    QString subjectId; // written `subjectID`: user:<id>, service_account:<id>...
    QString email;     // or a user by email (lower-cased); exactly one of the two
    QString role;
};

struct AuthorizationPolicy
{
    PolicyEffect defaultEffect = PolicyEffect::Deny;
    QList<PolicyMember> members;
};

struct AuthorizationConfig
{
    QMap<QString, AuthorizationPolicy> policies;
};

} // namespace Gestalt
