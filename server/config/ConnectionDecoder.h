// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ConnectionConfig.h"

#include <QMap>
#include <QString>

namespace Gestalt {

class ConfigMapReader;

// Reads connections (gestalt-facts §2.1–2.2): top-level `connections.<id>` and app bindings
// `apps.<app>.connections.<local>`, with their `auth`, `params`, `discovery` and
// `credentialRefresh` blocks.
class ConnectionDecoder final
{
public:
    // A top-level connection; `ref` and `exposure` are binding-only and rejected here.
    [[nodiscard]] static ConnectionConfig readTopLevel(ConfigMapReader &reader);
    // An app binding: `ref` to one of `topLevel` (then mode, auth, params and discovery are
    // rejected), or an inline connection.
    [[nodiscard]] static AppConnectionBinding
    readBinding(ConfigMapReader &reader, const QMap<QString, ConnectionConfig> &topLevel);

private:
    static void readDefinition(ConfigMapReader &reader, ConnectionConfig &connection);
    static void readPresentation(ConfigMapReader &reader, ConnectionConfig &connection);
    [[nodiscard]] static AuthConfig readAuth(ConfigMapReader &reader);
    [[nodiscard]] static AuthMapping readAuthMapping(ConfigMapReader &reader);
    [[nodiscard]] static MappedValue readMappedValue(ConfigMapReader &parent, QStringView key);
};

} // namespace Gestalt
