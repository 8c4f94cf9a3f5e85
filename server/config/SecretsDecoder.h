// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/SecretsConfig.h"

namespace Gestalt {

class ConfigErrors;
class ConfigMapReader;
class ConfigNode;

// Reads the secrets providers from the merged tree, strictly: `source` must be `env` or `file`
// (anything else is refused, naming the key: this gestaltd has no external secrets providers),
// and their `config` may hold only `prefix` (env) or `dir` (file). The rest of each entry
// (default, displayName, env, egress...) is read with every provider entry by ConfigDecoder,
// which also checks that server.providers.secrets names an entry.
class SecretsDecoder final
{
public:
    [[nodiscard]] static SecretsConfig read(const ConfigNode &root, ConfigErrors &errors);

private:
    [[nodiscard]] static bool readEntry(const ConfigNode &entry,
                                        const QString &path,
                                        ConfigErrors &errors,
                                        SecretSource &out);
    [[nodiscard]] static bool readConfig(ConfigMapReader &config, SecretSource &out);
    static void chooseDefault(const ConfigNode &root, SecretsConfig &secrets);
};

} // namespace Gestalt
