// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/RelativePathResolver.h"

#include "config/ConfigNode.h"
#include "config/SourceRef.h"

#include <QDir>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

ConfigNode *descend(ConfigNode *node, std::initializer_list<QStringView> keys)
{
    for (const QStringView key : keys) {
        if (!node || !node->isMap()) {
            return nullptr;
        }
        node = node->child(key);
    }
    return node;
}

} // namespace

RelativePathResolver::RelativePathResolver(QString baseDir)
    : m_baseDir(std::move(baseDir))
{}

void RelativePathResolver::rebaseFile(ConfigNode *node) const
{
    if (node && node->isScalar() && SourceRef::isRelativeFilePath(node->text())) {
        node->setText(SourceRef::absolutePath(node->text(), m_baseDir));
    }
}

void RelativePathResolver::rebaseSource(ConfigNode *node) const
{
    if (!node) {
        return;
    }
    if (node->isScalar()) {
        if (SourceRef::classify(node->text()) == SourceRef::Kind::LocalPath) {
            rebaseFile(node);
        }
        return;
    }
    rebaseFile(descend(node, {u"path"}));
}

void RelativePathResolver::resolveApp(ConfigNode &app) const
{
    rebaseSource(descend(&app, {u"source"}));
    rebaseFile(descend(&app, {u"iconFile"}));
    rebaseFile(descend(&app, {u"surfaces", u"openapi", u"document"}));
    rebaseFile(descend(&app, {u"surfaces", u"mcp", u"workingDir"}));
}

QString RelativePathResolver::absoluteSqliteDsn(const QString &dsn) const
{
    const QString prefix = u"sqlite://"_s;
    if (!dsn.startsWith(prefix)) {
        return dsn;
    }
    const qsizetype query = dsn.indexOf(u'?');
    const QString path = dsn.mid(prefix.size(), query < 0 ? -1 : query - prefix.size());
    if (path.isEmpty() || path.startsWith(u':') || path.startsWith(u"file:"_s)
        || QDir::isAbsolutePath(path)) {
        return dsn;
    }
    return prefix + SourceRef::absolutePath(path, m_baseDir)
           + (query < 0 ? QString() : dsn.mid(query));
}

void RelativePathResolver::resolve(ConfigNode &root) const
{
    rebaseFile(descend(&root, {u"server", u"artifactsDir"}));
    for (const QStringView key : {QStringView(u"apps"), QStringView(u"plugins")}) {
        ConfigNode *apps = descend(&root, {key});
        if (!apps || !apps->isMap()) {
            continue;
        }
        for (const ConfigNode::Entry &entry : apps->entries()) {
            ConfigNode *app = apps->child(entry.key);
            if (app && app->isMap()) {
                resolveApp(*app);
            }
        }
    }
    ConfigNode *providers = descend(&root, {u"providers"});
    if (!providers || !providers->isMap()) {
        return;
    }
    for (const ConfigNode::Entry &kind : providers->entries()) {
        ConfigNode *entries = providers->child(kind.key);
        if (!entries || !entries->isMap()) {
            continue;
        }
        for (const ConfigNode::Entry &named : entries->entries()) {
            ConfigNode *entry = entries->child(named.key);
            if (!entry || !entry->isMap()) {
                continue;
            }
            rebaseSource(descend(entry, {u"source"}));
            rebaseFile(descend(entry, {u"iconFile"}));
            if (kind.key == u"secrets") {
                rebaseFile(descend(entry, {u"config", u"dir"})); // source: file
            }
            if (kind.key == u"indexeddb") {
                ConfigNode *dsn = descend(entry, {u"config", u"dsn"});
                if (dsn && dsn->isScalar()) {
                    const QString absolute = absoluteSqliteDsn(dsn->text());
                    if (absolute != dsn->text()) {
                        dsn->setText(absolute);
                    }
                }
            }
        }
    }
}

} // namespace Gestalt
