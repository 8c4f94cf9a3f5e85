// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpRequest.h"
#include "http/HttpResponse.h"
#include "http/RequestPolicy.h"
#include "http/Responder.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace Gestalt {

enum class RouteAuth {
    Public,        // no principal needed
    Authenticated, // a principal is resolved first; failures answer 401
};

using SyncHandler = std::function<Result<HttpResponse>(const HttpRequest &)>;
using AsyncHandler = std::function<void(const HttpRequest &, Responder)>;

// The route table of one listener. Templates are literal segments and `{name}` parameters; a
// last segment `{name...}` takes the rest of the path. Matching works on percent-encoded segments
// and decodes each one, so `%2F` stays inside its segment. The most literal match wins.
class Router final
{
public:
    struct Route
    {
        QString method;
        QString pathTemplate;
        QStringList segments;
        RouteAuth auth = RouteAuth::Public;
        AsyncHandler handler;
        RouteBody body = RouteBody::Json;
        RouteSites sites = RouteSites::SameOrigin;
        bool invokes = false; // a GET that runs an operation (refused cross-site like a POST)

        // Set while registering: router.route(...).accepts(RouteBody::Form);
        Route &accepts(RouteBody kind)
        {
            body = kind;
            return *this;
        }
        Route &callableFromAnySite()
        {
            sites = RouteSites::Any;
            return *this;
        }
        Route &invokesOperation()
        {
            invokes = true;
            return *this;
        }
    };

    // The reference is valid until the next registration.
    Route &
    route(const QString &method, const QString &pathTemplate, RouteAuth auth, SyncHandler handler);
    Route &routeAsync(const QString &method,
                      const QString &pathTemplate,
                      RouteAuth auth,
                      AsyncHandler handler);

    // The one way a Routes class registers its member functions:
    //   router.route(u"GET"_s, u"/api/v1/tokens"_s, RouteAuth::Authenticated, this,
    //   &TokenRoutes::list);
    // The object must outlive the router's use of the route (Routes classes live as long as the
    // server).
    template<typename T>
    Route &route(const QString &method,
                 const QString &pathTemplate,
                 RouteAuth auth,
                 T *object,
                 Result<HttpResponse> (T::*handler)(const HttpRequest &))
    {
        return route(method, pathTemplate, auth, [object, handler](const HttpRequest &request) {
            return (object->*handler)(request);
        });
    }
    template<typename T>
    Route &route(const QString &method,
                 const QString &pathTemplate,
                 RouteAuth auth,
                 const T *object,
                 Result<HttpResponse> (T::*handler)(const HttpRequest &) const)
    {
        return route(method, pathTemplate, auth, [object, handler](const HttpRequest &request) {
            return (object->*handler)(request);
        });
    }
    // `ResponderArg` is Responder or const Responder &.
    template<typename T, typename ResponderArg>
    Route &routeAsync(const QString &method,
                      const QString &pathTemplate,
                      RouteAuth auth,
                      T *object,
                      void (T::*handler)(const HttpRequest &, ResponderArg))
    {
        return routeAsync(method,
                          pathTemplate,
                          auth,
                          [object, handler](const HttpRequest &request, Responder responder) {
                              (object->*handler)(request, std::move(responder));
                          });
    }

    struct Match
    {
        const Route *route = nullptr; // set when found
        QHash<QString, QString> params;
        QStringList allowedMethods; // set when the path exists but not the method
    };

    [[nodiscard]] Match match(const QString &method, const QString &encodedPath) const;
    // Every registered route, in registration order (tests enumerate the authenticated ones).
    [[nodiscard]] const std::vector<Route> &routes() const { return m_routes; }

private:
    std::vector<Route> m_routes;
};

} // namespace Gestalt
