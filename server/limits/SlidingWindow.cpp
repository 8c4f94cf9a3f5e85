// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "limits/SlidingWindow.h"

#include <algorithm>
#include <cmath>

namespace Gestalt {

qint64 SlidingWindow::windowStart(qint64 nowMs, qint64 perSeconds)
{
    const qint64 perMs = perSeconds * 1000;
    return nowMs - (nowMs % perMs);
}

double SlidingWindow::estimate(qint64 previous, qint64 current, qint64 nowMs, qint64 perSeconds)
{
    const double perMs = double(perSeconds) * 1000.0;
    const auto elapsed = double(nowMs - windowStart(nowMs, perSeconds));
    return double(previous) * (perMs - elapsed) / perMs + double(current);
}

bool SlidingWindow::admits(
    qint64 previous, qint64 current, qint64 nowMs, qint64 perSeconds, qint64 limit)
{
    // The current window alone never goes beyond the limit; the estimate keeps a burst at the
    // end of one window from being followed by a full limit at the start of the next.
    return current + 1 <= limit
           && estimate(previous, current, nowMs, perSeconds) + 1.0 <= double(limit);
}

int SlidingWindow::retryAfterSeconds(
    qint64 previous, qint64 current, qint64 nowMs, qint64 perSeconds, qint64 limit)
{
    const double perMs = double(perSeconds) * 1000.0;
    const auto elapsed = double(nowMs - windowStart(nowMs, perSeconds));
    const auto room = double(limit - 1); // the estimate must fall to this
    double waitMs = 0;
    if (current <= limit - 1) {
        // Within this window: the previous window's weight decays until the estimate fits.
        // previous * (perMs - elapsed - t) / perMs + current <= room
        const double t =
            previous > 0 ? (perMs - elapsed) - (room - double(current)) * perMs / double(previous)
                         : 0.0;
        waitMs = std::max(0.0, t);
    } else {
        // In the next window this window's count decays: current * (perMs - t') / perMs <= room.
        const double next = current > 0 ? perMs - room * perMs / double(current) : 0.0;
        waitMs = (perMs - elapsed) + std::max(0.0, next);
    }
    const double seconds = std::ceil(waitMs / 1000.0);
    return int(std::clamp(seconds, 1.0, 2.0 * double(perSeconds)));
}

} // namespace Gestalt
