// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/LoginRoutes.h"

#include "audit/AuditLog.h"
#include "core/Logging.h"
#include "crypto/Base64.h"
#include "crypto/Hash.h"
#include "crypto/Random.h"
#include "crypto/SealedToken.h"
#include "identity/IdentityService.h"
#include "identity/OidcProvider.h"
#include "identity/SessionTokens.h"
#include "identity/TokenService.h"
#include "identity/User.h"

#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int maxClientStateLength = 256;

bool hasControlCharacters(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(), [](QChar c) {
        return c.unicode() < 0x20 || c.unicode() == 0x7f;
    });
}

HttpResponse redirect(const QString &location)
{
    return HttpResponse::redirect(302, location);
}

} // namespace

LoginRoutes::LoginRoutes(IdentityService &identity,
                         const SessionTokens *sessions,
                         OidcProvider *provider,
                         TokenService &tokens,
                         const Crypto::Sealer &sealer,
                         AuditLog &audit,
                         Clock clock,
                         Options options)
    : m_identity(identity)
    , m_sessions(sessions)
    , m_provider(provider)
    , m_tokens(tokens)
    , m_sealer(sealer)
    , m_audit(audit)
    , m_clock(std::move(clock))
    , m_options(std::move(options))
{}

void LoginRoutes::registerRoutes(Router &router)
{
    router.route(u"GET"_s, u"/api/v1/auth/info"_s, RouteAuth::Public, this, &LoginRoutes::info);
    router.route(
        u"POST"_s, u"/api/v1/auth/login"_s, RouteAuth::Public, this, &LoginRoutes::startPost);
    router.route(
        u"GET"_s, u"/api/v1/auth/login"_s, RouteAuth::Public, this, &LoginRoutes::startGet);
    router.routeAsync(u"GET"_s,
                      u"/api/v1/auth/login/callback"_s,
                      RouteAuth::Public,
                      this,
                      &LoginRoutes::callback);
    router.route(
        u"POST"_s, u"/api/v1/auth/logout"_s, RouteAuth::Public, this, &LoginRoutes::logout);
}

bool LoginRoutes::isSafeNext(const QString &next, const QString &managementBaseUrl)
{
    if (next.isEmpty() || next.size() > 2048 || hasControlCharacters(next)
        || next.contains(u'\\')) {
        return false;
    }
    if (next.startsWith(u'/')) {
        return !next.startsWith(u"//"_s);
    }
    if (managementBaseUrl.isEmpty()) {
        return false;
    }
    const QUrl url(next, QUrl::StrictMode);
    const QUrl base(managementBaseUrl);
    if (!url.isValid() || url.scheme() != base.scheme() || url.host() != base.host()
        || url.port(url.scheme() == u"https" ? 443 : 80)
               != base.port(base.scheme() == u"https" ? 443 : 80)
        || !url.userInfo().isEmpty()) {
        return false;
    }
    const QString path = url.path();
    return path == u"/admin"_s || path.startsWith(u"/admin/"_s);
}

Result<void> LoginRoutes::enabled() const
{
    if (!m_sessions || !m_provider) {
        return Error::notFound(u"auth is disabled"_s);
    }
    return {};
}

QString LoginRoutes::redirectUri() const
{
    if (!m_provider->settings().redirectUrl.isEmpty()) {
        return m_provider->settings().redirectUrl;
    }
    return m_options.publicBaseUrl() + u"/api/v1/auth/login/callback"_s;
}

Result<HttpResponse> LoginRoutes::info(const HttpRequest &)
{
    const bool on = enabled().hasValue();
    return HttpResponse::json(
        200,
        QJsonObject{{u"provider"_s, on ? m_provider->settings().providerName : u"none"_s},
                    {u"displayName"_s, on ? m_provider->settings().displayName : QString()},
                    {u"loginSupported"_s, on},
                    {u"features"_s, QJsonObject{{u"agent"_s, m_options.agentConfigured}}}});
}

Result<LoginRoutes::Started> LoginRoutes::begin(const QString &state, const QString &next)
{
    Result<OidcProvider::LoginStart> start = m_provider->beginLogin(state, redirectUri());
    if (!start) {
        return start.error();
    }
    QJsonObject claims{{u"purpose"_s, u"login"_s},
                       {u"s"_s, state},
                       {u"n"_s, start->nonce},
                       {u"v"_s, start->codeVerifier}};
    if (!next.isEmpty()) {
        claims.insert(u"next"_s, next);
    }
    const QString cookie =
        Crypto::SealedToken::encode(m_sealer, claims, m_clock().addSecs(StateTtlSeconds));
    return Started{
        start->url,
        m_sessions->cookieFor(StateCookie, cookie, std::chrono::seconds(StateTtlSeconds))};
}

