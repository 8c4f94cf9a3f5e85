// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Error.h"

#include <QByteArray>
#include <QList>

#include <utility>

namespace Gestalt {

struct HttpRequestLimits
{
    // The request line, the header lines and the blank line that ends them.
    int maxHeaderBytes = 16 * 1024;
    int maxHeaderCount = 100;
    qint64 maxBodyBytes = qint64(1024) * 1024;
};

// One request as framed off the wire: nothing is decoded beyond the framing.
struct ParsedRequest
{
    QByteArray method;
    QByteArray target;
    QByteArray version;                               // "HTTP/1.0" or "HTTP/1.1"
    QList<std::pair<QByteArray, QByteArray>> headers; // names as sent, values without OWS
    qint64 contentLength = -1;                        // -1: no Content-Length header
    bool expectsContinue = false;                     // Expect: 100-continue
    bool closeAfter = false; // Connection: close, or HTTP/1.0 without keep-alive
    QByteArray body;
};

// The inbound HTTP/1.1 request framing, incremental and pure (no socket, no clock): the request
// line, the header fields, Content-Length, Expect, and where each pipelined request ends. It is
// strict where lenient parsing lets two parsers disagree on the framing (request smuggling):
// a bare CR or LF, NUL or another control character in the head, obsolete line folding,
// whitespace before a header's colon, a Content-Length that is not plain digits or is repeated,
// and any Transfer-Encoding (chunked bodies are refused with 411) are errors, never guesses.
class HttpRequestParser
{
public:
    enum class Status {
        NeedMore, // everything given is consumed or held: feed more bytes
        Head,     // request() holds a checked head; feed again for its body
        Request,  // request() holds the whole request; the next feed starts the next request
        Error,    // error() says why; the parser stays here until reset()
    };

    explicit HttpRequestParser(const HttpRequestLimits &limits = {});

    // Consumes bytes from the front of `in` (a head stays in `in` until its blank line arrives, so
    // the caller's buffer is the only copy) and stops at the first event.
    [[nodiscard]] Status feed(QByteArray &in);
    // Back to the start of a request (the next connection, or the next request of this one).
    void reset();

    [[nodiscard]] const ParsedRequest &request() const { return m_request; }
    [[nodiscard]] ParsedRequest takeRequest() { return std::exchange(m_request, {}); }
    [[nodiscard]] const Gestalt::Error &error() const { return m_error; }
    [[nodiscard]] const HttpRequestLimits &limits() const { return m_limits; }

private:
    enum class State {
        Head,
        Body,
        Done,
        Failed
    };

    Status fail(const Gestalt::Error &error);
    struct FramingHeaders;

    Status parseHead(const QByteArray &head);
    Status parseRequestLine(QByteArrayView requestLine);
    Status parseHeaderLine(QByteArrayView line, FramingHeaders &framing);
    Status applyFraming(const FramingHeaders &framing);

    HttpRequestLimits m_limits;
    State m_state = State::Head;
    qsizetype m_scanned = 0; // bytes of the head in `in` already checked
    qint64 m_bodyRemaining = 0;
    ParsedRequest m_request;
    Gestalt::Error m_error;
};

} // namespace Gestalt
