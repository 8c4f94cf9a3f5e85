// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/AgentEventStream.h"

#include "agents/AgentDisplay.h"
#include "agents/AgentRepository.h"
#include "agents/TurnRunner.h"
#include "core/Logging.h"
#include "http/Responder.h"
#include "shared/TimeFormat.h"

#include <QJsonDocument>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QByteArray frame(const QJsonObject &event)
{
    return "data: "_ba + QJsonDocument(event).toJson(QJsonDocument::Compact) + "\n\n"_ba;
}

} // namespace

AgentEventStream::AgentEventStream(AgentRepository &repository,
                                   TurnRunner &runner,
                                   QString turnId,
                                   qint64 after,
                                   Until until,
                                   Settings settings,
                                   std::shared_ptr<StreamWriter> writer,
                                   QObject *parent)
    : QObject(parent)
    , m_repository(repository)
    , m_turnId(std::move(turnId))
    , m_lastSeq(after)
    , m_until(until)
    , m_settings(settings)
    , m_writer(std::move(writer))
    , m_poll(new QTimer(this))
    , m_heartbeat(new QTimer(this))
{
    connect(&runner, &TurnRunner::eventsChanged, this, [this](const QString &changed) {
        if (changed == m_turnId) {
            pump();
        }
    });
    connect(m_poll, &QTimer::timeout, this, &AgentEventStream::pump);
    connect(m_heartbeat, &QTimer::timeout, this, &AgentEventStream::heartbeat);
}

AgentEventStream::~AgentEventStream()
{
    close();
}

void AgentEventStream::start()
{
    m_writer->write(": stream-open\n\n"_ba);
    m_poll->start(int(m_settings.pollInterval.count()));
    m_heartbeat->start(int(m_settings.heartbeat.count()));
    pump();
}

void AgentEventStream::close()
{
    if (std::exchange(m_closed, true)) {
        return;
    }
    m_poll->stop();
    m_heartbeat->stop();
    m_writer->finish();
    deleteLater();
}

void AgentEventStream::heartbeat()
{
    if (!m_closed) {
        m_writer->write(": keepalive\n\n"_ba);
    }
}

void AgentEventStream::pump()
{
    if (m_closed) {
        return;
    }
    if (!m_writer->isConnected()) {
        close(); // the client went away
        return;
    }
    if (m_pumping) {
        m_again = true; // a write below re-entered the event loop: run once more after
        return;
    }
    m_pumping = true;
    bool wrote = false;
    bool failed = false;
    do {
        m_again = false;
        // The status first: an event stored after this read is still sent below, so a turn
        // seen terminal here has nothing after the events read next.
        Result<std::optional<AgentTurn>> turn = m_repository.findTurn(m_turnId);
        for (;;) {
            Result<QList<AgentEvent>> page =
                m_repository.listEvents(m_turnId, m_lastSeq, m_settings.pageSize);
            if (!page || !turn) {
                failed = true;
                break;
            }
            for (const AgentEvent &event : std::as_const(*page)) {
                m_writer->write(frame(event.toJson()));
                m_lastSeq = event.seq;
                wrote = true;
            }
            if (page->size() < m_settings.pageSize) {
                break;
            }
        }
        if (failed) {
            break;
        }
        const AgentTurn::Status status = *turn ? (*turn)->status : AgentTurn::Status::Failed;
        const bool terminal = AgentTurn::isTerminal(status);
        const bool blocked = status == AgentTurn::Status::WaitingForInput;
        if (terminal || (blocked && m_until == Until::BlockedOrTerminal)) {
            m_pumping = false;
            close();
            return;
        }
    } while (m_again && !m_closed);
    m_pumping = false;
    if (failed) {
        qCWarning(lcAgent) << "agent: event stream of turn" << m_turnId << "failed to read";
        const QJsonObject data{{u"message"_s, u"agent event stream failed"_s}};
        m_writer->write(
            "event: error\n"_ba
            + frame(QJsonObject{{u"turnId"_s, m_turnId},
                                {u"type"_s, u"stream.error"_s},
                                {u"source"_s, u"gestaltd"_s},
                                {u"visibility"_s, u"public"_s},
                                {u"data"_s, data},
                                {u"display"_s, AgentDisplay::project(u"turn.failed"_s, data)}}));
        close();
        return;
    }
    if (wrote) {
        m_heartbeat->start(); // idle from now
    }
}

} // namespace Gestalt
