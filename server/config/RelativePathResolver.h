// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Gestalt {

class ConfigNode;

// Makes the relative paths of one config file absolute against that file's directory, before
// files are merged (so a path always means what it meant where it was written):
//   server.artifactsDir
//   apps|plugins.<n>.source (local path, or its map form's `path`), .iconFile,
//       .surfaces.openapi.document, .surfaces.mcp.workingDir
//   providers.<kind>.<n>.source (local path), .iconFile, providers.secrets.<n>.config.dir
//   providers.indexeddb.<n>.config.dsn when it is sqlite://<relative path>
// URLs and Qt resource paths (":/...") are left alone; "~/" is the home directory.
class RelativePathResolver final
{
public:
    explicit RelativePathResolver(QString baseDir);

    void resolve(ConfigNode &root) const;
    // One app entry (or a manifest's spec): source, iconFile, surfaces.openapi.document,
    // surfaces.mcp.workingDir.
    void resolveApp(ConfigNode &app) const;

    // sqlite://relative.db → sqlite:///abs/dir/relative.db (query kept); other DSNs unchanged.
    [[nodiscard]] QString absoluteSqliteDsn(const QString &dsn) const;

private:
    void rebaseFile(ConfigNode *node) const;
    void rebaseSource(ConfigNode *node) const;

    QString m_baseDir;
};

} // namespace Gestalt
