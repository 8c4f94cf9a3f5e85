// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMap>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <chrono>
#include <memory>

class QTemporaryDir;

namespace Gestalt {

class RuntimeProvider;
class RuntimeSession;

// What to run for an app: an upstream stdio MCP server (`surfaces.mcp.command`).
struct HostSpec
{
    QString app;
    QStringList command;        // program, then arguments
    QMap<QString, QString> env; // on top of PATH, LANG, TZ and HOME (RuntimeSession::start)
    QString workingDir;         // empty: the app's home directory
};

// Keeps one app's process alive: starts a session, and when it exits unasked, starts a new one
// after a backoff (initial delay doubling up to the maximum; back to the initial delay once a
// session ran for a minute). Owned by its RuntimeProvider.
//
// Each app gets a home directory of its own: a fresh private (0700) directory in the system's
// temporary directory, owned by the provider's `user` when one is configured, kept across
// restarts and removed with the HostedProcess. It is HOME, and the working directory unless the
// app names one: never gestaltd's config or data directory.
class HostedProcess final : public QObject
{
    Q_OBJECT

public:
    HostedProcess(RuntimeProvider &provider, HostSpec spec, QObject *parent = nullptr);
    ~HostedProcess() override;
    Q_DISABLE_COPY_MOVE(HostedProcess)

    void start();
    // No more restarts; the running session (if any) is stopped.
    void stop();

    [[nodiscard]] const HostSpec &spec() const { return m_spec; }
    // The running session, or null while starting over / stopped.
    [[nodiscard]] RuntimeSession *session() const;
    [[nodiscard]] bool isRunning() const;
    // Why there is no running session: "not started", "exited with code 1; restarting in 4 s",
    // "stopped". Empty while running.
    [[nodiscard]] QString unavailableReason() const;
    [[nodiscard]] int restartCount() const { return m_restarts; }

    // Writes one message line to the running session's stdin, adding the newline when `bytes`
    // lacks it (false when none runs).
    bool write(const QByteArray &bytes);

Q_SIGNALS:
    void sessionStarted(Gestalt::RuntimeSession *session); // a fresh process is up
    void stdoutLine(const QByteArray &line);
    void sessionEnded(const QString &reason); // the process went away (crash or stop)

private:
    void launch();
    [[nodiscard]] bool ensureHome(QString &error);
    void onExited(const QString &reason);

    RuntimeProvider &m_provider;
    HostSpec m_spec;
    QPointer<RuntimeSession> m_session;
    QTimer m_restartTimer;
    std::chrono::milliseconds m_delay;
    int m_restarts = 0;
    bool m_stopped = true;
    QString m_lastExit;
    std::unique_ptr<QTemporaryDir> m_home;
};

} // namespace Gestalt
