// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/BindingVerifier.h"

#include "crypto/Hash.h"

#include <QList>
#include <QtGlobal>

#include <algorithm>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int kDefaultMaxAgeSeconds = 300;
constexpr qsizetype kMaxReplayEntries = 10000;
constexpr qsizetype kEvictionBatch = kMaxReplayEntries / 10;

const QString kRawBody = u"{raw_body}"_s;
const QString kHeaderOpen = u"{header:"_s;

// The payload the sender signed: the template with {raw_body} and {header:Name} filled in.
// Unknown placeholders stay as written.
QByteArray expandPayload(const QString &payloadTemplate, const HttpRequest &request)
{
    const QString tmpl = payloadTemplate.isEmpty() ? kRawBody : payloadTemplate;
    QByteArray payload;
    qsizetype pos = 0;
    while (pos < tmpl.size()) {
        const qsizetype open = tmpl.indexOf(u'{', pos);
        if (open < 0) {
            payload += QStringView(tmpl).mid(pos).toUtf8();
            break;
        }
        payload += QStringView(tmpl).mid(pos, open - pos).toUtf8();
        const QStringView rest = QStringView(tmpl).mid(open);
        if (rest.startsWith(kRawBody)) {
            payload += request.body;
            pos = open + kRawBody.size();
            continue;
        }
        if (rest.startsWith(kHeaderOpen)) {
            const qsizetype close = tmpl.indexOf(u'}', open + kHeaderOpen.size());
            if (close > open + kHeaderOpen.size()) {
                const QStringView name = QStringView(tmpl).mid(open + kHeaderOpen.size(),
                                                               close - open - kHeaderOpen.size());
                payload += request.header(name.toUtf8());
                pos = close + 1;
                continue;
            }
        }
        payload += '{';
        pos = open + 1;
    }
    return payload;
}

// Unix seconds, digits only (after trimming).
std::optional<qint64> parseUnixSeconds(const QByteArray &value)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty() || trimmed.size() > 18) {
        return std::nullopt;
    }
    for (const char c : trimmed) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
    }
    bool ok = false;
    const qint64 seconds = trimmed.toLongLong(&ok);
    return ok ? std::optional<qint64>(seconds) : std::nullopt;
}

// Keeps the replay memory bounded: once full, forget this binding's expired signatures and then,
// if still full, the oldest tenth (a sweep per many requests, not per request). Expired entries
// of quiet bindings are ignored on lookup and leave with the oldest.
void makeRoom(QHash<QString, QDateTime> &seen,
              const QString &prefix,
              const QDateTime &now,
              qint64 maxAge)
{
    if (seen.size() < kMaxReplayEntries) {
        return;
    }
    for (auto it = seen.begin(); it != seen.end();) {
        if (it.key().startsWith(prefix) && it.value().secsTo(now) > maxAge) {
            it = seen.erase(it);
        } else {
            ++it;
        }
    }
    if (seen.size() < kMaxReplayEntries) {
        return;
    }
    QList<QDateTime> times = seen.values();
    const auto cutoff = times.begin() + (kEvictionBatch - 1);
    std::nth_element(times.begin(), cutoff, times.end());
    const QDateTime newestEvicted = *cutoff;
    seen.removeIf([&newestEvicted](QHash<QString, QDateTime>::iterator it) {
        return it.value() <= newestEvicted;
    });
}

Error invalidCredentials()
{
    return Error::unauthenticated(u"invalid credentials"_s);
}

// The scheme's secret, read now (so rotating the environment needs no reload). Never in messages.
Result<QByteArray> resolveSecret(const SecurityScheme &scheme,
                                 const BindingVerifier::Environment &environment)
{
    if (!scheme.secretValue.isEmpty()) {
        return scheme.secretValue.toUtf8();
    }
    if (scheme.secretEnv.isEmpty()) {
        return Error::internal(u"secret for security scheme is not configured"_s);
    }
    const QString value = environment(scheme.secretEnv);
    if (value.isEmpty()) {
        return Error::internal(
            u"secret for security scheme is not configured: environment variable "_s
            + scheme.secretEnv + u" is unset or empty"_s);
    }
    return value.toUtf8();
}

Result<void>
verifyApiKey(const SecurityScheme &scheme, const HttpRequest &request, const QByteArray &secret)
{
    if (scheme.name.isEmpty()) {
        return Error::internal(u"apiKey security scheme has no name"_s);
    }
    QByteArray presented;
    if (scheme.in.isEmpty() || scheme.in.compare(u"header"_s, Qt::CaseInsensitive) == 0) {
        presented = request.header(scheme.name.toUtf8()).trimmed();
    } else if (scheme.in.compare(u"query"_s, Qt::CaseInsensitive) == 0) {
        presented = request.queryValue(scheme.name).toUtf8();
    } else {
        return Error::internal(u"apiKey security scheme has unsupported location \""_s + scheme.in
                               + u"\""_s);
    }
    if (presented.isEmpty() || !Crypto::constantTimeEquals(presented, secret)) {
        return Error::unauthenticated(u"invalid API key"_s);
    }
    return {};
}

