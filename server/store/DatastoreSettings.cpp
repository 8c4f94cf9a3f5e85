// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "store/DatastoreSettings.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int kDefaultPgPort = 5432;

bool isSecretOption(QStringView key)
{
    return key.contains(u"password", Qt::CaseInsensitive);
}

// A libpq conninfo value. Qt joins the options with spaces after turning each ';' into one, so
// values with spaces, quotes or backslashes are single-quoted with libpq's escapes.
QString conninfoValue(const QString &value)
{
    static const QRegularExpression plain(u"^[A-Za-z0-9_.,:/@+=-]+$"_s);
    if (plain.match(value).hasMatch()) {
        return value;
    }
    QString escaped = value;
    escaped.replace(u'\\', u"\\\\"_s);
    escaped.replace(u'\'', u"\\'"_s);
    return u'\'' + escaped + u'\'';
}

Result<DatastoreSettings> parseSqlite(const QString &path, const QString &baseDir)
{
    if (path.isEmpty()) {
        return Error::invalid(u"sqlite DSN needs a file path (sqlite://gestalt.db)"_s);
    }
    if (path.contains(u'?')) {
        return Error::invalid(u"sqlite DSN takes no options"_s);
    }
    if (QDir::isAbsolutePath(path)) {
        return DatastoreSettings::sqliteFile(path);
    }
    const QDir base(baseDir.isEmpty() ? QDir::currentPath() : baseDir);
    return DatastoreSettings::sqliteFile(base.absoluteFilePath(path));
}

Result<int> parsePort(const QString &text)
{
    bool ok = false;
    const int port = text.toInt(&ok);
    if (!ok || port < 1 || port > 65535) {
        return Error::invalid(u"postgres DSN: port must be 1-65535"_s);
    }
    return port;
}

// Query keys that set a connection field; everything else becomes a libpq option.
Result<void> applyQueryItem(DatastoreSettings &settings, const QString &key, const QString &value)
{
    if (key == u"host") {
        settings.pgHost = value;
    } else if (key == u"port") {
        const Result<int> port = parsePort(value);
        if (!port) {
            return port.error();
        }
        settings.pgPort = *port;
    } else if (key == u"user") {
        settings.pgUser = value;
    } else if (key == u"password") {
        settings.pgPassword = value;
    } else if (key == u"dbname") {
        settings.pgDatabase = value;
    } else {
        static const QRegularExpression validKey(u"^[a-z_]+$"_s);
        if (!validKey.match(key).hasMatch()) {
            return Error::invalid(u"postgres DSN: invalid option name '%1'"_s.arg(key));
        }
        // Checked even for option names this code doesn't know, as the value reaches the logs.
        const QString shown = isSecretOption(key) ? u"***"_s : value;
        if (key == u"sslmode") {
            static const QStringList modes = {u"disable"_s,
                                              u"allow"_s,
                                              u"prefer"_s,
                                              u"require"_s,
                                              u"verify-ca"_s,
                                              u"verify-full"_s};
            if (!modes.contains(value)) {
                return Error::invalid(u"postgres DSN: sslmode must be one of %1, not '%2'"_s.arg(
                    modes.join(u", "_s), shown));
            }
        } else if (key == u"connect_timeout") {
            bool ok = false;
            const int seconds = value.toInt(&ok);
            if (!ok || seconds < 0) {
                return Error::invalid(
                    u"postgres DSN: connect_timeout must be a whole number of seconds"_s);
            }
        }
        if (value.contains(u';')) {
            return Error::invalid(u"postgres DSN: option '%1' may not contain ';'"_s.arg(key));
        }
        if (!settings.pgOptions.isEmpty()) {
            settings.pgOptions += u';';
        }
        settings.pgOptions += key + u'=' + conninfoValue(value);
    }
    return {};
}

