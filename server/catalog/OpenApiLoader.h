// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/Operation.h"
#include "config/ConnectionConfig.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace Gestalt {

// What an OpenAPI 3.0 / 3.1 document contributes to an app.
struct OpenApiDocument
{
    QString title;
    QString description;
    QString baseUrl; // first servers[].url with its variables' defaults filled in ("" when none);
                     // may be relative ("/v1") when the document says so
    QList<Operation> operations; // one per operation with an operationId, sorted by id
    // The document's security scheme mapped to connection auth (oauth2 authorizationCode →
    // OAuth2 with authorizationUrl/tokenUrl/scopes; apiKey in header → manual, sent raw in that
    // header; http bearer → manual bearer; http basic → manual basic). nullopt when none usable.
    std::optional<AuthConfig> auth;
};

// Reads OpenAPI 3.0 and 3.1 documents (YAML or JSON, at most 20 MB) into operations:
//  * each paths.<path>.<get|put|post|delete|patch|head|options> WITH an operationId becomes an
//    Operation (id = originalId = operationId, method upper-case, title = summary, description =
//    description or summary, tags); operations without an operationId are left out; the same
//    operationId twice is an error;
//  * parameters: the path item's, then the operation's (same name and `in` replaces); `in`
//    query / header / path is the location (cookie parameters and the header parameters
//    Accept, Content-Type and Authorization are left out, as OpenAPI says); path parameters are
//    always required; type from schema.type (a 3.1 list such as ["string","null"] gives the
//    non-null one), default from schema.default, the resolved schema in `schema`;
//  * request body: the application/json (else the first +json) media type. An object schema
//    with properties (allOf parts merged) gives one `in: body` parameter per property (required
//    from the schema's `required`; readOnly properties are left out). Any other JSON body schema
//    (an array, a scalar, a map without properties) gives ONE parameter named "body" (or
//    body_2... when taken) with location "body" and an EMPTY wireName: RequestBuilder sends that
//    parameter's value as the whole JSON request body, not wrapped in an object. A body with no
//    JSON media type adds no parameters (the operation stays);
//  * inputSchema is synthesised from the parameters (Operation::synthesizeInputSchema);
//  * exposed parameter names come from Operation::exposedName (wireName = the name as written).
// Local $refs ("#/components/...") are followed in parameters, request bodies, path items,
// schemas and security schemes; a schema that refers back to itself is cut at the repeat by the
// placeholder {"type":"object"} (see OpenApiRefResolver for the limits). A remote $ref or one
// that names nothing is an error; $refs elsewhere (responses, examples, x-...) are not read.
// A broken document is an InvalidArgument error with one line per problem,
// "<file>: <place>: <problem>" with place a dotted path such as paths./pets.get.parameters[0]
// (YAML syntax errors: "<file>:<line>:<col>: ...") — never a crash.
// Security: the first usable scheme named by the top-level `security`, else the first usable
// one in components.securitySchemes, becomes `auth`. Usable: oauth2 with an authorizationCode
// flow, apiKey in a header, http bearer, http basic. Others (apiKey in query or cookie,
// openIdConnect, mutualTLS, implicit / clientCredentials-only oauth2) give no auth, not an error.
class OpenApiLoader final
{
public:
    // `path` is absolute or a Qt resource (":/apps/...").
    [[nodiscard]] static Result<OpenApiDocument> loadFile(const QString &path);
    // `sourceName` is used in error messages.
    [[nodiscard]] static Result<OpenApiDocument> parse(const QByteArray &text,
                                                       const QString &sourceName);
};

} // namespace Gestalt
