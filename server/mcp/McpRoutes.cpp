// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/McpRoutes.h"

#include "audit/AuditEvent.h"
#include "core/Logging.h"
#include "http/HttpServer.h"
#include "http/Responder.h"
#include "invocation/InvocationService.h"
#include "mcp/McpUpstreams.h"
#include "mcp/client/JsonRpc.h"
#include "shared/Version.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

#include <variant>

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
        QByteArray("o:" + QByteArray::number(offset))
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
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

// The answer to one POST: the responses of its messages, sent once the last request is answered
// (as JSON, or as SSE events after the progress notifications that started a stream).
class PendingAnswer final
{
public:
    PendingAnswer(bool batch, Responder responder)
        : m_batch(batch)
        , m_responder(std::move(responder))
    {}

    // The requests among `messages`; an invalid message gets its error response now, and
    // notifications and responses need none (the stateless server has no session to update).
    QList<QJsonObject> takeRequests(const QJsonArray &messages)
    {
        QList<QJsonObject> requests;
        for (const auto &message : messages) {
            QString why;
            switch (JsonRpc::classify(message, &why)) {
            case JsonRpc::Kind::Invalid: {
                const QJsonValue id = message.toObject().value(u"id"_s);
                m_responses.append(JsonRpc::error(
                    id.isString() || id.isDouble() ? id : QJsonValue(QJsonValue::Null),
                    JsonRpc::InvalidRequest,
                    u"Invalid Request: "_s + why));
                break;
            }
            case JsonRpc::Kind::Notification:
            case JsonRpc::Kind::Response:
                break;
            case JsonRpc::Kind::Request:
                requests.append(message.toObject());
                break;
            }
        }
        m_outstanding = int(requests.size());
        if (!requests.isEmpty()) {
            m_invalidOnly = false;
        }
        return requests;
    }

    // A server-to-client message before the responses: the answer becomes an SSE stream.
    void notify(const QJsonObject &message)
    {
        if (!m_stream) {
            m_stream = m_responder.startStream(200, "text/event-stream"_ba);
        }
        m_stream->write(sseEvent(message));
    }

    void answered(QJsonObject response)
    {
        m_responses.append(std::move(response));
        --m_outstanding;
        finishIfDone();
    }

    void finishIfDone()
    {
        if (m_outstanding > 0) {
            return;
        }
        if (m_stream) {
            for (const QJsonObject &response : std::as_const(m_responses)) {
                m_stream->write(sseEvent(response));
            }
            m_stream->finish();
            return;
        }
        if (m_responses.isEmpty()) {
            m_responder.send(HttpResponse::noContent(202));
            return;
        }
        if (!m_batch) {
            m_responder.send(HttpResponse::json(m_invalidOnly ? 400 : 200, m_responses.first()));
            return;
        }
        QJsonArray all;
        for (const QJsonObject &response : std::as_const(m_responses)) {
            all.append(response);
        }
        m_responder.send(HttpResponse::json(200, all));
    }

private:
    QList<QJsonObject> m_responses;
    int m_outstanding = 0;
    bool m_batch = false;
    bool m_invalidOnly = true;
    Responder m_responder;
    std::shared_ptr<StreamWriter> m_stream; // once a notification went out
};

// The caller's progress token in place of the one gestalt gave the upstream server.
std::function<void(const QJsonObject &)>
forwardProgress(const std::function<void(const QJsonObject &)> &notify, const QJsonValue &token)
{
    return [notify, token](const QJsonObject &upstream) {
        if (!upstream.value(u"progress"_s).isDouble()) {
            return;
        }
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

// The tools/call response for an invocation's result: tool failures are results with isError.
QJsonObject toolCallResponse(const QJsonValue &id, const Result<InvocationResult> &result)
{
    if (!result && result.error().machineCode == McpUpstreams::UnknownToolCode) {
        return JsonRpc::error(id, JsonRpc::InvalidParams, result.error().message);
    }
    if (!result) {
        return JsonRpc::result(id, toolError(publicMessage(result.error())));
    }
    if (result->toolResult) {
        return JsonRpc::result(id, *result->toolResult);
    }
    const QString text = result->body.isEmpty() ? u"{}"_s : QString::fromUtf8(result->body);
    QJsonObject answer{
        {u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, text}}}}};
    if (result->status >= 400) {
        answer.insert(u"isError"_s, true);
    }
    return JsonRpc::result(id, answer);
}

} // namespace

McpRoutes::Messages McpRoutes::refusal(HttpResponse response)
{
    return {{}, false, std::move(response)};
}

const QStringList &McpRoutes::supportedVersions()
{
    static const QStringList versions{u"2025-03-26"_s, u"2025-06-18"_s, u"2025-11-25"_s};
    return versions;
}

