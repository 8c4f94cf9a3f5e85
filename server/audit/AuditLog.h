// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditEvent.h"
#include "audit/AuditRepository.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <chrono>

namespace Gestalt {

// Where audit events go: one JSON line to the gestalt.audit log category at once, and the
// database in batches: a timer hands the queue (every 200 ms, or at 256 queued events) to a
// writer thread with its own connection, which stores it in one transaction, so neither an
// invocation nor the event loop waits for a write (or for a datastore that is down). A failed
// batch goes back to the front of the queue. flush() and the destructor write on the calling
// thread, after any batch the writer has in hand.
//
// Failed authentications (auth.authenticate, not allowed) are aggregated: one record per client
// address and error for up to a minute, its count saying how many attempts it stands for, so a
// flood of bad credentials adds a row a minute, not a row an attempt. Open records are handed
// to the queue when their minute is over, when 1024 are open, and on flush().
class AuditLog final : public QObject
{
    Q_OBJECT

public:
    AuditLog(AuditRepository &repository, Clock clock, QObject *parent = nullptr);
    ~AuditLog() override;
    Q_DISABLE_COPY_MOVE(AuditLog)

    // Sets time when it is unset, logs, queues.
    void record(AuditEvent event);
    // Writes the queue now (tests, shutdown, the audit route before it reads). Returns false
    // when the write failed (the events are kept for the next try, at most 10000).
    bool flush();
    // Stored events, newest first (AuditRepository::query), after a flush(): the caller's own
    // earlier actions may still be queued. A failed write is logged and retried; the stored
    // events are still worth answering with.
    [[nodiscard]] Result<AuditPage> query(const AuditQuery &query);
    // Events recorded but not yet handed to the writer (or kept after a failed write).
    [[nodiscard]] qsizetype queued() const { return m_queue.size(); }
    // Keeps stored events for `retention` (server.auditRetention): deletes older ones now and
    // then hourly, 1000 per statement with the event loop running between statements.
    // Zero or less: keep everything.
    void setRetention(std::chrono::milliseconds retention);

private:
    void writeInBackground();
    void backgroundWritten(QList<AuditEvent> batch, const Result<void> &result);
    // After a write: warn once when failing, retry slower; note recovery.
    void noteWrite(qsizetype count, const Result<void> &result);
    void trimQueue();
    void enqueue(AuditEvent event);
    // Hands aggregated failed authentications to the queue: those whose minute is over, or all.
    void closeAggregates(bool all);
    void prune();

    AuditRepository &m_repository;
    Clock m_clock;
    QList<AuditEvent> m_queue;
    QTimer m_timer;
    QThread m_writerThread;
    QObject *m_writer;      // lives on m_writerThread; deleted when it finishes
    QMutex m_writeLock;     // held while a batch is written, on either thread
    bool m_writing = false; // a batch is with the writer
    bool m_failing = false; // the last write failed: retry on the slower interval, warn once
    qint64 m_dropped = 0;   // events dropped from a full queue since the last good write
    QHash<QString, AuditEvent> m_failedAuth; // open aggregates by client address and error
    QTimer m_aggregateTimer;
    QTimer m_pruneTimer;
    std::chrono::milliseconds m_retention{0};
    qint64 m_pruned = 0; // deleted in the current pruning run
};

} // namespace Gestalt
