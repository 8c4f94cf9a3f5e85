// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/CronExpression.h"

#include <QStringList>

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <span>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qint64 kDaySecs = 86400;
constexpr qint64 kUnixEpochJulianDay = 2440588;
// No UTC offset, current or historical, reaches 16 hours: an instant is within this of its wall
// time.
constexpr qint64 kReachSecs = qint64(16) * 3600;
// The Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks).
constexpr qint64 kSearchDays = 146097 + 366;
constexpr quint32 kAllHours = (1U << 24) - 1;

struct FieldSpec
{
    QStringView name;
    int min;
    int max;
    QStringView names; // three letters each, for min, min + 1, ...
    QStringView namesHint;
};

constexpr std::array<FieldSpec, 5> kFields{{
    {u"minute", 0, 59, {}, {}},
    {u"hour", 0, 23, {}, {}},
    {u"day-of-month", 1, 31, {}, {}},
    {u"month", 1, 12, u"JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC", u" or a month name (JAN-DEC)"},
    {u"day-of-week", 0, 7, u"SUNMONTUEWEDTHUFRISAT", u" or a day name (SUN-SAT)"},
}};

constexpr std::array<std::pair<QStringView, QStringView>, 7> kDescriptors{{
    {u"@yearly", u"0 0 1 1 *"},
    {u"@annually", u"0 0 1 1 *"},
    {u"@monthly", u"0 0 1 * *"},
    {u"@weekly", u"0 0 * * 0"},
    {u"@daily", u"0 0 * * *"},
    {u"@midnight", u"0 0 * * *"},
    {u"@hourly", u"0 * * * *"},
}};

// "cron: <field> <what>", where `what` names the token in double quotes.
Error fieldError(const FieldSpec &spec,
                 const QString &what,
                 QStringView token,
                 QStringView item = {})
{
    const auto quote = [](QStringView text) -> QString {
        return u'"' + text.toString() + u'"';
    };
    return Error::invalid(
        u"cron: %1 "_s.arg(spec.name)
        + (item.isNull() ? what.arg(quote(token)) : what.arg(quote(token), quote(item))));
}

// ASCII digits as a number (large ones saturate), -1 for anything else.
int number(QStringView token)
{
    const bool digits = !token.isEmpty() && std::all_of(token.begin(), token.end(), [](QChar c) {
        return c >= u'0' && c <= u'9';
    });
    if (!digits) {
        return -1;
    }
    return token.size() > 4 ? std::numeric_limits<int>::max() : token.toInt();
}

// A number or, where the field has them, a name; in range.
Result<int> parseValue(const FieldSpec &spec, QStringView token)
{
    int value = number(token);
    const qsizetype name =
        token.size() == 3 ? spec.names.indexOf(token, 0, Qt::CaseInsensitive) : -1;
    if (value < 0 && name >= 0 && name % 3 == 0) {
        value = spec.min + int(name / 3);
    }
    if (value < 0) {
        return fieldError(spec, u"%1 is not a number"_s + spec.namesHint.toString(), token);
    }
    if (value < spec.min || value > spec.max) {
        const QString range = QString::number(spec.min) + u'-' + QString::number(spec.max);
        return fieldError(spec, u"%1 is out of range "_s + range, token);
    }
    return value;
}

