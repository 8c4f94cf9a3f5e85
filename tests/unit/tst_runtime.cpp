// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The local runtime with real child processes: sessions (stdio lines, stderr log ring, stop
// escalation, failure to start), supervised restarts with backoff, provider config and registry.
#include "runtime/HostedProcess.h"
#include "runtime/RuntimeProvider.h"
#include "runtime/RuntimeSession.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <cerrno>
#include <memory>

#include <signal.h>

using namespace Qt::StringLiterals;
using namespace Gestalt;

namespace {

constexpr int kTimeout = 10'000;

QString python()
{
    return QStandardPaths::findExecutable(u"python3"_s);
}

// A session that is not owned by a provider, started on `sh -c script`.
std::unique_ptr<RuntimeSession> shell(const QString &script, int maxLogLines = 100)
{
    auto session = std::make_unique<RuntimeSession>(u"rs_test"_s, u"demo"_s, maxLogLines);
    session->start(u"/bin/sh"_s, {u"-c"_s, script}, {}, {});
    return session;
}

QStringList messages(const QList<RuntimeSession::LogLine> &lines, const QString &stream)
{
    QStringList result;
    for (const RuntimeSession::LogLine &line : lines) {
        if (line.stream == stream) {
            result.append(line.message);
        }
    }
    return result;
}

QList<qint64> seqs(const QList<RuntimeSession::LogLine> &lines)
{
    QList<qint64> result;
    for (const RuntimeSession::LogLine &line : lines) {
        result.append(line.seq);
    }
    return result;
}

QByteArrayList linesOf(const QSignalSpy &spy)
{
    QByteArrayList lines;
    for (const QList<QVariant> &arguments : spy) {
        lines.append(arguments.at(0).toByteArray());
    }
    return lines;
}

// True once the process with this id is gone and reaped.
bool processGone(qint64 pid)
{
    return ::kill(pid_t(pid), 0) == -1 && errno == ESRCH;
}

RuntimeProviderConfig makeConfig(const QJsonObject &config)
{
    RuntimeProviderConfig result;
    result.config = config;
    return result;
}

} // namespace

class tst_Runtime final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!python().isEmpty(), "python3 is needed");
        qRegisterMetaType<RuntimeSession *>();
    }
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void sessionLifecycleAndLogs();
    void logRingDropsOldest();
    void stdoutLines();
    void overlongLineIsDropped();
    void writeIsEchoed();
    void failureToStart();
    void stopEscalatesToKill();
    void destructorKillsTheProcess();
    void hostedProcessRestarts();
    void restartBackoff_data();
    void restartBackoff();
    void hostedWriteAddsNewline();
    void providerConfig_data();
    void providerConfig();
    void providerKeepsFewExitedSessions();
    void providerDestructorKillsProcesses();
    void registry();
};

