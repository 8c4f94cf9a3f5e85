// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/IdentityService.h"

#include "audit/AuditLog.h"
#include "core/Logging.h"
#include "crypto/Hash.h"
#include "identity/OAuthGrantRepository.h"
#include "identity/OidcProvider.h"
#include "identity/SessionTokens.h"
#include "identity/TokenRepository.h"
#include "identity/UserRepository.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {
// Another replica's revocation reaches this one within this window; local revocation is immediate.
constexpr qint64 tokenCacheMs = 2000;
constexpr int tokenCacheMaxEntries = 10000;
constexpr qint64 userCacheMs = 60LL * 1000;
} // namespace

IdentityService::IdentityService(UserRepository &users, TokenRepository &tokens, Clock clock)
    : m_users(users)
    , m_tokens(tokens)
    , m_clock(std::move(clock))
{}

IdentityService::~IdentityService() = default;

void IdentityService::enableLogin(const SessionTokens &sessions, OidcProvider *provider)
{
    m_sessions = &sessions;
    m_provider = provider;
}

Result<Principal> IdentityService::authenticate(const HttpRequest &request)
{
    Result<Principal> principal = resolve(request);
    if (principal && !principal->userId.isEmpty()) {
        if (Result<void> enabled = requireEnabled(principal->userId); !enabled) {
            principal = enabled.error();
        }
    }
    if (!principal && m_audit) {
        // The error's own message, not its public one: the audit trail of failed logins keeps
        // why a credential failed.
        AuditEvent event = AuditEvent::forRequest(request, u"auth.authenticate"_s);
        event.allowed = false;
        event.error = principal.error().message;
        m_audit->record(std::move(event));
    }
    return principal;
}

Result<QByteArray> IdentityService::credentialHeader(const HttpRequest &request)
{
    const QByteArray authorization = request.header("authorization");
    if (!takesProxyAuthorization(request)) {
        return authorization;
    }
    // Proxy-Authorization of another scheme (Basic, say) is a proxy's, not ours: ignored.
    const QByteArray proxy = request.header("proxy-authorization");
    if (!proxy.startsWith("Bearer ")) {
        return authorization;
    }
    if (authorization.isEmpty() || authorization == proxy) {
        return proxy;
    }
    // Two different credentials: which one is the caller? Neither is guessed.
    return Error::invalid(
        u"Authorization and Proxy-Authorization carry different credentials; send one"_s);
}

bool IdentityService::takesProxyAuthorization(const HttpRequest &request)
{
    // http-api-legacy.md: "For proxy routes, Gestalt also understands Proxy-Authorization:
    // Bearer <token>": the routes that invoke an app operation.
    return request.routeTemplate == u"/api/v1/{app}/{operation}";
}

Result<Principal> IdentityService::resolve(const HttpRequest &request)
{
    Result<QByteArray> authorization = credentialHeader(request);
    if (!authorization) {
        return authorization.error();
    }
    if (m_sessions) {
        const QString cookie = request.cookie(SessionTokens::CookieName.toString());
        if (!cookie.isEmpty()) {
            Result<Principal> session = m_sessions->validate(cookie);
            if (session || authorization->isEmpty()) {
                return session;
            }
        }
    }
    if (!authorization->isEmpty()) {
        if (!authorization->startsWith("Bearer ") || authorization->trimmed().size() <= 7) {
            return Error::unauthenticated(u"invalid authorization header format"_s);
        }
        return fromBearer(QString::fromLatin1(authorization->mid(7).trimmed()),
                          request.routeTemplate == u"/mcp");
    }
    if (m_sessions) {
        return Error::unauthenticated(u"missing authorization"_s);
    }
    return anonymous();
}

