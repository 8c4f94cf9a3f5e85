// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/OpenAiModel.h"

#include "config/ConfigScalars.h"
#include "mcp/SseParser.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

#include <array>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qsizetype kMaxDetailChars = 200;

// The handle complete() returns. It may outlive the exchange and the model: abort() after the
// answer, after the model is gone, or a second time, does nothing.
class OpenAiCall final : public UpstreamCall
{
public:
    std::function<void()> onAbort;
    void abort() override
    {
        if (onAbort) {
            std::exchange(onAbort, {})();
        }
    }
};

QString networkErrorText(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        return u"connection refused"_s;
    case QNetworkReply::RemoteHostClosedError:
        return u"the connection was closed"_s;
    case QNetworkReply::HostNotFoundError:
        return u"host not found"_s;
    case QNetworkReply::TimeoutError:
        return u"connection timed out"_s;
    case QNetworkReply::SslHandshakeFailedError:
        return u"TLS handshake failed"_s;
    default:
        return u"network error %1"_s.arg(int(error));
    }
}

// The upstream's own words for an HTTP error: error.message (OpenAI and most compatible
// servers), a bare `error` or `message` or `detail` string, else the start of the body.
QString httpErrorDetail(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QJsonValue error = object.value(u"error"_s);
    for (const QJsonValue &candidate : {error.toObject().value(u"message"_s),
                                        error,
                                        object.value(u"message"_s),
                                        object.value(u"detail"_s)}) {
        if (candidate.isString() && !candidate.toString().trimmed().isEmpty()) {
            return candidate.toString().trimmed();
        }
    }
    return QString::fromUtf8(body).left(kMaxDetailChars).simplified();
}

ErrorCode codeForStatus(int status)
{
    switch (status) {
    case 408:
    case 504:
        return ErrorCode::GatewayTimeout;
    case 429: // rate limited or out of quota: worth a later retry, not a broken upstream
    case 503:
        return ErrorCode::Unavailable;
    default:
        return ErrorCode::BadGateway;
    }
}

bool validHeaderName(const QString &name)
{
    static const QRegularExpression token(u"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"_s);
    return token.match(name).hasMatch();
}

bool validHeaderValue(const QString &value)
{
    return !value.contains(u'\r') && !value.contains(u'\n') && !value.contains(QChar(0));
}

// ---- The request -------------------------------------------------------------------------

