// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditLog.h"

#include "audit/AuditRepository.h"
#include "core/Logging.h"
#include "shared/JsonLine.h"
#include "shared/TimeFormat.h"

#include <QMutexLocker>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int kFlushIntervalMs = 200;
constexpr qsizetype kBatchSize = 256;
constexpr qsizetype kMaxQueued = 10000;
// After a failed write: the datastore is down or busy, so try again less often.
constexpr int kRetryIntervalMs = 5000;
// Failed authentications from one client address with one error: one record per window.
constexpr qint64 kAggregateWindowMs = 60LL * 1000;
constexpr qsizetype kMaxAggregates = 1024;
// Retention: how often the pruning job runs, and how many rows one statement deletes.
constexpr int kPruneIntervalMs = 60 * 60 * 1000;
constexpr int kPruneBatch = 1000;

// The structured log line (gestalt-facts §9.7 field names, in name order), one per event, before
// it is stored. Written on every invocation, so by hand rather than through QJsonObject.
QByteArray logLine(const AuditEvent &event)
{
    JsonLine line;
    line.add("action", event.action)
        .addBool("allowed", event.allowed)
        .add("auth_source", event.authSource)
        .add("client_ip", event.context.clientIp);
    if (event.count > 1) {
        line.add("count", QString::number(event.count));
    }
    if (!event.error.isEmpty()) {
        line.add("error", event.error);
    }
    line.add("event_time", isoUtc(event.time))
        .add("log.type", u"audit")
        .add("remote_addr", event.context.remoteAddr)
        .add("request_id", event.context.requestId)
        .add("source", event.context.source)
        .add("subject_id", event.subjectId)
        .add("subject_kind", event.subjectKind)
        .add("target_id", event.targetId)
        .add("target_kind", event.targetKind)
        .add("target_name", event.targetName)
        .add("user_agent", event.context.userAgent);
    return line.finish();
}

} // namespace

AuditLog::AuditLog(AuditRepository &repository, Clock clock, QObject *parent)
    : QObject(parent)
    , m_repository(repository)
    , m_clock(std::move(clock))
    , m_writer(new QObject)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(kFlushIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &AuditLog::writeInBackground);
    m_aggregateTimer.setInterval(static_cast<int>(kAggregateWindowMs));
    connect(&m_aggregateTimer, &QTimer::timeout, this, [this] { closeAggregates(false); });
    m_pruneTimer.setInterval(kPruneIntervalMs);
    connect(&m_pruneTimer, &QTimer::timeout, this, &AuditLog::prune);
    m_writerThread.setObjectName(u"gestalt-audit-writer"_s);
    m_writer->moveToThread(&m_writerThread);
    connect(&m_writerThread, &QThread::finished, m_writer, &QObject::deleteLater);
    m_writerThread.start();
}

AuditLog::~AuditLog()
{
    m_timer.stop();
    // Let the writer finish a batch it was handed (its answer is not awaited: it was logged).
    QMetaObject::invokeMethod(
        m_writer, [] {}, Qt::BlockingQueuedConnection);
    m_writerThread.quit();
    m_writerThread.wait();
    if (!flush()) {
        qCWarning(lcAudit) << "dropped" << m_queue.size()
                           << "audit events at shutdown: the datastore write failed";
    }
}

void AuditLog::record(AuditEvent event)
{
    if (!event.time.isValid()) {
        event.time = m_clock();
    }
    event.time = event.time.toUTC();
    if (event.action == u"auth.authenticate" && !event.allowed) {
        const QString key = event.context.clientIp + u'\n' + event.error;
        const auto aggregate = m_failedAuth.find(key);
        if (aggregate != m_failedAuth.end()) {
            const qint64 age = aggregate->time.msecsTo(event.time);
            if (age >= 0 && age < kAggregateWindowMs) {
                ++aggregate->count;
                return;
            }
            enqueue(std::move(*aggregate));
            m_failedAuth.erase(aggregate);
        }
        if (m_failedAuth.size() >= kMaxAggregates) {
            closeAggregates(true);
        }
        m_failedAuth.insert(key, event);
        if (!m_aggregateTimer.isActive()) {
            m_aggregateTimer.start();
        }
        return;
    }
    enqueue(std::move(event));
}

void AuditLog::closeAggregates(bool all)
{
    const QDateTime now = m_clock().toUTC();
    for (auto it = m_failedAuth.begin(); it != m_failedAuth.end();) {
        if (all || it->time.msecsTo(now) >= kAggregateWindowMs) {
            enqueue(std::move(*it));
            it = m_failedAuth.erase(it);
        } else {
            ++it;
        }
    }
    if (m_failedAuth.isEmpty()) {
        m_aggregateTimer.stop();
    }
}

