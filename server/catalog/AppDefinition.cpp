// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/AppDefinition.h"

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

bool AppDefinition::needsApproval(const Operation &op) const
{
    const ApprovalRule rule = op.approval == ApprovalRule::Default ? approval : op.approval;
    switch (rule) {
    case ApprovalRule::Required:
        return true;
    case ApprovalRule::Writes:
        return op.method != u"GET" && op.method != u"HEAD" && op.method != u"OPTIONS";
    case ApprovalRule::Default:
    case ApprovalRule::Never:
        break;
    }
    return false;
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
    if (allowed.approval != ApprovalRule::Default) {
        op.approval = allowed.approval;
    }
}

} // namespace Gestalt
