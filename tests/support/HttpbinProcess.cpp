// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "support/HttpbinProcess.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTcpServer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt::Test {

namespace {

const QString kPython = u"/usr/bin/python3"_s;

// A port nobody listens on right now. Another process may take it before httpbin binds it:
// start() then tries another one.
quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0)) {
        return 0;
    }
    return probe.serverPort();
}

// Runs the event loop for up to `ms`, or until `process` exits.
void waitBriefly(QProcess &process, int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

HttpbinProcess::~HttpbinProcess()
{
    stop();
}

QString HttpbinProcess::baseUrl() const
{
    return m_port == 0 ? QString() : u"http://127.0.0.1:%1"_s.arg(m_port);
}

bool HttpbinProcess::start(int timeoutMs)
{
    stop();
    m_error.clear();
    if (!QFileInfo(kPython).isExecutable()) {
        m_error = QString::fromLatin1(NotInstalled);
        return false;
    }
    const QDeadlineTimer deadline(timeoutMs);
    for (int attempt = 0; attempt < 3 && !deadline.hasExpired(); ++attempt) {
        const quint16 port = freeLoopbackPort();
        if (port == 0) {
            m_error = u"no free loopback port for httpbin"_s;
            return false;
        }
        switch (tryStart(port, int(deadline.remainingTime()))) {
        case Attempt::Ready:
            m_port = port;
            return true;
        case Attempt::PortTaken:
            continue;
        case Attempt::Failed:
            return false;
        }
    }
    if (m_error.isEmpty()) {
        m_error = u"httpbin did not start within %1 ms"_s.arg(timeoutMs);
    }
    return false;
}

HttpbinProcess::Attempt HttpbinProcess::tryStart(quint16 port, int timeoutMs)
{
    m_process.setProgram(kPython);
    m_process.setArguments({u"-m"_s,
                            u"httpbin.core"_s,
                            u"--host"_s,
                            u"127.0.0.1"_s,
                            u"--port"_s,
                            QString::number(port)});
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    QObject::disconnect(&m_process, &QProcess::readyReadStandardOutput, nullptr, nullptr);
    m_process.start();
    if (!m_process.waitForStarted(5000)) {
        m_error = u"cannot run %1: %2"_s.arg(kPython, m_process.errorString());
        return Attempt::Failed;
    }
    m_port = port;
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process.state() != QProcess::Running) {
            // It logs every request to stderr: keep reading only while starting up.
            const QString output = QString::fromUtf8(m_process.readAll());
            m_port = 0;
            if (output.contains(u"No module named"_s)) {
                m_error = QString::fromLatin1(NotInstalled);
                return Attempt::Failed;
            }
            if (output.contains(u"Address already in use"_s)) {
                return Attempt::PortTaken;
            }
            m_error = u"httpbin exited during start-up: %1"_s.arg(output.right(2000));
            return Attempt::Failed;
        }
        if (answers(int(qMin<qint64>(2000, deadline.remainingTime())))) {
            // Its request log is not needed: drop it instead of buffering it for the whole test.
            QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this] {
                m_process.readAll();
            });
            m_process.readAll();
            return Attempt::Ready;
        }
        waitBriefly(m_process, 100);
    }
    m_error = u"httpbin did not answer on port %1 within %2 ms"_s.arg(port).arg(timeoutMs);
    stop();
    return Attempt::Failed;
}

bool HttpbinProcess::answers(int timeoutMs)
{
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    QNetworkRequest request(QUrl(baseUrl() + u"/get"_s));
    request.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = network.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&m_process, &QProcess::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished()) {
        loop.exec();
    }
    const bool ok = reply->isFinished()
                    && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
    reply->abort();
    delete reply;
    return ok;
}

void HttpbinProcess::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(2000);
        }
    }
    m_port = 0;
}

} // namespace Gestalt::Test
