// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/ManifestLoader.h"

#include "config/ConfigErrors.h"
#include "config/ConfigMapReader.h"
#include "config/RelativePathResolver.h"
#include "config/SourceRef.h"
#include "core/Logging.h"

#include <QFile>
#include <QFileInfo>

#include <array>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qint64 maxManifestBytes = qint64(4) * 1024 * 1024;

// Keys a manifest's spec may not set: they live at the manifest's top level, or are the
// operator's choice in the config.
struct MisplacedKey
{
    QStringView key;
    QStringView advice;
};

constexpr std::array<MisplacedKey, 5> misplacedSpecKeys{{
    {u"source", u"the app's source is set by the config entry"},
    {u"displayName", u"set it at the top level of the manifest"},
    {u"description", u"set it at the top level of the manifest"},
    {u"iconFile", u"set it at the top level of the manifest"},
    {u"authorizationPolicy", u"set it on the app entry in the config"},
}};

// The manifest file's bytes without a BOM; nullopt (with the problem in `errors`) when it cannot
// be read or is too large.
std::optional<QByteArray> manifestText(const QString &file,
                                       const SourceLocation &sourceAt,
                                       const QString &path,
                                       ConfigErrors &errors)
{
    QFile input(file);
    if (!input.open(QIODevice::ReadOnly)) {
        errors.add(
            sourceAt,
            path + u".source: cannot read the manifest %1: %2"_s.arg(file, input.errorString()));
        return std::nullopt;
    }
    QByteArray text = input.read(maxManifestBytes + 1);
    if (text.size() > maxManifestBytes) {
        errors.add(sourceAt, path + u".source: the manifest %1 is larger than 4 MB"_s.arg(file));
        return std::nullopt;
    }
    if (text.startsWith("\xEF\xBB\xBF")) {
        text.remove(0, 3);
    }
    return text;
}

// The manifest's top-level keys checked and its spec map returned (empty when missing or not a
// map); the problems, and any spec key that belongs elsewhere, go to `problems`.
ConfigNode manifestSpec(const ConfigNode &root, const SourceLocation &where, ConfigErrors &problems)
{
    SourceLocation start = where;
    start.line = 1;
    start.column = 1;
    ConfigNode spec;
    {
        ConfigMapReader manifest(&root, QString(), start, problems, u"manifest"_s);
        const QString kind = manifest.requiredString(u"kind");
        if (!kind.isEmpty() && kind != u"plugin") {
            manifest.error(u"kind", u"unsupported kind \"%1\" (expected plugin)"_s.arg(kind));
        }
        (void)manifest.string(u"source");
        (void)manifest.string(u"version");
        (void)manifest.string(u"displayName");
        (void)manifest.string(u"description");
        (void)manifest.string(u"iconFile");
        for (const QStringView key : {QStringView(u"artifacts"), QStringView(u"entrypoint")}) {
            (void)manifest.refused(key,
                                   u"executable plugins are not run by this gestaltd; describe "
                                   u"the API in spec.surfaces (openapi, rest or mcp)"_s);
        }
        if (const ConfigNode *written = manifest.take(u"spec")) {
            if (written->isMap()) {
                spec = *written;
            } else {
                manifest.error(u"spec", u"expected a map"_s);
            }
        }
        if (!manifest.has(u"spec") && problems.isEmpty()) {
            manifest.errorHere(u"spec: required (the app's surfaces, connections...)"_s);
        }
    }
    for (const MisplacedKey &misplaced : misplacedSpecKeys) {
        if (const ConfigNode::Entry *entry = spec.isMap() ? spec.entry(misplaced.key) : nullptr) {
            problems.add(entry->keyLocation,
                         u"spec.%1: not allowed in a manifest's spec; %2"_s.arg(misplaced.key,
                                                                                misplaced.advice));
        }
    }
    return spec;
}

} // namespace

ManifestLoader::ManifestLoader(ConfigErrors &errors)
    : m_errors(errors)
{}

QString ManifestLoader::manifestFile(const ConfigNode &entry)
{
    if (!entry.isMap()) {
        return {};
    }
    const ConfigNode *source = entry.child(u"source");
    if (source && source->isMap()) {
        source = source->child(u"path");
    }
    if (!source || !source->isScalar()
        || SourceRef::classify(source->text()) != SourceRef::Kind::LocalPath) {
        return {};
    }
    const QString path = source->text();
    const QFileInfo info(path);
    if (info.isDir()) {
        for (const QString &name : {u"manifest.yaml"_s, u"manifest.yml"_s, u"manifest.json"_s}) {
            QString candidate = path + u'/' + name;
            if (QFileInfo(candidate).isFile()) {
                return candidate;
            }
        }
        return {};
    }
    return info.isFile() ? path : QString();
}

std::optional<ConfigNode> ManifestLoader::load(const ConfigNode &entry, const QString &path) const
{
    const QString file = manifestFile(entry);
    if (file.isEmpty()) {
        const ConfigNode *source = entry.isMap() ? entry.child(u"source") : nullptr;
        if (source && source->isScalar()
            && SourceRef::classify(source->text()) == SourceRef::Kind::LocalPath) {
            qCDebug(lcConfig).noquote()
                << path << "names no manifest file at" << source->text() << "(not loaded)";
        }
        return std::nullopt;
    }
    const ConfigNode::Entry *sourceEntry = entry.entry(u"source");
    std::optional<ConfigNode> app =
        read(file, sourceEntry ? sourceEntry->keyLocation : entry.location(), path);
    if (app) {
        app->mergeFrom(entry); // the config entry wins
    }
    return app;
}

std::optional<ConfigNode>
ManifestLoader::read(const QString &file, const SourceLocation &sourceAt, const QString &path) const
{
    std::optional<QByteArray> text = manifestText(file, sourceAt, path, m_errors);
    if (!text) {
        return std::nullopt;
    }
    const SourceLocation where{file}; // sorted after the config files' own problems
    ConfigErrors problems;
    std::optional<ConfigNode> root = ConfigNode::parse(*text, where, problems);
    if (!root || !problems.isEmpty()) {
        m_errors.append(problems);
        return std::nullopt;
    }
    const ConfigNode spec = manifestSpec(*root, where, problems);
    if (!problems.isEmpty()) {
        m_errors.append(problems);
        return std::nullopt;
    }

    // The manifest's top level without its own keys leaves displayName, description and
    // iconFile: the base the spec and then the config entry are merged onto.
    ConfigNode app = *root;
    for (const QStringView key : {QStringView(u"kind"),
                                  QStringView(u"source"),
                                  QStringView(u"version"),
                                  QStringView(u"spec")}) {
        app.removeEntry(key);
    }
    app.mergeFrom(spec);
    RelativePathResolver(QFileInfo(file).absolutePath()).resolveApp(app);
    qCDebug(lcConfig).noquote() << path << "uses the manifest" << file;
    return app;
}

} // namespace Gestalt
