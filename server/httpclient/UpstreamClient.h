// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httpclient/EgressPolicy.h"
#include "httpclient/UpstreamRequest.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QStringList>

#include <chrono>
#include <functional>
#include <map>
#include <memory>

class QTimer;

namespace Gestalt {

class HttpConnectionPool;
class UpstreamCallState;
struct HttpExchangeResult;
struct HttpResponseMessage;

struct UpstreamResponse
{
    int status = 0;
    QByteArray contentType; // as sent; "application/json" when the upstream sent none
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

// The status line and headers of a streamed response (UpstreamClient::stream()).
struct UpstreamResponseHead
{
    int status = 0;
    QByteArray contentType; // as sent; empty when the upstream sent none
    QList<std::pair<QByteArray, QByteArray>> headers;

    // The first value of the header `name` (case-insensitive), empty when absent.
    [[nodiscard]] QByteArray header(QByteArrayView name) const;
};

// What a streamed call reports, in this order: `head` at most once, `data` any number of times
// after it, and `end` exactly once (never from inside stream(); synchronously from abort()).
struct UpstreamStreamHandlers
{
    std::function<void(const UpstreamResponseHead &)> head;
    std::function<void(const QByteArray &chunk)> data; // body bytes as they arrive
    // How the call ended: {} after the whole body, else the failure (before or after the head).
    std::function<void(Result<void>)> end;
};

struct UpstreamOptions
{
    // send(): the whole call. stream(): up to the response head (connect, request, wait); the
    // body of a stream has no deadline: abort() ends it.
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
    // send(): the whole body. stream(): the sum of the body bytes (set it to cap a stream; the
    // default caps a stream at 50 MiB like send()).
    qint64 maxBodyBytes = qint64(50) * 1024 * 1024;
    // Where the request may go: EgressPolicy::checkHost before anything is sent, and for a host
    // the policy does not name, every address it resolves to must be public.
    EgressPolicy egress;
};

// A call in flight; abort() ends it at once with an error (the callback still runs once).
class UpstreamCall
{
public:
    virtual ~UpstreamCall() = default;
    virtual void abort() = 0;
};

// Sends upstream requests without ever blocking the event loop and calls back exactly once, on
// the thread that owns the client (never from inside send()). No redirects are followed. Failures
// are values:
//   egress host not allowed      → Forbidden   "egress to host \"h\" is not allowed"
//   a host the policy does not   → Forbidden   "egress to host \"h\" is not allowed: it resolves
//     name resolves to a non-public                to a non-public address" (nothing is sent; the
//     address (loopback, private,                  address is logged, never told to the caller)
//     link-local, metadata, ...)
//   timeout                      → BadGateway  "upstream service timed out"
//   connection refused/reset/DNS → BadGateway  "failed to reach upstream service"
//   TLS certificate not trusted  → BadGateway  "failed to reach upstream service"
//   body cut short by a close    → BadGateway  "failed to reach upstream service"
//   body over maxBodyBytes       → BadGateway  "upstream response exceeds the size limit"
//   malformed HTTP               → BadGateway  "invalid response from upstream service"
//   closed before any response   → BadGateway  "invalid response from upstream service"
//     byte on a new connection     (on a kept-alive one: "failed to reach upstream service")
//   aborted                      → BadGateway  "upstream call canceled"
//   method or header that cannot → InvalidArgument (nothing is sent)
//     be written as HTTP/1.1
//   a "." or ".." path segment,  → InvalidArgument (nothing is sent; the path is never
//     plain or percent-encoded       normalised, so what was built is what is sent)
// An upstream HTTP error status is NOT a failure: it comes back as an UpstreamResponse.
//
// HTTP/1.1 of its own, on the client's thread (HttpConnectionPool, HttpClientConnection): per
// origin a pool of persistent connections (at most HttpConnectionPool::MaxConnectionsPerOrigin
// besides those carrying a stream, then calls queue in order; idle ones close after
// HttpConnectionPool::IdleTimeout). The one retry it makes is the standard one for the stale
// keep-alive race: a GET, HEAD, PUT or DELETE whose reused connection the server closed before
// answering goes out once more on a new connection. The request carries the caller's headers, a
// Host header, "User-Agent: gestaltd" unless the caller set one, and Content-Length for a body (0
// for a POST, PUT or PATCH without one); no Accept-Encoding, no cookies, no Expect. A body
// compressed although the caller sent no Accept-Encoding (gzip, deflate) is decoded and its
// Content-Encoding dropped; when the caller sent Accept-Encoding, the body and Content-Encoding
// pass through as they are. Headers that describe the hop or the framing (Connection,
// Transfer-Encoding, Content-Length, ...) are not passed on; repeated headers are. The timeout
// bounds the whole call, from send() to the last body byte, including any wait for a connection
// and the DNS lookup. Connections resolve their host themselves and connect to the addresses they
// checked (HttpClientConnection): a host name cannot resolve to one address for the check and
// another for the connect.
//
// stream() sends the same request through the same egress check and the same pool, but hands the
// response on as it arrives (UpstreamStreamHandlers): an SSE answer, a long-lived event stream.
// Its timeout ends at the head; its body is passed on as it came (a Content-Encoding is neither
// decoded nor dropped: no Accept-Encoding is sent, so a server should not use one). A stream's
// connection does not count against the per-origin cap while it streams (HttpConnectionPool) and
// returns to the pool once the body ended cleanly with keep-alive.
class UpstreamClient final : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(Result<UpstreamResponse>)>;

    explicit UpstreamClient(QObject *parent = nullptr);
    ~UpstreamClient() override;
    Q_DISABLE_COPY_MOVE(UpstreamClient)

    [[nodiscard]] std::shared_ptr<UpstreamCall>
    send(const UpstreamRequest &request, const UpstreamOptions &options, Callback callback);
    [[nodiscard]] std::shared_ptr<UpstreamCall> stream(const UpstreamRequest &request,
                                                       const UpstreamOptions &options,
                                                       UpstreamStreamHandlers handlers);

    // The failure message of a body over maxBodyBytes, for callers that word it their own way.
    static const QString TooLargeMessage;

private:
    friend class UpstreamCallState;
    // Calls in flight, by deadline (ms on m_clock); the client keeps each one alive until done.
    using CallList = std::multimap<qint64, std::shared_ptr<UpstreamCallState>>;

    void start(const std::shared_ptr<UpstreamCallState> &call,
               const UpstreamRequest &request,
               const UpstreamOptions &options);
    void configureExchange(const std::shared_ptr<UpstreamCallState> &call,
                           const QByteArray &method,
                           const UpstreamOptions &options);
    void failLater(const std::shared_ptr<UpstreamCallState> &call, Error error);
    void exchangeDone(UpstreamCallState &call, HttpExchangeResult result);
    void streamHead(UpstreamCallState &call, const HttpResponseMessage &message);
    void finishCall(UpstreamCallState &call, Result<UpstreamResponse> result);
    void armDeadlineTimer();
    void expireDeadlines();

    HttpConnectionPool *m_pool; // child
    QTimer *m_deadlineTimer;    // child; one timer for every call's deadline
    qint64 m_armedFor = 0;      // the deadline m_deadlineTimer is set for, while active
    QElapsedTimer m_clock;
    CallList m_calls;
};

} // namespace Gestalt
