// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/OidcProvider.h"

#include "core/Logging.h"
#include "crypto/Base64.h"
#include "crypto/Hash.h"
#include "crypto/Jwt.h"
#include "crypto/Random.h"
#include "httpclient/OAuthClient.h"
#include "httpclient/UpstreamClient.h"
#include "shared/JsonParse.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int kTimeoutMs = 10'000;
constexpr qint64 kMaxMetadataBytes = 256LL * 1024; // discovery document, JWKS
constexpr qint64 kMaxTokenBytes = 1024LL * 1024;   // token endpoint answer
constexpr std::chrono::seconds kFirstRetry{1};
constexpr std::chrono::seconds kMaxRetry{60};
constexpr std::chrono::hours kRefreshInterval{1};
constexpr qint64 kUnknownKidRefreshSeconds = 60;

struct Answer
{
    int status = 0;
    QByteArray body;
};

Error rejected(const QString &reason)
{
    return Error::unauthenticated(reason);
}

Error notReady()
{
    return Error::unavailable(u"authentication provider is not ready"_s);
}

// UpstreamClient's wording for a call that ran out of time, or a body over the cap.
const QString kUpstreamTimedOut = u"upstream service timed out"_s;
const QString kUpstreamTooLarge = u"upstream response exceeds the size limit"_s;

// An OAuth `error` code is a short token; anything else is not repeated.
QString safeErrorCode(const QByteArray &body)
{
    static const QRegularExpression token(u"^[A-Za-z0-9_.-]{1,64}$"_s);
    const QString code = parseJsonObject(body).value_or(QJsonObject()).value(u"error"_s).toString();
    return token.match(code).hasMatch() ? code : QString();
}

QStringList audiencesOf(const QJsonValue &aud)
{
    QStringList out;
    if (aud.isString()) {
        out.append(aud.toString());
    } else if (aud.isArray()) {
        const QJsonArray items = aud.toArray();
        for (const auto &item : items) {
            if (item.isString()) {
                out.append(item.toString());
            }
        }
    }
    return out;
}

QByteArray formField(const QString &key, const QString &value)
{
    return QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
}

} // namespace

struct OidcProvider::Impl
{
    OidcProvider *q;
    UpstreamClient &upstream;
    QTimer retryTimer;
    QTimer refreshTimer;
    QString authorizationEndpoint;
    QUrl tokenEndpoint;
    QUrl jwksUri;
    Crypto::Jwks keys;
    bool started = false;
    bool ready = false;
    bool jwksInFlight = false;
    bool destroying = false;
    std::chrono::seconds backoff = kFirstRetry;
    QString lastError = u"not started"_s;
    QDateTime lastUnknownKidRefresh;
    QList<std::function<void()>> afterJwks; // waiting for the JWKS fetch under way
    // Requests in flight: aborted (their callbacks ignored) when the provider goes.
    QList<std::shared_ptr<UpstreamCall>> calls;

    Impl(OidcProvider *owner, UpstreamClient &client)
        : q(owner)
        , upstream(client)
    {
        retryTimer.setSingleShot(true);
        refreshTimer.setInterval(kRefreshInterval);
    }

    void send(UpstreamRequest request, qint64 cap, std::function<void(Result<Answer>)> done);
    void fetchDiscovery();
    void fetchJwks();
    void failed(const QString &why);
    [[nodiscard]] bool refreshForUnknownKid();
    void validateLogin(const QString &idToken,
                       const QString &nonce,
                       bool mayRefresh,
                       const LoginCallback &callback);
    [[nodiscard]] Result<OidcIdentity> check(const QString &token, const QString *nonce) const;
};

