// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <deque>
#include <optional>

#include <sys/types.h>

namespace Gestalt {

// One running hosted process (gestalt-facts §9.5: "a session is one running hosted process"):
// the child started by a HostedProcess, its stdin/stdout pipes (stdio MCP: one JSON message per
// line) and the last stderr lines as its log. A restart makes a new session; an exited session
// stays readable (logs) until its provider forgets it.
class RuntimeSession final : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Starting, // process launched, not yet confirmed started
        Running,
        Stopping, // stop() asked: stdin closed, SIGTERM, SIGKILL after a grace period
        Exited,
    };

    struct LogLine
    {
        qint64 seq = 0;  // 1, 2, 3... per session
        QString stream;  // "stderr" (or "runtime" for lines the host writes: start, exit)
        QString message; // one line, no newline, invalid UTF-8 replaced
        QDateTime observedAt;
    };

    // Longest stdout line (one MCP message) accepted; a longer one is dropped and logged.
    static constexpr qsizetype MaxLineBytes = qsizetype{32} * 1024 * 1024;

    RuntimeSession(QString id, QString app, int maxLogLines, QObject *parent = nullptr);
    ~RuntimeSession() override; // kills the process if it still runs
    Q_DISABLE_COPY_MOVE(RuntimeSession)

    // The user and group a hosted process runs as (runtime.providers.<name>.config.user/group).
    struct RunAs
    {
        uid_t uid = 0;
        gid_t gid = 0;
    };

    // Launches program + arguments with the environment and working directory. The child gets
    // no more than it needs: its environment is childEnvironment(environment), no descriptor of
    // gestaltd but its stdin/stdout/stderr pipes, and the user of setRunAs() if any (a failure
    // to switch ends the child with code 126 and the reason in its log). A failure to launch
    // ends in exited().
    void start(const QString &program,
               const QStringList &arguments,
               const QMap<QString, QString> &environment,
               const QString &workingDir);
    // Instead of start(): the session ends (exited(), asynchronously) with this reason.
    void fail(const QString &reason);
    // Before start(): run the child as this user and group (needs gestaltd to run as root).
    void setRunAs(std::optional<RunAs> runAs) { m_runAs = runAs; }
    // PATH, LANG and TZ from gestaltd's environment, then `environment` (names starting with
    // GESTALT_ are dropped): never the rest of gestaltd's environment.
    [[nodiscard]] static QProcessEnvironment
    childEnvironment(const QMap<QString, QString> &environment);

    // Closes stdin, then SIGTERM, then SIGKILL after graceMs. exited() follows.
    void stop(int graceMs = 2000);

    // Writes to the process's stdin; dropped (false) unless Running.
    bool write(const QByteArray &bytes);

    // For tests: a smaller limit than MaxLineBytes. Call before start().
    void setMaxLineBytes(qsizetype bytes) { m_maxLineBytes = bytes; }

    [[nodiscard]] const QString &id() const { return m_id; }
    [[nodiscard]] const QString &app() const { return m_app; }
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] static QString stateName(State state); // starting, running, stopping, exited
    [[nodiscard]] QDateTime startedAt() const { return m_startedAt; }
    [[nodiscard]] QDateTime exitedAt() const { return m_exitedAt; }
    [[nodiscard]] qint64 processId() const;
    // "exited with code 1", "killed by signal 9", "failed to start: <reason>"; empty while alive.
    [[nodiscard]] const QString &exitReason() const { return m_exitReason; }

    // Log lines with seq > after, at most limit of them, oldest first.
    [[nodiscard]] QList<LogLine> logs(qint64 after, int limit) const;
    // {id, state, app, startedAt, exitedAt?, pid?, exitReason?} for the admin routes.
    [[nodiscard]] QJsonObject toJson() const;

Q_SIGNALS:
    void started();
    void stdoutLine(const QByteArray &line); // one line without its newline
    void exited(const QString &reason);

private:
    void appendLog(const QString &stream, const QString &message);
    void logDroppedLine();
    void readStdout();
    void readStderr();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void finish(const QString &reason);

    QString m_id;
    QString m_app;
    int m_maxLogLines;
    State m_state = State::Starting;
    QProcess *m_process; // child
    qsizetype m_maxLineBytes = MaxLineBytes;
    QByteArray m_stdoutBuffer;
    QByteArray m_stderrBuffer;
    bool m_discardingLine = false;
    std::deque<LogLine> m_logs;
    qint64 m_nextSeq = 1;
    QDateTime m_startedAt;
    QDateTime m_exitedAt;
    QString m_exitReason;
    std::optional<RunAs> m_runAs;
};

} // namespace Gestalt
