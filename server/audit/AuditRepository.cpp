// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditRepository.h"

#include "crypto/Base64.h"
#include "store/Database.h"
#include "store/Transaction.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int kMinLimit = 1;
constexpr int kMaxLimit = 1000;
// A decimal qint64 has at most 19 digits.
constexpr qsizetype kMaxCursorDigits = 19;

// QtSql binds a null QString as NULL; these columns are NOT NULL and take '' instead.
QString orEmpty(const QString &text)
{
    return text.isNull() ? u""_s : text;
}

// The cursor is the last id of a page as base64url decimal digits: opaque to callers, and easy to
// check strictly (anything else is 400, not a silently different page).
QString encodeCursor(qint64 id)
{
    return Crypto::base64UrlEncode(QByteArray::number(id));
}

std::optional<qint64> decodeCursor(const QString &cursor)
{
    const std::optional<QByteArray> bytes = Crypto::base64UrlDecode(cursor);
    if (!bytes || bytes->isEmpty() || bytes->size() > kMaxCursorDigits) {
        return std::nullopt;
    }
    for (const char c : *bytes) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
    }
    bool ok = false;
    const qint64 id = bytes->toLongLong(&ok);
    if (!ok || id <= 0 || QByteArray::number(id) != *bytes) {
        return std::nullopt; // also refuses leading zeros: one spelling per cursor
    }
    return id;
}

AuditEvent fromRow(const QSqlQuery &row)
{
    AuditEvent event;
    event.id = row.value(0).toLongLong();
    event.time = SqlDialect::fromStorage(row.value(1));
    event.context.requestId = row.value(2).toString();
    event.context.source = row.value(3).toString();
    event.authSource = row.value(4).toString();
    event.subjectId = row.value(5).toString();
    event.subjectKind = row.value(6).toString();
    event.action = row.value(7).toString();
    event.targetKind = row.value(8).toString();
    event.targetId = row.value(9).toString();
    event.targetName = row.value(10).toString();
    event.allowed = row.value(11).toBool();
    event.error = row.value(12).toString();
    event.context.clientIp = row.value(13).toString();
    event.context.remoteAddr = row.value(14).toString();
    event.context.userAgent = row.value(15).toString();
    event.count = qMax<qint64>(1, row.value(16).toLongLong());
    return event;
}

} // namespace

AuditRepository::AuditRepository(Database &database)
    : m_database(database)
{}

Result<void> AuditRepository::insert(const QList<AuditEvent> &events)
{
    if (events.isEmpty()) {
        return {};
    }
    Transaction transaction(m_database);
    Result<QSqlQuery> query = transaction.prepare(
        u"INSERT INTO audit_events (event_time, request_id, source, auth_source, subject_id, "
        u"subject_kind, action, target_kind, target_id, target_name, allowed, error, client_ip, "
        u"remote_addr, user_agent, event_count) "
        u"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    if (!query) {
        return query.error();
    }
    for (const AuditEvent &event : events) {
        const QDateTime time = event.time.isValid() ? event.time : SqlDialect::now();
        const QVariantList values = {
            SqlDialect::toStorage(time),
            orEmpty(event.context.requestId),
            orEmpty(event.context.source),
            orEmpty(event.authSource),
            orEmpty(event.subjectId),
            orEmpty(event.subjectKind),
            orEmpty(event.action),
            orEmpty(event.targetKind),
            orEmpty(event.targetId),
            orEmpty(event.targetName),
            event.allowed,
            orEmpty(event.error),
            orEmpty(event.context.clientIp),
            orEmpty(event.context.remoteAddr),
            orEmpty(event.context.userAgent),
            qMax<qint64>(1, event.count),
        };
        for (qsizetype i = 0; i < values.size(); ++i) {
            query->bindValue(static_cast<int>(i), values.at(i));
        }
        if (Result<void> done = transaction.exec(*query, u"insert audit event"_s); !done) {
            return done.error();
        }
    }
    return transaction.commit();
}

