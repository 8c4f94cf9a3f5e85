// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace Gestalt {

// A row of `users`.
struct User
{
    QString id;                          // UUID, no braces
    QString email;                       // as first seen, trimmed
    QString normalizedEmail;             // trimmed, lower-case; unique
    QString displayName;                 // empty when unknown
    QDateTime createdAt;                 // UTC
    QDateTime updatedAt;                 // UTC
    std::optional<QDateTime> disabledAt; // set while an admin has disabled the user
};

// A page of UserRepository::list(), ordered by normalized email.
struct UserPage
{
    QList<User> users;
    QString nextPageToken; // empty on the last page
};

} // namespace Gestalt