void OidcProvider::Impl::send(UpstreamRequest request,
                              qint64 cap,
                              std::function<void(Result<Answer>)> done)
{
    const QString host = request.url.host();
    request.headers.append({"Accept"_ba, "application/json"_ba});
    UpstreamOptions options;
    options.timeout = std::chrono::milliseconds(kTimeoutMs); // the whole exchange
    options.maxBodyBytes = cap;                              // refused as it arrives
    options.egress = q->m_settings.egress;
    auto call = std::make_shared<std::shared_ptr<UpstreamCall>>();
    *call = upstream.send(
        request,
        options,
        [this, call, host, cap, done = std::move(done)](Result<UpstreamResponse> answer) {
            if (destroying) {
                return;
            }
            calls.removeOne(*call);
            call->reset();
            if (!answer) {
                const Error &error = answer.error();
                if (error.code == ErrorCode::Forbidden) {
                    done(Error::unavailable(error.message)); // egress: nothing was sent
                } else if (error.message == kUpstreamTimedOut) {
                    done(Error::unavailable(
                        u"%1 did not answer within %2 ms"_s.arg(host).arg(kTimeoutMs)));
                } else if (error.message == kUpstreamTooLarge) {
                    done(Error::unavailable(
                        u"%1 answered with more than %2 bytes"_s.arg(host).arg(cap)));
                } else {
                    done(Error::unavailable(u"%1 unreachable: %2"_s.arg(host, error.message)));
                }
                return;
            }
            if (answer->status >= 300 && answer->status < 400) {
                done(Error::unavailable(
                    u"%1 answered with a redirect (HTTP %2); redirects are not followed"_s.arg(host)
                        .arg(answer->status)));
                return;
            }
            done(Answer{answer->status, std::move(answer->body)});
        });
    if (*call) {
        calls.append(*call);
    }
}

void OidcProvider::Impl::failed(const QString &why)
{
    lastError = why;
    qCWarning(lcIdentity).noquote() << "OIDC provider" << q->m_settings.providerName << "-" << why
                                    << "- retrying in" << backoff.count() << "s";
    retryTimer.start(backoff);
    backoff = std::min(backoff * 2, kMaxRetry);
}

void OidcProvider::Impl::fetchDiscovery()
{
    QString base = q->m_settings.issuerUrl;
    while (base.endsWith(u'/')) {
        base.chop(1);
    }
    UpstreamRequest request;
    request.method = u"GET"_s;
    request.url = QUrl(base + u"/.well-known/openid-configuration"_s);
    send(request, kMaxMetadataBytes, [this](Result<Answer> answer) {
        if (!answer) {
            failed(u"discovery failed: "_s + answer.error().message);
            return;
        }
        if (answer->status != 200) {
            failed(u"discovery answered HTTP %1"_s.arg(answer->status));
            return;
        }
        const std::optional<QJsonObject> document = parseJsonObject(answer->body);
        if (!document) {
            failed(u"discovery document is not a JSON object"_s);
            return;
        }
        const QString issuer = document->value(u"issuer"_s).toString();
        if (issuer != q->m_settings.issuerUrl) {
            failed(u"discovery issuer \"%1\" does not match issuerUrl \"%2\""_s.arg(
                issuer.left(200), q->m_settings.issuerUrl));
            return;
        }
        QList<QUrl> endpoints;
        for (const QString &key :
             {u"authorization_endpoint"_s, u"token_endpoint"_s, u"jwks_uri"_s}) {
            const QUrl endpoint(document->value(key).toString(), QUrl::StrictMode);
            if (!q->m_settings.allowsUrl(endpoint)) {
                failed(u"discovery document has no usable %1 (absolute https URL)"_s.arg(key));
                return;
            }
            // The server itself calls these two: they must be hosts the provider may reach (the
            // authorization endpoint is where the browser goes).
            if (key != u"authorization_endpoint") {
                if (Result<void> allowed = q->m_settings.egress.checkHost(endpoint.host());
                    !allowed) {
                    failed(u"discovery document's %1: %2"_s.arg(key, allowed.error().message));
                    return;
                }
            }
            endpoints.append(endpoint);
        }
        authorizationEndpoint = endpoints[0].toString(QUrl::FullyEncoded);
        tokenEndpoint = endpoints[1];
        jwksUri = endpoints[2];
        fetchJwks();
    });
}

