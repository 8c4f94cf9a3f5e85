// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "runtime/HostedProcess.h"

#include "core/Logging.h"
#include "runtime/RuntimeProvider.h"
#include "runtime/RuntimeSession.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// A session that ran this long counts as healthy: the next restart waits the initial delay again.
constexpr std::chrono::milliseconds healthyRun{60'000};

} // namespace

HostedProcess::HostedProcess(RuntimeProvider &provider, HostSpec spec, QObject *parent)
    : QObject(parent)
    , m_provider(provider)
    , m_spec(std::move(spec))
    , m_delay(provider.restartDelay())
{
    m_restartTimer.setSingleShot(true);
    connect(&m_restartTimer, &QTimer::timeout, this, [this] {
        ++m_restarts;
        launch();
    });
}

HostedProcess::~HostedProcess()
{
    m_restartTimer.stop();
    if (m_session) {
        disconnect(m_session, nullptr, this, nullptr);
        m_session->stop();
    }
}

void HostedProcess::start()
{
    if (!m_stopped) {
        return;
    }
    m_stopped = false;
    m_delay = m_provider.restartDelay();
    launch();
}

void HostedProcess::stop()
{
    m_stopped = true;
    m_restartTimer.stop();
    if (m_session) {
        m_session->stop(); // its exit still reports sessionEnded()
    }
}

RuntimeSession *HostedProcess::session() const
{
    RuntimeSession *session = m_session;
    return session && session->state() != RuntimeSession::State::Exited ? session : nullptr;
}

bool HostedProcess::isRunning() const
{
    const RuntimeSession *session = m_session;
    return session != nullptr && session->state() == RuntimeSession::State::Running;
}

QString HostedProcess::unavailableReason() const
{
    if (const RuntimeSession *session = m_session) {
        switch (session->state()) {
        case RuntimeSession::State::Running:
            return {};
        case RuntimeSession::State::Starting:
            return u"starting"_s;
        case RuntimeSession::State::Stopping:
            return u"stopping"_s;
        case RuntimeSession::State::Exited:
            break;
        }
    }
    if (m_stopped) {
        return m_lastExit.isEmpty() && m_restarts == 0 ? u"not started"_s : u"stopped"_s;
    }
    if (m_restartTimer.isActive()) {
        const qint64 remainingMs = std::max(0, m_restartTimer.remainingTime());
        const qint64 seconds = std::max<qint64>(1, (remainingMs + 999) / 1000);
        return u"%1; restarting in %2 s"_s.arg(m_lastExit).arg(seconds);
    }
    return m_lastExit.isEmpty() ? u"not started"_s : m_lastExit;
}

bool HostedProcess::write(const QByteArray &bytes)
{
    if (!isRunning()) {
        return false;
    }
    if (bytes.endsWith('\n')) {
        return m_session->write(bytes);
    }
    return m_session->write(bytes + '\n');
}

bool HostedProcess::ensureHome(QString &error)
{
    if (m_home && m_home->isValid() && QDir(m_home->path()).exists()) {
        return true;
    }
    auto home = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/gestaltd-app-XXXXXX"_s);
    if (!home->isValid()) {
        error = u"cannot create the app's home directory: "_s + home->errorString();
        return false;
    }
    if (const std::optional<RuntimeSession::RunAs> runAs = m_provider.runAs()) {
        if (::chown(QFile::encodeName(home->path()).constData(), runAs->uid, runAs->gid) != 0) {
            error = u"cannot give the app's home directory to uid %1: %2"_s.arg(runAs->uid)
                        .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
    }
    m_home = std::move(home);
    return true;
}

void HostedProcess::launch()
{
    RuntimeSession *session = m_provider.newSession(m_spec.app);
    m_session = session;
    connect(session, &RuntimeSession::started, this, [this, session] {
        if (m_session == session) {
            Q_EMIT sessionStarted(session);
        }
    });
    connect(session, &RuntimeSession::stdoutLine, this, [this, session](const QByteArray &line) {
        if (m_session == session) {
            Q_EMIT stdoutLine(line);
        }
    });
    connect(session, &RuntimeSession::exited, this, [this, session](const QString &reason) {
        if (m_session == session) {
            onExited(reason);
        }
    });
    QString error;
    if (!ensureHome(error)) {
        qCWarning(lcRuntime).noquote() << "app" << m_spec.app << error;
        session->fail(error);
        return;
    }
    QMap<QString, QString> env = m_spec.env;
    if (!env.contains(u"HOME"_s)) {
        env.insert(u"HOME"_s, m_home->path());
    }
    session->start(m_spec.command.value(0),
                   m_spec.command.mid(1),
                   env,
                   m_spec.workingDir.isEmpty() ? m_home->path() : m_spec.workingDir);
}

void HostedProcess::onExited(const QString &reason)
{
    const RuntimeSession *ended = m_session.data();
    const std::chrono::milliseconds ran{
        ended && ended->startedAt().isValid() ? ended->startedAt().msecsTo(ended->exitedAt()) : 0};
    m_session.clear();
    m_lastExit = reason;
    if (!m_stopped) {
        if (ran >= healthyRun) {
            m_delay = m_provider.restartDelay();
        }
        m_restartTimer.start(m_delay);
        qCInfo(lcRuntime).noquote()
            << "app" << m_spec.app << u"%1; restarting in %2 ms"_s.arg(reason).arg(m_delay.count());
        m_delay = std::min(m_delay * 2,
                           std::max(m_provider.maxRestartDelay(), m_provider.restartDelay()));
    }
    Q_EMIT sessionEnded(reason);
}

} // namespace Gestalt
