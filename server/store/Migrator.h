// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace Gestalt {

class Database;
class SqlDialect;

// Versioned schema migrations: numbered files per dialect, compiled into the resources at
// :/migrations/<sqlite|postgresql>/NNNN_name.sql. Each pending one runs in its own transaction and
// is recorded in schema_migrations(version, name, applied_at epoch ms). On PostgreSQL every
// migration transaction first takes an advisory lock and re-checks, so replicas starting together
// apply each migration once. A database already at a version newer than the newest file refuses
// with an Error: an older gestaltd must not run against a newer schema.
//
// File format: plain SQL; a statement ends with ';' at the end of a line; whole-line `--` comments.
// No ';' at a line end inside string literals.
class Migrator final
{
public:
    struct Migration
    {
        int version = 0;
        QString name; // 0001_init.sql → "init"
        QString sql;
    };

    explicit Migrator(Database &database);

    // The migrations this binary carries for the dialect, in version order.
    [[nodiscard]] static Result<QList<Migration>> available(const SqlDialect &dialect);
    [[nodiscard]] static QStringList splitStatements(const QString &sql);

    [[nodiscard]] Result<void> migrate();
    // Versions recorded in schema_migrations (the table must exist: migrate() creates it).
    [[nodiscard]] Result<QSet<int>> appliedVersions();

private:
    [[nodiscard]] Result<void> createVersionTable();
    [[nodiscard]] Result<void> apply(const Migration &migration);

    Database &m_database;
};

} // namespace Gestalt
