// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/RuntimeConfig.h"
#include "runtime/HostedProcess.h"
#include "runtime/RuntimeSession.h"
#include "shared/Result.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace Gestalt {

class RuntimeSession;

// One entry of runtime.providers: the `local` driver runs hosted processes as children of
// gestaltd. Config (`runtime.providers.<name>.config`, all optional): restartDelay ("1s"),
// maxRestartDelay ("30s"), logLines (1000 per session), keepExited (20 ended sessions kept for
// their logs), user (a user name or uid: hosted processes run as that user; needs gestaltd to run
// as root) and group (a group name or gid; default: the user's primary group). A bad value makes
// the provider not loaded, with `error` saying why (the config decoder refuses the same values).
class RuntimeProvider final : public QObject
{
    Q_OBJECT

public:
    RuntimeProvider(QString name,
                    const RuntimeProviderConfig &config,
                    bool isDefault,
                    QObject *parent = nullptr);
    ~RuntimeProvider() override; // stops every hosted process
    Q_DISABLE_COPY_MOVE(RuntimeProvider)

    [[nodiscard]] const QString &name() const { return m_name; }
    [[nodiscard]] QString driver() const { return QStringLiteral("local"); }
    [[nodiscard]] bool isDefault() const { return m_default; }
    [[nodiscard]] bool isLoaded() const { return m_error.isEmpty(); }
    [[nodiscard]] const QString &error() const { return m_error; }

    // `config.user` and `config.group` resolved: nullopt when no user is configured. A user that
    // does not exist, a group without a user, or a user while gestaltd is not root: error.
    [[nodiscard]] static std::optional<RuntimeSession::RunAs> runAsFrom(const QJsonObject &config,
                                                                        QString &error);
    [[nodiscard]] const std::optional<RuntimeSession::RunAs> &runAs() const { return m_runAs; }

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
    std::optional<RuntimeSession::RunAs> m_runAs;
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
    Q_DISABLE_COPY_MOVE(RuntimeRegistry)

    // What `gestaltd validate` and start refuse in runtime.providers (e.g. a config.user that
    // does not exist, or one set while gestaltd is not root).
    [[nodiscard]] static QStringList problems(const RuntimeConfig &config);

    [[nodiscard]] QList<RuntimeProvider *> providers() const; // by name
    [[nodiscard]] RuntimeProvider *provider(const QString &name) const;
    [[nodiscard]] RuntimeProvider *defaultProvider() const;

private:
    std::vector<std::unique_ptr<RuntimeProvider>> m_providers;
    RuntimeProvider *m_default = nullptr;
};

} // namespace Gestalt