// Compact JSON text of any value (QJsonDocument alone cannot write a scalar).
QString compactJson(const QJsonValue &value)
{
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

// The message text, then each `json` part on its own line.
QString textWithJson(const ModelMessage &message)
{
    QStringList lines;
    if (!message.text.isEmpty()) {
        lines.append(message.text);
    }
    for (const QJsonValue &part : message.json) {
        lines.append(compactJson(part));
    }
    return lines.join(u'\n');
}

QJsonObject messageJson(const ModelMessage &message)
{
    switch (message.role) {
    case ModelMessage::Role::System:
        return {{u"role"_s, u"system"_s}, {u"content"_s, textWithJson(message)}};
    case ModelMessage::Role::User:
        return {{u"role"_s, u"user"_s}, {u"content"_s, textWithJson(message)}};
    case ModelMessage::Role::Tool:
        return {{u"role"_s, u"tool"_s},
                {u"tool_call_id"_s, message.toolCallId},
                {u"content"_s, message.text}};
    case ModelMessage::Role::Assistant:
        break;
    }
    QJsonObject out{{u"role"_s, u"assistant"_s}};
    // The API wants null, not "", for an assistant turn that only called tools.
    out.insert(u"content"_s,
               message.text.isEmpty() && !message.toolCalls.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                                      : QJsonValue(message.text));
    if (!message.toolCalls.isEmpty()) {
        QJsonArray calls;
        for (const ModelToolCall &call : message.toolCalls) {
            calls.append(QJsonObject{{u"id"_s, call.id},
                                     {u"type"_s, u"function"_s},
                                     {u"function"_s,
                                      QJsonObject{{u"name"_s, call.name},
                                                  {u"arguments"_s, compactJson(call.arguments)}}}});
        }
        out.insert(u"tool_calls"_s, calls);
    }
    return out;
}

QJsonObject requestBody(const ModelRequest &request, const QString &defaultModel)
{
    QJsonObject body{{u"model"_s, request.model.isEmpty() ? defaultModel : request.model},
                     {u"stream"_s, true},
                     {u"stream_options"_s, QJsonObject{{u"include_usage"_s, true}}}};
    QJsonArray messages;
    for (const ModelMessage &message : request.messages) {
        messages.append(messageJson(message));
    }
    body.insert(u"messages"_s, messages);

    QJsonArray tools;
    for (const auto &value : request.tools) {
        const QJsonObject tool = value.toObject();
        QJsonObject function{{u"name"_s, tool.value(u"name"_s).toString()}};
        if (!tool.value(u"description"_s).toString().isEmpty()) {
            function.insert(u"description"_s, tool.value(u"description"_s));
        }
        const QJsonObject schema = tool.value(u"inputSchema"_s).toObject();
        function.insert(u"parameters"_s,
                        schema.isEmpty() ? QJsonObject{{u"type"_s, u"object"_s},
                                                       {u"properties"_s, QJsonObject{}}}
                                         : schema);
        tools.append(QJsonObject{{u"type"_s, u"function"_s}, {u"function"_s, function}});
    }
    if (!tools.isEmpty()) {
        body.insert(u"tools"_s, tools);
        body.insert(u"tool_choice"_s, u"auto"_s);
    }
    if (!request.responseSchema.isEmpty()) {
        // strict:false: strict mode rejects common schemas (optional properties, formats).
        body.insert(u"response_format"_s,
                    QJsonObject{{u"type"_s, u"json_schema"_s},
                                {u"json_schema"_s,
                                 QJsonObject{{u"name"_s, u"response"_s},
                                             {u"schema"_s, request.responseSchema},
                                             {u"strict"_s, false}}}});
    }
    // The wire name first, so it wins over the camelCase spelling of gestalt's config.
    static const std::array<std::pair<QString, QString>, 11> options{{
        {u"temperature"_s, u"temperature"_s},
        {u"top_p"_s, u"top_p"_s},
        {u"topP"_s, u"top_p"_s},
        {u"max_tokens"_s, u"max_tokens"_s},
        {u"maxTokens"_s, u"max_tokens"_s},
        {u"seed"_s, u"seed"_s},
        {u"stop"_s, u"stop"_s},
        {u"presence_penalty"_s, u"presence_penalty"_s},
        {u"presencePenalty"_s, u"presence_penalty"_s},
        {u"frequency_penalty"_s, u"frequency_penalty"_s},
        {u"frequencyPenalty"_s, u"frequency_penalty"_s},
    }};
    for (const auto &[from, to] : options) {
        if (request.modelOptions.contains(from) && !body.contains(to)) {
            body.insert(to, request.modelOptions.value(from));
        }
    }
    return body;
}

// ---- The answer --------------------------------------------------------------------------

// A JSON value written by a model: tolerates surrounding blanks and a ```json fence.
std::optional<QJsonValue> parseModelJson(const QString &raw)
{
    QString text = raw.trimmed();
    if (text.startsWith(u"```"_s)) {
        const qsizetype newline = text.indexOf(u'\n');
        text = newline < 0 ? QString() : text.mid(newline + 1).trimmed();
        if (text.endsWith(u"```"_s)) {
            text.chop(3);
        }
    }
    QJsonParseError error{};
    // Inside an array, so a top-level scalar parses too.
    const QJsonDocument document = QJsonDocument::fromJson('[' + text.toUtf8() + ']', &error);
    if (text.trimmed().isEmpty() || error.error != QJsonParseError::NoError
        || document.array().size() != 1) {
        return std::nullopt;
    }
    return document.array().first();
}

// Gathers an answer from its chunks (or from one whole chat.completion).
class AnswerBuilder final
{
public:
    // The text and reasoning this chunk adds go to `text` / `reasoning`; an error message when
    // the chunk reports an error.
    [[nodiscard]] std::optional<QString>
    read(const QJsonObject &chunk, bool whole, QString &text, QString &reasoning);
    [[nodiscard]] Result<ModelReply> reply(bool structured) const;
    [[nodiscard]] const QString &finishReason() const { return m_finishReason; }

private:
    struct PartialCall
    {
        QString id;
        QString name;
        QString arguments; // fragments joined; parsed at the end
    };

    QString m_text;
    QString m_refusal;
    QString m_finishReason;
    QList<PartialCall> m_calls;
    QHash<int, qsizetype> m_slotByIndex; // the stream's `index` → m_calls
};

std::optional<QString>
AnswerBuilder::read(const QJsonObject &chunk, bool whole, QString &text, QString &reasoning)
{
    const QJsonValue error = chunk.value(u"error"_s);
    if (error.isObject() || error.isString()) {
        const QString message =
            error.isString() ? error.toString() : error.toObject().value(u"message"_s).toString();
        return message.isEmpty() ? u"the stream reported an error"_s : message;
    }
    const QJsonArray choices = chunk.value(u"choices"_s).toArray();
    if (choices.isEmpty()) {
        return std::nullopt; // the usage chunk
    }
    const QJsonObject choice = choices.first().toObject();
    const QJsonObject delta = choice.value(whole ? u"message"_s : u"delta"_s).toObject();
    if (const QString finish = choice.value(u"finish_reason"_s).toString(); !finish.isEmpty()) {
        m_finishReason = finish;
    }
    text = delta.value(u"content"_s).toString();
    m_text += text;
    m_refusal += delta.value(u"refusal"_s).toString();
    // DeepSeek and vLLM say reasoning_content, OpenRouter and Ollama say reasoning.
    reasoning = delta.value(u"reasoning_content"_s).toString();
    if (reasoning.isEmpty()) {
        reasoning = delta.value(u"reasoning"_s).toString();
    }
    const QJsonArray calls = delta.value(u"tool_calls"_s).toArray();
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const QJsonObject call = calls.at(i).toObject();
        const int index = call.value(u"index"_s).toInt(int(i)); // absent in a whole message
        const QString id = call.value(u"id"_s).toString();
        auto slot = m_slotByIndex.constFind(index);
        // Some servers (Ollama) reuse index 0 for parallel calls; a new id is a new call.
        if (slot == m_slotByIndex.cend()
            || (!id.isEmpty() && !m_calls.at(*slot).id.isEmpty() && m_calls.at(*slot).id != id)) {
            m_calls.append(PartialCall{});
            slot = m_slotByIndex.insert(index, m_calls.size() - 1);
        }
        PartialCall &partial = m_calls[*slot];
        if (!id.isEmpty()) {
            partial.id = id;
        }
        const QJsonObject function = call.value(u"function"_s).toObject();
        if (partial.name.isEmpty()) {
            partial.name = function.value(u"name"_s).toString();
        }
        const QJsonValue arguments = function.value(u"arguments"_s);
        if (arguments.isString()) {
            partial.arguments += arguments.toString();
        } else if (arguments.isObject()) { // not the OpenAI wire, but some servers send it
            partial.arguments = compactJson(arguments);
        }
    }
    return std::nullopt;
}

