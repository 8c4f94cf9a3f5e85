// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/McpRoutes.h"

#include "Logging.h"
#include "apps/InvocationService.h"
#include "audit/AuditEvent.h"
#include "http/HttpServer.h"
#include "http/Responder.h"
#include "mcp/JsonRpc.h"
#include "mcp/McpUpstreams.h"
#include "shared/Version.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

HttpResponse rpcFailure(int status, int code, const QString &message)
{
    return HttpResponse::json(status, JsonRpc::error(QJsonValue::Null, code, message));
}

QJsonObject toolError(const QString &text)
{
    return {{u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, text}}}},
            {u"isError"_s, true}};
}

QString encodeCursor(int offset)
{
    return QString::fromLatin1(
        QByteArray("o:" + QByteArray::number(offset)).toBase64(QByteArray::Base64UrlEncoding
                                                               | QByteArray::OmitTrailingEquals));
}

// One server-sent event carrying a JSON-RPC message.
QByteArray sseEvent(const QJsonObject &message)
{
    return "event: message\ndata: " + QJsonDocument(message).toJson(QJsonDocument::Compact)
        + "\n\n";
}

std::optional<int> decodeCursor(const QString &cursor)
{
    const QByteArray raw = QByteArray::fromBase64(cursor.toLatin1(), QByteArray::Base64UrlEncoding);
    if (!raw.startsWith("o:")) {
        return std::nullopt;
    }
    bool ok = false;
    const int offset = raw.mid(2).toInt(&ok);
    return ok && offset > 0 ? std::optional<int>(offset) : std::nullopt;
}

} // namespace

const QStringList &McpRoutes::supportedVersions()
{
    static const QStringList versions{u"2025-03-26"_s, u"2025-06-18"_s, u"2025-11-25"_s};
    return versions;
}

McpRoutes::McpRoutes(const McpToolCatalog &tools, InvocationService &invocations,
                     Authenticator &authenticator, Options options)
    : m_tools(tools)
    , m_invocations(invocations)
    , m_authenticator(authenticator)
    , m_options(std::move(options))
{}

void McpRoutes::registerRoutes(Router &router)
{
    // post() answers a wrong media type itself, as a JSON-RPC error.
    router
        .routeAsync(u"POST"_s, u"/mcp"_s, RouteAuth::Public,
                    [this](const HttpRequest &request, Responder responder) {
                        post(request, responder);
                    })
        .accepts(RouteBody::Any);
    const auto noStream = [](const HttpRequest &) -> Result<HttpResponse> {
        HttpResponse response = rpcFailure(
            405, JsonRpc::InvalidRequest,
            u"this MCP endpoint is stateless: send JSON-RPC messages with POST"_s);
        response.setHeader("Allow", "POST");
        return response;
    };
    router.route(u"GET"_s, u"/mcp"_s, RouteAuth::Public, noStream);
    router.route(u"DELETE"_s, u"/mcp"_s, RouteAuth::Public, noStream);
}

