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

} // namespace Gestalt
