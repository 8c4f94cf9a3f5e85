// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"
#include "store/DatastoreSettings.h"

#include <QStringList>
#include <QTemporaryDir>

namespace Gestalt::Test {

// Fresh, empty datastores for store and API tests, one per call, so each test starts clean.
// Use backends() as the rows of initTestCase_data() so every test proves both stores.
class TestDatabase final
{
public:
    // "sqlite" and "postgresql".
    [[nodiscard]] static QStringList backends();
    // The column "backend" with one row per backend, for initTestCase_data().
    static void addBackendRows();

    // sqlite: a new file in dir. postgresql: a newly created database on the ctest fixture server
    // (unix socket in $GESTALT_TEST_PG_DIR/socket, user postgres). When that server isn't running
    // this is an Error that says so: a test must fail on it, never skip.
    [[nodiscard]] static Result<DatastoreSettings> create(const QString &backend,
                                                          QTemporaryDir &dir);

    // Settings for a database on the fixture server (no database is created).
    [[nodiscard]] static DatastoreSettings postgresSettings(const QString &database);
    [[nodiscard]] static QString postgresSocketDir();

    // Drops every PostgreSQL database create() made in this process; call it from
    // cleanupTestCase() after the Database objects are gone.
    static void dropAll();
};

} // namespace Gestalt::Test
