// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/HttpClientConnection.h"

#include "core/Logging.h"
#include "httpclient/EgressPolicy.h"

#include <QHostInfo>
#include <QNetworkProxy>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>

#include <cerrno>

#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Writes what the kernel takes at once: the bytes written, 0 when the socket buffer is full, -1
// when the connection is broken (EPIPE, ECONNRESET, ...).
qsizetype sendNow(qintptr descriptor, const QByteArray &bytes)
{
    ssize_t n = 0;
    do {
        n = ::send(int(descriptor), bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -1; // EWOULDBLOCK is EAGAIN on Linux
    }
    return qsizetype(n);
}

} // namespace

HttpClientConnection::HttpClientConnection(const HttpOrigin &origin,
                                           Finished finished,
                                           Lost lost,
                                           QObject *parent)
    : QObject(parent)
    , m_origin(origin)
    , m_originKey(origin.key())
    , m_finished(std::move(finished))
    , m_lost(std::move(lost))
{}

HttpClientConnection::~HttpClientConnection()
{
    shutDown();
}

void HttpClientConnection::send(const QByteArray &request, bool headRequest, qint64 maxBodyBytes)
{
    m_reused = m_completed > 0;
    m_received = false;
    m_headReported = false;
    m_in.clear();
    m_parser.reset(headRequest, maxBodyBytes);
    m_inSend = true;
    switch (m_state) {
    case State::New:
        m_state = State::Connecting;
        m_pending = request;
        open();
        break;
    case State::Idle:
        m_state = State::Busy;
        writeRequest(request);
        break;
    case State::Connecting:
    case State::Busy:
    case State::Closed:
        shutDown();
        report(HttpOutcome::ClosedEmpty);
        break;
    }
    m_inSend = false;
    if (m_deferred) {
        // A socket error raised synchronously (a write to a connection the server dropped,
        // an immediate connect failure): report it from the event loop, as send() promises.
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (std::optional<HttpExchangeResult> result = std::exchange(m_deferred, {})) {
                    m_finished(this, std::move(*result));
                }
            },
            Qt::QueuedConnection);
    }
}

void HttpClientConnection::close()
{
    m_deferred.reset();
    shutDown();
}

void HttpClientConnection::open()
{
    QHostAddress literal;
    if (literal.setAddress(m_origin.host)) {
        addressesResolved({literal}); // a literal address needs no lookup
        return;
    }
    // `this` as the context: a lookup still running when the connection is deleted never calls
    // back; shutDown() aborts it.
    m_lookupId = QHostInfo::lookupHost(
        m_origin.host, this, [this](const QHostInfo &info) { hostResolved(info); });
}

void HttpClientConnection::hostResolved(const QHostInfo &info)
{
    if (m_state != State::Connecting) {
        return; // closed meanwhile (a cancel, the call's deadline)
    }
    m_lookupId = -1;
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        qCDebug(lcHttp) << "resolving" << m_originKey << "failed:" << info.errorString();
        shutDown();
        report(HttpOutcome::ConnectFailed);
        return;
    }
    addressesResolved(info.addresses());
}

void HttpClientConnection::addressesResolved(const QList<QHostAddress> &addresses)
{
    if (m_origin.publicOnly) {
        for (const QHostAddress &address : addresses) {
            if (!EgressPolicy::isPublicAddress(address)) {
                // The address goes to the log only: the caller's error names the host.
                qCInfo(lcHttp).noquote()
                    << "egress to" << m_originKey << "refused:" << m_origin.host
                    << "resolves to the non-public address" << address.toString();
                shutDown();
                report(HttpOutcome::EgressDenied);
                return;
            }
        }
    }
    m_addresses = addresses;
    m_nextAddress = 0;
    if (!connectNext()) {
        shutDown();
        report(HttpOutcome::ConnectFailed);
    }
}

bool HttpClientConnection::connectNext()
{
    if (m_nextAddress >= m_addresses.size()) {
        return false;
    }
    const QHostAddress address = m_addresses.at(m_nextAddress++);
    if (m_socket) {
        // The previous attempt's socket; it may be inside one of its own signals.
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    createSocket();
    // Pinned: the socket connects to the address checked above, never to a name it would
    // resolve again.
    if (m_origin.tls) {
        // The host name is the name the certificate is checked against, and the SNI.
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(
            address.toString(), m_origin.port, m_origin.host);
    } else {
        m_socket->connectToHost(address, m_origin.port);
    }
    return true;
}

void HttpClientConnection::createSocket()
{
    if (m_origin.tls) {
        auto *ssl = new QSslSocket(this);
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        config.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        ssl->setSslConfiguration(config);
        connect(ssl, &QSslSocket::encrypted, this, &HttpClientConnection::socketConnected);
        connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            for (const QSslError &error : errors) {
                qCDebug(lcHttp) << "TLS to" << m_originKey << "refused:" << error.errorString();
            }
        });
        m_socket = ssl;
    } else {
        m_socket = new QTcpSocket(this);
        connect(
            m_socket, &QAbstractSocket::connected, this, &HttpClientConnection::socketConnected);
    }
    m_socket->setProxy(QNetworkProxy::NoProxy);
    connect(m_socket, &QIODevice::readyRead, this, &HttpClientConnection::socketReadable);
    connect(m_socket, &QAbstractSocket::disconnected, this, &HttpClientConnection::socketClosed);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &HttpClientConnection::socketClosed);
}

