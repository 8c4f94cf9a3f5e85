// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "admin/AdminUserRoutes.h"

#include "audit/AuditLog.h"
#include "authz/AdminGuard.h"
#include "http/Paging.h"
#include "identity/IdentityService.h"
#include "shared/TimeFormat.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QJsonObject userJson(const User &user)
{
    QJsonObject json{{u"id"_s, user.id},
                     {u"email"_s, user.email},
                     {u"createdAt"_s, isoUtc(user.createdAt)},
                     {u"disabled"_s, user.disabledAt.has_value()}};
    if (!user.displayName.isEmpty()) {
        json.insert(u"displayName"_s, user.displayName);
    }
    if (user.disabledAt) {
        json.insert(u"disabledAt"_s, isoUtc(*user.disabledAt));
    }
    return json;
}

} // namespace

AdminUserRoutes::AdminUserRoutes(const AdminGuard &guard,
                                 IdentityService &identity,
                                 AuditLog &audit)
    : m_guard(guard)
    , m_identity(identity)
    , m_audit(audit)
{}

void AdminUserRoutes::registerRoutes(Router &router)
{
    const QString base = u"/admin/api/v1/users"_s;
    router.route(u"GET"_s, base, RouteAuth::Public, this, &AdminUserRoutes::list);
    router.route(
        u"POST"_s, base + u"/{id}/disable"_s, RouteAuth::Public, this, &AdminUserRoutes::disable);
    router.route(
        u"POST"_s, base + u"/{id}/enable"_s, RouteAuth::Public, this, &AdminUserRoutes::enable);
}

Result<HttpResponse> AdminUserRoutes::list(const HttpRequest &request) const
{
    if (auto admitted = m_guard.admit(request); !admitted) {
        return admitted.error();
    }
    const Result<int> size = Paging::pageSize(request);
    if (!size) {
        return size.error();
    }
    Result<UserPage> page = m_identity.listUsers(*size, request.queryValue(u"pageToken"_s));
    if (!page) {
        return page.error();
    }
    QJsonArray users;
    for (const User &user : std::as_const(page->users)) {
        users.append(userJson(user));
    }
    QJsonObject body{{u"users"_s, users}};
    if (!page->nextPageToken.isEmpty()) {
        body.insert(u"nextPageToken"_s, page->nextPageToken);
    }
    return HttpResponse::json(200, body);
}

Result<HttpResponse> AdminUserRoutes::disable(const HttpRequest &request)
{
    return setDisabled(request, true);
}

Result<HttpResponse> AdminUserRoutes::enable(const HttpRequest &request)
{
    return setDisabled(request, false);
}

Result<HttpResponse> AdminUserRoutes::setDisabled(const HttpRequest &request, bool disabled)
{
    auto admitted = m_guard.admit(request);
    if (!admitted) {
        return admitted.error();
    }
    const Result<User> user =
        m_identity.setUserDisabled(request.pathParam(u"id"_s),
                                   disabled,
                                   admitted->principal ? admitted->principal->userId : QString());
    if (!user) {
        return user.error();
    }
    AuditEvent event = AuditEvent::forRequest(request,
                                              disabled ? u"user.disable"_s : u"user.enable"_s,
                                              {u"user"_s, u"user:"_s + user->id, user->email});
    if (admitted->principal) {
        event.setPrincipal(*admitted->principal);
    }
    m_audit.record(std::move(event));
    return HttpResponse::json(200, userJson(*user));
}

} // namespace Gestalt
