// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/ProbeRoutes.h"

#include "store/Database.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

ProbeRoutes::ProbeRoutes(Database &database, std::function<QString()> lifecycleProblem)
    : m_database(database)
    , m_lifecycleProblem(std::move(lifecycleProblem))
{}

QList<std::pair<QString, QString>> ProbeRoutes::failingChecks() const
{
    QList<std::pair<QString, QString>> failing;
    if (const QString problem = m_lifecycleProblem(); !problem.isEmpty()) {
        failing.append({u"lifecycle"_s, problem});
    }
    if (Result<void> ping = m_database.ping(); !ping) {
        failing.append({u"datastore"_s, u"datastore unavailable"_s});
    }
    return failing;
}

void ProbeRoutes::registerRoutes(Router &router)
{
    const auto ok = [](const HttpRequest &) {
        return Result<HttpResponse>(HttpResponse::json(200, QJsonObject{{u"status"_s, u"ok"_s}}));
    };
    router.route(u"GET"_s, u"/health"_s, RouteAuth::Public, ok);
    router.route(u"GET"_s, u"/healthz"_s, RouteAuth::Public, ok);

    router.route(u"GET"_s, u"/ready"_s, RouteAuth::Public, [this](const HttpRequest &) {
        const auto failing = failingChecks();
        if (failing.isEmpty()) {
            return Result<HttpResponse>(
                HttpResponse::json(200, QJsonObject{{u"status"_s, u"ok"_s}}));
        }
        return Result<HttpResponse>(
            HttpResponse::json(503, QJsonObject{{u"status"_s, failing.first().second}}));
    });
    router.route(u"GET"_s, u"/readyz"_s, RouteAuth::Public, [this](const HttpRequest &) {
        const auto failing = failingChecks();
        QJsonObject checks{{u"datastore"_s, u"ok"_s}, {u"lifecycle"_s, u"ok"_s}};
        for (const auto &[check, reason] : failing) {
            checks.insert(check, reason);
        }
        const bool ready = failing.isEmpty();
        return Result<HttpResponse>(HttpResponse::json(
            ready ? 200 : 503,
            QJsonObject{{u"status"_s, ready ? u"ok"_s : u"unavailable"_s}, {u"checks"_s, checks}}));
    });
}

} // namespace Gestalt
