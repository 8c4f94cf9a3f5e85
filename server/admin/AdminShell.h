// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QByteArray>
#include <QString>

namespace Gestalt {

struct Config;

// The files of the /admin web shell (gestalt-facts §9.4). In order of preference they come from
//   1. the providers.ui bundle named by server.admin.ui: <bundle>/admin/,
//   2. the default providers.ui bundle (the one mounted at "/") when it has admin/index.html,
//   3. the built-in shell compiled from resources/admin/ (":/admin").
// GESTALTD_ADMIN_UI_DIR, when set, replaces the built-in shell with a directory (for working on
// the shell without rebuilding). A bundle's `source` is the path of its directory.
class AdminShellAssets final
{
public:
    struct File
    {
        QByteArray body;
        QByteArray contentType;
    };

    // Fails when server.admin.ui names a bundle without admin/index.html, or the directory of
    // GESTALTD_ADMIN_UI_DIR has no index.html.
    [[nodiscard]] static Result<AdminShellAssets> locate(const Config &config,
                                                         const QString &overrideDir);
    // The built-in shell.
    [[nodiscard]] static AdminShellAssets builtIn();

    // A file under the shell's root, by its path relative to it ("index.html", "app.js").
    // NotFound for missing files, directories, and paths that leave the root ("..", symlinks).
    [[nodiscard]] Result<File> read(const QString &relativePath) const;

    // Where the files come from: a directory, or ":/admin".
    [[nodiscard]] const QString &root() const { return m_root; }

private:
    explicit AdminShellAssets(QString root)
        : m_root(std::move(root))
    {}
    QString m_root;
};

// Whether path is a plain relative path under a root: no empty, "." or ".." segment, no leading
// "/", no backslash or NUL. A trailing "/" is allowed.
[[nodiscard]] bool isSafeAdminPath(QStringView path);

// The serve-time edits of index.html (gestalt-facts §9.4):
//  * `<a class="brand" href="/">` points at clientUiUrl when set, else at "/admin/";
//  * `<a href="/">Client UI</a>` points at clientUiUrl when set and is removed otherwise;
//  * the placeholder __GESTALT_ADMIN_LOGIN_BASE__ becomes loginBase as a JSON string literal
//    with <, >, & and ' escaped (\u003c...): safe inside <script> and inside a single-quoted
//    attribute. The built-in shell has it in <meta name="gestalt-admin-login-base" content='...'>
//    (the Content-Security-Policy allows no inline script).
[[nodiscard]] QByteArray
rewriteAdminIndex(QByteArray html, const QString &clientUiUrl, const QString &loginBase);

// The Content-Type for a file name, by its extension (application/octet-stream when unknown).
[[nodiscard]] QByteArray contentTypeForFile(const QString &fileName);

} // namespace Gestalt
