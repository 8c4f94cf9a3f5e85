// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "api/ApiClient.h"

#include "Logging.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

QString ApiReply::errorMessage() const
{
    if (ok()) {
        return {};
    }
    if (!reached()) {
        return networkError;
    }
    QString message = json.object().value(u"error"_s).toString();
    if (!message.isEmpty()) {
        return message;
    }
    return QCoreApplication::translate("Gestalt::Console::ApiClient", "HTTP status %1").arg(status);
}

QByteArray ApiReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

ApiClient::ApiClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

ApiClient::~ApiClient() = default;

void ApiClient::setServer(const QUrl &baseUrl, const QString &token)
{
    ++m_generation;
    const auto replies = m_network->findChildren<QNetworkReply *>();
    for (QNetworkReply *reply : replies) {
        reply->abort();
    }
    QUrl base = baseUrl;
    QString path = base.path();
    while (path.endsWith(u'/')) {
        path.chop(1);
    }
    base.setPath(path);
    m_baseUrl = base;
    m_token = token;
    setServerVersion(QString());
    setState(base.isEmpty() ? State::Disconnected : State::Connecting);
}

void ApiClient::setServerVersion(const QString &version)
{
    if (version != m_serverVersion) {
        m_serverVersion = version;
        Q_EMIT serverVersionChanged(version);
    }
}

QString ApiClient::segment(const QString &value)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

void ApiClient::get(const QString &path, QObject *context, Callback callback)
{
    send("GET", path, {}, context, std::move(callback));
}

void ApiClient::put(const QString &path,
                    const QJsonDocument &body,
                    QObject *context,
                    Callback callback)
{
    send("PUT", path, body.toJson(QJsonDocument::Compact), context, std::move(callback));
}

void ApiClient::del(const QString &path, QObject *context, Callback callback)
{
    send("DELETE", path, {}, context, std::move(callback));
}

void ApiClient::send(const QByteArray &verb,
                     const QString &path,
                     const QByteArray &body,
                     QObject *context,
                     Callback callback)
{
    if (m_baseUrl.isEmpty()) {
        ApiReply reply;
        reply.networkError = tr("Not connected to a server.");
        if (callback) {
            callback(reply);
        }
        return;
    }
    QUrl url(m_baseUrl.toString() + path, QUrl::StrictMode);
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    request.setRawHeader("Accept", "application/json, text/plain;q=0.9");
    request.setRawHeader("User-Agent", "gestalt-console");
    if (!m_token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    }
    if (!body.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
    }
    QNetworkReply *reply = m_network->sendCustomRequest(request, verb, body);
    const QPointer<QObject> guard(context);
    const bool hadContext = context != nullptr;
    const quint64 generation = m_generation;
    connect(reply,
            &QNetworkReply::finished,
            this,
            [this, reply, guard, hadContext, generation, callback = std::move(callback)] {
                reply->deleteLater();
                if (generation != m_generation) {
                    return; // an answer of the server chosen before
                }
                finish(reply, guard, hadContext, callback);
            });
}

void ApiClient::finish(QNetworkReply *reply,
                       const QPointer<QObject> &context,
                       bool hadContext,
                       const Callback &callback)
{
    ApiReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    for (const auto &pair : reply->rawHeaderPairs()) {
        result.headers.append({pair.first, pair.second});
    }
    if (result.status == 0) {
        result.networkError = reply->error() == QNetworkReply::OperationCanceledError
                                  ? tr("The server did not answer in time.")
                                  : reply->errorString();
        qCDebug(lcConsoleApi,
                "api: unreachable: path=%s error=%d",
                qUtf8Printable(reply->url().path()),
                int(reply->error()));
        setState(State::Offline);
    } else {
        qCDebug(lcConsoleApi,
                "api: answer: path=%s status=%d",
                qUtf8Printable(reply->url().path()),
                result.status);
        setState(State::Online);
        QJsonParseError parseError{};
        const QJsonDocument json = QJsonDocument::fromJson(result.body, &parseError);
        if (parseError.error == QJsonParseError::NoError) {
            result.json = json;
        }
    }
    if (callback && (!hadContext || context)) {
        callback(result);
    }
}

void ApiClient::setState(State state)
{
    if (state != m_state) {
        qCDebug(lcConsoleApi, "api: state=%d", int(state));
        m_state = state;
        Q_EMIT stateChanged(state);
    }
}

} // namespace Gestalt::Console