void tst_Runtime::sessionLifecycleAndLogs()
{
    auto session = shell(u"echo err1 >&2; echo err2 >&2; exit 3"_s);
    QSignalSpy started(session.get(), &RuntimeSession::started);
    QSignalSpy exited(session.get(), &RuntimeSession::exited);
    QCOMPARE(session->state(), RuntimeSession::State::Starting);
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, kTimeout);
    QCOMPARE(started.count(), 1);
    QCOMPARE(exited.at(0).at(0).toString(), u"exited with code 3"_s);
    QCOMPARE(session->state(), RuntimeSession::State::Exited);
    QCOMPARE(session->exitReason(), u"exited with code 3"_s);
    QCOMPARE(session->processId(), qint64(0));

    const QList<RuntimeSession::LogLine> all = session->logs(0, 100);
    QCOMPARE(seqs(all), (QList<qint64>{1, 2, 3, 4}));
    QCOMPARE(messages(all, u"stderr"_s), (QStringList{u"err1"_s, u"err2"_s}));
    const QStringList runtime = messages(all, u"runtime"_s);
    QCOMPARE(runtime.size(), 2);
    QVERIFY2(runtime.at(0).startsWith(u"started pid "_s), qPrintable(runtime.at(0)));
    QCOMPARE(runtime.at(1), u"exited with code 3"_s);
    QCOMPARE(all.constLast().stream, u"runtime"_s);
    for (const RuntimeSession::LogLine &line : all) {
        QVERIFY(line.observedAt.isValid());
    }
    QCOMPARE(seqs(session->logs(1, 2)), (QList<qint64>{2, 3}));
    QCOMPARE(seqs(session->logs(3, 100)), (QList<qint64>{4}));
    QVERIFY(session->logs(4, 100).isEmpty());
    QVERIFY(session->logs(0, 0).isEmpty());

    const QJsonObject json = session->toJson();
    QCOMPARE(json.value(u"id"_s).toString(), u"rs_test"_s);
    QCOMPARE(json.value(u"state"_s).toString(), u"exited"_s);
    QCOMPARE(json.value(u"app"_s).toString(), u"demo"_s);
    QCOMPARE(json.value(u"exitReason"_s).toString(), u"exited with code 3"_s);
    QVERIFY(!json.contains(u"pid"_s));
    for (const QString &key : {u"startedAt"_s, u"exitedAt"_s}) {
        const QString text = json.value(key).toString();
        QVERIFY2(text.endsWith(u'Z'), qPrintable(text));
        QVERIFY(QDateTime::fromString(text, Qt::ISODateWithMs).isValid());
    }
}

void tst_Runtime::logRingDropsOldest()
{
    auto session =
        shell(u"i=1; while [ $i -le 30 ]; do echo line$i >&2; i=$((i+1)); done; exit 0"_s, 10);
    QSignalSpy exited(session.get(), &RuntimeSession::exited);
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, kTimeout);
    // started + 30 stderr lines + exited = 32 lines; the last 10 remain.
    const QList<RuntimeSession::LogLine> kept = session->logs(0, 100);
    QCOMPARE(seqs(kept), (QList<qint64>{23, 24, 25, 26, 27, 28, 29, 30, 31, 32}));
    QCOMPARE(kept.first().message, u"line22"_s);
    QCOMPARE(kept.constLast().message, u"exited with code 0"_s);
    const QList<RuntimeSession::LogLine> page = session->logs(25, 3);
    QCOMPARE(seqs(page), (QList<qint64>{26, 27, 28}));
    QCOMPARE(messages(page, u"stderr"_s), (QStringList{u"line25"_s, u"line26"_s, u"line27"_s}));
}

void tst_Runtime::stdoutLines()
{
    // The child pauses between writes so that lines arrive split across reads.
    const QString script = uR"(
import sys, time
w = sys.stdout.buffer
w.write(b"one\r\ntwo\n"); w.flush()
w.write(b"spl"); w.flush(); time.sleep(0.1)
w.write(b"it\r"); w.flush(); time.sleep(0.1)
w.write(b"\n\nlast without newline"); w.flush()
sys.stderr.buffer.write(b"bad \xff utf-8\r\n"); sys.stderr.flush()
)"_s;
    RuntimeSession session(u"rs_test"_s, u"demo"_s, 100);
    QSignalSpy lines(&session, &RuntimeSession::stdoutLine);
    QSignalSpy exited(&session, &RuntimeSession::exited);
    session.start(python(), {u"-c"_s, script}, {}, {});
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, kTimeout);
    QCOMPARE(session.exitReason(), u"exited with code 0"_s);
    QCOMPARE(
        linesOf(lines),
        (QByteArrayList{"one"_ba, "two"_ba, "split"_ba, QByteArray(), "last without newline"_ba}));
    QCOMPARE(messages(session.logs(0, 100), u"stderr"_s), (QStringList{u"bad \uFFFD utf-8"_s}));
}

