// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "admin/AdminShell.h"

#include "config/Config.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString builtInRoot = u":/admin"_s;

QString bundleDirectory(const ProviderEntry &entry)
{
    return entry.source.kind == SourceRef::Kind::LocalPath ? entry.source.location : QString();
}

bool hasIndex(const QString &dir)
{
    return QFileInfo(dir + u"/index.html"_s).isFile();
}

QByteArray htmlAttribute(const QString &text)
{
    return text.toHtmlEscaped().toUtf8();
}

} // namespace

Result<AdminShellAssets> AdminShellAssets::locate(const Config &config, const QString &overrideDir)
{
    if (!config.server.admin.ui.isEmpty()) {
        const QString name = config.server.admin.ui;
        const QString dir = bundleDirectory(config.providers.ui.value(name));
        if (dir.isEmpty() || !hasIndex(dir + u"/admin"_s)) {
            return Error::invalid(
                u"server.admin.ui: providers.ui.%1 has no admin/index.html (its source must be the "
                "path of the bundle's directory)"_s.arg(name));
        }
        return AdminShellAssets(QDir::cleanPath(dir + u"/admin"_s));
    }
    for (auto it = config.providers.ui.cbegin(); it != config.providers.ui.cend(); ++it) {
        const QString dir = bundleDirectory(it.value());
        if (it.value().isDefault && !dir.isEmpty() && hasIndex(dir + u"/admin"_s)) {
            return AdminShellAssets(QDir::cleanPath(dir + u"/admin"_s));
        }
    }
    if (!overrideDir.isEmpty()) {
        if (!hasIndex(overrideDir)) {
            return Error::invalid(
                u"GESTALTD_ADMIN_UI_DIR: %1 has no index.html"_s.arg(overrideDir));
        }
        return AdminShellAssets(QDir::cleanPath(QDir(overrideDir).absolutePath()));
    }
    return builtIn();
}

AdminShellAssets AdminShellAssets::builtIn()
{
    return AdminShellAssets(builtInRoot);
}

Result<AdminShellAssets::File> AdminShellAssets::read(const QString &relativePath) const
{
    const Error missing = Error::notFound(u"admin asset \"%1\" not found"_s.arg(relativePath));
    if (relativePath.endsWith(u'/') || !isSafeAdminPath(relativePath)) {
        return missing;
    }
    QString path = m_root + u'/' + relativePath;
    if (m_root != builtInRoot) {
        // A symlink inside a bundle must not lead out of it.
        const QString canonicalRoot = QFileInfo(m_root).canonicalFilePath();
        path = QFileInfo(path).canonicalFilePath();
        if (path.isEmpty() || canonicalRoot.isEmpty() || !path.startsWith(canonicalRoot + u'/')) {
            return missing;
        }
    }
    if (!QFileInfo(path).isFile()) {
        return missing;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error::internal(u"cannot read %1: %2"_s.arg(path, file.errorString()));
    }
    return File{file.readAll(), contentTypeForFile(relativePath)};
}

bool isSafeAdminPath(QStringView path)
{
    if (path.endsWith(u'/')) {
        path.chop(1);
    }
    if (path.isEmpty() || path.startsWith(u'/') || path.contains(u'\\')
        || path.contains(QChar(0))) {
        return false;
    }
    const auto parts = path.split(u'/');
    return std::none_of(parts.cbegin(), parts.cend(), [](QStringView part) {
        return part.isEmpty() || part == u"." || part == u"..";
    });
}

QByteArray rewriteAdminIndex(QByteArray html, const QString &clientUiUrl, const QString &loginBase)
{
    const QByteArray brandTarget =
        clientUiUrl.isEmpty() ? "/admin/"_ba : htmlAttribute(clientUiUrl);
    html.replace(R"(<a class="brand" href="/">)"_ba,
                 QByteArray(R"(<a class="brand" href=")"_ba + brandTarget + R"(">)"_ba));
    if (clientUiUrl.isEmpty()) {
        html.replace(R"(<a href="/">Client UI</a>)"_ba, QByteArray());
    } else {
        html.replace(
            R"(<a href="/">Client UI</a>)"_ba,
            QByteArray(R"(<a href=")"_ba + htmlAttribute(clientUiUrl) + R"(">Client UI</a>)"_ba));
    }
    // A JSON string (so also a JavaScript string) with "<", ">", "&" and "'" escaped: nothing in
    // it can close a <script> element or a single-quoted attribute, nor start a character
    // reference. The built-in shell reads it from <meta ... content='...'>.
    QByteArray quoted = QJsonDocument(QJsonArray{loginBase}).toJson(QJsonDocument::Compact);
    quoted = quoted.mid(1, quoted.size() - 2);
    quoted.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027");
    html.replace("__GESTALT_ADMIN_LOGIN_BASE__"_ba, quoted);
    return html;
}

QByteArray contentTypeForFile(const QString &fileName)
{
    static const QList<std::pair<QString, QByteArray>> types = {
        {u".html"_s, "text/html; charset=utf-8"_ba},
        {u".css"_s, "text/css; charset=utf-8"_ba},
        {u".js"_s, "text/javascript; charset=utf-8"_ba},
        {u".mjs"_s, "text/javascript; charset=utf-8"_ba},
        {u".json"_s, "application/json"_ba},
        {u".map"_s, "application/json"_ba},
        {u".svg"_s, "image/svg+xml"_ba},
        {u".png"_s, "image/png"_ba},
        {u".ico"_s, "image/x-icon"_ba},
        {u".woff2"_s, "font/woff2"_ba},
        {u".woff"_s, "font/woff"_ba},
        {u".txt"_s, "text/plain; charset=utf-8"_ba},
    };
    for (const auto &[suffix, type] : types) {
        if (fileName.endsWith(suffix, Qt::CaseInsensitive)) {
            return type;
        }
    }
    return "application/octet-stream"_ba;
}

} // namespace Gestalt
