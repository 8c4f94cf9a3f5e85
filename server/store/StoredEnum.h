// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Logging.h"

#include <QString>

#include <optional>

namespace Gestalt::StoredEnum {

// A status or state read back from a row. Text this build does not know (a newer replica's, a
// corrupt row) reads as `fallback`, which each caller chooses so the record is safe to act on
// (final, or taking no new work), with a warning naming the row. `unknownMessage`, when given,
// receives "unknown stored status "<text>"" so the record says why it reads as it does.
template<typename E>
[[nodiscard]] E read(std::optional<E> known,
                     const QString &stored,
                     E fallback,
                     const QString &row,
                     QString *unknownMessage = nullptr)
{
    if (known) {
        return *known;
    }
    qCWarning(lcStore).noquote() << row << "has an unknown stored value" << stored;
    if (unknownMessage != nullptr) {
        *unknownMessage = QStringLiteral("unknown stored status \"%1\"").arg(stored);
    }
    return fallback;
}

} // namespace Gestalt::StoredEnum