Result<ModelReply> AnswerBuilder::reply(bool structured) const
{
    ModelReply reply;
    reply.text = m_text;
    for (qsizetype i = 0; i < m_calls.size(); ++i) {
        const PartialCall &call = m_calls.at(i);
        if (call.name.isEmpty()) {
            return Error{ErrorCode::BadGateway, u"a tool call without a tool name"_s};
        }
        QJsonObject arguments;
        if (!call.arguments.trimmed().isEmpty()) {
            const std::optional<QJsonValue> parsed = parseModelJson(call.arguments);
            if (!parsed || !parsed->isObject()) {
                return Error{
                    ErrorCode::BadGateway,
                    u"the arguments of the call of tool \"%1\" are not a JSON object"_s.arg(
                        call.name)};
            }
            arguments = parsed->toObject();
        }
        reply.toolCalls.append(
            {call.id.isEmpty() ? u"call_%1"_s.arg(i) : call.id, call.name, arguments});
    }
    const bool wantsJson = structured && reply.toolCalls.isEmpty();
    if (reply.text.isEmpty() && !m_refusal.isEmpty()) {
        if (wantsJson) {
            return Error{ErrorCode::BadGateway, u"the model refused: %1"_s.arg(m_refusal)};
        }
        reply.text = m_refusal;
    }
    reply.finishReason = !m_finishReason.isEmpty()   ? m_finishReason
                         : reply.toolCalls.isEmpty() ? u"stop"_s
                                                     : u"tool_calls"_s;
    if (wantsJson) {
        reply.structured = parseModelJson(reply.text);
        if (!reply.structured) {
            return Error{ErrorCode::BadGateway,
                         u"the answer is not valid JSON for the response schema"_s};
        }
    }
    return reply;
}

} // namespace

