// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// What the operator routes answer (http-api.md, Operator Surfaces; gestalt-facts §5.4, §9.5), as
// plain values read leniently: a missing field is empty, never an error.
namespace Gestalt::Console {

// GET /admin/api/v1/authorization/apps
struct AppPolicy
{
    QString name;
    QString displayName;
    QString policy;

    static AppPolicy fromJson(const QJsonObject &object);
};

// One row of GET …/apps/{app}/members or …/admins/members.
struct MemberRow
{
    QString subjectId; // empty for a static row that names an email only
    QString email;
    QString role;
    QString source; // "static" | "dynamic"
    bool effective = true;
    bool isMutable = false;
    QString shadowedBy;
    QString selectorKind; // "subject_id" | "email"
    QString selectorValue;
    QString policy; // not on the wire: the policy of the list's app, set by the page

    [[nodiscard]] bool isStatic() const { return source == QLatin1String("static"); }
    // The subject as people read it: the subject id, else the selector.
    [[nodiscard]] QString subject() const;
    static MemberRow fromJson(const QJsonObject &object);
};

struct RuntimeProfile
{
    bool canHostPlugins = false;
    QString hostServiceAccess;
    QString egressMode;

    [[nodiscard]] bool isEmpty() const
    {
        return hostServiceAccess.isEmpty() && egressMode.isEmpty() && !canHostPlugins;
    }
    // "hosts apps · direct · unrestricted"
    [[nodiscard]] QString summary() const;
    static RuntimeProfile fromJson(const QJsonObject &object);
};

// GET /admin/api/v1/runtime/providers
struct RuntimeProvider
{
    QString name;
    QString driver;
    bool isDefault = false;
    bool loaded = false;
    int sessionCount = 0;
    RuntimeProfile advertised;
    RuntimeProfile effective;
    QString error;

    static RuntimeProvider fromJson(const QJsonObject &object);
};

// GET …/providers/{provider}/sessions
struct RuntimeSession
{
    QString id;
    QString state;
    QString app;
    qint64 pid = 0;
    QDateTime startedAt;

    static RuntimeSession fromJson(const QJsonObject &object);
};

// GET …/sessions/{session}/logs
struct LogLine
{
    qint64 seq = 0;
    QString stream;
    QString message;
    QDateTime observedAt;

    static LogLine fromJson(const QJsonObject &object);
};

// GET /admin/api/v1/limits: a configured limit ("limits") or an override ("overrides"). A
// number that is absent or null is not configured (nullopt).
struct LimitRule
{
    bool isOverride = false;
    QString scope; // subject | app-subject | app-total | operation-subject | operation-total
    QString role;  // overrides
    QString token; // overrides
    QString app;
    QString operation;
    std::optional<qint64> requests;
    std::optional<qint64> perSeconds;
    std::optional<qint64> concurrent;

    static LimitRule fromJson(const QJsonObject &object, bool isOverride);
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

    static BlockedUpstream fromJson(const QJsonObject &object);
};

template<typename T>
QList<T> listFromJson(const QJsonArray &array)
{
    QList<T> out;
    out.reserve(array.size());
    for (const QJsonValue &value : array) {
        out.append(T::fromJson(value.toObject()));
    }
    return out;
}

} // namespace Gestalt::Console
