// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>

namespace Gestalt {

enum class RuntimeDriver {
    Local, // child processes on this host (stdio MCP servers, executables)
};

struct RuntimeProviderConfig
{
    RuntimeDriver driver = RuntimeDriver::Local;
    bool isDefault = false;
    QJsonObject config;
};

struct RuntimeConfig
{
    QMap<QString, RuntimeProviderConfig> providers;
    QString defaultProvider; // as written; see effectiveDefaultProvider()

    // `defaultProvider`, else the entry with `default: true`, else the only entry, else empty.
    [[nodiscard]] QString effectiveDefaultProvider() const
    {
        if (!defaultProvider.isEmpty()) {
            return defaultProvider;
        }
        for (auto it = providers.cbegin(); it != providers.cend(); ++it) {
            if (it->isDefault) {
                return it.key();
            }
        }
        return providers.size() == 1 ? providers.firstKey() : QString();
    }
};

} // namespace Gestalt
