// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/Router.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Score = number of literal segments matched; -1 when the template does not match.
// A path with a trailing slash ("/admin/", "/admin/docs/") matches only a template ending in
// `{name...}`, whose value then ends in "/" (or is empty).
int matchTemplate(const QStringList &templ,
                  const QStringList &segments,
                  bool trailingSlash,
                  QHash<QString, QString> *params)
{
    int score = 0;
    for (qsizetype i = 0; i < templ.size(); ++i) {
        const QString &part = templ[i];
        if (part.startsWith(u'{') && part.endsWith(u"...}"_s)) {
            if (i > segments.size() || (i == segments.size() && !trailingSlash)) {
                return -1;
            }
            QStringList rest;
            for (qsizetype j = i; j < segments.size(); ++j) {
                rest.append(QUrl::fromPercentEncoding(segments[j].toUtf8()));
            }
            QString value = rest.join(u'/');
            if (trailingSlash && !value.isEmpty()) {
                value += u'/';
            }
            params->insert(part.mid(1, part.size() - 5), value);
            return score;
        }
        if (i >= segments.size()) {
            return -1;
        }
        if (part.startsWith(u'{') && part.endsWith(u'}')) {
            const QString value = QUrl::fromPercentEncoding(segments[i].toUtf8());
            if (value.isEmpty()) {
                return -1;
            }
            params->insert(part.mid(1, part.size() - 2), value);
        } else if (part == segments[i]) {
            ++score;
        } else {
            return -1;
        }
    }
    return templ.size() == segments.size() && !trailingSlash ? score : -1;
}

} // namespace

Router::Route &Router::route(const QString &method,
                             const QString &pathTemplate,
                             RouteAuth auth,
                             SyncHandler handler)
{
    return routeAsync(
        method,
        pathTemplate,
        auth,
        [handler = std::move(handler)](const HttpRequest &request, const Responder &responder) {
            Result<HttpResponse> result = handler(request);
            if (result) {
                responder.send(std::move(result).value());
            } else {
                responder.sendError(result.error());
            }
        });
}

Router::Route &Router::routeAsync(const QString &method,
                                  const QString &pathTemplate,
                                  RouteAuth auth,
                                  AsyncHandler handler)
{
    Route r;
    r.method = method;
    r.pathTemplate = pathTemplate;
    r.segments = pathTemplate.split(u'/', Qt::SkipEmptyParts);
    r.auth = auth;
    r.handler = std::move(handler);
    m_routes.push_back(std::move(r));
    return m_routes.back();
}

Router::Match Router::match(const QString &method, const QString &encodedPath) const
{
    Match result;
    if (!encodedPath.startsWith(u'/')) {
        return result;
    }
    // A trailing slash is a different path ("/api/v1/tokens/" is not "/api/v1/tokens").
    QStringList segments = encodedPath.mid(1).split(u'/');
    if (encodedPath == u"/"_s) {
        segments.clear();
    }
    const bool trailingSlash = segments.size() > 1 && segments.last().isEmpty();
    if (trailingSlash) {
        segments.removeLast();
    }
    if (segments.contains(QString())) {
        return result;
    }
    const QString lookupMethod = method == u"HEAD"_s ? u"GET"_s : method;
    int bestScore = -1;
    int bestPathScore = -1;
    QStringList allowed;
    for (const Route &r : m_routes) {
        QHash<QString, QString> params;
        const int score = matchTemplate(r.segments, segments, trailingSlash, &params);
        if (score < 0) {
            continue;
        }
        if (score > bestPathScore) {
            bestPathScore = score;
            allowed.clear();
        }
        if (score == bestPathScore && !allowed.contains(r.method)) {
            allowed.append(r.method);
        }
        if (r.method == lookupMethod && score > bestScore) {
            bestScore = score;
            result.route = &r;
            result.params = std::move(params);
        }
    }
    if (result.route && bestScore < bestPathScore) {
        // A more specific path exists that does not take this method: prefer the 405.
        result.route = nullptr;
        result.params.clear();
    }
    if (!result.route && !allowed.isEmpty()) {
        if (allowed.contains(u"GET"_s)) {
            allowed.append(u"HEAD"_s);
        }
        allowed.append(u"OPTIONS"_s);
        result.allowedMethods = allowed;
    }
    return result;
}

} // namespace Gestalt
