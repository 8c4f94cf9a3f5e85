// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/RunRepository.h"

#include "store/Database.h"
#include "store/SqlStatement.h"
#include "store/StoredEnum.h"
#include "store/StoredJson.h"
#include "store/Transaction.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString kRunColumns =
    u"id, owner_subject_id, provider, status, apps, definition_id, target_json, trigger_json, "
    u"authority_json, steps_json, status_message, result_json, cancel_requested, cancel_reason, "
    u"lease_owner, lease_expires_at, created_at, started_at, completed_at, published_by"_s;
const QString kSelectRuns = u"SELECT "_s + kRunColumns + u" FROM workflow_runs "_s;
// The statuses of runs still to finish, and of finished ones, as stored (name()).
const QString kUnfinished = u"status IN ('%1', '%2')"_s.arg(name(WorkflowRun::Status::Pending),
                                                            name(WorkflowRun::Status::Running));
const QString kFinished =
    u"status IN ('%1', '%2', '%3')"_s.arg(name(WorkflowRun::Status::Succeeded),
                                          name(WorkflowRun::Status::Failed),
                                          name(WorkflowRun::Status::Canceled));

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

WorkflowRun runFromRow(const QSqlQuery &query)
{
    WorkflowRun run;
    run.id = query.value(0).toString();
    run.ownerSubjectId = query.value(1).toString();
    run.provider = query.value(2).toString();
    Result<WorkflowTarget> target = WorkflowTarget::fromJson(StoredJson::object(query.value(6)));
    if (target) {
        run.target = *target;
    }
    run.trigger = StoredJson::object(query.value(7));
    run.authority = WorkflowAuthority::fromJson(StoredJson::object(query.value(8)));
    for (const auto &step : StoredJson::array(query.value(9))) {
        run.steps.append(WorkflowRunStep::fromJson(step.toObject()));
    }
    run.statusMessage = query.value(10).toString();
    // An unknown status reads as failed, so the run is final here and never executed.
    const QString status = query.value(3).toString();
    run.status = StoredEnum::read(parseRunStatus(status),
                                  status,
                                  WorkflowRun::Status::Failed,
                                  u"workflow run "_s + run.id,
                                  &run.statusMessage);
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
    const QByteArray raw =
        QByteArray::number(run.createdAt.toMSecsSinceEpoch()) + ':' + run.id.toUtf8();
    return QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<std::pair<qint64, QString>> decodeToken(const QString &token)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        token.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
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
    const QVariantList values{
        run.id,
        run.ownerSubjectId,
        Sql::text(run.provider),
        name(run.status),
        appsColumn(run.target),
        Sql::text(run.trigger.value(u"scheduleId"_s)
                      .toString(run.trigger.value(u"triggerId"_s).toString())),
        StoredJson::text(run.target.toJson()),
        StoredJson::text(run.trigger),
        StoredJson::text(run.authority.toJson()),
        StoredJson::text(stepsJson(run.steps)),
        Sql::text(run.statusMessage),
        StoredJson::valueColumn(run.result),
        run.cancelRequested,
        Sql::text(run.cancelReason),
        Sql::text(run.leaseOwner),
        SqlDialect::toStorage(run.leaseExpiresAt),
        SqlDialect::toStorage(run.createdAt),
        SqlDialect::toStorage(run.startedAt),
        SqlDialect::toStorage(run.completedAt),
        Sql::text(run.publishedBy)};
    Result<QSqlQuery> query =
        Sql::run(transaction,
                 u"INSERT INTO workflow_runs ("_s + kRunColumns
                     + u") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                 values,
                 u"insert workflow run"_s);
    if (!query) {
        return query.error();
    }
    return {};
}

Result<std::optional<WorkflowRun>> RunRepository::find(const QString &id)
{
    return Sql::first(
        Sql::run(m_database, kSelectRuns + u"WHERE id = ?"_s, {id}, u"find workflow run"_s),
        runFromRow);
}

