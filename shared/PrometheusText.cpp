// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/PrometheusText.h"

#include <QByteArrayView>
#include <QHash>
#include <QStringDecoder>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

bool isAsciiLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isMetricNameStart(char c)
{
    return isAsciiLetter(c) || c == '_' || c == ':';
}

bool isMetricNameContinuation(char c)
{
    return isMetricNameStart(c) || isDigit(c);
}

bool isLabelNameStart(char c)
{
    return isAsciiLetter(c) || c == '_';
}

bool isLabelNameContinuation(char c)
{
    return isLabelNameStart(c) || isDigit(c);
}

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

// Go's strconv.ParseFloat as Prometheus uses it: decimal notation (no hex, no underscores),
// an optional sign, "Inf"/"Infinity" with optional sign and "NaN" in any case. Out of range is an
// error.
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

std::optional<QString> decodeUtf8(QByteArrayView bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString result = decoder.decode(bytes);
    if (decoder.hasError()) {
        return std::nullopt;
    }
    return result;
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

// Undoes the escaping of a HELP text (`\\`, `\n`) or label value (also `\"`). Like Prometheus,
// any other backslash sequence is kept as it is.
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

MetricLabels sortedLabels(MetricLabels labels)
{
    std::sort(labels.begin(), labels.end());
    return labels;
}

// Parser state for one input. Families are kept in order of first appearance.
class TextParser final
{
public:
    Result<QList<MetricFamily>> parse(const QByteArray &text);

private:
    struct FamilyState
    {
        bool typeSeen = false; // a TYPE line or the first sample fixed the type
        bool helpSeen = false;
    };

    // The cursor over the current line.
    [[nodiscard]] bool atEnd() const { return m_pos >= m_line.size(); }
    [[nodiscard]] char current() const { return m_line.at(m_pos); }
    void skipBlanks()
    {
        while (!atEnd() && isBlank(current())) {
            ++m_pos;
        }
    }
    QByteArrayView readMetricName();
    QByteArrayView readLabelName();
    QByteArrayView readUntilBlank();

    [[nodiscard]] Error error(const QString &message) const
    {
        return Error::invalid(u"line %1: %2"_s.arg(QString::number(m_lineNumber), message));
    }

    std::optional<Error> parseLine();
    std::optional<Error> parseMetadata(bool isHelp);
    std::optional<Error> parseSample();
    std::optional<Error> parseLabels(MetricLabels &labels);
    qsizetype familyIndex(const QString &name); // creates the family if needed
    qsizetype familyForSample(const QString &sampleName);

    QByteArrayView m_line;
    qsizetype m_pos = 0;
    int m_lineNumber = 0;
    QList<MetricFamily> m_families;
    QList<FamilyState> m_states;
    QHash<QString, qsizetype> m_indexByName;
};

QByteArrayView TextParser::readMetricName()
{
    const qsizetype start = m_pos;
    if (!atEnd() && isMetricNameStart(current())) {
        ++m_pos;
        while (!atEnd() && isMetricNameContinuation(current())) {
            ++m_pos;
        }
    }
    return m_line.sliced(start, m_pos - start);
}

QByteArrayView TextParser::readLabelName()
{
    const qsizetype start = m_pos;
    if (!atEnd() && isLabelNameStart(current())) {
        ++m_pos;
        while (!atEnd() && isLabelNameContinuation(current())) {
            ++m_pos;
        }
    }
    return m_line.sliced(start, m_pos - start);
}

QByteArrayView TextParser::readUntilBlank()
{
    const qsizetype start = m_pos;
    while (!atEnd() && !isBlank(current())) {
        ++m_pos;
    }
    return m_line.sliced(start, m_pos - start);
}

Result<QList<MetricFamily>> TextParser::parse(const QByteArray &text)
{
    const QByteArrayView all(text);
    qsizetype lineStart = 0;
    while (lineStart < all.size()) {
        qsizetype lineEnd = all.indexOf('\n', lineStart);
        if (lineEnd < 0) {
            lineEnd = all.size(); // the last line may lack its newline
        }
        m_line = all.sliced(lineStart, lineEnd - lineStart);
        m_pos = 0;
        ++m_lineNumber;
        if (std::optional<Error> failure = parseLine()) {
            return *failure;
        }
        lineStart = lineEnd + 1;
    }
    return m_families;
}

std::optional<Error> TextParser::parseLine()
{
    skipBlanks();
    if (atEnd()) {
        return std::nullopt; // blank line
    }
    if (current() != '#') {
        return parseSample();
    }
    ++m_pos;
    // Only "#", blanks, then HELP or TYPE, then blanks is metadata; anything else is a comment.
    if (atEnd() || !isBlank(current())) {
        return std::nullopt;
    }
    skipBlanks();
    const QByteArrayView keyword = readUntilBlank();
    if (atEnd() || (keyword != "HELP" && keyword != "TYPE")) {
        return std::nullopt;
    }
    skipBlanks();
    return parseMetadata(keyword == "HELP");
}

std::optional<Error> TextParser::parseMetadata(bool isHelp)
{
    const QString keyword = isHelp ? u"HELP"_s : u"TYPE"_s;
    const QByteArrayView name = readMetricName();
    if (name.isEmpty()) {
        return error(u"expected a metric name after %1"_s.arg(keyword));
    }
    if (!atEnd() && !isBlank(current())) {
        return error(u"invalid metric name in %1 line"_s.arg(keyword));
    }
    skipBlanks();
    const QByteArrayView rest = m_line.sliced(m_pos);
    const QString familyName = QString::fromLatin1(name);

    if (isHelp) {
        const std::optional<QString> help = decodeUtf8(unescape(rest, false));
        if (!help) {
            return error(u"HELP text of %1 is not valid UTF-8"_s.arg(familyName));
        }
        const qsizetype index = familyIndex(familyName);
        if (m_states.at(index).helpSeen) {
            return error(u"second HELP line for %1"_s.arg(familyName));
        }
        m_states[index].helpSeen = true;
        m_families[index].help = *help;
        return std::nullopt;
    }

    const QByteArrayView typeText = rest.trimmed();
    if (typeText.isEmpty()) {
        return error(u"missing metric type in TYPE line for %1"_s.arg(familyName));
    }
    const std::optional<MetricFamily::Type> type =
        metricTypeFromName(QString::fromLatin1(typeText));
    if (!type) {
        return error(
            u"unknown metric type \"%1\" for %2"_s.arg(QString::fromUtf8(typeText), familyName));
    }
    const qsizetype index = familyIndex(familyName);
    if (m_states.at(index).typeSeen) {
        if (!m_families.at(index).samples.isEmpty()) {
            return error(u"TYPE line for %1 after its samples"_s.arg(familyName));
        }
        return error(u"second TYPE line for %1"_s.arg(familyName));
    }
    m_states[index].typeSeen = true;
    m_families[index].type = *type;
    return std::nullopt;
}

std::optional<Error> TextParser::parseSample()
{
    const QByteArrayView nameBytes = readMetricName();
    if (nameBytes.isEmpty()) {
        return error(u"expected a metric name, comment or blank line"_s);
    }
    MetricSample sample;
    sample.name = QString::fromLatin1(nameBytes);
    skipBlanks();
    if (!atEnd() && current() == '{') {
        ++m_pos;
        if (std::optional<Error> failure = parseLabels(sample.labels)) {
            return failure;
        }
        skipBlanks();
    }

    const QByteArrayView valueText = readUntilBlank();
    if (valueText.isEmpty()) {
        return error(u"expected a value after %1"_s.arg(sample.name));
    }
    const std::optional<double> value = parseFloatToken(valueText);
    if (!value) {
        return error(u"expected a float as value of %1, got \"%2\""_s.arg(
            sample.name, QString::fromUtf8(valueText)));
    }
    sample.value = *value;

    skipBlanks();
    if (!atEnd()) {
        const QByteArrayView timestamp = readUntilBlank();
        qint64 milliseconds = 0;
        const char *const end = timestamp.data() + timestamp.size();
        const auto [ptr, ec] = std::from_chars(timestamp.data(), end, milliseconds);
        if (ec != std::errc() || ptr != end) {
            return error(u"expected an integer timestamp after the value of %1, got \"%2\""_s.arg(
                sample.name, QString::fromUtf8(timestamp)));
        }
        skipBlanks();
        if (!atEnd()) {
            return error(u"unexpected text after the timestamp of %1"_s.arg(sample.name));
        }
    }

    const qsizetype index = familyForSample(sample.name);
    MetricFamily &family = m_families[index];
    m_states[index].typeSeen = true; // a later TYPE line can no longer change it
    for (const auto &[labelName, labelValue] : std::as_const(sample.labels)) {
        const bool isBound =
            (family.type == MetricFamily::Type::Histogram && labelName == u"le")
            || (family.type == MetricFamily::Type::Summary && labelName == u"quantile");
        if (isBound && !parseFloatToken(labelValue.toUtf8())) {
            return error(u"expected a float as value of label %1 of %2, got \"%3\""_s.arg(
                labelName, sample.name, labelValue));
        }
    }
    family.samples.append(std::move(sample));
    return std::nullopt;
}

std::optional<Error> TextParser::parseLabels(MetricLabels &labels)
{
    while (true) {
        skipBlanks();
        if (atEnd()) {
            return error(u"unterminated label set"_s);
        }
        if (current() == '}') {
            ++m_pos;
            return std::nullopt;
        }
        const QByteArrayView nameBytes = readLabelName();
        if (nameBytes.isEmpty()) {
            return error(u"expected a label name"_s);
        }
        const QString name = QString::fromLatin1(nameBytes);
        skipBlanks();
        if (atEnd() || current() != '=') {
            return error(u"expected '=' after label name %1"_s.arg(name));
        }
        ++m_pos;
        skipBlanks();
        if (atEnd() || current() != '"') {
            return error(u"expected '\"' to start the value of label %1"_s.arg(name));
        }
        ++m_pos;
        const qsizetype valueStart = m_pos;
        while (!atEnd() && current() != '"') {
            m_pos += current() == '\\' ? 2 : 1;
        }
        if (atEnd()) {
            m_pos = m_line.size();
            return error(u"unterminated value of label %1"_s.arg(name));
        }
        const std::optional<QString> value =
            decodeUtf8(unescape(m_line.sliced(valueStart, m_pos - valueStart), true));
        ++m_pos; // the closing quote
        if (!value) {
            return error(u"value of label %1 is not valid UTF-8"_s.arg(name));
        }
        const bool duplicate = std::any_of(
            labels.cbegin(), labels.cend(), [&name](const auto &l) { return l.first == name; });
        if (duplicate) {
            return error(u"duplicate label name %1"_s.arg(name));
        }
        labels.append({name, *value});

        skipBlanks();
        if (atEnd()) {
            return error(u"unterminated label set"_s);
        }
        if (current() == ',') {
            ++m_pos; // a trailing comma before '}' is fine
        } else if (current() != '}') {
            return error(u"expected ',' or '}' after the value of label %1"_s.arg(name));
        }
    }
}

qsizetype TextParser::familyIndex(const QString &name)
{
    const auto it = m_indexByName.constFind(name);
    if (it != m_indexByName.cend()) {
        return *it;
    }
    MetricFamily family;
    family.name = name;
    m_families.append(std::move(family));
    m_states.append(FamilyState{});
    m_indexByName.insert(name, m_families.size() - 1);
    return m_families.size() - 1;
}

qsizetype TextParser::familyForSample(const QString &sampleName)
{
    if (const auto it = m_indexByName.constFind(sampleName); it != m_indexByName.cend()) {
        return *it;
    }
    const auto baseFamily = [this, &sampleName](QStringView suffix,
                                                bool summaryToo) -> std::optional<qsizetype> {
        if (!sampleName.endsWith(suffix)) {
            return std::nullopt;
        }
        const auto it = m_indexByName.constFind(sampleName.chopped(suffix.size()));
        if (it == m_indexByName.cend()) {
            return std::nullopt;
        }
        const MetricFamily::Type type = m_families.at(*it).type;
        if (type == MetricFamily::Type::Histogram
            || (summaryToo && type == MetricFamily::Type::Summary)) {
            return *it;
        }
        return std::nullopt;
    };
    if (const auto index = baseFamily(u"_bucket", false)) {
        return *index;
    }
    if (const auto index = baseFamily(u"_sum", true)) {
        return *index;
    }
    if (const auto index = baseFamily(u"_count", true)) {
        return *index;
    }
    return familyIndex(sampleName);
}

// Prometheus' almost.Equal: relative comparison, used to ignore floating point noise in buckets.
bool almostEqual(double a, double b, double epsilon)
{
    if (a == b) {
        return true;
    }
    constexpr double minNormal = std::numeric_limits<double>::min();
    const double absSum = std::abs(a) + std::abs(b);
    const double diff = std::abs(a - b);
    if (a == 0 || b == 0 || absSum < minNormal) {
        return diff < epsilon * minNormal;
    }
    return diff / std::min(absSum, std::numeric_limits<double>::max()) < epsilon;
}

} // namespace

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