void tst_Runtime::overlongLineIsDropped()
{
    const QString script = uR"(
import sys, time
w = sys.stdout.buffer
w.write(b"short\n" + b"x" * 100 + b"\nafter\n"); w.flush(); time.sleep(0.1)
w.write(b"y" * 10); w.flush(); time.sleep(0.1)
w.write(b"y" * 30); w.flush(); time.sleep(0.1)
w.write(b"y" * 30 + b"\n" + b"z" * 16 + b"\r\nok\n"); w.flush()
)"_s;
    RuntimeSession session(u"rs_test"_s, u"demo"_s, 100);
    session.setMaxLineBytes(16);
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"dropped a stdout line longer than 16 bytes$"_s));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"dropped a stdout line longer than 16 bytes$"_s));
    QSignalSpy lines(&session, &RuntimeSession::stdoutLine);
    QSignalSpy exited(&session, &RuntimeSession::exited);
    session.start(python(), {u"-c"_s, script}, {}, {});
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, kTimeout);
    QCOMPARE(linesOf(lines),
             (QByteArrayList{"short"_ba, "after"_ba, QByteArray(16, 'z'), "ok"_ba}));
    const QStringList runtime = messages(session.logs(0, 100), u"runtime"_s);
    QCOMPARE(runtime.count(u"dropped a stdout line longer than 16 bytes"_s), 2);
}

void tst_Runtime::writeIsEchoed()
{
    RuntimeSession session(u"rs_test"_s, u"demo"_s, 100);
    QSignalSpy started(&session, &RuntimeSession::started);
    QSignalSpy lines(&session, &RuntimeSession::stdoutLine);
    QSignalSpy exited(&session, &RuntimeSession::exited);
    QVERIFY(!session.write("too early\n"_ba));
    session.start(u"cat"_s, {}, {{u"GESTALT_TEST_VAR"_s, u"x"_s}}, {});
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, kTimeout);
    QCOMPARE(session.state(), RuntimeSession::State::Running);
    const QJsonObject json = session.toJson();
    QCOMPARE(json.value(u"state"_s).toString(), u"running"_s);
    QVERIFY(json.value(u"pid"_s).toInteger() > 0);
    QVERIFY(!json.contains(u"exitedAt"_s));
    QVERIFY(!json.contains(u"exitReason"_s));
    QVERIFY(session.exitReason().isEmpty());

    QVERIFY(session.write("{\"jsonrpc\":\"2.0\"}\nsecond\n"_ba));
    QTRY_COMPARE_WITH_TIMEOUT(lines.count(), 2, kTimeout);
    QCOMPARE(linesOf(lines), (QByteArrayList{"{\"jsonrpc\":\"2.0\"}"_ba, "second"_ba}));

    session.stop();
    QCOMPARE(session.state(), RuntimeSession::State::Stopping);
    QVERIFY(!session.write("late\n"_ba));
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, kTimeout);
    QCOMPARE(session.state(), RuntimeSession::State::Exited);
}

void tst_Runtime::failureToStart()
{
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"failed to start: "_s));
    RuntimeSession session(u"rs_test"_s, u"demo"_s, 100);
    QSignalSpy started(&session, &RuntimeSession::started);
    QSignalSpy exited(&session, &RuntimeSession::exited);
    session.start(u"/nonexistent/gestalt-no-such-program"_s, {}, {}, {});
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, kTimeout);
    QCOMPARE(started.count(), 0);
    QCOMPARE(session.state(), RuntimeSession::State::Exited);
    QVERIFY2(session.exitReason().startsWith(u"failed to start: "_s),
             qPrintable(session.exitReason()));
    const QList<RuntimeSession::LogLine> logs = session.logs(0, 100);
    QCOMPARE(logs.size(), 1);
    QCOMPARE(logs.at(0).stream, u"runtime"_s);
    QCOMPARE(logs.at(0).message, session.exitReason());

    RuntimeSession empty(u"rs_test2"_s, u"demo"_s, 100);
    QSignalSpy emptyExited(&empty, &RuntimeSession::exited);
    empty.start({}, {}, {}, {});
    QTRY_COMPARE_WITH_TIMEOUT(emptyExited.count(), 1, kTimeout);
    QCOMPARE(empty.exitReason(), u"failed to start: no command"_s);
}

