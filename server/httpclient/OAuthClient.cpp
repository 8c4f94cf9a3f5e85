// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/OAuthClient.h"

#include "core/Logging.h"
#include "crypto/Base64.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "httpclient/UpstreamClient.h"
#include "shared/JsonParse.h"
#include "shared/JsonPath.h"

#include <QJsonDocument>
#include <QJsonValue>
#include <QRegularExpression>
#include <QUrlQuery>

#include <chrono>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr std::chrono::seconds kExchangeTimeout{30};
// Token responses are small; anything bigger is not one.
constexpr qint64 kMaxResponseBytes = OAuthClient::MaxResponseBytes;
// UpstreamClient's wording for a body over UpstreamOptions::maxBodyBytes.
const QString kUpstreamTooLarge = u"upstream response exceeds the size limit"_s;

Error exchangeFailed()
{
    return {ErrorCode::BadGateway, u"token exchange failed"_s, u"token_exchange_failed"_s};
}

Error responseTooLarge()
{
    return {ErrorCode::BadGateway,
            u"token response is larger than %1 bytes"_s.arg(kMaxResponseBytes),
            u"token_response_too_large"_s};
}

Error invalidGrant()
{
    return {ErrorCode::BadGateway,
            u"the authorization grant is invalid, expired or revoked"_s,
            u"invalid_grant"_s};
}

// "{param}" placeholders filled from the connection params.
QString interpolate(QString text, const QMap<QString, QString> &params)
{
    for (auto it = params.cbegin(); it != params.cend(); ++it) {
        text.replace(u'{' + it.key() + u'}', it.value());
    }
    return text;
}

QByteArray percentEncoded(const QString &text)
{
    return QUrl::toPercentEncoding(text);
}

// key=value&... with every byte outside the unreserved set percent-encoded.
QByteArray formEncode(const QList<std::pair<QString, QString>> &fields)
{
    QByteArray body;
    for (const auto &[key, value] : fields) {
        if (!body.isEmpty()) {
            body += '&';
        }
        body += percentEncoded(key) + '=' + percentEncoded(value);
    }
    return body;
}

// application/x-www-form-urlencoded → object of strings ('+' is a space there).
QJsonObject formDecode(const QByteArray &body)
{
    QByteArray text = body.trimmed();
    text.replace('+', "%20");
    QJsonObject object;
    const QList<QByteArray> pairs = text.split('&');
    for (const QByteArray &pair : pairs) {
        if (pair.isEmpty()) {
            continue;
        }
        const qsizetype equals = pair.indexOf('=');
        const QByteArray key = equals < 0 ? pair : pair.left(equals);
        const QByteArray value = equals < 0 ? QByteArray() : pair.mid(equals + 1);
        object.insert(QString::fromUtf8(QByteArray::fromPercentEncoding(key)),
                      QString::fromUtf8(QByteArray::fromPercentEncoding(value)));
    }
    return object;
}

std::optional<qint64> expiresIn(const QJsonValue &value)
{
    qint64 seconds = 0;
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (!std::isfinite(number)) {
            return std::nullopt;
        }
        seconds = static_cast<qint64>(std::llround(number));
    } else if (value.isString()) {
        bool ok = false;
        seconds = value.toString().trimmed().toLongLong(&ok);
        if (!ok) {
            return std::nullopt;
        }
    } else {
        return std::nullopt;
    }
    // 0 (or less) means "no expiry given", as golang.org/x/oauth2 reads it.
    return seconds > 0 ? std::optional<qint64>(seconds) : std::nullopt;
}

QString stringAt(const QJsonObject &object, const QString &key)
{
    const QJsonValue value = object.value(key);
    return value.isString() ? value.toString() : QString();
}

// An `error` code is a short token from a fixed vocabulary; anything else is not logged.
QString safeErrorCode(const QJsonObject &object)
{
    static const QRegularExpression token(u"^[A-Za-z0-9_.-]{1,64}$"_s);
    const QString code = stringAt(object, u"error"_s);
    return token.match(code).hasMatch() ? code : QString();
}

