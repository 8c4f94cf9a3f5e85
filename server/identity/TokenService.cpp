// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/TokenService.h"

#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "http/JsonBodyReader.h"
#include "identity/IdentityService.h"
#include "identity/TokenRepository.h"
#include "shared/TimeFormat.h"

#include <QJsonArray>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {
constexpr qsizetype maxNameLength = 256;
constexpr qsizetype maxPermissionEntries = 256;

} // namespace

TokenService::TokenService(TokenRepository &tokens,
                           IdentityService &identity,
                           std::chrono::milliseconds lifetime,
                           std::chrono::milliseconds cliLifetime,
                           AppExists appExists,
                           Clock clock)
    : m_tokens(tokens)
    , m_identity(identity)
    , m_lifetime(lifetime)
    , m_cliLifetime(cliLifetime)
    , m_appExists(std::move(appExists))
    , m_clock(std::move(clock))
{}

Result<QString> TokenService::parseScopes(const QJsonValue &value) const
{
    if (value.isUndefined() || value.isNull()) {
        return QString();
    }
    if (!value.isString()) {
        return Error::invalid(u"scopes must be a string of space-separated app names"_s);
    }
    const QStringList apps = value.toString().split(u' ', Qt::SkipEmptyParts);
    for (const QString &app : apps) {
        if (!m_appExists(app)) {
            return Error::invalid(u"unknown app \"%1\" in scopes"_s.arg(app));
        }
    }
    return apps.join(u' ');
}

Result<QJsonArray> TokenService::parsePermissions(const QJsonValue &value) const
{
    if (value.isUndefined() || value.isNull()) {
        return QJsonArray();
    }
    if (!value.isArray()) {
        return Error::invalid(u"permissions must be an array"_s);
    }
    const QJsonArray input = value.toArray();
    if (input.size() > maxPermissionEntries) {
        return Error::invalid(u"permissions has too many entries"_s);
    }
    QJsonArray out;
    for (qsizetype i = 0; i < input.size(); ++i) {
        Result<QJsonObject> entry = parsePermission(input[i], u"permissions[%1]"_s.arg(i));
        if (!entry) {
            return entry.error();
        }
        out.append(*entry);
    }
    return out;
}

// One entry {app, operations?}; "plugin" is the older name of "app" (and ignored beside it).
Result<QJsonObject> TokenService::parsePermission(const QJsonValue &value,
                                                  const QString &where) const
{
    Error error;
    std::optional<JsonBodyReader> entry = JsonBodyReader::item(value, where, &error);
    if (!entry) {
        return error;
    }
    entry->skip({u"app", u"plugin"});
    const QJsonObject &object = entry->object();
    const QJsonValue appValue =
        object.contains(u"app"_s) ? object.value(u"app"_s) : object.value(u"plugin"_s);
    const QString app = appValue.toString();
    if (app.isEmpty()) {
        entry->fail(u"app", u"is required"_s);
    } else if (!m_appExists(app)) {
        return Error::invalid(u"unknown app \"%1\" in %2"_s.arg(app, where));
    }
    QJsonObject normalized{{u"app"_s, app}};
    // Empty operation names are refused with the same message as non-strings.
    const std::optional<QStringList> operations =
        entry->stringList(u"operations", /*nonEmptyItems=*/false);
    if (operations && operations->contains(QString())) {
        entry->fail(u"operations", u"must be an array of strings"_s);
    } else if (operations && !operations->isEmpty()) {
        normalized.insert(u"operations"_s, QJsonArray::fromStringList(*operations));
    }
    if (const Result<void> done = entry->finish(); !done) {
        return done.error();
    }
    return normalized;
}

