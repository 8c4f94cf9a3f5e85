// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>

namespace Gestalt {

// Domain failures. server/http/ApiError.cpp is the one place that maps them to HTTP.
enum class ErrorCode {
    InvalidArgument,      // 400
    Unauthenticated,      // 401
    Forbidden,            // 403
    NotFound,             // 404
    MethodNotAllowed,     // 405
    RequestTimeout,       // 408
    Conflict,             // 409
    Gone,                 // 410
    LengthRequired,       // 411
    PreconditionFailed,   // 412
    PayloadTooLarge,      // 413
    UnsupportedMediaType, // 415
    ExpectationFailed,    // 417
    TooManyRequests,      // 429
    HeadersTooLarge,      // 431
    Internal,             // 500
    NotImplemented,       // 501
    BadGateway,           // 502
    Unavailable,          // 503
    GatewayTimeout,       // 504
};

struct Error
{
    ErrorCode code = ErrorCode::Internal;
    // Text for the caller. For Internal it is logged, never sent (the body says "internal error").
    QString message;
    // Optional machine code sent as "code" in the JSON body (e.g. "not_connected").
    QString machineCode = {};
    // TooManyRequests: seconds until a retry may succeed, sent as Retry-After (and "retryAfter"
    // in the body) when above 0.
    int retryAfterSeconds = 0;
    // More members of the JSON error body (e.g. "limit" naming the rate limit that was hit).
    // Never secrets: the caller sees them.
    QJsonObject details = {};

    static Error invalid(const QString &message) { return {ErrorCode::InvalidArgument, message}; }
    static Error notFound(const QString &message) { return {ErrorCode::NotFound, message}; }
    static Error unauthenticated(const QString &message)
    {
        return {ErrorCode::Unauthenticated, message};
    }
    static Error forbidden(const QString &message) { return {ErrorCode::Forbidden, message}; }
    static Error conflict(const QString &message) { return {ErrorCode::Conflict, message}; }
    static Error internal(const QString &detail) { return {ErrorCode::Internal, detail}; }
    static Error unavailable(const QString &message) { return {ErrorCode::Unavailable, message}; }
};

} // namespace Gestalt