Result<HttpResponse> LoginRoutes::startPost(const HttpRequest &request)
{
    if (Result<void> on = enabled(); !on) {
        return on.error();
    }
    Result<QJsonObject> body = request.jsonObject(true);
    if (!body) {
        return body.error();
    }
    const QJsonValue stateValue = body->value(u"state"_s);
    if (!stateValue.isUndefined() && !stateValue.isNull() && !stateValue.isString()) {
        return Error::invalid(u"state must be a string"_s);
    }
    QString state = stateValue.toString();
    if (state.size() > maxClientStateLength || hasControlCharacters(state)) {
        return Error::invalid(
            u"state must be at most %1 printable characters"_s.arg(maxClientStateLength));
    }
    if (state.isEmpty()) {
        state = Crypto::base64UrlEncode(Crypto::randomBytes(24));
    }
    const QJsonValue port = body->value(u"callbackPort"_s);
    if (!port.isUndefined() && !port.isNull()) {
        const double number = port.toDouble(-1);
        if (!port.isDouble() || number < 1 || number > 65535 || number != int(number)) {
            return Error::invalid(u"callbackPort must be a port number (1-65535)"_s);
        }
        state = u"cli:%1:%2"_s.arg(int(number)).arg(state);
    }
    Result<Started> started = begin(state, {});
    if (!started) {
        return started.error();
    }
    audit(request, u"auth.login.start"_s, true, {});
    HttpResponse response = HttpResponse::json(200, QJsonObject{{u"url"_s, started->url}});
    response.headers.append({"Set-Cookie"_ba, started->cookie});
    response.setHeader("Cache-Control"_ba, "no-store"_ba);
    return response;
}

Result<HttpResponse> LoginRoutes::startGet(const HttpRequest &request)
{
    if (Result<void> on = enabled(); !on) {
        return on.error();
    }
    QString next = request.queryValue(u"next"_s);
    if (next.isEmpty()) {
        next = u"/"_s;
    }
    if (!isSafeNext(next, m_options.managementBaseUrl)) {
        return Error::invalid(u"invalid next path"_s);
    }
    Result<Started> started = begin(Crypto::base64UrlEncode(Crypto::randomBytes(24)), next);
    if (!started) {
        return started.error();
    }
    audit(request, u"auth.login.start"_s, true, {});
    HttpResponse response = redirect(started->url);
    response.headers.append({"Set-Cookie"_ba, started->cookie});
    return response;
}

bool LoginRoutes::consumeOnce(const QString &nonce, qint64 expiresAt)
{
    const qint64 now = m_clock().toSecsSinceEpoch();
    if (const auto it = m_usedStates.constFind(nonce); it != m_usedStates.cend() && *it > now) {
        return false;
    }
    // Forget expired states (their cookies are refused anyway) and, at the bound, the oldest:
    // a flood of completed logins cannot grow the set, and a replay of a forgotten state still
    // needs its authorization code, which the provider accepts once.
    const qsizetype bound = qMax<qsizetype>(1, m_options.maxUsedStates);
    while (!m_usedOrder.empty()) {
        const auto oldest = m_usedStates.constFind(m_usedOrder.front());
        const bool expired = oldest == m_usedStates.cend() || *oldest <= now;
        if (!expired && m_usedStates.size() < bound) {
            break;
        }
        if (oldest != m_usedStates.cend()) {
            m_usedStates.erase(oldest);
        }
        m_usedOrder.pop_front();
    }
    m_usedStates.insert(nonce, expiresAt);
    m_usedOrder.push_back(nonce);
    return true;
}

void LoginRoutes::callback(const HttpRequest &request, const Responder &responder)
{
    if (Result<void> on = enabled(); !on) {
        responder.sendError(on.error());
        return;
    }
    const QString code = request.queryValue(u"code"_s);
    const QString state = request.queryValue(u"state"_s);
    if (!request.queryValue(u"error"_s).isEmpty()) {
        audit(request, u"auth.login.complete"_s, false, u"login failed"_s);
        responder.sendError(Error::unauthenticated(u"login failed"_s));
        return;
    }
    if (code.isEmpty() || state.isEmpty()) {
        responder.sendError(Error::invalid(u"code and state are required"_s));
        return;
    }
    const bool cli = request.queryValue(u"cli"_s) == u"1"_s;
    if (state.startsWith(u"cli:"_s) && !cli) {
        Result<HttpResponse> handoff = cliHandoff(code, state);
        if (!handoff) {
            responder.sendError(handoff.error());
            return;
        }
        responder.send(*handoff);
        return;
    }
    Result<QJsonObject> claims = checkState(request, state);
    if (!claims) {
        responder.sendError(claims.error());
        return;
    }
    const QJsonObject stateClaims = *claims;
    m_provider->completeLogin(
        code,
        redirectUri(),
        stateClaims.value(u"n"_s).toString(),
        stateClaims.value(u"v"_s).toString(),
        [this, request, responder, stateClaims, cli](const Result<OidcIdentity> &identity) {
            completeLogin(request, responder, stateClaims, cli, identity);
        });
}

