// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ConfigNode.h"

#include <QString>

#include <optional>

namespace Gestalt {

class ConfigErrors;

// Reads the local manifest an app entry names in `source:` (a path, `{path: ...}`, or a ":/..."
// resource; a directory means its manifest.yaml|yml|json) and merges it into the entry, before
// the entry is decoded. The manifest (gestalt-facts §1.7):
//   kind: plugin            required; any other kind is an error
//   source, version         metadata (the package the manifest describes), not used
//   displayName, description, iconFile
//   spec: {...}             the same keys as an inline app entry (surfaces, connections,
//                           headers, http, securitySchemes, allowedOperations, mcp,
//                           defaultConnection...)
// Result: the manifest's spec, with displayName/description/iconFile from the manifest's top
// level, deep-merged under the config entry (the entry wins: ConfigNode::mergeFrom). Relative
// paths in the manifest (iconFile, spec.surfaces.openapi.document, spec.surfaces.mcp.workingDir)
// are made absolute against the MANIFEST's directory. Unknown top-level keys are errors, and so
// are spec keys that belong elsewhere (source, displayName, description, iconFile,
// authorizationPolicy); unknown spec keys are reported by the app decoder, at their line in the
// manifest. Every problem points at the manifest file with line and column.
// A manifest file that does not exist is not an error here: the entry stays as written (like a
// package or URL source, which are not fetched at load time) and whoever builds the app reports
// what is missing. No ${VAR} expansion happens in manifests.
class ManifestLoader final
{
public:
    explicit ManifestLoader(ConfigErrors &errors);

    // `entry` is apps.<name> as merged from the config files (paths already absolute); `path` is
    // "apps.<name>" for messages. nullopt: nothing to merge (no local manifest, a missing file,
    // or a broken one whose problems went to the errors).
    [[nodiscard]] std::optional<ConfigNode> load(const ConfigNode &entry,
                                                 const QString &path) const;

    // The manifest file `source` names: the path itself, or manifest.yaml|yml|json inside a
    // directory. Empty when the entry has no local source or nothing exists there.
    [[nodiscard]] static QString manifestFile(const ConfigNode &entry);

private:
    [[nodiscard]] std::optional<ConfigNode>
    read(const QString &file, const SourceLocation &sourceAt, const QString &path) const;

    ConfigErrors &m_errors;
};

} // namespace Gestalt
