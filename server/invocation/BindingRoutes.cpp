// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/BindingRoutes.h"

#include "catalog/AppCatalog.h"
#include "core/Logging.h"
#include "invocation/InvocationService.h"
#include "invocation/UpstreamRelay.h"
#include "shared/JsonPath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QByteArray mediaType(const QByteArray &contentType)
{
    return contentType.split(';').first().trimmed().toLower();
}

// Query parameters plus the body: a JSON object merged in, other JSON as `body`, a form as
// string fields, anything else as `rawBody`.
Result<QJsonObject> bindingInput(const HttpBinding &binding, const HttpRequest &request)
{
    QJsonObject params;
    for (const auto &[key, value] : request.query.queryItems(QUrl::FullyDecoded)) {
        if (!params.contains(key)) {
            params.insert(key, value);
        }
    }
    const QByteArray type = mediaType(request.header("content-type"));
    if (binding.requestBody) {
        if (binding.requestBody->required && request.body.isEmpty()) {
            return Error::invalid(u"request body is required"_s);
        }
        const QJsonObject &content = binding.requestBody->content;
        if (!request.body.isEmpty() && !content.isEmpty()
            && !content.contains(QString::fromUtf8(type)) && !content.contains(u"*/*"_s)) {
            return Error{ErrorCode::UnsupportedMediaType,
                         u"unsupported content type \"%1\"; expected one of: %2"_s.arg(
                             QString::fromUtf8(type), content.keys().join(u", "_s))};
        }
    }
    if (request.body.isEmpty()) {
        return params;
    }
    if (type == "application/json" || type.endsWith("+json")) {
        const QJsonValue json = parseJsonValue(request.body);
        if (json.isUndefined()) {
            return Error::invalid(u"invalid JSON body"_s);
        }
        if (json.isObject()) {
            const QJsonObject object = json.toObject();
            for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
                params.insert(it.key(), it.value());
            }
        } else {
            params.insert(u"body"_s, json);
        }
    } else if (type == "application/x-www-form-urlencoded") {
        QByteArray text = request.body;
        text.replace('+', ' ');
        const QUrlQuery form(QString::fromUtf8(text));
        for (const auto &[key, value] : form.queryItems(QUrl::FullyDecoded)) {
            params.insert(key, value);
        }
    } else {
        params.insert(u"rawBody"_s, QString::fromUtf8(request.body));
    }
    return params;
}

HttpResponse ackResponse(const HttpAck &ack)
{
    QByteArray contentType = "application/json";
    for (auto it = ack.headers.constBegin(); it != ack.headers.constEnd(); ++it) {
        if (it.key().compare(u"content-type"_s, Qt::CaseInsensitive) == 0) {
            contentType = it.value().toUtf8();
        }
    }
    QByteArray body;
    if (!ack.body.isUndefined()) {
        const bool json = mediaType(contentType) == "application/json"
                          || mediaType(contentType).endsWith("+json");
        if (json) {
            body = QJsonDocument(QJsonArray{ack.body}).toJson(QJsonDocument::Compact);
            body = body.mid(1, body.size() - 2); // the value without the wrapping array
        } else {
            body = ack.body.toString().toUtf8();
        }
    }
    HttpResponse response = HttpResponse::text(ack.status, body, contentType);
    for (auto it = ack.headers.constBegin(); it != ack.headers.constEnd(); ++it) {
        if (it.key().compare(u"content-type"_s, Qt::CaseInsensitive) != 0) {
            response.setHeader(it.key().toUtf8(), it.value().toUtf8());
        }
    }
    return response;
}

} // namespace

BindingRoutes::BindingRoutes(const AppCatalog &catalog,
                             InvocationService &invocations,
                             Clock clock,
                             BindingVerifier::Environment environment)
    : m_catalog(catalog)
    , m_invocations(invocations)
    , m_verifier(std::move(clock), std::move(environment))
{}

