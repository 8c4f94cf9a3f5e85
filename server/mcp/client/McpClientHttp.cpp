// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/client/McpClientHttp.h"

#include "core/Logging.h"
#include "httpclient/SseParser.h"
#include "mcp/client/McpClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int maxResumes = 3;        // GET + Last-Event-ID after a POST stream ended early
constexpr int maxStreamAttempts = 5; // GET stream reconnects without a message in between
constexpr qsizetype maxErrorBody = qsizetype{64} * 1024;
constexpr std::chrono::milliseconds defaultRetry{1000};
constexpr std::chrono::milliseconds maxRetry{30'000};

const QByteArray acceptBoth = "application/json, text/event-stream"_ba;

// ": <error.message>" of a JSON-RPC error body, empty otherwise.
QString errorDetail(const QByteArray &body)
{
    const QString message = QJsonDocument::fromJson(body)
                                .object()
                                .value(u"error"_s)
                                .toObject()
                                .value(u"message"_s)
                                .toString();
    return message.isEmpty() ? QString() : u": "_s + message.left(200);
}

std::chrono::milliseconds retryDelay(const SseParser &parser, std::chrono::milliseconds fallback)
{
    if (const std::optional<qint64> retry = parser.retryMs()) {
        return std::min(std::chrono::milliseconds(*retry), maxRetry);
    }
    return fallback;
}

// Headers the transport sets itself: the configured ones never replace them.
bool isTransportHeader(const QByteArray &name)
{
    for (const QByteArrayView own : {"accept"_ba,
                                     "content-type"_ba,
                                     "mcp-session-id"_ba,
                                     "mcp-protocol-version"_ba,
                                     "last-event-id"_ba}) {
        if (own.compare(name, Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

} // namespace

// One HTTP exchange: a POST, a GET resuming a POST's stream, or the GET notification stream.
class McpHttpTransport::Exchange final : public QObject
{
public:
    enum class Kind {
        Post,
        Resume,
        Stream
    };

    Exchange(Kind k, McpHttpTransport *parent)
        : QObject(parent)
        , kind(k)
    {
        startTimer.setSingleShot(true);
    }

    [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }

    Kind kind;
    std::shared_ptr<UpstreamCall> call; // while in flight
    qint64 requestId = 0;               // the request whose response this carries (0: none)
    bool initialize = false;
    QByteArray sessionId; // sent with
    std::function<void()> done;
    bool headersSeen = false;
    bool sse = false;
    bool answered = false;
    bool closed = false;
    int status = 0;
    int resumes = 0;
    qint64 received = 0;
    QByteArray body;
    QByteArray lastEventId;
    SseParser parser{MaxBodyBytes};
    QTimer startTimer;
};

McpHttpTransport::McpHttpTransport(McpTransportHost &host,
                                   QUrl url,
                                   Headers headers,
                                   UpstreamClient &upstream,
                                   EgressPolicy egress)
    : McpClientTransport(host)
    , m_url(std::move(url))
    , m_headers(std::move(headers))
    , m_upstream(&upstream)
    , m_egress(std::move(egress))
{
    m_streamTimer.setSingleShot(true);
    connect(&m_streamTimer, &QTimer::timeout, this, &McpHttpTransport::openStream);
}

McpHttpTransport::~McpHttpTransport()
{
    m_streamTimer.stop();
    for (Exchange *exchange : std::as_const(m_exchanges)) {
        exchange->closed = true;
        exchange->done = nullptr;
        if (const std::shared_ptr<UpstreamCall> call = std::exchange(exchange->call, nullptr)) {
            call->abort();
        }
    }
    if (!m_sessionId.isEmpty() && m_upstream) {
        // Best effort: tell the server the session is over. The client keeps the call alive.
        (void)m_upstream->send(makeRequest(u"DELETE"_s, acceptBoth),
                               options(DeleteTimeout),
                               [](const Result<UpstreamResponse> &) {});
    }
}

UpstreamRequest McpHttpTransport::makeRequest(const QString &method, const QByteArray &accept) const
{
    UpstreamRequest request;
    request.method = method;
    request.url = m_url;
    request.headers.reserve(m_headers.size() + 4);
    for (const auto &header : m_headers) {
        if (!isTransportHeader(header.first)) {
            request.headers.append(header);
        }
    }
    request.headers.append({"Accept"_ba, accept});
    if (!m_sessionId.isEmpty()) {
        request.headers.append({"Mcp-Session-Id"_ba, m_sessionId});
    }
    if (!m_protocolVersion.isEmpty()) {
        request.headers.append({"MCP-Protocol-Version"_ba, m_protocolVersion});
    }
    return request;
}

UpstreamOptions McpHttpTransport::options(std::chrono::milliseconds timeout) const
{
    UpstreamOptions options;
    options.timeout = timeout;
    options.maxBodyBytes = MaxBodyBytes;
    options.egress = m_egress;
    return options;
}

void McpHttpTransport::sendRequest(qint64 id, const QJsonObject &message, bool initialize)
{
    post(message, id, initialize, {});
}

void McpHttpTransport::sendMessage(const QJsonObject &message, std::function<void()> done)
{
    post(message, 0, false, std::move(done));
}

void McpHttpTransport::post(const QJsonObject &message,
                            qint64 requestId,
                            bool initialize,
                            std::function<void()> done)
{
    auto *exchange = new Exchange(Exchange::Kind::Post, this);
    m_exchanges.append(exchange);
    exchange->requestId = requestId;
    exchange->initialize = initialize;
    exchange->done = std::move(done);
    exchange->sessionId = m_sessionId;
    if (!m_upstream) {
        fail(exchange, Error{ErrorCode::Unavailable, u"gestalt is shutting down"_s});
        finish(exchange);
        return;
    }
    UpstreamRequest request = makeRequest(u"POST"_s, acceptBoth);
    request.headers.append({"Content-Type"_ba, "application/json"_ba});
    request.body = QJsonDocument(message).toJson(QJsonDocument::Compact);
    start(exchange, request, PostHeadTimeout);
}

void McpHttpTransport::start(Exchange *exchange,
                             const UpstreamRequest &request,
                             std::chrono::milliseconds headTimeout)
{
    UpstreamOptions streamOptions = options(headTimeout);
    if (exchange->kind == Exchange::Kind::Stream) {
        // Open for as long as the session: only each event is capped (the SSE parser).
        streamOptions.maxBodyBytes = std::numeric_limits<qint64>::max();
    }
    UpstreamStreamHandlers handlers;
    // The transport outlives its exchanges' calls: it aborts them all when it goes.
    handlers.head = [this, exchange](const UpstreamResponseHead &head) {
        onHead(exchange, head);
    };
    handlers.data = [this, exchange](const QByteArray &chunk) {
        onData(exchange, chunk);
    };
    handlers.end = [this, exchange](const Result<void> &ended) {
        onEnd(exchange, ended);
    };
    exchange->call = m_upstream->stream(request, streamOptions, std::move(handlers));
}

void McpHttpTransport::startGet(Exchange *exchange)
{
    if (exchange->closed) {
        return;
    }
    if (!m_upstream) {
        fail(exchange, Error{ErrorCode::Unavailable, u"gestalt is shutting down"_s});
        finish(exchange);
        return;
    }
    exchange->sessionId = m_sessionId;
    UpstreamRequest request = makeRequest(u"GET"_s, "text/event-stream"_ba);
    if (!exchange->lastEventId.isEmpty()) {
        request.headers.append({"Last-Event-ID"_ba, exchange->lastEventId});
    }
    start(exchange,
          request,
          exchange->kind == Exchange::Kind::Stream ? StreamHeadTimeout : PostHeadTimeout);
}

void McpHttpTransport::onHead(Exchange *exchange, const UpstreamResponseHead &head)
{
    if (exchange->headersSeen || exchange->closed) {
        return;
    }
    exchange->headersSeen = true;
    exchange->status = head.status;
    const QByteArray type = head.contentType.trimmed().toLower();
    exchange->sse = exchange->ok() && type.startsWith("text/event-stream");
    if (exchange->initialize && exchange->ok()) {
        const QByteArray session = head.header("Mcp-Session-Id").trimmed();
        if (!session.isEmpty()) {
            m_sessionId = session;
        }
    }
}

void McpHttpTransport::onData(Exchange *exchange, const QByteArray &chunk)
{
    if (exchange->closed) {
        return;
    }
    if (exchange->kind != Exchange::Kind::Stream) {
        exchange->received += chunk.size();
        if (exchange->received > MaxBodyBytes) {
            fail(exchange,
                 Error{ErrorCode::BadGateway, u"upstream MCP server sent more than 64 MiB"_s});
            finish(exchange);
            return;
        }
    }
    if (!exchange->ok()) {
        if (exchange->body.size() < maxErrorBody) {
            exchange->body.append(chunk.left(maxErrorBody - exchange->body.size()));
        }
        return;
    }
    if (!exchange->sse) {
        exchange->body.append(chunk);
        return;
    }
    const QList<SseParser::Event> events = exchange->parser.feed(chunk);
    for (const SseParser::Event &event : events) {
        if (!event.id.isEmpty()) {
            exchange->lastEventId = event.id;
        }
        if (event.type == "message" && !event.data.isEmpty()) {
            dispatch(exchange, event.data);
        }
        if (exchange->closed) {
            return;
        }
    }
    if (exchange->parser.overflowed()) {
        fail(exchange,
             Error{ErrorCode::BadGateway,
                   u"upstream MCP server sent an event larger than 64 MiB"_s});
        finish(exchange);
    }
}

void McpHttpTransport::dispatch(Exchange *exchange, const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (document.isObject()) {
        deliver(exchange, document.object());
    } else if (document.isArray()) {
        const QJsonArray batch = document.array();
        for (const auto &message : batch) {
            if (message.isObject() && !exchange->closed) {
                deliver(exchange, message.toObject());
            }
        }
    } else {
        qCDebug(lcMcp) << "mcp client: ignoring a message that is not JSON (" << json.size()
                       << "bytes)";
    }
}

void McpHttpTransport::deliver(Exchange *exchange, const QJsonObject &message)
{
    const QJsonValue id = message.value(u"id"_s);
    if (exchange->requestId != 0 && id.isDouble() && id.toInteger() == exchange->requestId
        && !message.contains(u"method"_s)) {
        exchange->answered = true;
    }
    if (exchange->kind == Exchange::Kind::Stream) {
        m_streamAttempts = 0;
    }
    m_host.receive(message);
}

void McpHttpTransport::onEnd(Exchange *exchange, const Result<void> &ended)
{
    if (exchange->closed) {
        return;
    }
    exchange->call.reset(); // done: nothing to abort any more
    if (!ended && ended.error().message == UpstreamClient::TooLargeMessage) {
        fail(exchange,
             Error{ErrorCode::BadGateway, u"upstream MCP server sent more than 64 MiB"_s});
        finish(exchange);
        return;
    }
    const int status = exchange->status;
    if (exchange->kind == Exchange::Kind::Stream) {
        streamEnded(exchange, status == 200 && exchange->sse);
        return;
    }
    if (!exchange->headersSeen) {
        // An egress refusal or a bad request stays what it is; a network failure is a 502.
        const Error &error = ended ? Error{ErrorCode::BadGateway, u"no response"_s} : ended.error();
        fail(exchange,
             error.code == ErrorCode::BadGateway
                 ? Error{ErrorCode::BadGateway,
                         u"cannot reach the upstream MCP server: %1"_s.arg(error.message)}
                 : error);
    } else if (status == 404 && !exchange->sessionId.isEmpty()) {
        const qint64 id = std::exchange(exchange->requestId, 0);
        const bool current = exchange->sessionId == m_sessionId;
        finish(exchange);
        if (id != 0) {
            m_host.sessionExpired(id, current);
        }
        return;
    } else if (status == 401 || status == 403) {
        fail(exchange,
             Error{ErrorCode::BadGateway,
                   u"upstream MCP server rejected the credential (HTTP %1)"_s.arg(status),
                   status == 401 ? QString(McpClient::CredentialRejectedCode) : QString()});
    } else if (!exchange->ok()) {
        fail(exchange,
             Error{ErrorCode::BadGateway,
                   u"upstream MCP server answered HTTP %1%2"_s.arg(status).arg(
                       errorDetail(exchange->body))});
    } else {
        if (!exchange->sse && !exchange->body.trimmed().isEmpty()) {
            dispatch(exchange, exchange->body);
            if (exchange->closed) {
                return;
            }
        }
        if (exchange->requestId != 0 && !exchange->answered) {
            if (exchange->sse && !exchange->lastEventId.isEmpty()
                && exchange->resumes < maxResumes) {
                resume(exchange);
                return;
            }
            fail(exchange,
                 Error{ErrorCode::BadGateway,
                       u"upstream MCP server ended its response without answering"_s});
        }
    }
    finish(exchange);
}

void McpHttpTransport::resume(Exchange *exchange)
{
    auto *next = new Exchange(Exchange::Kind::Resume, this);
    m_exchanges.append(next);
    next->requestId = std::exchange(exchange->requestId, 0);
    next->resumes = exchange->resumes + 1;
    next->lastEventId = exchange->lastEventId;
    qCDebug(lcMcp) << "mcp client: resuming the stream of request" << next->requestId;
    connect(&next->startTimer, &QTimer::timeout, this, [this, next] { startGet(next); });
    next->startTimer.start(retryDelay(exchange->parser, defaultRetry));
    finish(exchange);
}

void McpHttpTransport::fail(Exchange *exchange, const Error &error)
{
    if (const qint64 id = std::exchange(exchange->requestId, 0); id != 0) {
        m_host.failRequest(id, error);
    } else {
        qCDebug(lcMcp).noquote() << "mcp client: message not delivered:" << error.message;
    }
}

void McpHttpTransport::finish(Exchange *exchange)
{
    if (exchange->closed) {
        return;
    }
    exchange->closed = true;
    exchange->startTimer.stop();
    m_exchanges.removeOne(exchange);
    if (const std::shared_ptr<UpstreamCall> call = std::exchange(exchange->call, nullptr)) {
        call->abort(); // its end finds the exchange closed
    }
    std::function<void()> done = std::move(exchange->done);
    exchange->done = nullptr;
    exchange->deleteLater();
    if (done) {
        done();
    }
}

void McpHttpTransport::abandon(qint64 id)
{
    const QList<Exchange *> exchanges = m_exchanges;
    for (Exchange *exchange : exchanges) {
        if (exchange->requestId == id) {
            exchange->requestId = 0;
            finish(exchange);
        }
    }
}

void McpHttpTransport::negotiated(const QString &protocolVersion)
{
    m_protocolVersion = protocolVersion.toUtf8();
}

void McpHttpTransport::ready()
{
    m_streamAttempts = 0;
    m_streamLastEventId.clear();
    openStream();
}

void McpHttpTransport::openStream()
{
    if (const Exchange *stream = m_stream; stream && !stream->closed) {
        return;
    }
    auto *exchange = new Exchange(Exchange::Kind::Stream, this);
    m_exchanges.append(exchange);
    exchange->lastEventId = m_streamLastEventId;
    m_stream = exchange;
    startGet(exchange);
}

void McpHttpTransport::streamEnded(Exchange *exchange, bool wasListening)
{
    if (!exchange->lastEventId.isEmpty()) {
        m_streamLastEventId = exchange->lastEventId;
    }
    const std::chrono::milliseconds delay =
        retryDelay(exchange->parser, std::min(defaultRetry * (1 << m_streamAttempts), maxRetry));
    const int status = exchange->status;
    finish(exchange);
    m_stream.clear();
    if (!wasListening) {
        qCDebug(lcMcp) << "mcp client: no notification stream from the upstream MCP server (HTTP"
                       << status << ")";
        return;
    }
    if (m_streamAttempts >= maxStreamAttempts) {
        qCDebug(lcMcp) << "mcp client: the notification stream keeps ending; not reopening it";
        return;
    }
    ++m_streamAttempts;
    m_streamTimer.start(delay);
}

void McpHttpTransport::resetSession()
{
    m_sessionId.clear();
    m_protocolVersion.clear();
    m_streamTimer.stop();
    m_streamLastEventId.clear();
    m_streamAttempts = 0;
    if (m_stream) {
        finish(m_stream);
        m_stream.clear();
    }
}

} // namespace Gestalt
