// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <limits>
#include <optional>

// Internal to gestalt_shared, not part of its API: what the writer (PrometheusText.cpp), the
// parser (PrometheusParser.cpp) and the histogram helpers (PrometheusHistogram.cpp) share.
namespace Gestalt::PrometheusPrivate {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Character classes of metric names ([a-zA-Z_:][a-zA-Z0-9_:]*) and label names
// ([a-zA-Z_][a-zA-Z0-9_]*).
inline bool isAsciiLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

inline bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

inline bool isMetricNameStart(char c)
{
    return isAsciiLetter(c) || c == '_' || c == ':';
}

inline bool isMetricNameContinuation(char c)
{
    return isMetricNameStart(c) || isDigit(c);
}

inline bool isLabelNameStart(char c)
{
    return isAsciiLetter(c) || c == '_';
}

inline bool isLabelNameContinuation(char c)
{
    return isLabelNameStart(c) || isDigit(c);
}

// Both defined in PrometheusText.cpp, with their counterparts formatPrometheusValue() and the
// writer's escaping.

// Go's strconv.ParseFloat as Prometheus uses it: decimal notation (no hex, no underscores),
// an optional sign, "Inf"/"Infinity" with optional sign and "NaN" in any case. Out of range is an
// error.
[[nodiscard]] std::optional<double> parseFloatToken(QByteArrayView token);

// Undoes the escaping of a HELP text (`\\`, `\n`) or label value (also `\"`). Like Prometheus,
// any other backslash sequence is kept as it is.
[[nodiscard]] QByteArray unescape(QByteArrayView text, bool unescapeQuotes);

} // namespace Gestalt::PrometheusPrivate
