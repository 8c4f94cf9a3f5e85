// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/client/McpClient.h"

#include "core/Logging.h"
#include "mcp/client/JsonRpc.h"
#include "mcp/client/McpClientHttp.h"
#include "mcp/client/McpClientStdio.h"
#include "shared/Version.h"

#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <map>
#include <utility>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

using JsonRpc::notification;

const QString offeredVersion = u"2025-11-25"_s;
const QStringList supportedVersions{u"2025-03-26"_s, u"2025-06-18"_s, u"2025-11-25"_s};
constexpr std::chrono::milliseconds initializeTimeout{30'000};
constexpr int maxToolPages = 100;

QString seconds(std::chrono::milliseconds duration)
{
    return QString::number(double(duration.count()) / 1000.0);
}

QString progressToken(qint64 id)
{
    return u"gestalt-"_s + QString::number(id);
}

Error rpcError(const QJsonValue &error)
{
    const QJsonObject object = error.toObject();
    QString message = object.value(u"message"_s).toString();
    if (message.size() > 500) {
        message = message.first(500) + u"…"_s;
    }
    return Error{
        ErrorCode::BadGateway,
        u"upstream MCP error %1: %2"_s.arg(object.value(u"code"_s).toInteger()).arg(message)};
}

} // namespace

class McpClient::Private final
    : public QObject
    , public McpTransportHost
{
public:
    struct Slot
    {
        Callback callback;
        Progress progress;
    };

    struct Pending
    {
        QString method;
        QJsonObject params;
        std::chrono::milliseconds timeout;
        std::shared_ptr<Slot> slot;
        QTimer *timer = nullptr; // child of this
        bool sent = false;
        bool resent = false; // already sent again after an expired session
    };

    struct ToolListing
    {
        ToolsCallback callback;
        std::chrono::milliseconds timeout;
        QJsonArray tools;
        int pages = 0;
    };

    enum class State {
        Idle,
        Initializing,
        Ready
    };

    Private()
    {
        initTimer.setSingleShot(true);
        connect(&initTimer, &QTimer::timeout, this, [this] {
            if (initId != 0) {
                transport->abandon(initId);
                initializeFailed(
                    Error{ErrorCode::GatewayTimeout,
                          u"upstream MCP server did not answer initialize within %1 s"_s.arg(
                              seconds(initializeTimeout))});
            }
        });
    }
    ~Private() override { transport.reset(); } // before the state it reports to
    Q_DISABLE_COPY_MOVE(Private)

    std::function<void()> request(const QString &method,
                                  QJsonObject params,
                                  std::chrono::milliseconds timeout,
                                  Callback callback,
                                  Progress progress = {});
    void listPage(const std::shared_ptr<ToolListing> &listing, const QString &cursor);

    // McpTransportHost
    void receive(const QJsonObject &message) override;
    void failRequest(qint64 id, const Error &error) override;
    void sessionExpired(qint64 id, bool current) override;
    void connectionUp() override;
    void connectionLost(const QString &reason, const Error &error) override;

    McpClient *q = nullptr;
    std::unique_ptr<McpClientTransport> transport;
    State state = State::Idle;
    qint64 nextId = 1;
    qint64 initId = 0;      // 0: no initialize in flight
    quint64 generation = 0; // bumped whenever a handshake is abandoned
    QTimer initTimer;
    QString version;
    QJsonObject serverInfo;
    QJsonObject capabilities;
    std::map<qint64, Pending> pending;
    QList<qint64> queue; // waiting for initialize, in order

private:
    void startInitialize();
    void initializeAnswered(const QJsonObject &message);
    void initializeFailed(const Error &error);
    void becomeReady(quint64 handshake);
    void send(qint64 id);
    void cancel(qint64 id);
    void timedOut(qint64 id);
    void complete(qint64 id, Result<QJsonObject> result);
    bool forget(qint64 id); // drops the entry without calling back; true when it had been sent
    void post(const std::shared_ptr<Slot> &slot, Result<QJsonObject> result);
    void emitLater(void (McpClient::*signal)()) const;
    void answerServerRequest(const QJsonObject &message) const;
    void progressed(const QJsonObject &params);
};

