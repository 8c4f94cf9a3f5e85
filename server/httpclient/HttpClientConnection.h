// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httpclient/HttpExchange.h"
#include "httpclient/HttpResponseParser.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

class QAbstractSocket;
class QHostInfo;

namespace Gestalt {

// One HTTP/1.1 connection to one origin, on the thread that owns it: QTcpSocket for http,
// QSslSocket for https (system CA store, peer and host name verification, SNI; no TLS error is
// ever ignored). It carries one request at a time and connects on the first send(). For a
// streaming exchange (HttpExchange::streaming()) it hands the head and then each piece of the body
// to the exchange as they are parsed, before `finished`.
//
// Connecting: it resolves the host itself (QHostInfo, asynchronously; a literal address needs no
// lookup). For an origin with publicOnly, ANY resolved address that is not public
// (EgressPolicy::isPublicAddress) ends the exchange with HttpOutcome::EgressDenied before a
// connection is opened: a mixed answer is a rebinding attempt. It then connects to the resolved
// addresses themselves, in order, moving to the next one when a connect is refused or the network
// is unreachable: the address that was checked is the address it talks to (for https the host
// name still drives SNI and the certificate check).
//
// Each send() ends with exactly one `finished` call, never from inside send(). Afterwards the
// connection is either idle (isIdle(): the response allowed keep-alive and nothing unexpected
// happened) and may take the next send(), or closed for good. An idle connection that the
// server closes or sends unasked bytes to closes and reports `lost`. The owner deletes it
// (deleteLater()) once it is closed or no longer wanted.
class HttpClientConnection final : public QObject
{
    Q_OBJECT

public:
    using Finished = std::function<void(HttpClientConnection *, HttpExchangeResult)>;
    using Lost = std::function<void(HttpClientConnection *)>;

    HttpClientConnection(const HttpOrigin &origin, Finished finished, Lost lost, QObject *parent);
    ~HttpClientConnection() override;
    Q_DISABLE_COPY_MOVE(HttpClientConnection)

    // Writes `request` (head and body, in one write) and reads the response to it.
    void send(const QByteArray &request, bool headRequest, qint64 maxBodyBytes);
    // Closes the connection at once; nothing is reported any more.
    void close();

    [[nodiscard]] bool isIdle() const { return m_state == State::Idle; }
    [[nodiscard]] const QString &originKey() const { return m_originKey; }

    // The exchange this connection carries, for its pool's bookkeeping.
    [[nodiscard]] HttpExchange *exchange() const { return m_exchange; }
    void setExchange(HttpExchange *exchange) { m_exchange = exchange; }

private:
    enum class State {
        New,        // no socket yet
        Connecting, // DNS lookup, TCP connect, and the TLS handshake for https
        Busy,       // a request written or being written, its response being read
        Idle,       // between requests, kept alive
        Closed,
    };

    void open();
    void hostResolved(const QHostInfo &info);
    void addressesResolved(const QList<QHostAddress> &addresses);
    [[nodiscard]] bool connectNext();
    void createSocket();
    void writeRequest(const QByteArray &request);
    void socketConnected();
    void socketReadable();
    void socketClosed();
    // A streaming exchange: hands on the head once, then the body bytes parsed so far. False
    // when the exchange is gone afterwards (canceled from a callback): read nothing more.
    [[nodiscard]] bool deliverStreamed();
    void responseComplete();
    void shutDown();
    void report(HttpOutcome outcome, HttpResponseMessage response = {});

    HttpOrigin m_origin;
    QString m_originKey;
    Finished m_finished;
    Lost m_lost;
    QAbstractSocket *m_socket = nullptr; // child
    int m_lookupId = -1;                 // a QHostInfo lookup in flight
    QList<QHostAddress> m_addresses;     // resolved (and checked) addresses, in order
    qsizetype m_nextAddress = 0;         // the next one to try
    HttpExchange *m_exchange = nullptr;
    State m_state = State::New;
    HttpResponseParser m_parser;
    QByteArray m_in;      // received, not parsed yet
    QByteArray m_pending; // the request, until the connection is up
    int m_completed = 0;  // exchanges finished with a response
    bool m_reused = false;
    bool m_received = false;     // a response byte arrived for the current request
    bool m_headReported = false; // streaming: the head went to the exchange
    bool m_inSend = false;
    std::optional<HttpExchangeResult> m_deferred; // a result that arose inside send()
};

} // namespace Gestalt
