// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditRepository.h"

#include "crypto/Base64.h"
#include "store/Database.h"
#include "store/SqlStatement.h"
#include "store/Transaction.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// A decimal qint64 has at most 19 digits.
constexpr qsizetype kMaxCursorDigits = 19;

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

// The WHERE conditions of a query and their values, in placeholder order.
struct Filter
{
    QStringList conditions;
    QVariantList values;
};

Filter filterFor(const AuditQuery &query, std::optional<qint64> before)
{
    Filter filter;
    QStringList &conditions = filter.conditions;
    QVariantList &values = filter.values;
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
    return filter;
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
    const QString sql =
        u"INSERT INTO audit_events (event_time, request_id, source, auth_source, subject_id, "
        u"subject_kind, action, target_kind, target_id, target_name, allowed, error, client_ip, "
        u"remote_addr, user_agent, event_count) "
        u"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s;
    Transaction transaction(m_database);
    for (const AuditEvent &event : events) {
        const QDateTime time = event.time.isValid() ? event.time : SqlDialect::now();
        const QVariantList values = {
            SqlDialect::toStorage(time),
            Sql::text(event.context.requestId),
            Sql::text(event.context.source),
            Sql::text(event.authSource),
            Sql::text(event.subjectId),
            Sql::text(event.subjectKind),
            Sql::text(event.action),
            Sql::text(event.targetKind),
            Sql::text(event.targetId),
            Sql::text(event.targetName),
            event.allowed,
            Sql::text(event.error),
            Sql::text(event.context.clientIp),
            Sql::text(event.context.remoteAddr),
            Sql::text(event.context.userAgent),
            qMax<qint64>(1, event.count),
        };
        if (const Result<QSqlQuery> done =
                Sql::run(transaction, sql, values, u"insert audit event"_s);
            !done) {
            return done.error();
        }
    }
    return transaction.commit();
}

Result<AuditPage> AuditRepository::query(const AuditQuery &query)
{
    if (query.limit < 1 || query.limit > AuditQuery::MaxLimit) {
        return Error::invalid(u"limit must be between 1 and %1"_s.arg(AuditQuery::MaxLimit));
    }
    std::optional<qint64> before;
    if (!query.cursor.isEmpty()) {
        before = decodeCursor(query.cursor);
        if (!before) {
            return Error::invalid(u"invalid cursor"_s);
        }
    }
    Filter filter = filterFor(query, before);
    // One row more than asked tells whether another page follows.
    filter.values.append(query.limit + 1);

    const QString where = filter.conditions.isEmpty()
                              ? QString()
                              : QString(u"WHERE "_s + filter.conditions.join(u" AND "_s) + u' ');
    Result<QSqlQuery> select = Sql::run(
        m_database,
        u"SELECT id, event_time, request_id, source, auth_source, subject_id, subject_kind, "
        u"action, target_kind, target_id, target_name, allowed, error, client_ip, remote_addr, "
        u"user_agent, event_count FROM audit_events "_s
            + where + u"ORDER BY id DESC LIMIT ?"_s,
        filter.values,
        u"list audit events"_s);
    if (!select) {
        return select.error();
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
        Sql::run(m_database,
                 u"DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events "
                 u"WHERE event_time < ? ORDER BY id LIMIT ?)"_s,
                 {SqlDialect::toStorage(before), qMax(1, batchSize)},
                 u"prune audit events"_s);
    if (!statement) {
        return statement.error();
    }
    const qsizetype removed = statement->numRowsAffected();
    statement->finish();
    return qMax<qsizetype>(0, removed);
}

} // namespace Gestalt
