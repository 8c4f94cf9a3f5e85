// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "runtime/RuntimeProvider.h"

#include "config/ConfigScalars.h"
#include "core/Logging.h"
#include "crypto/Random.h"
#include "runtime/RuntimeSession.h"
#include "shared/wire/Runtime.h"

#include <QJsonValue>

#include <cmath>
#include <optional>
#include <utility>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int minLogLines = 10;

// A JSON number that is a whole number (or a decimal string, as YAML may hand it over).
std::optional<qint64> integerValue(const QJsonValue &value)
{
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (std::isfinite(number) && std::trunc(number) == number && std::abs(number) < 1e15) {
            return static_cast<qint64>(number);
        }
        return std::nullopt;
    }
    if (value.isString()) {
        return parseInteger(value.toString());
    }
    return std::nullopt;
}

// "500ms", "2s", "1m", or a number of milliseconds; positive.
std::optional<std::chrono::milliseconds> durationValue(const QJsonValue &value)
{
    std::optional<std::chrono::milliseconds> duration;
    if (value.isDouble()) {
        if (const std::optional<qint64> ms = integerValue(value)) {
            duration = std::chrono::milliseconds(*ms);
        }
    } else if (value.isString()) {
        duration = parseDuration(value.toString());
        if (!duration) {
            if (const std::optional<qint64> ms = parseInteger(value.toString())) {
                duration = std::chrono::milliseconds(*ms);
            }
        }
    }
    if (!duration || duration->count() <= 0) {
        return std::nullopt;
    }
    return duration;
}

// A name or a non-negative id (number or decimal string).
std::optional<qint64> idValue(const QJsonValue &value)
{
    const std::optional<qint64> id = integerValue(value);
    return id && *id >= 0 && *id < 0xFFFFFFFFLL ? id : std::nullopt;
}

Wire::RuntimeProfile profile()
{
    return Wire::RuntimeProfile{true, u"direct"_s, u"unrestricted"_s};
}

} // namespace

std::optional<RuntimeSession::RunAs> RuntimeProvider::runAsFrom(const QJsonObject &config,
                                                                QString &error)
{
    const QJsonValue user = config.value(u"user"_s);
    const QJsonValue group = config.value(u"group"_s);
    if (user.isUndefined() || user.isNull()) {
        if (!group.isUndefined() && !group.isNull()) {
            error = u"config.group needs config.user"_s;
        }
        return std::nullopt;
    }
    RuntimeSession::RunAs runAs;
    bool haveGroup = false;
    if (const std::optional<qint64> uid = idValue(user)) {
        runAs.uid = uid_t(*uid);
        if (const struct passwd *entry = ::getpwuid(runAs.uid)) {
            runAs.gid = entry->pw_gid;
            haveGroup = true;
        }
    } else if (user.isString() && !user.toString().isEmpty()) {
        const struct passwd *entry = ::getpwnam(user.toString().toLocal8Bit().constData());
        if (!entry) {
            error = u"config.user: no user named \"%1\""_s.arg(user.toString().left(64));
            return std::nullopt;
        }
        runAs.uid = entry->pw_uid;
        runAs.gid = entry->pw_gid;
        haveGroup = true;
    } else {
        error = u"config.user must be a user name or a uid"_s;
        return std::nullopt;
    }
    if (!group.isUndefined() && !group.isNull()) {
        if (const std::optional<qint64> gid = idValue(group)) {
            runAs.gid = gid_t(*gid);
        } else if (group.isString() && !group.toString().isEmpty()) {
            const struct group *entry = ::getgrnam(group.toString().toLocal8Bit().constData());
            if (!entry) {
                error = u"config.group: no group named \"%1\""_s.arg(group.toString().left(64));
                return std::nullopt;
            }
            runAs.gid = entry->gr_gid;
        } else {
            error = u"config.group must be a group name or a gid"_s;
            return std::nullopt;
        }
    } else if (!haveGroup) {
        error = u"config.user: uid %1 has no entry in the user database: set config.group"_s.arg(
            runAs.uid);
        return std::nullopt;
    }
    if (::geteuid() != 0) {
        error = u"config.user: running hosted processes as another user needs gestaltd to run as "
                "root (it runs as uid %1); run it as root or remove config.user"_s.arg(::geteuid());
        return std::nullopt;
    }
    return runAs;
}

