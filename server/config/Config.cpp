// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/Config.h"

#include <QDir>

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
