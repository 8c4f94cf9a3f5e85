// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The statuses and states of workflows and agents: each enum's one name table (every value
// round-trips, the names are the stored and wire strings), and a stored value this build does not
// know (a newer replica's, a corrupt row), written straight into the table, reads as a final
// status instead of crashing or being run: on SQLite and PostgreSQL.
#include "agents/AgentRecords.h"
#include "agents/AgentRepository.h"
#include "store/Database.h"
#include "store/SqlStatement.h"
#include "support/TestDatabase.h"
#include "workflows/RunRepository.h"
#include "workflows/WorkflowRecords.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using Gestalt::Test::TestDatabase;

namespace {

template<typename E, typename Parse>
QStringList roundTrip(std::initializer_list<E> values, Parse parse)
{
    QStringList names;
    for (E value : values) {
        const QString text = name(value);
        names << text;
        const std::optional<E> back = parse(text);
        if (!back || *back != value) {
            return {u"no round trip for "_s + text};
        }
    }
    return names;
}

} // namespace

class tst_Statuses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();
    void cleanup();
    void cleanupTestCase() { TestDatabase::dropAll(); }

    void everyValueHasItsStoredName();
    void unknownTextParsesToNothing();
    void unknownStepStatusInStepsJsonReadsAsFailed();

    void unknownRunStatusReadsAsFailedAndIsNotClaimable();
    void knownRunStatusFilterStillMatches();
    void unknownAgentValuesReadAsFinal();

private:
    [[nodiscard]] bool
    setColumn(const QString &table, const QString &column, const QString &value, const QString &id);

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_database;
};

void tst_Statuses::everyValueHasItsStoredName()
{
    using Run = WorkflowRun::Status;
    QCOMPARE(roundTrip({Run::Pending, Run::Running, Run::Succeeded, Run::Failed, Run::Canceled},
                       parseRunStatus),
             (QStringList{u"pending"_s, u"running"_s, u"succeeded"_s, u"failed"_s, u"canceled"_s}));
    QCOMPARE(runStatusNames(), u"pending, running, succeeded, failed, canceled"_s);
    using Step = WorkflowRunStep::Status;
    QCOMPARE(
        roundTrip({Step::Pending,
                   Step::Running,
                   Step::Succeeded,
                   Step::Failed,
                   Step::Canceled,
                   Step::Skipped},
                  parseStepStatus),
        (QStringList{
            u"pending"_s, u"running"_s, u"succeeded"_s, u"failed"_s, u"canceled"_s, u"skipped"_s}));
    using Turn = AgentTurn::Status;
    QCOMPARE(roundTrip({Turn::Pending,
                        Turn::Running,
                        Turn::WaitingForInput,
                        Turn::Succeeded,
                        Turn::Failed,
                        Turn::Canceled},
                       parseTurnStatus),
             (QStringList{u"pending"_s,
                          u"running"_s,
                          u"waiting_for_input"_s,
                          u"succeeded"_s,
                          u"failed"_s,
                          u"canceled"_s}));
    QCOMPARE(turnStatusNames(),
             u"pending, running, waiting_for_input, succeeded, failed, canceled"_s);
    using Session = AgentSession::State;
    QCOMPARE(roundTrip({Session::Active, Session::Archived}, parseSessionState),
             (QStringList{u"active"_s, u"archived"_s}));
    using Interaction = AgentInteraction::State;
    QCOMPARE(roundTrip({Interaction::Pending, Interaction::Resolved, Interaction::Canceled},
                       parseInteractionState),
             (QStringList{u"pending"_s, u"resolved"_s, u"canceled"_s}));
}

void tst_Statuses::unknownTextParsesToNothing()
{
    QVERIFY(!parseRunStatus(u"done"));
    QVERIFY(!parseRunStatus(u""));
    QVERIFY(!parseRunStatus(u"Pending")); // names are exact
    QVERIFY(!parseRunStatus(u"skipped")); // a step status, not a run's
    QVERIFY(!parseStepStatus(u"waiting_for_input"));
    QVERIFY(!parseTurnStatus(u"skipped"));
    QVERIFY(!parseSessionState(u"deleted"));
    QVERIFY(!parseInteractionState(u"expired"));
}

void tst_Statuses::unknownStepStatusInStepsJsonReadsAsFailed()
{
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"unknown stored value"_s));
    const WorkflowRunStep step =
        WorkflowRunStep::fromJson(QJsonObject{{u"id"_s, u"s"_s}, {u"status"_s, u"paused"_s}});
    QCOMPARE(step.status, WorkflowRunStep::Status::Failed);
    // No status at all is the default, pending (as before).
    QCOMPARE(WorkflowRunStep::fromJson(QJsonObject{{u"id"_s, u"s"_s}}).status,
             WorkflowRunStep::Status::Pending);
    QCOMPARE(step.toJson().value(u"status"_s).toString(), u"failed"_s);
}

void tst_Statuses::init()
{
    QFETCH_GLOBAL(QString, backend);
    QVERIFY(m_dir.isValid());
    const Result<DatastoreSettings> settings = TestDatabase::create(backend, m_dir);
    QVERIFY2(settings, settings ? "" : qPrintable(settings.error().message));
    Result<std::unique_ptr<Database>> opened = Database::open(*settings);
    QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
    m_database = std::move(opened).value();
}

void tst_Statuses::cleanup()
{
    m_database.reset();
}

