// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "runtime/RuntimeSession.h"

#include "core/Logging.h"
#include "shared/TimeFormat.h"

#include <QPointer>
#include <QProcessEnvironment>
#include <QTimer>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// A stderr run without a newline is cut into log lines of at most this many bytes.
constexpr qsizetype maxStderrLineBytes = qsizetype{64} * 1024;

QByteArray withoutTrailingCr(QByteArray line)
{
    if (line.endsWith('\r')) {
        line.chop(1);
    }
    return line;
}

// The only variables a hosted process gets from gestaltd's own environment; everything else
// (GESTALT_ENCRYPTION_KEY, database URLs, cloud credentials...) stays in gestaltd.
constexpr std::array<const char16_t *, 3> inheritedVariables{u"PATH", u"LANG", u"TZ"};

// Child side, between fork and exec: async-signal-safe calls only.
void childWrite(const char *text)
{
    const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
    static_cast<void>(ignored);
}

[[noreturn]] void childFail(const char *what)
{
    childWrite("gestaltd: cannot start the hosted process: ");
    childWrite(what);
    childWrite(" failed: ");
    childWrite(::strerrordesc_np(errno) ? ::strerrordesc_np(errno) : "error");
    childWrite("\n");
    ::_exit(126);
}

// Every descriptor above stderr closes at exec: sockets, the SQLite file, pipes of other children.
// Marked close-on-exec rather than closed so that QProcess's own exec-failure pipe still works.
void closeInheritedDescriptors()
{
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) {
        return;
    }
#endif
    rlimit limit{};
    rlim_t last = 65536;
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        last = std::min<rlim_t>(limit.rlim_cur, 1 << 20);
    }
    for (rlim_t fd = 3; fd < last; ++fd) {
        const int flags = ::fcntl(int(fd), F_GETFD);
        if (flags >= 0 && (flags & FD_CLOEXEC) == 0) {
            ::fcntl(int(fd), F_SETFD, flags | FD_CLOEXEC);
        }
    }
}

} // namespace

QProcessEnvironment RuntimeSession::childEnvironment(const QMap<QString, QString> &environment)
{
    const QProcessEnvironment own = QProcessEnvironment::systemEnvironment();
    QProcessEnvironment env;
    for (const char16_t *name : inheritedVariables) {
        const QString key = QString::fromUtf16(name);
        if (own.contains(key)) {
            env.insert(key, own.value(key));
        }
    }
    for (auto it = environment.cbegin(); it != environment.cend(); ++it) {
        if (!it.key().startsWith(u"GESTALT_"_s, Qt::CaseInsensitive)) {
            env.insert(it.key(), it.value());
        }
    }
    return env;
}

RuntimeSession::RuntimeSession(QString id, QString app, int maxLogLines, QObject *parent)
    : QObject(parent)
    , m_id(std::move(id))
    , m_app(std::move(app))
    , m_maxLogLines(std::max(1, maxLogLines))
    , m_process(new QProcess(this))
{
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    connect(m_process, &QProcess::started, this, [this] {
        appendLog(u"runtime"_s, u"started pid %1"_s.arg(m_process->processId()));
        qCInfo(lcRuntime).noquote()
            << "app" << m_app << "session" << m_id << "started pid" << m_process->processId();
        if (m_state == State::Starting) {
            m_state = State::Running;
            Q_EMIT started();
        }
    });
    connect(m_process, &QProcess::readyReadStandardOutput, this, &RuntimeSession::readStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &RuntimeSession::readStderr);
    connect(m_process, &QProcess::finished, this, &RuntimeSession::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        // Only a failure to start has no finished() after it.
        if (error == QProcess::FailedToStart) {
            const QString reason = u"failed to start: "_s + m_process->errorString();
            qCWarning(lcRuntime).noquote() << "app" << m_app << "session" << m_id << reason;
            finish(reason);
        }
    });
}

RuntimeSession::~RuntimeSession()
{
    // Nothing may reach this half-destroyed object (or its owner) from here on.
    m_process->disconnect();
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(1000); // reaps the child: no zombie
    }
}

