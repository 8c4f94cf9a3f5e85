// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/UpstreamClient.h"

#include "core/HttpGrammar.h"
#include "core/Logging.h"
#include "httpclient/HttpConnectionPool.h"
#include "httpclient/HttpContentDecoder.h"
#include "httpclient/HttpExchange.h"

#include <QTimer>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

Error badGateway(const QString &message)
{
    return {ErrorCode::BadGateway, message};
}

const QString kTimedOut = u"upstream service timed out"_s;
const QString kUnreachable = u"failed to reach upstream service"_s;
const QString kTooLarge = u"upstream response exceeds the size limit"_s;
const QString kInvalid = u"invalid response from upstream service"_s;
const QString kCanceled = u"upstream call canceled"_s;

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

bool hasHeader(const HeaderList &headers, QByteArrayView name)
{
    return std::any_of(headers.cbegin(), headers.cend(), [&name](const auto &h) {
        return QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0;
    });
}

bool isOneOf(const QByteArray &name, std::initializer_list<QByteArrayView> names)
{
    return std::any_of(names.begin(), names.end(), [&name](QByteArrayView n) {
        return n.compare(name, Qt::CaseInsensitive) == 0;
    });
}

// Headers that describe the hop or the framing rather than the content: never passed on.
bool isHopHeader(const QByteArray &name)
{
    return isOneOf(name,
                   {"connection",
                    "keep-alive",
                    "transfer-encoding",
                    "content-length",
                    "proxy-connection",
                    "te",
                    "trailer",
                    "upgrade"});
}

// Request headers the client writes itself (framing, the connection) or does not support.
bool isClientOwnedHeader(const QByteArray &name)
{
    return isHopHeader(name) || name.compare("expect", Qt::CaseInsensitive) == 0;
}

bool isSafeValue(QByteArrayView value)
{
    return !value.contains('\r') && !value.contains('\n') && !value.contains('\0');
}

int defaultPort(bool tls)
{
    return tls ? 443 : 80;
}

// The request target in origin form: the path exactly as built ("/" when empty; dot segments
// are never resolved: send() refuses them) and the query, fully encoded.
QByteArray requestTarget(const QUrl &url)
{
    const QUrl::FormattingOptions format(QUrl::RemoveScheme | QUrl::RemoveAuthority
                                         | QUrl::RemoveFragment | QUrl::FullyEncoded);
    QUrl copy = url;
    if (copy.path().isEmpty()) {
        copy.setPath(u"/"_s);
    }
    return copy.toEncoded(format);
}

QByteArray hostHeader(const HttpOrigin &origin)
{
    QByteArray host = origin.host.toLatin1();
    if (host.contains(':')) {
        host = '[' + host + ']'; // an IPv6 address
    }
    if (origin.port != defaultPort(origin.tls)) {
        host += ':' + QByteArray::number(origin.port);
    }
    return host;
}

// The request's method, upper-cased, once its URL may be called (scheme, egress policy, no dot
// segment) and the method is a token.
Result<QByteArray> checkedMethod(const UpstreamRequest &request, const UpstreamOptions &options)
{
    const QUrl &url = request.url;
    if (url.scheme() != u"https" && url.scheme() != u"http") {
        return Error::forbidden(u"egress with scheme \"%1\" is not allowed"_s.arg(url.scheme()));
    }
    if (Result<void> allowed = options.egress.checkHost(url.host()); !allowed) {
        return allowed.error();
    }
    if (UpstreamRequest::hasDotSegment(url.path(QUrl::FullyEncoded).toLatin1())) {
        return Error::invalid(u"the upstream URL has a \".\" or \"..\" path segment"_s);
    }
    QByteArray method = request.method.toUpper().toLatin1();
    if (!isHttpToken(method)) {
        return Error::invalid(u"invalid HTTP method for the upstream request"_s);
    }
    return method;
}

