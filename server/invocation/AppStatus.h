// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/AppDefinition.h"
#include "connections/StoredCredential.h"

#include <QJsonObject>
#include <QList>

namespace Gestalt {

// The catalog item of GET /api/v1/apps for one caller: the app's presentation, one entry per
// user-visible connection (auth types, credential fields, params, instances) and the status
// values of gestalt-facts §2.10, computed from the caller's stored credentials.
class AppStatus final
{
public:
    // `credentials` are the caller's credentials for any connection (filtered here).
    // `ownerKind`: current_user or service_account.
    [[nodiscard]] static QJsonObject describe(const AppDefinition &app,
                                              const QList<StoredCredential> &credentials,
                                              const QString &ownerKind);
    [[nodiscard]] static QJsonObject describeConnection(const AppConnection &connection,
                                                        const QList<StoredCredential> &credentials,
                                                        const QString &ownerKind);
};

} // namespace Gestalt
