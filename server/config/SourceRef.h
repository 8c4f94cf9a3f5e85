// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>

namespace Gestalt {

class ConfigMapReader;

// Where a provider or app comes from (`source:`). A string is classified by classify(); a map
// ({package, version, repo} / {url, auth} / {githubRelease, auth} / {path}) is kept in `spec`.
struct SourceRef
{
    enum class Kind {
        None,
        Builtin,   // a bare name: "stdout", "env", "local"
        LocalPath, // a manifest path, made absolute against the file that wrote it; or ":/..."
        Url,       // "scheme://..."
        Package,   // the map form
    };
    Kind kind = Kind::None;
    QString location; // built-in name, absolute path or URL (or spec.path / spec.url)
    QJsonObject spec; // the map form as written (may hold a token: never log it)

    [[nodiscard]] bool isSet() const { return kind != Kind::None; }

    // "scheme://x" → Url; ":/x" (Qt resource), "/x", "./x", "../x", "~/x", anything with a slash or
    // ending in .yaml/.yml/.json → LocalPath; another non-empty word → Builtin.
    [[nodiscard]] static Kind classify(const QString &text);
    // For path-only keys (iconFile, document, artifactsDir...): everything but URLs and Qt
    // resources is a path relative to the file that wrote it.
    [[nodiscard]] static bool isRelativeFilePath(const QString &text);
    [[nodiscard]] static bool isUrl(const QString &text);
    // Makes `path` absolute against `baseDir` ("~/" is the home directory); URLs, Qt resources and
    // absolute paths come back cleaned but otherwise unchanged.
    [[nodiscard]] static QString absolutePath(const QString &path, const QString &baseDir);

    // The refusal of URL, package and release sources (docs/CONFIG.md).
    [[nodiscard]] static QString packageSourcesNotYet();
    // Reads `key` of `reader` (string or map); None when absent. URL, package and release
    // sources are refused (packageSourcesNotYet()).
    [[nodiscard]] static SourceRef read(ConfigMapReader &reader, QStringView key);
};

} // namespace Gestalt
