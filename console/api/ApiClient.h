// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace Gestalt::Console {

// One answer of the server, or why there was none.
struct ApiReply
{
    int status = 0; // 0: no HTTP answer (networkError says why)
    QByteArray body;
    QJsonDocument json;   // when the body is JSON
    QString networkError; // refused, timed out, TLS...: the server was not reached
    QList<std::pair<QByteArray, QByteArray>> headers;

    [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }
    [[nodiscard]] bool reached() const { return status != 0; }
    // What to tell the user: the server's {"error": ...} text, else the HTTP status, else the
    // network error. Empty for a success.
    [[nodiscard]] QString errorMessage() const;
    [[nodiscard]] QByteArray header(const QByteArray &name) const;
};

// The console's one way to the server: JSON over HTTP to the management listener (or the public
// one when it is not split), with the bearer token when there is one. Every call is asynchronous
// and answers once through its callback, on the GUI thread. It also keeps the connection state:
// Online after any HTTP answer, Offline after a failure to reach the server.
class ApiClient final : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Disconnected, // no server chosen
        Connecting,   // chosen, nothing answered yet
        Online,
        Offline, // the last call did not reach the server
    };
    Q_ENUM(State)

    using Callback = std::function<void(const ApiReply &)>;

    explicit ApiClient(QObject *parent = nullptr);
    ~ApiClient() override;
    Q_DISABLE_COPY_MOVE(ApiClient)

    // Chooses the server (calls in flight are aborted) or forgets it (an empty URL).
    void setServer(const QUrl &baseUrl, const QString &token);
    [[nodiscard]] QUrl baseUrl() const { return m_baseUrl; }
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] QString serverVersion() const { return m_serverVersion; }
    void setServerVersion(const QString &version);

    // path is absolute ("/admin/api/v1/...") and may carry a query. `context` cancels the
    // callback when it is destroyed first.
    void get(const QString &path, QObject *context, Callback callback);
    void put(const QString &path, const QJsonDocument &body, QObject *context, Callback callback);
    void del(const QString &path, QObject *context, Callback callback);

    // A path segment, percent-encoded ("user:a/b" → "user%3Aa%2Fb").
    [[nodiscard]] static QString segment(const QString &value);

Q_SIGNALS:
    void stateChanged(Gestalt::Console::ApiClient::State state);
    void serverVersionChanged(const QString &version);

private:
    void send(const QByteArray &verb,
              const QString &path,
              const QByteArray &body,
              QObject *context,
              Callback callback);
    void finish(QNetworkReply *reply,
                const QPointer<QObject> &context,
                bool hadContext,
                const Callback &callback);
    void setState(State state);

    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    QString m_token;
    State m_state = State::Disconnected;
    QString m_serverVersion;
    // Per call; a call that takes longer fails as a network error.
    static constexpr int timeoutMs = 15000;
    quint64 m_generation = 0; // bumped by setServer(): late answers of an old server are dropped
};

} // namespace Gestalt::Console
