// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

namespace Gestalt {

class ConfigNode;

// One usable entry of providers.secrets: a built-in secrets provider. gestaltd has only these
// two; an external source (URL, package, manifest) is refused when the config is decoded.
struct SecretSource
{
    enum class Kind {
        Env,  // the environment variable `prefix + name`
        File, // the file `dir/name`, one secret per file
    };
    Kind kind = Kind::Env;
    QString prefix; // env
    QString dir;    // file: absolute (made so against the config file that wrote it)
};

// providers.secrets and server.providers.secrets, read from the merged YAML tree before anything
// else is decoded, because every other section may hold `{secret: {provider, name}}` refs.
struct SecretsConfig
{
    // Usable entries only; an entry with a problem is reported and left out.
    QMap<QString, SecretSource> providers;
    // Entries that exist but were refused: refs naming them fail quietly (already reported).
    QStringList refused;
    // The provider a ref without `provider` uses: server.providers.secrets, else the only entry,
    // else the entry with `default: true`. Empty with no providers.secrets at all: built-in env
    // without a prefix. Empty with several entries and none chosen: refs must name one.
    QString defaultProvider;
    bool builtinEnvDefault = false;
};

// `{secret: {...}}`: a map whose only key is `secret` and whose value is a map.
[[nodiscard]] bool isSecretRef(const ConfigNode &node);
// Whether `node` or anything below it is a secret ref.
[[nodiscard]] bool containsSecretRef(const ConfigNode &node);

} // namespace Gestalt
