// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/OpenAiModel.h"

#include "agents/OpenAiWire.h"
#include "config/ConfigScalars.h"
#include "httpclient/SseParser.h"
#include "httpclient/UpstreamClient.h"

#include <QJsonDocument>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

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

bool validHeaderName(const QString &name)
{
    static const QRegularExpression token(u"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"_s);
    return token.match(name).hasMatch();
}

bool validHeaderValue(const QString &value)
{
    return !value.contains(u'\r') && !value.contains(u'\n') && !value.contains(QChar(0));
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
        if (const std::shared_ptr<UpstreamCall> running = std::exchange(call, nullptr)) {
            running->abort(); // its end finds the exchange no longer live
        }
    }
    [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }

    OpenAiModel *model;
    ModelStreamSink sink;
    std::function<void(Result<ModelReply>)> done;
    std::shared_ptr<UpstreamCall> call; // while in flight
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
    OpenAiWire::AnswerBuilder answer;
};

OpenAiModel::OpenAiModel(QString name,
                         UpstreamClient &upstream,
                         EgressPolicy egress,
                         QObject *parent)
    : QObject(parent)
    , m_name(std::move(name))
    , m_upstream(&upstream)
    , m_egress(std::move(egress))
{}

OpenAiModel::~OpenAiModel()
{
    // Stop every exchange without calling anyone back (their ends find nothing live).
    std::map<quint64, std::unique_ptr<Exchange>> exchanges = std::move(m_exchanges);
    m_exchanges.clear();
    exchanges.clear();
}

Result<std::unique_ptr<OpenAiModel>> OpenAiModel::create(const QString &name,
                                                         const QJsonObject &config,
                                                         UpstreamClient &upstream,
                                                         EgressPolicy egress,
                                                         QObject *parent)
{
    const QString at = u"providers.agent.%1.config"_s.arg(name);
    static const QStringList known{
        u"baseUrl"_s, u"apiKey"_s, u"model"_s, u"timeout"_s, u"headers"_s, u"organization"_s};
    for (auto it = config.begin(); it != config.end(); ++it) {
        if (!known.contains(it.key())) {
            return Error::invalid(u"%1: unknown key \"%2\""_s.arg(at, it.key()));
        }
    }
    std::unique_ptr<OpenAiModel> model(new OpenAiModel(name, upstream, std::move(egress), parent));

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

    UpstreamRequest http;
    http.method = u"POST"_s;
    http.url = m_endpoint;
    http.headers.append({"Content-Type"_ba, "application/json"_ba});
    http.headers.append({"Accept"_ba, "text/event-stream, application/json"_ba});
    http.headers.append({"User-Agent"_ba, "gestaltd"_ba});
    for (const std::pair<QByteArray, QByteArray> &configured : std::as_const(m_headers)) {
        // A configured header replaces a default one of the same name (as before).
        http.headers.removeIf([&configured](const std::pair<QByteArray, QByteArray> &h) {
            return h.first.compare(configured.first, Qt::CaseInsensitive) == 0;
        });
        http.headers.append(configured);
    }
    if (!m_apiKey.isEmpty()) {
        http.headers.removeIf([](const std::pair<QByteArray, QByteArray> &h) {
            return h.first.compare("authorization", Qt::CaseInsensitive) == 0;
        });
        http.headers.append({"Authorization"_ba, "Bearer " + m_apiKey});
    }
    http.body =
        QJsonDocument(OpenAiWire::requestBody(request, m_model)).toJson(QJsonDocument::Compact);
    UpstreamOptions options;
    // The model's own timer bounds the whole call, streaming included; the client's deadline
    // (up to the head) is only a backstop behind it.
    options.timeout = m_timeout + std::chrono::seconds(5);
    options.maxBodyBytes = MaxResponseBytes;
    options.egress = m_egress;
    UpstreamStreamHandlers handlers;
    handlers.head = [this, id](const UpstreamResponseHead &head) {
        if (Exchange *current = live(id)) {
            current->headersSeen = true;
            current->status = head.status;
            current->sse = current->ok()
                           && head.contentType.trimmed().toLower().startsWith("text/event-stream");
        }
    };
    handlers.data = [this, id](const QByteArray &bytes) {
        onData(id, bytes);
    };
    handlers.end = [this, id](const Result<void> &ended) {
        onFinished(id, ended);
    };
    Exchange *raw = exchange.get();
    m_exchanges.emplace(id, std::move(exchange));
    if (!m_upstream) {
        QTimer::singleShot(0, this, [this, id] {
            fail(id, upstreamError(ErrorCode::Unavailable, u"gestalt is shutting down"_s));
        });
    } else {
        raw->call = m_upstream->stream(http, options, std::move(handlers));
    }
    raw->timer.setSingleShot(true);
    connect(&raw->timer, &QTimer::timeout, this, [this, id] {
        fail(id,
             upstreamError(ErrorCode::GatewayTimeout,
                           u"timed out after %1 s"_s.arg(double(m_timeout.count()) / 1000.0)));
    });
    raw->timer.start(m_timeout);

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

void OpenAiModel::onData(quint64 id, const QByteArray &bytes)
{
    Exchange *exchange = live(id);
    if (!exchange) {
        return;
    }
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

void OpenAiModel::onFinished(quint64 id, const Result<void> &ended)
{
    Exchange *exchange = live(id);
    if (!exchange) {
        return;
    }
    exchange->call.reset(); // done: nothing to abort any more
    if (!ended && ended.error().message == UpstreamClient::TooLargeMessage) {
        fail(id,
             upstreamError(ErrorCode::BadGateway,
                           u"the answer exceeds %1 MiB"_s.arg(MaxResponseBytes >> 20)));
        return;
    }
    if (!exchange->headersSeen) {
        // An egress refusal keeps its code (Forbidden); a network failure is a 502.
        const Error &error = ended ? Error::internal(u"no response"_s) : ended.error();
        fail(id,
             error.code == ErrorCode::Forbidden || error.code == ErrorCode::InvalidArgument
                 ? upstreamError(error.code, error.message)
                 : upstreamError(ErrorCode::BadGateway,
                                 u"cannot reach the API: %1"_s.arg(error.message)));
        return;
    }
    if (!exchange->ok()) {
        const QString detail = OpenAiWire::httpErrorDetail(exchange->body);
        fail(id,
             upstreamError(OpenAiWire::codeForStatus(exchange->status),
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
            const QString detail = OpenAiWire::httpErrorDetail(data);
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
    // Some servers quote the key they were sent; it must never reach a status message.
    return Error{
        code, OpenAiWire::redacted(u"model provider \"%1\": %2"_s.arg(m_name, detail), m_apiKey)};
}

} // namespace Gestalt