void McpRoutes::post(const HttpRequest &request, const Responder &responder)
{
    Result<Principal> principal = m_authenticator.authenticate(request);
    if (!principal) {
        HttpResponse response = HttpResponse::fromError(principal.error());
        if (response.status == 401 && m_options.challenge) {
            response.setHeader("WWW-Authenticate", m_options.challenge().toUtf8());
        }
        responder.send(response);
        return;
    }
    const QByteArray contentType = request.header("content-type").toLower();
    if (!contentType.startsWith("application/json")) {
        responder.send(rpcFailure(415, JsonRpc::InvalidRequest,
                                  u"Content-Type must be application/json"_s));
        return;
    }
    const QByteArray accept = request.header("accept").toLower();
    if (!accept.isEmpty() && !accept.contains("application/json") && !accept.contains("*/*")
        && !accept.contains("application/*")) {
        responder.send(rpcFailure(406, JsonRpc::InvalidRequest,
                                  u"Accept must include application/json"_s));
        return;
    }
    const QString version = QString::fromLatin1(request.header("mcp-protocol-version"));
    if (!version.isEmpty() && !supportedVersions().contains(version)) {
        responder.send(rpcFailure(
            400, JsonRpc::InvalidRequest,
            u"unsupported MCP-Protocol-Version \"%1\" (supported: %2)"_s.arg(
                version.left(40), supportedVersions().join(u", "_s))));
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // QJsonDocument reads only objects and arrays; a lone JSON scalar is valid JSON but not
        // a JSON-RPC message.
        const QJsonDocument wrapped = QJsonDocument::fromJson('[' + request.body + ']');
        if (wrapped.isArray() && wrapped.array().size() == 1) {
            responder.send(rpcFailure(400, JsonRpc::InvalidRequest,
                                      u"Invalid Request: a JSON-RPC message must be an object"_s));
            return;
        }
        responder.send(rpcFailure(400, JsonRpc::ParseError,
                                  u"Parse error: "_s + parseError.errorString()));
        return;
    }
    QJsonArray messages;
    const bool batch = document.isArray();
    if (batch) {
        // JSON-RPC batches exist in 2025-03-26 only (the version a client without the header
        // speaks); later versions removed them.
        if (!version.isEmpty() && version != u"2025-03-26") {
            responder.send(rpcFailure(
                400, JsonRpc::InvalidRequest,
                u"JSON-RPC batches are not supported in protocol version %1"_s.arg(version)));
            return;
        }
        messages = document.array();
        if (messages.isEmpty()) {
            responder.send(rpcFailure(400, JsonRpc::InvalidRequest, u"empty batch"_s));
            return;
        }
    } else {
        messages.append(document.isObject() ? QJsonValue(document.object()) : QJsonValue());
    }

    struct Pending
    {
        QList<QJsonObject> responses;
        int outstanding = 0;
        bool batch = false;
        bool invalidOnly = true;
        Responder responder;
        std::shared_ptr<StreamWriter> stream; // once a notification went out
    };
    auto pending = std::make_shared<Pending>(Pending{{}, 0, batch, true, responder, nullptr});
    Notify notify;
    if (!batch && accept.contains("text/event-stream")) {
        notify = [pending](const QJsonObject &message) {
            if (!pending->stream) {
                pending->stream = pending->responder.startStream(200, "text/event-stream"_ba);
            }
            pending->stream->write(sseEvent(message));
        };
    }
    const auto finishIfDone = [](const std::shared_ptr<Pending> &state) {
        if (state->outstanding > 0) {
            return;
        }
        if (state->stream) {
            for (const QJsonObject &response : std::as_const(state->responses)) {
                state->stream->write(sseEvent(response));
            }
            state->stream->finish();
            return;
        }
        if (state->responses.isEmpty()) {
            state->responder.send(HttpResponse::noContent(202));
            return;
        }
        const int status = state->invalidOnly && !state->batch ? 400 : 200;
        if (!state->batch) {
            state->responder.send(HttpResponse::json(status, state->responses.first()));
            return;
        }
        QJsonArray all;
        for (const QJsonObject &response : std::as_const(state->responses)) {
            all.append(response);
        }
        state->responder.send(HttpResponse::json(200, all));
    };

    QList<QJsonObject> requests;
    for (const QJsonValue &message : std::as_const(messages)) {
        QString why;
        switch (JsonRpc::classify(message, &why)) {
        case JsonRpc::Kind::Invalid: {
            const QJsonValue id = message.toObject().value(u"id"_s);
            pending->responses.append(JsonRpc::error(
                id.isString() || id.isDouble() ? id : QJsonValue(QJsonValue::Null),
                JsonRpc::InvalidRequest, u"Invalid Request: "_s + why));
            break;
        }
        case JsonRpc::Kind::Notification:
        case JsonRpc::Kind::Response:
            break; // nothing to answer: the stateless server has no session to update
        case JsonRpc::Kind::Request:
            requests.append(message.toObject());
            break;
        }
    }
    pending->outstanding = int(requests.size());
    if (!requests.isEmpty()) {
        pending->invalidOnly = false;
    }
    for (const QJsonObject &message : std::as_const(requests)) {
        dispatch(request, *principal, message, batch, notify,
                 [pending, finishIfDone](const QJsonObject &response) {
                     pending->responses.append(response);
                     --pending->outstanding;
                     finishIfDone(pending);
                 });
    }
    if (requests.isEmpty()) {
        finishIfDone(pending);
    }
}