Result<IssuedToken>
TokenService::issue(const TokenOwner &owner, const QJsonObject &body, Expiry expiry)
{
    const QJsonValue nameValue = body.value(u"name"_s);
    if (nameValue.isUndefined() || nameValue.isNull()) {
        return Error::invalid(u"name is required"_s);
    }
    if (!nameValue.isString()) {
        return Error::invalid(u"name must be a string"_s);
    }
    const QString name = nameValue.toString().trimmed();
    if (name.isEmpty()) {
        return Error::invalid(u"name is required"_s);
    }
    if (name.size() > maxNameLength) {
        return Error::invalid(u"name is longer than %1 characters"_s.arg(maxNameLength));
    }
    const bool hasScopes = body.contains(u"scopes"_s) && !body.value(u"scopes"_s).isNull();
    const bool hasPermissions =
        body.contains(u"permissions"_s) && !body.value(u"permissions"_s).isNull();
    if (hasScopes && hasPermissions) {
        return Error::invalid(u"scopes and permissions are mutually exclusive"_s);
    }
    Result<QString> scopes = parseScopes(body.value(u"scopes"_s));
    if (!scopes) {
        return scopes.error();
    }
    Result<QJsonArray> permissions = parsePermissions(body.value(u"permissions"_s));
    if (!permissions) {
        return permissions.error();
    }

    IssuedToken issued;
    issued.plaintext = IdentityService::apiTokenPrefix.toString() + Crypto::randomHex(32);
    const QDateTime now = m_clock();
    ApiTokenRecord &record = issued.record;
    record.id = Crypto::uuidV4();
    record.ownerKind = owner.kind;
    record.ownerId = owner.id;
    record.credentialSubjectId = owner.credentialSubjectId;
    record.name = name;
    record.hashedToken = Crypto::sha256Hex(issued.plaintext.toUtf8());
    record.scopes = *scopes;
    record.permissions = *permissions;
    const std::chrono::milliseconds lifetime =
        expiry == Expiry::CliLogin ? m_cliLifetime : m_lifetime;
    if (lifetime.count() > 0) {
        record.expiresAt = now.addMSecs(lifetime.count());
    }
    record.createdAt = now;
    record.updatedAt = now;
    if (Result<void> inserted = m_tokens.insert(record); !inserted) {
        return inserted.error();
    }
    return issued;
}

Result<QList<ApiTokenRecord>> TokenService::list(const TokenOwner &owner)
{
    return m_tokens.listByOwner(owner.kind, owner.id);
}

Result<void> TokenService::revoke(const TokenOwner &owner, const QString &id)
{
    // Look the hash up first so this replica's cache forgets it at once.
    Result<QList<ApiTokenRecord>> tokens = m_tokens.listByOwner(owner.kind, owner.id);
    if (!tokens) {
        return tokens.error();
    }
    QStringList hashes;
    for (const ApiTokenRecord &token : std::as_const(*tokens)) {
        if (token.id == id) {
            hashes.append(token.hashedToken);
        }
    }
    Result<bool> deleted = m_tokens.deleteForOwner(owner.kind, owner.id, id);
    if (!deleted) {
        return deleted.error();
    }
    m_identity.forgetTokens(hashes);
    if (!*deleted) {
        return Error::notFound(u"token not found"_s);
    }
    return {};
}

Result<int> TokenService::revokeAll(const TokenOwner &owner)
{
    Result<QList<ApiTokenRecord>> tokens = m_tokens.listByOwner(owner.kind, owner.id);
    if (!tokens) {
        return tokens.error();
    }
    QStringList hashes;
    for (const ApiTokenRecord &token : std::as_const(*tokens)) {
        hashes.append(token.hashedToken);
    }
    Result<int> deleted = m_tokens.deleteAllForOwner(owner.kind, owner.id);
    if (!deleted) {
        return deleted.error();
    }
    m_identity.forgetTokens(hashes);
    return *deleted;
}

QJsonObject TokenService::toJson(const ApiTokenRecord &record)
{
    QJsonObject json{
        {u"id"_s, record.id},
        {u"name"_s, record.name},
        {u"scopes"_s, record.scopes},
        {u"createdAt"_s, isoUtc(record.createdAt)},
    };
    if (!record.permissions.isEmpty()) {
        json.insert(u"permissions"_s, record.permissions);
    }
    json.insert(u"expiresAt"_s,
                record.expiresAt ? QJsonValue(isoUtc(*record.expiresAt))
                                 : QJsonValue(QJsonValue::Null));
    return json;
}

} // namespace Gestalt