// One request in flight. Destroying it stops the network side without calling `done`.
struct OpenAiModel::Exchange
{
    explicit Exchange(OpenAiModel *owner)
        : model(owner)
    {}
    ~Exchange() { stop(); }
    Exchange(const Exchange &) = delete;
    Exchange &operator=(const Exchange &) = delete;
    Exchange(Exchange &&) = delete;
    Exchange &operator=(Exchange &&) = delete;

    void stop()
    {
        timer.stop();
        if (reply) {
            // Only our own connections go: the manager keeps its bookkeeping on the reply.
            QObject::disconnect(reply, nullptr, model, nullptr);
            reply->abort();
            reply->deleteLater(); // we may be inside one of its signals
            reply = nullptr;
        }
    }
    [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }

    OpenAiModel *model;
    ModelStreamSink sink;
    std::function<void(Result<ModelReply>)> done;
    QPointer<QNetworkReply> reply; // a child of the manager
    QTimer timer;
    SseParser parser{OpenAiModel::MaxResponseBytes};
    bool ended = false; // canceled: `done` is queued, nothing else may happen
    bool headersSeen = false;
    bool sse = false;
    bool sawDone = false;
    bool wantsStructured = false;
    int status = 0;
    qint64 received = 0;
    QByteArray body; // a whole (non-streamed) answer or an error body
    AnswerBuilder answer;
};

OpenAiModel::OpenAiModel(QString name, QObject *parent)
    : QObject(parent)
    , m_name(std::move(name))
    , m_network(new QNetworkAccessManager(this))
{
    // Like every other egress of gestaltd: straight to the host, never an environment proxy.
    m_network->setProxy(QNetworkProxy::NoProxy);
}

OpenAiModel::~OpenAiModel()
{
    // Before the manager (a child) goes: stop every exchange without calling anyone back.
    m_exchanges.clear();
}

