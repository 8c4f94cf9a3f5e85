// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/HttpRequestParser.h"

#include "core/HttpGrammar.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

bool isControl(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
}

bool isWhitespace(char c)
{
    return c == ' ' || c == '\t';
}

// Optional whitespace (SP, HTAB) off both ends of a field value.
QByteArrayView trimmedValue(QByteArrayView value)
{
    while (!value.isEmpty() && isWhitespace(value.front())) {
        value = value.sliced(1);
    }
    while (!value.isEmpty() && isWhitespace(value.back())) {
        value.chop(1);
    }
    return value;
}

bool isVersion(QByteArrayView version)
{
    return version.size() == 8 && version.startsWith("HTTP/1.") && version.back() >= '0'
           && version.back() <= '9';
}

// The lines of a head, split at CRLF.
QList<QByteArrayView> headLines(const QByteArray &head)
{
    QList<QByteArrayView> result;
    qsizetype from = 0;
    while (true) {
        const qsizetype crlf = head.indexOf("\r\n", from);
        if (crlf < 0) {
            result.append(QByteArrayView(head).sliced(from));
            return result;
        }
        result.append(QByteArrayView(head).sliced(from, crlf - from));
        from = crlf + 2;
    }
}

} // namespace

HttpRequestParser::HttpRequestParser(const HttpRequestLimits &limits)
    : m_limits(limits)
{}

void HttpRequestParser::reset()
{
    m_state = State::Head;
    m_scanned = 0;
    m_bodyRemaining = 0;
    m_request = {};
    m_error = {};
}

HttpRequestParser::Status HttpRequestParser::fail(const Gestalt::Error &error)
{
    m_state = State::Failed;
    m_error = error;
    return Status::Error;
}

HttpRequestParser::Status HttpRequestParser::feed(QByteArray &in)
{
    switch (m_state) {
    case State::Failed:
        return Status::Error;
    case State::Done:
        m_request = {};
        m_scanned = 0;
        m_state = State::Head;
        [[fallthrough]];
    case State::Head: {
        // RFC 9112 2.2: empty lines before the request line are ignored.
        qsizetype blank = 0;
        while (in.size() >= blank + 2 && in[blank] == '\r' && in[blank + 1] == '\n') {
            blank += 2;
        }
        if (blank > 0) {
            in.remove(0, blank);
            m_scanned = 0;
        }
        // Every byte of the head is checked once, as it arrives: a bare CR or LF, or a NUL, ends
        // the request at once (RFC 9112 2.2), so no lenient parser behind us can see another end.
        const qsizetype limit = qMin<qsizetype>(in.size(), m_limits.maxHeaderBytes);
        qsizetype end = -1;
        qsizetype i = m_scanned;
        for (; i < limit; ++i) {
            const char c = in[i];
            if (c == '\0') {
                return fail(Error::invalid(u"NUL in request header"_s));
            }
            if (i > 0 && in[i - 1] == '\r' && c != '\n') {
                return fail(Error::invalid(u"bare CR in request header"_s));
            }
            if (c == '\n') {
                if (i == 0 || in[i - 1] != '\r') {
                    return fail(Error::invalid(u"bare LF in request header"_s));
                }
                if (i >= 3 && in[i - 2] == '\n') {
                    end = i - 3;
                    break;
                }
            }
        }
        m_scanned = i;
        if (end < 0) {
            if (in.size() > m_limits.maxHeaderBytes) {
                return fail({ErrorCode::HeadersTooLarge, u"request header is too large"_s});
            }
            return Status::NeedMore;
        }
        const QByteArray head = in.left(end);
        in.remove(0, end + 4);
        m_scanned = 0;
        if (const Status status = parseHead(head); status == Status::Error) {
            return status;
        }
        m_bodyRemaining = qMax<qint64>(m_request.contentLength, 0);
        m_state = State::Body;
        return Status::Head;
    }
    case State::Body: {
        const qint64 take = qMin<qint64>(m_bodyRemaining, in.size());
        if (take > 0) {
            m_request.body.append(in.constData(), take);
            in.remove(0, take);
            m_bodyRemaining -= take;
        }
        if (m_bodyRemaining > 0) {
            return Status::NeedMore;
        }
        m_state = State::Done;
        return Status::Request;
    }
    }
    return Status::Error;
}

// The header fields that frame the request, collected while the head is read.
struct HttpRequestParser::FramingHeaders
{
    QByteArrayView connection;
    QByteArrayView contentLength;
    bool hasContentLength = false;
    bool chunked = false;
};

HttpRequestParser::Status HttpRequestParser::parseHead(const QByteArray &head)
{
    // The head holds no NUL, and every CR is followed by LF and every LF preceded by CR.
    const QList<QByteArrayView> lines = headLines(head);
    if (const Status status = parseRequestLine(lines.value(0)); status == Status::Error) {
        return status;
    }
    FramingHeaders framing;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (const Status status = parseHeaderLine(lines[i], framing); status == Status::Error) {
            return status;
        }
    }
    return applyFraming(framing);
}

