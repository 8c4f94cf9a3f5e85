// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/Clock.h"
#include "audit/AuditEvent.h"

#include <QList>
#include <QObject>
#include <QTimer>

namespace Gestalt {

class AuditRepository;

// Where audit events go: one JSON line to the gestalt.audit log category at once, and the
// database in batches (a timer flushes every 200 ms or at 256 queued events, in one transaction,
// so an invocation never waits for a write). The destructor flushes what is left.
class AuditLog final : public QObject
{
    Q_OBJECT

public:
    AuditLog(AuditRepository &repository, Clock clock, QObject *parent = nullptr);
    ~AuditLog() override;

    // Sets time when it is unset, logs, queues.
    void record(AuditEvent event);
    // Writes the queue now (tests, shutdown). Returns false when the write failed (the events are
    // kept for the next try, at most 10000).
    bool flush();

private:
    AuditRepository &m_repository;
    Clock m_clock;
    QList<AuditEvent> m_queue;
    QTimer m_timer;
    bool m_failing = false; // the last write failed: retry on the slower interval, warn once
    qint64 m_dropped = 0;   // events dropped from a full queue since the last good write
};

} // namespace Gestalt
