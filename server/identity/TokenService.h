// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/ApiTokenRecord.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QJsonObject>

#include <chrono>
#include <functional>

namespace Gestalt {

class IdentityService;
class TokenRepository;

// Who owns a token: a user ("user", user id, "user:<id>") or a managed subject
// ("subject", subject id, "service_account:<id>").
struct TokenOwner
{
    QString kind;
    QString id;
    QString credentialSubjectId;
};

struct IssuedToken
{
    ApiTokenRecord record;
    QString plaintext; // gst_api_ + 64 hex; returned once, never stored
};

// API token rules: validation of the create body, issuing (stored only as SHA-256), listing and
// revocation. The same service serves user tokens and, later, managed-subject tokens.
class TokenService final
{
public:
    using AppExists = std::function<bool(const QString &app)>;

    TokenService(TokenRepository &tokens,
                 IdentityService &identity,
                 std::chrono::milliseconds lifetime,
                 std::chrono::milliseconds cliLifetime,
                 AppExists appExists,
                 Clock clock);

    enum class Expiry {
        Default,  // now + server.apiTokenTtl
        CliLogin, // now + server.cliTokenTtl
    };
    // body: {name, scopes?: "app1 app2", permissions?: [{app, operations?: [op]}]}.
    [[nodiscard]] Result<IssuedToken>
    issue(const TokenOwner &owner, const QJsonObject &body, Expiry expiry = Expiry::Default);
    [[nodiscard]] Result<QList<ApiTokenRecord>> list(const TokenOwner &owner);
    [[nodiscard]] Result<void> revoke(const TokenOwner &owner, const QString &id);
    [[nodiscard]] Result<int> revokeAll(const TokenOwner &owner);

    // The public shape of a token (never the hash).
    [[nodiscard]] static QJsonObject toJson(const ApiTokenRecord &record);

private:
    [[nodiscard]] Result<QJsonArray> parsePermissions(const QJsonValue &value) const;
    [[nodiscard]] Result<QJsonObject> parsePermission(const QJsonValue &value,
                                                      const QString &where) const;
    [[nodiscard]] Result<QString> parseScopes(const QJsonValue &value) const;

    TokenRepository &m_tokens;
    IdentityService &m_identity;
    std::chrono::milliseconds m_lifetime;
    std::chrono::milliseconds m_cliLifetime;
    AppExists m_appExists;
    Clock m_clock;
};

} // namespace Gestalt
