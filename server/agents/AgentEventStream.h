// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Clock.h"

#include <QObject>
#include <QString>

#include <chrono>
#include <memory>

class QTimer;

namespace Gestalt {

class AgentRepository;
class StreamWriter;
class TurnRunner;

// One GET /api/v1/agent/turns/{id}/events/stream: server-sent events, `data: <event JSON>` per
// event (gestalt-facts §7). Events of turns running on this replica go out as they are stored
// (TurnRunner::eventsChanged); a turn running elsewhere is read from the database every
// pollInterval. An idle stream sends `: keepalive` comments. The stream ends, after sending every
// stored event, once the turn is terminal (until=terminal) or also waiting for input
// (until=blocked_or_terminal); or when the client goes away (seen on the next poll), or at
// shutdown. Deletes itself when done.
class AgentEventStream final : public QObject
{
    Q_OBJECT

public:
    enum class Until {
        Terminal,
        BlockedOrTerminal,
    };

    struct Settings
    {
        std::chrono::milliseconds pollInterval = std::chrono::seconds(1);
        std::chrono::milliseconds heartbeat = std::chrono::seconds(15);
        int pageSize = 100;
    };

    AgentEventStream(AgentRepository &repository,
                     TurnRunner &runner,
                     QString turnId,
                     qint64 after,
                     Until until,
                     Settings settings,
                     std::shared_ptr<StreamWriter> writer,
                     QObject *parent = nullptr);
    ~AgentEventStream() override;
    Q_DISABLE_COPY_MOVE(AgentEventStream)

    // Sends what is stored so far and starts following the turn.
    void start();
    // Ends the stream now (shutdown).
    void close();

private:
    void pump();
    void heartbeat();

    AgentRepository &m_repository;
    QString m_turnId;
    qint64 m_lastSeq;
    Until m_until;
    Settings m_settings;
    std::shared_ptr<StreamWriter> m_writer;
    QTimer *m_poll;      // child
    QTimer *m_heartbeat; // child
    bool m_pumping = false;
    bool m_again = false;
    bool m_closed = false;
};

} // namespace Gestalt