Result<std::unique_ptr<OpenAiModel>>
OpenAiModel::create(const QString &name, const QJsonObject &config, QObject *parent)
{
    const QString at = u"providers.agent.%1.config"_s.arg(name);
    static const QStringList known{
        u"baseUrl"_s, u"apiKey"_s, u"model"_s, u"timeout"_s, u"headers"_s, u"organization"_s};
    for (auto it = config.begin(); it != config.end(); ++it) {
        if (!known.contains(it.key())) {
            return Error::invalid(u"%1: unknown key \"%2\""_s.arg(at, it.key()));
        }
    }
    std::unique_ptr<OpenAiModel> model(new OpenAiModel(name, parent));

    const QUrl base(config.value(u"baseUrl"_s).toString().trimmed(), QUrl::StrictMode);
    if (!config.value(u"baseUrl"_s).isString() || !base.isValid() || base.host().isEmpty()
        || (base.scheme() != u"http"_s && base.scheme() != u"https"_s)) {
        return Error::invalid(at + u".baseUrl: must be an http(s) URL"_s);
    }
    model->m_endpoint = base;
    QString path = base.path();
    while (path.endsWith(u'/')) {
        path.chop(1);
    }
    model->m_endpoint.setPath(path + u"/chat/completions"_s);
    model->m_endpoint.setFragment({});

    const QJsonValue defaultModel = config.value(u"model"_s);
    if (!defaultModel.isString() || defaultModel.toString().trimmed().isEmpty()) {
        return Error::invalid(at + u".model: the default model name is required"_s);
    }
    model->m_model = defaultModel.toString().trimmed();

    if (config.contains(u"apiKey"_s)) {
        // Trimmed: a key read from a *_FILE often ends with a newline.
        const QString key = config.value(u"apiKey"_s).toString().trimmed();
        if (!config.value(u"apiKey"_s).isString() || !validHeaderValue(key)) {
            return Error::invalid(at + u".apiKey: must be a string on one line"_s);
        }
        model->m_apiKey = key.toUtf8();
    }
    if (config.contains(u"timeout"_s)) {
        const std::optional<std::chrono::milliseconds> timeout =
            parseDuration(config.value(u"timeout"_s).toString());
        if (!config.value(u"timeout"_s).isString() || !timeout || timeout->count() <= 0) {
            return Error::invalid(at + u".timeout: expected a positive duration such as 120s"_s);
        }
        model->m_timeout = *timeout;
    }
    if (config.contains(u"headers"_s)) {
        if (!config.value(u"headers"_s).isObject()) {
            return Error::invalid(at + u".headers: must be a map of header names to strings"_s);
        }
        const QJsonObject headers = config.value(u"headers"_s).toObject();
        for (auto it = headers.begin(); it != headers.end(); ++it) {
            if (!validHeaderName(it.key())) {
                return Error::invalid(
                    u"%1.headers: \"%2\" is not a header name"_s.arg(at, it.key()));
            }
            if (!it.value().isString() || !validHeaderValue(it.value().toString())) {
                return Error::invalid(
                    u"%1.headers.%2: must be a string on one line"_s.arg(at, it.key()));
            }
            model->m_headers.append({it.key().toLatin1(), it.value().toString().toUtf8()});
        }
    }
    if (config.contains(u"organization"_s)) {
        const QString organization = config.value(u"organization"_s).toString().trimmed();
        if (!config.value(u"organization"_s).isString() || !validHeaderValue(organization)) {
            return Error::invalid(at + u".organization: must be a string on one line"_s);
        }
        if (!organization.isEmpty()) {
            model->m_headers.append({"OpenAI-Organization"_ba, organization.toUtf8()});
        }
    }
    return model;
}

std::shared_ptr<UpstreamCall> OpenAiModel::complete(const ModelRequest &request,
                                                    const ModelStreamSink &sink,
                                                    std::function<void(Result<ModelReply>)> done)
{
    const quint64 id = m_nextId++;
    auto exchange = std::make_unique<Exchange>(this);
    exchange->sink = sink;
    exchange->done = std::move(done);
    exchange->wantsStructured = !request.responseSchema.isEmpty();

    QNetworkRequest http(m_endpoint);
    // A redirected POST would drop or replay the body; an answer is expected from this URL.
    http.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                      QNetworkRequest::ManualRedirectPolicy);
    http.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    http.setRawHeader("Content-Type", "application/json");
    http.setRawHeader("Accept", "text/event-stream, application/json");
    http.setRawHeader("User-Agent", "gestaltd");
    for (const auto &[header, value] : std::as_const(m_headers)) {
        http.setRawHeader(header, value);
    }
    if (!m_apiKey.isEmpty()) {
        http.setRawHeader("Authorization", "Bearer " + m_apiKey);
    }
    const QByteArray body =
        QJsonDocument(requestBody(request, m_model)).toJson(QJsonDocument::Compact);
    exchange->reply = m_network->post(http, body);
    connect(exchange->reply, &QNetworkReply::readyRead, this, [this, id] { onData(id); });
    connect(exchange->reply, &QNetworkReply::finished, this, [this, id] { onFinished(id); });
    exchange->timer.setSingleShot(true);
    connect(&exchange->timer, &QTimer::timeout, this, [this, id] {
        fail(id,
             upstreamError(ErrorCode::GatewayTimeout,
                           u"timed out after %1 s"_s.arg(double(m_timeout.count()) / 1000.0)));
    });
    exchange->timer.start(m_timeout);
    m_exchanges.emplace(id, std::move(exchange));

    auto call = std::make_shared<OpenAiCall>();
    call->onAbort = [self = QPointer<OpenAiModel>(this), id] {
        if (self) {
            self->cancel(id);
        }
    };
    return call;
}

