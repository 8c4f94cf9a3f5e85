// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/RunRepository.h"

#include "store/Database.h"
#include "store/Transaction.h"
#include "workflows/StoredJson.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString kColumns =
    u"id, owner_subject_id, provider, status, apps, definition_id, target_json, trigger_json, "
    u"authority_json, steps_json, status_message, result_json, cancel_requested, cancel_reason, "
    u"lease_owner, lease_expires_at, created_at, started_at, completed_at, published_by"_s;
const QString kSelect = u"SELECT "_s + kColumns + u" FROM workflow_runs "_s;
const QString kUnfinished = u"status IN ('pending', 'running')"_s;

QString orEmpty(const QString &text)
{
    return text.isNull() ? u""_s : text;
}

QString appsColumn(const WorkflowTarget &target)
{
    return u","_s + target.apps().join(u',') + u","_s;
}

QJsonArray stepsJson(const QList<WorkflowRunStep> &steps)
{
    QJsonArray array;
    for (const WorkflowRunStep &step : steps) {
        array.append(step.toJson());
    }
    return array;
}

WorkflowRun fromRow(const QSqlQuery &query)
{
    WorkflowRun run;
    run.id = query.value(0).toString();
    run.ownerSubjectId = query.value(1).toString();
    run.provider = query.value(2).toString();
    run.status = query.value(3).toString();
    Result<WorkflowTarget> target = WorkflowTarget::fromJson(StoredJson::object(query.value(6)));
    if (target) {
        run.target = *target;
    }
    run.trigger = StoredJson::object(query.value(7));
    run.authority = WorkflowAuthority::fromJson(StoredJson::object(query.value(8)));
    for (const QJsonValue &step : StoredJson::array(query.value(9))) {
        run.steps.append(WorkflowRunStep::fromJson(step.toObject()));
    }
    run.statusMessage = query.value(10).toString();
    run.result = StoredJson::value(query.value(11));
    run.cancelRequested = query.value(12).toBool();
    run.cancelReason = query.value(13).toString();
    run.leaseOwner = query.value(14).toString();
    run.leaseExpiresAt = SqlDialect::optionalFromStorage(query.value(15));
    run.createdAt = SqlDialect::fromStorage(query.value(16));
    run.startedAt = SqlDialect::optionalFromStorage(query.value(17));
    run.completedAt = SqlDialect::optionalFromStorage(query.value(18));
    run.publishedBy = query.value(19).toString();
    return run;
}

QString encodeToken(const WorkflowRun &run)
{
    const QByteArray raw = QByteArray::number(run.createdAt.toMSecsSinceEpoch()) + ':'
        + run.id.toUtf8();
    return QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<std::pair<qint64, QString>> decodeToken(const QString &token)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        token.toLatin1(),
        QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        return std::nullopt;
    }
    const QByteArray &raw = decoded.decoded;
    const qsizetype colon = raw.indexOf(':');
    bool ok = false;
    const qint64 ms = raw.left(colon).toLongLong(&ok);
    if (colon <= 0 || !ok) {
        return std::nullopt;
    }
    return std::pair(ms, QString::fromUtf8(raw.mid(colon + 1)));
}

// LIKE pattern matching ",<app>," literally.
QString appPattern(const QString &app)
{
    QString escaped = app;
    escaped.replace(u'\\', u"\\\\"_s).replace(u'%', u"\\%"_s).replace(u'_', u"\\_"_s);
    return u"%,"_s + escaped + u",%"_s;
}

} // namespace

RunRepository::RunRepository(Database &database)
    : m_database(database)
{}

Result<void> RunRepository::insert(const WorkflowRun &run)
{
    Transaction transaction(m_database);
    if (Result<void> done = insert(transaction, run); !done) {
        return done;
    }
    return transaction.commit();
}

Result<void> RunRepository::insert(Transaction &transaction, const WorkflowRun &run)
{
    Result<QSqlQuery> query = transaction.prepare(
        u"INSERT INTO workflow_runs ("_s + kColumns
        + u") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    if (!query) {
        return query.error();
    }
    const QVariantList values{run.id,
                              run.ownerSubjectId,
                              orEmpty(run.provider),
                              run.status,
                              appsColumn(run.target),
                              orEmpty(run.trigger.value(u"scheduleId"_s).toString(
                                  run.trigger.value(u"triggerId"_s).toString())),
                              StoredJson::text(run.target.toJson()),
                              StoredJson::text(run.trigger),
                              StoredJson::text(run.authority.toJson()),
                              StoredJson::text(stepsJson(run.steps)),
                              orEmpty(run.statusMessage),
                              StoredJson::valueColumn(run.result),
                              run.cancelRequested,
                              orEmpty(run.cancelReason),
                              orEmpty(run.leaseOwner),
                              SqlDialect::toStorage(run.leaseExpiresAt),
                              SqlDialect::toStorage(run.createdAt),
                              SqlDialect::toStorage(run.startedAt),
                              SqlDialect::toStorage(run.completedAt),
                              orEmpty(run.publishedBy)};
    for (const QVariant &value : values) {
        query->addBindValue(value);
    }
    return transaction.exec(*query, u"insert workflow run"_s);
}