void tst_Runtime::stopEscalatesToKill()
{
    const QString script = uR"(
import signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
)"_s;
    RuntimeSession session(u"rs_test"_s, u"demo"_s, 100);
    QSignalSpy lines(&session, &RuntimeSession::stdoutLine);
    QSignalSpy exited(&session, &RuntimeSession::exited);
    session.start(python(), {u"-c"_s, script}, {}, {});
    QTRY_COMPARE_WITH_TIMEOUT(lines.count(), 1, kTimeout); // SIGTERM is ignored from now on
    const qint64 pid = session.processId();
    session.stop(200);
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, kTimeout);
    QCOMPARE(session.exitReason(), u"killed by signal 9"_s);
    QVERIFY(processGone(pid));
    const QStringList runtime = messages(session.logs(0, 100), u"runtime"_s);
    QVERIFY2(runtime.contains(u"still running 200 ms after SIGTERM; killing"_s),
             qPrintable(runtime.join(u" | "_s)));
    QCOMPARE(runtime.constLast(), u"killed by signal 9"_s);
}

void tst_Runtime::destructorKillsTheProcess()
{
    auto session = std::make_unique<RuntimeSession>(u"rs_test"_s, u"demo"_s, 100);
    QSignalSpy started(session.get(), &RuntimeSession::started);
    session->start(u"/bin/sh"_s, {u"-c"_s, u"exec sleep 60"_s}, {}, {});
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, kTimeout);
    const qint64 pid = session->processId();
    QVERIFY(pid > 0);
    session.reset();
    QVERIFY(processGone(pid));
}

void tst_Runtime::hostedProcessRestarts()
{
    RuntimeProvider provider(
        u"local"_s,
        makeConfig({{u"restartDelay"_s, u"50ms"_s}, {u"maxRestartDelay"_s, u"100ms"_s}}),
        true);
    QVERIFY(provider.isLoaded());
    Result<HostedProcess *> hosted =
        provider.host(HostSpec{u"demo"_s, {u"/bin/sh"_s, u"-c"_s, u"exit 1"_s}, {}, {}});
    QVERIFY(hosted);
    HostedProcess &process = **hosted;
    QCOMPARE(process.unavailableReason(), u"not started"_s);
    QStringList reasons;
    connect(&process, &HostedProcess::sessionEnded, this, [&](const QString &) {
        reasons.append(process.unavailableReason());
    });
    QSignalSpy ended(&process, &HostedProcess::sessionEnded);
    process.start();
    QTRY_VERIFY_WITH_TIMEOUT(process.restartCount() >= 3, kTimeout);
    QVERIFY(ended.count() >= 3);
    QCOMPARE(ended.at(0).at(0).toString(), u"exited with code 1"_s);
    QCOMPARE(reasons.at(0), u"exited with code 1; restarting in 1 s"_s);

    process.stop();
    QTRY_COMPARE_WITH_TIMEOUT(process.unavailableReason(), u"stopped"_s, kTimeout);
    QCOMPARE(process.session(), nullptr);
    QVERIFY(!process.isRunning());
    QVERIFY(!process.write("x"_ba));
    QTRY_VERIFY_WITH_TIMEOUT(provider.activeSessions().isEmpty(), kTimeout);
}

void tst_Runtime::restartBackoff_data()
{
    QTest::addColumn<QString>("maxDelay");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("doubles") << u"10s"_s
                             << QStringList{u"exited with code 2; restarting in 2 s"_s,
                                            u"exited with code 2; restarting in 3 s"_s};
    QTest::newRow("capped at the maximum")
        << u"1100ms"_s
        << QStringList{u"exited with code 2; restarting in 2 s"_s,
                       u"exited with code 2; restarting in 2 s"_s};
}

