// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "admin/AdminUserRoutes.h"

#include "audit/AuditLog.h"
#include "authz/AdminGuard.h"
#include "http/Paging.h"
#include "identity/IdentityService.h"
#include "shared/TimeFormat.h"
#include "store/UserRepository.h"

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
                                 UserRepository &users,
                                 IdentityService &identity,
                                 AuditLog &audit)
    : m_guard(guard)
    , m_users(users)
    , m_identity(identity)
    , m_audit(audit)
{}

void AdminUserRoutes::registerRoutes(Router &router)
{
    const QString base = u"/admin/api/v1/users"_s;
    router.route(u"GET"_s, base, RouteAuth::Public, [this](const HttpRequest &request) {
        return list(request);
    });
    router.route(u"POST"_s,
                 base + u"/{id}/disable"_s,
                 RouteAuth::Public,
                 [this](const HttpRequest &request) { return setDisabled(request, true); });
    router.route(u"POST"_s,
                 base + u"/{id}/enable"_s,
                 RouteAuth::Public,
                 [this](const HttpRequest &request) { return setDisabled(request, false); });
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
    Result<UserPage> page = m_users.list(*size, request.queryValue(u"pageToken"_s));
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

Result<HttpResponse> AdminUserRoutes::setDisabled(const HttpRequest &request, bool disabled)
{
    auto admitted = m_guard.admit(request);
    if (!admitted) {
        return admitted.error();
    }
    const QString id = request.pathParam(u"id"_s);
    Result<std::optional<User>> found = m_users.findById(id);
    if (!found) {
        return found.error();
    }
    if (!found->has_value()) {
        return Error::notFound(u"unknown user"_s);
    }
    User user = **found;
    if (disabled) {
        if (user.normalizedEmail == IdentityService::anonymousEmail) {
            return Error::invalid(u"the anonymous local user cannot be disabled"_s);
        }
        if (admitted->principal && admitted->principal->userId == user.id) {
            return Error{ErrorCode::Conflict,
                         u"you cannot disable your own user"_s,
                         u"cannot_disable_self"_s};
        }
    }
    if (disabled != user.disabledAt.has_value()) {
        const std::optional<QDateTime> at =
            disabled ? std::optional<QDateTime>(QDateTime::currentDateTimeUtc()) : std::nullopt;
        Result<bool> changed = m_users.setDisabledAt(user.id, at);
        if (!changed) {
            return changed.error();
        }
        if (!*changed) {
            return Error::notFound(u"unknown user"_s);
        }
        user.disabledAt = at;
        m_identity.forgetUserState(user.id);
    }
    AuditEvent event;
    event.context = AuditContext::fromRequest(request);
    if (admitted->principal) {
        event.setPrincipal(*admitted->principal);
    }
    event.action = disabled ? u"user.disable"_s : u"user.enable"_s;
    event.targetKind = u"user"_s;
    event.targetId = u"user:"_s + user.id;
    event.targetName = user.email;
    m_audit.record(std::move(event));
    return HttpResponse::json(200, userJson(user));
}

} // namespace Gestalt
