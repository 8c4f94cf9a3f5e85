// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QProcess>
#include <QString>

namespace Gestalt::Test {

// Debian's httpbin (package python3-httpbin) as a real upstream HTTP API for tests:
//   /anything echoes method, query, headers and JSON body; /headers the request headers;
//   /status/N answers N; /delay/N answers after N seconds (at most 10); /redirect-to?url=U&
//   status_code=N redirects. The server is threaded, so slow calls do not hold up others.
//
// Usage:
//   HttpbinProcess httpbin;
//   if (!httpbin.start())
//       QSKIP or QFAIL with httpbin.errorString();
//   const QString url = httpbin.baseUrl() + u"/anything"_s;
//
// start() picks a free loopback port, runs `/usr/bin/python3 -m httpbin.core --host 127.0.0.1
// --port N` (Debian's interpreter: a python3 earlier on PATH may lack the module) and waits,
// bounded, until GET /get answers. It runs the event loop while waiting. The destructor stops the
// process. One instance per test case (initTestCase) is plenty: starting takes about a second.
class HttpbinProcess final
{
public:
    HttpbinProcess() = default;
    ~HttpbinProcess();
    HttpbinProcess(const HttpbinProcess &) = delete;
    HttpbinProcess &operator=(const HttpbinProcess &) = delete;

    // False with errorString() set when httpbin is not installed or did not come up in time.
    [[nodiscard]] bool start(int timeoutMs = 20000);
    void stop();

    [[nodiscard]] bool isRunning() const { return m_process.state() == QProcess::Running; }
    [[nodiscard]] const QString &errorString() const { return m_error; }
    [[nodiscard]] quint16 port() const { return m_port; }
    // "http://127.0.0.1:<port>" (no trailing slash); empty before a successful start().
    [[nodiscard]] QString baseUrl() const;

    static constexpr auto NotInstalled = "python3-httpbin is not installed "
                                         "(apt-get install python3-httpbin)";

private:
    enum class Attempt {
        Ready,
        PortTaken,
        Failed
    };
    [[nodiscard]] Attempt tryStart(quint16 port, int timeoutMs);
    [[nodiscard]] bool answers(int timeoutMs);

    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace Gestalt::Test
