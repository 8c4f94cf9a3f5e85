// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/AppDefinition.h"
#include "catalog/Operation.h"
#include "config/ConnectionConfig.h"
#include "httpclient/UpstreamRequest.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QUrl>

namespace Gestalt {

// The caller's credential for the call: an OAuth access token or a manual credential (a string,
// or the JSON object text of named fields when auth uses authMapping), plus the connection
// params stored with it ({param} interpolation of base URL and headers).
struct CredentialMaterial
{
    QString token;
    QMap<QString, QString> params;
};

// Turns (app, operation, caller parameters, credential) into an upstream HTTP request, following
// gestalt-facts §1.9 exactly:
//  1. declared `in: query` → query; `in: header` → header; `in: path` / `in: body` → body bucket;
//     declared without `in` → dropped; internal params given by the caller → 400; undeclared →
//     query for GET/DELETE/HEAD, body for the others; the wire name is the key;
//  2. base URL and static headers get {key} interpolation from the credential params (unknown
//     placeholders stay as written);
//  3. {name} path placeholders are filled from the body bucket (removed from it); missing → 400
//     "missing required path parameter \"name\"". A value stays inside its one segment: every
//     byte but [A-Za-z0-9-._~] is percent-encoded ('/', '?', '#', '%', ';' and '\\' included).
//     400 "invalid path parameter \"name\": ..." for a value with a "." or ".." part between
//     slashes or backslashes ("..", "../admin") or one hiding '.', '/' or '\\' behind
//     percent-encoding ("%2e%2e", "%2F", "%252e"): an upstream, or a proxy before it, that
//     decodes %2F and resolves dot segments would be led to another path. Nothing is ever
//     normalised. (Go's gestalt inserts values unescaped, gestalt-facts §1.9.3: the traversal.)
//  4. POST/PUT/PATCH: the remaining body bucket as JSON with
//     Content-Type: application/json; charset=utf-8 (no body when empty and the method is not
//     POST); other methods: the remaining body bucket appended to the query;
//  5. credential injection by the auth block: bearer (default; omitted when the token is empty),
//     authStyle raw / basic, authHeader, tokenPrefix, authMapping.headers / authMapping.basic
//     from the credential's JSON fields; app headers and header params first, credential
//     headers override them.
// Scalars are sent as their JSON text without quotes (true, 3, "x" → x); arrays in the query
// become repeated keys; objects in the query are JSON text.
class RequestBuilder final
{
public:
    // `auth` may be null (connection mode none); `credential` may be null (no credential).
    [[nodiscard]] static Result<UpstreamRequest> build(const AppDefinition &app,
                                                       const Operation &operation,
                                                       const QJsonObject &params,
                                                       const AuthConfig *auth,
                                                       const CredentialMaterial *credential);
};

} // namespace Gestalt