void McpRoutes::dispatch(const HttpRequest &request, const Principal &principal,
                         const QJsonObject &message, bool inBatch, const Notify &notify,
                         Reply reply)
{
    const QJsonValue id = message.value(u"id"_s);
    const QString method = message.value(u"method"_s).toString();
    const QJsonObject params = message.value(u"params"_s).toObject();
    if (method == u"initialize") {
        if (inBatch) {
            reply(JsonRpc::error(id, JsonRpc::InvalidRequest,
                                 u"initialize must not be part of a JSON-RPC batch"_s));
            return;
        }
        if (!params.value(u"protocolVersion"_s).isString()) {
            reply(JsonRpc::error(id, JsonRpc::InvalidParams,
                                 u"initialize needs params.protocolVersion (a string)"_s));
            return;
        }
        reply(JsonRpc::result(id, initialize(params)));
    } else if (method == u"ping") {
        reply(JsonRpc::result(id, QJsonObject()));
    } else if (method == u"tools/list") {
        listTools(request, principal, id, params, std::move(reply));
    } else if (method == u"tools/call") {
        callTool(request, principal, id, params, notify, std::move(reply));
    } else {
        reply(JsonRpc::error(id, JsonRpc::MethodNotFound,
                             u"Method not found: %1"_s.arg(method.left(100))));
    }
}

QJsonObject McpRoutes::initialize(const QJsonObject &params) const
{
    const QString requested = params.value(u"protocolVersion"_s).toString();
    const QString negotiated =
        supportedVersions().contains(requested) ? requested : supportedVersions().last();
    return {
        {u"protocolVersion"_s, negotiated},
        {u"capabilities"_s,
         QJsonObject{{u"tools"_s, QJsonObject{{u"listChanged"_s, false}}}}},
        {u"serverInfo"_s,
         QJsonObject{{u"name"_s, u"gestalt"_s}, {u"title"_s, u"Gestalt"_s},
                     {u"version"_s, version()}}},
        {u"instructions"_s,
         u"Tools of the apps this Gestalt gateway connects, named <app>_<operation>. A tool "
         "that needs a connected account answers with an error saying so."_s},
    };
}

void McpRoutes::listTools(const HttpRequest &request, const Principal &principal,
                          const QJsonValue &id, const QJsonObject &params, Reply reply)
{
    int offset = 0;
    if (params.contains(u"cursor"_s)) {
        const std::optional<int> decoded = decodeCursor(params.value(u"cursor"_s).toString());
        if (!decoded) {
            reply(JsonRpc::error(id, JsonRpc::InvalidParams, u"invalid cursor"_s));
            return;
        }
        offset = *decoded;
    }
    // The catalog's tools, then each caller-scoped app's as its server shows them to this
    // caller (an app the caller has not connected, or whose server fails, adds none).
    struct Listing
    {
        QJsonArray tools;
        QList<QJsonArray> perApp;
        int outstanding = 0;
    };
    auto listing = std::make_shared<Listing>();
    for (const McpToolCatalog::Tool *tool : m_tools.visibleTo(principal)) {
        listing->tools.append(tool->definition);
    }
    const auto page = [id, offset, reply](const Listing &all) {
        QJsonArray tools = all.tools;
        for (const QJsonArray &app : all.perApp) {
            for (const QJsonValue &tool : app) {
                tools.append(tool);
            }
        }
        QJsonArray slice;
        for (qsizetype i = offset; i < tools.size() && i < offset + PageSize; ++i) {
            slice.append(tools.at(i));
        }
        QJsonObject result{{u"tools"_s, slice}};
        if (offset + PageSize < tools.size()) {
            result.insert(u"nextCursor"_s, encodeCursor(offset + PageSize));
        }
        reply(JsonRpc::result(id, result));
    };
    const QList<const AppDefinition *> &scoped = m_tools.callerScopedApps();
    if (scoped.isEmpty()) {
        page(*listing);
        return;
    }
    listing->perApp.resize(scoped.size());
    listing->outstanding = int(scoped.size());
    for (qsizetype i = 0; i < scoped.size(); ++i) {
        const AppDefinition *app = scoped[i];
        InvocationRequest invocation;
        invocation.principal = principal;
        invocation.app = app->name;
        invocation.operation = u"tools/list"_s;
        invocation.surface = u"mcp"_s;
        invocation.listUpstreamTools = true;
        invocation.audit = AuditContext::fromRequest(request);
        m_invocations.invoke(invocation, [this, listing, i, app, principal,
                                          page](Result<InvocationResult> result) {
            if (result && result->upstreamTools) {
                for (const Operation &op : std::as_const(*result->upstreamTools)) {
                    if (const std::optional<McpToolCatalog::Tool> tool =
                            m_tools.callerTool(principal, *app, op)) {
                        listing->perApp[i].append(tool->definition);
                    }
                }
            } else if (!result && result.error().code != ErrorCode::PreconditionFailed
                       && result.error().code != ErrorCode::Forbidden) {
                qCInfo(lcMcp).noquote() << "mcp: tools/list of app" << app->name
                                        << "for" << principal.subjectId
                                        << "failed:" << result.error().message;
            }
            if (--listing->outstanding == 0) {
                page(*listing);
            }
        });
    }
}

