// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Clock.h"
#include "shared/Result.h"
#include "subjects/ManagedSubject.h"

#include <QList>
#include <QStringList>

namespace Gestalt {

class Database;

// SQL for `managed_subjects`.
class ManagedSubjectRepository final
{
public:
    ManagedSubjectRepository(Database &database, Clock clock);

    // 409 "managed subject already exists" when the id was ever used (deleted ones included).
    [[nodiscard]] Result<ManagedSubject> create(const ManagedSubject &subject);
    // Not deleted ones only.
    [[nodiscard]] Result<std::optional<ManagedSubject>> find(const QString &id);
    // Not deleted, by id; the ones in `ids` only when `ids` is given. Ordered by id.
    [[nodiscard]] Result<QList<ManagedSubject>> list(const std::optional<QStringList> &ids = {});
    // Sets displayName/description (nullopt: unchanged). 404 when missing or deleted.
    [[nodiscard]] Result<ManagedSubject> update(const QString &id,
                                                const std::optional<QString> &displayName,
                                                const std::optional<QString> &description);
    // False when missing or already deleted.
    [[nodiscard]] Result<bool> softDelete(const QString &id);

private:
    Database &m_database;
    Clock m_clock;
};

} // namespace Gestalt
