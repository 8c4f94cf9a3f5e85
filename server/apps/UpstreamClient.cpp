// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "apps/UpstreamClient.h"

#include "Logging.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

Error badGateway(const QString &message)
{
    return {ErrorCode::BadGateway, message};
}

const QString kTimedOut = u"upstream service timed out"_s;
const QString kUnreachable = u"failed to reach upstream service"_s;
const QString kTooLarge = u"upstream response exceeds the size limit"_s;
const QString kInvalid = u"invalid response from upstream service"_s;
const QString kCanceled = u"upstream call canceled"_s;

bool hasHeader(const QList<std::pair<QByteArray, QByteArray>> &headers, const QByteArray &name)
{
    return std::any_of(headers.cbegin(), headers.cend(), [&name](const auto &h) {
        return h.first.compare(name, Qt::CaseInsensitive) == 0;
    });
}

// Headers that describe the hop or the framing rather than the content: never passed on.
bool isHopHeader(const QByteArray &name, bool decoded)
{
    static const QList<QByteArray> hop = {"connection"_ba,
                                          "keep-alive"_ba,
                                          "transfer-encoding"_ba,
                                          "content-length"_ba,
                                          "proxy-connection"_ba,
                                          "te"_ba,
                                          "trailer"_ba,
                                          "upgrade"_ba};
    const QByteArray lower = name.toLower();
    return hop.contains(lower) || (decoded && lower == "content-encoding");
}

// The reply's error, as the caller should see it; nullopt when an HTTP response came back (an
// HTTP error status is a response, not a failure: Qt reports 4xx/5xx as content, server and
// protocol errors with the status set).
std::optional<Error> failureOf(QNetworkReply *reply)
{
    const QNetworkReply::NetworkError code = reply->error();
    const bool hasStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid();
    const bool transportFailure =
        (code > QNetworkReply::NoError && code < 100)
        || (code > 100 && code < QNetworkReply::ProxyAuthenticationRequiredError)
        || code == QNetworkReply::ProtocolUnknownError || code == QNetworkReply::ProtocolFailure;
    if (!transportFailure && hasStatus) {
        return std::nullopt;
    }
    switch (code) {
    case QNetworkReply::TimeoutError:
        return badGateway(kTimedOut);
    case QNetworkReply::OperationCanceledError:
        return badGateway(kCanceled);
    case QNetworkReply::RemoteHostClosedError:
        // Qt 6.4 reports a reply that is not HTTP at all as the connection closing before a
        // status line: the host was reached, what came back was no HTTP response. A close after
        // the head (a truncated body) is a broken connection.
        return badGateway(hasStatus ? kUnreachable : kInvalid);
    case QNetworkReply::NoError:
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError:
    case QNetworkReply::ProtocolFailure:
        return badGateway(kInvalid);
    default:
        return badGateway(kUnreachable);
    }
}

// One call: owns the reply, the timer and the callback. A child of the client, so the client's
// destructor can cancel whatever is still in flight.
class CallDriver final : public QObject
{
public:
    CallDriver(UpstreamClient *client, UpstreamClient::Callback callback)
        : QObject(client)
        , m_callback(std::move(callback))
    {}

    // Called once when the call ends, whatever the outcome (frees its lane slot).
    void setRelease(std::function<void()> release) { m_release = std::move(release); }

    void start(QNetworkReply *reply, const UpstreamOptions &options, bool decoded)
    {
        m_reply = reply;
        m_maxBytes = options.maxBodyBytes;
        m_decoded = decoded;
        connect(reply, &QNetworkReply::metaDataChanged, this, &CallDriver::checkDeclaredLength);
        connect(reply, &QNetworkReply::readyRead, this, &CallDriver::readSome);
        connect(reply, &QNetworkReply::finished, this, &CallDriver::replyFinished);
        auto *timer = new QTimer(this);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, this, [this] { finish(badGateway(kTimedOut)); });
        timer->start(options.timeout);
    }

    // Posts an early failure: send() never calls back synchronously.
    void failLater(Error error)
    {
        QMetaObject::invokeMethod(
            this, [this, error = std::move(error)] { finish(error); }, Qt::QueuedConnection);
    }

    void finish(Result<UpstreamResponse> result)
    {
        if (m_done) {
            return;
        }
        m_done = true;
        if (m_reply) {
            QNetworkReply *reply = m_reply;
            m_reply = nullptr;
            disconnect(reply, nullptr, this, nullptr);
            if (reply->isRunning()) {
                reply->abort();
            }
            reply->deleteLater();
        }
        deleteLater();
        if (m_release) {
            std::exchange(m_release, nullptr)();
        }
        UpstreamClient::Callback callback = std::move(m_callback);
        m_callback = nullptr;
        if (callback) {
            callback(std::move(result));
        }
    }

private:
    void checkDeclaredLength()
    {
        if (m_reply->operation() == QNetworkAccessManager::HeadOperation) {
            return; // the length describes a body that is not sent
        }
        const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > m_maxBytes) {
            finish(badGateway(kTooLarge));
        }
    }

    void readSome()
    {
        if (m_body.size() + m_reply->bytesAvailable() > m_maxBytes) {
            finish(badGateway(kTooLarge));
            return;
        }
        m_body += m_reply->readAll();
    }

    void replyFinished()
    {
        if (std::optional<Error> failure = failureOf(m_reply)) {
            qCDebug(lcHttp) << "upstream call to" << m_reply->url().host()
                            << "failed:" << m_reply->error();
            finish(*failure);
            return;
        }
        readSome();
        if (m_done) {
            return;
        }
        UpstreamResponse response;
        response.status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        for (const auto &[name, value] : m_reply->rawHeaderPairs()) {
            if (name.compare("content-type", Qt::CaseInsensitive) == 0) {
                response.contentType = value;
            }
            if (!isHopHeader(name, m_decoded)) {
                response.headers.append({name, value});
            }
        }
        if (response.contentType.isEmpty()) {
            response.contentType = "application/json"_ba;
        }
        response.body = std::move(m_body);
        finish(std::move(response));
    }

    UpstreamClient::Callback m_callback;
    std::function<void()> m_release;
    QPointer<QNetworkReply> m_reply; // a child of the manager; deleted by finish()
    QByteArray m_body;
    qint64 m_maxBytes = 0;
    bool m_decoded = false;
    bool m_done = false;
};