Result<Principal> IdentityService::fromBearer(const QString &token, bool mcp)
{
    if (token.startsWith(apiTokenPrefix)) {
        return fromApiToken(token);
    }
    if (m_sessions) {
        if (Result<Principal> session = m_sessions->validate(token); session) {
            return session;
        }
        // MCP OAuth access tokens are audience-bound to /mcp: the REST API never takes them.
        // A datastore failure while checking the grant family is not an invalid token.
        if (mcp && m_mcpGrants) {
            Result<Principal> access = fromMcpAccessToken(token);
            if (access || access.error().code != ErrorCode::Unauthenticated) {
                return access;
            }
        }
        if (m_provider && m_provider->isOwnToken(token)) {
            Result<OidcIdentity> identity = m_provider->validateBearer(token);
            if (!identity) {
                return identity.error();
            }
            return userPrincipal(
                identity->email, identity->displayName, Principal::Source::Session);
        }
    }
    return Error::unauthenticated(u"invalid token"_s);
}

Result<Principal> IdentityService::fromMcpAccessToken(const QString &token)
{
    Result<SessionTokens::McpAccess> access = m_sessions->validateMcpAccess(token);
    if (!access) {
        return access.error();
    }
    Result<bool> revoked = m_mcpGrants->familyRevoked(access->family);
    if (!revoked) {
        return revoked.error();
    }
    if (*revoked) {
        return Error::unauthenticated(u"invalid token"_s);
    }
    return access->principal;
}

Result<Principal> IdentityService::userPrincipal(const QString &email,
                                                 const QString &displayName,
                                                 Principal::Source source)
{
    const QString key = email.trimmed().toLower();
    const QDateTime now = m_clock();
    {
        QMutexLocker lock(&m_cacheMutex);
        const auto it = m_userCache.constFind(key);
        if (it != m_userCache.cend() && it->cachedAt.msecsTo(now) < userCacheMs
            && it->principal.source == source) {
            const Principal cached = it->principal;
            lock.unlock();
            if (Result<void> enabled = requireEnabled(cached.userId); !enabled) {
                return enabled.error();
            }
            return cached;
        }
    }
    Result<User> user = m_users.findOrCreateByEmail(email, displayName);
    if (!user) {
        return user.error();
    }
    Principal principal;
    principal.subjectId = u"user:"_s + user->id;
    principal.userId = user->id;
    principal.email = user->email;
    principal.displayName = user->displayName;
    principal.source = source;
    QMutexLocker lock(&m_cacheMutex);
    if (m_userCache.size() >= tokenCacheMaxEntries) {
        m_userCache.clear();
    }
    m_userCache.insert(key, CachedUser{principal, now});
    lock.unlock();
    if (Result<void> enabled = requireEnabled(principal.userId); !enabled) {
        return enabled.error();
    }
    return principal;
}

Result<Principal> IdentityService::anonymous()
{
    if (m_anonymous) {
        return *m_anonymous;
    }
    Result<User> user = m_users.findOrCreateByEmail(anonymousEmail.toString(), u"Anonymous"_s);
    if (!user) {
        return user.error();
    }
    Principal principal;
    principal.subjectId = u"user:"_s + user->id;
    principal.userId = user->id;
    principal.email = user->email;
    principal.displayName = user->displayName;
    principal.source = Principal::Source::None;
    m_anonymous = principal;
    return principal;
}

Result<Principal> IdentityService::fromApiToken(const QString &token)
{
    const QString hash = Crypto::sha256Hex(token.toUtf8());
    const QDateTime now = m_clock();
    std::optional<CachedToken> cached;
    {
        QMutexLocker lock(&m_cacheMutex);
        const auto it = m_tokenCache.constFind(hash);
        if (it != m_tokenCache.cend() && it->cachedAt.msecsTo(now) < tokenCacheMs) {
            cached = *it;
        }
    }
    if (!cached) {
        Result<CachedToken> loaded = loadToken(hash);
        if (!loaded) {
            return loaded.error();
        }
        loaded->cachedAt = now;
        cached = *loaded;
        QMutexLocker lock(&m_cacheMutex);
        if (m_tokenCache.size() >= tokenCacheMaxEntries) {
            m_tokenCache.clear();
        }
        m_tokenCache.insert(hash, *cached);
    }
    if (!cached->principal || (cached->expiresAt && *cached->expiresAt <= now)) {
        return Error::unauthenticated(u"invalid token"_s);
    }
    return *cached->principal;
}

