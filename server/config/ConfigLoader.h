// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/Config.h"
#include "config/ConfigErrors.h"
#include "config/EnvExpander.h"
#include "shared/Result.h"

#include <QStringList>

#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace Gestalt {

// The outcome of loading with every problem kept: `config` is set only when `errors` is empty.
struct ConfigLoadReport
{
    std::optional<Config> config;
    ConfigErrors errors;
};

// Loads one or more gestaltd config files (`--config` may repeat). For each file, in order:
//   1. read it and expand ${VAR}, ${VAR:-default}, VAR_FILE and $$ (see EnvExpander);
//   2. parse the YAML (yaml-cpp exceptions stop here and become errors with file:line:col);
//   3. require `apiVersion: gestaltd.config/v5`;
//   4. make relative paths absolute against the file's directory (see RelativePathResolver).
// Then the files are deep-merged left to right (maps merge, later scalars and lists replace,
// `null` deletes a key); every structured secret ref `{secret: {provider, name}}` is replaced by
// its value from providers.secrets (SecretsDecoder, SecretResolver); and the tree is decoded into
// a typed Config with unknown keys rejected, and checked.
// Parsing stops after step 2 when a file is unusable; otherwise every problem is collected.
// Serve-only requirements (encryption key, datastore) are Config::validateForServe().
class ConfigLoader final
{
public:
    ConfigLoader() = default;                               // process environment
    explicit ConfigLoader(EnvExpander::Lookup environment); // for tests

    // A domain's own rules over its decoded section (workflows: cron expressions and targets),
    // added by the caller so config/ knows no domain: run after decoding, its errors join the
    // loader's (with their places) and, as those, leave `config` unset.
    using Check = std::function<void(const Config &, ConfigErrors &)>;
    void addCheck(Check check) { m_checks.push_back(std::move(check)); }

    // Every problem at once, for `gestaltd validate`.
    [[nodiscard]] ConfigLoadReport loadReport(const QStringList &files) const;
    // The config, or one InvalidArgument error listing every problem (one per line).
    [[nodiscard]] Result<Config> load(const QStringList &files) const;

private:
    EnvExpander m_expander;
    std::vector<Check> m_checks;
};

} // namespace Gestalt