// One comma-separated item: *, n, a-b, */n, a-b/n or a/n (= a-max/n).
Result<quint64> parseItem(const FieldSpec &spec, QStringView item)
{
    const qsizetype slash = item.indexOf(u'/');
    const QStringView base = slash < 0 ? item : item.left(slash);
    int low = spec.min;
    int high = spec.max;
    int step = 1;
    if (slash >= 0) { // 1 up to the width of the field
        const QStringView token = item.mid(slash + 1);
        step = number(token);
        if (step < 0) {
            return fieldError(spec, u"step %1 in %2 is not a number"_s, token, item);
        }
        if (step < 1 || step > spec.max - spec.min) {
            return fieldError(spec,
                              u"step %1 in %2 is out of range 1-"_s
                                  + QString::number(spec.max - spec.min),
                              token,
                              item);
        }
    }
    if (base != u"*") {
        const qsizetype dash = base.indexOf(u'-');
        if (base.isEmpty() || dash == 0 || dash == base.size() - 1) {
            return fieldError(spec, u"%1 is missing a value"_s, item);
        }
        if (base.count(u'-') > 1) {
            return fieldError(spec, u"%1 is not a valid range"_s, item);
        }
        Result<int> first = parseValue(spec, dash < 0 ? base : base.left(dash));
        Result<int> last = dash < 0 ? first : parseValue(spec, base.mid(dash + 1));
        if (!first || !last) {
            return first ? last.error() : first.error();
        }
        low = *first;
        high = dash > 0 ? *last : slash < 0 ? low : spec.max;
        if (low > high) {
            const bool sunday = spec.max == 7 && high == 0;
            return fieldError(
                spec,
                u"range %1 has its start after its end"_s
                    + (sunday ? u" (write Sunday as 7 at the end of a range)"_s : QString()),
                item);
        }
    }
    quint64 bits = 0;
    for (int v = low; v <= high; v += step) {
        bits |= quint64(1) << v;
    }
    return bits;
}

Result<quint64> parseField(const FieldSpec &spec, QStringView field, bool questionAllowed)
{
    if (field == u"?") {
        if (!questionAllowed) {
            return fieldError(spec, u"%1 is only allowed in day-of-month and day-of-week"_s, field);
        }
        field = u"*";
    }
    quint64 bits = 0;
    for (const QStringView item : field.split(u',')) {
        if (item.isEmpty() || item.contains(u'?')) {
            return fieldError(spec,
                              item.isEmpty() ? u"%1 has an empty list item"_s
                                             : u"%1: \"?\" must be the whole field"_s,
                              field);
        }
        Result<quint64> parsed = parseItem(spec, item);
        if (!parsed) {
            return parsed.error();
        }
        bits |= *parsed;
    }
    return bits;
}

constexpr bool hasBit(quint64 bits, int n)
{
    return ((bits >> n) & 1U) != 0;
}

} // namespace

// The zone's UTC offsets as contiguous segments [from, until) (UTC seconds), extended forwards
// as days are walked so that one nextAfter() asks Qt about each transition once.
class CronExpression::Timeline
{
public:
    struct Segment
    {
        qint64 from;
        qint64 until;
        int offset;
    };

    explicit Timeline(const QTimeZone &zone)
        : m_zone(zone)
    {}

    // The segments overlapping [from, until), in order; valid until the next call.
    std::span<const Segment> cover(qint64 from, qint64 until)
    {
        if (m_known.empty() || from < m_known.front().from || from >= m_known.back().until) {
            m_known.assign(1, segmentAt(from));
        }
        while (m_known.back().until < until) {
            m_known.push_back(segmentAt(m_known.back().until));
        }
        while (m_known.front().until <= from) {
            m_known.erase(m_known.begin());
        }
        const auto end = std::find_if(
            m_known.begin(), m_known.end(), [&](const Segment &s) { return s.from >= until; });
        return {m_known.begin(), end};
    }

private:
    [[nodiscard]] Segment segmentAt(qint64 at) const
    {
        const QDateTime when = QDateTime::fromSecsSinceEpoch(at, QTimeZone::utc());
        Segment s{at, std::numeric_limits<qint64>::max(), m_zone.offsetFromUtc(when)};
        if (m_zone.hasTransitions()) {
            const QTimeZone::OffsetData next = m_zone.nextTransition(when);
            if (next.atUtc.isValid()) {
                s.until = std::max(at + 1, next.atUtc.toSecsSinceEpoch());
            }
        }
        return s;
    }

    const QTimeZone &m_zone;
    std::vector<Segment> m_known;
};

