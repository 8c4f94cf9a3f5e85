// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Trust boundary "anyone who can open a connection" (docs/SECURITY.md): one connection that
// pipelines requests and never reads, a client that never reads its answers, a body that trickles
// in, and many slow connections from one address, each performed over real HTTP against a running
// gestaltd on SQLite and PostgreSQL. None of them needs a credential.
#include "support/RawHttpClient.h"
#include "support/TestDatabase.h"
#include "support/TestServer.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Gestalt;
using namespace Gestalt::Test;

namespace {

// The bound. Under AddressSanitizer freed memory waits in its quarantine (and every
// allocation carries redzones), so resident memory grows with what was allocated, not with what
// is held: that run gets a looser bound that still fails without backpressure (+125 MiB without
// sanitizers, far more with them).
#if defined(__SANITIZE_ADDRESS__)
constexpr qint64 maxGrowthBytes = qint64(64) << 20;
#else
constexpr qint64 maxGrowthBytes = qint64(5) << 20;
#endif

// Resident memory of this process (the server runs in it), in bytes.
qint64 residentBytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
        }
    }
    return -1;
}

// The shell's largest static asset (11 KiB; admin.js was 29 KiB before it was split by panel).
QByteArray pipelinedAssets(int count)
{
    const QByteArray one = "GET /admin/admin.css HTTP/1.1\r\nHost: localhost\r\n\r\n";
    return one.repeated(count);
}

// A client that does not read: its socket takes nothing from the kernel, so TCP pushes back.
std::unique_ptr<QTcpSocket> nonReadingClient(quint16 port)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->setReadBufferSize(1);
    socket->connectToHost(QHostAddress::LocalHost, port);
    if (!socket->waitForConnected(5000)) {
        return nullptr;
    }
    return socket;
}

} // namespace

class tst_SecBackpressure final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void cleanup() { m_server.reset(); }

    void pipelinedRequestsThatAreNeverReadCannotEatTheMemory();
    void clientThatNeverReadsIsAbortedAfterTheWriteDeadline();
    void slowBodyIsCutAtTheRequestDeadline();
    void slowConnectionsFromOneAddressCannotLockOutAnother();
    void pausedConnectionStillAnswersEveryRequestInOrder();
    void perAddressCapIsReleasedWhenConnectionsClose();
    void invalidBackpressureSettingsAreRefused();

private:
    bool startServer(const QString &overrideYaml = {});
    std::unique_ptr<TestServer> m_server;
};

bool tst_SecBackpressure::startServer(const QString &overrideYaml)
{
    QFETCH_GLOBAL(QString, backend);
    m_server = std::make_unique<TestServer>(backend, QString(), overrideYaml);
    if (!m_server->start()) {
        qWarning() << m_server->errorString();
        return false;
    }
    return true;
}

