// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/IdentityService.h"

#include "Logging.h"
#include "crypto/Hash.h"
#include "store/TokenRepository.h"
#include "store/UserRepository.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {
// Another replica's revocation reaches this one within this window; local revocation is immediate.
constexpr qint64 tokenCacheMs = 2000;
constexpr int tokenCacheMaxEntries = 10000;
} // namespace

IdentityService::IdentityService(UserRepository &users, TokenRepository &tokens, Clock clock)
    : m_users(users)
    , m_tokens(tokens)
    , m_clock(std::move(clock))
{}

IdentityService::~IdentityService() = default;

Result<Principal> IdentityService::authenticate(const HttpRequest &request)
{
    const QByteArray authorization = request.header("authorization");
    if (!authorization.isEmpty()) {
        if (!authorization.startsWith("Bearer ") || authorization.trimmed().size() <= 7) {
            return Error::unauthenticated(u"invalid authorization header format"_s);
        }
        const QString token = QString::fromLatin1(authorization.mid(7).trimmed());
        if (token.startsWith(apiTokenPrefix)) {
            return fromApiToken(token);
        }
        return Error::unauthenticated(u"invalid token"_s);
    }
    return anonymous();
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

void IdentityService::forgetTokens(const QStringList &hashedTokens)
{
    QMutexLocker lock(&m_cacheMutex);
    for (const QString &hash : hashedTokens) {
        m_tokenCache.remove(hash);
    }
}

} // namespace Gestalt
