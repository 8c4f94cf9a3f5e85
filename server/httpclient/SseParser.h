// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <optional>

namespace Gestalt {

// An incremental text/event-stream parser (the WHATWG "server-sent events" interpretation rules):
// feed it bytes as they arrive, in chunks cut anywhere (inside a line, between CR and LF), and it
// returns the events completed so far. Lines end with CRLF, LF or CR; a leading UTF-8 BOM is
// skipped; ":" lines are comments; fields are `event`, `data` (lines joined with LF), `id` (kept
// as the last event id, also for later events) and `retry` (digits only); others are ignored. An
// empty line dispatches the event unless no data line was seen. Bytes after the last empty line
// are an unfinished event, dropped at the end of the stream (simply stop feeding).
class SseParser final
{
public:
    struct Event
    {
        QByteArray type = QByteArrayLiteral("message"); // `event:`, "message" when absent
        QByteArray data;
        QByteArray id; // the last event id when the event was dispatched (may be empty)
    };

    // maxEventBytes bounds one unfinished line plus the data gathered for one event; beyond it the
    // parser stops (overflowed()) and returns no more events.
    explicit SseParser(qsizetype maxEventBytes = qsizetype{64} * 1024 * 1024);

    [[nodiscard]] QList<Event> feed(QByteArrayView bytes);

    [[nodiscard]] bool overflowed() const { return m_overflowed; }
    // The last `id:` seen (what a reconnect sends as Last-Event-ID), empty when none.
    [[nodiscard]] const QByteArray &lastEventId() const { return m_lastEventId; }
    // The last valid `retry:` in milliseconds.
    [[nodiscard]] std::optional<qint64> retryMs() const { return m_retryMs; }

private:
    void processLine(QByteArrayView line, QList<Event> &out);

    qsizetype m_maxEventBytes;
    QByteArray m_line;
    QByteArray m_data;
    QByteArray m_type;
    QByteArray m_lastEventId;
    std::optional<qint64> m_retryMs;
    bool m_afterCr = false; // the previous chunk ended with CR: skip a leading LF
    bool m_started = false; // past the (optional) BOM
    bool m_overflowed = false;
};

} // namespace Gestalt