Result<RunPage> RunRepository::list(const RunFilter &filter)
{
    QStringList where;
    QVariantList values;
    if (!filter.ownerSubjectId.isEmpty()) {
        where.append(u"owner_subject_id = ?"_s);
        values.append(filter.ownerSubjectId);
    }
    if (filter.status) {
        where.append(u"status = ?"_s);
        values.append(name(*filter.status));
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
    values.append(filter.pageSize + 1);
    Result<QSqlQuery> query =
        Sql::run(m_database,
                 kSelectRuns + (where.isEmpty() ? QString() : u"WHERE "_s + where.join(u" AND "_s))
                     + u" ORDER BY created_at DESC, id DESC LIMIT ?"_s,
                 values,
                 u"list workflow runs"_s);
    if (!query) {
        return query.error();
    }
    RunPage page;
    while (query->next()) {
        page.runs.append(runFromRow(*query));
    }
    if (page.runs.size() > filter.pageSize) {
        page.runs.removeLast();
        page.nextPageToken = encodeToken(page.runs.last());
    }
    return page;
}

Result<std::optional<WorkflowRun>> RunRepository::claim(const QString &id,
                                                        const QString &owner,
                                                        const QDateTime &now,
                                                        const QDateTime &leaseUntil)
{
    Transaction transaction(m_database);
    Result<QSqlQuery> update = Sql::run(
        transaction,
        u"UPDATE workflow_runs SET lease_owner = ?, lease_expires_at = ? WHERE id = ? AND "_s
            + kUnfinished
            + u" AND (lease_owner = '' OR lease_expires_at IS NULL OR lease_expires_at < ?)"_s,
        {owner, SqlDialect::toStorage(leaseUntil), id, SqlDialect::toStorage(now)},
        u"claim workflow run"_s);
    if (!update) {
        return update.error();
    }
    if (update->numRowsAffected() != 1) {
        return std::optional<WorkflowRun>();
    }
    Result<QSqlQuery> read = Sql::run(
        transaction, kSelectRuns + u"WHERE id = ?"_s, {id}, u"read claimed workflow run"_s);
    if (!read) {
        return read.error();
    }
    std::optional<WorkflowRun> run;
    if (read->next()) {
        run = runFromRow(*read);
    }
    read->finish();
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return run;
}

Result<QStringList> RunRepository::claimable(const QDateTime &now, int limit)
{
    return Sql::all(
        Sql::run(m_database,
                 u"SELECT id FROM workflow_runs WHERE "_s + kUnfinished
                     + u" AND (lease_owner = '' OR lease_expires_at IS NULL OR lease_expires_at < "
                       u"?) ORDER BY created_at LIMIT ?"_s,
                 {SqlDialect::toStorage(now), limit},
                 u"list claimable runs"_s),
        Sql::firstColumnText);
}

Result<bool>
RunRepository::save(const WorkflowRun &run, const QString &owner, const QDateTime &leaseUntil)
{
    Transaction transaction(m_database);
    Result<QSqlQuery> query =
        Sql::run(transaction,
                 u"UPDATE workflow_runs SET status = ?, steps_json = ?, status_message = ?, "
                 u"result_json = ?, started_at = ?, completed_at = ?, lease_expires_at = ? "
                 u"WHERE id = ? AND lease_owner = ?"_s,
                 {name(run.status),
                  StoredJson::text(stepsJson(run.steps)),
                  Sql::text(run.statusMessage),
                  StoredJson::valueColumn(run.result),
                  SqlDialect::toStorage(run.startedAt),
                  SqlDialect::toStorage(run.completedAt),
                  SqlDialect::toStorage(leaseUntil),
                  run.id,
                  owner},
                 u"save workflow run"_s);
    if (!query) {
        return query.error();
    }
    const bool held = query->numRowsAffected() == 1;
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return held;
}

Result<QHash<QString, QString>>
RunRepository::renew(const QStringList &ids, const QString &owner, const QDateTime &leaseUntil)
{
    QHash<QString, QString> canceled;
    if (ids.isEmpty()) {
        return canceled;
    }
    const QString marks = QStringList(ids.size(), u"?"_s).join(u", "_s);
    QVariantList idValues;
    idValues.reserve(ids.size());
    for (const QString &id : ids) {
        idValues.append(id);
    }
    Transaction transaction(m_database);
    Result<QSqlQuery> update = Sql::run(
        transaction,
        u"UPDATE workflow_runs SET lease_expires_at = ? WHERE lease_owner = ? AND id IN ("_s + marks
            + u')',
        QVariantList{SqlDialect::toStorage(leaseUntil), owner} + idValues,
        u"renew run leases"_s);
    if (!update) {
        return update.error();
    }
    Result<QSqlQuery> read = Sql::run(
        transaction,
        u"SELECT id, cancel_reason FROM workflow_runs WHERE cancel_requested = TRUE AND id IN ("_s
            + marks + u')',
        idValues,
        u"read cancel requests"_s);
    if (!read) {
        return read.error();
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

Result<WorkflowRun>
RunRepository::requestCancel(const QString &id, const QString &reason, const QDateTime &now)
{
    Transaction transaction(m_database);
    Result<QSqlQuery> read =
        Sql::run(transaction, kSelectRuns + u"WHERE id = ?"_s, {id}, u"read workflow run"_s);
    if (!read) {
        return read.error();
    }
    if (!read->next()) {
        return Error::notFound(u"workflow run \"%1\" not found"_s.arg(id));
    }
    WorkflowRun run = runFromRow(*read);
    read->finish();
    if (run.isTerminal()) {
        return Error::conflict(u"workflow run \"%1\" is already %2"_s.arg(id, name(run.status)));
    }
    const bool unheld =
        run.leaseOwner.isEmpty() || !run.leaseExpiresAt || *run.leaseExpiresAt < now;
    run.cancelRequested = true;
    run.cancelReason = reason;
    if (unheld && run.status == WorkflowRun::Status::Pending) {
        run.status = WorkflowRun::Status::Canceled;
        run.statusMessage = reason.isEmpty() ? u"canceled"_s : u"canceled: "_s + reason;
        run.completedAt = now;
        for (WorkflowRunStep &step : run.steps) {
            step.status = WorkflowRunStep::Status::Canceled;
        }
    }
    Result<QSqlQuery> write = Sql::run(
        transaction,
        u"UPDATE workflow_runs SET cancel_requested = TRUE, cancel_reason = ?, status = ?, "
        u"status_message = ?, completed_at = ? WHERE id = ?"_s,
        {Sql::text(reason),
         name(run.status),
         Sql::text(run.statusMessage),
         SqlDialect::toStorage(run.completedAt),
         id},
        u"request run cancel"_s);
    if (!write) {
        return write.error();
    }
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return run;
}

Result<int> RunRepository::pruneFinished(const QDateTime &before)
{
    Transaction transaction(m_database);
    Result<QSqlQuery> query = Sql::run(
        transaction,
        u"DELETE FROM workflow_runs WHERE completed_at IS NOT NULL AND completed_at < ? AND "_s
            + kFinished,
        {SqlDialect::toStorage(before)},
        u"prune workflow runs"_s);
    if (!query) {
        return query.error();
    }
    const int count = query->numRowsAffected();
    if (Result<void> done = transaction.commit(); !done) {
        return done.error();
    }
    return count;
}

} // namespace Gestalt
