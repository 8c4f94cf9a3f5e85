// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/HttpServer.h"

#include "core/Logging.h"
#include "http/GuardedTcpServer.h"
#include "http/ResponderState.h"

#include <QDateTime>
#include <QHttpServerRequest>
#include <QLocale>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QStringList supportedMethods = {
    u"GET"_s, u"HEAD"_s, u"POST"_s, u"PUT"_s, u"PATCH"_s, u"DELETE"_s, u"OPTIONS"_s};

const QByteArray contentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"_ba;

QString requestIdFrom(const QByteArray &incoming)
{
    static const QRegularExpression valid(u"^[A-Za-z0-9._:-]{1,128}$"_s);
    QString candidate = QString::fromLatin1(incoming);
    if (valid.match(candidate).hasMatch()) {
        return candidate;
    }
    const quint64 a = QRandomGenerator::global()->generate64();
    return QString::number(a, 16).rightJustified(16, u'0');
}

// The Date header, formatted once per second rather than per response (the event loop is one
// thread, so a function-local cache needs no lock).
QByteArray httpDate()
{
    static qint64 cachedSecond = -1;
    static QByteArray cached;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (now.toSecsSinceEpoch() != cachedSecond) {
        cachedSecond = now.toSecsSinceEpoch();
        cached = QLocale::c().toString(now, u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s).toLatin1();
    }
    return cached;
}

bool statusHasBody(int status)
{
    return status >= 200 && status != 204 && status != 304;
}

} // namespace