Result<std::optional<WorkflowRun>> RunRepository::find(const QString &id)
{
    Result<QSqlQuery> query = m_database.prepare(kSelect + u"WHERE id = ?"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(id);
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"find workflow run"_s);
    }
    if (!query->next()) {
        return std::optional<WorkflowRun>();
    }
    return std::optional(fromRow(*query));
}

Result<RunPage> RunRepository::list(const RunFilter &filter)
{
    QStringList where;
    QVariantList values;
    if (!filter.ownerSubjectId.isEmpty()) {
        where.append(u"owner_subject_id = ?"_s);
        values.append(filter.ownerSubjectId);
    }
    if (!filter.status.isEmpty()) {
        where.append(u"status = ?"_s);
        values.append(filter.status);
    }
    if (!filter.app.isEmpty()) {
        where.append(u"apps LIKE ? ESCAPE '\\'"_s);
        values.append(appPattern(filter.app));
    }
    if (!filter.pageToken.isEmpty()) {
        const auto token = decodeToken(filter.pageToken);
        if (!token) {
            return Error::invalid(u"invalid pageToken"_s);
        }
        where.append(u"(created_at < ? OR (created_at = ? AND id < ?))"_s);
        values.append(token->first);
        values.append(token->first);
        values.append(token->second);
    }
    Result<QSqlQuery> query = m_database.prepare(
        kSelect + (where.isEmpty() ? QString() : u"WHERE "_s + where.join(u" AND "_s))
        + u" ORDER BY created_at DESC, id DESC LIMIT ?"_s);
    if (!query) {
        return query.error();
    }
    for (const QVariant &value : std::as_const(values)) {
        query->addBindValue(value);
    }
    query->addBindValue(filter.pageSize + 1);
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"list workflow runs"_s);
    }
    RunPage page;
    while (query->next()) {
        page.runs.append(fromRow(*query));
    }
    if (page.runs.size() > filter.pageSize) {
        page.runs.removeLast();
        page.nextPageToken = encodeToken(page.runs.last());
    }
    return page;
}

Result<std::optional<WorkflowRun>> RunRepository::claim(const QString &id, const QString &owner,
                                                        const QDateTime &now,
                                                        const QDateTime &leaseUntil)
{
    Transaction transaction(m_database);
    Result<QSqlQuery> update = transaction.prepare(
        u"UPDATE workflow_runs SET lease_owner = ?, lease_expires_at = ? WHERE id = ? AND "_s
        + kUnfinished + u" AND (lease_owner = '' OR lease_expires_at IS NULL OR lease_expires_at < ?)"_s);
    if (!update) {
        return update.error();
    }
    update->addBindValue(owner);
    update->addBindValue(SqlDialect::toStorage(leaseUntil));
    update->addBindValue(id);
    update->addBindValue(SqlDialect::toStorage(now));
    if (Result<void> done = transaction.exec(*update, u"claim workflow run"_s); !done) {
        return done.error();
    }
    if (update->numRowsAffected() != 1) {
        return std::optional<WorkflowRun>();
    }
    Result<QSqlQuery> read = transaction.prepare(kSelect + u"WHERE id = ?"_s);
    if (!read) {
        return read.error();
    }
    read->addBindValue(id);
    if (Result<void> done = transaction.exec(*read, u"read claimed workflow run"_s); !done) {
        return done.error();
    }
    std::optional<WorkflowRun> run;
    if (read->next()) {
        run = fromRow(*read);
    }
    read->finish();
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return run;
}