void AuditLog::enqueue(AuditEvent event)
{
    qCInfo(lcAudit).noquote() << QString::fromUtf8(logLine(event));
    m_queue.append(std::move(event));
    trimQueue();
    if (m_failing || m_writing) {
        return; // the retry timer runs, or the writer's answer arms the timer
    }
    if (m_queue.size() >= kBatchSize) {
        m_timer.start(0); // soon, but not inside the caller's request
    } else if (!m_timer.isActive()) {
        m_timer.start(kFlushIntervalMs);
    }
}

void AuditLog::trimQueue()
{
    while (m_queue.size() > kMaxQueued) {
        // Only while the datastore keeps failing; every event is still in the log above.
        m_queue.removeFirst();
        if (m_dropped++ == 0) {
            qCWarning(lcAudit) << "audit queue full at" << kMaxQueued
                               << "events: dropping the oldest until the datastore is back";
        }
    }
}

void AuditLog::writeInBackground()
{
    if (m_queue.isEmpty() || m_writing) {
        return;
    }
    m_writing = true;
    QPointer<AuditLog> self(this);
    QMetaObject::invokeMethod(
        m_writer,
        [self,
         repository = &m_repository,
         lock = &m_writeLock,
         batch = std::exchange(m_queue, {})]() mutable {
            // `self` may be gone by the time the answer arrives, never before: the destructor
            // waits for this thread.
            Result<void> result;
            {
                const QMutexLocker locker(lock);
                result = repository->insert(batch);
            }
            QMetaObject::invokeMethod(
                self.data(),
                [self, batch = std::move(batch), result]() mutable {
                    if (self) {
                        self->backgroundWritten(std::move(batch), result);
                    }
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void AuditLog::backgroundWritten(QList<AuditEvent> batch, const Result<void> &result)
{
    m_writing = false;
    const qsizetype written = batch.size();
    if (!result) {
        batch.append(std::move(m_queue)); // older first, as they were recorded
        m_queue = std::move(batch);
        trimQueue();
    }
    noteWrite(result ? written : m_queue.size(), result);
    if (!m_failing && !m_queue.isEmpty() && !m_timer.isActive()) {
        m_timer.start(m_queue.size() >= kBatchSize ? 0 : kFlushIntervalMs);
    }
}

void AuditLog::noteWrite(qsizetype count, const Result<void> &result)
{
    if (!result) {
        if (!m_failing) {
            qCWarning(lcAudit).noquote()
                << "writing" << count
                << "audit events failed; kept for the next try:" << result.error().message;
        }
        m_failing = true;
        m_timer.start(kRetryIntervalMs);
        return;
    }
    if (m_failing) {
        qCInfo(lcAudit) << "audit events are written again;" << m_dropped
                        << "were dropped from the full queue meanwhile";
    }
    m_failing = false;
    m_dropped = 0;
}

void AuditLog::setRetention(std::chrono::milliseconds retention)
{
    m_retention = retention;
    if (m_retention.count() <= 0) {
        m_pruneTimer.stop();
        return;
    }
    m_pruneTimer.start();
    prune();
}

void AuditLog::prune()
{
    if (m_retention.count() <= 0) {
        return;
    }
    const QDateTime before = m_clock().toUTC().addMSecs(-m_retention.count());
    Result<qsizetype> removed = qsizetype(0);
    {
        const QMutexLocker locker(&m_writeLock);
        removed = m_repository.prune(before, kPruneBatch);
    }
    if (!removed) {
        qCWarning(lcAudit).noquote()
            << "pruning audit events failed; next try in an hour:" << removed.error().message;
        m_pruned = 0;
        return;
    }
    m_pruned += *removed;
    if (*removed >= kPruneBatch) {
        QTimer::singleShot(0, this, &AuditLog::prune); // the next batch, after other work
        return;
    }
    if (m_pruned > 0) {
        qCInfo(lcAudit) << "deleted" << m_pruned << "audit events from before"
                        << before.toString(Qt::ISODateWithMs);
    }
    m_pruned = 0;
}

bool AuditLog::flush()
{
    closeAggregates(true);
    // Waits for a batch the writer has in hand; what it did with it is answered later.
    const QMutexLocker locker(&m_writeLock);
    if (m_queue.isEmpty()) {
        return true;
    }
    const Result<void> written = m_repository.insert(m_queue);
    noteWrite(m_queue.size(), written);
    if (!written) {
        return false;
    }
    m_queue.clear();
    if (!m_writing) {
        m_timer.stop();
    }
    return true;
}

Result<AuditPage> AuditLog::query(const AuditQuery &query)
{
    (void)flush();
    return m_repository.query(query);
}

} // namespace Gestalt
