// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

namespace Gestalt {

// The sliding-window request count of a rate limit: two fixed windows of `perSeconds`, the
// previous one weighted by the share of it that still overlaps the sliding window ending now.
// Exact while all requests fall in one fixed window; across a window boundary it assumes the
// previous window's requests were spread evenly (the error is at most the previous window's
// unevenness, and never lets more than `limit` through in one fixed window).
struct SlidingWindow
{
    // Start of the fixed window holding `nowMs` (epoch milliseconds).
    [[nodiscard]] static qint64 windowStart(qint64 nowMs, qint64 perSeconds);
    // The estimated number of requests in the sliding window ending at `nowMs`.
    [[nodiscard]] static double
    estimate(qint64 previous, qint64 current, qint64 nowMs, qint64 perSeconds);
    // May one more request pass a limit of `limit`?
    [[nodiscard]] static bool
    admits(qint64 previous, qint64 current, qint64 nowMs, qint64 perSeconds, qint64 limit);
    // Whole seconds (>= 1) until one more request would pass, if no other arrives.
    [[nodiscard]] static int retryAfterSeconds(
        qint64 previous, qint64 current, qint64 nowMs, qint64 perSeconds, qint64 limit);
};

} // namespace Gestalt
