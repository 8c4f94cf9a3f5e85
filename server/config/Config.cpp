// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/Config.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace Gestalt {

QString Config::datastoreProviderName() const
{
    if (!server.providers.indexeddb.isEmpty()) {
        return server.providers.indexeddb;
    }
    return providers.indexeddb.size() == 1 ? providers.indexeddb.firstKey() : QString();
}

std::optional<QString> Config::datastoreDsn() const
{
    if (providers.indexeddb.isEmpty()) {
        return u"sqlite://"_s + QDir(baseDir).filePath(u"gestalt.db"_s);
    }
    const QString name = datastoreProviderName();
    const auto entry = providers.indexeddb.constFind(name);
    if (name.isEmpty() || entry == providers.indexeddb.cend()) {
        return std::nullopt;
    }
    const QString dsn = entry->config.value(u"dsn"_s).toString();
    if (dsn.isEmpty()) {
        return std::nullopt;
    }
    return dsn;
}

bool Config::platformLoginConfigured() const
{
    static const QString none = u"none"_s;
    const ProviderMap &entries = providers.authentication;
    QString name = server.providers.authentication;
    if (name.isEmpty()) {
        if (entries.isEmpty()) {
            return false;
        }
        if (entries.size() == 1) {
            name = entries.firstKey();
        } else {
            for (auto it = entries.cbegin(); it != entries.cend(); ++it) {
                if (it->isDefault) {
                    name = it.key();
                }
            }
            if (name.isEmpty()) {
                return true; // ambiguous: refused on its own, and not anonymous either way
            }
        }
    }
    if (name == none) {
        return false;
    }
    const auto entry = entries.constFind(name);
    return entry == entries.cend()
           || !(entry->source.isSet() && entry->source.kind == SourceRef::Kind::Builtin
                && entry->source.location == none);
}

namespace {

bool isLoopbackHost(const QString &host)
{
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0) {
        return true;
    }
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

QStringList Config::serveProblems() const
{
    QStringList problems;
    if (server.encryptionKey.isEmpty()) {
        problems.append(u"server.encryptionKey: required to serve (64 hex characters, e.g. from "
                        u"`openssl rand -hex 32`, or a passphrase)"_s);
    }
    if (!providers.indexeddb.isEmpty()) {
        const QString name = datastoreProviderName();
        if (name.isEmpty()) {
            problems.append(
                u"server.providers.indexeddb: required when providers.indexeddb has "
                u"several entries (%1)"_s.arg(providers.indexeddb.keys().join(u", "_s)));
        } else if (!providers.indexeddb.contains(name)) {
            problems.append(
                u"server.providers.indexeddb: names no providers.indexeddb entry \"%1\""_s.arg(
                    name));
        } else if (!datastoreDsn()) {
            problems.append(u"providers.indexeddb.%1.config.dsn: required (sqlite://<path> or "
                            u"postgres://<user>@<host>/<db>)"_s.arg(name));
        }
    }
    if (!server.allowAnonymous && !platformLoginConfigured()) {
        const auto exposed = [&problems](
                                 const QString &key, const QString &host, const QString &what) {
            if (isLoopbackHost(host)) {
                return;
            }
            problems.append(
                u"%1: \"%2\" is not a loopback address and no platform login is configured, so "
                u"anyone who reaches this listener would act as the anonymous local user, with %3. "
                u"Bind %1 to 127.0.0.1, configure login (providers.authentication with source: "
                u"oidc, plus server.admin.authorizationPolicy), or set server.allowAnonymous: true "
                u"to accept that risk (a private network you trust)"_s.arg(key, host, what));
        };
        exposed(u"server.public.host"_s, server.publicListener.host, u"every stored credential"_s);
        if (server.management) {
            exposed(u"server.management.host"_s, server.management->host, u"the whole admin API"_s);
        }
    }
    // A hosted process never works where gestaltd keeps its config or its SQLite file.
    QStringList dataDirs{QDir::cleanPath(baseDir)};
    if (const std::optional<QString> dsn = datastoreDsn(); dsn && dsn->startsWith(u"sqlite://"_s)) {
        dataDirs.append(QFileInfo(dsn->mid(9)).absolutePath());
    }
    for (auto it = apps.cbegin(); it != apps.cend(); ++it) {
        const std::optional<McpSurface> &mcp = it->surfaces.mcp;
        if (mcp && !mcp->command.isEmpty() && !mcp->workingDir.isEmpty()
            && dataDirs.contains(QDir::cleanPath(mcp->workingDir))) {
            problems.append(u"apps.%1.surfaces.mcp.workingDir: \"%2\" is the directory of "
                            u"gestaltd's config or database; give the hosted process a directory "
                            u"of its own (or none: a private one is made)"_s.arg(
                                it.key(), QDir::cleanPath(mcp->workingDir)));
        }
    }
    return problems;
}

Result<void> Config::validateForServe() const
{
    const QStringList problems = serveProblems();
    if (problems.isEmpty()) {
        return {};
    }
    return Error::invalid(problems.join(QLatin1Char('\n')));
}

} // namespace Gestalt