McpRoutes::McpRoutes(const McpToolCatalog &tools,
                     InvocationService &invocations,
                     Authenticator &authenticator,
                     Options options)
    : m_tools(tools)
    , m_invocations(invocations)
    , m_authenticator(authenticator)
    , m_options(std::move(options))
{}

void McpRoutes::registerRoutes(Router &router)
{
    // post() answers a wrong media type itself, as a JSON-RPC error.
    router.routeAsync(u"POST"_s, u"/mcp"_s, RouteAuth::Public, this, &McpRoutes::post)
        .accepts(RouteBody::Any);
    const auto noStream = [](const HttpRequest &) -> Result<HttpResponse> {
        HttpResponse response =
            rpcFailure(405,
                       JsonRpc::InvalidRequest,
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
    if (std::optional<HttpResponse> refused = refuseHeaders(request)) {
        responder.send(*refused);
        return;
    }
    Messages body = readMessages(request);
    if (body.refused) {
        responder.send(*body.refused);
        return;
    }

    const auto pending = std::make_shared<PendingAnswer>(body.batch, responder);
    Notify notify;
    if (!body.batch && request.header("accept").toLower().contains("text/event-stream")) {
        notify = [pending](const QJsonObject &message) {
            pending->notify(message);
        };
    }
    const QList<QJsonObject> requests = pending->takeRequests(body.messages);
    if (requests.isEmpty()) {
        pending->finishIfDone();
        return;
    }
    for (const QJsonObject &message : requests) {
        dispatch(request, *principal, message, body.batch, notify, [pending](QJsonObject response) {
            pending->answered(std::move(response));
        });
    }
}

std::optional<HttpResponse> McpRoutes::refuseHeaders(const HttpRequest &request)
{
    const QByteArray contentType = request.header("content-type").toLower();
    if (!contentType.startsWith("application/json")) {
        return rpcFailure(415, JsonRpc::InvalidRequest, u"Content-Type must be application/json"_s);
    }
    const QByteArray accept = request.header("accept").toLower();
    if (!accept.isEmpty() && !accept.contains("application/json") && !accept.contains("*/*")
        && !accept.contains("application/*")) {
        return rpcFailure(406, JsonRpc::InvalidRequest, u"Accept must include application/json"_s);
    }
    const QString version = QString::fromLatin1(request.header("mcp-protocol-version"));
    if (!version.isEmpty() && !supportedVersions().contains(version)) {
        return rpcFailure(400,
                          JsonRpc::InvalidRequest,
                          u"unsupported MCP-Protocol-Version \"%1\" (supported: %2)"_s.arg(
                              version.left(40), supportedVersions().join(u", "_s)));
    }
    return std::nullopt;
}

McpRoutes::Messages McpRoutes::readMessages(const HttpRequest &request)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // QJsonDocument reads only objects and arrays; a lone JSON scalar is valid JSON but not
        // a JSON-RPC message.
        const QJsonDocument wrapped = QJsonDocument::fromJson('[' + request.body + ']');
        if (wrapped.isArray() && wrapped.array().size() == 1) {
            return refusal(rpcFailure(400,
                                      JsonRpc::InvalidRequest,
                                      u"Invalid Request: a JSON-RPC message must be an object"_s));
        }
        return refusal(
            rpcFailure(400, JsonRpc::ParseError, u"Parse error: "_s + parseError.errorString()));
    }
    if (!document.isArray()) {
        return {QJsonArray{document.isObject() ? QJsonValue(document.object()) : QJsonValue()},
                false,
                std::nullopt};
    }
    // JSON-RPC batches exist in 2025-03-26 only (the version a client without the header
    // speaks); later versions removed them.
    const QString version = QString::fromLatin1(request.header("mcp-protocol-version"));
    if (!version.isEmpty() && version != u"2025-03-26") {
        return refusal(rpcFailure(
            400,
            JsonRpc::InvalidRequest,
            u"JSON-RPC batches are not supported in protocol version %1"_s.arg(version)));
    }
    if (document.array().isEmpty()) {
        return refusal(rpcFailure(400, JsonRpc::InvalidRequest, u"empty batch"_s));
    }
    return {document.array(), true, std::nullopt};
}

