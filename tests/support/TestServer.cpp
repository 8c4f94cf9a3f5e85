// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "support/TestServer.h"

#include "app/ConfigChecks.h"
#include "config/ConfigLoader.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "identity/SessionTokens.h"
#include "identity/TokenRepository.h"
#include "identity/UserRepository.h"
#include "support/TestDatabase.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QNetworkReply>
#include <QTimer>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Gestalt::Test {

namespace {

QString dsnFor(const DatastoreSettings &settings)
{
    if (settings.dialect == DatastoreSettings::Dialect::Sqlite) {
        return u"sqlite://"_s + settings.sqlitePath;
    }
    return u"postgres://%1@/%2?host=%3"_s.arg(
        settings.pgUser, settings.pgDatabase, settings.pgHost);
}

} // namespace

QByteArray HttpReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

QJsonObject HttpReply::itemNamed(const QString &name) const
{
    for (const QJsonValue &item : json().array()) {
        if (item[QLatin1String("name")].toString() == name) {
            return item.toObject();
        }
    }
    return {};
}

TestServer::TestServer(QString backend, QString extraYaml, QString overrideYaml)
    : m_backend(std::move(backend))
    , m_extraYaml(std::move(extraYaml))
    , m_overrideYaml(std::move(overrideYaml))
{}

TestServer::~TestServer() = default;

QString TestServer::configPath() const
{
    return m_dir.filePath(u"config.yaml"_s);
}

bool TestServer::start()
{
    if (m_dsn.isEmpty()) {
        Result<DatastoreSettings> settings = TestDatabase::create(m_backend, m_dir);
        if (!settings) {
            m_error = settings.error().message;
            return false;
        }
        m_dsn = dsnFor(*settings);
    }
    const QString yaml =
        u"apiVersion: gestaltd.config/v5\n"
        "server:\n"
        "  public:\n"
        "    host: 127.0.0.1\n"
        "    port: 0\n"
        "  encryptionKey: \"0000000000000000000000000000000000000000000000000000000000000001\"\n"
        "providers:\n"
        "  indexeddb:\n"
        "    main:\n"
        "      config:\n"
        "        dsn: \"%1\"\n"_s.arg(m_dsn)
        + m_extraYaml;
    QStringList files{configPath()};
    if (!writeFile(configPath(), yaml)) {
        return false;
    }
    if (!m_overrideYaml.isEmpty()) {
        files.append(m_dir.filePath(u"override.yaml"_s));
        if (!writeFile(files.last(), u"apiVersion: gestaltd.config/v5\n"_s + m_overrideYaml)) {
            return false;
        }
    }
    ConfigLoader loader;
    addConfigChecks(loader);
    Result<Config> config = loader.load(files);
    if (!config) {
        m_error = config.error().message;
        return false;
    }
    Result<std::unique_ptr<Application>> app = Application::create(*config, m_clock);
    if (!app) {
        m_error = app.error().message;
        return false;
    }
    m_app = std::move(app).value();
    if (Result<void> started = m_app->start(); !started) {
        m_error = started.error().message;
        return false;
    }
    return true;
}

bool TestServer::writeFile(const QString &path, const QString &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0) {
        m_error = u"cannot write "_s + path;
        return false;
    }
    return true;
}

HttpReply TestServer::request(const QByteArray &method,
                              const QString &path,
                              const QByteArray &body,
                              const Headers &headers,
                              std::optional<quint16> port)
{
    QNetworkRequest request(
        QUrl(u"http://127.0.0.1:%1%2"_s.arg(port.value_or(this->port())).arg(path)));
    // Tests see what gestaltd answers, redirects included, and send only the cookies they name.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    if (!body.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    }
    for (const auto &[name, value] : headers) {
        request.setRawHeader(name, value);
    }
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(m_requestTimeoutMs, &loop, &QEventLoop::quit);
    if (!reply->isFinished()) {
        loop.exec();
    }
    HttpReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    for (const auto &pair : reply->rawHeaderPairs()) {
        result.headers.append({pair.first, pair.second});
    }
    reply->deleteLater();
    return result;
}

QString TestServer::unreachableLoginYaml()
{
    return uR"(
providers:
  authentication:
    sso:
      source: oidc
      config:
        issuerUrl: http://127.0.0.1:1
        clientId: gestalt
)"_s;
}

TestServer::Headers TestServer::bearer(const QString &token)
{
    return {{"Authorization"_ba, "Bearer "_ba + token.toUtf8()}};
}

TestServer::Headers TestServer::cookie(const QString &name, const QString &value)
{
    return {{"Cookie"_ba, name.toUtf8() + '=' + value.toUtf8()}};
}

TestServer::TestUser TestServer::user(const QString &email,
                                      const QString &scopes,
                                      const QJsonArray &permissions,
                                      std::optional<QDateTime> expiresAt)
{
    TestUser out;
    UserRepository users(m_app->database());
    Result<User> found = users.findOrCreateByEmail(email);
    if (!found) {
        qFatal("TestServer::user: %s", qPrintable(found.error().message));
    }
    out.id = found->id;
    out.subjectId = u"user:"_s + found->id;
    out.email = found->email;
    out.token = u"gst_api_"_s + Crypto::randomHex(32);
    ApiTokenRecord record;
    record.id = Crypto::uuidV4();
    record.ownerKind = u"user"_s;
    record.ownerId = found->id;
    record.credentialSubjectId = out.subjectId;
    record.name = u"test"_s;
    record.hashedToken = Crypto::sha256Hex(out.token.toUtf8());
    record.scopes = scopes;
    record.permissions = permissions;
    record.expiresAt = expiresAt;
    if (Result<void> inserted = TokenRepository(m_app->database()).insert(record); !inserted) {
        qFatal("TestServer::user: %s", qPrintable(inserted.error().message));
    }
    out.tokenId = record.id;
    return out;
}

QString TestServer::subjectToken(const QString &id)
{
    const QString token = u"gst_api_"_s + Crypto::randomHex(32);
    ApiTokenRecord record;
    record.id = Crypto::uuidV4();
    record.ownerKind = u"subject"_s;
    record.ownerId = id;
    record.credentialSubjectId = u"service_account:"_s + id;
    record.name = u"test"_s;
    record.hashedToken = Crypto::sha256Hex(token.toUtf8());
    if (Result<void> inserted = TokenRepository(m_app->database()).insert(record); !inserted) {
        qFatal("TestServer::subjectToken: %s", qPrintable(inserted.error().message));
    }
    return token;
}

QString TestServer::sessionFor(const TestUser &testUser)
{
    const SessionTokens *sessions = m_app->sessions();
    if (!sessions) {
        qFatal("TestServer::sessionFor: login is not configured");
    }
    User record;
    record.id = testUser.id;
    record.email = testUser.email;
    return sessions->issue(record);
}

} // namespace Gestalt::Test