Result<DatastoreSettings> parsePostgres(const QString &dsn)
{
    // Never echo the DSN or QUrl::errorString() (it quotes the input): both may hold the password.
    const QUrl url(dsn, QUrl::StrictMode);
    if (!url.isValid()) {
        return Error::invalid(u"postgres DSN is not a valid URL (percent-encode special characters "
                              u"in the user name and password)"_s);
    }
    DatastoreSettings settings;
    settings.dialect = DatastoreSettings::Dialect::Postgres;
    settings.pgUser = url.userName(QUrl::FullyDecoded);
    settings.pgPassword = url.password(QUrl::FullyDecoded);
    settings.pgHost = url.host(QUrl::FullyDecoded);
    settings.pgPort = url.port(kDefaultPgPort);
    settings.pgDatabase = url.path(QUrl::FullyDecoded);
    if (settings.pgDatabase.startsWith(u'/')) {
        settings.pgDatabase.remove(0, 1);
    }
    const QUrlQuery query(url);
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items) {
        const Result<void> applied = applyQueryItem(settings, key, value);
        if (!applied) {
            return applied.error();
        }
    }
    if (settings.pgDatabase.isEmpty()) {
        return Error::invalid(u"postgres DSN needs a database name (postgres://host/dbname)"_s);
    }
    return settings;
}

} // namespace

Result<DatastoreSettings> DatastoreSettings::fromDsn(const QString &dsn, const QString &baseDir)
{
    const QString trimmed = dsn.trimmed();
    if (trimmed.isEmpty()) {
        return Error::invalid(u"datastore DSN is empty"_s);
    }
    const QString sqliteScheme = u"sqlite://"_s;
    if (trimmed.startsWith(sqliteScheme, Qt::CaseInsensitive)) {
        return parseSqlite(trimmed.mid(sqliteScheme.size()), baseDir);
    }
    if (trimmed.startsWith(u"postgres://"_s, Qt::CaseInsensitive)
        || trimmed.startsWith(u"postgresql://"_s, Qt::CaseInsensitive)) {
        return parsePostgres(trimmed);
    }
    const qsizetype colon = trimmed.indexOf(u':');
    const QString scheme = colon > 0 ? trimmed.left(colon) : QString();
    return Error::invalid(
        u"unsupported datastore DSN scheme '%1' (use sqlite:// or postgres://)"_s.arg(scheme));
}

DatastoreSettings DatastoreSettings::sqliteFile(const QString &absolutePath)
{
    DatastoreSettings settings;
    settings.dialect = Dialect::Sqlite;
    settings.sqlitePath = QDir::cleanPath(QFileInfo(absolutePath).absoluteFilePath());
    return settings;
}

QString DatastoreSettings::redacted() const
{
    if (dialect == Dialect::Sqlite) {
        return u"sqlite://"_s + sqlitePath;
    }
    QString text = u"postgresql://"_s;
    if (!pgUser.isEmpty() || !pgPassword.isEmpty()) {
        text += QString::fromUtf8(QUrl::toPercentEncoding(pgUser));
        if (!pgPassword.isEmpty()) {
            text += u":***"_s;
        }
        text += u'@';
    }
    const bool socketDir = pgHost.startsWith(u'/');
    if (!socketDir) {
        text += pgHost.contains(u':') ? u'[' + pgHost + u']' : pgHost;
    }
    if (pgPort != kDefaultPgPort) {
        text += u':' + QString::number(pgPort);
    }
    text += u'/' + QString::fromUtf8(QUrl::toPercentEncoding(pgDatabase));

    QStringList params;
    if (socketDir) {
        params.append(u"host="_s + pgHost);
    }
    const QStringList options = pgOptions.split(u';', Qt::SkipEmptyParts);
    for (const QString &option : options) {
        const QString key = option.section(u'=', 0, 0);
        params.append(isSecretOption(key) ? key + u"=***"_s : option);
    }
    if (!params.isEmpty()) {
        text += u'?' + params.join(u'&');
    }
    return text;
}

} // namespace Gestalt
