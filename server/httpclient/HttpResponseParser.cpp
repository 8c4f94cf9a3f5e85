// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/HttpResponseParser.h"

#include "core/HttpGrammar.h"

#include <algorithm>
#include <limits>
#include <optional>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qint64 kBodyReserveLimit = qint64{1024} * 1024;
constexpr qsizetype kMaxLengthDigits = 18; // fits qint64

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

// Field values and reason phrases: no control characters but HTAB (obs-text is allowed).
bool isCleanText(QByteArrayView text)
{
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// The comma-separated elements of every field named `name`, trimmed and lower-cased.
QList<QByteArray> listElements(const QList<std::pair<QByteArray, QByteArray>> &headers,
                               QByteArrayView name)
{
    QList<QByteArray> out;
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) != 0) {
            continue;
        }
        for (const QByteArray &element : value.split(',')) {
            const QByteArray trimmed = element.trimmed().toLower();
            if (!trimmed.isEmpty()) {
                out.append(trimmed);
            }
        }
    }
    return out;
}

} // namespace

void HttpResponseParser::reset(bool headRequest, qint64 maxBodyBytes)
{
    m_message = {};
    m_state = State::StatusLine;
    m_maxBodyBytes = maxBodyBytes;
    m_remaining = 0;
    m_bodyBytes = 0;
    m_headBytes = 0;
    m_scanned = 0;
    m_headRequest = headRequest;
    m_keepAlive = false;
}

HttpResponseParser::Status HttpResponseParser::feed(QByteArray &in)
{
    qsizetype pos = 0;
    std::optional<Status> status;
    while (!status && m_state != State::Done && m_state != State::Failed) {
        status = step(in, pos);
    }
    if (pos >= in.size()) {
        in.clear();
    } else if (pos > 0) {
        in.remove(0, pos);
    }
    if (m_state == State::Done) {
        return Status::Done;
    }
    return status.value_or(Status::Invalid);
}

HttpResponseParser::Status HttpResponseParser::finish()
{
    switch (m_state) {
    case State::Done:
        return Status::Done;
    case State::UntilClose:
        m_state = State::Done;
        return Status::Done;
    case State::StatusLine:
    case State::Headers:
    case State::Failed:
        return fail(Status::Invalid);
    case State::Body:
    case State::ChunkSize:
    case State::ChunkData:
    case State::ChunkEnd:
    case State::Trailers:
        return fail(Status::Truncated);
    }
    return fail(Status::Invalid);
}

HttpResponseParser::Line HttpResponseParser::nextLine(const QByteArray &in,
                                                      qsizetype &pos,
                                                      qsizetype limit,
                                                      QByteArrayView &line)
{
    // m_scanned: how much of an incomplete line was searched by an earlier call (it then starts
    // at 0, the caller having dropped what came before it).
    const qsizetype newline = in.indexOf('\n', pos + m_scanned);
    if (newline < 0) {
        m_scanned = in.size() - pos;
        return m_scanned > limit ? Line::TooLong : Line::NeedMore;
    }
    m_scanned = 0;
    qsizetype length = newline - pos;
    if (length > limit) {
        return Line::TooLong;
    }
    if (length > 0 && in.at(newline - 1) == '\r') {
        --length;
    }
    line = QByteArrayView(in.constData() + pos, length);
    pos = newline + 1;
    return Line::Ready;
}

std::optional<HttpResponseParser::Status> HttpResponseParser::takeLine(const QByteArray &in,
                                                                       qsizetype &pos,
                                                                       qsizetype limit,
                                                                       QByteArrayView &line)
{
    switch (nextLine(in, pos, limit, line)) {
    case Line::NeedMore:
        return Status::NeedMore;
    case Line::TooLong:
        return fail(Status::Invalid);
    case Line::Ready:
        break;
    }
    return std::nullopt;
}

std::optional<HttpResponseParser::Status> HttpResponseParser::step(QByteArray &in, qsizetype &pos)
{
    QByteArrayView line;
    switch (m_state) {
    case State::StatusLine:
    case State::Headers:
    case State::Trailers:
        return headStep(in, pos);
    case State::Body:
        takeBody(in, pos);
        if (m_remaining == 0) {
            m_state = State::Done;
            return std::nullopt;
        }
        return Status::NeedMore;
    case State::UntilClose:
        if (in.size() - pos > m_maxBodyBytes - m_bodyBytes) {
            return fail(Status::TooLarge);
        }
        m_remaining = in.size() - pos;
        takeBody(in, pos);
        return Status::NeedMore;
    case State::ChunkSize:
        if (std::optional<Status> status = takeLine(in, pos, MaxChunkLineBytes, line)) {
            return status;
        }
        return chunkSizeLine(line);
    case State::ChunkData:
        takeBody(in, pos);
        if (m_remaining == 0) {
            m_state = State::ChunkEnd;
            return std::nullopt;
        }
        return Status::NeedMore;
    case State::ChunkEnd:
        if (std::optional<Status> status = takeLine(in, pos, 1, line)) {
            return status;
        }
        if (!line.isEmpty()) {
            return fail(Status::Invalid);
        }
        m_state = State::ChunkSize;
        return std::nullopt;
    case State::Done:
        return Status::Done;
    case State::Failed:
        return Status::Invalid;
    }
    return fail(Status::Invalid);
}

std::optional<HttpResponseParser::Status> HttpResponseParser::headStep(const QByteArray &in,
                                                                       qsizetype &pos)
{
    QByteArrayView line;
    const qsizetype before = pos;
    if (std::optional<Status> status = takeLine(in, pos, MaxHeadBytes - m_headBytes, line)) {
        return status;
    }
    m_headBytes += pos - before;
    if (m_state != State::Trailers) {
        return headLine(line);
    }
    if (line.isEmpty()) {
        m_state = State::Done;
        return std::nullopt;
    }
    const qsizetype colon = line.indexOf(':');
    const bool ok = colon > 0 && isCleanText(line) && isHttpToken(line.first(colon));
    return ok ? std::nullopt : std::optional(fail(Status::Invalid));
}

