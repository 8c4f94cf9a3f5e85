// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/SseParser.h"

#include <algorithm>

namespace Gestalt {

namespace {

constexpr QByteArrayView kBom("\xEF\xBB\xBF");

bool allDigits(QByteArrayView value)
{
    return !value.isEmpty()
           && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

SseParser::SseParser(qsizetype maxEventBytes)
    : m_maxEventBytes(maxEventBytes)
{}

QList<SseParser::Event> SseParser::feed(QByteArrayView bytes)
{
    QList<Event> events;
    if (m_overflowed || bytes.isEmpty()) {
        return events;
    }
    qsizetype pos = 0;
    if (m_afterCr) {
        m_afterCr = false;
        if (bytes.front() == '\n') {
            pos = 1; // the LF of a CRLF cut between two chunks
        }
    }
    const qsizetype size = bytes.size();
    while (pos < size) {
        qsizetype end = pos;
        while (end < size && bytes[end] != '\n' && bytes[end] != '\r') {
            ++end;
        }
        if (end == size) {
            m_line.append(bytes.sliced(pos));
            break;
        }
        if (m_line.isEmpty()) {
            processLine(bytes.sliced(pos, end - pos), events);
        } else {
            m_line.append(bytes.sliced(pos, end - pos));
            processLine(m_line, events);
            m_line.clear();
        }
        if (m_overflowed) {
            return events;
        }
        if (bytes[end] == '\r') {
            if (end + 1 == size) {
                m_afterCr = true;
            } else if (bytes[end + 1] == '\n') {
                ++end;
            }
        }
        pos = end + 1;
    }
    if (m_line.size() + m_data.size() > m_maxEventBytes) {
        m_overflowed = true;
        m_line.clear();
        m_data.clear();
    }
    return events;
}

void SseParser::processLine(QByteArrayView line, QList<Event> &out)
{
    if (!m_started) {
        m_started = true;
        if (line.startsWith(kBom)) {
            line = line.sliced(kBom.size());
        }
    }
    if (line.isEmpty()) {
        if (!m_data.isEmpty()) {
            m_data.chop(1); // the LF after the last data line
            Event event;
            if (!m_type.isEmpty()) {
                event.type = m_type;
            }
            event.data = std::move(m_data);
            event.id = m_lastEventId;
            out.append(std::move(event));
        }
        m_data.clear();
        m_type.clear();
        return;
    }
    if (line.front() == ':') {
        return; // a comment (keep-alive)
    }
    const qsizetype colon = line.indexOf(':');
    QByteArrayView field = line;
    QByteArrayView value;
    if (colon >= 0) {
        field = line.first(colon);
        value = line.sliced(colon + 1);
        if (value.startsWith(' ')) {
            value = value.sliced(1);
        }
    }
    if (field == "data") {
        m_data.append(value);
        m_data.append('\n');
        if (m_data.size() > m_maxEventBytes) {
            m_overflowed = true;
            m_data.clear();
        }
    } else if (field == "event") {
        m_type = value.toByteArray();
    } else if (field == "id") {
        if (!value.contains('\0')) {
            m_lastEventId = value.toByteArray();
        }
    } else if (field == "retry") {
        if (allDigits(value) && value.size() <= 12) {
            m_retryMs = value.toByteArray().toLongLong();
        }
    }
}

} // namespace Gestalt