OpenAiModel::Exchange *OpenAiModel::live(quint64 id) const
{
    const auto it = m_exchanges.find(id);
    return it == m_exchanges.end() || it->second->ended ? nullptr : it->second.get();
}

void OpenAiModel::onHeaders(Exchange &exchange)
{
    if (exchange.headersSeen || !exchange.reply) {
        return;
    }
    const QVariant status = exchange.reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid()) {
        return;
    }
    exchange.headersSeen = true;
    exchange.status = status.toInt();
    const QByteArray type = exchange.reply->rawHeader("Content-Type").trimmed().toLower();
    exchange.sse = exchange.ok() && type.startsWith("text/event-stream");
}

void OpenAiModel::onData(quint64 id)
{
    Exchange *exchange = live(id);
    if (!exchange || !exchange->reply) {
        return;
    }
    onHeaders(*exchange);
    const QByteArray bytes = exchange->reply->readAll();
    exchange->received += bytes.size();
    if (exchange->received > MaxResponseBytes) {
        fail(id,
             upstreamError(ErrorCode::BadGateway,
                           u"the answer exceeds %1 MiB"_s.arg(MaxResponseBytes >> 20)));
        return;
    }
    if (exchange->sse) {
        (void)readEvents(id, bytes);
    } else {
        exchange->body.append(bytes);
    }
}

void OpenAiModel::onFinished(quint64 id)
{
    onData(id); // whatever arrived with the end
    Exchange *exchange = live(id);
    if (!exchange || !exchange->reply) {
        return;
    }
    onHeaders(*exchange);
    if (!exchange->headersSeen) {
        fail(id,
             upstreamError(
                 ErrorCode::BadGateway,
                 u"cannot reach the API: %1"_s.arg(networkErrorText(exchange->reply->error()))));
        return;
    }
    if (!exchange->ok()) {
        const QString detail = httpErrorDetail(exchange->body);
        fail(id,
             upstreamError(codeForStatus(exchange->status),
                           detail.isEmpty() ? u"HTTP %1"_s.arg(exchange->status)
                                            : u"HTTP %1: %2"_s.arg(exchange->status).arg(detail)));
        return;
    }
    if (!exchange->sse && !exchange->body.trimmed().startsWith("data:")) {
        // A server that ignored `stream`: one chat.completion document.
        const QJsonDocument document = QJsonDocument::fromJson(exchange->body);
        if (!document.isObject()) {
            fail(id, upstreamError(ErrorCode::BadGateway, u"the answer is not JSON"_s));
            return;
        }
        if (readChunk(id, document.object(), true)) {
            succeed(id);
        }
        return;
    }
    // An event stream (also one sent with another Content-Type). The blank lines end a last
    // event some servers leave unterminated.
    const QByteArray rest = exchange->sse ? QByteArray() : std::exchange(exchange->body, {});
    if (!readEvents(id, QByteArray(rest + "\n\n"))) {
        return;
    }
    exchange = live(id);
    if (exchange && !exchange->sawDone && exchange->answer.finishReason().isEmpty()) {
        fail(id,
             upstreamError(ErrorCode::BadGateway,
                           u"the stream ended before the answer was complete"_s));
    } else if (exchange) {
        succeed(id);
    }
}

