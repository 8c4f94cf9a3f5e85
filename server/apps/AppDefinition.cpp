// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "apps/AppDefinition.h"

namespace Gestalt {

const Operation *AppDefinition::operation(const QString &id) const
{
    for (const Operation &op : operations) {
        if (op.id == id) {
            return &op;
        }
    }
    return nullptr;
}

const AppConnection *AppDefinition::connection(const QString &connectionName) const
{
    const auto it = connections.constFind(connectionName);
    return it == connections.constEnd() ? nullptr : &it.value();
}

void applyAllowedOperation(Operation &op, const AllowedOperation &allowed)
{
    if (!allowed.alias.isEmpty()) {
        op.id = allowed.alias;
    }
    if (!allowed.description.isEmpty()) {
        op.description = allowed.description;
    }
    if (!allowed.allowedRoles.isEmpty()) {
        op.allowedRoles = allowed.allowedRoles;
    }
    if (!allowed.tags.isEmpty()) {
        op.tags = allowed.tags;
    }
}

} // namespace Gestalt
