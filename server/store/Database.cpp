// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "store/Database.h"

#include "core/Logging.h"
#include "store/Migrator.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QVersionNumber>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int kSqliteBusyTimeoutMs = 5000;
constexpr int kDefaultConnectTimeoutSeconds = 5;
// RETURNING arrived in 3.35; upsert and TRUE/FALSE are older.
const QVersionNumber kMinimumSqlite(3, 35, 0);

std::atomic<quint64> g_nextDatabaseId{1};
std::atomic<quint64> g_nextThreadId{1};

// The connections a thread opened, removed when the thread ends. Thread numbers are never reused,
// unlike OS thread ids, so a later thread can't pick up a dead thread's connection.
class ThreadConnections final
{
public:
    ThreadConnections() = default;
    ~ThreadConnections()
    {
        // Database::~Database() may have removed some already; removing twice is a no-op.
        for (const QString &name : std::as_const(names)) {
            QSqlDatabase::removeDatabase(name);
        }
    }
    ThreadConnections(const ThreadConnections &) = delete;
    ThreadConnections &operator=(const ThreadConnections &) = delete;
    ThreadConnections(ThreadConnections &&) = delete;
    ThreadConnections &operator=(ThreadConnections &&) = delete;

    const quint64 threadId = g_nextThreadId.fetch_add(1);
    QStringList names;
};

thread_local ThreadConnections t_connections;

// The value of one `key=value` in a ';'-separated option list, or a null QString.
QString optionValue(const QString &options, QStringView key)
{
    const QStringList parts = options.split(u';', Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        if (part.section(u'=', 0, 0).trimmed() == key) {
            return part.section(u'=', 1).trimmed();
        }
    }
    return {};
}

// libpq options: the DSN's, plus a connect timeout, and tcp_user_timeout so a query on a TCP
// connection whose server vanished fails instead of waiting for TCP retransmits (~15 min).
QString postgresOptions(const QString &dsnOptions)
{
    QStringList options;
    if (!dsnOptions.isEmpty()) {
        options.append(dsnOptions);
    }
    const QString dsnTimeout = optionValue(dsnOptions, u"connect_timeout");
    if (dsnTimeout.isNull()) {
        options.append(u"connect_timeout=%1"_s.arg(kDefaultConnectTimeoutSeconds));
    }
    const int timeout = dsnTimeout.isNull() ? kDefaultConnectTimeoutSeconds : dsnTimeout.toInt();
    if (timeout > 0 && optionValue(dsnOptions, u"tcp_user_timeout").isNull()) {
        options.append(u"tcp_user_timeout=%1"_s.arg(timeout * 1000));
    }
    return options.join(u';');
}

} // namespace

Database::Database(const DatastoreSettings &settings)
    : m_settings(settings)
    , m_dialect(settings.dialect)
    , m_namePrefix(u"gestalt-store-%1-thread-"_s.arg(g_nextDatabaseId.fetch_add(1)))
{}

Database::~Database()
{
    QStringList names;
    {
        const QMutexLocker locker(&m_mutex);
        names.swap(m_connectionNames);
    }
    for (const QString &name : std::as_const(names)) {
        QSqlDatabase::removeDatabase(name);
    }
}

Result<std::unique_ptr<Database>> Database::open(const DatastoreSettings &settings)
{
    const SqlDialect dialect(settings.dialect);
    if (!QSqlDatabase::isDriverAvailable(dialect.driverName())) {
        return Error::internal(u"the QtSql driver %1 is not installed"_s.arg(dialect.driverName()));
    }
    if (dialect.isPostgres()) {
        if (settings.pgDatabase.isEmpty()) {
            return Error::invalid(u"datastore settings name no PostgreSQL database"_s);
        }
    } else {
        if (settings.sqlitePath.isEmpty()) {
            return Error::invalid(u"datastore settings name no SQLite file"_s);
        }
        const QString folder = QFileInfo(settings.sqlitePath).absolutePath();
        if (!QDir().mkpath(folder)) {
            return Error::unavailable(
                u"datastore unavailable: cannot create the folder %1 for the SQLite file"_s.arg(
                    folder));
        }
    }

    std::unique_ptr<Database> database(new Database(settings));
    {
        Result<QSqlDatabase> connection = database->openConnection();
        if (!connection) {
            return connection.error();
        }
        if (!dialect.isPostgres()) {
            QSqlQuery query(*connection);
            if (!query.exec(u"SELECT sqlite_version()"_s) || !query.next()) {
                return dialect.toError(query.lastError(), u"read the SQLite version"_s);
            }
            const QString version = query.value(0).toString();
            if (QVersionNumber::fromString(version) < kMinimumSqlite) {
                return Error::internal(u"SQLite %1 is too old; gestaltd needs %2 or newer"_s.arg(
                    version, kMinimumSqlite.toString()));
            }
        }
    }
    Migrator migrator(*database);
    const Result<void> migrated = migrator.migrate();
    if (!migrated) {
        return migrated.error();
    }
    qCDebug(lcStore).noquote() << "datastore ready:" << settings.redacted();
    return database;
}

