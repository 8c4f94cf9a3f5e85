// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "limits/LimitRoutes.h"

#include "authz/AdminGuard.h"
#include "limits/RateLimiter.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Gestalt {

LimitRoutes::LimitRoutes(RateLimiter *limiter, const AdminGuard &guard)
    : m_limiter(limiter)
    , m_guard(guard)
{}

void LimitRoutes::registerRoutes(Router &router) const
{
    router.route(
        u"GET"_s, u"/admin/api/v1/limits"_s, RouteAuth::Public, this, &LimitRoutes::limits);
}

Result<HttpResponse> LimitRoutes::limits(const HttpRequest &request) const
{
    if (auto admitted = m_guard.admit(request); !admitted) {
        return admitted.error();
    }
    if (!m_limiter) {
        return HttpResponse::json(200,
                                  QJsonObject{{u"limits"_s, QJsonArray()},
                                              {u"overrides"_s, QJsonArray()},
                                              {u"usage"_s, QJsonArray()}});
    }
    Result<QJsonObject> body = m_limiter->toJson();
    if (!body) {
        return body.error();
    }
    return HttpResponse::json(200, *body);
}

} // namespace Gestalt