void RuntimeSession::start(const QString &program,
                           const QStringList &arguments,
                           const QMap<QString, QString> &environment,
                           const QString &workingDir)
{
    if (m_state != State::Starting || m_process->state() != QProcess::NotRunning) {
        return;
    }
    m_startedAt = QDateTime::currentDateTimeUtc();
    if (program.isEmpty()) {
        // QProcess would only warn; report it the same way as any failure to start, later.
        QTimer::singleShot(0, this, [this] { finish(u"failed to start: no command"_s); });
        return;
    }
    m_process->setProcessEnvironment(childEnvironment(environment));
    if (!workingDir.isEmpty()) {
        m_process->setWorkingDirectory(workingDir);
    }
    const std::optional<RunAs> runAs = m_runAs;
    m_process->setChildProcessModifier([runAs] {
        closeInheritedDescriptors();
        if (runAs) {
            const gid_t gid = runAs->gid;
            if (::setgroups(1, &gid) != 0) {
                childFail("setgroups");
            }
            if (::setgid(gid) != 0) {
                childFail("setgid");
            }
            if (::setuid(runAs->uid) != 0) {
                childFail("setuid");
            }
            if (::getuid() != runAs->uid || ::geteuid() != runAs->uid || ::getgid() != gid
                || ::getegid() != gid) {
                errno = EPERM;
                childFail("switching user");
            }
        }
    });
    m_process->start(program, arguments);
}

void RuntimeSession::fail(const QString &reason)
{
    if (m_state != State::Starting || m_process->state() != QProcess::NotRunning) {
        return;
    }
    m_startedAt = QDateTime::currentDateTimeUtc();
    QTimer::singleShot(0, this, [this, reason] { finish(u"failed to start: "_s + reason); });
}

void RuntimeSession::stop(int graceMs)
{
    if (m_state == State::Exited || m_state == State::Stopping) {
        return;
    }
    if (m_process->state() == QProcess::NotRunning) {
        // Never launched, or a failure to start is on its way.
        m_state = State::Stopping;
        QTimer::singleShot(0, this, [this] { finish(u"stopped"_s); });
        return;
    }
    m_state = State::Stopping;
    appendLog(u"runtime"_s, u"stopping"_s);
    m_process->closeWriteChannel();
    m_process->terminate();
    QTimer::singleShot(std::max(0, graceMs), this, [this, graceMs] {
        if (m_process->state() != QProcess::NotRunning) {
            appendLog(u"runtime"_s, u"still running %1 ms after SIGTERM; killing"_s.arg(graceMs));
            m_process->kill();
        }
    });
}

bool RuntimeSession::write(const QByteArray &bytes)
{
    if (m_state != State::Running) {
        return false;
    }
    return m_process->write(bytes) == bytes.size();
}

QString RuntimeSession::stateName(State state)
{
    switch (state) {
    case State::Starting:
        return u"starting"_s;
    case State::Running:
        return u"running"_s;
    case State::Stopping:
        return u"stopping"_s;
    case State::Exited:
        return u"exited"_s;
    }
    return u"unknown"_s;
}

qint64 RuntimeSession::processId() const
{
    return m_state == State::Exited ? 0 : m_process->processId();
}

QList<RuntimeSession::LogLine> RuntimeSession::logs(qint64 after, int limit) const
{
    QList<LogLine> result;
    if (m_logs.empty() || limit <= 0) {
        return result;
    }
    // Sequence numbers in the ring are contiguous: jump straight to the first one wanted.
    const qint64 first = m_logs.front().seq;
    const qint64 skip = std::max<qint64>(0, after + 1 - first);
    for (auto it = m_logs.cbegin() + std::min<qint64>(skip, qint64(m_logs.size()));
         it != m_logs.cend() && result.size() < limit;
         ++it) {
        result.append(*it);
    }
    return result;
}

QJsonObject RuntimeSession::toJson() const
{
    QJsonObject json{{u"id"_s, m_id}, {u"state"_s, stateName(m_state)}, {u"app"_s, m_app}};
    if (m_startedAt.isValid()) {
        json.insert(u"startedAt"_s, isoUtc(m_startedAt));
    }
    if (m_exitedAt.isValid()) {
        json.insert(u"exitedAt"_s, isoUtc(m_exitedAt));
    }
    if (const qint64 pid = processId(); pid > 0) {
        json.insert(u"pid"_s, pid);
    }
    if (!m_exitReason.isEmpty()) {
        json.insert(u"exitReason"_s, m_exitReason);
    }
    return json;
}

