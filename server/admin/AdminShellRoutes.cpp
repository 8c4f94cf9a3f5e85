// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "admin/AdminShellRoutes.h"

#include "authz/AdminGuard.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString loginPath = u"/api/v1/auth/login"_s;

QString withQuery(const QString &path, const HttpRequest &request)
{
    const QString query = request.query.toString(QUrl::FullyEncoded);
    return query.isEmpty() ? path : path + u'?' + query;
}

// A small page for a browser that may not see the shell; the JSON body shape stays for scripts.
HttpResponse refusalPage(int status, const QString &title, const QString &message)
{
    const QByteArray body =
        u"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%1 - Gestalt "
        "Admin</title></head><body><h1>%1</h1><p>%2</p></body></html>\n"_s
            .arg(title.toHtmlEscaped(), message.toHtmlEscaped())
            .toUtf8();
    HttpResponse response = HttpResponse::text(status, body, "text/html; charset=utf-8"_ba);
    response.setHeader("Cache-Control"_ba, "no-store"_ba);
    return response;
}

} // namespace

AdminShellRoutes::AdminShellRoutes(AdminShellAssets assets,
                                   const AdminGuard &guard,
                                   Options options)
    : m_assets(std::move(assets))
    , m_guard(guard)
    , m_options(std::move(options))
{}

void AdminShellRoutes::registerRoutes(Router &router) const
{
    const auto toShell = [](const HttpRequest &request) {
        return Result<HttpResponse>(HttpResponse::redirect(301, withQuery(u"/admin/"_s, request)));
    };
    router.route(u"GET"_s, u"/admin"_s, RouteAuth::Public, toShell);
    if (m_options.managementListener) {
        router.route(u"GET"_s, u"/"_s, RouteAuth::Public, toShell);
    }
    router.route(
        u"GET"_s, u"/admin/{path...}"_s, RouteAuth::Public, this, &AdminShellRoutes::serve);
}

QString AdminShellRoutes::loginBase() const
{
    if (m_options.managementListener) {
        return m_options.publicBaseUrl() + loginPath;
    }
    return loginPath;
}

HttpResponse AdminShellRoutes::refused(const HttpRequest &request, const Error &error) const
{
    if (error.code != ErrorCode::Unauthenticated) {
        // Login without an admin policy: say what to configure (the message is static text).
        return refusalPage(403,
                           u"Access denied"_s,
                           error.machineCode == u"admin_configuration_required"_s
                               ? error.message
                               : u"Your account does not hold an admin role on this Gestalt "
                                 u"server."_s);
    }
    if (!m_options.loginEnabled()) {
        return refusalPage(401, u"Sign-in required"_s, error.message);
    }
    const QString here = withQuery(request.path, request);
    if (!m_options.managementListener) {
        return HttpResponse::redirect(
            302, loginPath + u"?next="_s + QString::fromUtf8(QUrl::toPercentEncoding(here)));
    }
    if (m_options.managementBaseUrl.isEmpty()) {
        return refusalPage(
            401,
            u"Sign-in required"_s,
            u"Sign in through the public listener first, or configure "
            "server.management.baseUrl so that this page can send you there and back."_s);
    }
    QString back = m_options.managementBaseUrl;
    while (back.endsWith(u'/')) {
        back.chop(1);
    }
    back += here;
    return HttpResponse::redirect(
        302, loginBase() + u"?next="_s + QString::fromUtf8(QUrl::toPercentEncoding(back)));
}

Result<HttpResponse> AdminShellRoutes::serve(const HttpRequest &request) const
{
    const QString path = request.pathParam(u"path"_s);
    if (path == u"api"_s || path.startsWith(u"api/"_s)
        || (!path.isEmpty() && !isSafeAdminPath(path))) {
        return Error::notFound(u"API route \"%1\" not found"_s.arg(request.path));
    }
    if (Result<AdminGuard::Admission> admitted = m_guard.admit(request); !admitted) {
        return refused(request, admitted.error());
    }
    const QString lastSegment = path.section(u'/', -1);
    const bool page = path.isEmpty() || path.endsWith(u'/') || !lastSegment.contains(u'.');
    Result<AdminShellAssets::File> file = m_assets.read(page ? u"index.html"_s : path);
    if (!file) {
        return file.error();
    }
    HttpResponse response = HttpResponse::text(200, file->body, file->contentType);
    if (page) {
        response.body =
            rewriteAdminIndex(std::move(response.body), m_options.clientUiUrl, loginBase());
        response.setHeader("Cache-Control"_ba, "no-store"_ba);
    } else {
        response.setHeader("Cache-Control"_ba, "no-cache"_ba);
    }
    return response;
}

} // namespace Gestalt
