// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpConnection.h"
#include "http/ResponderState.h"
#include "http/Router.h"

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <list>
#include <memory>

namespace Gestalt {

struct ResponderState;
class GuardedTcpServer;

struct HttpServerOptions
{
    QString name = QStringLiteral("public"); // for logs: "public" or "management"
    ConnectionLimits limits;
    int requestTimeoutMs = 60 * 1000; // 504 when a handler has not answered by then
    bool hsts = false;                // Strict-Transport-Security (baseUrl is https)
    RequestPolicy policy;             // Host, cross-site, body type, client address
};

// Resolves the caller of a route that needs one (session cookie, bearer token...).
class Authenticator
{
public:
    virtual ~Authenticator() = default;
    [[nodiscard]] virtual Result<Principal> authenticate(const HttpRequest &request) = 0;
};

// One finished request, for the access log and the metrics.
struct RequestRecord
{
    QString listener;
    QString method;
    QString path;
    QString route; // template, or "unmatched"
    int status = 0;
    double seconds = 0;
    qint64 requestBytes = 0;
    qint64 responseBytes = 0;
    QString requestId;
    QString remoteAddress;
    QString clientAddress; // differs from remoteAddress behind a trusted proxy
};

// The only class that touches QtHttpServer: QAbstractHttpServer parses HTTP/1.1; everything
// else (guard, routing, 404/405/501, auth, ordered and asynchronous answers, streams, HEAD,
// security headers, request ids, access log) happens here and in HttpConnection.
class HttpServer final : public QAbstractHttpServer
{
    Q_OBJECT

public:
    explicit HttpServer(HttpServerOptions options, QObject *parent = nullptr);
    ~HttpServer() override;
    Q_DISABLE_COPY_MOVE(HttpServer)

    [[nodiscard]] Router &router() { return m_router; }
    void setAuthenticator(Authenticator *authenticator) { m_authenticator = authenticator; }
    void setObserver(std::function<void(const RequestRecord &)> observer)
    {
        m_observer = std::move(observer);
    }

    // Binds a guarded listener; port 0 picks a free port. Returns the port.
    [[nodiscard]] Result<quint16> listen(const QString &host, quint16 port);
    // Stops accepting new connections (graceful shutdown); open requests still finish.
    void stopListening();
    [[nodiscard]] int activeRequests() const { return m_active; }
    [[nodiscard]] const HttpServerOptions &options() const { return m_options; }

    // Internal to server/http (called through Responder).
    void finishResponse(ResponderState &state, const HttpResponse &response);
    void startStream(ResponderState &state, int status, const QByteArray &contentType);
    void recordFinished(ResponderState &state);

Q_SIGNALS:
    void idle(); // the last active request finished

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    [[nodiscard]] QByteArray serializeHead(const ResponderState &state,
                                           int status,
                                           const QList<std::pair<QByteArray, QByteArray>> &headers,
                                           qint64 contentLength) const;
    void dispatch(HttpRequest &request, ResponderState &state, const Responder &responder);
    // 403 for a cross-site browser request that would change state (before authentication).
    [[nodiscard]] Result<void> checkSite(const HttpRequest &request,
                                         const Router::Route &route) const;
    // One timer for every pending request's timeout (a timer per request slows Qt's timer list
    // down as thousands wait on upstreams): entries leave the list when answered.
    void armDeadline(const std::shared_ptr<ResponderState> &state);
    void forgetDeadline(ResponderState &state);
    void expireDeadlines();

    HttpServerOptions m_options;
    Router m_router;
    Authenticator *m_authenticator = nullptr;
    std::function<void(const RequestRecord &)> m_observer;
    QList<QPointer<GuardedTcpServer>> m_listeners;
    QList<quint16> m_loopbackPorts; // listeners bound to a loopback address check Host
    int m_active = 0;
    std::list<RequestDeadline> m_deadlines;
    QTimer *m_deadlineTimer; // child
    QElapsedTimer m_uptime;
};

} // namespace Gestalt