// The handle the caller keeps; safe to use after the call ended or the client is gone.
class CallHandle final : public UpstreamCall
{
public:
    explicit CallHandle(CallDriver *driver)
        : m_driver(driver)
    {}

    void abort() override
    {
        if (m_driver) {
            m_driver->finish(badGateway(kCanceled));
        }
    }

private:
    QPointer<CallDriver> m_driver;
};

} // namespace

UpstreamClient::UpstreamClient(QObject *parent)
    : QObject(parent)
{}

int UpstreamClient::pickLane(const QString &origin)
{
    int leastBusy = -1;
    for (int i = 0; i < int(m_lanes.size()); ++i) {
        const int busy = m_lanes[size_t(i)].inFlight.value(origin);
        if (busy < ConnectionsPerLane) {
            return i;
        }
        if (leastBusy < 0 || busy < m_lanes[size_t(leastBusy)].inFlight.value(origin)) {
            leastBusy = i;
        }
    }
    if (int(m_lanes.size()) >= MaxLanes) {
        return leastBusy;
    }
    Lane lane;
    lane.network = new QNetworkAccessManager(this);
    lane.network->setProxy(QNetworkProxy::NoProxy);
    lane.network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_lanes.push_back(lane);
    return int(m_lanes.size()) - 1;
}

UpstreamClient::~UpstreamClient()
{
    // Calls still in flight end now, each with its one callback.
    const QObjectList kids = children();
    for (QObject *child : kids) {
        if (auto *driver = dynamic_cast<CallDriver *>(child)) {
            driver->finish(badGateway(kCanceled));
        }
    }
}

bool UpstreamClient::hostAllowed(const QString &host, const QStringList &allowedHosts)
{
    if (allowedHosts.isEmpty()) {
        return true;
    }
    QString name = host.toLower();
    while (name.endsWith(u'.')) {
        name.chop(1);
    }
    if (name.isEmpty()) {
        return false;
    }
    for (const QString &entry : allowedHosts) {
        const QString pattern = entry.trimmed().toLower();
        if (pattern.startsWith(u"*.")) {
            const QStringView suffix = QStringView(pattern).mid(1); // ".example.com"
            if (name.size() > suffix.size() && name.endsWith(suffix)) {
                return true;
            }
        } else if (!pattern.isEmpty() && name == pattern) {
            return true;
        }
    }
    return false;
}

std::shared_ptr<UpstreamCall> UpstreamClient::send(const UpstreamRequest &request,
                                                   const UpstreamOptions &options,
                                                   Callback callback)
{
    auto *driver = new CallDriver(this, std::move(callback));
    auto handle = std::make_shared<CallHandle>(driver);

    const QUrl &url = request.url;
    if (url.scheme() != u"http" && url.scheme() != u"https") {
        driver->failLater(
            Error::forbidden(u"egress with scheme \"%1\" is not allowed"_s.arg(url.scheme())));
        return handle;
    }
    if (!hostAllowed(url.host(), options.allowedHosts)) {
        driver->failLater(Error::forbidden(
            u"egress to host \"%1\" is not allowed for this app"_s.arg(url.host())));
        return handle;
    }

    QNetworkRequest req(url);
    req.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    req.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    req.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    req.setAttribute(QNetworkRequest::AuthenticationReuseAttribute, QNetworkRequest::Manual);
    req.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    req.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                     QNetworkRequest::ManualRedirectPolicy);
    req.setTransferTimeout(0); // the driver's timer bounds the whole call
    for (const auto &[name, value] : request.headers) {
        req.setRawHeader(name, value);
    }
    if (!hasHeader(request.headers, "User-Agent"_ba)) {
        req.setRawHeader("User-Agent"_ba, "gestaltd"_ba);
    }
    // Without an explicit Accept-Encoding the manager asks for gzip/deflate and decodes the body
    // itself; Content-Encoding then no longer describes the body.
    const bool decoded = !hasHeader(request.headers, "Accept-Encoding"_ba);

    const QString origin =
        url.scheme() + u"://"_s + url.host() + u':' + QString::number(url.port(-1));
    const int laneIndex = pickLane(origin);
    QNetworkAccessManager *network = m_lanes[size_t(laneIndex)].network;
    ++m_lanes[size_t(laneIndex)].inFlight[origin];
    driver->setRelease([this, laneIndex, origin] {
        QHash<QString, int> &inFlight = m_lanes[size_t(laneIndex)].inFlight;
        if (--inFlight[origin] <= 0) {
            inFlight.remove(origin);
        }
    });

    const QByteArray method = request.method.toUpper().toLatin1();
    QNetworkReply *reply = nullptr;
    if (method == "GET" && request.body.isEmpty()) {
        reply = network->get(req);
    } else if (method == "HEAD") {
        reply = network->head(req);
    } else if (method == "POST") {
        reply = network->post(req, request.body);
    } else if (method == "PUT") {
        reply = network->put(req, request.body);
    } else if (method == "DELETE" && request.body.isEmpty()) {
        reply = network->deleteResource(req);
    } else {
        reply = network->sendCustomRequest(req, method, request.body);
    }
    driver->start(reply, options, decoded);
    return handle;
}

} // namespace Gestalt