// The request's head and body as sent on the wire, into exchange.request.
Result<void>
writeRequest(HttpExchange &exchange, const UpstreamRequest &request, const QByteArray &method)
{
    QByteArray &out = exchange.request;
    out.reserve(512 + request.body.size());
    out += method + ' ' + requestTarget(request.url) + " HTTP/1.1\r\n"_ba;
    if (!hasHeader(request.headers, "host")) {
        out += "Host: "_ba + hostHeader(exchange.origin) + "\r\n"_ba;
    }
    for (const auto &[name, value] : request.headers) {
        if (!isHttpToken(name) || !isSafeValue(value)) {
            // Never echo the value: it may be a credential.
            return Error::invalid(u"invalid header \"%1\" for the upstream request"_s.arg(
                QString::fromLatin1(name.left(64))));
        }
        if (!isClientOwnedHeader(name)) {
            out += name + ": "_ba + value + "\r\n"_ba;
        }
    }
    if (!hasHeader(request.headers, "user-agent")) {
        out += "User-Agent: gestaltd\r\n"_ba;
    }
    if (!request.body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH") {
        out += "Content-Length: "_ba + QByteArray::number(request.body.size()) + "\r\n"_ba;
    }
    out += "\r\n"_ba;
    out += request.body;
    return {};
}

} // namespace

const QString UpstreamClient::TooLargeMessage = kTooLarge;

QByteArray UpstreamResponseHead::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

// One call: the caller's handle and the client's record of it at once.
class UpstreamCallState final
    : public UpstreamCall
    , public std::enable_shared_from_this<UpstreamCallState>
{
public:
    UpstreamCallState(UpstreamClient *client, UpstreamClient::Callback callback)
        : m_client(client)
        , m_callback(std::move(callback))
    {}
    UpstreamCallState(UpstreamClient *client, UpstreamStreamHandlers handlers)
        : m_client(client)
        , m_stream(std::move(handlers))
        , m_streaming(true)
    {}

    void abort() override
    {
        if (!m_done) {
            m_client->finishCall(*this, badGateway(kCanceled));
        }
    }

private:
    friend class UpstreamClient;

    UpstreamClient *m_client; // outlives every call that is not done
    UpstreamClient::Callback m_callback;
    UpstreamStreamHandlers m_stream;
    bool m_streaming = false;
    HttpExchange m_exchange;
    UpstreamClient::CallList::iterator m_position;
    qint64 m_maxBodyBytes = 0;
    bool m_decode = false; // the caller sent no Accept-Encoding
    bool m_done = false;
};

UpstreamClient::UpstreamClient(QObject *parent)
    : QObject(parent)
    , m_pool(new HttpConnectionPool(this))
    , m_deadlineTimer(new QTimer(this))
{
    m_clock.start();
    m_deadlineTimer->setSingleShot(true);
    connect(m_deadlineTimer, &QTimer::timeout, this, &UpstreamClient::expireDeadlines);
}

UpstreamClient::~UpstreamClient()
{
    // Calls still in flight end now, each with its one callback.
    while (!m_calls.empty()) {
        finishCall(*m_calls.begin()->second, badGateway(kCanceled));
    }
}

std::shared_ptr<UpstreamCall> UpstreamClient::send(const UpstreamRequest &request,
                                                   const UpstreamOptions &options,
                                                   Callback callback)
{
    auto call = std::make_shared<UpstreamCallState>(this, std::move(callback));
    start(call, request, options);
    return call;
}

std::shared_ptr<UpstreamCall> UpstreamClient::stream(const UpstreamRequest &request,
                                                     const UpstreamOptions &options,
                                                     UpstreamStreamHandlers handlers)
{
    auto call = std::make_shared<UpstreamCallState>(this, std::move(handlers));
    start(call, request, options);
    return call;
}

