// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/RequestPolicy.h"

#include "http/HttpRequest.h"

#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// The media type of a Content-Type value: before any parameter, trimmed, lower-case.
QByteArray mediaType(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
}

bool isJsonType(const QByteArray &type)
{
    return type == "application/json"_ba
           || (type.startsWith("application/"_ba) && type.endsWith("+json"_ba));
}

bool isFormType(const QByteArray &type)
{
    return type == "application/x-www-form-urlencoded"_ba;
}

bool isYamlType(const QByteArray &type)
{
    return type == "application/yaml"_ba || type == "application/x-yaml"_ba
           || type == "text/yaml"_ba || type == "text/x-yaml"_ba;
}

// One X-Forwarded-For entry as an address; null unless it is an IPv6 address or a dotted quad
// (Qt also takes the short inet_aton spellings "127.1" and "2130706433", and ports are not
// part of the format).
QHostAddress forwardedHop(const QByteArray &entry)
{
    const QString text = QString::fromLatin1(entry.trimmed());
    if (text.isEmpty() || text.size() > 64) {
        return {};
    }
    if (!text.contains(u':')) {
        const QList<QStringView> parts = QStringView(text).split(u'.');
        if (parts.size() != 4) {
            return {};
        }
        for (const QStringView part : parts) {
            if (part.isEmpty() || part.size() > 3
                || std::any_of(
                    part.begin(), part.end(), [](QChar c) { return c < u'0' || c > u'9'; })) {
                return {};
            }
        }
    }
    return QHostAddress(text);
}

bool inSubnets(const QHostAddress &address, const QList<Subnet> &subnets)
{
    // An IPv4 peer may arrive as ::ffff:a.b.c.d on a dual-stack socket.
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    const QHostAddress plain = isV4 ? QHostAddress(v4) : address;
    for (const Subnet &subnet : subnets) {
        if (plain.isInSubnet(subnet)) {
            return true;
        }
    }
    return false;
}

} // namespace

QString RequestPolicy::hostOf(const QString &authority)
{
    const QUrl url(u"http://"_s + authority);
    if (!url.isValid() || url.host().isEmpty() || !url.path().isEmpty()
        || !url.userName().isEmpty()) {
        return {};
    }
    return url.host(QUrl::FullyEncoded).toLower();
}

QString RequestPolicy::originOf(const QString &url)
{
    const QUrl parsed(url);
    if (!parsed.isValid() || parsed.host().isEmpty()) {
        return {};
    }
    const QString scheme = parsed.scheme().toLower();
    QString host = parsed.host(QUrl::FullyEncoded).toLower();
    if (host.contains(u':')) {
        host = u'[' + host + u']';
    }
    const int defaultPort = scheme == u"https"_s ? 443 : 80;
    const int port = parsed.port(defaultPort);
    return scheme + u"://"_s + host + (port == defaultPort ? QString() : u":%1"_s.arg(port));
}

bool RequestPolicy::isLoopbackHost(const QString &host)
{
    if (host == u"localhost"_s || host.endsWith(u".localhost"_s)) {
        return true;
    }
    QString literal = host;
    if (literal.startsWith(u'[') && literal.endsWith(u']')) {
        literal = literal.mid(1, literal.size() - 2);
    }
    const QHostAddress address(literal);
    return !address.isNull() && address.isLoopback();
}

Result<void> RequestPolicy::checkHost(const HttpRequest &request) const
{
    const QByteArray header = request.header("host"_ba);
    if (header.isEmpty()) {
        return {}; // HTTP/1.0 without Host: no browser sends that
    }
    const QString host = hostOf(QString::fromLatin1(header));
    if (isLoopbackHost(host) || (!host.isEmpty() && extraHosts.contains(host))) {
        return {};
    }
    return Error{ErrorCode::Forbidden,
                 u"this loopback listener answers only to loopback names and the hosts of "
                 "server.baseUrl and server.management.baseUrl, not to the Host the request "
                 "names"_s,
                 u"host_not_allowed"_s};
}

bool RequestPolicy::isCrossSite(const HttpRequest &request) const
{
    const QByteArray fetchSite = request.header("sec-fetch-site"_ba).trimmed().toLower();
    if (fetchSite == "cross-site"_ba) {
        return true;
    }
    const QByteArray origin = request.header("origin"_ba).trimmed();
    if (origin.isEmpty()) {
        // A sibling host's <img> or link sends no Origin: "same-site" is still another origin.
        return fetchSite == "same-site"_ba;
    }
    const QString originText = QString::fromLatin1(origin).toLower();
    if (originText == u"null"_s) {
        return true; // a sandboxed frame, a file: page or a redirect across sites
    }
    const QString normalized = originOf(originText);
    if (normalized.isEmpty()) {
        return true;
    }
    if (ownOrigins.contains(normalized)) {
        return false;
    }
    // The page's own origin: the same authority as the Host the browser sent it to.
    // Another port of the same host is another origin: a local service that reflects HTML
    // (httpbin's /base64) must not become a springboard.
    const QString hostHeader = QString::fromLatin1(request.header("host"_ba)).toLower();
    return normalized.section(u"://"_s, 1) != hostHeader;
}

QHostAddress RequestPolicy::clientAddress(const HttpRequest &request) const
{
    if (trustedProxies.isEmpty() || !inSubnets(request.remoteAddress, trustedProxies)) {
        return request.remoteAddress;
    }
    const QList<QByteArray> hops = request.header("x-forwarded-for"_ba).split(',');
    QHostAddress client = request.remoteAddress;
    for (qsizetype i = hops.size() - 1; i >= 0; --i) {
        const QHostAddress hop = forwardedHop(hops[i]);
        if (hop.isNull()) {
            break; // a malformed entry: believe nothing left of it
        }
        client = hop;
        if (!inSubnets(hop, trustedProxies)) {
            break;
        }
    }
    return client;
}

Result<void> RequestPolicy::checkBodyType(const HttpRequest &request, RouteBody body)
{
    if (request.body.isEmpty() || body == RouteBody::Any) {
        return {};
    }
    const QByteArray type = mediaType(request.header("content-type"_ba));
    switch (body) {
    case RouteBody::Json:
        if (isJsonType(type)) {
            return {};
        }
        return Error{ErrorCode::UnsupportedMediaType,
                     u"this route takes a JSON body: send Content-Type: application/json"_s};
    case RouteBody::Form:
        if (isFormType(type) || isJsonType(type)) {
            return {};
        }
        return Error{ErrorCode::UnsupportedMediaType,
                     u"this route takes a form: send Content-Type: "
                     "application/x-www-form-urlencoded"_s};
    case RouteBody::Yaml:
        if (isYamlType(type)) {
            return {};
        }
        return Error{ErrorCode::UnsupportedMediaType,
                     u"this route takes YAML: send Content-Type: application/yaml"_s};
    case RouteBody::Any:
        break;
    }
    return {};
}

QString escapeForLog(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u == 0x7f || u == u'\\' || u == 0x2028 || u == 0x2029 || u == 0x85) {
            out += u"\\x%1"_s.arg(int(u), 2, 16, QChar(u'0'));
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace Gestalt
