// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/AppConfig.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace Gestalt {

// One input of an operation. `name` is what callers and models use (sanitised to
// [A-Za-z0-9_.-]{1,64}); `wireName` is what goes upstream (the name as the API wrote it).
struct OperationParameter
{
    QString name;
    QString wireName;
    QString type = QStringLiteral("string"); // JSON Schema type
    QString location; // query, header, path, body; empty: declared without `in` (dropped upstream)
    QString description;
    bool required = false;
    bool internal = false;   // never accepted from a public caller
    QJsonValue defaultValue; // Undefined when none
    QJsonObject schema;      // full JSON Schema when the source had one (OpenAPI), else empty
};

// One callable operation of an app, from an OpenAPI document, a REST manifest or (later) an
// upstream MCP server.
struct Operation
{
    enum class Transport {
        Rest, // built into an upstream HTTP request by RequestBuilder
        Mcp,  // an upstream MCP tool: callable through /mcp only
    };

    QString id;         // what callers use: the alias when allowedOperations gives one
    QString originalId; // operationId / manifest name
    QString method = QStringLiteral("GET");
    QString path; // upstream path template with {placeholders}
    QString title;
    QString description;
    QString connection; // pinned connection name (operation or surface); empty: default rules
    QStringList allowedRoles;
    QStringList tags;
    ApprovalRule approval = ApprovalRule::Default; // allowedOperations.<op>.approval
    QList<OperationParameter> parameters;
    // {"type":"object","properties":{...},"required":[...]}; synthesised by
    // synthesizeInputSchema() when the source gave none.
    QJsonObject inputSchema;
    Transport transport = Transport::Rest;
    QJsonObject mcpTool; // Transport::Mcp: the upstream's tools/list entry, verbatim

    [[nodiscard]] const OperationParameter *parameter(const QString &name) const;
    // readOnlyHint (GET/HEAD), idempotentHint (PUT), destructiveHint (DELETE), openWorldHint.
    [[nodiscard]] QJsonObject annotations() const;
    // The catalog shape of GET /api/v1/apps/{name}/operations (gestalt-facts §2.11).
    [[nodiscard]] QJsonObject toJson() const;
    // Fills inputSchema from parameters (internal ones left out).
    void synthesizeInputSchema();

    // int|integer→integer, float|double|number→number, bool|boolean→boolean,
    // array/array<..>/array[..]→array, object/object{..}→object, else string.
    [[nodiscard]] static QString normalizeType(const QString &declared);
    // Sanitises a wire name to [A-Za-z0-9_.-]{1,64} (gestalt-facts §1.8), unique within `taken`
    // (collisions get _2, _3...). Adds the result to `taken`.
    [[nodiscard]] static QString exposedName(const QString &wireName, QStringList &taken);
};

} // namespace Gestalt
