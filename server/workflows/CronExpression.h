// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QTime>
#include <QTimeZone>

#include <optional>

namespace Gestalt {

// A standard 5-field cron schedule ("minute hour day-of-month month day-of-week", or a descriptor
// such as @daily), evaluated on the wall clock of an IANA time zone. README.md ("Workflows")
// is the user-facing description; in short:
//
// - Fields: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 0-7
//   (0 and 7 are Sunday) or SUN-SAT. Items are `*`, `n`, `a-b`, `*/n`, `a-b/n` and `a/n`
//   (= a-max/n), joined by commas; `?` (a whole day-of-month or day-of-week field) means `*`.
//   Expressions that can never fire (`0 0 30 2 *`) are rejected.
// - Days, as in Vixie/ISC cron: when the day-of-month or the day-of-week field starts with `*`
//   (or is `?`), a day must match both fields; when both are restricted, either one suffices.
// - A matching wall time skipped by a DST gap fires once, at the first instant after the gap.
//   A wall time repeated by a DST overlap fires on both passes when the hour field covers all 24
//   hours (interval jobs keep running), and only on the first pass otherwise.
//
// Parsing is the only step that can fail; nextAfter() walks days, not minutes, so a call costs a
// few Qt time zone look-ups whatever the expression.
class CronExpression final
{
public:
    enum class Field {
        Minute,
        Hour,
        DayOfMonth,
        Month,
        DayOfWeek,
    };

    // Parses a 5-field expression "minute hour day-of-month month day-of-week" or a descriptor
    // (@yearly @annually @monthly @weekly @daily @midnight @hourly). Error::invalid with a clear
    // message naming the field and the bad token, e.g. `cron: hour "24" is out of range 0-23`.
    [[nodiscard]] static Result<CronExpression> parse(const QString &text);

    // The first firing instant strictly after `after` (any time spec; result in UTC, seconds and
    // ms zero), evaluated on the wall clock of `zone`. nullopt for an invalid `after` or `zone`,
    // or when nothing fires within 400 years (the Gregorian calendar repeats after that, so it
    // never will; parse() already rejects such expressions).
    [[nodiscard]] std::optional<QDateTime> nextAfter(const QDateTime &after,
                                                     const QTimeZone &zone) const;

    // As given, trimmed.
    [[nodiscard]] const QString &text() const { return m_text; }

    // Whether the wall-clock date and time (seconds ignored) match every field, with the
    // day-of-month/day-of-week rule above. Says nothing about DST: see nextAfter().
    [[nodiscard]] bool matches(const QDate &date, const QTime &time) const;

    // The values a field selects, ascending; day-of-week as 0-6 (Sunday = 0).
    [[nodiscard]] QList<int> values(Field field) const;

private:
    class Timeline; // the zone's UTC offsets over a stretch of time, cached for one nextAfter()

    CronExpression() = default;

    [[nodiscard]] bool matchesDay(int day, int weekday) const;
    [[nodiscard]] int nextMinuteOfDay(int from) const;
    [[nodiscard]] std::optional<qint64>
    firstOnDay(qint64 julianDay, qint64 afterMs, Timeline &timeline) const;

    QString m_text;
    quint64 m_minutes = 0;   // bits 0-59
    quint32 m_hours = 0;     // bits 0-23
    quint32 m_days = 0;      // bits 1-31
    quint32 m_months = 0;    // bits 1-12
    quint32 m_weekdays = 0;  // bits 0-6, Sunday = 0
    bool m_bothDays = false; // day-of-month or day-of-week starts with `*`: both must match
};

} // namespace Gestalt
