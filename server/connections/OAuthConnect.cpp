// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "connections/OAuthConnect.h"

#include "catalog/AppCatalog.h"
#include "catalog/AppConnections.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "crypto/SealedToken.h"
#include "httpclient/OAuthClient.h"
#include "identity/OAuthGrantRepository.h"
#include "shared/JsonPath.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString StateType = u"oauth_state"_s;

Error invalidState()
{
    return Error::invalid(u"invalid or expired oauth state"_s);
}

// The browser that started the flow (its binding cookie) and the subject who did.
Result<void>
checkCaller(const OAuthGrant &stored, const QString &binding, const Principal *principal)
{
    if (binding.isEmpty()
        || !Crypto::constantTimeEquals(Crypto::sha256Hex(binding.toUtf8()).toLatin1(),
                                       stored.bindingHash.toLatin1())) {
        return Error::forbidden(u"this OAuth flow was started in another browser; start it again "
                                "from this browser"_s);
    }
    if (!principal) {
        return Error::forbidden(u"this OAuth flow needs the session of the user who started it; "
                                "sign in and open the link again"_s);
    }
    if (principal->subjectId != stored.subjectId) {
        return Error::forbidden(u"this OAuth flow was started by another user; sign in as the "
                                "user who started it, or start it again"_s);
    }
    return {};
}

} // namespace

QJsonObject OAuthStart::toJson() const
{
    return {{u"url"_s, url}, {u"state"_s, state}};
}

OAuthConnect::OAuthConnect(const AppCatalog &catalog,
                           OAuthGrantRepository &grants,
                           OAuthClient &oauth,
                           const Crypto::Sealer &sealer,
                           Clock clock,
                           BaseUrl baseUrl)
    : m_catalog(catalog)
    , m_grants(grants)
    , m_oauth(oauth)
    , m_sealer(sealer)
    , m_clock(std::move(clock))
    , m_baseUrl(std::move(baseUrl))
{}

QString OAuthConnect::bindingCookieName(const QString &state)
{
    return u"oauth_binding_"_s + Crypto::sha256Hex(state.toUtf8()).left(16);
}

QString OAuthConnect::redirectUrl(const ConnectTarget &target) const
{
    const AuthConfig &auth = *target.connection->config.auth;
    return auth.redirectUrl.isEmpty() ? m_baseUrl() + u"/api/v1/auth/callback"_s : auth.redirectUrl;
}

Result<OAuthStart> OAuthConnect::start(const ConnectTarget &t)
{
    if (!AppConnections::authTypes(*t.connection).contains(u"oauth"_s)) {
        return Error::invalid(
            u"connection \"%1\" on integration \"%2\" does not support OAuth"_s.arg(
                t.connection->name, t.app->name));
    }
    const AuthConfig &auth = *t.connection->config.auth;
    const QString verifier = auth.pkce ? OAuthClient::newCodeVerifier() : QString();
    const QDateTime now = m_clock();
    QJsonObject claims = t.claims(StateType);
    claims.insert(u"ver"_s, verifier);
    const QString state =
        Crypto::SealedToken::encode(m_sealer, claims, now.addSecs(StateTtlSeconds));
    const QString binding = Crypto::randomUrlToken(32);
    OAuthGrant grant;
    grant.hash = Crypto::sha256Hex(state.toUtf8());
    grant.kind = OAuthGrant::AppState.toString();
    grant.subjectId = t.actorSubjectId;
    grant.bindingHash = Crypto::sha256Hex(binding.toUtf8());
    grant.createdAt = now;
    grant.expiresAt = now.addSecs(StateTtlSeconds);
    if (Result<void> stored = m_grants.insert(grant, now); !stored) {
        return stored.error();
    }
    const QString base = m_baseUrl();
    const QUrl url =
        OAuthClient::authorizationUrl(auth, redirectUrl(t), state, t.scopes, verifier, t.params);
    OAuthStart started;
    started.url = url.toString(QUrl::FullyEncoded);
    started.state = state;
    started.setCookie = bindingCookieName(state).toUtf8() + '=' + binding.toUtf8()
                        + "; Path=/api/v1/auth/callback; Max-Age="
                        + QByteArray::number(StateTtlSeconds) + "; HttpOnly; SameSite=Lax";
    if (base.startsWith(u"https://"_s, Qt::CaseInsensitive)) {
        started.setCookie += "; Secure";
    }
    return started;
}