void OidcProvider::Impl::fetchJwks()
{
    jwksInFlight = true;
    UpstreamRequest request;
    request.method = u"GET"_s;
    request.url = jwksUri;
    send(request, kMaxMetadataBytes, [this](Result<Answer> answer) {
        jwksInFlight = false;
        QString problem;
        if (!answer) {
            problem = u"JWKS fetch failed: "_s + answer.error().message;
        } else if (answer->status != 200) {
            problem = u"JWKS answered HTTP %1"_s.arg(answer->status);
        } else if (Result<Crypto::Jwks> parsed = Crypto::Jwks::parse(answer->body); !parsed) {
            problem = u"JWKS is not a JSON Web Key Set"_s;
        } else if (parsed->isEmpty()) {
            problem = u"JWKS has no usable RS256/ES256 signing key"_s;
        } else {
            keys = std::move(*parsed);
            backoff = kFirstRetry;
            qCDebug(lcIdentity) << "OIDC JWKS loaded:" << keys.size() << "keys";
        }
        if (!problem.isEmpty()) {
            failed(problem); // before ready: discovery again; after: keep the keys we have
        } else if (!ready) {
            ready = true;
            lastError.clear();
            refreshTimer.start();
            qCInfo(lcIdentity).noquote() << "OIDC provider" << q->m_settings.providerName
                                         << "ready for issuer" << q->m_settings.issuerUrl;
            Q_EMIT q->ready();
        }
        const QList<std::function<void()>> waiting = std::exchange(afterJwks, {});
        for (const std::function<void()> &resume : waiting) {
            resume();
        }
    });
}

bool OidcProvider::Impl::refreshForUnknownKid()
{
    if (jwksInFlight) {
        return true;
    }
    if (!ready) {
        return false;
    }
    const QDateTime now = q->m_clock();
    if (lastUnknownKidRefresh.isValid()) {
        const qint64 since = lastUnknownKidRefresh.secsTo(now);
        if (since >= 0 && since < kUnknownKidRefreshSeconds) {
            qCDebug(lcIdentity) << "unknown signing key; JWKS refreshed less than a minute ago";
            return false;
        }
    }
    lastUnknownKidRefresh = now;
    qCInfo(lcIdentity) << "a token names an unknown signing key; refreshing the JWKS";
    retryTimer.stop();
    fetchJwks();
    return true;
}

Result<OidcIdentity> OidcProvider::Impl::check(const QString &token, const QString *nonce) const
{
    const OidcSettings &settings = q->m_settings;
    Result<Crypto::VerifiedJwt> verified = Crypto::verifyJws(token, keys);
    if (!verified) {
        if (verified.error().code == ErrorCode::NotFound) {
            return verified.error();
        }
        return rejected(u"token is malformed or its signature is wrong"_s);
    }
    const QJsonObject &claims = verified->claims;
    if (claims.value(u"iss"_s).toString() != settings.issuerUrl) {
        return rejected(u"token issuer does not match"_s);
    }
    const QStringList audiences = audiencesOf(claims.value(u"aud"_s));
    if (nonce) {
        if (!audiences.contains(settings.clientId)) {
            return rejected(u"ID token audience does not include the client id"_s);
        }
        const QJsonValue azp = claims.value(u"azp"_s);
        if ((audiences.size() > 1 || !azp.isUndefined()) && azp != settings.clientId) {
            return rejected(u"ID token azp is not the client id"_s);
        }
    } else if (!audiences.contains(settings.clientId)
               && std::none_of(audiences.cbegin(), audiences.cend(), [&](const QString &aud) {
                      return settings.audiences.contains(aud);
                  })) {
        return rejected(u"token audience is not accepted"_s);
    }
    const QDateTime now = q->m_clock();
    if (Result<void> times = Crypto::Jwt::checkTimes(claims, now); !times) {
        return rejected(times.error().message == u"invalid token" ? u"token has no valid exp/nbf"_s
                                                                  : times.error().message);
    }
    const QJsonValue iat = claims.value(u"iat"_s);
    if ((nonce && !iat.isDouble()) || (!iat.isUndefined() && !iat.isDouble())
        || iat.toDouble()
               > static_cast<double>(now.toSecsSinceEpoch() + Crypto::Jwt::LeewaySeconds)) {
        return rejected(u"token iat is missing or in the future"_s);
    }
    if (nonce != nullptr
        && (nonce->isEmpty() || !claims.value(u"nonce"_s).isString()
            || !Crypto::constantTimeEquals(claims.value(u"nonce"_s).toString().toUtf8(),
                                           nonce->toUtf8()))) {
        return rejected(u"ID token nonce does not match the login"_s);
    }
    OidcIdentity identity;
    identity.subject = claims.value(u"sub"_s).toString();
    if (identity.subject.isEmpty()) {
        return rejected(u"token has no sub"_s);
    }
    identity.email = claims.value(u"email"_s).toString().trimmed().toLower();
    static const QRegularExpression emailShape(u"^[^@\\s]+@[^@\\s]+$"_s);
    if (!emailShape.match(identity.email).hasMatch()) {
        return rejected(u"token has no usable email"_s);
    }
    const QJsonValue verifiedEmail = claims.value(u"email_verified"_s);
    if (verifiedEmail == QJsonValue(false) || verifiedEmail == u"false"_s) {
        return rejected(u"email is not verified"_s);
    }
    const QString domain = identity.email.section(u'@', -1);
    if (!settings.allowedDomains.isEmpty() && !settings.allowedDomains.contains(domain)) {
        return rejected(u"email domain is not allowed"_s);
    }
    identity.displayName = claims.value(u"name"_s).toString();
    if (identity.displayName.isEmpty()) {
        identity.displayName = claims.value(u"preferred_username"_s).toString();
    }
    identity.avatarUrl = claims.value(u"picture"_s).toString();
    return identity;
}

