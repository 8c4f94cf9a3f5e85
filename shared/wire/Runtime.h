// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

// The runtime objects of the operator API (http-api.md, Operator Surfaces; gestalt-facts §9.5):
// gestaltd writes them, gestalt-console reads them.
namespace Gestalt::Wire {

// What a runtime provider can do ("profile": "advertised" and "effective").
struct RuntimeProfile
{
    bool canHostPlugins = false;
    QString hostServiceAccess;
    QString egressMode;

    [[nodiscard]] bool isEmpty() const
    {
        return hostServiceAccess.isEmpty() && egressMode.isEmpty() && !canHostPlugins;
    }
    [[nodiscard]] QJsonObject toJson() const;
    bool operator==(const RuntimeProfile &) const = default;
    static RuntimeProfile fromJson(const QJsonObject &object);
};

// One provider of GET /admin/api/v1/runtime/providers.
struct RuntimeProvider
{
    QString name;
    QString driver;
    bool isDefault = false; // "default"
    bool loaded = false;
    int sessionCount = 0;
    RuntimeProfile advertised;
    RuntimeProfile effective;
    QString error;

    // A loaded provider has "sessionCount" and "profile"; one that failed to load has "error".
    [[nodiscard]] QJsonObject toJson() const;
    bool operator==(const RuntimeProvider &) const = default;
    static RuntimeProvider fromJson(const QJsonObject &object);
};

// One session of GET …/providers/{provider}/sessions.
struct RuntimeSession
{
    QString id;
    QString state;
    QString app; // "app", or the older "plugin"
    qint64 pid = 0;
    QDateTime startedAt;

    [[nodiscard]] QJsonObject toJson() const;
    bool operator==(const RuntimeSession &) const = default;
    static RuntimeSession fromJson(const QJsonObject &object);
};

// One line of GET …/sessions/{session}/logs.
struct LogLine
{
    qint64 seq = 0;
    QString stream;
    QString message;
    QDateTime observedAt;

    [[nodiscard]] QJsonObject toJson() const;
    bool operator==(const LogLine &) const = default;
    static LogLine fromJson(const QJsonObject &object);
};

} // namespace Gestalt::Wire