HttpRequestParser::Status HttpRequestParser::parseRequestLine(QByteArrayView requestLine)
{
    // request-line = method SP request-target SP HTTP-version, single spaces, nothing around.
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype lastSpace = requestLine.lastIndexOf(' ');
    const QByteArrayView method = requestLine.first(qMax<qsizetype>(firstSpace, 0));
    const QByteArrayView target =
        firstSpace < lastSpace ? requestLine.sliced(firstSpace + 1, lastSpace - firstSpace - 1)
                               : QByteArrayView();
    const QByteArrayView version =
        firstSpace < lastSpace ? requestLine.sliced(lastSpace + 1) : QByteArrayView();
    if (!isHttpToken(method) || target.isEmpty() || !isVersion(version)
        || std::any_of(
            target.cbegin(), target.cend(), [](char c) { return c == ' ' || isControl(c); })) {
        return fail(Error::invalid(u"malformed request line"_s));
    }
    m_request.method = method.toByteArray();
    m_request.target = target.toByteArray();
    m_request.version = version.toByteArray();
    return Status::Head;
}

HttpRequestParser::Status HttpRequestParser::parseHeaderLine(QByteArrayView line,
                                                             FramingHeaders &framing)
{
    if (line.isEmpty()) {
        return fail(Error::invalid(u"malformed request header"_s));
    }
    if (isWhitespace(line.front())) {
        return fail(Error::invalid(u"obsolete line folding in request header"_s));
    }
    const qsizetype colon = line.indexOf(':');
    // RFC 9112 5.1: no whitespace between the field name and the colon.
    if (colon <= 0 || !isHttpToken(line.first(colon))) {
        return fail(Error::invalid(u"malformed request header"_s));
    }
    const QByteArrayView name = line.first(colon);
    const QByteArrayView value = trimmedValue(line.sliced(colon + 1));
    if (std::any_of(
            value.cbegin(), value.cend(), [](char c) { return c != '\t' && isControl(c); })) {
        return fail(Error::invalid(u"invalid character in request header"_s));
    }
    if (m_request.headers.size() >= m_limits.maxHeaderCount) {
        return fail({ErrorCode::HeadersTooLarge,
                     u"too many request header fields (limit %1)"_s.arg(m_limits.maxHeaderCount)});
    }
    m_request.headers.append({name.toByteArray(), value.toByteArray()});
    if (name.compare("content-length", Qt::CaseInsensitive) == 0) {
        if (framing.hasContentLength) {
            return fail(Error::invalid(framing.contentLength == value
                                           ? u"repeated Content-Length header"_s
                                           : u"conflicting Content-Length headers"_s));
        }
        framing.hasContentLength = true;
        framing.contentLength = value;
    } else if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0) {
        framing.chunked = true;
    } else if (name.compare("connection", Qt::CaseInsensitive) == 0) {
        framing.connection = value;
    } else if (name.compare("expect", Qt::CaseInsensitive) == 0) {
        m_request.expectsContinue = value.compare("100-continue", Qt::CaseInsensitive) == 0;
        if (!m_request.expectsContinue) {
            return fail({ErrorCode::ExpectationFailed, u"unsupported Expect header"_s});
        }
    }
    return Status::Head;
}

HttpRequestParser::Status HttpRequestParser::applyFraming(const FramingHeaders &framing)
{
    // Any Transfer-Encoding, with or without a Content-Length: only Content-Length frames a body.
    if (framing.chunked) {
        return fail({ErrorCode::LengthRequired,
                     u"chunked request bodies are not supported; send Content-Length"_s});
    }
    if (framing.hasContentLength) {
        const QByteArrayView contentLength = framing.contentLength;
        // Plain digits only (no sign, no list, no whitespace inside), and no more than fit 63 bits.
        if (contentLength.isEmpty() || contentLength.size() > 18
            || !std::all_of(contentLength.cbegin(), contentLength.cend(), [](char c) {
                   return c >= '0' && c <= '9';
               })) {
            return fail(Error::invalid(u"invalid Content-Length header"_s));
        }
        const qint64 length = contentLength.toLongLong();
        if (length > m_limits.maxBodyBytes) {
            return fail(
                {ErrorCode::PayloadTooLarge,
                 u"request body is too large (limit %1 bytes)"_s.arg(m_limits.maxBodyBytes)});
        }
        m_request.contentLength = length;
    }
    const QByteArray connection = framing.connection.toByteArray().toLower();
    m_request.closeAfter =
        connection.contains("close")
        || (m_request.version == "HTTP/1.0" && !connection.contains("keep-alive"));
    return Status::Head;
}

} // namespace Gestalt