Result<CronExpression> CronExpression::parse(const QString &text)
{
    CronExpression cron;
    cron.m_text = text.trimmed();
    QString fields = cron.m_text.simplified();
    if (fields.startsWith(u'@')) {
        const auto *const it =
            std::find_if(kDescriptors.begin(), kDescriptors.end(), [&](const auto &d) {
                return d.first.compare(fields, Qt::CaseInsensitive) == 0;
            });
        if (it == kDescriptors.end()) {
            return Error::invalid(
                u"cron: unknown descriptor \"%1\" (expected @yearly, @annually, @monthly, "
                u"@weekly, @daily, @midnight or @hourly)"_s.arg(fields));
        }
        fields = it->second.toString();
    }
    if (fields.isEmpty()) {
        return Error::invalid(u"cron: expression is empty"_s);
    }
    const QStringList parts = fields.split(u' ');
    if (parts.size() != 5) {
        return Error::invalid(u"cron: expected 5 fields (minute hour day-of-month month "
                              u"day-of-week), got %1 in \"%2\""_s.arg(parts.size())
                                  .arg(cron.m_text));
    }
    std::array<quint64, 5> bits{};
    for (size_t i = 0; i < kFields.size(); ++i) {
        Result<quint64> parsed = parseField(kFields[i], parts[qsizetype(i)], i == 2 || i == 4);
        if (!parsed) {
            return parsed.error();
        }
        bits[i] = *parsed;
    }
    cron.m_minutes = bits[0];
    cron.m_hours = quint32(bits[1]);
    cron.m_days = quint32(bits[2]);
    cron.m_months = quint32(bits[3]);
    cron.m_weekdays = quint32((bits[4] | (bits[4] >> 7)) & 0x7f); // 7 is Sunday too
    const auto starred = [](const QString &f) {
        return f.startsWith(u'*') || f == u"?";
    };
    cron.m_bothDays = starred(parts[2]) || starred(parts[4]);

    // With both day fields restricted every month has a matching weekday; otherwise some selected
    // month must have one of the selected days (February counts its 29th).
    static constexpr std::array<int, 13> kMonthDays{
        0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool possible = !cron.m_bothDays;
    for (int month = 1; month <= 12 && !possible; ++month) {
        const auto daysInMonth = quint32((quint64(1) << (kMonthDays[month] + 1)) - 2);
        possible = hasBit(cron.m_months, month) && (cron.m_days & daysInMonth) != 0;
    }
    if (!possible) {
        return Error::invalid(u"cron: \"%1\" never fires: none of the selected months has any of "
                              u"the selected days of the month"_s.arg(cron.m_text));
    }
    return cron;
}

bool CronExpression::matchesDay(int day, int weekday) const
{
    const bool dayMatches = hasBit(m_days, day);
    const bool weekdayMatches = hasBit(m_weekdays, weekday);
    return m_bothDays ? dayMatches && weekdayMatches : dayMatches || weekdayMatches;
}

bool CronExpression::matches(const QDate &date, const QTime &time) const
{
    return date.isValid() && time.isValid() && hasBit(m_months, date.month())
           && matchesDay(date.day(), date.dayOfWeek() % 7) && hasBit(m_hours, time.hour())
           && hasBit(m_minutes, time.minute());
}

QList<int> CronExpression::values(Field field) const
{
    const std::array<quint64, 5> all{m_minutes, m_hours, m_days, m_months, m_weekdays};
    const quint64 bits = all[size_t(field)];
    QList<int> out;
    for (int v = 0; v < 64; ++v) {
        if (hasBit(bits, v)) {
            out.append(v);
        }
    }
    return out;
}

// The first matching minute of the day (hour * 60 + minute) at or after `from`, or -1.
int CronExpression::nextMinuteOfDay(int from) const
{
    for (int hour = from / 60; hour < 24; ++hour) {
        const quint32 hours = m_hours >> hour;
        if (hours == 0) {
            return -1;
        }
        hour += std::countr_zero(hours);
        const int first = hour == from / 60 ? from % 60 : 0;
        const quint64 minutes = m_minutes >> first;
        if (minutes != 0) {
            return hour * 60 + first + std::countr_zero(minutes);
        }
    }
    return -1;
}

// The earliest firing instant (UTC seconds) after `afterMs` among the wall times of one day.
std::optional<qint64>
CronExpression::firstOnDay(qint64 julianDay, qint64 afterMs, Timeline &timeline) const
{
    const qint64 dayStart = (julianDay - kUnixEpochJulianDay) * kDaySecs; // wall time as UTC
    const std::span<const Timeline::Segment> segments =
        timeline.cover(dayStart - kReachSecs, dayStart + kDaySecs + kReachSecs);
    if (segments.size() == 1) {
        // One offset all day: wall minute k is the instant dayStart - offset + 60 k.
        const qint64 sinceMidnightMs = afterMs - (dayStart - segments.front().offset) * 1000;
        const qint64 from = sinceMidnightMs < 0 ? 0 : sinceMidnightMs / 60000 + 1;
        const int minute = from >= qint64(24) * 60 ? -1 : nextMinuteOfDay(int(from));
        if (minute < 0) {
            return std::nullopt;
        }
        return dayStart - segments.front().offset + qint64(minute) * 60;
    }

    // A transition is near: map each matching wall time to the instants that show it, all within
    // [wall - maxOffset, wall - minOffset], so only a few wall times around `after` can win.
    const auto [low, high] = std::minmax_element(
        segments.begin(), segments.end(), [](auto &a, auto &b) { return a.offset < b.offset; });
    const bool bothPasses = m_hours == kAllHours;
    std::optional<qint64> best;
    const auto consider = [&](qint64 instant) {
        if (instant * 1000 > afterMs && (!best || instant < *best)) {
            best = instant;
        }
    };
    const qint64 sinceMidnightMs = afterMs - (dayStart - low->offset) * 1000;
    const qint64 from =
        sinceMidnightMs < 0 ? 0 : std::min<qint64>(sinceMidnightMs / 60000 + 1, qint64(24) * 60);
    for (int minute = nextMinuteOfDay(int(from)); minute >= 0;
         minute = nextMinuteOfDay(minute + 1)) {
        const qint64 wall = dayStart + qint64(minute) * 60;
        if (best && wall - high->offset >= *best) {
            break;
        }
        bool shown = false;
        for (const Timeline::Segment &s : segments) {
            const qint64 instant = wall - s.offset;
            if (instant >= s.from && instant < s.until) {
                if (!shown || bothPasses) {
                    consider(instant);
                }
                shown = true;
            }
        }
        // Skipped by a gap: fire at the instant the clock jumps over it.
        for (size_t i = 0; !shown && i + 1 < segments.size(); ++i) {
            const qint64 jump = segments[i + 1].from;
            if (wall >= jump + segments[i].offset && wall < jump + segments[i + 1].offset) {
                consider(jump);
                shown = true;
            }
        }
    }
    return best;
}

std::optional<QDateTime> CronExpression::nextAfter(const QDateTime &after,
                                                   const QTimeZone &zone) const
{
    if (!after.isValid() || !zone.isValid()) {
        return std::nullopt;
    }
    const qint64 afterMs = after.toMSecsSinceEpoch();
    Timeline timeline(zone);
    // Any later instant's wall date is at least the UTC date of `after` minus one day.
    const qint64 afterDays =
        (afterMs >= 0 ? afterMs : afterMs - kDaySecs * 1000 + 1) / (kDaySecs * 1000);
    qint64 julianDay = kUnixEpochJulianDay + afterDays - 1;
    const qint64 lastDay = julianDay + kSearchDays;
    std::optional<qint64> best;
    while (julianDay <= lastDay) {
        // No instant with this wall date (or a later one) can come before `best`.
        const qint64 dayStart = (julianDay - kUnixEpochJulianDay) * kDaySecs;
        if (best && dayStart - kReachSecs >= *best) {
            break;
        }
        const QDate date = QDate::fromJulianDay(julianDay);
        if (!hasBit(m_months, date.month())) {
            julianDay = QDate(date.year(), date.month(), 1).addMonths(1).toJulianDay();
            continue;
        }
        if (matchesDay(date.day(), date.dayOfWeek() % 7)) {
            const std::optional<qint64> found = firstOnDay(julianDay, afterMs, timeline);
            if (found && (!best || *found < *best)) {
                best = found;
            }
        }
        ++julianDay;
    }
    if (!best) {
        return std::nullopt;
    }
    return QDateTime::fromSecsSinceEpoch(*best, Qt::UTC);
}

} // namespace Gestalt