Result<OAuthConnect::Callback> OAuthConnect::openState(const QString &state) const
{
    Result<QJsonObject> claims = Crypto::SealedToken::decode(m_sealer, state, m_clock());
    if (!claims || claims->value(u"typ"_s).toString() != StateType) {
        return invalidState();
    }
    std::optional<ConnectTarget> target = ConnectTarget::fromClaims(m_catalog, *claims);
    if (!target || !target->connection->config.auth) {
        return invalidState();
    }
    return Callback{std::move(*target), claims->value(u"ver"_s).toString()};
}

Result<OAuthConnect::Callback>
OAuthConnect::check(const QString &code,
                    const QString &state,
                    const std::function<QString(const QString &)> &cookies,
                    const Principal *principal)
{
    if (code.isEmpty() || state.isEmpty()) {
        return Error::invalid(u"missing code or state parameter"_s);
    }
    Result<Callback> opened = openState(state);
    if (!opened) {
        return opened.error();
    }
    const QString stateHash = Crypto::sha256Hex(state.toUtf8());
    const Result<std::optional<OAuthGrant>> stored = m_grants.find(stateHash, OAuthGrant::AppState);
    if (!stored) {
        return stored.error();
    }
    if (!stored->has_value()) {
        return invalidState();
    }
    if (Result<void> caller = checkCaller(**stored, cookies(bindingCookieName(state)), principal);
        !caller) {
        return caller.error();
    }
    const Result<std::optional<OAuthGrant>> consumed =
        m_grants.consume(stateHash, OAuthGrant::AppState, m_clock());
    if (!consumed) {
        return consumed.error();
    }
    if (!consumed->has_value()) {
        return Error::invalid(u"the oauth state was used already or has expired; start again"_s);
    }
    return opened;
}

void OAuthConnect::exchange(const Callback &checked, const QString &code, ExchangeCallback callback)
{
    const ConnectTarget &t = checked.target;
    m_oauth.exchangeCode(
        *t.connection->config.auth,
        code,
        redirectUrl(t),
        checked.verifier,
        t.params,
        t.app->egress,
        [this, t, callback = std::move(callback)](Result<OAuthTokens> tokens) {
            if (!tokens) {
                // The app's egress policy refusing the token URL (403), or an oversized answer,
                // is said as it is; anything else is "token exchange failed".
                const Error &error = tokens.error();
                callback(error.machineCode == u"token_response_too_large"_s
                                 || error.code == ErrorCode::Forbidden
                             ? error
                             : Error{ErrorCode::BadGateway, u"token exchange failed"_s});
                return;
            }
            callback(exchanged(t, *tokens));
        });
}

OAuthConnect::Exchanged OAuthConnect::exchanged(ConnectTarget target,
                                                const OAuthTokens &tokens) const
{
    StoredCredential credential;
    credential.accessToken = tokens.accessToken;
    credential.refreshToken = tokens.refreshToken;
    credential.tokenType = tokens.tokenType;
    if (tokens.expiresInSeconds) {
        credential.expiresAt = m_clock().addSecs(*tokens.expiresInSeconds);
    }
    const QMap<QString, ConnectionParam> &declared = target.connection->config.params;
    for (auto it = declared.constBegin(); it != declared.constEnd(); ++it) {
        if (it->from == ConnectionParam::From::TokenResponse) {
            const QString field = it->field.isEmpty() ? it.key() : it->field;
            const QString value = ConnectTarget::metadataValue(jsonPathValue(tokens.raw, field));
            if (!value.isEmpty()) {
                target.params.insert(it.key(), value);
            }
        }
    }
    return {std::move(target), credential};
}

} // namespace Gestalt
