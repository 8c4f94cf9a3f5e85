// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QTcpSocket>

namespace Gestalt::Test {

struct RawResponse
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    [[nodiscard]] bool hasHeader(const QByteArray &name) const;
};

// A byte-exact HTTP/1.1 client for testing the server's framing: pipelining, partial writes,
// oversize heads and bodies, HEAD, Connection: close. It waits by running the event loop, so an
// in-process server keeps serving.
class RawHttpClient final
{
public:
    explicit RawHttpClient(quint16 port);

    [[nodiscard]] bool isConnected() const;
    void send(const QByteArray &bytes);
    // Parses up to `count` responses (1xx interim responses count too); `noBody` marks responses
    // to HEAD requests by index. Stops early when the server closes or after timeoutMs.
    [[nodiscard]] QList<RawResponse>
    read(int count, int timeoutMs = 5000, const QList<int> &noBody = {});
    [[nodiscard]] bool waitForClosed(int timeoutMs = 5000);
    [[nodiscard]] QByteArray unparsed() const { return m_buffer; }

private:
    bool parseOne(bool noBody, RawResponse *out);
    QTcpSocket m_socket;
    QByteArray m_buffer;
    bool m_closed = false;
};

// One request on a fresh connection: the usual case in tests.
[[nodiscard]] RawResponse rawRequest(quint16 port, const QByteArray &bytes, int timeoutMs = 5000);

} // namespace Gestalt::Test
