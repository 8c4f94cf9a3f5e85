// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apps/Operation.h"
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
    QString baseUrl; // first servers[].url ("" when none)
    QList<Operation> operations; // one per operation with an operationId, sorted by id
    // The document's security scheme mapped to connection auth (oauth2 authorizationCode →
    // OAuth2 with authorizationUrl/tokenUrl/scopes; apiKey in header → manual, sent raw in that
    // header; http bearer → manual bearer; http basic → manual basic). nullopt when none usable.
    std::optional<AuthConfig> auth;
};

// Reads OpenAPI 3.0 and 3.1 documents (YAML or JSON). Local $refs ("#/components/...") are
// resolved with a cycle guard; remote $refs are an error. A broken document is an
// InvalidArgument error whose message names the file and the place ("<file>: paths./pets.get:
// ...") — never a crash.
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