void UpstreamClient::start(const std::shared_ptr<UpstreamCallState> &call,
                           const UpstreamRequest &request,
                           const UpstreamOptions &options)
{
    call->m_position = m_calls.emplace(m_clock.elapsed() + options.timeout.count(), call);
    armDeadlineTimer();

    Result<QByteArray> method = checkedMethod(request, options);
    if (!method) {
        failLater(call, method.error());
        return;
    }
    HttpExchange &exchange = call->m_exchange;
    const QUrl &url = request.url;
    const bool tls = url.scheme() == u"https";
    exchange.origin.tls = tls;
    exchange.origin.host = url.host(QUrl::FullyEncoded);
    exchange.origin.port = quint16(url.port(defaultPort(tls)));
    exchange.origin.publicOnly = options.egress.requiresPublicAddress(url.host());
    if (Result<void> written = writeRequest(exchange, request, *method); !written) {
        failLater(call, written.error());
        return;
    }
    configureExchange(call, *method, options);
    call->m_decode = !call->m_streaming && !hasHeader(request.headers, "accept-encoding");
    m_pool->start(&exchange);
}

void UpstreamClient::configureExchange(const std::shared_ptr<UpstreamCallState> &call,
                                       const QByteArray &method,
                                       const UpstreamOptions &options)
{
    HttpExchange &exchange = call->m_exchange;
    exchange.headRequest = method == "HEAD";
    exchange.idempotent =
        method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE";
    exchange.maxBodyBytes = options.maxBodyBytes;
    exchange.done = [this, state = call.get()](HttpExchangeResult result) {
        exchangeDone(*state, std::move(result));
    };
    if (call->m_streaming) {
        exchange.head = [this, state = call.get()](const HttpResponseMessage &message) {
            streamHead(*state, message);
        };
        exchange.body = [state = call.get()](const QByteArray &bytes) {
            if (!state->m_done && state->m_stream.data) {
                // The handler may abort the call and drop the last handle to it.
                const std::shared_ptr<UpstreamCallState> keep = state->shared_from_this();
                keep->m_stream.data(bytes);
            }
        };
    }
    call->m_maxBodyBytes = options.maxBodyBytes;
}

void UpstreamClient::streamHead(UpstreamCallState &call, const HttpResponseMessage &message)
{
    if (call.m_done) {
        return;
    }
    // The head is in: from now on only abort() (or the body's end) ends the call.
    const std::shared_ptr<UpstreamCallState> keep = std::move(call.m_position->second);
    m_calls.erase(call.m_position);
    call.m_position = m_calls.emplace(std::numeric_limits<qint64>::max(), keep);

    UpstreamResponseHead head;
    head.status = message.status;
    for (const auto &[name, value] : message.headers) {
        if (head.contentType.isEmpty() && name.compare("content-type", Qt::CaseInsensitive) == 0) {
            head.contentType = value;
        }
        if (!isHopHeader(name)) {
            head.headers.append({name, value});
        }
    }
    if (call.m_stream.head) {
        call.m_stream.head(head); // `keep` holds the call if the handler drops it
    }
}

void UpstreamClient::failLater(const std::shared_ptr<UpstreamCallState> &call, Error error)
{
    // send() never calls back from inside itself.
    QMetaObject::invokeMethod(
        this,
        [this, weak = std::weak_ptr<UpstreamCallState>(call), error = std::move(error)] {
            if (const std::shared_ptr<UpstreamCallState> state = weak.lock()) {
                finishCall(*state, error);
            }
        },
        Qt::QueuedConnection);
}

