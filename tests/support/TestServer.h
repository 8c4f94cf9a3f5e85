// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/Application.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QTemporaryDir>

#include <memory>

namespace Gestalt::Test {

struct HttpReply
{
    int status = 0;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;

    [[nodiscard]] QJsonDocument json() const { return QJsonDocument::fromJson(body); }
    [[nodiscard]] QString error() const { return json()[QLatin1String("error")].toString(); }
    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    // For a JSON array of objects: the one whose "name" is `name`, else an empty object.
    [[nodiscard]] QJsonObject itemNamed(const QString &name) const;
};

// The real Application on port 0, configured from YAML exactly as gestaltd is, against a fresh
// SQLite file or PostgreSQL database. Talks real HTTP through QNetworkAccessManager, never
// follows redirects and keeps no cookies.
class TestServer final
{
public:
    // extraYaml is appended to a minimal valid config (apiVersion, listener, key, datastore);
    // overrideYaml, when given, is a second config file merged over the first.
    explicit TestServer(QString backend, QString extraYaml = {}, QString overrideYaml = {});
    ~TestServer();

    // Before start(): the time source of the Application (default: the system clock).
    void setClock(Clock clock) { m_clock = std::move(clock); }
    // Before start(): use the datastore of another server (a second replica, or a restart on
    // the same database) instead of a fresh one.
    void shareDatastoreOf(const TestServer &other) { m_dsn = other.m_dsn; }
    // Stops and destroys the Application without a graceful shutdown (as a crash would leave
    // the database); start() builds a new one on the same datastore.
    void kill() { m_app.reset(); }

    // Loads the config, creates and starts the application. On failure errorString() says why.
    [[nodiscard]] bool start();
    [[nodiscard]] const QString &errorString() const { return m_error; }
    [[nodiscard]] Application &app() { return *m_app; }
    [[nodiscard]] QString configPath() const;

    [[nodiscard]] quint16 port() const { return m_app->publicPort(); }
    [[nodiscard]] std::optional<quint16> managementPort() const { return m_app->managementPort(); }

    // How long request() waits for an answer (default 15 s): a test whose server does much work
    // in the same process on a loaded machine may give it longer (ctest's timeout still holds).
    void setRequestTimeoutMs(int ms) { m_requestTimeoutMs = ms; }

    using Headers = QList<std::pair<QByteArray, QByteArray>>;
    [[nodiscard]] HttpReply request(const QByteArray &method,
                                    const QString &path,
                                    const QByteArray &body = {},
                                    const Headers &headers = {},
                                    std::optional<quint16> port = {});
    [[nodiscard]] HttpReply get(const QString &path, const Headers &headers = {})
    {
        return request("GET", path, {}, headers);
    }
    [[nodiscard]] HttpReply
    post(const QString &path, const QByteArray &body, const Headers &headers = {})
    {
        return request("POST", path, body, headers);
    }
    [[nodiscard]] HttpReply del(const QString &path, const Headers &headers = {})
    {
        return request("DELETE", path, {}, headers);
    }

    [[nodiscard]] static Headers bearer(const QString &token);
    // An override turning login on with an OIDC provider that is never reached: sessions come
    // from sessionFor(). Its discovery logs the warning "OIDC provider sso - discovery failed".
    [[nodiscard]] static QString unreachableLoginYaml();
    [[nodiscard]] static Headers cookie(const QString &name, const QString &value);

    // A user (created when missing) and an API token for them, written straight to the store:
    // unscoped by default; `expiresAt` in the past makes an expired one.
    struct TestUser
    {
        QString id;
        QString subjectId; // user:<id>
        QString email;
        QString token; // plaintext gst_api_...
        QString tokenId;
    };
    [[nodiscard]] TestUser user(const QString &email,
                                const QString &scopes = {},
                                const QJsonArray &permissions = {},
                                std::optional<QDateTime> expiresAt = {});
    // A token owned by the managed subject service_account:<id> (the subject row is not needed).
    [[nodiscard]] QString subjectToken(const QString &id);
    // A valid session_token value for the user (login must be configured).
    [[nodiscard]] QString sessionFor(const TestUser &user);

private:
    [[nodiscard]] bool writeFile(const QString &path, const QString &text);

    QString m_backend;
    QString m_dsn; // set by the first start() (or shareDatastoreOf())
    Clock m_clock = systemClock();
    QString m_extraYaml;
    QString m_overrideYaml;
    QTemporaryDir m_dir;
    QString m_error;
    std::unique_ptr<Application> m_app;
    QNetworkAccessManager m_network;
    int m_requestTimeoutMs = 15000;
};

} // namespace Gestalt::Test