Result<QList<MetricFamily>> parsePrometheusText(const QByteArray &text)
{
    TextParser parser;
    return parser.parse(text);
}

double histogramQuantile(double q, const QList<std::pair<double, double>> &cumulativeBuckets)
{
    if (std::isnan(q)) {
        return kNaN;
    }
    if (q < 0) {
        return -kInf;
    }
    if (q > 1) {
        return kInf;
    }
    QList<std::pair<double, double>> buckets;
    buckets.reserve(cumulativeBuckets.size());
    for (const auto &bucket : cumulativeBuckets) {
        if (!std::isnan(bucket.first)) {
            buckets.append(bucket);
        }
    }
    if (buckets.isEmpty()) {
        return kNaN;
    }
    std::stable_sort(buckets.begin(), buckets.end(), [](const auto &a, const auto &b) {
        return a.first < b.first;
    });
    if (buckets.constLast().first != kInf) {
        return kNaN;
    }

    // Merge buckets with the same upper bound.
    QList<std::pair<double, double>> merged;
    merged.reserve(buckets.size());
    for (const auto &bucket : std::as_const(buckets)) {
        if (!merged.isEmpty() && merged.constLast().first == bucket.first) {
            merged.last().second += bucket.second;
        } else {
            merged.append(bucket);
        }
    }
    // Ignore floating point noise and force monotonic counts, as Prometheus does.
    constexpr double smallDeltaTolerance = 1e-12;
    double previous = merged.constFirst().second;
    for (qsizetype i = 1; i < merged.size(); ++i) {
        const double count = merged.at(i).second;
        if (count == previous) {
            continue;
        }
        if (almostEqual(previous, count, smallDeltaTolerance) || count < previous) {
            merged[i].second = previous;
            continue;
        }
        previous = count;
    }

    if (merged.size() < 2) {
        return kNaN;
    }
    const double observations = merged.constLast().second;
    if (observations == 0) {
        return kNaN;
    }
    double rank = q * observations;
    const qsizetype last = merged.size() - 1;
    qsizetype b = 0;
    while (b < last && merged.at(b).second < rank) {
        ++b;
    }
    if (b == last) {
        return merged.at(last - 1).first;
    }
    if (b == 0 && merged.at(0).first <= 0) {
        return merged.at(0).first;
    }
    double bucketStart = 0;
    const double bucketEnd = merged.at(b).first;
    double count = merged.at(b).second;
    if (b > 0) {
        bucketStart = merged.at(b - 1).first;
        count -= merged.at(b - 1).second;
        rank -= merged.at(b - 1).second;
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

QList<HistogramSeries> histogramSeries(const MetricFamily &family)
{
    const QString bucketName = family.name + u"_bucket";
    const QString sumName = family.name + u"_sum";
    const QString countName = family.name + u"_count";

    QList<HistogramSeries> result;
    QHash<MetricLabels, qsizetype> indexByLabels;
    for (const MetricSample &sample : family.samples) {
        const bool isBucket = sample.name == bucketName;
        if (!isBucket && sample.name != sumName && sample.name != countName) {
            continue;
        }
        MetricLabels labels;
        std::optional<double> upperBound;
        for (const auto &label : sample.labels) {
            if (isBucket && label.first == u"le") {
                upperBound = parseFloatToken(label.second.toUtf8());
            } else {
                labels.append(label);
            }
        }
        if (isBucket && !upperBound) {
            continue; // a bucket without a usable bound carries no information
        }
        const MetricLabels key = sortedLabels(labels);
        auto it = indexByLabels.constFind(key);
        if (it == indexByLabels.cend()) {
            HistogramSeries series;
            series.labels = labels;
            result.append(std::move(series));
            it = indexByLabels.insert(key, result.size() - 1);
        }
        HistogramSeries &series = result[*it];
        if (isBucket) {
            series.buckets.append({*upperBound, sample.value});
        } else if (sample.name == sumName) {
            series.sum = sample.value;
        } else {
            series.count = sample.value;
        }
    }
    for (HistogramSeries &series : result) {
        std::stable_sort(series.buckets.begin(),
                         series.buckets.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
    }
    return result;
}

QList<std::pair<double, double>> histogramBuckets(const MetricFamily &family,
                                                  const MetricLabels &labels)
{
    const MetricLabels wanted = sortedLabels(labels);
    const QList<HistogramSeries> all = histogramSeries(family);
    for (const HistogramSeries &series : all) {
        if (sortedLabels(series.labels) == wanted) {
            return series.buckets;
        }
    }
    return {};
}

} // namespace Gestalt