std::function<void()> McpClient::Private::request(const QString &method,
                                                  QJsonObject params,
                                                  std::chrono::milliseconds timeout,
                                                  Callback callback,
                                                  Progress progress)
{
    const qint64 id = nextId++;
    if (progress) {
        // The request id is unique among this client's requests, so it serves as the token.
        QJsonObject meta = params.value(u"_meta"_s).toObject();
        meta.insert(u"progressToken"_s, progressToken(id));
        params.insert(u"_meta"_s, meta);
    }
    auto slot = std::make_shared<Slot>(Slot{std::move(callback), std::move(progress)});
    auto canceller = [self = QPointer<Private>(this), slot, id] {
        slot->callback = nullptr;
        slot->progress = nullptr;
        if (self) {
            self->cancel(id);
        }
    };
    if (Result<void> available = transport->available(); !available) {
        post(slot, available.error());
        return canceller;
    }
    Pending entry{method, params, std::max(timeout, std::chrono::milliseconds(1)), slot};
    entry.timer = new QTimer(this);
    entry.timer->setSingleShot(true);
    connect(entry.timer, &QTimer::timeout, this, [this, id] { timedOut(id); });
    entry.timer->start(entry.timeout);
    pending.emplace(id, std::move(entry));
    if (state == State::Ready) {
        send(id);
    } else {
        queue.append(id);
        if (state == State::Idle && !transport->waitsForConnection()) {
            startInitialize();
        }
    }
    return canceller;
}

void McpClient::Private::startInitialize()
{
    state = State::Initializing;
    initId = nextId++;
    const QJsonObject params{
        {u"protocolVersion"_s, offeredVersion},
        {u"capabilities"_s, QJsonObject()},
        {u"clientInfo"_s,
         QJsonObject{{u"name"_s, u"gestalt"_s}, {u"version"_s, Gestalt::version()}}},
    };
    QJsonObject message = notification(u"initialize"_s, params);
    message.insert(u"id"_s, initId);
    initTimer.start(initializeTimeout);
    transport->sendRequest(initId, message, true);
}

void McpClient::Private::initializeAnswered(const QJsonObject &message)
{
    initTimer.stop();
    initId = 0;
    if (message.contains(u"error"_s)) {
        initializeFailed(rpcError(message.value(u"error"_s)));
        return;
    }
    const QJsonObject result = message.value(u"result"_s).toObject();
    const QString offered = result.value(u"protocolVersion"_s).toString();
    if (!supportedVersions.contains(offered)) {
        transport->resetSession();
        initializeFailed(Error{ErrorCode::BadGateway,
                               u"upstream MCP server wants protocol version \"%1\"; gestalt speaks "
                               "%2"_s.arg(offered.left(40), supportedVersions.join(u", "_s))});
        return;
    }
    version = offered;
    serverInfo = result.value(u"serverInfo"_s).toObject();
    capabilities = result.value(u"capabilities"_s).toObject();
    transport->negotiated(version);
    const quint64 handshake = generation;
    QPointer<Private> self(this);
    transport->sendMessage(notification(u"notifications/initialized"_s), [self, handshake] {
        if (self) {
            self->becomeReady(handshake);
        }
    });
}

void McpClient::Private::initializeFailed(const Error &error)
{
    initTimer.stop();
    initId = 0;
    state = State::Idle;
    version.clear();
    ++generation;
    qCInfo(lcMcp).noquote() << "mcp client: initialize failed:" << error.message;
    const QList<qint64> waiting = std::exchange(queue, {});
    for (const qint64 id : waiting) {
        complete(id, error);
    }
}

void McpClient::Private::becomeReady(quint64 handshake)
{
    if (handshake != generation || state != State::Initializing || version.isEmpty()) {
        return; // a later handshake (or a lost connection) took over
    }
    state = State::Ready;
    qCDebug(lcMcp).noquote() << "mcp client: initialized, protocol" << version << "server"
                             << serverInfo.value(u"name"_s).toString();
    transport->ready();
    const QList<qint64> waiting = std::exchange(queue, {});
    for (const qint64 id : waiting) {
        if (pending.count(id) != 0 && state == State::Ready) {
            send(id);
        } else if (pending.count(id) != 0) {
            queue.append(id); // the session went away while flushing
        }
    }
    emitLater(&McpClient::initialized);
}

void McpClient::Private::send(qint64 id)
{
    Pending &entry = pending.at(id);
    entry.sent = true;
    QJsonObject message = notification(entry.method, entry.params);
    message.insert(u"id"_s, id);
    transport->sendRequest(id, message, false);
}

void McpClient::Private::cancel(qint64 id)
{
    if (forget(id)) {
        transport->sendMessage(
            notification(u"notifications/cancelled"_s,
                         {{u"requestId"_s, id}, {u"reason"_s, u"cancelled by the client"_s}}));
        transport->abandon(id);
    }
}

void McpClient::Private::timedOut(qint64 id)
{
    const auto it = pending.find(id);
    if (it == pending.end()) {
        return;
    }
    const std::chrono::milliseconds timeout = it->second.timeout;
    if (it->second.sent) {
        transport->sendMessage(
            notification(u"notifications/cancelled"_s,
                         {{u"requestId"_s, id},
                          {u"reason"_s, u"timed out after %1 s"_s.arg(seconds(timeout))}}));
        transport->abandon(id);
    }
    complete(id,
             Error{ErrorCode::GatewayTimeout,
                   u"upstream MCP server did not answer within %1 s"_s.arg(seconds(timeout))});
}

