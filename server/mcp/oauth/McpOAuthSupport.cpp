// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/oauth/McpOAuthSupport.h"

#include "crypto/Base64.h"
#include "crypto/Hash.h"
#include "crypto/Sealer.h"
#include "http/HttpRequest.h"
#include "shared/JsonParse.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt::McpOAuth {

namespace {

constexpr int maxRedirectUriLength = 512;
constexpr qsizetype maxFormBytes = qsizetype{64} * 1024;
constexpr int minPkceLength = 43;
constexpr int maxPkceLength = 128;

bool isBase64UrlChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9')
           || u == u'-' || u == u'_';
}

bool isAllowedPrivateScheme(const QString &scheme)
{
    // Native clients that register a bare scheme of their own (RFC 8252 §7.1 asks for a
    // reverse domain name, which the dot rule covers).
    static const QStringList known{
        u"cursor"_s, u"vscode"_s, u"vscode-insiders"_s, u"windsurf"_s, u"claude"_s, u"zed"_s};
    return scheme.contains(u'.') || known.contains(scheme);
}

} // namespace

Error failure(const QString &oauthCode, const QString &description, ErrorCode code)
{
    return Error{code, description, oauthCode};
}

HttpResponse errorResponse(const Error &error)
{
    const bool oauth = !error.machineCode.isEmpty();
    const int status = oauth ? httpStatusFor(error.code) : 500;
    HttpResponse response = HttpResponse::json(
        status,
        QJsonObject{{u"error"_s, oauth ? error.machineCode : u"server_error"_s},
                    {u"error_description"_s, oauth ? error.message : u"internal error"_s}});
    setNoStore(response);
    if (status == 401) {
        response.setHeader("WWW-Authenticate"_ba, R"(Basic realm="gestalt")"_ba);
    }
    return response;
}

QJsonObject protectedResourceMetadata(const QString &base)
{
    return QJsonObject{{u"resource"_s, QString(base + u"/mcp"_s)},
                       {u"authorization_servers"_s, QJsonArray{base}},
                       {u"bearer_methods_supported"_s, QJsonArray{u"header"_s}},
                       {u"resource_name"_s, u"Gestalt"_s}};
}

QJsonObject authorizationServerMetadata(const QString &base)
{
    return QJsonObject{
        {u"issuer"_s, base},
        {u"authorization_endpoint"_s, QString(base + u"/oauth/authorize"_s)},
        {u"token_endpoint"_s, QString(base + u"/oauth/token"_s)},
        {u"registration_endpoint"_s, QString(base + u"/oauth/register"_s)},
        {u"response_types_supported"_s, QJsonArray{u"code"_s}},
        {u"response_modes_supported"_s, QJsonArray{u"query"_s}},
        {u"grant_types_supported"_s, QJsonArray{u"authorization_code"_s, u"refresh_token"_s}},
        {u"code_challenge_methods_supported"_s, QJsonArray{u"S256"_s}},
        {u"token_endpoint_auth_methods_supported"_s,
         QJsonArray{u"none"_s, u"client_secret_post"_s, u"client_secret_basic"_s}},
        {u"authorization_response_iss_parameter_supported"_s, true}};
}

void setNoStore(HttpResponse &response)
{
    response.setHeader("Cache-Control"_ba, "no-store"_ba);
    response.setHeader("Pragma"_ba, "no-cache"_ba);
}

HttpResponse redirect(const QString &location)
{
    HttpResponse response = HttpResponse::noContent(302);
    response.setHeader("Location"_ba, location.toUtf8());
    setNoStore(response);
    return response;
}

QString withQuery(const QString &uri, const QList<std::pair<QString, QString>> &params)
{
    QString out = uri;
    bool needsSeparator = !(out.endsWith(u'?') || out.endsWith(u'&'));
    QChar separator = out.contains(u'?') ? u'&' : u'?';
    for (const auto &[name, value] : params) {
        if (needsSeparator) {
            out.append(separator);
        }
        out.append(name);
        out.append(u'=');
        out.append(QString::fromLatin1(QUrl::toPercentEncoding(value)));
        needsSeparator = true;
        separator = u'&';
    }
    return out;
}

QString formDecode(const QByteArray &text)
{
    QByteArray spaced = text;
    spaced.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(spaced));
}

