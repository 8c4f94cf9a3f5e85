// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/PrometheusText.h"
#include "shared/PrometheusText_p.h"

#include <QByteArrayView>
#include <QHash>
#include <QStringDecoder>

#include <algorithm>
#include <charconv>

using namespace Qt::StringLiterals;

namespace Gestalt {

using namespace PrometheusPrivate;

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
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
    if (const qsizetype known = m_indexByName.value(name, -1); known >= 0) {
        return known;
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
    if (const qsizetype known = m_indexByName.value(sampleName, -1); known >= 0) {
        return known;
    }
    const auto baseFamily = [this, &sampleName](QStringView suffix,
                                                bool summaryToo) -> std::optional<qsizetype> {
        if (!sampleName.endsWith(suffix)) {
            return std::nullopt;
        }
        const qsizetype base = m_indexByName.value(sampleName.chopped(suffix.size()), -1);
        if (base < 0) {
            return std::nullopt;
        }
        const MetricFamily::Type type = m_families.at(base).type;
        if (type == MetricFamily::Type::Histogram
            || (summaryToo && type == MetricFamily::Type::Summary)) {
            return base;
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

} // namespace

Result<QList<MetricFamily>> parsePrometheusText(const QByteArray &text)
{
    TextParser parser;
    return parser.parse(text);
}

} // namespace Gestalt