HttpServer::HttpServer(HttpServerOptions options, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_options(std::move(options))
    , m_deadlineTimer(new QTimer(this))
{
    m_uptime.start();
    m_deadlineTimer->setSingleShot(true);
    connect(m_deadlineTimer, &QTimer::timeout, this, &HttpServer::expireDeadlines);
}

HttpServer::~HttpServer() = default;

Result<quint16> HttpServer::listen(const QString &host, quint16 port)
{
    auto *tcp = new GuardedTcpServer(
        m_options.limits,
        [this](const Error &error) -> QByteArray {
            ResponderState state;
            state.closeAfter = true;
            state.done = true;
            const HttpResponse response = HttpResponse::fromError(error);
            return serializeHead(state, response.status, response.headers, response.body.size())
                   + response.body;
        },
        this);
    QHostAddress address;
    if (host.isEmpty() || host == u"0.0.0.0"_s) {
        address = QHostAddress::AnyIPv4;
    } else if (host == u"localhost"_s) {
        address = QHostAddress::LocalHost;
    } else if (!address.setAddress(host)) {
        delete tcp;
        return Error::invalid(u"cannot listen on \"%1\": not an IP address"_s.arg(host));
    }
    if (!tcp->listen(address, port)) {
        const QString reason = tcp->errorString();
        delete tcp;
        return Error::unavailable(u"cannot listen on %1:%2: %3"_s.arg(host).arg(port).arg(reason));
    }
    bind(tcp);
    m_listeners.append(tcp);
    if (address.isLoopback()) {
        m_loopbackPorts.append(tcp->serverPort());
    }
    return tcp->serverPort();
}

void HttpServer::stopListening()
{
    for (const auto &tcp : std::as_const(m_listeners)) {
        if (tcp) {
            tcp->close();
        }
    }
}

bool HttpServer::handleRequest(const QHttpServerRequest &qrequest, QTcpSocket *socket)
{
    HttpConnection *connection = HttpConnection::of(socket);
    if (!connection || connection->isClosing()) {
        return true; // a request pipelined after "Connection: close" is not answered
    }
    const RequestHead head = connection->takeRequestHead();

    HttpRequest request;
    request.method = QString::fromLatin1(head.method);
    request.encodedPath = qrequest.url().path(QUrl::FullyEncoded);
    request.path = qrequest.url().path(QUrl::FullyDecoded);
    request.query = qrequest.query();
    request.headers = qrequest.headers();
    request.body = qrequest.body();
    request.remoteAddress = qrequest.remoteAddress();
    request.clientAddress = m_options.policy.clientAddress(request);
    request.localPort = socket->localPort();
    request.requestId = requestIdFrom(qrequest.value("x-request-id"));

    auto state = std::make_shared<ResponderState>();
    state->timer.start();
    state->connection = connection;
    state->server = this;
    state->closeAfter = head.closeAfter;
    state->slot = connection->reserveSlot(head.closeAfter);
    state->headRequest = request.method == u"HEAD"_s;
    state->method = request.method;
    state->path = request.path;
    state->route = u"unmatched"_s;
    state->requestId = request.requestId;
    state->remoteAddress = request.remoteAddress.toString();
    state->clientAddress = request.clientAddress.toString();
    state->requestBytes = request.body.size();
    ++m_active;

    const Responder responder(state);
    dispatch(request, *state, responder);
    if (!state->done) {
        armDeadline(state);
    }
    return true;
}

void HttpServer::armDeadline(const std::shared_ptr<ResponderState> &state)
{
    // Every request has the same timeout, so appending keeps the list in deadline order.
    const qint64 at = m_uptime.elapsed() + m_options.requestTimeoutMs;
    state->deadline = m_deadlines.insert(m_deadlines.end(), RequestDeadline{at, state});
    if (!m_deadlineTimer->isActive()) {
        m_deadlineTimer->start(int(std::max<qint64>(0, at - m_uptime.elapsed())));
    }
}

void HttpServer::forgetDeadline(ResponderState &state)
{
    if (state.deadline) {
        m_deadlines.erase(*state.deadline);
        state.deadline.reset();
    }
}

void HttpServer::expireDeadlines()
{
    const qint64 now = m_uptime.elapsed();
    while (!m_deadlines.empty() && m_deadlines.front().atMs <= now) {
        const std::shared_ptr<ResponderState> state = m_deadlines.front().state.lock();
        m_deadlines.pop_front();
        if (state) {
            state->deadline.reset();
            if (!state->done) {
                Responder(state).sendError({ErrorCode::GatewayTimeout, u"request timed out"_s});
            }
        }
    }
    if (!m_deadlines.empty()) {
        m_deadlineTimer->start(int(std::max<qint64>(0, m_deadlines.front().atMs - now)));
    }
}

void HttpServer::dispatch(HttpRequest &request, ResponderState &state, const Responder &responder)
{
    if (!supportedMethods.contains(request.method)) {
        responder.sendError(
            {ErrorCode::NotImplemented, u"method %1 is not implemented"_s.arg(request.method)});
        return;
    }
    if (m_loopbackPorts.contains(request.localPort)) {
        if (Result<void> host = m_options.policy.checkHost(request); !host) {
            responder.sendError(host.error());
            return;
        }
    }
    const Router::Match match = m_router.match(request.method, request.encodedPath);
    if (!match.route) {
        if (match.allowedMethods.isEmpty()) {
            responder.sendError(Error::notFound(u"API route \"%1\" not found"_s.arg(request.path)));
            return;
        }
        const QByteArray allow = match.allowedMethods.join(u", "_s).toLatin1();
        if (request.method == u"OPTIONS"_s) {
            HttpResponse response = HttpResponse::noContent();
            response.setHeader("Allow"_ba, allow);
            responder.send(response);
            return;
        }
        HttpResponse response = HttpResponse::fromError(
            {ErrorCode::MethodNotAllowed,
             u"method %1 is not allowed for API route \"%2\""_s.arg(request.method, request.path)});
        response.setHeader("Allow"_ba, allow);
        responder.send(response);
        return;
    }
    request.routeTemplate = match.route->pathTemplate;
    state.route = match.route->pathTemplate;
    request.pathParams = match.params;
    if (Result<void> site = checkSite(request, *match.route); !site) {
        responder.sendError(site.error());
        return;
    }
    if (match.route->auth == RouteAuth::Authenticated) {
        if (!m_authenticator) {
            responder.sendError(Error::internal(u"no authenticator configured"_s));
            return;
        }
        Result<Principal> principal = m_authenticator->authenticate(request);
        if (!principal) {
            responder.sendError(principal.error());
            return;
        }
        request.principal = std::move(principal).value();
    }
    if (Result<void> body = RequestPolicy::checkBodyType(request, match.route->body); !body) {
        responder.sendError(body.error());
        return;
    }
    match.route->handler(request, responder);
}

Result<void> HttpServer::checkSite(const HttpRequest &request, const Router::Route &route) const
{
    // A page on another site may not change state or run an operation with the browser's
    // cookies (CSRF) or through a loopback gateway without login. Safe methods only read, and
    // the answer of a cross-site read is the browser's to withhold.
    const bool safe =
        request.method == u"GET"_s || request.method == u"HEAD"_s || request.method == u"OPTIONS"_s;
    if ((!safe || route.invokes) && route.sites == RouteSites::SameOrigin
        && m_options.policy.isCrossSite(request)) {
        return Error{ErrorCode::Forbidden,
                     u"a page on another site may not call this route: cross-site browser "
                     "requests that change state or invoke operations are refused"_s,
                     u"cross_site_request"_s};
    }
    return {};
}

void HttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    Q_UNUSED(request);
    Q_UNUSED(socket);
}