std::optional<QHash<QString, QString>> parseForm(const QByteArray &body)
{
    QHash<QString, QString> form;
    for (const QByteArray &pair : body.split('&')) {
        if (pair.isEmpty()) {
            continue;
        }
        const qsizetype eq = pair.indexOf('=');
        const QString name = formDecode(eq < 0 ? pair : pair.left(eq));
        const QString value = eq < 0 ? QString() : formDecode(pair.mid(eq + 1));
        if (form.contains(name)) {
            return std::nullopt;
        }
        form.insert(name, value);
    }
    return form;
}

Result<QHash<QString, QString>> readForm(const HttpRequest &request, const QString &what)
{
    const QByteArray type =
        request.header("content-type"_ba).split(';').constFirst().trimmed().toLower();
    if (type != "application/x-www-form-urlencoded"_ba) {
        return failure(u"invalid_request"_s,
                       what + u" must be application/x-www-form-urlencoded"_s);
    }
    if (request.body.size() > maxFormBytes) {
        return failure(u"invalid_request"_s, what + u" exceeds 64 KiB"_s);
    }
    std::optional<QHash<QString, QString>> form = parseForm(request.body);
    if (!form) {
        return failure(u"invalid_request"_s, u"parameters must not repeat"_s);
    }
    return std::move(*form);
}

bool isAllowedRedirectUri(const QString &uri)
{
    if (uri.isEmpty() || uri.size() > maxRedirectUriLength
        || std::any_of(uri.cbegin(), uri.cend(), [](QChar c) {
               return c.unicode() <= 0x20 || c.unicode() >= 0x7f || c == u'\\' || c == u'#';
           })) {
        return false;
    }
    const QUrl url(uri, QUrl::StrictMode);
    if (!url.isValid() || url.isRelative() || url.hasFragment() || !url.userInfo().isEmpty()) {
        return false;
    }
    const QString scheme = url.scheme().toLower();
    if (scheme == u"https"_s) {
        return !url.host().isEmpty();
    }
    if (scheme == u"http"_s) {
        const QString host = url.host().toLower();
        return host == u"127.0.0.1"_s || host == u"::1"_s || host == u"localhost"_s;
    }
    return isAllowedPrivateScheme(scheme);
}

bool isValidCodeChallenge(const QString &challenge)
{
    return challenge.size() >= minPkceLength && challenge.size() <= maxPkceLength
           && std::all_of(challenge.cbegin(), challenge.cend(), isBase64UrlChar);
}

bool isValidCodeVerifier(const QString &verifier)
{
    return verifier.size() >= minPkceLength && verifier.size() <= maxPkceLength
           && std::all_of(verifier.cbegin(), verifier.cend(), [](QChar c) {
                  return isBase64UrlChar(c) || c == u'.' || c == u'~';
              });
}

QString s256(const QString &verifier)
{
    return Crypto::base64UrlEncode(Crypto::sha256(verifier.toLatin1()));
}

QString sealBlob(const Crypto::Sealer &sealer,
                 const QString &prefix,
                 const QByteArray &associatedData,
                 const QJsonObject &claims)
{
    const QByteArray plaintext = QJsonDocument(claims).toJson(QJsonDocument::Compact);
    return prefix + Crypto::base64UrlEncode(sealer.seal(plaintext, associatedData));
}

std::optional<QJsonObject> openBlob(const Crypto::Sealer &sealer,
                                    const QString &blob,
                                    const QString &prefix,
                                    const QByteArray &associatedData,
                                    qint64 now)
{
    if (!blob.startsWith(prefix)) {
        return std::nullopt;
    }
    const std::optional<QByteArray> sealed =
        Crypto::base64UrlDecode(QStringView(blob).mid(prefix.size()));
    if (!sealed) {
        return std::nullopt;
    }
    const Result<QByteArray> plaintext = sealer.open(*sealed, associatedData);
    if (!plaintext) {
        return std::nullopt;
    }
    const std::optional<QJsonObject> parsed = parseJsonObject(*plaintext);
    if (!parsed) {
        return std::nullopt;
    }
    const QJsonObject &claims = *parsed;
    const QJsonValue exp = claims.value(u"exp"_s);
    if (!exp.isDouble() || now >= qint64(exp.toDouble())) {
        return std::nullopt;
    }
    return claims;
}

} // namespace Gestalt::McpOAuth
