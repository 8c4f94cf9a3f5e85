// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/PrometheusText.h"

#include "shared/PrometheusText_p.h"

#include <array>
#include <charconv>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Gestalt {

using namespace PrometheusPrivate;

namespace {

bool equalsIgnoringCase(QByteArrayView text, QByteArrayView lowerCase)
{
    if (text.size() != lowerCase.size()) {
        return false;
    }
    for (qsizetype i = 0; i < text.size(); ++i) {
        char c = text.at(i);
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (c != lowerCase.at(i)) {
            return false;
        }
    }
    return true;
}

void appendEscaped(QByteArray &out, const QString &text, bool escapeQuotes)
{
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '"':
            if (escapeQuotes) {
                out += "\\\"";
            } else {
                out += c;
            }
            break;
        default:
            out += c;
            break;
        }
    }
}

} // namespace

namespace PrometheusPrivate {

std::optional<double> parseFloatToken(QByteArrayView token)
{
    bool negative = false;
    bool hasSign = false;
    if (!token.isEmpty() && (token.front() == '+' || token.front() == '-')) {
        hasSign = true;
        negative = token.front() == '-';
        token = token.sliced(1);
    }
    if (token.isEmpty()) {
        return std::nullopt;
    }
    if (equalsIgnoringCase(token, "inf") || equalsIgnoringCase(token, "infinity")) {
        return negative ? -kInf : kInf;
    }
    if (equalsIgnoringCase(token, "nan")) {
        return hasSign ? std::nullopt : std::optional<double>(kNaN);
    }

    // digits [. digits] [e [sign] digits], at least one mantissa digit.
    qsizetype i = 0;
    qsizetype mantissaDigits = 0;
    while (i < token.size() && isDigit(token.at(i))) {
        ++i;
        ++mantissaDigits;
    }
    if (i < token.size() && token.at(i) == '.') {
        ++i;
        while (i < token.size() && isDigit(token.at(i))) {
            ++i;
            ++mantissaDigits;
        }
    }
    if (mantissaDigits == 0) {
        return std::nullopt;
    }
    if (i < token.size() && (token.at(i) == 'e' || token.at(i) == 'E')) {
        ++i;
        if (i < token.size() && (token.at(i) == '+' || token.at(i) == '-')) {
            ++i;
        }
        qsizetype exponentDigits = 0;
        while (i < token.size() && isDigit(token.at(i))) {
            ++i;
            ++exponentDigits;
        }
        if (exponentDigits == 0) {
            return std::nullopt;
        }
    }
    if (i != token.size()) {
        return std::nullopt;
    }

    double value = 0;
    const char *const end = token.data() + token.size();
    const auto [ptr, ec] = std::from_chars(token.data(), end, value, std::chars_format::general);
    if (ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return negative ? -value : value;
}

QByteArray unescape(QByteArrayView text, bool unescapeQuotes)
{
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c == '\\' && i + 1 < text.size()) {
            const char next = text.at(i + 1);
            if (next == '\\') {
                out += '\\';
                ++i;
                continue;
            }
            if (next == 'n') {
                out += '\n';
                ++i;
                continue;
            }
            if (next == '"' && unescapeQuotes) {
                out += '"';
                ++i;
                continue;
            }
        }
        out += c;
    }
    return out;
}

} // namespace PrometheusPrivate

QByteArray prometheusTextContentType()
{
    return "text/plain; version=0.0.4; charset=utf-8"_ba;
}

QString metricTypeName(MetricFamily::Type type)
{
    switch (type) {
    case MetricFamily::Type::Counter:
        return u"counter"_s;
    case MetricFamily::Type::Gauge:
        return u"gauge"_s;
    case MetricFamily::Type::Histogram:
        return u"histogram"_s;
    case MetricFamily::Type::Summary:
        return u"summary"_s;
    case MetricFamily::Type::Untyped:
        break;
    }
    return u"untyped"_s;
}

std::optional<MetricFamily::Type> metricTypeFromName(QStringView name)
{
    for (const MetricFamily::Type type : {MetricFamily::Type::Counter,
                                          MetricFamily::Type::Gauge,
                                          MetricFamily::Type::Histogram,
                                          MetricFamily::Type::Summary,
                                          MetricFamily::Type::Untyped}) {
        if (name == metricTypeName(type)) {
            return type;
        }
    }
    return std::nullopt;
}

namespace {
// Names are ASCII: a start character, then continuation characters.
bool isValidAsciiName(QStringView name, bool (*isStart)(char), bool (*isContinuation)(char))
{
    if (name.isEmpty()) {
        return false;
    }
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name.at(i).unicode();
        if (c > 0x7f) {
            return false;
        }
        const char ascii = static_cast<char>(c);
        if (i == 0 ? !isStart(ascii) : !isContinuation(ascii)) {
            return false;
        }
    }
    return true;
}
} // namespace

bool isValidMetricName(QStringView name)
{
    return isValidAsciiName(name, isMetricNameStart, isMetricNameContinuation);
}

bool isValidLabelName(QStringView name)
{
    return isValidAsciiName(name, isLabelNameStart, isLabelNameContinuation);
}

QByteArray formatPrometheusValue(double value)
{
    if (std::isnan(value)) {
        return "NaN"_ba;
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf"_ba : "-Inf"_ba;
    }
    std::array<char, 64> buffer{};
    char *const begin = buffer.data();
    char *const end = begin + buffer.size();
    // Integral values up to 1e21 (at most 22 digits) in plain digits; the rest in the shortest
    // form that parses back to the same double, which may use an exponent ("1.5e-07").
    const bool integral = value == std::trunc(value) && std::abs(value) < 1e21;
    const std::to_chars_result result =
        integral ? std::to_chars(begin, end, value, std::chars_format::fixed)
                 : std::to_chars(begin, end, value);
    Q_ASSERT(result.ec == std::errc());
    return {begin, result.ptr - begin};
}

QByteArray writePrometheusText(const QList<MetricFamily> &families)
{
    QByteArray out;
    for (const MetricFamily &family : families) {
        const QByteArray name = family.name.toUtf8();
        out += "# HELP " + name + ' ';
        appendEscaped(out, family.help, false);
        out += "\n# TYPE " + name + ' ' + metricTypeName(family.type).toLatin1() + '\n';
        for (const MetricSample &sample : family.samples) {
            out += sample.name.toUtf8();
            if (!sample.labels.isEmpty()) {
                out += '{';
                bool first = true;
                for (const auto &[labelName, labelValue] : sample.labels) {
                    if (!first) {
                        out += ',';
                    }
                    first = false;
                    out += labelName.toUtf8() + "=\"";
                    appendEscaped(out, labelValue, true);
                    out += '"';
                }
                out += '}';
            }
            out += ' ' + formatPrometheusValue(sample.value) + '\n';
        }
    }
    return out;
}

} // namespace Gestalt