Result<OAuthTokens> parseResponse(const AuthConfig &auth,
                                  int status,
                                  const QString &contentType,
                                  const QByteArray &body)
{
    QJsonObject object;
    if (contentType.contains(u"application/x-www-form-urlencoded"_s, Qt::CaseInsensitive)) {
        object = formDecode(body);
    } else {
        object = parseJsonObject(body).value_or(QJsonObject());
    }
    const QString errorCode = safeErrorCode(object);
    if (errorCode == u"invalid_grant" && ((status >= 400 && status < 500) || status == 200)) {
        qCInfo(lcConnections).noquote()
            << "token endpoint answered HTTP" << status << "invalid_grant";
        return invalidGrant();
    }
    if (status != 200) {
        qCInfo(lcConnections).noquote() << "token endpoint answered HTTP" << status
                                        << (errorCode.isEmpty() ? u"(no error code)"_s : errorCode);
        return exchangeFailed();
    }
    const QString path = auth.accessTokenPath.isEmpty() ? u"access_token"_s : auth.accessTokenPath;
    const QJsonValue accessToken = jsonPathValue(object, path);
    if (!accessToken.isString() || accessToken.toString().isEmpty()) {
        qCInfo(lcConnections).noquote()
            << "token response has no access token at" << path
            << (errorCode.isEmpty() ? QString() : u"error "_s + errorCode);
        return exchangeFailed();
    }
    // A nested access token (Slack's authed_user.access_token) brings its siblings along.
    QJsonObject holder = object;
    if (const qsizetype dot = path.lastIndexOf(u'.'); dot > 0) {
        holder = jsonPathValue(object, path.left(dot)).toObject();
    }
    const auto field = [&](const QString &key) -> QJsonValue {
        const QJsonValue top = object.value(key);
        return top.isUndefined() || top.isNull() ? holder.value(key) : top;
    };

    OAuthTokens tokens;
    tokens.accessToken = accessToken.toString();
    tokens.refreshToken = field(u"refresh_token"_s).toString();
    tokens.tokenType = field(u"token_type"_s).toString();
    tokens.expiresInSeconds = expiresIn(field(u"expires_in"_s));
    tokens.raw = object;
    return tokens;
}

} // namespace

OAuthClient::OAuthClient(UpstreamClient &upstream, QObject *parent)
    : QObject(parent)
    , m_upstream(upstream)
{}

QString OAuthClient::newCodeVerifier()
{
    // 32 random bytes as base64url: 43 characters, all from [A-Za-z0-9-_].
    return Crypto::randomUrlToken(32);
}

QString OAuthClient::codeChallenge(const QString &verifier)
{
    return Crypto::base64UrlEncode(Crypto::sha256(verifier.toLatin1()));
}

QUrl OAuthClient::authorizationUrl(const AuthConfig &auth,
                                   const QString &redirectUri,
                                   const QString &state,
                                   const QStringList &scopes,
                                   const QString &codeVerifier,
                                   const QMap<QString, QString> &connectionParams)
{
    QUrl url(interpolate(auth.authorizationUrl, connectionParams));
    QList<std::pair<QString, QString>> fields;
    fields.append({u"client_id"_s, auth.clientId});
    fields.append({u"redirect_uri"_s, redirectUri});
    fields.append({u"response_type"_s, u"code"_s});
    fields.append({u"state"_s, state});
    const QStringList requested = scopes.isEmpty() ? auth.scopes : scopes;
    if (!requested.isEmpty()) {
        const QString param = auth.scopeParam.isEmpty() ? u"scope"_s : auth.scopeParam;
        fields.append({param, requested.join(auth.scopeSeparator)});
    }
    for (auto it = auth.authorizationParams.cbegin(); it != auth.authorizationParams.cend(); ++it) {
        fields.append({it.key(), it.value()});
    }
    if (!codeVerifier.isEmpty()) {
        fields.append({u"code_challenge"_s, codeChallenge(codeVerifier)});
        fields.append({u"code_challenge_method"_s, u"S256"_s});
    }
    // Keep a query the configured URL has, and append ours fully encoded.
    QByteArray query = url.query(QUrl::FullyEncoded).toLatin1();
    if (!query.isEmpty()) {
        query += '&';
    }
    query += formEncode(fields);
    url.setQuery(QString::fromLatin1(query), QUrl::StrictMode);
    return url;
}

void OAuthClient::exchangeCode(const AuthConfig &auth,
                               const QString &code,
                               const QString &redirectUri,
                               const QString &codeVerifier,
                               const QMap<QString, QString> &connectionParams,
                               const EgressPolicy &egress,
                               Callback callback)
{
    QList<std::pair<QString, QString>> fields;
    fields.append({u"grant_type"_s, u"authorization_code"_s});
    fields.append({u"code"_s, code});
    fields.append({u"redirect_uri"_s, redirectUri});
    if (!codeVerifier.isEmpty()) {
        fields.append({u"code_verifier"_s, codeVerifier});
    }
    for (auto it = auth.tokenParams.cbegin(); it != auth.tokenParams.cend(); ++it) {
        fields.append({it.key(), it.value()});
    }
    post(auth, connectionParams, egress, std::move(fields), std::move(callback));
}

