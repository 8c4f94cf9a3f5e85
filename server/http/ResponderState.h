// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpConnection.h"
#include "http/HttpResponse.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QString>

#include <functional>
#include <list>
#include <memory>
#include <optional>

namespace Gestalt {

class HttpServer;
struct ResponderState;

// A request waiting for its answer, in the server's deadline list (oldest first).
struct RequestDeadline
{
    qint64 atMs = 0; // on the server's monotonic clock
    std::weak_ptr<ResponderState> state;
};

// What a Responder needs to finish a request. Internal to server/http.
struct ResponderState
{
    QPointer<HttpConnection> connection;
    QPointer<HttpServer> server;
    quint64 slot = 0;
    bool closeAfter = false;
    bool headRequest = false;
    bool done = false;
    bool streaming = false;
    QString method;
    QString path;
    QString route;
    QString requestId;
    QString remoteAddress;
    QString clientAddress;
    qint64 requestBytes = 0;
    qint64 responseBytes = 0;
    int status = 0;
    QElapsedTimer timer;
    // Where this request sits in HttpServer's deadline list, while it has an entry there.
    std::optional<std::list<RequestDeadline>::iterator> deadline;

    ResponderState() = default;
    ~ResponderState();
    Q_DISABLE_COPY_MOVE(ResponderState)
};

} // namespace Gestalt
