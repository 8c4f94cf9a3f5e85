// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/RequestBuilder.h"

#include "catalog/AppConnections.h"
#include "core/HttpGrammar.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;
using QueryList = QList<std::pair<QString, QString>>;

// The OpenAPI convention for a non-object request body: one parameter that is the whole body.
bool isWholeBody(const OperationParameter &p)
{
    return p.location == u"body" && p.name == u"body" && p.wireName.isEmpty();
}

QString wireNameOf(const OperationParameter &p)
{
    return p.wireName.isEmpty() ? p.name : p.wireName;
}

bool isBodyMethod(const QString &method)
{
    return method == u"POST" || method == u"PUT" || method == u"PATCH";
}

bool undeclaredGoToQuery(const QString &method)
{
    return method == u"GET" || method == u"DELETE" || method == u"HEAD";
}

// Compact JSON text of any value, scalars included (QJsonDocument only takes objects/arrays).
QByteArray jsonText(const QJsonValue &value)
{
    if (value.isObject()) {
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    }
    if (value.isArray()) {
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    }
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

// A value as text on the wire: scalars as their JSON text without quotes, objects and arrays as
// JSON. Null has no text (the caller leaves the key out).
std::optional<QString> scalarText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return std::nullopt;
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (d == static_cast<double>(static_cast<qint64>(d)) && qAbs(d) < 9.0e15) {
            return QString::number(static_cast<qint64>(d));
        }
        return QString::number(d, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Array:
    case QJsonValue::Object:
        return QString::fromUtf8(jsonText(value));
    }
    return std::nullopt;
}

// Query entries for one value: arrays become repeated keys, null is left out.
void appendQuery(QueryList &query, const QString &key, const QJsonValue &value)
{
    if (value.isArray()) {
        for (const auto &item : value.toArray()) {
            if (const std::optional<QString> text = scalarText(item)) {
                query.append({key, *text});
            }
        }
        return;
    }
    if (const std::optional<QString> text = scalarText(value)) {
        query.append({key, *text});
    }
}

Result<void> checkHeader(const QByteArray &name, const QByteArray &value)
{
    if (!isHttpToken(name)) {
        return Error::invalid(u"invalid header name \"%1\""_s.arg(QString::fromUtf8(name)));
    }
    // Never echo the value: it may be a credential.
    if (value.contains('\r') || value.contains('\n') || value.contains('\0')) {
        return Error::invalid(u"invalid value for header \"%1\""_s.arg(QString::fromUtf8(name)));
    }
    return {};
}

// Sets a header, replacing any earlier one of the same name (case-insensitive).
void setHeader(HeaderList &headers, const QByteArray &name, const QByteArray &value)
{
    headers.removeIf([&name](const std::pair<QByteArray, QByteArray> &h) {
        return h.first.compare(name, Qt::CaseInsensitive) == 0;
    });
    headers.append({name, value});
}