RuntimeProvider::RuntimeProvider(QString name,
                                 const RuntimeProviderConfig &config,
                                 bool isDefault,
                                 QObject *parent)
    : QObject(parent)
    , m_name(std::move(name))
    , m_default(isDefault)
{
    QStringList errors;
    bool maxGiven = false;
    for (auto it = config.config.constBegin(); it != config.config.constEnd(); ++it) {
        const QString &key = it.key();
        const QJsonValue value = it.value();
        if (key == u"restartDelay"_s || key == u"maxRestartDelay"_s) {
            const std::optional<std::chrono::milliseconds> duration = durationValue(value);
            if (!duration) {
                errors.append(u"config.%1 must be a positive duration (\"500ms\", \"2s\", \"1m\") "
                              "or a number of milliseconds"_s.arg(key));
            } else if (key == u"restartDelay"_s) {
                m_restartDelay = *duration;
            } else {
                m_maxRestartDelay = *duration;
                maxGiven = true;
            }
        } else if (key == u"logLines"_s) {
            const std::optional<qint64> lines = integerValue(value);
            if (!lines || *lines < minLogLines || *lines > 1'000'000) {
                errors.append(u"config.logLines must be an integer between %1 and 1000000"_s.arg(
                    minLogLines));
            } else {
                m_logLines = int(*lines);
            }
        } else if (key == u"keepExited"_s) {
            const std::optional<qint64> keep = integerValue(value);
            if (!keep || *keep < 0 || *keep > 100'000) {
                errors.append(u"config.keepExited must be an integer between 0 and 100000"_s);
            } else {
                m_keepExited = int(*keep);
            }
        } else if (key == u"user"_s || key == u"group"_s) {
            // runAsFrom() below
        } else {
            errors.append(u"unknown config key \"%1\" (known: restartDelay, maxRestartDelay, "
                          "logLines, keepExited, user, group)"_s.arg(key.left(64)));
        }
    }
    QString runAsError;
    m_runAs = runAsFrom(config.config, runAsError);
    if (!runAsError.isEmpty()) {
        errors.append(runAsError);
    }
    if (m_maxRestartDelay < m_restartDelay) {
        if (maxGiven) {
            errors.append(u"config.maxRestartDelay must not be less than config.restartDelay"_s);
        } else {
            m_maxRestartDelay = m_restartDelay;
        }
    }
    m_error = errors.join(u"; "_s);
    if (!m_error.isEmpty()) {
        qCWarning(lcRuntime).noquote() << "runtime provider" << m_name << "not loaded:" << m_error;
    }
}

RuntimeProvider::~RuntimeProvider()
{
    m_hosted.clear(); // stops their sessions (stdin closed, SIGTERM)
    const QList<RuntimeSession *> sessions = std::exchange(m_sessions, {});
    qDeleteAll(sessions); // kills whatever still runs and reaps it
}

Result<HostedProcess *> RuntimeProvider::host(const HostSpec &spec)
{
    if (!isLoaded()) {
        return Error::unavailable(
            u"runtime provider \"%1\" is not loaded: %2"_s.arg(m_name, m_error));
    }
    m_hosted.push_back(std::make_unique<HostedProcess>(*this, spec));
    return m_hosted.back().get();
}

QList<RuntimeSession *> RuntimeProvider::activeSessions() const
{
    QList<RuntimeSession *> active;
    for (RuntimeSession *session : m_sessions) {
        if (session->state() != RuntimeSession::State::Exited) {
            active.append(session);
        }
    }
    return active;
}

RuntimeSession *RuntimeProvider::session(const QString &id) const
{
    for (RuntimeSession *session : m_sessions) {
        if (session->id() == id) {
            return session;
        }
    }
    return nullptr;
}

QJsonObject RuntimeProvider::toJson() const
{
    Wire::RuntimeProvider json;
    json.name = m_name;
    json.driver = driver();
    json.isDefault = m_default;
    json.loaded = isLoaded();
    if (json.loaded) {
        json.sessionCount = int(activeSessions().size());
        json.advertised = profile();
        json.effective = profile();
    } else {
        json.error = m_error;
    }
    return json.toJson();
}

RuntimeSession *RuntimeProvider::newSession(const QString &app)
{
    auto *session = new RuntimeSession(u"rs_"_s + Crypto::randomHex(8), app, m_logLines, this);
    session->setRunAs(m_runAs);
    m_sessions.append(session);
    connect(session, &RuntimeSession::exited, this, &RuntimeProvider::forgetOldSessions);
    return session;
}

void RuntimeProvider::forgetOldSessions()
{
    qsizetype exited = 0;
    for (const RuntimeSession *session : std::as_const(m_sessions)) {
        exited += session->state() == RuntimeSession::State::Exited ? 1 : 0;
    }
    for (auto it = m_sessions.begin(); exited > m_keepExited && it != m_sessions.end();) {
        if ((*it)->state() == RuntimeSession::State::Exited) {
            // Possibly still inside its exited() emission: delete it from the event loop.
            (*it)->deleteLater();
            it = m_sessions.erase(it);
            --exited;
        } else {
            ++it;
        }
    }
}

} // namespace Gestalt