Result<HttpResponse> LoginRoutes::cliHandoff(const QString &code, const QString &state)
{
    // The browser leg of a CLI login: hand the code to the CLI's loopback listener, which calls
    // back with cli=1 and the login_state cookie it received.
    bool ok = false;
    const int port = state.section(u':', 1, 1).toInt(&ok);
    if (!ok || port < 1 || port > 65535) {
        return Error::invalid(u"invalid state"_s);
    }
    QUrl target(u"http://127.0.0.1:%1/"_s.arg(port));
    target.setQuery(QUrlQuery{{u"code"_s, code}, {u"state"_s, state}});
    return redirect(target.toString());
}

Result<QJsonObject> LoginRoutes::checkState(const HttpRequest &request, const QString &state)
{
    Result<QJsonObject> claims =
        Crypto::SealedToken::decode(m_sealer, request.cookie(StateCookie.toString()), m_clock());
    if (!claims || claims->value(u"purpose"_s).toString() != u"login"_s
        || !Crypto::constantTimeEquals(claims->value(u"s"_s).toString().toUtf8(), state.toUtf8())
        || !consumeOnce(claims->value(u"n"_s).toString(),
                        qint64(claims->value(u"exp"_s).toDouble()))) {
        audit(request, u"auth.login.complete"_s, false, u"login state validation failed"_s);
        return Error::forbidden(u"login state validation failed"_s);
    }
    return claims;
}

void LoginRoutes::completeLogin(const HttpRequest &request,
                                const Responder &responder,
                                const QJsonObject &stateClaims,
                                bool cli,
                                const Result<OidcIdentity> &identity)
{
    if (!identity) {
        qCWarning(lcIdentity).noquote() << "login: failed:" << identity.error().message;
        audit(request, u"auth.login.complete"_s, false, u"login failed"_s);
        responder.sendError(Error::unauthenticated(u"login failed"_s));
        return;
    }
    Result<Principal> principal = m_identity.userPrincipal(
        identity->email, identity->displayName, Principal::Source::Session);
    if (!principal) {
        responder.sendError(principal.error());
        return;
    }
    audit(request, u"auth.login.complete"_s, true, {}, principal->subjectId);
    Result<HttpResponse> response =
        cli ? cliTokenResponse(*principal)
            : sessionResponse(*principal, *identity, stateClaims.value(u"next"_s).toString());
    if (!response) {
        responder.sendError(response.error());
        return;
    }
    response->headers.append(
        {"Set-Cookie"_ba, m_sessions->cookieFor(StateCookie, QString(), std::chrono::seconds(0))});
    response->setHeader("Cache-Control"_ba, "no-store"_ba);
    responder.send(*response);
}

Result<HttpResponse> LoginRoutes::cliTokenResponse(const Principal &principal)
{
    Result<IssuedToken> issued = m_tokens.issue(
        TokenOwner{u"user"_s, principal.userId, principal.subjectId},
        QJsonObject{{u"name"_s, u"cli login %1"_s.arg(m_clock().toString(Qt::ISODate))}},
        TokenService::Expiry::CliLogin);
    if (!issued) {
        return issued.error();
    }
    QJsonObject json = TokenService::toJson(issued->record);
    json.insert(u"token"_s, issued->plaintext);
    return HttpResponse::json(200, json);
}

HttpResponse LoginRoutes::sessionResponse(const Principal &principal,
                                          const OidcIdentity &identity,
                                          const QString &next)
{
    User user;
    user.id = principal.userId;
    user.email = principal.email;
    user.displayName = principal.displayName;
    const QString session = m_sessions->issue(user, identity.avatarUrl);
    HttpResponse response =
        next.isEmpty() ? HttpResponse::json(
            200, QJsonObject{{u"email"_s, user.email}, {u"displayName"_s, user.displayName}})
                       : redirect(next);
    response.headers.append({"Set-Cookie"_ba, m_sessions->cookie(session)});
    return response;
}

Result<HttpResponse> LoginRoutes::logout(const HttpRequest &request)
{
    audit(request, u"auth.logout"_s, true, {});
    HttpResponse response = HttpResponse::json(200, QJsonObject{{u"status"_s, u"ok"_s}});
    if (m_sessions) {
        response.headers.append({"Set-Cookie"_ba, m_sessions->clearingCookie()});
    }
    return response;
}

void LoginRoutes::audit(const HttpRequest &request,
                        const QString &action,
                        bool allowed,
                        const QString &error,
                        const QString &subjectId)
{
    AuditEvent event = AuditEvent::forRequest(request, action, {u"session"_s, {}, {}});
    // Who the login is about, whoever (if anyone) is calling.
    event.authSource = u"session"_s;
    event.subjectId = subjectId;
    event.subjectKind = subjectId.section(u':', 0, 0);
    event.allowed = allowed;
    event.error = error;
    m_audit.record(std::move(event));
}

} // namespace Gestalt
