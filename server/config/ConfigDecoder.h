// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ProviderConfig.h"

namespace Gestalt {

class ConfigErrors;
class ConfigMapReader;
class ConfigNode;
struct Config;
struct UpstreamLimitsConfig;

// Turns the merged YAML tree into a typed Config: defaults, enum values, durations, listener and
// provider-selection rules, and references between sections (policies, providers, connections).
// Sections are read in dependency order so references can be checked where they are written.
class ConfigDecoder final
{
public:
    explicit ConfigDecoder(ConfigErrors &errors);

    // `config.files` and `config.baseDir` must be set; every problem goes to the errors.
    void read(const ConfigNode &root, Config &config) const;

private:
    static void readAuthorization(ConfigMapReader &root, Config &config);
    static void readConnections(ConfigMapReader &root, Config &config);
    static void readProviders(ConfigMapReader &root, Config &config);
    [[nodiscard]] static ProviderEntry readProviderEntry(ConfigMapReader &reader);
    static void
    checkDatastoreDsn(const ConfigNode &entry, const QString &path, ConfigErrors &errors);
    static void readRuntime(ConfigMapReader &root, Config &config);
    static void readServer(ConfigMapReader &root, Config &config);
    static void readListeners(ConfigMapReader &server, Config &config);
    static void readServerSections(ConfigMapReader &server, Config &config);
    // server.limits.upstream (onRateLimited, maxWait), from the server.limits map.
    static void readApps(ConfigMapReader &root, Config &config);

    ConfigErrors &m_errors;
};

} // namespace Gestalt
