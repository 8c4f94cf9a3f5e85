// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/SourceRef.h"

#include "config/ConfigErrors.h"
#include "config/ConfigMapReader.h"

#include <QDir>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Gestalt {

bool SourceRef::isUrl(const QString &text)
{
    static const QRegularExpression scheme(u"^[A-Za-z][A-Za-z0-9+.-]*://"_s);
    return scheme.match(text).hasMatch();
}

SourceRef::Kind SourceRef::classify(const QString &text)
{
    if (text.isEmpty()) {
        return Kind::None;
    }
    if (isUrl(text)) {
        return Kind::Url;
    }
    if (text.contains(u'/') || text.startsWith(u'.') || text.startsWith(u'~')
        || text.endsWith(u".yaml"_s) || text.endsWith(u".yml"_s) || text.endsWith(u".json"_s)) {
        return Kind::LocalPath;
    }
    return Kind::Builtin;
}

bool SourceRef::isRelativeFilePath(const QString &text)
{
    return !text.isEmpty() && !isUrl(text) && !text.startsWith(u":/"_s)
           && !QDir::isAbsolutePath(text);
}

QString SourceRef::absolutePath(const QString &path, const QString &baseDir)
{
    if (path.isEmpty() || isUrl(path) || path.startsWith(u":/"_s)) {
        return path;
    }
    if (path == u"~"_s || path.startsWith(u"~/"_s)) {
        return QDir::cleanPath(QDir::homePath() + path.mid(1));
    }
    return QDir::cleanPath(QDir(baseDir).absoluteFilePath(path));
}

QString SourceRef::packageSourcesNotYet()
{
    return ConfigMapReader::notSupportedYet(
        u"package, URL and release sources; point source at a local manifest or write the "
        u"surfaces inline"_s);
}

SourceRef SourceRef::read(ConfigMapReader &reader, QStringView key)
{
    SourceRef source;
    const ConfigNode *node = reader.take(key);
    if (!node) {
        return source;
    }
    if (node->isScalar()) {
        source.kind = classify(node->text());
        source.location = node->text();
        if (source.kind == Kind::None) {
            reader.error(key, u"must not be empty"_s);
        } else if (source.kind == Kind::Url) {
            reader.errors().addRefusal(reader.locationOf(key),
                                       reader.pathOf(key) + u": "_s + packageSourcesNotYet(),
                                       reader.patternOf(key));
        }
        return source;
    }
    ConfigMapReader map = ConfigMapReader::nested(reader, node, key);
    if (!map.isMap()) {
        return source;
    }
    source.kind = Kind::Package;
    source.spec = node->toJson().toObject();
    const QString path = map.string(u"path");
    bool remote = false;
    for (const QStringView remoteKey : {QStringView(u"url"),
                                        QStringView(u"package"),
                                        QStringView(u"version"),
                                        QStringView(u"repo"),
                                        QStringView(u"auth"),
                                        QStringView(u"githubRelease")}) {
        remote = map.refused(remoteKey, packageSourcesNotYet()) || remote;
    }
    if (!path.isEmpty()) {
        source.kind = Kind::LocalPath;
        source.location = path;
        if (remote) {
            map.errorHere(u"set either path or a remote source, not both"_s);
        }
    } else if (!remote) {
        map.errorHere(u"needs one of path, url, package or githubRelease"_s);
    }
    return source;
}

} // namespace Gestalt
