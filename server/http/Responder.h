// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpResponse.h"

#include <memory>

namespace Gestalt {

struct ResponderState;
class StreamWriter;

// Answers one request, now or later (after an upstream replies). Copies share one state; the
// first send wins, later sends are ignored. If every copy is dropped without an answer the
// client gets a 500 and the log says so, so a request can never hang. When the client has gone
// away sending is a no-op: callers may check isConnected() to stop early.
class Responder final
{
public:
    explicit Responder(std::shared_ptr<ResponderState> state);

    void send(const HttpResponse &response) const;
    void sendError(const Error &error) const;
    // Starts a chunked stream (e.g. text/event-stream). The response is complete when the
    // returned writer is finished or destroyed.
    [[nodiscard]] std::shared_ptr<StreamWriter> startStream(int status,
                                                            const QByteArray &contentType) const;

    [[nodiscard]] bool isConnected() const;
    [[nodiscard]] bool isDone() const;
    [[nodiscard]] const QString &requestId() const;

private:
    std::shared_ptr<ResponderState> d;
};

// Writes a chunked response body piece by piece; finish() (or destruction) ends it.
class StreamWriter final
{
public:
    explicit StreamWriter(std::shared_ptr<ResponderState> state);
    ~StreamWriter();
    Q_DISABLE_COPY_MOVE(StreamWriter)

    void write(const QByteArray &bytes);
    void finish();
    [[nodiscard]] bool isConnected() const;

private:
    std::shared_ptr<ResponderState> d;
    bool m_finished = false;
};

} // namespace Gestalt
