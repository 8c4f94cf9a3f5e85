// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// server.limits arithmetic: the sliding-window estimate, admission and Retry-After
// (SlidingWindow), and the stores' windows, leases, usage and pruning: MemoryLimitStore and
// SqlLimitStore (its statements on a SQLite file here; on PostgreSQL in tst_sec_ratelimits).
#include "limits/LimitStore.h"
#include "limits/SlidingWindow.h"
#include "store/Database.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Gestalt;

namespace {

constexpr qint64 minute = 60'000;
// An instant on a minute boundary (epoch ms).
constexpr qint64 t0 = 1'800'000'000'000 - (1'800'000'000'000 % minute);

LimitCheck requests(qint64 limit, const QString &subject = u"user:a"_s, qint64 per = 60)
{
    LimitSpec spec;
    spec.requests = limit;
    spec.perSeconds = per;
    return {LimitKey{u"subject"_s, {}, {}, subject, per}, spec};
}

LimitCheck concurrent(qint64 limit)
{
    LimitSpec spec;
    spec.concurrent = limit;
    return {LimitKey{u"app-total"_s, u"github"_s, {}, {}, 60}, spec};
}

} // namespace

class tst_RateWindow final : public QObject
{
    Q_OBJECT

    // A fresh store of the kind the current data row names ("memory" or "sql").
    std::unique_ptr<LimitStore> makeStore()
    {
        QFETCH(QString, kind);
        if (kind == u"memory") {
            return std::make_unique<MemoryLimitStore>();
        }
        m_dir = std::make_unique<QTemporaryDir>();
        Result<std::unique_ptr<Database>> opened =
            Database::open(DatastoreSettings::sqliteFile(m_dir->filePath(u"limits.db"_s)));
        if (!opened) {
            qFatal("open: %s", qPrintable(opened.error().message));
        }
        m_database = std::move(*opened);
        return std::make_unique<SqlLimitStore>(*m_database);
    }
    static void storeKinds()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("memory") << u"memory"_s;
        QTest::newRow("sql") << u"sql"_s;
    }
    qint64 counterRows()
    {
        QSqlQuery query(m_database->connection());
        query.exec(u"SELECT COUNT(*) FROM rate_limit_counters"_s);
        return query.next() ? query.value(0).toLongLong() : -1;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;

private Q_SLOTS:
    void cleanup()
    {
        m_database.reset();
        m_dir.reset();
    }
    void windowStartIsAlignedToTheInterval()
    {
        QCOMPARE(SlidingWindow::windowStart(t0, 60), t0);
        QCOMPARE(SlidingWindow::windowStart(t0 + 59'999, 60), t0);
        QCOMPARE(SlidingWindow::windowStart(t0 + 60'000, 60), t0 + minute);
        QCOMPARE(SlidingWindow::windowStart(t0 + 1'500, 1), t0 + 1'000);
    }

    void estimateWeighsThePreviousWindowByItsOverlap()
    {
        QCOMPARE(SlidingWindow::estimate(60, 0, t0, 60), 60.0);
        QCOMPARE(SlidingWindow::estimate(60, 0, t0 + 15'000, 60), 45.0);
        QCOMPARE(SlidingWindow::estimate(60, 10, t0 + 30'000, 60), 40.0);
        QCOMPARE(SlidingWindow::estimate(0, 7, t0 + 59'000, 60), 7.0);
    }

    void admitsUpToTheLimitInOneWindow()
    {
        QVERIFY(SlidingWindow::admits(0, 0, t0, 60, 1));
        QVERIFY(!SlidingWindow::admits(0, 1, t0, 60, 1));
        QVERIFY(SlidingWindow::admits(0, 9, t0 + 1, 60, 10));
        QVERIFY(!SlidingWindow::admits(0, 10, t0 + 59'999, 60, 10));
        // A full previous window blocks the start of the next one, and releases it gradually.
        QVERIFY(!SlidingWindow::admits(10, 0, t0 + 1'000, 60, 10));
        QVERIFY(SlidingWindow::admits(10, 0, t0 + 6'000, 60, 10)); // 10 * 54/60 = 9
        QVERIFY(!SlidingWindow::admits(10, 1, t0 + 6'000, 60, 10));
        // The current window alone never exceeds the limit, whatever the previous one.
        QVERIFY(!SlidingWindow::admits(0, 10, t0 + 1, 60, 10));
    }

    void retryAfterIsWhenTheNextRequestWouldPass_data()
    {
        QTest::addColumn<qint64>("previous");
        QTest::addColumn<qint64>("current");
        QTest::addColumn<qint64>("elapsedMs");
        QTest::addColumn<qint64>("limit");
        QTest::addColumn<int>("expected");
        // Current window full at 10 s: 50 s to its end, then 60/10 = 6 s for one to decay.
        QTest::newRow("current full")
            << qint64(0) << qint64(10) << qint64(10'000) << qint64(10) << 56;
        // Previous window full, 1 s in: its weight must fall to 9/10, at 6 s: 5 s more.
        QTest::newRow("previous full")
            << qint64(10) << qint64(0) << qint64(1'000) << qint64(10) << 5;
        // 1 per minute, used: the next minute's start plus the whole decay of this one.
        QTest::newRow("one per minute")
            << qint64(0) << qint64(1) << qint64(30'000) << qint64(1) << 90;
        // Fractions round up, never below 1.
        QTest::newRow("at least one")
            << qint64(10) << qint64(0) << qint64(5'999) << qint64(10) << 1;
    }
    void retryAfterIsWhenTheNextRequestWouldPass()
    {
        QFETCH(qint64, previous);
        QFETCH(qint64, current);
        QFETCH(qint64, elapsedMs);
        QFETCH(qint64, limit);
        QFETCH(int, expected);
        const qint64 now = t0 + elapsedMs;
        QVERIFY(!SlidingWindow::admits(previous, current, now, 60, limit));
        const int wait = SlidingWindow::retryAfterSeconds(previous, current, now, 60, limit);
        QCOMPARE(wait, expected);
        // Waiting that long (no other request) admits the next one; a second less does not,
        // unless the wait is the minimum.
        const qint64 later = now + qint64(wait) * 1000;
        const qint64 laterStart = SlidingWindow::windowStart(later, 60);
        const qint64 prevLater =
            laterStart == t0 ? previous : (laterStart == t0 + minute ? current : 0);
        const qint64 curLater = laterStart == t0 ? current : 0;
        QVERIFY(SlidingWindow::admits(prevLater, curLater, later, 60, limit));
    }

    void storeCountsAndRefusesWithoutCounting_data() { storeKinds(); }
    void storeCountsAndRefusesWithoutCounting()
    {
        const std::unique_ptr<LimitStore> owned = makeStore();
        LimitStore &store = *owned;
        const QList<LimitCheck> checks{requests(3)};
        for (int i = 0; i < 3; ++i) {
            QVERIFY(store.acquire(checks, u"l%1"_s.arg(i), t0 + i, t0 + minute)->admitted());
        }
        const LimitDecision refused = *store.acquire(checks, u"l3"_s, t0 + 10, t0 + minute);
        QCOMPARE(refused.refused, 0);
        QVERIFY(!refused.concurrency);
        QVERIFY(refused.retryAfterSeconds >= 1);
        const QList<LimitUsage> usage = *store.usage(t0 + 20, 200);
        QCOMPARE(usage.size(), 1);
        QCOMPARE(usage[0].requests, 3);
        QCOMPARE(usage[0].limited, 1);
        QCOMPARE(usage[0].key.subject, u"user:a"_s);
        // Another caller has its own count.
        QVERIFY(
            store.acquire({requests(3, u"user:b"_s)}, u"b"_s, t0 + 30, t0 + minute)->admitted());
        // Two windows later everything is forgotten.
        QVERIFY(store.acquire(checks, u"l4"_s, t0 + 2 * minute, t0 + 3 * minute)->admitted());
    }

    void storeRefusesAllWhenOneCheckRefuses_data() { storeKinds(); }
    void storeRefusesAllWhenOneCheckRefuses()
    {
        const std::unique_ptr<LimitStore> owned = makeStore();
        LimitStore &store = *owned;
        const QList<LimitCheck> checks{requests(10), requests(1, u"user:a"_s, 1)};
        QVERIFY(store.acquire(checks, u"a"_s, t0, t0 + minute)->admitted());
        const LimitDecision refused = *store.acquire(checks, u"b"_s, t0 + 100, t0 + minute);
        QCOMPARE(refused.refused, 1);
        // The refused call was not counted against the first limit.
        const QList<LimitUsage> usage = *store.usage(t0 + 200, 200);
        for (const LimitUsage &row : usage) {
            QCOMPARE(row.requests, 1);
        }
    }

    void storeLeasesHoldSlotsUntilReleased_data() { storeKinds(); }
    void storeLeasesHoldSlotsUntilReleased()
    {
        const std::unique_ptr<LimitStore> owned = makeStore();
        LimitStore &store = *owned;
        const QList<LimitCheck> checks{concurrent(1)};
        QVERIFY(store.acquire(checks, u"first"_s, t0, t0 + minute)->admitted());
        const LimitDecision refused = *store.acquire(checks, u"second"_s, t0 + 1, t0 + minute);
        QVERIFY(!refused.admitted());
        QVERIFY(refused.concurrency);
        QCOMPARE(refused.retryAfterSeconds, 1);
        QCOMPARE(store.usage(t0 + 2, 200)->first().inFlight, 1);
        store.release(u"first"_s);
        store.release(u"first"_s); // twice: no effect
        QCOMPARE(store.usage(t0 + 3, 200)->first().inFlight, 0);
        QVERIFY(store.acquire(checks, u"third"_s, t0 + 4, t0 + minute)->admitted());
        QVERIFY(!store.acquire(checks, u"fourth"_s, t0 + 5, t0 + minute)->admitted());
        if (m_database) {
            // A lease that is never released (a crashed replica's) lapses at its expiry. (In
            // memory a lease ends with its call: a crash takes the whole count with it.)
            QVERIFY(
                store.acquire(checks, u"fifth"_s, t0 + minute + 1, t0 + 2 * minute)->admitted());
        }
    }

    void pruneForgetsOldWindows_data() { storeKinds(); }
    void pruneForgetsOldWindows()
    {
        const std::unique_ptr<LimitStore> owned = makeStore();
        LimitStore &store = *owned;
        QVERIFY(store.acquire({requests(5)}, u"a"_s, t0, t0 + minute)->admitted());
        QVERIFY(store.acquire({requests(5, u"user:b"_s)}, u"b"_s, t0 + minute, t0 + minute)
                    ->admitted());
        store.prune(t0 + 2 * minute); // the first window can no longer matter, the second can
        const QList<LimitUsage> usage = *store.usage(t0 + 2 * minute - 1, 200);
        QCOMPARE(usage.size(), 1);
        QCOMPARE(usage[0].key.subject, u"user:b"_s);
        if (m_database) {
            QCOMPARE(counterRows(), 1);
            store.prune(t0 + 3 * minute);
            QCOMPARE(counterRows(), 0);
        }
    }

    void keysOfDifferentIntervalsAreDistinct()
    {
        QVERIFY(requests(1, u"user:a"_s, 60).key.id() != requests(1, u"user:a"_s, 1).key.id());
        const LimitKey a{u"operation-subject"_s, u"gh"_s, u"x|y"_s, u"user:a"_s, 60};
        const LimitKey b{u"operation-subject"_s, u"gh"_s, u"x"_s, u"y|user:a"_s, 60};
        QVERIFY(a.id() != b.id());
        const LimitKey c{u"operation-subject"_s, u"gh"_s, u"c"_s, u"user:a|b"_s, 60};
        const LimitKey d{u"operation-subject"_s, u"gh"_s, u"b|c"_s, u"user:a"_s, 60};
        QVERIFY(c.id() != d.id());
    }
};

QTEST_GUILESS_MAIN(tst_RateWindow)
#include "tst_ratewindow.moc"
