// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

// The rate-limit objects of the operator API: gestaltd writes them, gestalt-console reads them.
// A number that is absent or null is not configured (nullopt).
namespace Gestalt::Wire {

// GET /admin/api/v1/limits: a configured limit ("limits") or an override ("overrides").
struct LimitRule
{
    bool isOverride = false; // which list it came from; not a field
    QString scope; // subject | app-subject | app-total | operation-subject | operation-total
    QString role;  // overrides
    QString token; // overrides
    QString app;
    QString operation;
    std::optional<qint64> requests;
    std::optional<qint64> perSeconds;
    std::optional<qint64> concurrent;

    [[nodiscard]] QJsonObject toJson() const;
    bool operator==(const LimitRule &) const = default;
    static LimitRule fromJson(const QJsonObject &object, bool isOverride = false);
};

// GET /admin/api/v1/limits: "usage", what one counter holds now.
struct LimitUsage
{
    QString scope;
    QString app;
    QString operation;
    QString subject;
    std::optional<qint64> requests;
    std::optional<qint64> perSeconds;
    std::optional<qint64> inFlight;
    std::optional<qint64> limited;

    [[nodiscard]] QJsonObject toJson() const;
    bool operator==(const LimitUsage &) const = default;
    static LimitUsage fromJson(const QJsonObject &object);
};

// GET /admin/api/v1/limits/upstream: a credential an upstream told to slow down (429 or 503
// with Retry-After). instance and subject are empty for a platform or credential-less one.
struct BlockedUpstream
{
    QString app;
    QString connection;
    QString instance;
    QString subject;
    QDateTime until;
    qint64 retryAfter = 0;

    [[nodiscard]] QJsonObject toJson() const;
    bool operator==(const BlockedUpstream &) const = default;
    static BlockedUpstream fromJson(const QJsonObject &object);
};

} // namespace Gestalt::Wire
