// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace Gestalt {

enum class ConnectionMode {
    Unspecified, // see ConnectionConfig::effectiveMode()
    None,
    User,
    Platform,
};

enum class AuthType {
    OAuth2, // also when `type` is omitted
    McpOAuth,
    Bearer,
    Manual,
    None,
};

enum class ClientAuth {
    Body,
    Header, // HTTP Basic with URL-escaped id and secret
};

enum class TokenExchange {
    Form,
    Json,
};

struct CredentialField
{
    QString name; // lower_snake
    QString label;
    QString description; // may hold [text](url) links
    QString helpUrl;
};

// A header or basic-auth part: a literal, or a field of the stored (manual) credential.
struct MappedValue
{
    QString value;
    QString credentialField; // valueFrom.credentialFieldRef.name

    [[nodiscard]] bool isFromCredential() const { return !credentialField.isEmpty(); }
};

struct BasicAuthMapping
{
    MappedValue username;
    MappedValue password;
};

struct AuthMapping
{
    QMap<QString, MappedValue> headers;
    std::optional<BasicAuthMapping> basic;
};

// An `auth` block (gestalt-facts §2.2). clientSecret and refreshToken are secrets: never log them.
struct AuthConfig
{
    AuthType type = AuthType::OAuth2;
    QString grantType; // authorization_code (empty), client_credentials, refresh_token
    QString refreshToken;
    QString authorizationUrl;
    QString tokenUrl;
    QString clientId;
    QString clientSecret;
    QString redirectUrl; // empty: {server.baseUrl}/api/v1/auth/callback
    ClientAuth clientAuth = ClientAuth::Body;
    TokenExchange tokenExchange = TokenExchange::Form;
    QStringList scopes;
    QString scopeParam = QStringLiteral("scope");
    QString scopeSeparator = QStringLiteral(" ");
    bool pkce = false;
    QMap<QString, QString> authorizationParams;
    QMap<QString, QString> tokenParams;
    QMap<QString, QString> refreshParams;
    QString acceptHeader;
    QString accessTokenPath; // dot path; empty: access_token
    QStringList tokenMetadata;
    QList<CredentialField> credentials;
    AuthMapping authMapping;
    QString authHeader;
    QString tokenPrefix;
    QString authStyle; // bearer (empty), raw, basic
};

struct ConnectionParam
{
    enum class From {
        User, // ""
        Discovery,
        TokenResponse,
    };
    bool required = false;
    QString description;
    QString defaultValue;
    From from = From::User;
    QString field;
};

struct DiscoveryConfig
{
    QString url;
    QString itemsPath;
    QString idPath;
    QString namePath;
    QMap<QString, QString> metadata; // param -> JSON path
};

struct CredentialRefreshConfig
{
    std::optional<std::chrono::milliseconds> refreshInterval;
    std::optional<std::chrono::milliseconds> refreshBeforeExpiry;
};

// A connection: top-level `connections.<id>`, or an inline app binding.
struct ConnectionConfig
{
    QString displayName;
    ConnectionMode mode = ConnectionMode::Unspecified;
    std::optional<AuthConfig> auth;
    QMap<QString, ConnectionParam> params;
    std::optional<DiscoveryConfig> discovery;
    std::optional<CredentialRefreshConfig> credentialRefresh;

    // The written mode, else `none` without auth (or with auth.type none), else `user`.
    [[nodiscard]] ConnectionMode effectiveMode() const
    {
        if (mode != ConnectionMode::Unspecified) {
            return mode;
        }
        return !auth || auth->type == AuthType::None ? ConnectionMode::None : ConnectionMode::User;
    }
};

enum class ConnectionExposure {
    User,
    Internal, // only provider code and nested invokes may select it
};

// apps.<name>.connections.<local>: either `ref` to a top-level connection (then only displayName,
// exposure and credentialRefresh of `connection` are set) or an inline connection.
struct AppConnectionBinding
{
    QString ref;
    ConnectionExposure exposure = ConnectionExposure::User;
    ConnectionConfig connection;

    [[nodiscard]] bool isRef() const { return !ref.isEmpty(); }
};

} // namespace Gestalt