void tst_Runtime::restartBackoff()
{
    QFETCH(QString, maxDelay);
    QFETCH(QStringList, expected);
    // 1.1 s, then 2.2 s (or the cap): the announced wait is rounded up to whole seconds.
    RuntimeProvider provider(
        u"local"_s,
        makeConfig({{u"restartDelay"_s, u"1100ms"_s}, {u"maxRestartDelay"_s, maxDelay}}),
        true);
    Result<HostedProcess *> hosted =
        provider.host(HostSpec{u"demo"_s, {u"/bin/sh"_s, u"-c"_s, u"exit 2"_s}, {}, {}});
    QVERIFY(hosted);
    HostedProcess &process = **hosted;
    QStringList reasons;
    connect(&process, &HostedProcess::sessionEnded, this, [&](const QString &) {
        reasons.append(process.unavailableReason());
    });
    process.start();
    QTRY_COMPARE_WITH_TIMEOUT(reasons.size(), 2, kTimeout);
    process.stop();
    QCOMPARE(reasons, expected);
    QCOMPARE(process.restartCount(), 1);
    QCOMPARE(process.unavailableReason(), u"stopped"_s);
}

void tst_Runtime::hostedWriteAddsNewline()
{
    RuntimeProvider provider(u"local"_s, makeConfig({}), true);
    Result<HostedProcess *> hosted = provider.host(HostSpec{u"demo"_s, {u"cat"_s}, {}, {}});
    QVERIFY(hosted);
    HostedProcess &process = **hosted;
    QSignalSpy sessionStarted(&process, &HostedProcess::sessionStarted);
    QSignalSpy lines(&process, &HostedProcess::stdoutLine);
    QSignalSpy ended(&process, &HostedProcess::sessionEnded);
    process.start();
    QTRY_COMPARE_WITH_TIMEOUT(sessionStarted.count(), 1, kTimeout);
    QVERIFY(process.isRunning());
    QVERIFY(process.unavailableReason().isEmpty());
    auto *session = sessionStarted.at(0).at(0).value<RuntimeSession *>();
    QCOMPARE(process.session(), session);
    QCOMPARE(provider.activeSessions(), QList<RuntimeSession *>{session});
    QVERIFY(session->id().startsWith(u"rs_"_s));
    QCOMPARE(session->id().size(), 19);
    QCOMPARE(provider.session(session->id()), session);
    QCOMPARE(provider.toJson().value(u"sessionCount"_s).toInt(), 1);

    QVERIFY(process.write("ping"_ba));
    QVERIFY(process.write("pong\n"_ba));
    QTRY_COMPARE_WITH_TIMEOUT(lines.count(), 2, kTimeout);
    QCOMPARE(linesOf(lines), (QByteArrayList{"ping"_ba, "pong"_ba}));

    process.stop();
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, kTimeout); // a stop ends the session too
    QCOMPARE(process.unavailableReason(), u"stopped"_s);
    QCOMPARE(process.restartCount(), 0);
    QCOMPARE(provider.toJson().value(u"sessionCount"_s).toInt(), 0);
}