bool tst_Statuses::setColumn(const QString &table,
                             const QString &column,
                             const QString &value,
                             const QString &id)
{
    const Result<QSqlQuery> done =
        Sql::run(*m_database,
                 u"UPDATE %1 SET %2 = ? WHERE id = ?"_s.arg(table, column),
                 {value, id},
                 u"write a stored value"_s);
    return done.hasValue();
}

void tst_Statuses::unknownRunStatusReadsAsFailedAndIsNotClaimable()
{
    RunRepository runs(*m_database);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    WorkflowRun run;
    run.id = u"wfr_future"_s;
    run.ownerSubjectId = u"user:a"_s;
    run.createdAt = now;
    WorkflowRunStep step;
    step.id = u"s"_s;
    run.steps.append(step);
    QVERIFY(runs.insert(run).hasValue());
    QVERIFY(setColumn(u"workflow_runs"_s, u"status"_s, u"paused_by_a_newer_build"_s, run.id));

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"unknown stored value"_s));
    const Result<std::optional<WorkflowRun>> found = runs.find(run.id);
    QVERIFY(found && *found);
    QCOMPARE((*found)->status, WorkflowRun::Status::Failed);
    QCOMPARE((*found)->statusMessage, u"unknown stored status \"paused_by_a_newer_build\""_s);
    QVERIFY((*found)->isTerminal());
    // Never picked up for execution, and a cancel is the usual "already failed" conflict.
    const Result<QStringList> claimable = runs.claimable(now.addSecs(3600), 10);
    QVERIFY(claimable);
    QVERIFY(!claimable->contains(run.id));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"unknown stored value"_s));
    const Result<WorkflowRun> cancel = runs.requestCancel(run.id, QString(), now);
    QVERIFY(!cancel);
    QCOMPARE(cancel.error().code, ErrorCode::Conflict);
}

void tst_Statuses::knownRunStatusFilterStillMatches()
{
    RunRepository runs(*m_database);
    WorkflowRun run;
    run.id = u"wfr_ok"_s;
    run.ownerSubjectId = u"user:a"_s;
    run.status = WorkflowRun::Status::Succeeded;
    run.createdAt = QDateTime::currentDateTimeUtc();
    QVERIFY(runs.insert(run).hasValue());
    Result<QSqlQuery> stored = Sql::run(*m_database,
                                        u"SELECT status FROM workflow_runs WHERE id = ?"_s,
                                        {run.id},
                                        u"read status"_s);
    QVERIFY(stored && stored->next());
    QCOMPARE(stored->value(0).toString(), u"succeeded"_s);
    RunFilter filter;
    filter.status = WorkflowRun::Status::Succeeded;
    Result<RunPage> page = runs.list(filter);
    QVERIFY(page);
    QCOMPARE(page->runs.size(), 1);
    filter.status = WorkflowRun::Status::Failed;
    page = runs.list(filter);
    QVERIFY(page);
    QVERIFY(page->runs.isEmpty());
}

void tst_Statuses::unknownAgentValuesReadAsFinal()
{
    AgentRepository agents(*m_database);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    AgentSession session;
    session.id = u"ags_future"_s;
    session.ownerSubjectId = u"user:a"_s;
    session.provider = u"scripted"_s;
    session.createdAt = now;
    session.updatedAt = now;
    QVERIFY(agents.insertSession(session).hasValue());
    AgentTurn turn;
    turn.id = u"agt_future"_s;
    turn.sessionId = session.id;
    turn.ownerSubjectId = session.ownerSubjectId;
    turn.provider = session.provider;
    turn.createdAt = now;
    QVERIFY(agents.insertTurn(turn, u"replica-a"_s, now.addSecs(60)).hasValue());
    AgentInteraction interaction;
    interaction.id = u"agi_future"_s;
    interaction.turnId = turn.id;
    interaction.createdAt = now;
    QVERIFY(agents.insertInteraction(interaction).hasValue());

    QVERIFY(setColumn(u"agent_sessions"_s, u"state"_s, u"frozen"_s, session.id));
    QVERIFY(setColumn(u"agent_turns"_s, u"status"_s, u"thinking_hard"_s, turn.id));
    QVERIFY(setColumn(u"agent_interactions"_s, u"state"_s, u"expired"_s, interaction.id));

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"unknown stored value"_s));
    const Result<std::optional<AgentSession>> s = agents.findSession(session.id);
    QVERIFY(s && *s);
    QCOMPARE((*s)->state, AgentSession::State::Archived);
    QCOMPARE((*s)->toJson().value(u"state"_s).toString(), u"archived"_s);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"unknown stored value"_s));
    const Result<std::optional<AgentTurn>> t = agents.findTurn(turn.id);
    QVERIFY(t && *t);
    QCOMPARE((*t)->status, AgentTurn::Status::Failed);
    QCOMPARE((*t)->statusMessage, u"unknown stored status \"thinking_hard\""_s);
    QVERIFY((*t)->isTerminal());
    // Not taken over as abandoned (that query names the unfinished statuses).
    const Result<QStringList> abandoned = agents.abandoned(now.addSecs(3600), 10);
    QVERIFY(abandoned);
    QVERIFY(!abandoned->contains(turn.id));

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"unknown stored value"_s));
    const Result<std::optional<AgentInteraction>> i = agents.findInteraction(interaction.id);
    QVERIFY(i && *i);
    QCOMPARE((*i)->state, AgentInteraction::State::Canceled);
}

QTEST_GUILESS_MAIN(tst_Statuses)
#include "tst_statuses.moc"