void RuntimeSession::appendLog(const QString &stream, const QString &message)
{
    m_logs.push_back(LogLine{m_nextSeq++, stream, message, QDateTime::currentDateTimeUtc()});
    while (qsizetype(m_logs.size()) > m_maxLogLines) {
        m_logs.pop_front();
    }
}

void RuntimeSession::logDroppedLine()
{
    const QString message = u"dropped a stdout line longer than %1 bytes"_s.arg(m_maxLineBytes);
    appendLog(u"runtime"_s, message);
    qCWarning(lcRuntime).noquote() << "app" << m_app << "session" << m_id << message;
}

void RuntimeSession::readStdout()
{
    const QByteArray chunk = m_process->readAllStandardOutput();
    const QPointer<RuntimeSession> self(this);
    qsizetype pos = 0;
    while (pos < chunk.size()) {
        const qsizetype newline = chunk.indexOf('\n', pos);
        const qsizetype end = newline < 0 ? chunk.size() : newline;
        if (!m_discardingLine) {
            m_stdoutBuffer.append(chunk.constData() + pos, end - pos);
        }
        if (newline < 0) {
            // +1: a CR that belongs to a line of exactly the maximum may still be in there.
            if (!m_discardingLine && m_stdoutBuffer.size() > m_maxLineBytes + 1) {
                m_stdoutBuffer.clear();
                m_discardingLine = true;
                logDroppedLine();
            }
            break;
        }
        pos = newline + 1;
        if (m_discardingLine) {
            m_discardingLine = false; // the next line starts here
            continue;
        }
        const QByteArray line = withoutTrailingCr(std::exchange(m_stdoutBuffer, {}));
        if (line.size() > m_maxLineBytes) {
            logDroppedLine();
            continue;
        }
        Q_EMIT stdoutLine(line);
        if (!self) {
            return; // a receiver deleted this session
        }
    }
}

void RuntimeSession::readStderr()
{
    m_stderrBuffer.append(m_process->readAllStandardError());
    qsizetype pos = 0;
    for (;;) {
        const qsizetype newline = m_stderrBuffer.indexOf('\n', pos);
        if (newline < 0) {
            if (m_stderrBuffer.size() - pos >= maxStderrLineBytes) {
                appendLog(u"stderr"_s,
                          QString::fromUtf8(m_stderrBuffer.mid(pos, maxStderrLineBytes)));
                pos += maxStderrLineBytes;
                continue;
            }
            break;
        }
        appendLog(u"stderr"_s,
                  QString::fromUtf8(withoutTrailingCr(m_stderrBuffer.mid(pos, newline - pos))));
        pos = newline + 1;
    }
    m_stderrBuffer.remove(0, pos);
}

void RuntimeSession::onFinished(int exitCode, QProcess::ExitStatus status)
{
    // Whatever the process wrote last, including a final line without a newline.
    const QPointer<RuntimeSession> self(this);
    readStdout();
    if (!self) {
        return;
    }
    readStderr();
    if (!m_stderrBuffer.isEmpty()) {
        appendLog(u"stderr"_s,
                  QString::fromUtf8(withoutTrailingCr(std::exchange(m_stderrBuffer, {}))));
    }
    if (!m_discardingLine && !m_stdoutBuffer.isEmpty()) {
        const QByteArray line = withoutTrailingCr(std::exchange(m_stdoutBuffer, {}));
        if (line.size() > m_maxLineBytes) {
            logDroppedLine();
        } else {
            Q_EMIT stdoutLine(line);
            if (!self) {
                return;
            }
        }
    }
    m_stdoutBuffer.clear();
    m_discardingLine = false;
    const QString reason = status == QProcess::CrashExit ? u"killed by signal %1"_s.arg(exitCode)
                                                         : u"exited with code %1"_s.arg(exitCode);
    qCInfo(lcRuntime).noquote() << "app" << m_app << "session" << m_id << reason;
    finish(reason);
}

void RuntimeSession::finish(const QString &reason)
{
    if (m_state == State::Exited) {
        return;
    }
    m_state = State::Exited;
    m_exitedAt = QDateTime::currentDateTimeUtc();
    if (!m_startedAt.isValid()) {
        m_startedAt = m_exitedAt;
    }
    m_exitReason = reason;
    appendLog(u"runtime"_s, reason);
    Q_EMIT exited(reason);
}

} // namespace Gestalt