Result<IdentityService::CachedToken> IdentityService::loadToken(const QString &hash)
{
    Result<std::optional<ApiTokenRecord>> found = m_tokens.findByHash(hash);
    if (!found) {
        return found.error();
    }
    CachedToken entry;
    if (!found->has_value()) {
        return entry;
    }
    const ApiTokenRecord &record = **found;
    Principal principal;
    principal.source = Principal::Source::ApiToken;
    principal.tokenId = record.id;
    principal.tokenOwnerKind = record.ownerKind;
    principal.tokenScopes = record.scopes;
    principal.tokenPermissions = record.permissions;
    if (record.ownerKind == u"user"_s) {
        Result<std::optional<User>> user = m_users.findById(record.ownerId);
        if (!user) {
            return user.error();
        }
        if (!user->has_value()) {
            return entry;
        }
        principal.subjectId = u"user:"_s + (*user)->id;
        principal.userId = (*user)->id;
        principal.email = (*user)->email;
        principal.displayName = (*user)->displayName;
    } else {
        principal.subjectId = record.credentialSubjectId;
    }
    entry.principal = principal;
    entry.expiresAt = record.expiresAt;
    return entry;
}

Result<void> IdentityService::requireEnabled(const QString &userId)
{
    const QDateTime now = m_clock();
    std::optional<bool> disabled;
    {
        QMutexLocker lock(&m_cacheMutex);
        const auto it = m_userStateCache.constFind(userId);
        if (it != m_userStateCache.cend() && it->cachedAt.msecsTo(now) >= 0
            && it->cachedAt.msecsTo(now) < userStateCacheMs) {
            disabled = it->disabled;
        }
    }
    if (!disabled) {
        Result<std::optional<User>> user = m_users.findById(userId);
        if (!user) {
            return user.error();
        }
        disabled = user->has_value() && (*user)->disabledAt.has_value();
        QMutexLocker lock(&m_cacheMutex);
        if (m_userStateCache.size() >= tokenCacheMaxEntries) {
            m_userStateCache.clear();
        }
        m_userStateCache.insert(userId, CachedUserState{*disabled, now});
    }
    if (*disabled) {
        return Error{ErrorCode::Forbidden,
                     u"this user is disabled: an admin must enable it again "
                     u"(POST /admin/api/v1/users/{id}/enable)"_s,
                     u"user_disabled"_s};
    }
    return {};
}

void IdentityService::forgetUserState(const QString &userId)
{
    QMutexLocker lock(&m_cacheMutex);
    m_userStateCache.remove(userId);
}

void IdentityService::forgetTokens(const QStringList &hashedTokens)
{
    QMutexLocker lock(&m_cacheMutex);
    for (const QString &hash : hashedTokens) {
        m_tokenCache.remove(hash);
    }
}

Result<UserPage> IdentityService::listUsers(int pageSize, const QString &pageToken)
{
    return m_users.list(pageSize, pageToken);
}

Result<User>
IdentityService::setUserDisabled(const QString &id, bool disabled, const QString &callerUserId)
{
    Result<std::optional<User>> found = m_users.findById(id);
    if (!found) {
        return found.error();
    }
    if (!found->has_value()) {
        return Error::notFound(u"unknown user"_s);
    }
    User user = **found;
    if (disabled) {
        if (user.normalizedEmail == anonymousEmail) {
            return Error::invalid(u"the anonymous local user cannot be disabled"_s);
        }
        if (!callerUserId.isEmpty() && callerUserId == user.id) {
            return Error{ErrorCode::Conflict,
                         u"you cannot disable your own user"_s,
                         u"cannot_disable_self"_s};
        }
    }
    if (disabled == user.disabledAt.has_value()) {
        return user;
    }
    const std::optional<QDateTime> at =
        disabled ? std::optional<QDateTime>(QDateTime::currentDateTimeUtc()) : std::nullopt;
    Result<bool> changed = m_users.setDisabledAt(user.id, at);
    if (!changed) {
        return changed.error();
    }
    if (!*changed) {
        return Error::notFound(u"unknown user"_s);
    }
    user.disabledAt = at;
    forgetUserState(user.id);
    return user;
}

} // namespace Gestalt
