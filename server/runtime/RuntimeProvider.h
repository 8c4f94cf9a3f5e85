// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/RuntimeConfig.h"
#include "runtime/HostedProcess.h"
#include "shared/Result.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <memory>
#include <vector>

namespace Gestalt {

class RuntimeSession;

// One entry of runtime.providers: the `local` driver runs hosted processes as children of
// gestaltd. Config (`runtime.providers.<name>.config`, all optional): restartDelay ("1s"),
// maxRestartDelay ("30s"), logLines (1000 per session), keepExited (20 ended sessions kept for
// their logs). A bad value makes the provider not loaded, with `error` saying why.
class RuntimeProvider final : public QObject
{
    Q_OBJECT

public:
    RuntimeProvider(QString name, const RuntimeProviderConfig &config, bool isDefault,
                    QObject *parent = nullptr);
    ~RuntimeProvider() override; // stops every hosted process

    [[nodiscard]] const QString &name() const { return m_name; }
    [[nodiscard]] QString driver() const { return QStringLiteral("local"); }
    [[nodiscard]] bool isDefault() const { return m_default; }
    [[nodiscard]] bool isLoaded() const { return m_error.isEmpty(); }
    [[nodiscard]] const QString &error() const { return m_error; }

    // A supervised process for an app (not started yet). 503 when the provider is not loaded.
    [[nodiscard]] Result<HostedProcess *> host(const HostSpec &spec);

    // Sessions whose process is alive (starting, running, stopping), oldest first.
    [[nodiscard]] QList<RuntimeSession *> activeSessions() const;
    // Any known session, alive or recently exited; null when unknown.
    [[nodiscard]] RuntimeSession *session(const QString &id) const;

    // {name, driver, default, loaded, sessionCount?, profile?{advertised, effective}, error?}
    [[nodiscard]] QJsonObject toJson() const;

    // For HostedProcess.
    [[nodiscard]] RuntimeSession *newSession(const QString &app);
    [[nodiscard]] std::chrono::milliseconds restartDelay() const { return m_restartDelay; }
    [[nodiscard]] std::chrono::milliseconds maxRestartDelay() const { return m_maxRestartDelay; }

private:
    void forgetOldSessions();

    QString m_name;
    bool m_default;
    QString m_error;
    std::chrono::milliseconds m_restartDelay{1000};
    std::chrono::milliseconds m_maxRestartDelay{30000};
    int m_logLines = 1000;
    int m_keepExited = 20;
    std::vector<std::unique_ptr<HostedProcess>> m_hosted;
    QList<RuntimeSession *> m_sessions; // children, oldest first
};

// Every runtime provider of the config. When the config names none, one implicit default
// provider `local` exists so stdio MCP apps work out of the box.
class RuntimeRegistry final
{
public:
    explicit RuntimeRegistry(const RuntimeConfig &config);
    ~RuntimeRegistry();

    [[nodiscard]] QList<RuntimeProvider *> providers() const; // by name
    [[nodiscard]] RuntimeProvider *provider(const QString &name) const;
    [[nodiscard]] RuntimeProvider *defaultProvider() const;

private:
    std::vector<std::unique_ptr<RuntimeProvider>> m_providers;
    RuntimeProvider *m_default = nullptr;
};

} // namespace Gestalt
