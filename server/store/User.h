// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QString>

namespace Gestalt {

// A row of `users`.
struct User
{
    QString id;              // UUID, no braces
    QString email;           // as first seen, trimmed
    QString normalizedEmail; // trimmed, lower-case; unique
    QString displayName;     // empty when unknown
    QDateTime createdAt;     // UTC
    QDateTime updatedAt;     // UTC
};

} // namespace Gestalt
