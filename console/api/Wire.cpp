// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "api/Wire.h"

#include <QCoreApplication>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

MemberRow MemberRow::fromJson(const QJsonObject &object)
{
    MemberRow row;
    static_cast<Wire::MemberRow &>(row) = Wire::MemberRow::fromJson(object);
    return row;
}

QString profileSummary(const RuntimeProfile &profile)
{
    if (profile.isEmpty()) {
        return {};
    }
    QStringList parts;
    parts.append(
        profile.canHostPlugins
            ? QCoreApplication::translate("Gestalt::Console::RuntimeProfile", "hosts apps")
            : QCoreApplication::translate("Gestalt::Console::RuntimeProfile", "cannot host apps"));
    if (!profile.hostServiceAccess.isEmpty()) {
        parts.append(profile.hostServiceAccess);
    }
    if (!profile.egressMode.isEmpty()) {
        parts.append(profile.egressMode);
    }
    return parts.join(u" · "_s);
}

} // namespace Gestalt::Console