void tst_SecBackpressure::pipelinedRequestsThatAreNeverReadCannotEatTheMemory()
{
    // One unauthenticated connection pipelined 4,000 requests for the admin bundle and never read:
    // every answer was queued in memory (hundreds of MB) until the client went away. 10,000
    // requests for the stylesheet ask for as many bytes as 4,000 did for the unsplit admin.js.
    QVERIFY(startServer());
    const quint16 port = m_server->port();
    const RawResponse warm = rawRequest(port, pipelinedAssets(1));
    QCOMPARE(warm.status, 200);
    QVERIFY(warm.body.size() > 10'000);
    const qint64 before = residentBytes();
    QVERIFY(before > 0);

    const std::unique_ptr<QTcpSocket> attacker = nonReadingClient(port);
    QVERIFY(attacker);
    attacker->write(pipelinedAssets(10000));
    QDeadlineTimer settle(3000);
    while (!settle.hasExpired()) {
        QTest::qWait(100);
    }

    // Another client is served meanwhile.
    const HttpReply health = m_server->get(u"/health"_s);
    QCOMPARE(health.status, 200);
    const qint64 growth = residentBytes() - before;
    qInfo("RSS growth under the attack: %lld KiB", growth / 1024);
    QVERIFY2(growth <= maxGrowthBytes, qPrintable(u"RSS grew by %1 KiB"_s.arg(growth / 1024)));
    QCOMPARE(attacker->state(), QAbstractSocket::ConnectedState);
}

void tst_SecBackpressure::clientThatNeverReadsIsAbortedAfterTheWriteDeadline()
{
    // A client that stops reading kept its connection, and the answers queued for it, until the
    // idle timeout, which the unflushed answers kept postponing.
    QVERIFY(startServer(u"server:\n  http:\n    writeTimeout: 1s\n    idleTimeout: 300s\n"_s));
    const quint16 port = m_server->port();
    const std::unique_ptr<QTcpSocket> client = nonReadingClient(port);
    QVERIFY(client);
    const int requests = 1500; // far more than the kernel's socket buffers hold (17 MB of answers)
    client->write(pipelinedAssets(requests));
    QTest::qWait(1000 + 4000); // the deadline plus a generous margin

    // Now read: the server gave up on us, so the answers stop short and the connection is gone.
    client->setReadBufferSize(0);
    QByteArray received;
    QDeadlineTimer drain(10'000);
    while (client->state() == QAbstractSocket::ConnectedState && !drain.hasExpired()) {
        QTest::qWait(50);
        received += client->readAll();
    }
    received += client->readAll();
    QCOMPARE_NE(client->state(), QAbstractSocket::ConnectedState);
    QVERIFY2(received.count("HTTP/1.1 200") < requests,
             qPrintable(u"%1 answers arrived"_s.arg(received.count("HTTP/1.1 200"))));
    // The server still serves others.
    QCOMPARE(m_server->get(u"/health"_s).status, 200);
}

void tst_SecBackpressure::slowBodyIsCutAtTheRequestDeadline()
{
    // The 10 s deadline covered the request head only: a body trickling in one byte at a time
    // held the connection for as long as the client liked.
    QVERIFY(startServer(u"server:\n  http:\n    requestReadTimeout: 2s\n"_s));
    RawHttpClient client(m_server->port());
    QVERIFY(client.isConnected());
    client.send("POST /api/v1/tokens HTTP/1.1\r\nHost: localhost\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
    QList<RawResponse> answer;
    for (int second = 0; second < 10 && answer.isEmpty(); ++second) {
        client.send("{");
        answer = client.read(1, 1000);
    }
    QCOMPARE(answer.size(), 1);
    QCOMPARE(answer[0].status, 408);
    const QJsonObject error = QJsonDocument::fromJson(answer[0].body).object();
    QVERIFY2(error.value(u"error"_s).toString().contains(u"timed out reading the request"_s),
             answer[0].body.constData());
    QVERIFY(client.waitForClosed());
}

void tst_SecBackpressure::slowConnectionsFromOneAddressCannotLockOutAnother()
{
    // 1,024 slow sockets from one address took every slot and locked everyone else out.
    QVERIFY(startServer());
    const quint16 port = m_server->port();
    const QByteArray slowHead = "POST /api/v1/tokens HTTP/1.1\r\nHost: localhost\r\n"
                                "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";
    // Connected while the event loop runs, so the in-process server accepts them as they come.
    std::vector<std::unique_ptr<QTcpSocket>> slow;
    for (int i = 0; i < 1100; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = socket.get();
        connect(raw, &QTcpSocket::connected, raw, [raw, slowHead] { raw->write(slowHead); });
        socket->connectToHost(QHostAddress::LocalHost, port);
        slow.push_back(std::move(socket));
        if (i % 50 == 49) {
            QTest::qWait(20);
        }
    }
    // The server accepts them all; those over the per-address cap are refused with a 503.
    int refused = 0;
    QDeadlineTimer accepting(30'000);
    while (!accepting.hasExpired()) {
        QTest::qWait(200);
        refused = 0;
        for (const auto &socket : slow) {
            const QByteArray seen = socket->peek(64);
            refused += seen.startsWith("HTTP/1.1 503") ? 1 : 0;
        }
        if (refused >= 1100 - 256) {
            break;
        }
    }
    QCOMPARE(refused, 1100 - 256);
    QByteArray refusal;
    for (const auto &socket : slow) {
        refusal = socket->readAll();
        if (refusal.startsWith("HTTP/1.1 503")) {
            break;
        }
    }
    QVERIFY2(refusal.contains("too many connections from this address"), refusal.constData());

    // Another address still gets in at once.
    QTcpSocket other;
    QVERIFY(other.bind(QHostAddress(u"127.0.0.2"_s)));
    QElapsedTimer took;
    took.start();
    other.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(other.waitForConnected(5000));
    other.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QByteArray answer;
    QDeadlineTimer wait(5000);
    while (!answer.contains("\r\n\r\n") && !wait.hasExpired()) {
        QTest::qWait(1);
        answer += other.readAll();
    }
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
    qInfo("/health from another address under 1,100 slow connections: %lld ms", took.elapsed());
}

void tst_SecBackpressure::pausedConnectionStillAnswersEveryRequestInOrder()
{
    // Backpressure delays reading; it must not lose, reorder or duplicate a pipelined request.
    // The client reads nothing at first (more than the kernel's buffers hold is asked for, so
    // the server pauses), then reads everything.
    QVERIFY(startServer(u"server:\n  http:\n    maxPipelinedRequests: 2\n"
                        "    maxPendingResponseBytes: 64KiB\n"_s));
    const int count = 500;
    QByteArray requests;
    for (int i = 0; i < count; ++i) {
        requests += i % 5 == 4 ? "GET /health HTTP/1.1\r\nHost: localhost\r\n"_ba
                               : "GET /admin/admin.css HTTP/1.1\r\nHost: localhost\r\n"_ba;
        requests += "X-Request-Id: req-" + QByteArray::number(i) + "\r\n\r\n";
    }
    const std::unique_ptr<QTcpSocket> client = nonReadingClient(m_server->port());
    QVERIFY(client);
    client->write(requests);
    QTest::qWait(1500);
    client->setReadBufferSize(0);
    QByteArray received;
    QDeadlineTimer deadline(30'000);
    while (received.count("HTTP/1.1 200 ") < count && !deadline.hasExpired()
           && client->state() == QAbstractSocket::ConnectedState) {
        QTest::qWait(20);
        received += client->readAll();
    }
    QCOMPARE(received.count("HTTP/1.1 200 "), count);
    qsizetype at = 0;
    for (int i = 0; i < count; ++i) {
        const QByteArray id = "X-Request-Id: req-" + QByteArray::number(i) + "\r\n";
        const qsizetype found = received.indexOf(id, at);
        QVERIFY2(found >= 0, qPrintable(u"answer %1 missing or out of order"_s.arg(i)));
        at = found;
    }
}

void tst_SecBackpressure::perAddressCapIsReleasedWhenConnectionsClose()
{
    // The cap counts open connections: an address that closes its connections gets in again.
    QVERIFY(startServer(u"server:\n  http:\n    maxConnectionsPerAddress: 2\n"_s));
    const quint16 port = m_server->port();
    auto first = std::make_unique<RawHttpClient>(port);
    RawHttpClient second(port);
    first->send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    second.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(first->read(1).value(0).status, 200);
    QCOMPARE(second.read(1).value(0).status, 200);

    const RawResponse refused = rawRequest(port, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(refused.status, 503);
    QCOMPARE(QJsonDocument::fromJson(refused.body).object().value(u"error"_s).toString(),
             u"too many connections from this address"_s);

    first.reset();
    QTest::qWait(300);
    const RawResponse again = rawRequest(port, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(again.status, 200);
}

void tst_SecBackpressure::invalidBackpressureSettingsAreRefused()
{
    QFETCH_GLOBAL(QString, backend);
    const QList<std::pair<QString, QString>> cases = {
        {u"maxConnectionsPerAddress: -1"_s, u"maxConnectionsPerAddress"_s},
        {u"maxPipelinedRequests: 0"_s, u"maxPipelinedRequests"_s},
        {u"maxPendingResponseBytes: lots"_s, u"maxPendingResponseBytes"_s},
        {u"writeTimeout: 0s"_s, u"writeTimeout"_s},
        {u"requestReadTimeout: -5s"_s, u"requestReadTimeout"_s},
    };
    for (const auto &[line, key] : cases) {
        TestServer server(backend, QString(), u"server:\n  http:\n    %1\n"_s.arg(line));
        QVERIFY2(!server.start(), qPrintable(line));
        QVERIFY2(server.errorString().contains(key), qPrintable(server.errorString()));
    }
}

QTEST_MAIN(tst_SecBackpressure)
#include "tst_sec_backpressure.moc"