bool McpClient::Private::forget(qint64 id)
{
    const auto it = pending.find(id);
    if (it == pending.end()) {
        return false;
    }
    const bool sent = it->second.sent;
    it->second.timer->stop();
    it->second.timer->deleteLater(); // may be the timer whose timeout is running
    pending.erase(it);
    queue.removeOne(id);
    return sent;
}

void McpClient::Private::complete(qint64 id, Result<QJsonObject> result)
{
    const auto it = pending.find(id);
    if (it == pending.end()) {
        return;
    }
    const std::shared_ptr<Slot> slot = it->second.slot;
    forget(id);
    post(slot, std::move(result));
}

void McpClient::Private::post(const std::shared_ptr<Slot> &slot, Result<QJsonObject> result)
{
    slot->progress = nullptr;
    QMetaObject::invokeMethod(
        this,
        [slot, result = std::move(result)]() mutable {
            if (Callback callback = std::exchange(slot->callback, nullptr)) {
                callback(std::move(result));
            }
        },
        Qt::QueuedConnection);
}

void McpClient::Private::emitLater(void (McpClient::*signal)()) const
{
    McpClient *client = q;
    QMetaObject::invokeMethod(
        client,
        [client, signal] {
            const auto emitSignal = std::mem_fn(signal);
            Q_EMIT emitSignal(client);
        },
        Qt::QueuedConnection);
}

void McpClient::Private::receive(const QJsonObject &message)
{
    const bool hasMethod = message.contains(u"method"_s);
    const QJsonValue idValue = message.value(u"id"_s);
    const bool hasId = !idValue.isUndefined() && !idValue.isNull();
    if (hasMethod && hasId) {
        answerServerRequest(message);
        return;
    }
    const QString method = message.value(u"method"_s).toString();
    if (hasMethod) {
        if (method == u"notifications/tools/list_changed"_s) {
            emitLater(&McpClient::toolsChanged);
        } else if (method == u"notifications/progress"_s) {
            progressed(message.value(u"params"_s).toObject());
        } else {
            qCDebug(lcMcp).noquote() << "mcp client: ignoring notification" << method.left(100);
        }
        return;
    }
    if (!hasId || !(message.contains(u"result"_s) || message.contains(u"error"_s))
        || !idValue.isDouble()) {
        qCDebug(lcMcp) << "mcp client: ignoring a message that is no response of ours";
        return;
    }
    const qint64 id = idValue.toInteger();
    if (id == initId && initId != 0) {
        initializeAnswered(message);
        return;
    }
    const auto it = pending.find(id);
    if (it == pending.end() || !it->second.sent) {
        qCDebug(lcMcp) << "mcp client: response for request" << id << "nobody waits for";
        return;
    }
    if (message.contains(u"error"_s)) {
        complete(id, rpcError(message.value(u"error"_s)));
    } else if (const QJsonValue result = message.value(u"result"_s); result.isObject()) {
        complete(id, result.toObject());
    } else {
        complete(id,
                 Error{ErrorCode::BadGateway,
                       u"upstream MCP server sent a result that is not "
                       "an object"_s});
    }
}

void McpClient::Private::progressed(const QJsonObject &params)
{
    const QString token = params.value(u"progressToken"_s).toString();
    bool ok = false;
    const qint64 id = token.startsWith(u"gestalt-"_s) ? token.mid(8).toLongLong(&ok) : 0;
    const auto it = ok ? pending.find(id) : pending.end();
    if (it == pending.end() || !it->second.sent || !it->second.slot->progress) {
        qCDebug(lcMcp) << "mcp client: progress for no request of ours";
        return;
    }
    // Called at once (not queued): a queued call could land after the answer's callback.
    const Progress progress = it->second.slot->progress;
    progress(params);
}

void McpClient::Private::answerServerRequest(const QJsonObject &message) const
{
    const QJsonValue id = message.value(u"id"_s);
    const QString method = message.value(u"method"_s).toString();
    if (method == u"ping"_s) {
        transport->sendMessage(JsonRpc::result(id, QJsonObject()));
        return;
    }
    qCDebug(lcMcp).noquote() << "mcp client: refusing server request" << method.left(100);
    transport->sendMessage(
        JsonRpc::error(id, JsonRpc::MethodNotFound, u"method not supported by gestalt"_s));
}

void McpClient::Private::failRequest(qint64 id, const Error &error)
{
    if (id == initId && initId != 0) {
        initializeFailed(error);
    } else {
        complete(id, error);
    }
}

