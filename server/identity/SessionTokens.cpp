// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/SessionTokens.h"

#include "crypto/Hash.h"
#include "crypto/Jwt.h"
#include "crypto/SecretKey.h"
#include "identity/User.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Gestalt {

SessionTokens::SessionTokens(const Crypto::SecretKey &key,
                             std::chrono::seconds ttl,
                             bool secureCookies,
                             Clock clock)
    : m_key(Crypto::hmacSha256(key.bytes(), "gestalt session token v1"_ba))
    , m_ttl(ttl)
    , m_secure(secureCookies)
    , m_clock(std::move(clock))
{}

QString SessionTokens::issue(const User &user, const QString &avatarUrl) const
{
    const qint64 now = m_clock().toSecsSinceEpoch();
    QJsonObject claims{{u"typ"_s, u"session"_s},
                       {u"sub"_s, user.id},
                       {u"email"_s, user.email},
                       {u"display_name"_s, user.displayName},
                       {u"iat"_s, now},
                       {u"exp"_s, now + qint64(m_ttl.count())}};
    if (!avatarUrl.isEmpty()) {
        claims.insert(u"avatar_url"_s, avatarUrl);
    }
    return Crypto::Jwt::signHs256(m_key, claims);
}

QString SessionTokens::issueMcpAccess(const User &user, const QString &family) const
{
    const qint64 now = m_clock().toSecsSinceEpoch();
    const QJsonObject claims{{u"typ"_s, u"session"_s},
                             {u"aud"_s, McpAudience.toString()},
                             {u"fam"_s, family},
                             {u"sub"_s, user.id},
                             {u"email"_s, user.email},
                             {u"display_name"_s, user.displayName},
                             {u"iat"_s, now},
                             {u"exp"_s, now + qint64(m_ttl.count())}};
    return Crypto::Jwt::signHs256(m_key, claims);
}

Result<SessionTokens::McpAccess> SessionTokens::validateMcpAccess(const QString &token) const
{
    Result<QJsonObject> claims = Crypto::Jwt::verifyHs256(m_key, token, m_clock());
    if (!claims) {
        return claims.error();
    }
    const QString family = claims->value(u"fam"_s).toString();
    if (claims->value(u"aud"_s).toString() != McpAudience || family.isEmpty()) {
        return Error::unauthenticated(u"invalid token"_s);
    }
    claims->remove(u"aud"_s);
    Result<Principal> principal = principalOf(*claims);
    if (!principal) {
        return principal.error();
    }
    return McpAccess{*principal, family};
}

Result<Principal> SessionTokens::validate(const QString &token) const
{
    Result<QJsonObject> claims = Crypto::Jwt::verifyHs256(m_key, token, m_clock());
    if (!claims) {
        return claims.error();
    }
    return principalOf(*claims);
}

Result<Principal> SessionTokens::principalOf(const QJsonObject &claims)
{
    // A token with an audience (an MCP access token) is not a session.
    if (claims.contains(u"aud"_s)) {
        return Error::unauthenticated(u"invalid token"_s);
    }
    const QString userId = claims.value(u"sub"_s).toString();
    const QString email = claims.value(u"email"_s).toString();
    if (claims.value(u"typ"_s).toString() != u"session"_s || userId.isEmpty() || email.isEmpty()) {
        return Error::unauthenticated(u"invalid token"_s);
    }
    Principal principal;
    principal.subjectId = u"user:"_s + userId;
    principal.userId = userId;
    principal.email = email;
    principal.displayName = claims.value(u"display_name"_s).toString();
    principal.source = Principal::Source::Session;
    return principal;
}

QByteArray
SessionTokens::cookieFor(QStringView name, const QString &value, std::chrono::seconds maxAge) const
{
    QByteArray cookie =
        name.toUtf8() + '=' + value.toUtf8()
        + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + QByteArray::number(qint64(maxAge.count()));
    if (m_secure) {
        cookie += "; Secure";
    }
    return cookie;
}

QByteArray SessionTokens::cookie(const QString &token) const
{
    return cookieFor(CookieName, token, m_ttl);
}

QByteArray SessionTokens::clearingCookie() const
{
    return cookieFor(CookieName, QString(), std::chrono::seconds(0));
}

} // namespace Gestalt
