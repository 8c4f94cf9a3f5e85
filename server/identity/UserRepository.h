// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/User.h"
#include "shared/Result.h"

#include <optional>

class QSqlQuery;

namespace Gestalt {

class Database;

// SQL for `users`. Users are keyed by their normalized email (trimmed, lower-case).
class UserRepository final
{
public:
    explicit UserRepository(Database &database);

    [[nodiscard]] static QString normalizeEmail(const QString &email);

    // The user with this email, created if there is none. Safe against concurrent calls, also
    // across replicas: insert-or-ignore, then select, in one transaction. An existing user keeps
    // its display name. InvalidArgument for a blank email.
    [[nodiscard]] Result<User> findOrCreateByEmail(const QString &email,
                                                   const QString &displayName = {});
    [[nodiscard]] Result<std::optional<User>> findById(const QString &id);
    // Matches the normalized email, so case and surrounding blanks don't matter.
    [[nodiscard]] Result<std::optional<User>> findByEmail(const QString &email);
    // Every user, by normalized email; pageToken is the previous page's nextPageToken
    // (InvalidArgument "invalid pageToken" for anything else).
    [[nodiscard]] Result<UserPage> list(int pageSize, const QString &pageToken);
    // Sets (a time) or clears (nullopt) disabled_at. False when there is no such user.
    [[nodiscard]] Result<bool> setDisabledAt(const QString &id,
                                             const std::optional<QDateTime> &disabledAt);

private:
    [[nodiscard]] Result<std::optional<User>> findOne(QStringView where, const QString &value);
    [[nodiscard]] static User fromRow(const QSqlQuery &query);

    Database &m_database;
};

} // namespace Gestalt