Result<AuditPage> AuditRepository::query(const AuditQuery &query)
{
    if (query.limit < kMinLimit || query.limit > kMaxLimit) {
        return Error::invalid(u"limit must be between %1 and %2"_s.arg(kMinLimit).arg(kMaxLimit));
    }
    std::optional<qint64> before;
    if (!query.cursor.isEmpty()) {
        before = decodeCursor(query.cursor);
        if (!before) {
            return Error::invalid(u"invalid cursor"_s);
        }
    }

    QStringList conditions;
    QVariantList values;
    if (!query.actor.isEmpty()) {
        conditions.append(u"subject_id = ?"_s);
        values.append(query.actor);
    }
    if (query.action.endsWith(u'*')) {
        // A prefix compared as is: no LIKE (its wildcards and SQLite's case folding would widen
        // the match) and no range (PostgreSQL compares text in the database's collation).
        const QString prefix = query.action.chopped(1);
        if (!prefix.isEmpty()) {
            conditions.append(u"substr(action, 1, ?) = ?"_s);
            values.append(static_cast<int>(prefix.toUcs4().size())); // characters, as SQL counts
            values.append(prefix);
        }
    } else if (!query.action.isEmpty()) {
        conditions.append(u"action = ?"_s);
        values.append(query.action);
    }
    if (!query.resource.isEmpty()) {
        conditions.append(u"(target_id = ? OR target_name = ?)"_s);
        values.append(query.resource);
        values.append(query.resource);
    }
    if (query.since) {
        conditions.append(u"event_time >= ?"_s);
        values.append(SqlDialect::toStorage(*query.since));
    }
    if (query.until) {
        conditions.append(u"event_time < ?"_s);
        values.append(SqlDialect::toStorage(*query.until));
    }
    if (before) {
        conditions.append(u"id < ?"_s);
        values.append(*before);
    }
    // One row more than asked tells whether another page follows.
    values.append(query.limit + 1);

    const QString where = conditions.isEmpty()
                              ? QString()
                              : QString(u"WHERE "_s + conditions.join(u" AND "_s) + u' ');
    Result<QSqlQuery> select = m_database.prepare(
        u"SELECT id, event_time, request_id, source, auth_source, subject_id, subject_kind, "
        u"action, target_kind, target_id, target_name, allowed, error, client_ip, remote_addr, "
        u"user_agent, event_count FROM audit_events "_s
        + where + u"ORDER BY id DESC LIMIT ?"_s);
    if (!select) {
        return select.error();
    }
    for (qsizetype i = 0; i < values.size(); ++i) {
        select->bindValue(static_cast<int>(i), values.at(i));
    }
    if (!select->exec()) {
        return m_database.dialect().toError(select->lastError(), u"list audit events"_s);
    }
    AuditPage page;
    bool more = false;
    while (select->next()) {
        if (page.events.size() == query.limit) {
            more = true;
            break;
        }
        page.events.append(fromRow(*select));
    }
    select->finish();
    if (more) {
        page.nextCursor = encodeCursor(page.events.constLast().id);
    }
    return page;
}

Result<qsizetype> AuditRepository::prune(const QDateTime &before, int batchSize)
{
    Result<QSqlQuery> statement =
        m_database.prepare(u"DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events "
                           u"WHERE event_time < ? ORDER BY id LIMIT ?)"_s);
    if (!statement) {
        return statement.error();
    }
    statement->bindValue(0, SqlDialect::toStorage(before));
    statement->bindValue(1, qMax(1, batchSize));
    if (!statement->exec()) {
        return m_database.dialect().toError(statement->lastError(), u"prune audit events"_s);
    }
    const qsizetype removed = statement->numRowsAffected();
    statement->finish();
    return qMax<qsizetype>(0, removed);
}

} // namespace Gestalt
