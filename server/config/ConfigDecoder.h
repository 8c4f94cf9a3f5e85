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
    // Why a provider kind is refused as a whole (its entries and its server.providers selector);
    // empty when it is not.
    [[nodiscard]] static QString refusedKindReason(QStringView kind);
    // Provider kinds that are refused or ignored as a whole; true when nothing more is read.
    [[nodiscard]] static bool refuseProviderKind(ConfigMapReader &providers, QStringView kind);
    // Placement and storage keys of workflow, agent and ui entries (refused or ignored).
    static void readProviderPlacement(ConfigMapReader &reader, QStringView kind);
    [[nodiscard]] static ProviderEntry readProviderEntry(ConfigMapReader &reader, QStringView kind);
    static void
    checkDatastoreDsn(const ConfigNode &entry, const QString &path, ConfigErrors &errors);
    static void readRuntime(ConfigMapReader &root, Config &config);
    static void readServer(ConfigMapReader &root, Config &config);
    static void readListeners(ConfigMapReader &server, Config &config);
    static void readServerSections(ConfigMapReader &server, Config &config);
    // Keys of the Go gestaltd's server section: runtime selection, dev attach, agent narrowing.
    static void readGoServerKeys(ConfigMapReader &server, Config &config);
    // server.limits.upstream (onRateLimited, maxWait), from the server.limits map.
    static void readApps(ConfigMapReader &root, Config &config);

    ConfigErrors &m_errors;
};

} // namespace Gestalt