QSqlDatabase Database::connection()
{
    QSqlDatabase connection = threadConnection();
    (void)ensureOpen(connection); // a closed connection tells the caller; prepare() says why
    return connection;
}

Result<QSqlDatabase> Database::openConnection()
{
    QSqlDatabase connection = threadConnection();
    const Result<void> opened = ensureOpen(connection);
    if (!opened) {
        return opened.error();
    }
    return connection;
}

Result<QSqlQuery> Database::prepare(const QString &sql)
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection) {
        return connection.error();
    }
    QSqlQuery query(*connection);
    if (!query.prepare(sql)) {
        return m_dialect.toError(query.lastError(), u"prepare "_s + sql.simplified().left(60));
    }
    return query;
}

Result<void> Database::ping()
{
    QSqlDatabase connection = threadConnection();
    const bool wasOpen = connection.isOpen();
    Result<void> result = pingOnce(connection);
    if (!result && wasOpen) {
        // libpq only notices on use that the server dropped the connection (restart, failover,
        // idle timeout): reconnect once. Not for a failed connect, to stay within its timeout.
        connection.close();
        result = pingOnce(connection);
    }
    const bool reachable = result.hasValue();
    if (m_reachable.exchange(reachable) != reachable) {
        if (reachable) {
            qCInfo(lcStore).noquote() << "datastore reachable again:" << m_settings.redacted();
        } else {
            qCWarning(lcStore).noquote() << result.error().message;
        }
    }
    return result;
}

QSqlDatabase Database::threadConnection()
{
    const QString name = m_namePrefix + QString::number(t_connections.threadId);
    QSqlDatabase connection = QSqlDatabase::database(name, false);
    if (connection.isValid()) {
        return connection;
    }
    connection = QSqlDatabase::addDatabase(m_dialect.driverName(), name);
    if (m_dialect.isPostgres()) {
        connection.setHostName(m_settings.pgHost);
        connection.setPort(m_settings.pgPort);
        connection.setDatabaseName(m_settings.pgDatabase);
        connection.setUserName(m_settings.pgUser);
        connection.setPassword(m_settings.pgPassword);
        connection.setConnectOptions(postgresOptions(m_settings.pgOptions));
    } else {
        connection.setDatabaseName(m_settings.sqlitePath);
        connection.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(kSqliteBusyTimeoutMs));
    }
    {
        const QMutexLocker locker(&m_mutex);
        m_connectionNames.append(name);
    }
    t_connections.names.append(name);
    return connection;
}

Result<void> Database::ensureOpen(QSqlDatabase &connection)
{
    if (connection.isOpen()) {
        return {};
    }
    connection.close(); // drops what is left of a broken connection
    if (!connection.open()) {
        return unavailable(connection.lastError());
    }
    Result<void> configured = configure(connection);
    if (!configured) {
        connection.close();
    }
    return configured;
}

Result<void> Database::configure(QSqlDatabase &connection) const
{
    QSqlQuery query(connection);
    if (m_dialect.isPostgres()) {
        // libpq prints NOTICEs ("relation already exists, skipping") to stderr by default.
        if (!query.exec(u"SET client_min_messages TO WARNING"_s)) {
            return m_dialect.toError(query.lastError(), u"configure the connection"_s);
        }
        return {};
    }
    if (!query.exec(u"PRAGMA journal_mode=WAL"_s) || !query.next()) {
        return m_dialect.toError(query.lastError(), u"enable WAL"_s);
    }
    if (query.value(0).toString() != u"wal") {
        qCWarning(lcStore).noquote() << "SQLite refused WAL mode for" << m_settings.sqlitePath
                                     << "(journal mode" << query.value(0).toString() << ")";
    }
    const QStringList pragmas = {u"PRAGMA synchronous=NORMAL"_s, u"PRAGMA foreign_keys=ON"_s};
    for (const QString &pragma : pragmas) {
        if (!query.exec(pragma)) {
            return m_dialect.toError(query.lastError(), pragma);
        }
    }
    return {};
}

Result<void> Database::pingOnce(QSqlDatabase &connection)
{
    if (const Result<void> opened = ensureOpen(connection); !opened) {
        return opened.error();
    }
    QSqlQuery query(connection);
    if (!query.exec(u"SELECT 1"_s)) {
        return unavailable(query.lastError());
    }
    return {};
}

Error Database::unavailable(const QSqlError &error) const
{
    QString message = SqlDialect::describe(error);
    if (!m_settings.pgPassword.isEmpty()) {
        message.replace(m_settings.pgPassword, u"***"_s);
    }
    return Error::unavailable(u"datastore unavailable: "_s + message);
}

} // namespace Gestalt