void UpstreamClient::exchangeDone(UpstreamCallState &call, HttpExchangeResult result)
{
    const auto fail = [&](const QString &message) {
        qCDebug(lcHttp) << "upstream call to" << call.m_exchange.origin.key()
                        << "failed:" << message;
        finishCall(call, badGateway(message));
    };
    if (call.m_streaming && result.outcome == HttpOutcome::Response) {
        finishCall(call, UpstreamResponse{}); // the head and the body went out already
        return;
    }
    switch (result.outcome) {
    case HttpOutcome::Response:
        break;
    case HttpOutcome::ConnectFailed:
    case HttpOutcome::Truncated:
        return fail(kUnreachable);
    case HttpOutcome::ClosedEmpty:
        // A new connection that closes without a byte of answer reached something that does not
        // speak HTTP; a kept-alive one that does so broke.
        return fail(result.reusedConnection ? kUnreachable : kInvalid);
    case HttpOutcome::Invalid:
        return fail(kInvalid);
    case HttpOutcome::TooLarge:
        return fail(kTooLarge);
    case HttpOutcome::EgressDenied:
        return finishCall(
            call,
            Error::forbidden(u"egress to host \"%1\" is not allowed: it resolves to "
                             "a non-public address"_s.arg(call.m_exchange.origin.host)));
    }

    HttpResponseMessage &message = result.response;
    QByteArray contentEncoding;
    for (const auto &[name, value] : std::as_const(message.headers)) {
        if (contentEncoding.isEmpty()
            && name.compare("content-encoding", Qt::CaseInsensitive) == 0) {
            contentEncoding = value;
        }
    }
    bool decoded = false;
    if (call.m_decode && !contentEncoding.isEmpty() && !message.body.isEmpty()) {
        QByteArray content;
        switch (HttpContentDecoder::decode(
            contentEncoding, message.body, call.m_maxBodyBytes, content)) {
        case HttpContentDecoder::Status::Decoded:
            message.body = std::move(content);
            decoded = true;
            break;
        case HttpContentDecoder::Status::Unsupported:
            break; // passed on as it is, with its Content-Encoding
        case HttpContentDecoder::Status::Invalid:
            return fail(kInvalid);
        case HttpContentDecoder::Status::TooLarge:
            return fail(kTooLarge);
        }
    }

    UpstreamResponse response;
    response.status = message.status;
    for (auto &[name, value] : message.headers) {
        const bool isContentType = name.compare("content-type", Qt::CaseInsensitive) == 0;
        if (isContentType && response.contentType.isEmpty()) {
            response.contentType = value;
        }
        const bool dropped =
            isHopHeader(name)
            || (decoded && name.compare("content-encoding", Qt::CaseInsensitive) == 0);
        if (!dropped) {
            response.headers.append({std::move(name), std::move(value)});
        }
    }
    if (response.contentType.isEmpty()) {
        response.contentType = "application/json"_ba;
    }
    response.body = std::move(message.body);
    finishCall(call, std::move(response));
}

void UpstreamClient::finishCall(UpstreamCallState &call, Result<UpstreamResponse> result)
{
    if (call.m_done) {
        return;
    }
    call.m_done = true;
    m_pool->cancel(&call.m_exchange); // a no-op once the exchange is done
    // Keeps the call alive through the callback, whoever else holds it.
    const std::shared_ptr<UpstreamCallState> keep = std::move(call.m_position->second);
    m_calls.erase(call.m_position);
    if (call.m_streaming) {
        // head and data stay: one of them may be running (an abort from inside it).
        const std::function<void(Result<void>)> end = std::exchange(call.m_stream.end, nullptr);
        if (end) {
            end(result ? Result<void>() : Result<void>(result.error()));
        }
        return;
    }
    const Callback callback = std::exchange(call.m_callback, nullptr);
    if (callback) {
        callback(std::move(result));
    }
}

void UpstreamClient::armDeadlineTimer()
{
    if (m_calls.empty()) {
        return;
    }
    const qint64 next = m_calls.begin()->first;
    if (next == std::numeric_limits<qint64>::max()) {
        return; // only streams past their head: no deadline
    }
    if (m_deadlineTimer->isActive() && m_armedFor <= next) {
        return;
    }
    m_armedFor = next;
    m_deadlineTimer->start(
        std::chrono::milliseconds(std::max<qint64>(0, next - m_clock.elapsed())));
}

void UpstreamClient::expireDeadlines()
{
    while (!m_calls.empty() && m_calls.begin()->first <= m_clock.elapsed()) {
        finishCall(*m_calls.begin()->second, badGateway(kTimedOut));
    }
    armDeadlineTimer();
}

} // namespace Gestalt