void BindingRoutes::registerRoutes(Router &router)
{
    router.route(
        u"GET"_s, u"/api/v1/bindings"_s, RouteAuth::Authenticated, this, &BindingRoutes::list);
    for (const AppDefinition &app : m_catalog.apps()) {
        for (auto it = app.http.constBegin(); it != app.http.constEnd(); ++it) {
            const QString &name = it.key();
            const AppDefinition *appPtr = &app;
            const HttpBinding *binding = &it.value();
            // Called by the upstream (webhooks): verified by the binding's own security
            // scheme, any media type, no browser cookies involved.
            router
                .routeAsync(binding->method,
                            u"/api/v1/"_s + app.name + binding->path,
                            RouteAuth::Public,
                            [this, appPtr, name, binding](const HttpRequest &request,
                                                          const Responder &responder) {
                                handle(*appPtr, name, *binding, request, responder);
                            })
                .accepts(RouteBody::Any)
                .callableFromAnySite();
        }
    }
}

void BindingRoutes::handle(const AppDefinition &app,
                           const QString &bindingName,
                           const HttpBinding &binding,
                           const HttpRequest &request,
                           const Responder &responder)
{
    BindingVerdict verdict;
    if (!binding.security.isEmpty()) {
        const SecurityScheme &scheme = app.securitySchemes.value(binding.security);
        Result<BindingVerdict> verified = m_verifier.verify(
            app.name + u'/' + bindingName, scheme, request, binding.ack.has_value());
        if (!verified) {
            responder.sendError(verified.error());
            return;
        }
        verdict = *verified;
    }
    if (verdict.replay) {
        responder.send(ackResponse(*binding.ack));
        return;
    }
    Result<QJsonObject> input = bindingInput(binding, request);
    if (!input) {
        responder.sendError(input.error());
        return;
    }
    InvocationRequest call;
    call.principal.subjectId = u"system:http_binding:%1:%2"_s.arg(app.name, bindingName);
    call.principal.displayName = call.principal.subjectId;
    call.app = app.name;
    call.operation = binding.target;
    call.params = *input;
    call.surface = u"http_binding"_s;
    call.httpBinding = bindingName;
    call.withoutCredential = binding.credentialMode == u"none";
    call.audit = AuditContext::fromRequest(request);
    call.audit.source = u"binding:"_s + app.name + u':' + bindingName;
    if (binding.ack) {
        responder.send(ackResponse(*binding.ack));
        const QString label = app.name + u'/' + bindingName;
        std::shared_ptr<UpstreamCall> background =
            m_invocations.invoke(call, [label](const Result<InvocationResult> &result) {
                if (!result) {
                    qCWarning(lcHttp).noquote()
                        << "binding" << label
                        << ": background operation failed:" << publicMessage(result.error());
                }
            });
        Q_UNUSED(background)
        return;
    }
    std::shared_ptr<UpstreamCall> handle = m_invocations.invoke(call, relayInvocationTo(responder));
    Q_UNUSED(handle)
}

Result<HttpResponse> BindingRoutes::list(const HttpRequest &request) const
{
    Q_UNUSED(request)
    QJsonArray bindings;
    for (const AppDefinition &app : m_catalog.apps()) {
        for (auto it = app.http.constBegin(); it != app.http.constEnd(); ++it) {
            QJsonObject json{
                {u"name"_s, it.key()},
                {u"app"_s, app.name},
                {u"method"_s, it->method},
                {u"path"_s, QString(u"/api/v1/"_s + app.name + it->path)},
                {u"target"_s, it->target},
                {u"security"_s,
                 it->security.isEmpty() ? u"none"_s : app.securitySchemes.value(it->security).type},
                {u"ack"_s, QJsonValue(it->ack.has_value())}};
            if (!it->credentialMode.isEmpty()) {
                json.insert(u"credentialMode"_s, it->credentialMode);
            }
            bindings.append(json);
        }
    }
    return HttpResponse::json(200, bindings);
}

} // namespace Gestalt
