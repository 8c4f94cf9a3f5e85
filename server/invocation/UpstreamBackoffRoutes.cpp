// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/UpstreamBackoffRoutes.h"

#include "authz/AdminGuard.h"
#include "invocation/UpstreamBackoff.h"
#include "shared/TimeFormat.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Gestalt {

UpstreamBackoffRoutes::UpstreamBackoffRoutes(const AdminGuard &guard, UpstreamBackoff &backoff)
    : m_guard(guard)
    , m_backoff(backoff)
{}

void UpstreamBackoffRoutes::registerRoutes(Router &router) const
{
    router.route(u"GET"_s,
                 u"/admin/api/v1/limits/upstream"_s,
                 RouteAuth::Public,
                 this,
                 &UpstreamBackoffRoutes::list);
}

Result<HttpResponse> UpstreamBackoffRoutes::list(const HttpRequest &request) const
{
    if (auto admitted = m_guard.admit(request); !admitted) {
        return admitted.error();
    }
    const QDateTime now = m_backoff.now();
    QJsonArray blocked;
    for (const UpstreamBackoff::Blocked &entry : m_backoff.blocked()) {
        const auto nullable = [](const QString &value) {
            return value.isEmpty() ? QJsonValue() : QJsonValue(value);
        };
        blocked.append(QJsonObject{
            {u"app"_s, entry.key.app},
            {u"connection"_s, nullable(entry.key.connection)},
            {u"instance"_s, nullable(entry.instance)},
            {u"subject"_s, nullable(entry.subject)},
            {u"until"_s, isoUtc(entry.until)},
            {u"retryAfter"_s, qMax(qint64(1), (now.msecsTo(entry.until) + 999) / 1000)},
        });
    }
    return HttpResponse::json(200, QJsonObject{{u"blocked"_s, blocked}});
}

} // namespace Gestalt