bool isHex(QChar c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

// Percent-encodes only what a URL path cannot hold as written: '/' stays '/', and an existing
// %XX escape is kept; a stray '%' is encoded.
QByteArray encodePathText(const QString &text)
{
    static const QByteArray keep = "/!$&'()*+,;=:@~-._"_ba;
    QByteArray out;
    qsizetype i = 0;
    while (i < text.size()) {
        const qsizetype percent = text.indexOf(u'%', i);
        const qsizetype end = percent < 0 ? text.size() : percent;
        out += QUrl::toPercentEncoding(text.mid(i, end - i), keep);
        if (percent < 0) {
            break;
        }
        const bool escape =
            percent + 2 < text.size() && isHex(text.at(percent + 1)) && isHex(text.at(percent + 2));
        out += escape ? "%"_ba : "%25"_ba;
        i = percent + 1;
    }
    return out;
}

// A caller's value as one path segment: only unreserved bytes stay as they are.
QByteArray encodeSegment(const QString &value)
{
    return QUrl::toPercentEncoding(value);
}

// Whether percent-decoding `text` (as often as it decodes) turns an escape into '.', '/' or a
// backslash: "%2e%2e", "%2F", "%5c", "%252e".
bool hidesSeparator(QByteArray text)
{
    while (text.contains('%')) {
        const QByteArray decoded = QByteArray::fromPercentEncoding(text);
        if (decoded == text) {
            break;
        }
        for (const char c : {'.', '/', '\\'}) {
            if (decoded.count(c) > text.count(c)) {
                return true;
            }
        }
        text = decoded;
    }
    return false;
}

// A path value must stay one segment even for an upstream (or a proxy before it) that decodes
// %2F to '/' and then resolves dot segments: no hidden separators, no "." or ".." part.
Result<void> checkPathValue(const QString &name, const QString &value)
{
    const QByteArray text = value.toUtf8();
    if (hidesSeparator(text)) {
        return Error::invalid(u"invalid path parameter \"%1\": it must not hold a "
                              "percent-encoded \".\", \"/\" or \"\\\""_s.arg(name));
    }
    if (UpstreamRequest::hasDotPart(text)) {
        return Error::invalid(u"invalid path parameter \"%1\": it must not make a \".\" or "
                              "\"..\" path segment"_s.arg(name));
    }
    return {};
}

QByteArray encodeQuery(const QueryList &query)
{
    QByteArray out;
    for (const auto &[key, value] : query) {
        if (!out.isEmpty()) {
            out += '&';
        }
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

// Fills {name} placeholders from the body bucket (removing what it uses), each value encoded
// as one segment (or part of one).
Result<QByteArray>
fillPath(const QString &path, QJsonObject &bucket, const QMap<QString, QString> &exposedByWire)
{
    QByteArray out;
    qsizetype i = 0;
    while (i < path.size()) {
        const qsizetype open = path.indexOf(u'{', i);
        const qsizetype close = open < 0 ? -1 : path.indexOf(u'}', open + 1);
        if (open < 0 || close < 0) {
            out += encodePathText(path.mid(i));
            break;
        }
        out += encodePathText(path.mid(i, open - i));
        const QString key = path.mid(open + 1, close - open - 1);
        const QString name = exposedByWire.value(key, key);
        const std::optional<QString> text = scalarText(bucket.value(key));
        if (!text || text->isEmpty()) {
            return Error::invalid(u"missing required path parameter \"%1\""_s.arg(name));
        }
        if (Result<void> ok = checkPathValue(name, *text); !ok) {
            return ok.error();
        }
        bucket.remove(key);
        out += encodeSegment(*text);
        i = close + 1;
    }
    if (!out.startsWith('/') && !out.isEmpty()) {
        out.prepend('/');
    }
    // Values side by side ("{a}{b}") can still make one.
    if (UpstreamRequest::hasDotSegment(out)) {
        return Error::invalid(u"invalid path: it must not have a \".\" or \"..\" segment"_s);
    }
    return out;
}

Result<QUrl> joinUrl(const QString &baseUrl, const QByteArray &path, const QueryList &query)
{
    const QUrl base(baseUrl, QUrl::TolerantMode);
    if (!base.isValid() || base.host().isEmpty()
        || (base.scheme() != u"http" && base.scheme() != u"https")) {
        return Error::invalid(u"the app's base URL is not a valid http(s) URL"_s);
    }
    QByteArray text = base.toEncoded(QUrl::RemoveQuery | QUrl::RemoveFragment);
    while (text.endsWith('/')) {
        text.chop(1);
    }
    text += path;
    QByteArray queryText = base.query(QUrl::FullyEncoded).toUtf8();
    const QByteArray extra = encodeQuery(query);
    if (!queryText.isEmpty() && !extra.isEmpty()) {
        queryText += '&';
    }
    queryText += extra;
    if (!queryText.isEmpty()) {
        text += '?' + queryText;
    }
    QUrl url = QUrl::fromEncoded(text, QUrl::StrictMode);
    if (!url.isValid()) {
        return Error::invalid(u"the operation's path does not make a valid URL"_s);
    }
    return url;
}

QByteArray basicValue(const QString &userAndPassword)
{
    return "Basic "_ba + userAndPassword.toUtf8().toBase64();
}

// The credential's named fields (authMapping): the stored credential is a JSON object.
QString credentialField(const QJsonObject &fields, const QString &name)
{
    return scalarText(fields.value(name)).value_or(QString());
}

QString mappedValue(const MappedValue &mapped, const QJsonObject &fields)
{
    return mapped.isFromCredential() ? credentialField(fields, mapped.credentialField)
                                     : mapped.value;
}

// The headers the credential adds (they override app headers and header params).
HeaderList credentialHeaders(const AuthConfig &auth, const CredentialMaterial &credential)
{
    HeaderList headers;
    const AuthMapping &mapping = auth.authMapping;
    if (!mapping.headers.isEmpty() || mapping.basic) {
        const QJsonObject fields = QJsonDocument::fromJson(credential.token.toUtf8()).object();
        for (auto it = mapping.headers.cbegin(); it != mapping.headers.cend(); ++it) {
            const QString value = mappedValue(it.value(), fields);
            if (!value.isEmpty()) {
                headers.append({it.key().toUtf8(), value.toUtf8()});
            }
        }
        if (mapping.basic) {
            const QString user = mappedValue(mapping.basic->username, fields);
            const QString password = mappedValue(mapping.basic->password, fields);
            if (!user.isEmpty() || !password.isEmpty()) {
                headers.append({"Authorization"_ba, basicValue(user + u':' + password)});
            }
        }
        return headers;
    }

    const QString &token = credential.token;
    if (token.isEmpty()) {
        return headers;
    }
    if (!auth.authHeader.isEmpty()) {
        headers.append({auth.authHeader.toUtf8(), (auth.tokenPrefix + token).toUtf8()});
    } else if (!auth.tokenPrefix.isEmpty()) {
        headers.append({"Authorization"_ba, (auth.tokenPrefix + token).toUtf8()});
    } else if (auth.authStyle == u"raw") {
        headers.append({"Authorization"_ba, token.toUtf8()});
    } else if (auth.authStyle == u"basic") {
        headers.append(
            {"Authorization"_ba, basicValue(token.contains(u':') ? token : token + u':')});
    } else {
        headers.append({"Authorization"_ba, "Bearer "_ba + token.toUtf8()});
    }
    return headers;
}

// Where the caller's parameters go (step 1), filled in by sortDeclared() and sortUndeclared().
struct Sorted
{
    QueryList query;
    HeaderList headerParams;
    QJsonObject bucket; // path and body params by wire name
    std::optional<QJsonValue> wholeBody;
    QMap<QString, QString> exposedByWire;
};

// 1. Declared parameters, in declaration order.
Result<void> sortDeclared(const Operation &operation, const QJsonObject &params, Sorted &out)
{
    for (const OperationParameter &p : operation.parameters) {
        const QString wire = wireNameOf(p);
        out.exposedByWire.insert(wire, p.name);
        const bool given = params.contains(p.name);
        if (p.internal) {
            if (given) {
                return Error::invalid(
                    u"parameter \"%1\" cannot be set by the caller"_s.arg(p.name));
            }
            continue; // internal parameters never reach the upstream from here
        }
        QJsonValue value = params.value(p.name);
        if (!given && !p.defaultValue.isUndefined()) {
            value = p.defaultValue;
        }
        if (value.isUndefined()) {
            if (p.required) {
                return Error::invalid(p.location == u"path"
                                          ? u"missing required path parameter \"%1\""_s.arg(p.name)
                                          : u"missing required parameter \"%1\""_s.arg(p.name));
            }
            continue;
        }
        if (p.location == u"query") {
            appendQuery(out.query, wire, value);
        } else if (p.location == u"header") {
            if (const std::optional<QString> text = scalarText(value)) {
                out.headerParams.append({wire.toUtf8(), text->toUtf8()});
            }
        } else if (isWholeBody(p)) {
            out.wholeBody = value;
        } else if (p.location == u"path" || p.location == u"body") {
            out.bucket.insert(wire, value);
        }
        // Declared without `in` (or an unknown one): dropped.
    }
    return {};
}

// 1. Undeclared parameters go by their own name. One spelled like a declared parameter's wire
// name must not smuggle in an internal value, nor double a declared one.
Result<void> sortUndeclared(const Operation &operation,
                            const QJsonObject &params,
                            const QString &method,
                            Sorted &out)
{
    const bool undeclaredInQuery = undeclaredGoToQuery(method);
    for (auto it = params.constBegin(); it != params.constEnd(); ++it) {
        if (operation.parameter(it.key()) != nullptr) {
            continue;
        }
        if (const auto declared = std::find_if(
                operation.parameters.cbegin(),
                operation.parameters.cend(),
                [&it](const OperationParameter &p) { return wireNameOf(p) == it.key(); });
            declared != operation.parameters.cend()) {
            if (declared->internal) {
                return Error::invalid(
                    u"parameter \"%1\" cannot be set by the caller"_s.arg(it.key()));
            }
            if (params.contains(declared->name) || !declared->defaultValue.isUndefined()) {
                continue; // the declared spelling wins
            }
        }
        if (undeclaredInQuery) {
            appendQuery(out.query, it.key(), it.value());
        } else {
            out.bucket.insert(it.key(), it.value());
        }
    }
    return {};
}

// 4. The rest of the body bucket: the JSON body of a body method (empty for none), else appended
// to the query.
Result<QByteArray> takeBody(const QString &method, Sorted &sorted)
{
    QJsonObject &bucket = sorted.bucket;
    std::optional<QJsonValue> &wholeBody = sorted.wholeBody;
    if (!isBodyMethod(method)) {
        if (wholeBody) {
            bucket.insert(u"body"_s, *wholeBody);
        }
        for (auto it = bucket.constBegin(); it != bucket.constEnd(); ++it) {
            appendQuery(sorted.query, it.key(), it.value());
        }
        return QByteArray();
    }
    if (!wholeBody) {
        if (!bucket.isEmpty() || method == u"POST") {
            return QJsonDocument(bucket).toJson(QJsonDocument::Compact);
        }
        return QByteArray();
    }
    if (!bucket.isEmpty() && !wholeBody->isObject()) {
        return Error::invalid(u"parameter \"%1\" cannot be sent with this request body"_s.arg(
            sorted.exposedByWire.value(bucket.begin().key(), bucket.begin().key())));
    }
    if (wholeBody->isObject()) {
        QJsonObject merged = wholeBody->toObject();
        for (auto it = bucket.constBegin(); it != bucket.constEnd(); ++it) {
            if (!merged.contains(it.key())) {
                merged.insert(it.key(), it.value());
            }
        }
        wholeBody = merged;
    }
    return jsonText(*wholeBody);
}

// 5. Headers: app headers, then header params, then the credential's.
Result<HeaderList> requestHeaders(const AppDefinition &app,
                                  const QMap<QString, QString> &connectionParams,
                                  const HeaderList &headerParams,
                                  bool hasBody,
                                  const AuthConfig *auth,
                                  const CredentialMaterial *credential)
{
    HeaderList headers;
    for (auto it = app.headers.cbegin(); it != app.headers.cend(); ++it) {
        setHeader(headers,
                  it.key().toUtf8(),
                  AppConnections::interpolate(it.value(), connectionParams).toUtf8());
    }
    for (const auto &[name, value] : headerParams) {
        setHeader(headers, name, value);
    }
    if (hasBody) {
        setHeader(headers, "Content-Type"_ba, "application/json; charset=utf-8"_ba);
    }
    if (auth && credential) {
        for (const auto &[name, value] : credentialHeaders(*auth, *credential)) {
            setHeader(headers, name, value);
        }
    }
    for (const auto &[name, value] : std::as_const(headers)) {
        if (Result<void> ok = checkHeader(name, value); !ok) {
            return ok.error();
        }
    }
    return headers;
}

} // namespace

Result<UpstreamRequest> RequestBuilder::build(const AppDefinition &app,
                                              const Operation &operation,
                                              const QJsonObject &params,
                                              const AuthConfig *auth,
                                              const CredentialMaterial *credential)
{
    UpstreamRequest request;
    request.method = operation.method.toUpper();
    const QMap<QString, QString> connectionParams =
        credential ? credential->params : QMap<QString, QString>();

    // 1. Declared, then undeclared parameters.
    Sorted sorted;
    if (Result<void> declared = sortDeclared(operation, params, sorted); !declared) {
        return declared.error();
    }
    if (Result<void> undeclared = sortUndeclared(operation, params, request.method, sorted);
        !undeclared) {
        return undeclared.error();
    }

    // 3. Path placeholders from the body bucket.
    Result<QByteArray> path = fillPath(operation.path, sorted.bucket, sorted.exposedByWire);
    if (!path) {
        return path.error();
    }

    // 4. The rest of the body bucket: JSON body or query.
    Result<QByteArray> body = takeBody(request.method, sorted);
    if (!body) {
        return body.error();
    }
    request.body = *body;

    // 2. + 4. The URL.
    Result<QUrl> url =
        joinUrl(AppConnections::interpolate(app.baseUrl, connectionParams), *path, sorted.query);
    if (!url) {
        return url.error();
    }
    request.url = *url;

    // 5. Headers.
    Result<HeaderList> headers = requestHeaders(
        app, connectionParams, sorted.headerParams, !request.body.isEmpty(), auth, credential);
    if (!headers) {
        return headers.error();
    }
    request.headers = std::move(*headers);
    return request;
}

} // namespace Gestalt