bool OpenAiModel::readEvents(quint64 id, QByteArrayView bytes)
{
    Exchange *exchange = live(id);
    if (!exchange) {
        return false;
    }
    const QList<SseParser::Event> events = exchange->parser.feed(bytes);
    if (exchange->parser.overflowed()) {
        fail(id,
             upstreamError(ErrorCode::BadGateway,
                           u"the answer exceeds %1 MiB"_s.arg(MaxResponseBytes >> 20)));
        return false;
    }
    for (const SseParser::Event &event : events) {
        exchange = live(id); // a sink callback may have canceled the call
        if (!exchange) {
            return false;
        }
        if (exchange->sawDone) {
            break;
        }
        const QByteArray data = event.data.trimmed();
        if (data == "[DONE]") {
            // Answer now rather than wait for a server that keeps the stream open.
            exchange->sawDone = true;
            succeed(id);
            return false;
        }
        if (event.type == "error") { // some compatible servers; OpenAI puts `error` in a chunk
            const QString detail = httpErrorDetail(data);
            fail(id,
                 upstreamError(ErrorCode::BadGateway,
                               detail.isEmpty() ? u"stream error"_s : detail));
            return false;
        }
        const QJsonDocument chunk = QJsonDocument::fromJson(data);
        if (!chunk.isObject()) {
            fail(id,
                 upstreamError(ErrorCode::BadGateway, u"a stream event is not a JSON object"_s));
            return false;
        }
        if (!readChunk(id, chunk.object(), false)) {
            return false;
        }
    }
    return true;
}

bool OpenAiModel::readChunk(quint64 id, const QJsonObject &chunk, bool whole)
{
    Exchange *exchange = live(id);
    if (!exchange) {
        return false;
    }
    QString text;
    QString reasoning;
    if (const std::optional<QString> error = exchange->answer.read(chunk, whole, text, reasoning)) {
        fail(id, upstreamError(ErrorCode::BadGateway, *error));
        return false;
    }
    // The sink may cancel the call or even destroy the model: look again after each callback.
    const QPointer<OpenAiModel> guard(this);
    const ModelStreamSink sink = exchange->sink;
    if (!reasoning.isEmpty() && sink.reasoningDelta) {
        sink.reasoningDelta(reasoning);
        if (!guard || !live(id)) {
            return false;
        }
    }
    if (!text.isEmpty() && sink.textDelta) {
        sink.textDelta(text);
        if (!guard || !live(id)) {
            return false;
        }
    }
    return true;
}

void OpenAiModel::succeed(quint64 id)
{
    Exchange *exchange = live(id);
    if (!exchange) {
        return;
    }
    Result<ModelReply> reply = exchange->answer.reply(exchange->wantsStructured);
    if (!reply) {
        fail(id, upstreamError(reply.error().code, reply.error().message));
        return;
    }
    finish(id, std::move(reply));
}

void OpenAiModel::fail(quint64 id, const Error &error)
{
    if (live(id)) {
        finish(id, error);
    }
}

void OpenAiModel::cancel(quint64 id)
{
    Exchange *exchange = live(id);
    if (!exchange) {
        return;
    }
    exchange->ended = true;
    exchange->stop();
    // abort() may be called from inside a sink callback or right after complete(): `done`
    // comes later from the event loop, as for every other outcome.
    QTimer::singleShot(
        0, this, [this, id] { finish(id, upstreamError(ErrorCode::BadGateway, u"canceled"_s)); });
}

void OpenAiModel::finish(quint64 id, Result<ModelReply> result)
{
    const auto it = m_exchanges.find(id);
    if (it == m_exchanges.end()) {
        return;
    }
    std::unique_ptr<Exchange> exchange = std::move(it->second);
    m_exchanges.erase(it);
    std::function<void(Result<ModelReply>)> done = std::move(exchange->done);
    exchange.reset();
    // Last: `done` may destroy this model.
    if (done) {
        done(std::move(result));
    }
}

Error OpenAiModel::upstreamError(ErrorCode code, const QString &detail) const
{
    QString message = u"model provider \"%1\": %2"_s.arg(m_name, detail);
    if (!m_apiKey.isEmpty()) {
        // Some servers quote the key they were sent; it must never reach a status message.
        message.replace(QString::fromUtf8(m_apiKey), u"[redacted]"_s);
    }
    return Error{code, message};
}

} // namespace Gestalt
