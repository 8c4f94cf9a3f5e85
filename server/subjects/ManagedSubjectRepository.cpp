// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "subjects/ManagedSubjectRepository.h"

#include "core/SubjectId.h"
#include "store/Database.h"
#include "store/SqlStatement.h"
#include "store/Transaction.h"

#include <QSqlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Ids bound per `IN (...)` list; far below either dialect's parameter limit.
constexpr qsizetype kIdsPerQuery = 500;

const QString kSelect = u"SELECT id, kind, display_name, description, created_by_subject_id, "
                        u"created_at, updated_at, deleted_at FROM managed_subjects "_s;

ManagedSubject fromRow(const QSqlQuery &query)
{
    ManagedSubject subject;
    subject.id = query.value(0).toString();
    subject.kind = query.value(1).toString();
    subject.displayName = query.value(2).toString();
    subject.description = query.value(3).toString();
    subject.createdBySubjectId = query.value(4).toString();
    subject.createdAt = SqlDialect::fromStorage(query.value(5));
    subject.updatedAt = SqlDialect::fromStorage(query.value(6));
    subject.deletedAt = SqlDialect::optionalFromStorage(query.value(7));
    return subject;
}

Error notFound()
{
    return Error::notFound(u"managed subject not found"_s);
}

} // namespace

ManagedSubjectRepository::ManagedSubjectRepository(Database &database, Clock clock)
    : m_database(database)
    , m_clock(std::move(clock))
{}

Result<ManagedSubject> ManagedSubjectRepository::create(const ManagedSubject &subject)
{
    if (subject.kind != u"service_account") {
        return Error::invalid(u"managed subject kind must be service_account"_s);
    }
    if (!SubjectId::isValidServiceAccountId(subject.id)) {
        return Error::invalid(u"service account id must be 1 to 128 of [A-Za-z0-9._-]"_s);
    }
    ManagedSubject stored = subject;
    if (stored.displayName.isEmpty()) {
        stored.displayName = stored.id;
    }
    stored.description = Sql::text(stored.description);
    stored.createdBySubjectId = Sql::text(stored.createdBySubjectId);
    stored.createdAt = SqlDialect::stored(m_clock());
    stored.updatedAt = stored.createdAt;
    stored.deletedAt.reset();

    // The primary key covers deleted rows too, so an id is never handed out twice.
    const Result<QSqlQuery> inserted =
        Sql::run(m_database,
                 u"INSERT INTO managed_subjects (id, kind, display_name, description, "
                 u"created_by_subject_id, created_at, updated_at, deleted_at) "
                 u"VALUES (?, ?, ?, ?, ?, ?, ?, NULL)"_s,
                 {stored.id,
                  stored.kind,
                  stored.displayName,
                  stored.description,
                  stored.createdBySubjectId,
                  SqlDialect::toStorage(stored.createdAt),
                  SqlDialect::toStorage(stored.updatedAt)},
                 u"insert managed subject"_s);
    if (!inserted) {
        if (inserted.error().code == ErrorCode::Conflict) {
            return Error::conflict(u"managed subject already exists"_s);
        }
        return inserted.error();
    }
    return stored;
}

Result<std::optional<ManagedSubject>> ManagedSubjectRepository::find(const QString &id)
{
    return Sql::first(Sql::run(m_database,
                               kSelect + u"WHERE id = ? AND deleted_at IS NULL"_s,
                               {id},
                               u"find managed subject"_s),
                      fromRow);
}

Result<QList<ManagedSubject>> ManagedSubjectRepository::list(const std::optional<QStringList> &ids)
{
    QList<QStringList> batches;
    if (!ids) {
        batches.append(QStringList()); // no id filter
    } else {
        QStringList unique = *ids;
        unique.removeDuplicates();
        for (qsizetype i = 0; i < unique.size(); i += kIdsPerQuery) {
            batches.append(unique.mid(i, kIdsPerQuery));
        }
    }
    QList<ManagedSubject> subjects;
    for (const QStringList &batch : std::as_const(batches)) {
        QString sql = kSelect + u"WHERE deleted_at IS NULL"_s;
        if (ids) {
            QStringList marks(batch.size(), u"?"_s);
            sql += u" AND id IN ("_s + marks.join(u", "_s) + u')';
        }
        QVariantList values;
        values.reserve(batch.size());
        for (const QString &id : batch) {
            values.append(id);
        }
        Result<QSqlQuery> query =
            Sql::run(m_database, sql + u" ORDER BY id"_s, values, u"list managed subjects"_s);
        if (!query) {
            return query.error();
        }
        while (query->next()) {
            subjects.append(fromRow(*query));
        }
    }
    if (batches.size() > 1) {
        // Same order as the database's (bytewise; ids are ASCII).
        std::sort(subjects.begin(),
                  subjects.end(),
                  [](const ManagedSubject &a, const ManagedSubject &b) { return a.id < b.id; });
    }
    return subjects;
}

Result<ManagedSubject> ManagedSubjectRepository::update(const QString &id,
                                                        const std::optional<QString> &displayName,
                                                        const std::optional<QString> &description)
{
    QString sets = u"updated_at = ?"_s;
    QVariantList values = {SqlDialect::toStorage(m_clock())};
    if (displayName) {
        sets += u", display_name = ?"_s;
        values.append(displayName->isEmpty() ? id : *displayName);
    }
    if (description) {
        sets += u", description = ?"_s;
        values.append(Sql::text(*description));
    }
    Transaction transaction(m_database);
    values.append(id);
    const Result<QSqlQuery> write = Sql::run(transaction,
                                             u"UPDATE managed_subjects SET "_s + sets
                                                 + u" WHERE id = ? AND deleted_at IS NULL"_s,
                                             values,
                                             u"update managed subject"_s);
    if (!write) {
        return write.error();
    }
    if (write->numRowsAffected() < 1) {
        return notFound();
    }
    Result<QSqlQuery> read =
        Sql::run(transaction, kSelect + u"WHERE id = ?"_s, {id}, u"read managed subject"_s);
    if (!read) {
        return read.error();
    }
    if (!read->next()) {
        return notFound();
    }
    ManagedSubject subject = fromRow(*read);
    read->finish();
    if (const Result<void> committed = transaction.commit(); !committed) {
        return committed.error();
    }
    return subject;
}

Result<bool> ManagedSubjectRepository::softDelete(const QString &id)
{
    const QVariant now = SqlDialect::toStorage(m_clock());
    const Result<QSqlQuery> query =
        Sql::run(m_database,
                 u"UPDATE managed_subjects SET deleted_at = ?, updated_at = ? "
                 u"WHERE id = ? AND deleted_at IS NULL"_s,
                 {now, now, id},
                 u"delete managed subject"_s);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected() > 0;
}

} // namespace Gestalt