QByteArray HttpServer::serializeHead(const ResponderState &state,
                                     int status,
                                     const QList<std::pair<QByteArray, QByteArray>> &headers,
                                     qint64 contentLength) const
{
    QByteArray out;
    out.reserve(512);
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    bool hasCsp = false;
    bool hasCacheControl = false;
    for (const auto &[name, value] : headers) {
        out += name + ": " + value + "\r\n";
        hasCsp = hasCsp || name.compare("Content-Security-Policy", Qt::CaseInsensitive) == 0;
        hasCacheControl =
            hasCacheControl || name.compare("Cache-Control", Qt::CaseInsensitive) == 0;
    }
    out += "Date: " + httpDate() + "\r\n";
    if (!state.requestId.isEmpty()) {
        out += "X-Request-Id: " + state.requestId.toLatin1() + "\r\n";
    }
    if (!hasCacheControl) {
        // Answers carry tokens, credentials and per-user data: no cache keeps them unless the
        // route says otherwise (static assets).
        out += "Cache-Control: no-store\r\n";
    }
    if (!hasCsp) {
        out += "Content-Security-Policy: " + contentSecurityPolicy + "\r\n";
    }
    out += "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n";
    if (m_options.hsts) {
        out += "Strict-Transport-Security: max-age=63072000; includeSubDomains\r\n";
    }
    if (contentLength >= 0) {
        out += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    } else {
        out += "Transfer-Encoding: chunked\r\n";
    }
    if (state.closeAfter) {
        out += "Connection: close\r\n";
    }
    out += "\r\n";
    return out;
}

void HttpServer::finishResponse(ResponderState &state, const HttpResponse &response)
{
    forgetDeadline(state);
    state.done = true;
    state.status = response.status;
    const bool withBody = statusHasBody(response.status);
    const qint64 length = withBody ? response.body.size() : -1;
    QByteArray wire =
        serializeHead(state, response.status, response.headers, withBody ? length : 0);
    if (!withBody) {
        // 204/304 carry no Content-Length body; drop the line we just wrote for them.
        wire.replace("Content-Length: 0\r\n"_ba, QByteArray());
    }
    if (withBody && !state.headRequest) {
        wire += response.body;
        state.responseBytes = response.body.size();
    }
    if (state.connection) {
        state.connection->write(state.slot, wire, true);
    }
    recordFinished(state);
}

void HttpServer::startStream(ResponderState &state, int status, const QByteArray &contentType)
{
    forgetDeadline(state); // a stream runs as long as it needs
    state.status = status;
    const QList<std::pair<QByteArray, QByteArray>> headers = {
        {"Content-Type"_ba, contentType},
        {"Cache-Control"_ba, "no-cache"_ba},
        {"X-Accel-Buffering"_ba, "no"_ba},
    };
    if (HttpConnection *connection = state.connection) {
        connection->setStreaming(true);
        connection->write(state.slot, serializeHead(state, status, headers, -1), false);
    }
}

void HttpServer::recordFinished(ResponderState &state)
{
    RequestRecord record;
    record.listener = m_options.name;
    record.method = state.method;
    record.path = state.path;
    record.route = state.route;
    record.status = state.status;
    record.seconds = static_cast<double>(state.timer.nsecsElapsed()) / 1e9;
    record.requestBytes = state.requestBytes;
    record.responseBytes = state.responseBytes;
    record.requestId = state.requestId;
    record.remoteAddress = state.remoteAddress;
    record.clientAddress = state.clientAddress;
    // The path is the caller's text, decoded: escaped so it cannot forge a line or a field.
    qCInfo(lcAccess).noquote().nospace()
        << record.listener << ' ' << record.method << ' ' << escapeForLog(record.path) << ' '
        << record.status << ' ' << QString::number(record.seconds * 1000.0, 'f', 2) << "ms"
        << " bytes=" << record.responseBytes << " request_id=" << record.requestId
        << " remote=" << record.remoteAddress
        << (record.clientAddress == record.remoteAddress ? QString()
                                                         : u" client="_s + record.clientAddress);
    if (m_observer) {
        m_observer(record);
    }
    if (--m_active == 0) {
        Q_EMIT idle();
    }
}

} // namespace Gestalt