void OAuthClient::refresh(const AuthConfig &auth,
                          const QString &refreshToken,
                          const QMap<QString, QString> &connectionParams,
                          const EgressPolicy &egress,
                          Callback callback)
{
    QList<std::pair<QString, QString>> fields;
    fields.append({u"grant_type"_s, u"refresh_token"_s});
    fields.append({u"refresh_token"_s, refreshToken});
    for (auto it = auth.refreshParams.cbegin(); it != auth.refreshParams.cend(); ++it) {
        fields.append({it.key(), it.value()});
    }
    post(auth, connectionParams, egress, std::move(fields), std::move(callback));
}

void OAuthClient::clientCredentials(const AuthConfig &auth,
                                    const EgressPolicy &egress,
                                    Callback callback)
{
    QList<std::pair<QString, QString>> fields;
    fields.append({u"grant_type"_s, u"client_credentials"_s});
    if (!auth.scopes.isEmpty()) {
        fields.append({auth.scopeParam.isEmpty() ? u"scope"_s : auth.scopeParam,
                       auth.scopes.join(auth.scopeSeparator)});
    }
    for (auto it = auth.tokenParams.cbegin(); it != auth.tokenParams.cend(); ++it) {
        fields.append({it.key(), it.value()});
    }
    post(auth, {}, egress, std::move(fields), std::move(callback));
}

Result<void> OAuthClient::checkEgress(const AuthConfig &auth,
                                      const QMap<QString, QString> &connectionParams,
                                      const EgressPolicy &egress)
{
    const QUrl url(interpolate(auth.tokenUrl, connectionParams), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()) {
        return {};
    }
    return egress.checkHost(url.host());
}

void OAuthClient::post(const AuthConfig &auth,
                       const QMap<QString, QString> &connectionParams,
                       const EgressPolicy &egress,
                       QList<std::pair<QString, QString>> fields,
                       Callback callback)
{
    const QUrl url(interpolate(auth.tokenUrl, connectionParams), QUrl::StrictMode);
    if (!url.isValid() || url.isRelative()
        || (url.scheme() != u"http" && url.scheme() != u"https")) {
        qCInfo(lcConnections).noquote() << "token URL is not an absolute http(s) URL";
        // Never call back inside the call.
        QMetaObject::invokeMethod(
            this,
            [callback = std::move(callback)] { callback(exchangeFailed()); },
            Qt::QueuedConnection);
        return;
    }

    UpstreamRequest request;
    request.method = u"POST"_s;
    request.url = url;
    request.headers.append(
        {"Accept"_ba,
         auth.acceptHeader.isEmpty() ? "application/json"_ba : auth.acceptHeader.toUtf8()});
    if (auth.clientAuth == ClientAuth::Header) {
        const QByteArray credentials =
            percentEncoded(auth.clientId) + ':' + percentEncoded(auth.clientSecret);
        request.headers.append(
            {"Authorization"_ba, "Basic "_ba + Crypto::base64Encode(credentials).toLatin1()});
    } else {
        if (!auth.clientId.isEmpty()) {
            fields.append({u"client_id"_s, auth.clientId});
        }
        if (!auth.clientSecret.isEmpty()) {
            fields.append({u"client_secret"_s, auth.clientSecret});
        }
    }
    if (auth.tokenExchange == TokenExchange::Json) {
        QJsonObject object;
        for (const auto &[key, value] : std::as_const(fields)) {
            object.insert(key, value);
        }
        request.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
        request.headers.append({"Content-Type"_ba, "application/json"_ba});
    } else {
        request.body = formEncode(fields);
        request.headers.append({"Content-Type"_ba, "application/x-www-form-urlencoded"_ba});
    }

    UpstreamOptions options;
    options.timeout = kExchangeTimeout;
    // The response parser refuses a declared length over the cap before reading the body, and a
    // streamed body as soon as it passes the cap; the connection is closed either way.
    options.maxBodyBytes = kMaxResponseBytes;
    options.egress = egress;
    // No redirects are followed: a 3xx comes back as a non-200 answer (a failed exchange).
    std::shared_ptr<UpstreamCall> call = m_upstream.send(
        request, options, [auth, callback = std::move(callback)](Result<UpstreamResponse> answer) {
            if (!answer) {
                const Error &error = answer.error();
                if (error.code == ErrorCode::Forbidden) {
                    // The egress policy refused the token URL's host: nothing was sent.
                    qCInfo(lcConnections).noquote() << "token request refused:" << error.message;
                    callback(error);
                    return;
                }
                if (error.message == kUpstreamTooLarge) {
                    qCInfo(lcConnections).noquote()
                        << "token response is larger than" << kMaxResponseBytes
                        << "bytes: refused while it arrived";
                    callback(responseTooLarge());
                    return;
                }
                qCInfo(lcConnections).noquote() << "token request failed:" << error.message;
                callback(exchangeFailed());
                return;
            }
            callback(parseResponse(
                auth, answer->status, QString::fromLatin1(answer->contentType), answer->body));
        });
    Q_UNUSED(call)
}

} // namespace Gestalt