std::optional<HttpResponseParser::Status> HttpResponseParser::headLine(QByteArrayView line)
{
    if (m_state == State::StatusLine) {
        // HTTP/1.x SP 3DIGIT [SP reason-phrase]
        const bool ok = line.size() >= 12 && line.startsWith("HTTP/1.") && isDigit(line[7])
                        && line[8] == ' ' && line[9] >= '1' && line[9] <= '9' && isDigit(line[10])
                        && isDigit(line[11]) && (line.size() == 12 || line[12] == ' ')
                        && isCleanText(line);
        if (!ok) {
            return fail(Status::Invalid);
        }
        m_message.minorVersion = line[7] - '0';
        m_message.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        m_message.headers.clear();
        m_state = State::Headers;
        return std::nullopt;
    }
    if (line.isEmpty()) {
        return headEnded();
    }
    if (!isCleanText(line)) {
        return fail(Status::Invalid);
    }
    if (isSpace(line[0])) {
        // obs-fold: a continuation of the previous field value, read as one space.
        if (m_message.headers.isEmpty()) {
            return fail(Status::Invalid);
        }
        const QByteArray more = line.toByteArray().trimmed();
        QByteArray &value = m_message.headers.last().second;
        if (!more.isEmpty()) {
            value += value.isEmpty() ? more : " "_ba + more;
        }
        return std::nullopt;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isHttpToken(line.first(colon))) {
        return fail(Status::Invalid);
    }
    m_message.headers.append(
        {line.first(colon).toByteArray(), line.sliced(colon + 1).toByteArray().trimmed()});
    return std::nullopt;
}

std::optional<HttpResponseParser::Status> HttpResponseParser::headEnded()
{
    const int status = m_message.status;
    if (status < 200) {
        if (status == 101) {
            return fail(Status::Invalid); // never asked for an upgrade
        }
        m_state = State::StatusLine; // an interim response: the final one follows
        return std::nullopt;
    }
    const QList<QByteArray> connection = listElements(m_message.headers, "connection");
    m_keepAlive = m_message.minorVersion >= 1 ? !connection.contains("close"_ba)
                                              : connection.contains("keep-alive"_ba);
    if (m_headRequest || status == 204 || status == 304) {
        m_state = State::Done;
        return std::nullopt;
    }
    const QList<QByteArray> coding = listElements(m_message.headers, "transfer-encoding");
    const QList<QByteArray> lengths = listElements(m_message.headers, "content-length");
    if (!coding.isEmpty()) {
        // We send no TE, so "chunked" is the only transfer coding a server may use.
        if (coding != QList<QByteArray>{"chunked"_ba}) {
            return fail(Status::Invalid);
        }
        if (!lengths.isEmpty() || m_message.minorVersion == 0) {
            m_keepAlive = false; // framing a proxy could have read differently: never reuse
        }
        m_state = State::ChunkSize;
        return std::nullopt;
    }
    if (lengths.isEmpty()) {
        m_keepAlive = false;
        m_state = State::UntilClose;
        return std::nullopt;
    }
    const QByteArray &first = lengths.first();
    const bool wellFormed =
        first.size() <= kMaxLengthDigits && std::all_of(first.begin(), first.end(), isDigit)
        && std::all_of(
            lengths.begin(), lengths.end(), [&first](const QByteArray &l) { return l == first; });
    if (!wellFormed) {
        return fail(Status::Invalid);
    }
    const qint64 length = first.toLongLong();
    if (length > m_maxBodyBytes) {
        return fail(Status::TooLarge);
    }
    m_remaining = length;
    m_message.body.reserve(std::min(length, kBodyReserveLimit));
    m_state = length == 0 ? State::Done : State::Body;
    return std::nullopt;
}

std::optional<HttpResponseParser::Status> HttpResponseParser::chunkSizeLine(QByteArrayView line)
{
    // chunk-size [BWS ";" chunk-ext]
    qint64 size = 0;
    qsizetype i = 0;
    for (; i < line.size() && hexValue(line[i]) >= 0; ++i) {
        if (size > (std::numeric_limits<qint64>::max() >> 4)) {
            return fail(Status::Invalid);
        }
        size = size * 16 + hexValue(line[i]);
    }
    if (i == 0 || !isCleanText(line)) {
        return fail(Status::Invalid);
    }
    while (i < line.size() && isSpace(line[i])) {
        ++i;
    }
    if (i < line.size() && line[i] != ';') {
        return fail(Status::Invalid);
    }
    if (size == 0) {
        m_state = State::Trailers;
        return std::nullopt;
    }
    if (size > m_maxBodyBytes - m_bodyBytes) {
        return fail(Status::TooLarge);
    }
    m_remaining = size;
    m_state = State::ChunkData;
    return std::nullopt;
}

void HttpResponseParser::takeBody(const QByteArray &in, qsizetype &pos)
{
    const qsizetype n = qsizetype(std::min<qint64>(m_remaining, in.size() - pos));
    if (n <= 0) {
        return;
    }
    if (pos == 0 && n == in.size() && m_message.body.isEmpty()) {
        m_message.body = in; // shares the buffer: the caller drops its copy
    } else {
        m_message.body.append(in.constData() + pos, n);
    }
    pos += n;
    m_remaining -= n;
    m_bodyBytes += n;
}

HttpResponseParser::Status HttpResponseParser::fail(Status status)
{
    m_state = State::Failed;
    return status;
}

} // namespace Gestalt