Result<void>
verifyHttpAuth(const SecurityScheme &scheme, const HttpRequest &request, const QByteArray &secret)
{
    const bool bearer = scheme.scheme.compare(u"bearer"_s, Qt::CaseInsensitive) == 0;
    const bool basic = scheme.scheme.compare(u"basic"_s, Qt::CaseInsensitive) == 0;
    if (!bearer && !basic) {
        return Error::internal(u"http security scheme has unsupported scheme \""_s + scheme.scheme
                               + u"\""_s);
    }
    const QByteArray authorization = request.header("authorization").trimmed();
    const qsizetype space = authorization.indexOf(' ');
    if (space <= 0) {
        return invalidCredentials();
    }
    const QByteArray authScheme = authorization.left(space);
    const QByteArray credentials = authorization.mid(space + 1).trimmed();
    if (credentials.isEmpty()) {
        return invalidCredentials();
    }
    if (bearer) {
        if (authScheme.compare("bearer", Qt::CaseInsensitive) != 0
            || !Crypto::constantTimeEquals(credentials, secret)) {
            return invalidCredentials();
        }
        return {};
    }
    if (authScheme.compare("basic", Qt::CaseInsensitive) != 0) {
        return invalidCredentials();
    }
    const auto decoded =
        QByteArray::fromBase64Encoding(credentials, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty()
        || !Crypto::constantTimeEquals(decoded.decoded, secret)) {
        return invalidCredentials();
    }
    return {};
}

} // namespace

BindingVerifier::BindingVerifier(Clock clock, Environment environment)
    : m_clock(std::move(clock))
    , m_environment(std::move(environment))
{
    if (!m_environment) {
        m_environment = [](const QString &name) {
            return qEnvironmentVariable(name.toLocal8Bit().constData());
        };
    }
}

Result<BindingVerdict> BindingVerifier::verify(const QString &bindingKey,
                                               const SecurityScheme &scheme,
                                               const HttpRequest &request,
                                               bool trackReplays)
{
    const QString type = scheme.type;
    if (type.compare(u"none"_s, Qt::CaseInsensitive) == 0) {
        return BindingVerdict{};
    }
    const bool hmac = type.compare(u"hmac"_s, Qt::CaseInsensitive) == 0;
    const bool apiKey = type.compare(u"apiKey"_s, Qt::CaseInsensitive) == 0;
    const bool http = type.compare(u"http"_s, Qt::CaseInsensitive) == 0;
    if (!hmac && !apiKey && !http) {
        return Error::internal(u"unsupported security scheme type \""_s + type + u"\""_s);
    }
    if (hmac && scheme.signatureHeader.isEmpty()) {
        return Error::internal(u"hmac security scheme has no signatureHeader"_s);
    }

    const Result<QByteArray> secret = resolveSecret(scheme, m_environment);
    if (!secret) {
        return secret.error();
    }
    if (apiKey) {
        if (Result<void> checked = verifyApiKey(scheme, request, *secret); !checked) {
            return checked.error();
        }
        return BindingVerdict{};
    }
    if (http) {
        if (Result<void> checked = verifyHttpAuth(scheme, request, *secret); !checked) {
            return checked.error();
        }
        return BindingVerdict{};
    }

    // hmac: signature first, so only a correctly signed request learns about its timestamp.
    const QByteArray presented = request.header(scheme.signatureHeader.toUtf8()).trimmed();
    if (presented.isEmpty()) {
        return Error::unauthenticated(u"missing request signature"_s);
    }
    const QByteArray expected =
        scheme.signaturePrefix.toUtf8()
        + Crypto::hmacSha256(*secret, expandPayload(scheme.payloadTemplate, request)).toHex();
    if (!Crypto::constantTimeEquals(presented, expected)) {
        return Error::unauthenticated(u"invalid request signature"_s);
    }
    if (scheme.timestampHeader.isEmpty()) {
        return BindingVerdict{};
    }

    const qint64 maxAge = scheme.maxAgeSeconds > 0 ? scheme.maxAgeSeconds : kDefaultMaxAgeSeconds;
    const QDateTime now = m_clock();
    const std::optional<qint64> timestamp =
        parseUnixSeconds(request.header(scheme.timestampHeader.toUtf8()));
    if (!timestamp || qAbs(now.toSecsSinceEpoch() - *timestamp) > maxAge) {
        return Error::unauthenticated(u"stale request timestamp"_s);
    }
    if (!trackReplays) {
        return BindingVerdict{};
    }

    const QString key = bindingKey + u'\n' + QString::fromLatin1(presented);
    const auto seen = m_seen.constFind(key);
    if (seen != m_seen.cend() && seen.value().secsTo(now) <= maxAge) {
        return BindingVerdict{.replay = true};
    }
    makeRoom(m_seen, bindingKey + u'\n', now, maxAge);
    m_seen.insert(key, now);
    return BindingVerdict{};
}

} // namespace Gestalt
