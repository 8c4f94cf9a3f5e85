// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/EnvExpander.h"
#include "config/SecretsConfig.h"
#include "shared/Result.h"

namespace Gestalt {

class ConfigErrors;
class ConfigNode;
struct SourceLocation;

// Replaces every structured secret ref `{secret: {provider: <providers.secrets key>, name: <n>}}`
// of the merged config tree by the secret's value, once, before the tree is decoded: so a ref
// works wherever a string is expected (server.encryptionKey, OAuth client secrets, DSNs, app
// config...) without any decoder knowing. `provider` may be left out for the default provider
// (SecretsConfig::defaultProvider). Refs under providers.secrets are refused (a secrets
// provider's own config cannot depend on a secret). A failure is reported with the ref's key
// path and never with a secret value; the node then becomes null (as if absent) so that decoding
// reports nothing more about it. Resolved nodes are marked secret (ConfigNode::isSecret).
//
//   env   the environment variable `prefix + name`
//   file  the regular file `dir/name`: the name may not contain '/', '\', NUL or "..", nor be
//         "."; the file's real path (symlinks followed) must stay inside dir's real path; it may
//         not be writable by others nor larger than 64 KiB; one trailing "\n" (or "\r\n") is
//         removed. World-readable files are accepted: Kubernetes and Docker mount secrets 0644
//         and 0444.
class SecretResolver final
{
public:
    static constexpr qint64 maxFileBytes = qint64{64} * 1024;

    SecretResolver(SecretsConfig secrets, EnvExpander::Lookup environment, ConfigErrors &errors);

    // Returns how many refs were resolved.
    int resolve(ConfigNode &root) const;

    // One secret; the error names the secret and provider, never a value.
    [[nodiscard]] Result<QString> lookup(const QString &provider, const QString &name) const;

private:
    void walk(ConfigNode &node, const QString &path, int &resolved) const;
    void resolveRef(ConfigNode &node, const QString &path, int &resolved) const;
    void refuseRefs(const ConfigNode &node, const QString &path) const;
    [[nodiscard]] Result<QString>
    fromEnv(const QString &provider, const SecretSource &source, const QString &name) const;
    [[nodiscard]] static Result<QString>
    fromFile(const QString &provider, const SecretSource &source, const QString &name);

    SecretsConfig m_secrets;
    EnvExpander::Lookup m_environment;
    ConfigErrors &m_errors;
};

} // namespace Gestalt