Result<QStringList> RunRepository::claimable(const QDateTime &now, int limit)
{
    Result<QSqlQuery> query = m_database.prepare(
        u"SELECT id FROM workflow_runs WHERE "_s + kUnfinished
        + u" AND (lease_owner = '' OR lease_expires_at IS NULL OR lease_expires_at < ?) "
          u"ORDER BY created_at LIMIT ?"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(SqlDialect::toStorage(now));
    query->addBindValue(limit);
    if (!query->exec()) {
        return m_database.dialect().toError(query->lastError(), u"list claimable runs"_s);
    }
    QStringList ids;
    while (query->next()) {
        ids.append(query->value(0).toString());
    }
    return ids;
}

Result<bool> RunRepository::save(const WorkflowRun &run, const QString &owner,
                                 const QDateTime &leaseUntil)
{
    Transaction transaction(m_database);
    Result<QSqlQuery> query = transaction.prepare(
        u"UPDATE workflow_runs SET status = ?, steps_json = ?, status_message = ?, "
        u"result_json = ?, started_at = ?, completed_at = ?, lease_expires_at = ? "
        u"WHERE id = ? AND lease_owner = ?"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(run.status);
    query->addBindValue(StoredJson::text(stepsJson(run.steps)));
    query->addBindValue(orEmpty(run.statusMessage));
    query->addBindValue(StoredJson::valueColumn(run.result));
    query->addBindValue(SqlDialect::toStorage(run.startedAt));
    query->addBindValue(SqlDialect::toStorage(run.completedAt));
    query->addBindValue(SqlDialect::toStorage(leaseUntil));
    query->addBindValue(run.id);
    query->addBindValue(owner);
    if (Result<void> done = transaction.exec(*query, u"save workflow run"_s); !done) {
        return done.error();
    }
    const bool held = query->numRowsAffected() == 1;
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return held;
}

Result<QHash<QString, QString>> RunRepository::renew(const QStringList &ids, const QString &owner,
                                                    const QDateTime &leaseUntil)
{
    QHash<QString, QString> canceled;
    if (ids.isEmpty()) {
        return canceled;
    }
    const QString marks = QStringList(ids.size(), u"?"_s).join(u", "_s);
    Transaction transaction(m_database);
    Result<QSqlQuery> update = transaction.prepare(
        u"UPDATE workflow_runs SET lease_expires_at = ? WHERE lease_owner = ? AND id IN ("_s
        + marks + u')');
    if (!update) {
        return update.error();
    }
    update->addBindValue(SqlDialect::toStorage(leaseUntil));
    update->addBindValue(owner);
    for (const QString &id : ids) {
        update->addBindValue(id);
    }
    if (Result<void> done = transaction.exec(*update, u"renew run leases"_s); !done) {
        return done.error();
    }
    Result<QSqlQuery> read = transaction.prepare(
        u"SELECT id, cancel_reason FROM workflow_runs WHERE cancel_requested = TRUE AND id IN ("_s
        + marks + u')');
    if (!read) {
        return read.error();
    }
    for (const QString &id : ids) {
        read->addBindValue(id);
    }
    if (Result<void> done = transaction.exec(*read, u"read cancel requests"_s); !done) {
        return done.error();
    }
    while (read->next()) {
        canceled.insert(read->value(0).toString(), read->value(1).toString());
    }
    read->finish();
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return canceled;
}

Result<WorkflowRun> RunRepository::requestCancel(const QString &id, const QString &reason,
                                                 const QDateTime &now)
{
    Transaction transaction(m_database);
    Result<QSqlQuery> read = transaction.prepare(kSelect + u"WHERE id = ?"_s);
    if (!read) {
        return read.error();
    }
    read->addBindValue(id);
    if (Result<void> done = transaction.exec(*read, u"read workflow run"_s); !done) {
        return done.error();
    }
    if (!read->next()) {
        return Error::notFound(u"workflow run \"%1\" not found"_s.arg(id));
    }
    WorkflowRun run = fromRow(*read);
    read->finish();
    if (run.isTerminal()) {
        return Error::conflict(u"workflow run \"%1\" is already %2"_s.arg(id, run.status));
    }
    const bool unheld = run.leaseOwner.isEmpty() || !run.leaseExpiresAt || *run.leaseExpiresAt < now;
    run.cancelRequested = true;
    run.cancelReason = reason;
    Result<QSqlQuery> write = transaction.prepare(
        u"UPDATE workflow_runs SET cancel_requested = TRUE, cancel_reason = ?, status = ?, "
        u"status_message = ?, completed_at = ? WHERE id = ?"_s);
    if (!write) {
        return write.error();
    }
    if (unheld && run.status == u"pending") {
        run.status = u"canceled"_s;
        run.statusMessage = reason.isEmpty() ? u"canceled"_s : u"canceled: "_s + reason;
        run.completedAt = now;
        for (WorkflowRunStep &step : run.steps) {
            step.status = u"canceled"_s;
        }
    }
    write->addBindValue(orEmpty(reason));
    write->addBindValue(run.status);
    write->addBindValue(orEmpty(run.statusMessage));
    write->addBindValue(SqlDialect::toStorage(run.completedAt));
    write->addBindValue(id);
    if (Result<void> done = transaction.exec(*write, u"request run cancel"_s); !done) {
        return done.error();
    }
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return run;
}

Result<int> RunRepository::pruneFinished(const QDateTime &before)
{
    Transaction transaction(m_database);
    Result<QSqlQuery> query = transaction.prepare(
        u"DELETE FROM workflow_runs WHERE completed_at IS NOT NULL AND completed_at < ? AND "
        u"status IN ('succeeded', 'failed', 'canceled')"_s);
    if (!query) {
        return query.error();
    }
    query->addBindValue(SqlDialect::toStorage(before));
    if (Result<void> done = transaction.exec(*query, u"prune workflow runs"_s); !done) {
        return done.error();
    }
    const int count = query->numRowsAffected();
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return count;
}

} // namespace Gestalt
