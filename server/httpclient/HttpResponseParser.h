// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <optional>
#include <utility>

namespace Gestalt {

// One HTTP/1.x response as it came off the wire (no header is dropped or merged).
struct HttpResponseMessage
{
    int status = 0;
    int minorVersion = 1; // HTTP/1.<minorVersion>
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body; // without chunked framing; content codings are left alone
};

// A strict, incremental parser for one response to one request: feed() it bytes as they arrive,
// in pieces of any size. Interim 1xx responses (100 Continue, 103 Early Hints) before the final
// one are skipped. The body ends by Content-Length, by chunked framing (chunk extensions and
// trailers are skipped) or, with neither, when the connection closes (finish()). A response to
// HEAD, a 204 and a 304 have no body whatever the head says.
//
// Limits: the head (status line and headers, and the trailers) at most MaxHeadBytes; the body at
// most the cap given to reset(): a declared Content-Length over the cap fails at once.
class HttpResponseParser final
{
public:
    enum class Status {
        NeedMore,  // the response is not complete yet
        Done,      // message() is complete
        Invalid,   // not a well-formed HTTP/1.x response
        TooLarge,  // the body exceeds the cap
        Truncated, // finish(): the connection closed before the body ended
    };

    static constexpr qsizetype MaxHeadBytes = qsizetype{64} * 1024;
    static constexpr qsizetype MaxChunkLineBytes = 4096;

    // Starts over for the response to a new request.
    void reset(bool headRequest, qint64 maxBodyBytes);

    // Consumes what belongs to the response from the front of `in`; bytes past the end of a
    // complete response stay in `in`. Once it returns anything but NeedMore, the parser is done.
    [[nodiscard]] Status feed(QByteArray &in);
    // The connection closed: Done when the body runs until the close, else how it falls short.
    [[nodiscard]] Status finish();

    // True once the final (non-1xx) head was parsed.
    [[nodiscard]] bool headComplete() const { return m_state > State::Headers; }
    // The response so far: once headComplete(), its status and headers are final.
    [[nodiscard]] const HttpResponseMessage &message() const { return m_message; }
    // For a caller that streams the body: the body bytes gathered since the last call (the cap
    // given to reset() still counts every body byte).
    [[nodiscard]] QByteArray drainBody() { return std::exchange(m_message.body, {}); }
    // For a Done response: whether the connection may carry another request (HTTP/1.1 without
    // "Connection: close", HTTP/1.0 with "Connection: keep-alive", and a body not ended by close).
    [[nodiscard]] bool keepAlive() const { return m_keepAlive; }
    [[nodiscard]] HttpResponseMessage takeMessage() { return std::exchange(m_message, {}); }

private:
    enum class State {
        StatusLine,
        Headers,
        Body,       // m_remaining bytes by Content-Length
        UntilClose, // everything until the connection closes
        ChunkSize,  // a chunk-size line
        ChunkData,  // m_remaining bytes of chunk data
        ChunkEnd,   // the CRLF after chunk data
        Trailers,   // trailer lines up to the empty line
        Done,
        Failed,
    };

    enum class Line {
        Ready,
        NeedMore,
        TooLong,
    };
    [[nodiscard]] Line
    nextLine(const QByteArray &in, qsizetype &pos, qsizetype limit, QByteArrayView &line);
    // nextLine() as a step's result: nullopt once `line` holds a whole line.
    [[nodiscard]] std::optional<Status>
    takeLine(const QByteArray &in, qsizetype &pos, qsizetype limit, QByteArrayView &line);
    // One parsing step; nullopt when it made progress and the next step may go on.
    [[nodiscard]] std::optional<Status> step(QByteArray &in, qsizetype &pos);
    // A step of the status line, a header line or a trailer line.
    [[nodiscard]] std::optional<Status> headStep(const QByteArray &in, qsizetype &pos);
    [[nodiscard]] std::optional<Status> headLine(QByteArrayView line);
    [[nodiscard]] std::optional<Status> headEnded();
    [[nodiscard]] std::optional<Status> chunkSizeLine(QByteArrayView line);
    void takeBody(const QByteArray &in, qsizetype &pos);
    Status fail(Status status);

    HttpResponseMessage m_message;
    State m_state = State::StatusLine;
    qint64 m_maxBodyBytes = 0;
    qint64 m_remaining = 0;
    qint64 m_bodyBytes = 0; // body bytes taken so far, drained or not
    qsizetype m_headBytes = 0;
    qsizetype m_scanned = 0; // bytes of an incomplete line already searched for its end
    bool m_headRequest = false;
    bool m_keepAlive = false;
};

} // namespace Gestalt