void HttpClientConnection::writeRequest(const QByteArray &request)
{
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        shutDown();
        report(HttpOutcome::ClosedEmpty);
        return;
    }
    qsizetype written = 0;
    if (!m_origin.tls && m_socket->bytesToWrite() == 0) {
        // Straight to the kernel: QAbstractSocket::write() switches its write notifier on and off
        // around the write, and with the glib event dispatcher each switch wakes the event loop.
        written = sendNow(m_socket->socketDescriptor(), request);
        if (written < 0) {
            shutDown();
            report(HttpOutcome::ClosedEmpty);
            return;
        }
    }
    if (written < request.size()) {
        m_socket->write(request.constData() + written, request.size() - written);
        m_socket->flush(); // now, rather than on the next write notification
    }
}

void HttpClientConnection::socketConnected()
{
    if (m_state != State::Connecting) {
        return;
    }
    m_state = State::Busy;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    writeRequest(std::exchange(m_pending, {}));
}

void HttpClientConnection::socketReadable()
{
    if (m_state == State::Idle) {
        // Bytes nobody asked for (often a 408 before the server closes): not reusable.
        shutDown();
        m_lost(this);
        return;
    }
    if (m_state != State::Busy) {
        return;
    }
    QByteArray data = m_socket->readAll();
    if (data.isEmpty()) {
        return;
    }
    m_received = true;
    if (m_in.isEmpty()) {
        m_in = std::move(data);
    } else {
        m_in += data;
    }
    const HttpResponseParser::Status status = m_parser.feed(m_in);
    if ((status == HttpResponseParser::Status::NeedMore
         || status == HttpResponseParser::Status::Done)
        && !deliverStreamed()) {
        return; // the exchange was canceled (or everything went away) meanwhile
    }
    switch (status) {
    case HttpResponseParser::Status::NeedMore:
        return;
    case HttpResponseParser::Status::Done:
        responseComplete();
        return;
    case HttpResponseParser::Status::TooLarge:
        shutDown();
        report(HttpOutcome::TooLarge);
        return;
    case HttpResponseParser::Status::Invalid:
    case HttpResponseParser::Status::Truncated:
        shutDown();
        report(HttpOutcome::Invalid);
        return;
    }
}

void HttpClientConnection::socketClosed()
{
    switch (m_state) {
    case State::New:
    case State::Closed:
        return;
    case State::Idle:
        shutDown();
        m_lost(this);
        return;
    case State::Connecting:
        qCDebug(lcHttp) << "connecting to" << m_originKey << "failed:" << m_socket->errorString();
        if ((m_socket->error() == QAbstractSocket::ConnectionRefusedError
             || m_socket->error() == QAbstractSocket::NetworkError)
            && connectNext()) {
            return; // the next resolved address
        }
        shutDown();
        report(HttpOutcome::ConnectFailed);
        return;
    case State::Busy:
        break;
    }
    // Whatever arrived before the close still counts (a body that runs until the close).
    if (m_socket->bytesAvailable() > 0) {
        const QPointer<HttpClientConnection> guard(this);
        socketReadable();
        if (!guard || m_state != State::Busy) {
            return;
        }
    }
    const HttpResponseParser::Status status = m_parser.finish();
    shutDown();
    switch (status) {
    case HttpResponseParser::Status::Done:
        ++m_completed;
        report(HttpOutcome::Response, m_parser.takeMessage());
        return;
    case HttpResponseParser::Status::Truncated:
        report(HttpOutcome::Truncated);
        return;
    case HttpResponseParser::Status::NeedMore:
    case HttpResponseParser::Status::Invalid:
    case HttpResponseParser::Status::TooLarge:
        report(m_received ? HttpOutcome::Invalid : HttpOutcome::ClosedEmpty);
        return;
    }
}

bool HttpClientConnection::deliverStreamed()
{
    if (!m_exchange || !m_exchange->streaming() || !m_parser.headComplete()) {
        return true;
    }
    // A callback may cancel the exchange (the pool then closes this connection) or even delete
    // the client and with it this connection.
    const QPointer<HttpClientConnection> guard(this);
    const auto stillBusy = [&guard, this] {
        return !guard.isNull() && m_state == State::Busy && m_exchange != nullptr;
    };
    if (!m_headReported) {
        m_headReported = true;
        m_exchange->head(m_parser.message());
        if (!stillBusy()) {
            return false;
        }
    }
    const QByteArray bytes = m_parser.drainBody();
    if (!bytes.isEmpty()) {
        m_exchange->body(bytes);
        if (!stillBusy()) {
            return false;
        }
    }
    return true;
}

void HttpClientConnection::responseComplete()
{
    ++m_completed;
    // Bytes after the response mean the server and we disagree on the framing: never reuse.
    const bool reusable = m_parser.keepAlive() && m_in.isEmpty()
                          && m_socket->state() == QAbstractSocket::ConnectedState;
    if (reusable) {
        m_state = State::Idle;
    } else {
        shutDown();
    }
    report(HttpOutcome::Response, m_parser.takeMessage());
}

void HttpClientConnection::shutDown()
{
    m_state = State::Closed;
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(std::exchange(m_lookupId, -1));
    }
    m_in.clear();
    m_pending.clear();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void HttpClientConnection::report(HttpOutcome outcome, HttpResponseMessage response)
{
    HttpExchangeResult result{outcome, m_reused, std::move(response)};
    if (m_inSend) {
        m_deferred = std::move(result);
        return;
    }
    m_finished(this, std::move(result)); // the last thing: the owner may drop this connection
}

} // namespace Gestalt