void tst_Runtime::providerConfig_data()
{
    QTest::addColumn<QJsonObject>("config");
    QTest::addColumn<QString>("error"); // a part of the error; empty: loaded
    QTest::addColumn<qint64>("restartMs");
    QTest::addColumn<qint64>("maxRestartMs");

    QTest::newRow("defaults") << QJsonObject{} << QString() << 1000LL << 30000LL;
    QTest::newRow("duration strings")
        << QJsonObject{{u"restartDelay"_s, u"500ms"_s}, {u"maxRestartDelay"_s, u"1m"_s}}
        << QString() << 500LL << 60000LL;
    QTest::newRow("milliseconds as numbers")
        << QJsonObject{{u"restartDelay"_s, 250}, {u"maxRestartDelay"_s, u"2000"_s}} << QString()
        << 250LL << 2000LL;
    QTest::newRow("initial above the default maximum raises it")
        << QJsonObject{{u"restartDelay"_s, u"1m"_s}} << QString() << 60000LL << 60000LL;
    QTest::newRow("log lines and keep exited at their minimum")
        << QJsonObject{{u"logLines"_s, 10}, {u"keepExited"_s, 0}} << QString() << 1000LL << 30000LL;
    QTest::newRow("unknown key") << QJsonObject{{u"restartDelai"_s, u"1s"_s}}
                                 << u"unknown config key \"restartDelai\""_s << 0LL << 0LL;
    QTest::newRow("malformed duration") << QJsonObject{{u"restartDelay"_s, u"soon"_s}}
                                        << u"config.restartDelay must be"_s << 0LL << 0LL;
    QTest::newRow("zero duration") << QJsonObject{{u"restartDelay"_s, u"0s"_s}}
                                   << u"config.restartDelay must be"_s << 0LL << 0LL;
    QTest::newRow("negative milliseconds") << QJsonObject{{u"maxRestartDelay"_s, -5}}
                                           << u"config.maxRestartDelay must be"_s << 0LL << 0LL;
    QTest::newRow("duration as a boolean")
        << QJsonObject{{u"restartDelay"_s, true}} << u"config.restartDelay must be"_s << 0LL << 0LL;
    QTest::newRow("maximum below the initial delay")
        << QJsonObject{{u"restartDelay"_s, u"5s"_s}, {u"maxRestartDelay"_s, u"1s"_s}}
        << u"config.maxRestartDelay must not be less than config.restartDelay"_s << 0LL << 0LL;
    QTest::newRow("too few log lines")
        << QJsonObject{{u"logLines"_s, 9}} << u"config.logLines must be an integer"_s << 0LL << 0LL;
    QTest::newRow("fractional log lines") << QJsonObject{{u"logLines"_s, 10.5}}
                                          << u"config.logLines must be an integer"_s << 0LL << 0LL;
    QTest::newRow("negative keepExited") << QJsonObject{{u"keepExited"_s, -1}}
                                         << u"config.keepExited must be an integer"_s << 0LL << 0LL;
    QTest::newRow("keepExited as text") << QJsonObject{{u"keepExited"_s, u"many"_s}}
                                        << u"config.keepExited must be an integer"_s << 0LL << 0LL;
}

void tst_Runtime::providerConfig()
{
    QFETCH(QJsonObject, config);
    QFETCH(QString, error);
    QFETCH(qint64, restartMs);
    QFETCH(qint64, maxRestartMs);
    if (!error.isEmpty()) {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"not loaded: "_s));
    }
    RuntimeProvider provider(u"edge"_s, makeConfig(config), false);
    const QJsonObject json = provider.toJson();
    QCOMPARE(json.value(u"name"_s).toString(), u"edge"_s);
    QCOMPARE(json.value(u"driver"_s).toString(), u"local"_s);
    QCOMPARE(json.value(u"default"_s), QJsonValue(false));
    if (error.isEmpty()) {
        QVERIFY2(provider.isLoaded(), qPrintable(provider.error()));
        QCOMPARE(qint64(provider.restartDelay().count()), restartMs);
        QCOMPARE(qint64(provider.maxRestartDelay().count()), maxRestartMs);
        const QJsonObject profile{{u"canHostPlugins"_s, true},
                                  {u"hostServiceAccess"_s, u"direct"_s},
                                  {u"egressMode"_s, u"unrestricted"_s}};
        QCOMPARE(
            json,
            (QJsonObject{{u"name"_s, u"edge"_s},
                         {u"driver"_s, u"local"_s},
                         {u"default"_s, false},
                         {u"loaded"_s, true},
                         {u"sessionCount"_s, 0},
                         {u"profile"_s,
                          QJsonObject{{u"advertised"_s, profile}, {u"effective"_s, profile}}}}));
        QVERIFY(provider.host(HostSpec{u"demo"_s, {u"true"_s}, {}, {}}));
    } else {
        QVERIFY(!provider.isLoaded());
        QVERIFY2(provider.error().contains(error), qPrintable(provider.error()));
        QCOMPARE(json.value(u"loaded"_s), QJsonValue(false));
        QCOMPARE(json.value(u"error"_s).toString(), provider.error());
        QVERIFY(!json.contains(u"profile"_s));
        QVERIFY(!json.contains(u"sessionCount"_s));
        const Result<HostedProcess *> hosted =
            provider.host(HostSpec{u"demo"_s, {u"true"_s}, {}, {}});
        QVERIFY(!hosted);
        QCOMPARE(hosted.error().code, ErrorCode::Unavailable);
    }
}

