// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/ConfigScalars.h"

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

double nsPerUnit(QStringView unit)
{
    constexpr double us = 1e3;
    constexpr double ms = 1e6;
    constexpr double s = 1e9;
    if (unit == u"ns") {
        return 1;
    }
    if (unit == u"us" || unit == u"\u00b5s" || unit == u"\u03bcs") {
        return us;
    }
    if (unit == u"ms") {
        return ms;
    }
    if (unit == u"s") {
        return s;
    }
    if (unit == u"m") {
        return 60 * s;
    }
    if (unit == u"h") {
        return 3600 * s;
    }
    if (unit == u"d") {
        return 86400 * s;
    }
    return 0;
}

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

} // namespace

std::optional<std::chrono::milliseconds> parseDuration(QStringView text)
{
    text = text.trimmed();
    bool negative = false;
    if (!text.isEmpty() && (text.front() == u'-' || text.front() == u'+')) {
        negative = text.front() == u'-';
        text = text.mid(1);
    }
    if (text == u"0") {
        return std::chrono::milliseconds(0);
    }
    if (text.isEmpty()) {
        return std::nullopt;
    }
    // Sum in nanoseconds as a long double, then check range: Go's limit is ~292 years.
    long double totalNs = 0;
    qsizetype i = 0;
    while (i < text.size()) {
        const qsizetype numberStart = i;
        while (i < text.size() && isDigit(text.at(i))) {
            ++i;
        }
        const qsizetype intDigits = i - numberStart;
        qsizetype fracDigits = 0;
        if (i < text.size() && text.at(i) == u'.') {
            ++i;
            const qsizetype fracStart = i;
            while (i < text.size() && isDigit(text.at(i))) {
                ++i;
            }
            fracDigits = i - fracStart;
        }
        if (intDigits == 0 && fracDigits == 0) {
            return std::nullopt;
        }
        bool ok = false;
        const double number = text.mid(numberStart, i - numberStart).toDouble(&ok);
        if (!ok) {
            return std::nullopt;
        }
        const qsizetype unitStart = i;
        while (i < text.size() && !isDigit(text.at(i)) && text.at(i) != u'.') {
            ++i;
        }
        const double unit = nsPerUnit(text.mid(unitStart, i - unitStart));
        if (unit == 0) {
            return std::nullopt;
        }
        totalNs += static_cast<long double>(number) * unit;
    }
    if (totalNs > static_cast<long double>(std::numeric_limits<qint64>::max())) {
        return std::nullopt;
    }
    const auto ms = static_cast<qint64>(std::floor(totalNs / 1e6L));
    return std::chrono::milliseconds(negative ? -ms : ms);
}

std::optional<qint64> parseByteSize(QStringView text)
{
    text = text.trimmed();
    qsizetype digits = 0;
    while (digits < text.size() && isDigit(text.at(digits))) {
        ++digits;
    }
    if (digits == 0) {
        return std::nullopt;
    }
    bool ok = false;
    const qint64 number = text.left(digits).toLongLong(&ok);
    if (!ok) {
        return std::nullopt;
    }
    const QString unit = text.mid(digits).trimmed().toString().toLower();
    qint64 factor = 0;
    if (unit.isEmpty() || unit == u"b") {
        factor = 1;
    } else if (unit == u"k" || unit == u"kib") {
        factor = qint64(1) << 10;
    } else if (unit == u"m" || unit == u"mib") {
        factor = qint64(1) << 20;
    } else if (unit == u"g" || unit == u"gib") {
        factor = qint64(1) << 30;
    } else if (unit == u"kb") {
        factor = 1000;
    } else if (unit == u"mb") {
        factor = qint64(1000) * 1000;
    } else if (unit == u"gb") {
        factor = qint64(1000) * 1000 * 1000;
    } else {
        return std::nullopt;
    }
    if (number > std::numeric_limits<qint64>::max() / factor) {
        return std::nullopt;
    }
    return number * factor;
}

std::optional<bool> parseBool(QStringView text)
{
    if (text == u"true" || text == u"True" || text == u"TRUE") {
        return true;
    }
    if (text == u"false" || text == u"False" || text == u"FALSE") {
        return false;
    }
    return std::nullopt;
}

std::optional<qint64> parseInteger(QStringView text)
{
    text = text.trimmed();
    if (text.isEmpty()) {
        return std::nullopt;
    }
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (!isDigit(c) && !(i == 0 && (c == u'-' || c == u'+'))) {
            return std::nullopt;
        }
    }
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    return ok ? std::optional<qint64>(value) : std::nullopt;
}

} // namespace Gestalt
