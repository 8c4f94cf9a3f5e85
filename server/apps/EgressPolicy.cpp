// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "apps/EgressPolicy.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

Result<void> EgressPolicy::checkHost(const QString &host) const
{
    const bool allowed = allowedHosts.isEmpty() ? defaultAction == EgressAction::Allow
                                                : matches(host, allowedHosts);
    if (!allowed) {
        return Error::forbidden(u"egress to host \"%1\" is not allowed"_s.arg(host));
    }
    return {};
}

bool EgressPolicy::matches(const QString &host, const QStringList &patterns)
{
    QString name = host.toLower();
    while (name.endsWith(u'.')) {
        name.chop(1);
    }
    if (name.isEmpty()) {
        return false;
    }
    for (const QString &entry : patterns) {
        const QString pattern = entry.trimmed().toLower();
        if (pattern.startsWith(u"*.")) {
            const QStringView suffix = QStringView(pattern).mid(1); // ".example.com"
            if (name.size() > suffix.size() && name.endsWith(suffix)) {
                return true;
            }
        } else if (!pattern.isEmpty() && name == pattern) {
            return true;
        }
    }
    return false;
}

} // namespace Gestalt