void tst_Runtime::providerKeepsFewExitedSessions()
{
    RuntimeProvider provider(u"local"_s, makeConfig({{u"keepExited"_s, 1}}), true);
    QStringList ids;
    for (int i = 0; i < 3; ++i) {
        RuntimeSession *session = provider.newSession(u"demo"_s);
        QSignalSpy exited(session, &RuntimeSession::exited);
        session->start(u"/bin/sh"_s, {u"-c"_s, u"echo bye >&2"_s}, {}, {});
        QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, kTimeout);
        ids.append(session->id());
    }
    QCOMPARE(ids.size(), 3);
    QCOMPARE(QSet<QString>(ids.cbegin(), ids.cend()).size(), 3);
    QCOMPARE(provider.session(ids.at(0)), nullptr);
    QCOMPARE(provider.session(ids.at(1)), nullptr);
    RuntimeSession *last = provider.session(ids.at(2));
    QVERIFY(last);
    QCOMPARE(messages(last->logs(0, 100), u"stderr"_s), QStringList{u"bye"_s});
    QVERIFY(provider.activeSessions().isEmpty());
}

void tst_Runtime::providerDestructorKillsProcesses()
{
    auto provider = std::make_unique<RuntimeProvider>(u"local"_s, makeConfig({}), true);
    Result<HostedProcess *> hosted = provider->host(
        HostSpec{u"demo"_s, {u"/bin/sh"_s, u"-c"_s, u"trap '' TERM; exec sleep 60"_s}, {}, {}});
    QVERIFY(hosted);
    QSignalSpy sessionStarted(*hosted, &HostedProcess::sessionStarted);
    (*hosted)->start();
    QTRY_COMPARE_WITH_TIMEOUT(sessionStarted.count(), 1, kTimeout);
    const qint64 pid = (*hosted)->session()->processId();
    QVERIFY(pid > 0);
    provider.reset();
    QVERIFY(processGone(pid));
}

void tst_Runtime::registry()
{
    {
        RuntimeRegistry implicit{RuntimeConfig{}};
        QCOMPARE(implicit.providers().size(), 1);
        RuntimeProvider *local = implicit.provider(u"local"_s);
        QVERIFY(local);
        QCOMPARE(implicit.defaultProvider(), local);
        QVERIFY(local->isDefault());
        QVERIFY(local->isLoaded());
        QCOMPARE(local->toJson().value(u"default"_s), QJsonValue(true));
        QCOMPARE(implicit.provider(u"other"_s), nullptr);
    }
    {
        RuntimeConfig config;
        config.providers.insert(u"zeta"_s, makeConfig({}));
        RuntimeProviderConfig alpha = makeConfig({{u"logLines"_s, 50}});
        alpha.isDefault = true;
        config.providers.insert(u"alpha"_s, alpha);
        RuntimeRegistry named(config);
        const QList<RuntimeProvider *> providers = named.providers();
        QCOMPARE(providers.size(), 2);
        QCOMPARE(providers.at(0)->name(), u"alpha"_s);
        QCOMPARE(providers.at(1)->name(), u"zeta"_s);
        QCOMPARE(named.defaultProvider(), named.provider(u"alpha"_s));
        QVERIFY(!named.provider(u"zeta"_s)->isDefault());
        QCOMPARE(named.provider(u"local"_s), nullptr);

        config.defaultProvider = u"zeta"_s;
        RuntimeRegistry explicitDefault(config);
        QCOMPARE(explicitDefault.defaultProvider(), explicitDefault.provider(u"zeta"_s));
        QVERIFY(!explicitDefault.provider(u"alpha"_s)->isDefault());
    }
}

QTEST_GUILESS_MAIN(tst_Runtime)
#include "tst_runtime.moc"
