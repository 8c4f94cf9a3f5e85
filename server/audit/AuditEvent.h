// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Error.h"
#include "shared/Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Gestalt {

struct HttpRequest;
struct Principal;

// Where an audited action came from: filled from the request once, then passed along (the
// invocation path, MCP and workflows keep it without the HttpRequest).
struct AuditContext
{
    QString requestId;
    QString source = QStringLiteral("http"); // http | mcp | binding:<app>:<name> | workflow | agent
    QString clientIp; // HttpRequest::clientAddress (X-Forwarded-For from a trusted proxy), else the
                      // peer
    QString remoteAddr; // the peer address
    QString userAgent;  // at most 512 characters

    [[nodiscard]] static AuditContext fromRequest(const HttpRequest &request);
};

// What an audit event names: the kind of object acted on, its id and a display name.
struct AuditTarget
{
    QString kind;
    QString id;
    QString name;
};

// One audit record (gestalt-facts §9.7). Never holds a secret: targets are names and ids only.
struct AuditEvent
{
    qint64 id = 0;  // assigned by the store (monotonic); 0 before it is stored
    QDateTime time; // UTC, ms
    AuditContext context;
    QString authSource;  // session | api_token | workflow | env | none
    QString subjectId;   // canonical; empty when nobody was authenticated
    QString subjectKind; // user | service_account | system | ""
    QString action;      // auth.login.complete, api_token.create, <app>.<operation>, ...
    QString targetKind;  // app | operation | api_token | user | managed_subject | membership ...
    QString targetId;
    QString targetName;
    bool allowed = true;
    QString error; // the public error message when not allowed / failed
    // How many attempts this record stands for: failed authentications from one client address
    // with one error are aggregated into one record per minute (AuditLog); otherwise 1.
    qint64 count = 1;

    // The one way a route starts its audit event: the request's context, its principal (when the
    // route resolved one), the action and its target. Allowed until setOutcome() says otherwise.
    [[nodiscard]] static AuditEvent
    forRequest(const HttpRequest &request, const QString &action, const AuditTarget &target = {});

    // Fills authSource/subjectId/subjectKind from the principal.
    void setPrincipal(const Principal &principal);
    void setTarget(const AuditTarget &target);
    // Not allowed, with the error's public message, when there is an error; allowed otherwise.
    void setOutcome(const std::optional<Error> &failure);
    template<typename T>
    void setOutcome(const Result<T> &result)
    {
        setOutcome(result ? std::nullopt : std::optional<Error>(result.error()));
    }

    // {id, time, requestId, source, authSource, subjectId, subjectKind, action, targetKind,
    //  targetId, targetName, allowed, error?, count? (when > 1), clientIp, remoteAddr,
    //  userAgent}
    [[nodiscard]] QJsonObject toJson() const;
};

} // namespace Gestalt