void McpRoutes::dispatch(const HttpRequest &request,
                         const Principal &principal,
                         const QJsonObject &message,
                         bool inBatch,
                         const Notify &notify,
                         Reply reply)
{
    const QJsonValue id = message.value(u"id"_s);
    const QString method = message.value(u"method"_s).toString();
    const QJsonObject params = message.value(u"params"_s).toObject();
    if (method == u"initialize") {
        if (inBatch) {
            reply(JsonRpc::error(
                id, JsonRpc::InvalidRequest, u"initialize must not be part of a JSON-RPC batch"_s));
            return;
        }
        if (!params.value(u"protocolVersion"_s).isString()) {
            reply(JsonRpc::error(id,
                                 JsonRpc::InvalidParams,
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
        reply(JsonRpc::error(
            id, JsonRpc::MethodNotFound, u"Method not found: %1"_s.arg(method.left(100))));
    }
}

QJsonObject McpRoutes::initialize(const QJsonObject &params) const
{
    const QString requested = params.value(u"protocolVersion"_s).toString();
    const QString negotiated =
        supportedVersions().contains(requested) ? requested : supportedVersions().last();
    return {
        {u"protocolVersion"_s, negotiated},
        {u"capabilities"_s, QJsonObject{{u"tools"_s, QJsonObject{{u"listChanged"_s, false}}}}},
        {u"serverInfo"_s,
         QJsonObject{
             {u"name"_s, u"gestalt"_s}, {u"title"_s, u"Gestalt"_s}, {u"version"_s, version()}}},
        {u"instructions"_s,
         u"Tools of the apps this Gestalt gateway connects, named <app>_<operation>. A tool "
         "that needs a connected account answers with an error saying so."_s},
    };
}

void McpRoutes::listTools(const HttpRequest &request,
                          const Principal &principal,
                          const QJsonValue &id,
                          const QJsonObject &params,
                          Reply reply)
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
    const auto page = [id, offset, reply = std::move(reply)](const Listing &all) {
        QJsonArray tools = all.tools;
        for (const QJsonArray &app : all.perApp) {
            for (const auto &tool : app) {
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
        m_invocations.invoke(
            invocation, [this, listing, i, app, principal, page](Result<InvocationResult> result) {
                if (result && result->upstreamTools) {
                    for (const Operation &op : std::as_const(*result->upstreamTools)) {
                        if (const std::optional<McpToolCatalog::Tool> tool =
                                m_tools.callerTool(principal, *app, op)) {
                            listing->perApp[i].append(tool->definition);
                        }
                    }
                } else if (!result && result.error().code != ErrorCode::PreconditionFailed
                           && result.error().code != ErrorCode::Forbidden) {
                    qCInfo(lcMcp).noquote()
                        << "mcp: tools/list of app" << app->name << "for" << principal.subjectId
                        << "failed:" << result.error().message;
                }
                if (--listing->outstanding == 0) {
                    page(*listing);
                }
            });
    }
}

void McpRoutes::callTool(const HttpRequest &request,
                         const Principal &principal,
                         const QJsonValue &id,
                         const QJsonObject &params,
                         const Notify &notify,
                         Reply reply)
{
    std::variant<InvocationRequest, QJsonObject> call =
        toolInvocation(request, principal, id, params);
    auto *invocation = std::get_if<InvocationRequest>(&call);
    if (!invocation) {
        reply(std::get<QJsonObject>(std::move(call)));
        return;
    }
    const QJsonValue token = params.value(u"_meta"_s).toObject().value(u"progressToken"_s);
    if (notify && (token.isString() || token.isDouble())) {
        invocation->progress = forwardProgress(notify, token);
    }
    m_invocations.invoke(*invocation,
                         [id, reply = std::move(reply)](const Result<InvocationResult> &result) {
                             reply(toolCallResponse(id, result));
                         });
}

std::variant<InvocationRequest, QJsonObject>
McpRoutes::toolInvocation(const HttpRequest &request,
                          const Principal &principal,
                          const QJsonValue &id,
                          const QJsonObject &params) const
{
    if (!params.value(u"name"_s).isString()) {
        return JsonRpc::error(
            id, JsonRpc::InvalidParams, u"tools/call needs params.name (a string)"_s);
    }
    const QString name = params.value(u"name"_s).toString();
    if (params.contains(u"arguments"_s) && !params.value(u"arguments"_s).isObject()) {
        return JsonRpc::error(
            id, JsonRpc::InvalidParams, u"tools/call params.arguments must be an object"_s);
    }
    const McpToolCatalog::Tool *tool = m_tools.tool(name);
    // A caller-scoped app's tool is looked up by its server, with the caller's credential.
    const AppDefinition *scopedApp = tool ? nullptr : m_tools.callerScopedAppFor(name);
    if (!tool && !scopedApp) {
        return JsonRpc::error(
            id, JsonRpc::InvalidParams, u"Unknown tool: %1"_s.arg(name.left(200)));
    }
    if (tool && !m_tools.isVisibleTo(principal, *tool)) {
        return JsonRpc::result(id, toolError(u"operation access denied"_s));
    }
    QJsonObject arguments = params.value(u"arguments"_s).toObject();
    Result<Selectors> selectors = Selectors::take(arguments, QString(), QString());
    if (!selectors) {
        return JsonRpc::result(id, toolError(selectors.error().message));
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
    return invocation;
}

} // namespace Gestalt
