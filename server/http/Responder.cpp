// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/Responder.h"

#include "core/Logging.h"
#include "http/HttpServer.h"
#include "http/ResponderState.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {
QByteArray chunk(const QByteArray &payload)
{
    return QByteArray::number(payload.size(), 16) + "\r\n" + payload + "\r\n";
}
} // namespace

ResponderState::~ResponderState()
{
    if (!done && server) {
        qCCritical(lcHttp).noquote() << "http: handler dropped request without answering"
                                     << "request_id=" << requestId << "route=" << route;
        server->finishResponse(*this, HttpResponse::fromError(Error::internal(u"no response"_s)));
    }
}

Responder::Responder(std::shared_ptr<ResponderState> state)
    : d(std::move(state))
{}

void Responder::send(const HttpResponse &response) const
{
    if (d->done) {
        return;
    }
    if (d->server) {
        d->server->finishResponse(*d, response);
    }
    d->done = true;
}

void Responder::sendError(const Error &error) const
{
    if (publicMessage(error) != error.message) {
        qCWarning(lcHttp).noquote()
            << "http: error" << httpStatusFor(error.code) << "request_id=" << d->requestId
            << "route=" << d->route << "detail=" << error.message;
    }
    send(HttpResponse::fromError(error));
}

std::shared_ptr<StreamWriter> Responder::startStream(int status,
                                                     const QByteArray &contentType) const
{
    if (d->done || !d->server) {
        return std::make_shared<StreamWriter>(d);
    }
    d->done = true;
    d->streaming = true;
    d->server->startStream(*d, status, contentType);
    return std::make_shared<StreamWriter>(d);
}

bool Responder::isConnected() const
{
    return !d->connection.isNull();
}

bool Responder::isDone() const
{
    return d->done;
}

const QString &Responder::requestId() const
{
    return d->requestId;
}

StreamWriter::StreamWriter(std::shared_ptr<ResponderState> state)
    : d(std::move(state))
{}

StreamWriter::~StreamWriter()
{
    finish();
}

void StreamWriter::write(const QByteArray &bytes)
{
    if (m_finished || !d->streaming || !d->connection || bytes.isEmpty()) {
        return;
    }
    d->responseBytes += bytes.size();
    d->connection->write(d->slot, chunk(bytes), false);
}

void StreamWriter::finish()
{
    if (m_finished || !d->streaming) {
        return;
    }
    m_finished = true;
    if (HttpConnection *connection = d->connection) {
        connection->write(d->slot, "0\r\n\r\n"_ba, true);
        connection->setStreaming(false);
    }
    if (d->server) {
        d->server->recordFinished(*d);
    }
}

bool StreamWriter::isConnected() const
{
    return !m_finished && !d->connection.isNull();
}

} // namespace Gestalt