void McpRoutes::callTool(const HttpRequest &request, const Principal &principal,
                         const QJsonValue &id, const QJsonObject &params, const Notify &notify,
                         Reply reply)
{
    if (!params.value(u"name"_s).isString()) {
        reply(JsonRpc::error(id, JsonRpc::InvalidParams,
                             u"tools/call needs params.name (a string)"_s));
        return;
    }
    const QString name = params.value(u"name"_s).toString();
    if (params.contains(u"arguments"_s) && !params.value(u"arguments"_s).isObject()) {
        reply(JsonRpc::error(id, JsonRpc::InvalidParams,
                             u"tools/call params.arguments must be an object"_s));
        return;
    }
    const McpToolCatalog::Tool *tool = m_tools.tool(name);
    // A caller-scoped app's tool is looked up by its server, with the caller's credential.
    const AppDefinition *scopedApp = tool ? nullptr : m_tools.callerScopedAppFor(name);
    if (!tool && !scopedApp) {
        reply(JsonRpc::error(id, JsonRpc::InvalidParams,
                             u"Unknown tool: %1"_s.arg(name.left(200))));
        return;
    }
    if (tool && !m_tools.isVisibleTo(principal, *tool)) {
        reply(JsonRpc::result(id, toolError(u"operation access denied"_s)));
        return;
    }
    QJsonObject arguments = params.value(u"arguments"_s).toObject();
    Result<Selectors> selectors = Selectors::take(arguments, QString(), QString());
    if (!selectors) {
        reply(JsonRpc::result(id, toolError(selectors.error().message)));
        return;
    }
    InvocationRequest invocation;
    invocation.principal = principal;
    invocation.app = tool ? tool->app->name : scopedApp->name;
    invocation.operation =
        tool ? tool->operation.id : McpToolCatalog::operationIdFor(*scopedApp, name);
    invocation.params = arguments;
    invocation.connection = selectors->connection;
    invocation.instance = selectors->instance;
    invocation.surface = u"mcp"_s;
    invocation.audit = AuditContext::fromRequest(request);
    invocation.audit.source = u"mcp"_s;
    const QJsonValue token = params.value(u"_meta"_s).toObject().value(u"progressToken"_s);
    if (notify && (token.isString() || token.isDouble())) {
        invocation.progress = [notify, token](const QJsonObject &upstream) {
            if (!upstream.value(u"progress"_s).isDouble()) {
                return;
            }
            // The caller's token in place of the one gestalt gave the upstream server.
            QJsonObject progress{{u"progressToken"_s, token},
                                 {u"progress"_s, upstream.value(u"progress"_s)}};
            if (upstream.value(u"total"_s).isDouble()) {
                progress.insert(u"total"_s, upstream.value(u"total"_s));
            }
            if (upstream.value(u"message"_s).isString()) {
                progress.insert(u"message"_s, upstream.value(u"message"_s));
            }
            notify(JsonRpc::notification(u"notifications/progress"_s, progress));
        };
    }
    m_invocations.invoke(invocation, [id, reply = std::move(reply)](
                                         Result<InvocationResult> result) {
        if (!result && result.error().machineCode == McpUpstreams::UnknownToolCode) {
            reply(JsonRpc::error(id, JsonRpc::InvalidParams, result.error().message));
            return;
        }
        if (!result) {
            reply(JsonRpc::result(id, toolError(publicMessage(result.error()))));
            return;
        }
        if (result->toolResult) {
            reply(JsonRpc::result(id, *result->toolResult));
            return;
        }
        const QString text =
            result->body.isEmpty() ? u"{}"_s : QString::fromUtf8(result->body);
        QJsonObject answer{
            {u"content"_s,
             QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, text}}}}};
        if (result->status >= 400) {
            answer.insert(u"isError"_s, true);
        }
        reply(JsonRpc::result(id, answer));
    });
}

} // namespace Gestalt
