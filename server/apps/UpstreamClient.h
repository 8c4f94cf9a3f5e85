// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apps/RequestBuilder.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

class QNetworkAccessManager;

namespace Gestalt {

struct UpstreamResponse
{
    int status = 0;
    QByteArray contentType; // as sent; "application/json" when the upstream sent none
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

struct UpstreamOptions
{
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
    qint64 maxBodyBytes = qint64(50) * 1024 * 1024;
    // Empty: any host. Entries are host names ("api.example.com") or "*.example.com" (any
    // subdomain, not the apex); compared case-insensitively.
    QStringList allowedHosts;
};

// A call in flight; abort() ends it at once with an error (the callback still runs once).
class UpstreamCall
{
public:
    virtual ~UpstreamCall() = default;
    virtual void abort() = 0;
};

// Sends upstream requests without ever blocking the event loop (QNetworkAccessManager) and calls
// back exactly once, on the thread that owns the client. No redirects are followed and no retries
// are made. Failures are values:
//   egress host not allowed      → Forbidden   "egress to host \"h\" is not allowed for this app"
//   timeout                      → BadGateway  "upstream service timed out"
//   connection refused/reset/DNS → BadGateway  "failed to reach upstream service"
//   body over maxBodyBytes       → BadGateway  "upstream response exceeds the size limit"
//   malformed HTTP               → BadGateway  "invalid response from upstream service"
//   aborted                      → BadGateway  "upstream call canceled"
// An upstream HTTP error status is NOT a failure: it comes back as an UpstreamResponse.
//
// QNetworkAccessManager opens at most 6 connections per host and queues the rest, so a few slow
// calls to one upstream would hold up every other call to it. The client therefore keeps a pool
// of managers ("lanes") and sends each call on a lane with fewer than 6 calls in flight to that
// host, opening a new lane when all are busy (up to MaxLanes; then the least busy one queues).
class UpstreamClient final : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(Result<UpstreamResponse>)>;

    explicit UpstreamClient(QObject *parent = nullptr);
    ~UpstreamClient() override;

    [[nodiscard]] std::shared_ptr<UpstreamCall> send(const UpstreamRequest &request,
                                                     const UpstreamOptions &options,
                                                     Callback callback);

    [[nodiscard]] static bool hostAllowed(const QString &host, const QStringList &allowedHosts);

    static constexpr int ConnectionsPerLane = 6; // QNetworkAccessManager's per-host limit
    static constexpr int MaxLanes = 32;

private:
    struct Lane
    {
        QNetworkAccessManager *network = nullptr; // child
        QHash<QString, int> inFlight;             // "scheme://host:port" → calls
    };
    [[nodiscard]] int pickLane(const QString &origin);

    std::vector<Lane> m_lanes;
};

} // namespace Gestalt
