// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/AgentsConfig.h"
#include "config/AppConfig.h"
#include "config/AuthorizationConfig.h"
#include "config/ConnectionConfig.h"
#include "config/ProviderConfig.h"
#include "config/RuntimeConfig.h"
#include "config/ServerConfig.h"
#include "config/WorkflowConfig.h"
#include "shared/Result.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gestalt {

// The typed gestaltd config, as ConfigLoader produces it: defaults filled in, relative paths made
// absolute, references between sections checked. Secrets (server.encryptionKey, auth
// clientSecret/refreshToken, DSN passwords) are kept as written and must never be logged.
struct Config
{
    static constexpr QStringView apiVersionV5 = u"gestaltd.config/v5";

    QStringList files; // absolute paths, in merge order
    QString baseDir;   // directory of the first file: default SQLite file, artifactsDir

    ServerConfig server;
    ProvidersConfig providers;
    AuthorizationConfig authorization;
    QMap<QString, ConnectionConfig> connections;
    QMap<QString, AppConfig> apps; // `apps:`, or `plugins:` in older configs
    RuntimeConfig runtime;
    WorkflowsConfig workflows;
    AgentsConfig agents;

    // The datastore DSN: `sqlite://<baseDir>/gestalt.db` without providers.indexeddb; the only
    // entry's config.dsn; or the entry server.providers.indexeddb names. SQLite paths are absolute
    // (sqlite:///abs/path.db). nullopt when it cannot be decided (see serveProblems()).
    [[nodiscard]] std::optional<QString> datastoreDsn() const;
    // Name of the providers.indexeddb entry in use; empty for the built-in default.
    [[nodiscard]] QString datastoreProviderName() const;

    // Whether the selected providers.authentication entry turns platform login on (it is not
    // absent and not `none`). OidcSettings::fromConfig() reports a broken selection.
    [[nodiscard]] bool platformLoginConfigured() const;

    // What `serve` needs beyond a loadable file: an encryption key, a resolvable datastore, and
    // no anonymous access on a non-loopback public address unless server.allowAnonymous, and no
    // hosted MCP server whose workingDir is the config's or the SQLite file's directory.
    [[nodiscard]] QStringList serveProblems() const;
    [[nodiscard]] Result<void> validateForServe() const;
};

} // namespace Gestalt
