// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "runtime/RuntimeRoutes.h"

#include "authz/AdminGuard.h"
#include "crypto/Base64.h"
#include "http/Paging.h"
#include "runtime/RuntimeProvider.h"
#include "runtime/RuntimeSession.h"
#include "shared/TimeFormat.h"

#include <QJsonArray>

#include <optional>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int defaultLogLimit = 100;
constexpr int maxLogLimit = 1000;

// Plain decimal digits only (no sign, no spaces), as query values and page tokens carry them.
std::optional<qint64> nonNegativeInteger(QStringView text)
{
    if (text.isEmpty() || text.size() > 18) {
        return std::nullopt;
    }
    qint64 value = 0;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9') {
            return std::nullopt;
        }
        value = value * 10 + (c.unicode() - u'0');
    }
    return value;
}

// Page tokens: base64url of the decimal offset into the session list.
QString encodePageToken(qsizetype offset)
{
    return Crypto::base64UrlEncode(QByteArray::number(offset));
}

Result<qsizetype> pageOffset(const HttpRequest &request)
{
    const QString token = request.queryValue(u"pageToken"_s);
    if (token.isEmpty()) {
        return qsizetype(0);
    }
    const std::optional<QByteArray> bytes = Crypto::base64UrlDecode(token);
    const std::optional<qint64> offset =
        bytes ? nonNegativeInteger(QString::fromLatin1(*bytes)) : std::nullopt;
    if (!offset) {
        return Error::invalid(u"invalid pageToken"_s);
    }
    return qsizetype(*offset);
}

Result<RuntimeProvider *> providerOf(const RuntimeRegistry &registry, const HttpRequest &request)
{
    RuntimeProvider *provider = registry.provider(request.pathParam(u"provider"_s));
    if (!provider) {
        return Error::notFound(u"unknown runtime provider"_s);
    }
    return provider;
}

} // namespace

RuntimeRoutes::RuntimeRoutes(RuntimeRegistry &registry, const AdminGuard &guard)
    : m_registry(registry)
    , m_guard(guard)
{}

void RuntimeRoutes::registerRoutes(Router &router) const
{
    const QString base = u"/admin/api/v1/runtime/providers"_s;
    router.route(u"GET"_s, base, RouteAuth::Public, this, &RuntimeRoutes::providers);
    router.route(u"GET"_s,
                 base + u"/{provider}/sessions"_s,
                 RouteAuth::Public,
                 this,
                 &RuntimeRoutes::sessions);
    router.route(u"GET"_s,
                 base + u"/{provider}/sessions/{session}/logs"_s,
                 RouteAuth::Public,
                 this,
                 &RuntimeRoutes::logs);
}

Result<HttpResponse> RuntimeRoutes::providers(const HttpRequest &request) const
{
    if (auto admitted = m_guard.admit(request); !admitted) {
        return admitted.error();
    }
    QJsonArray items;
    for (const RuntimeProvider *provider : m_registry.providers()) {
        items.append(provider->toJson());
    }
    return HttpResponse::json(200, items);
}

Result<HttpResponse> RuntimeRoutes::sessions(const HttpRequest &request) const
{
    if (auto admitted = m_guard.admit(request); !admitted) {
        return admitted.error();
    }
    const Result<RuntimeProvider *> provider = providerOf(m_registry, request);
    if (!provider) {
        return provider.error();
    }
    const Result<int> size = Paging::pageSize(request);
    if (!size) {
        return size.error();
    }
    const Result<qsizetype> offset = pageOffset(request);
    if (!offset) {
        return offset.error();
    }
    if (!(*provider)->isLoaded()) {
        return Error::unavailable(
            u"runtime provider \"%1\" is not loaded"_s.arg((*provider)->name()));
    }
    const QList<RuntimeSession *> active = (*provider)->activeSessions();
    QJsonArray items;
    const qsizetype end = std::min<qsizetype>(active.size(), *offset + *size);
    for (qsizetype i = *offset; i < end; ++i) {
        items.append(active.at(i)->toJson());
    }
    QJsonObject body{{u"sessions"_s, items}};
    if (end < active.size()) {
        body.insert(u"nextPageToken"_s, encodePageToken(end));
    }
    return HttpResponse::json(200, body);
}

Result<HttpResponse> RuntimeRoutes::logs(const HttpRequest &request) const
{
    if (auto admitted = m_guard.admit(request); !admitted) {
        return admitted.error();
    }
    const Result<RuntimeProvider *> provider = providerOf(m_registry, request);
    if (!provider) {
        return provider.error();
    }
    const RuntimeSession *session = (*provider)->session(request.pathParam(u"session"_s));
    if (!session) {
        return Error::notFound(u"unknown runtime session"_s);
    }
    qint64 after = 0;
    if (const QString text = request.queryValue(u"after"_s); !text.isEmpty()) {
        const std::optional<qint64> value = nonNegativeInteger(text);
        if (!value) {
            return Error::invalid(u"after must be a non-negative integer"_s);
        }
        after = *value;
    }
    int limit = defaultLogLimit;
    if (const QString text = request.queryValue(u"limit"_s); !text.isEmpty()) {
        const std::optional<qint64> value = nonNegativeInteger(text);
        if (!value || *value < 1 || *value > maxLogLimit) {
            return Error::invalid(u"limit must be an integer between 1 and %1"_s.arg(maxLogLimit));
        }
        limit = int(*value);
    }
    QJsonArray items;
    for (const RuntimeSession::LogLine &line : session->logs(after, limit)) {
        items.append(QJsonObject{{u"seq"_s, line.seq},
                                 {u"stream"_s, line.stream},
                                 {u"message"_s, line.message},
                                 {u"observedAt"_s, isoUtc(line.observedAt)}});
    }
    return HttpResponse::json(200, items);
}

} // namespace Gestalt
