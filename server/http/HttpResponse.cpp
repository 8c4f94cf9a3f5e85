// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/HttpResponse.h"

#include <QJsonDocument>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {
const QByteArray jsonContentType = "application/json"_ba;
}

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    return text(status, QJsonDocument(object).toJson(QJsonDocument::Compact), jsonContentType);
}

HttpResponse HttpResponse::json(int status, const QJsonArray &array)
{
    return text(status, QJsonDocument(array).toJson(QJsonDocument::Compact), jsonContentType);
}

HttpResponse HttpResponse::text(int status, const QByteArray &body, const QByteArray &contentType)
{
    HttpResponse response;
    response.status = status;
    response.body = body;
    response.headers.append({"Content-Type"_ba, contentType});
    return response;
}

HttpResponse HttpResponse::noContent(int status)
{
    HttpResponse response;
    response.status = status;
    return response;
}

HttpResponse HttpResponse::redirect(int status, const QString &location)
{
    HttpResponse response = noContent(status);
    response.setHeader("Location"_ba, QUrl(location).toEncoded());
    response.setHeader("Cache-Control"_ba, "no-store"_ba);
    return response;
}

QString publicMessage(const Error &error)
{
    // Internal details stay in the log: the body of an internal error says only that, and an
    // unavailable datastore does not reveal its address or driver text.
    if (error.code == ErrorCode::Internal) {
        return u"internal error"_s;
    }
    QString datastore = u"datastore unavailable"_s;
    if (error.code == ErrorCode::Unavailable && error.message.startsWith(datastore)) {
        return datastore;
    }
    return error.message;
}

HttpResponse HttpResponse::fromError(const Error &error)
{
    const int status = httpStatusFor(error.code);
    QJsonObject body = error.code == ErrorCode::Internal ? QJsonObject() : error.details;
    body.insert(u"error"_s, publicMessage(error));
    if (!error.machineCode.isEmpty()) {
        body.insert(u"code"_s, error.machineCode);
    }
    if (error.retryAfterSeconds > 0) {
        body.insert(u"retryAfter"_s, error.retryAfterSeconds);
    }
    HttpResponse response = json(status, body);
    if (error.retryAfterSeconds > 0) {
        response.setHeader("Retry-After"_ba, QByteArray::number(error.retryAfterSeconds));
    }
    return response;
}

void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &[key, existing] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            existing = value;
            return;
        }
    }
    headers.append({name, value});
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

int httpStatusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return 400;
    case ErrorCode::Unauthenticated:
        return 401;
    case ErrorCode::Forbidden:
        return 403;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::MethodNotAllowed:
        return 405;
    case ErrorCode::RequestTimeout:
        return 408;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::Gone:
        return 410;
    case ErrorCode::LengthRequired:
        return 411;
    case ErrorCode::PreconditionFailed:
        return 412;
    case ErrorCode::PayloadTooLarge:
        return 413;
    case ErrorCode::UnsupportedMediaType:
        return 415;
    case ErrorCode::ExpectationFailed:
        return 417;
    case ErrorCode::TooManyRequests:
        return 429;
    case ErrorCode::HeadersTooLarge:
        return 431;
    case ErrorCode::Internal:
        return 500;
    case ErrorCode::NotImplemented:
        return 501;
    case ErrorCode::BadGateway:
        return 502;
    case ErrorCode::Unavailable:
        return 503;
    case ErrorCode::GatewayTimeout:
        return 504;
    }
    return 500;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue"_ba;
    case 200:
        return "OK"_ba;
    case 201:
        return "Created"_ba;
    case 202:
        return "Accepted"_ba;
    case 204:
        return "No Content"_ba;
    case 301:
        return "Moved Permanently"_ba;
    case 302:
        return "Found"_ba;
    case 303:
        return "See Other"_ba;
    case 304:
        return "Not Modified"_ba;
    case 307:
        return "Temporary Redirect"_ba;
    case 400:
        return "Bad Request"_ba;
    case 401:
        return "Unauthorized"_ba;
    case 403:
        return "Forbidden"_ba;
    case 404:
        return "Not Found"_ba;
    case 405:
        return "Method Not Allowed"_ba;
    case 408:
        return "Request Timeout"_ba;
    case 409:
        return "Conflict"_ba;
    case 410:
        return "Gone"_ba;
    case 411:
        return "Length Required"_ba;
    case 412:
        return "Precondition Failed"_ba;
    case 413:
        return "Content Too Large"_ba;
    case 415:
        return "Unsupported Media Type"_ba;
    case 417:
        return "Expectation Failed"_ba;
    case 429:
        return "Too Many Requests"_ba;
    case 431:
        return "Request Header Fields Too Large"_ba;
    case 500:
        return "Internal Server Error"_ba;
    case 501:
        return "Not Implemented"_ba;
    case 502:
        return "Bad Gateway"_ba;
    case 503:
        return "Service Unavailable"_ba;
    case 504:
        return "Gateway Timeout"_ba;
    default:
        return "Status"_ba;
    }
}

} // namespace Gestalt
