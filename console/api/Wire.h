// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/wire/Authorization.h"
#include "shared/wire/Limits.h"
#include "shared/wire/Runtime.h"
#include "shared/wire/WireJson.h"

#include <QJsonObject>
#include <QString>

// What the operator routes answer, as the console reads them: the shared wire types
// (shared/wire/, which gestaltd writes), plus what only the console adds to them.
namespace Gestalt::Console {

using Wire::AppPolicy;
using Wire::BlockedUpstream;
using Wire::LimitRule;
using Wire::LimitUsage;
using Wire::listFromJson;
using Wire::LogLine;
using Wire::RuntimeProfile;
using Wire::RuntimeProvider;
using Wire::RuntimeSession;

// A member row and the policy of the list's app, which the page sets (it is not on the wire).
struct MemberRow : Wire::MemberRow
{
    QString policy;

    static MemberRow fromJson(const QJsonObject &object);
};

// "hosts apps · direct · unrestricted"; empty for an empty profile.
[[nodiscard]] QString profileSummary(const RuntimeProfile &profile);

} // namespace Gestalt::Console
