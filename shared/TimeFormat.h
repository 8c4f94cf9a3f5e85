// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QString>

namespace Gestalt {

// Times on the wire: RFC 3339 in UTC with milliseconds ("2026-01-01T00:00:00.123Z").
[[nodiscard]] inline QString isoUtc(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace Gestalt
