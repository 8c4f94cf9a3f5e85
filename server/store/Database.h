// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"
#include "store/DatastoreSettings.h"
#include "store/SqlDialect.h"

#include <QMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>

#include <atomic>
#include <memory>

namespace Gestalt {

// The datastore: connection settings plus one QtSql connection per thread that uses it.
//
// A QSqlDatabase may only be used on the thread that opened it, so connection() hands each thread
// its own, named after this Database and the thread ("gestalt-store-<n>-thread-<m>"); several
// Database objects in one process never share one. A thread's connections are removed when the
// thread ends, and all of them when the Database is destroyed: destroy it only after the threads
// using it are done, and keep no QSqlDatabase / QSqlQuery copies beyond its life.
class Database final
{
public:
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;
    Database(Database &&) = delete;
    Database &operator=(Database &&) = delete;

    // Connects (SQLite: creates the file and its folder, WAL, synchronous=NORMAL, foreign keys,
    // 5 s busy timeout; PostgreSQL: connect_timeout=5 unless the DSN sets one), then applies the
    // pending migrations. Unavailable "datastore unavailable: ..." when the server can't be reached
    // (bounded by the connect timeout); an Error when the schema is newer than this binary.
    [[nodiscard]] static Result<std::unique_ptr<Database>> open(const DatastoreSettings &settings);

    [[nodiscard]] const DatastoreSettings &settings() const { return m_settings; }
    [[nodiscard]] const SqlDialect &dialect() const { return m_dialect; }

    // This thread's connection, opened on first use and reopened after it dropped. It is closed
    // when the datastore can't be reached; openConnection() and prepare() say so as an Error.
    [[nodiscard]] QSqlDatabase connection();
    [[nodiscard]] Result<QSqlDatabase> openConnection();
    // A prepared statement on this thread's connection.
    [[nodiscard]] Result<QSqlQuery> prepare(const QString &sql);

    // A cheap round trip (SELECT 1) on this thread's connection. A connection the server dropped is
    // reopened, so this recovers once the server is back. Never blocks longer than about the
    // connect timeout. Logs a warning when the datastore becomes unreachable and an info line when
    // it is back (once per change, not per call).
    [[nodiscard]] Result<void> ping();

private:
    explicit Database(const DatastoreSettings &settings);

    [[nodiscard]] QSqlDatabase threadConnection();
    [[nodiscard]] Result<void> ensureOpen(QSqlDatabase &connection);
    [[nodiscard]] Result<void> configure(QSqlDatabase &connection) const;
    [[nodiscard]] Result<void> pingOnce(QSqlDatabase &connection);
    [[nodiscard]] Error unavailable(const QSqlError &error) const;

    const DatastoreSettings m_settings;
    const SqlDialect m_dialect;
    const QString m_namePrefix;
    QMutex m_mutex;
    QStringList m_connectionNames; // guarded by m_mutex
    std::atomic_bool m_reachable = true;
};

} // namespace Gestalt
