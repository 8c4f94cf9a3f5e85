// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>

#include <functional>

namespace Gestalt {

// The time source every service takes, so tests can move time (no global clock).
using Clock = std::function<QDateTime()>;

[[nodiscard]] inline Clock systemClock()
{
    return [] {
        return QDateTime::currentDateTimeUtc();
    };
}

} // namespace Gestalt
