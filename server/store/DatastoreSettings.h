// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QString>

namespace Gestalt {

// Where the store lives, parsed from a DSN: `sqlite://relative/or/absolute/path.db`,
// `sqlite:///abs/path.db`, or
// `postgres://user:password@host:port/dbname?host=/socket/dir&sslmode=...`
// (`postgresql://` too). Relative SQLite paths resolve against baseDir (the config file's folder).
struct DatastoreSettings
{
    enum class Dialect {
        Sqlite,
        Postgres,
    };

    Dialect dialect = Dialect::Sqlite;
    QString sqlitePath; // absolute
    QString pgHost;     // host name, IP, or a unix socket directory (starts with '/')
    int pgPort = 5432;
    QString pgDatabase;
    QString pgUser;
    QString pgPassword; // never logged
    QString pgOptions;  // extra libpq options, e.g. "sslmode=require;connect_timeout=5"

    [[nodiscard]] static Result<DatastoreSettings> fromDsn(const QString &dsn,
                                                           const QString &baseDir);
    [[nodiscard]] static DatastoreSettings sqliteFile(const QString &absolutePath);
    // For logs and errors: the DSN without the password.
    [[nodiscard]] QString redacted() const;
};

} // namespace Gestalt