void OidcProvider::Impl::validateLogin(const QString &idToken,
                                       const QString &nonce,
                                       bool mayRefresh,
                                       const LoginCallback &callback)
{
    Result<OidcIdentity> identity = check(idToken, &nonce);
    if (!identity && identity.error().code == ErrorCode::NotFound) {
        if (mayRefresh && refreshForUnknownKid()) {
            afterJwks.append([this, idToken, nonce, callback] {
                validateLogin(idToken, nonce, false, callback);
            });
            return;
        }
        identity = rejected(u"ID token signing key not found"_s);
    }
    if (!identity) {
        qCDebug(lcIdentity).noquote() << "login rejected:" << identity.error().message;
    }
    callback(std::move(identity));
}

OidcProvider::OidcProvider(OidcSettings settings,
                           UpstreamClient &upstream,
                           Clock clock,
                           QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_clock(std::move(clock))
    , d(std::make_unique<Impl>(this, upstream))
{
    connect(&d->retryTimer, &QTimer::timeout, this, [this] {
        d->ready ? d->fetchJwks() : d->fetchDiscovery();
    });
    connect(&d->refreshTimer, &QTimer::timeout, this, [this] {
        if (!d->jwksInFlight) {
            d->fetchJwks();
        }
    });
}

OidcProvider::~OidcProvider()
{
    d->destroying = true;
    const QList<std::shared_ptr<UpstreamCall>> calls = std::exchange(d->calls, {});
    for (const std::shared_ptr<UpstreamCall> &call : calls) {
        call->abort(); // calls back at once; ignored while destroying
    }
}

void OidcProvider::start()
{
    if (d->started) {
        return;
    }
    d->started = true;
    d->lastError = u"discovery has not completed yet"_s;
    d->fetchDiscovery();
}

bool OidcProvider::isReady() const
{
    return d->ready;
}

QString OidcProvider::lastError() const
{
    return d->ready ? QString() : d->lastError;
}

Result<OidcProvider::LoginStart> OidcProvider::beginLogin(const QString &state,
                                                          const QString &redirectUri)
{
    if (!d->ready) {
        return notReady();
    }
    const QString redirect = redirectUri.isEmpty() ? m_settings.redirectUrl : redirectUri;
    if (redirect.isEmpty() || state.isEmpty()) {
        return Error::internal(u"login needs a state and a redirect URL"_s);
    }
    LoginStart start;
    start.nonce = Crypto::randomUrlToken(32);
    if (m_settings.pkce) {
        start.codeVerifier = OAuthClient::newCodeVerifier();
    }
    AuthConfig auth;
    auth.authorizationUrl = d->authorizationEndpoint;
    auth.clientId = m_settings.clientId;
    auth.scopes = m_settings.scopes;
    auth.authorizationParams.insert(u"nonce"_s, start.nonce);
    start.url = OAuthClient::authorizationUrl(auth, redirect, state, {}, start.codeVerifier, {})
                    .toString(QUrl::FullyEncoded);
    return start;
}

void OidcProvider::completeLogin(const QString &code,
                                 const QString &redirectUri,
                                 const QString &nonce,
                                 const QString &codeVerifier,
                                 LoginCallback callback)
{
    const auto failLater = [this, &callback](const Error &error) {
        QMetaObject::invokeMethod(
            this, [callback, error] { callback(error); }, Qt::QueuedConnection);
    };
    if (!d->ready) {
        failLater(notReady());
        return;
    }
    const QString redirect = redirectUri.isEmpty() ? m_settings.redirectUrl : redirectUri;
    if (code.isEmpty() || nonce.isEmpty() || redirect.isEmpty()) {
        failLater(rejected(u"login callback lacks a code, nonce or redirect URL"_s));
        return;
    }
    QByteArray body = formField(u"grant_type"_s, u"authorization_code"_s) + '&'
                      + formField(u"code"_s, code) + '&' + formField(u"redirect_uri"_s, redirect);
    if (!codeVerifier.isEmpty()) {
        body += '&' + formField(u"code_verifier"_s, codeVerifier);
    }
    UpstreamRequest request;
    request.method = u"POST"_s;
    request.url = d->tokenEndpoint;
    request.headers.append({"Content-Type"_ba, "application/x-www-form-urlencoded"_ba});
    if (m_settings.clientSecret.isEmpty()) {
        body += '&' + formField(u"client_id"_s, m_settings.clientId);
    } else {
        // client_secret_basic (RFC 6749 section 2.3.1: each part form-encoded first).
        const QByteArray credentials = QUrl::toPercentEncoding(m_settings.clientId) + ':'
                                       + QUrl::toPercentEncoding(m_settings.clientSecret);
        request.headers.append(
            {"Authorization"_ba, "Basic "_ba + Crypto::base64Encode(credentials).toLatin1()});
    }
    request.body = body;
    d->send(request,
            kMaxTokenBytes,
            [this, nonce, callback = std::move(callback)](Result<Answer> answer) {
                if (!answer) {
                    callback(rejected(u"token endpoint failed: "_s + answer.error().message));
                    return;
                }
                if (answer->status != 200) {
                    const QString errorCode = safeErrorCode(answer->body);
                    callback(
                        rejected(u"token endpoint answered HTTP %1%2"_s.arg(answer->status)
                                     .arg(errorCode.isEmpty() ? QString() : u" "_s + errorCode)));
                    return;
                }
                const QString idToken = parseJsonObject(answer->body)
                                            .value_or(QJsonObject())
                                            .value(u"id_token"_s)
                                            .toString();
                if (idToken.isEmpty()) {
                    callback(rejected(u"token response has no id_token"_s));
                    return;
                }
                d->validateLogin(idToken, nonce, true, callback);
            });
}

Result<OidcIdentity> OidcProvider::validateBearer(const QString &token)
{
    if (!d->ready) {
        return notReady();
    }
    Result<OidcIdentity> identity = d->check(token, nullptr);
    if (identity) {
        return identity;
    }
    if (identity.error().code == ErrorCode::NotFound) {
        static_cast<void>(d->refreshForUnknownKid());
    }
    qCDebug(lcIdentity).noquote() << "bearer token rejected:" << identity.error().message;
    return Error::unauthenticated(u"invalid token"_s);
}

bool OidcProvider::isOwnToken(const QString &token) const
{
    return !token.isEmpty()
           && Crypto::peekJwsClaims(token).value(u"iss"_s).toString() == m_settings.issuerUrl;
}

} // namespace Gestalt