void McpClient::Private::sessionExpired(qint64 id, bool current)
{
    if (id == initId && initId != 0) {
        initializeFailed(Error{ErrorCode::BadGateway,
                               u"upstream MCP server refused initialize "
                               "(HTTP 404)"_s});
        return;
    }
    const auto it = pending.find(id);
    if (it == pending.end()) {
        return;
    }
    if (it->second.resent) {
        complete(id,
                 Error{ErrorCode::BadGateway,
                       u"upstream MCP server lost the session again (HTTP 404)"_s});
        return;
    }
    it->second.resent = true;
    it->second.sent = false;
    queue.append(id);
    if (state == State::Ready && !current) {
        queue.removeOne(id);
        send(id); // a newer session is up already
    } else if (state == State::Ready || state == State::Idle) {
        qCInfo(lcMcp) << "mcp client: upstream MCP session expired; initializing again";
        state = State::Idle;
        version.clear();
        ++generation;
        transport->resetSession();
        startInitialize();
    }
}

void McpClient::Private::connectionUp()
{
    if (state == State::Idle) {
        startInitialize();
    }
}

void McpClient::Private::connectionLost(const QString &reason, const Error &error)
{
    initTimer.stop();
    initId = 0;
    state = State::Idle;
    version.clear();
    ++generation;
    queue.clear();
    QList<qint64> ids;
    for (const auto &[id, entry] : pending) {
        ids.append(id);
    }
    for (const qint64 id : std::as_const(ids)) {
        complete(id, error);
    }
    QMetaObject::invokeMethod(
        q, [client = q, reason] { Q_EMIT client->disconnected(reason); }, Qt::QueuedConnection);
}

void McpClient::Private::listPage(const std::shared_ptr<ToolListing> &listing,
                                  const QString &cursor)
{
    QJsonObject params;
    if (!cursor.isEmpty()) {
        params.insert(u"cursor"_s, cursor);
    }
    QPointer<Private> self(this);
    request(u"tools/list"_s,
            std::move(params),
            listing->timeout,
            [self, listing](Result<QJsonObject> page) {
                if (!self) {
                    return; // the client is gone: dropped like any pending callback
                }
                if (!page) {
                    listing->callback(page.error());
                    return;
                }
                for (const auto &tool : page->value(u"tools"_s).toArray()) {
                    listing->tools.append(tool);
                }
                ++listing->pages;
                const QString next = page->value(u"nextCursor"_s).toString();
                if (next.isEmpty()) {
                    listing->callback(listing->tools);
                } else if (listing->pages >= maxToolPages) {
                    qCWarning(lcMcp) << "mcp client: tools/list has more than" << maxToolPages
                                     << "pages; using the first ones";
                    listing->callback(listing->tools);
                } else {
                    self->listPage(listing, next);
                }
            });
}

McpClient::McpClient(std::unique_ptr<Private> dd, QObject *parent)
    : QObject(parent)
    , d(std::move(dd))
{
    d->q = this;
}

McpClient::~McpClient() = default;

std::unique_ptr<McpClient> McpClient::stdio(HostedProcess &process)
{
    auto dd = std::make_unique<Private>();
    dd->transport = std::make_unique<McpStdioTransport>(*dd, process);
    return std::unique_ptr<McpClient>(new McpClient(std::move(dd)));
}

std::unique_ptr<McpClient> McpClient::http(const QUrl &url,
                                           QList<std::pair<QByteArray, QByteArray>> headers,
                                           UpstreamClient &upstream,
                                           const EgressPolicy &egress)
{
    auto dd = std::make_unique<Private>();
    dd->transport =
        std::make_unique<McpHttpTransport>(*dd, url, std::move(headers), upstream, egress);
    return std::unique_ptr<McpClient>(new McpClient(std::move(dd)));
}

std::function<void()> McpClient::request(const QString &method,
                                         const QJsonObject &params,
                                         std::chrono::milliseconds timeout,
                                         Callback callback,
                                         Progress progress)
{
    return d->request(method, params, timeout, std::move(callback), std::move(progress));
}

void McpClient::listTools(std::chrono::milliseconds timeout, ToolsCallback callback)
{
    d->listPage(std::make_shared<Private::ToolListing>(
                    Private::ToolListing{std::move(callback), timeout, {}, 0}),
                QString());
}

bool McpClient::isInitialized() const
{
    return d->state == Private::State::Ready;
}

QString McpClient::protocolVersion() const
{
    return d->state == Private::State::Ready ? d->version : QString();
}

QJsonObject McpClient::serverInfo() const
{
    return d->serverInfo;
}

QJsonObject McpClient::serverCapabilities() const
{
    return d->capabilities;
}

} // namespace Gestalt
