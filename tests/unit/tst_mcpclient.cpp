// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/RuntimeConfig.h"
#include "httpclient/UpstreamClient.h"
#include "mcp/client/McpClient.h"
#include "runtime/HostedProcess.h"
#include "runtime/RuntimeProvider.h"
#include "runtime/RuntimeSession.h"
#include "shared/Version.h"
#include "support/FakeUpstream.h"
#include "support/LocalEgress.h"
#include "support/NodePeer.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <optional>

using namespace Gestalt;
using namespace Gestalt::Test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr int kWaitMs = 30000; // a bound for waiting on events, not a timing assertion

// A stdio MCP server scripted for the cases the real one cannot show: it answers initialize with
// the protocol version given as its argument, prints a line that is not JSON, and after
// notifications/initialized sends tools/list_changed, a ping request and a request gestalt does
// not serve. "test/seen" returns every message it read.
const QByteArray scriptedStdioServer = R"PY(
import json, sys
version = sys.argv[1] if len(sys.argv) > 1 else "2025-06-18"
seen = []
def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()
while True:
    line = sys.stdin.readline()
    if not line:
        break
    message = json.loads(line)
    seen.append(message)
    method = message.get("method")
    mid = message.get("id")
    if method == "initialize":
        print("this line is not JSON", flush=True)
        send({"jsonrpc": "2.0", "id": mid, "result": {"protocolVersion": version,
              "capabilities": {"tools": {"listChanged": True}},
              "serverInfo": {"name": "scripted", "version": "1"}}})
    elif method == "notifications/initialized":
        send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        send({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info"}})
        send({"jsonrpc": "2.0", "id": "srv-1", "method": "ping"})
        send({"jsonrpc": "2.0", "id": "srv-2", "method": "sampling/createMessage", "params": {}})
    elif method == "tools/list":
        cursor = (message.get("params") or {}).get("cursor")
        page = int(cursor) if cursor else 0
        result = {"tools": [{"name": "t%d" % page, "inputSchema": {"type": "object"}}]}
        if page < 2:
            result["nextCursor"] = str(page + 1)
        send({"jsonrpc": "2.0", "id": mid, "result": result})
    elif method == "test/seen":
        send({"jsonrpc": "2.0", "id": mid, "result": {"seen": seen}})
    elif method == "test/error":
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32000, "message": "nope"}})
    elif method == "test/batch":
        sys.stdout.write(json.dumps([{"jsonrpc": "2.0", "method": "notifications/tools/list_changed"},
                                     {"jsonrpc": "2.0", "id": mid, "result": {"batch": True}}]) + "\n")
        sys.stdout.flush()
    elif method == "test/hang":
        pass
    elif mid is not None and method is not None:
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "Method not found"}})
)PY";

// A Streamable HTTP MCP server scripted for what the real one does not do on demand: expire the
// session (404), reject a credential (401, path /auth), answer with chunked SSE (CRLF, comments,
// a priming event, a notification first), send server requests on a POST stream, answer a batch,
// end a stream early with an event id (resumed by GET + Last-Event-ID) or without one, push
// notifications on the GET stream or end it, refuse the GET stream (405, path /nostream). Prints
// "listening <port>". "test/seen" returns what it received, with the headers that matter.
const QByteArray scriptedHttpServer = R"PY(
import json, queue, sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
lock = threading.Lock()
sessions = set()
counter = [0]
seen = []
streams = []
stored = {}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def note(self, kind, message):
        with lock:
            seen.append({"kind": kind, "path": self.path,
                         "session": self.headers.get("Mcp-Session-Id"),
                         "version": self.headers.get("MCP-Protocol-Version"),
                         "accept": self.headers.get("Accept"),
                         "contentType": self.headers.get("Content-Type"),
                         "authorization": self.headers.get("Authorization"),
                         "lastEventId": self.headers.get("Last-Event-ID"),
                         "message": message})
    def reply(self, status, payload=None, headers=()):
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def start_sse(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
    def write(self, text):
        self.wfile.write(text.encode())
        self.wfile.flush()
    def allowed(self):
        if self.path.startswith("/auth") and self.headers.get("Authorization") != "Bearer good":
            self.reply(401, {"error": "unauthorized"}, [("WWW-Authenticate", "Bearer")])
            return False
        return True
    def in_session(self):
        with lock:
            return self.headers.get("Mcp-Session-Id") in sessions

    def do_POST(self):
        message = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.note("post", message)
        if not self.allowed():
            return
        method = message.get("method")
        mid = message.get("id")
        def result(value):
            return {"jsonrpc": "2.0", "id": mid, "result": value}
        if method == "initialize":
            with lock:
                counter[0] += 1
                sid = "session-%d" % counter[0]
                sessions.add(sid)
            version = self.path.split("version=")[1] if "version=" in self.path else "2025-06-18"
            self.reply(200, result({"protocolVersion": version,
                                    "capabilities": {"tools": {"listChanged": True}},
                                    "serverInfo": {"name": "scripted-http", "version": "1"}}),
                       [("Mcp-Session-Id", sid)])
            return
        if not self.in_session():
            self.reply(404, {"jsonrpc": "2.0", "id": mid,
                             "error": {"code": -32001, "message": "Session not found"}})
            return
        if mid is None or method is None:
            self.reply(202)
        elif method == "test/echo":
            self.reply(200, result({"echo": message.get("params")}))
        elif method == "test/seen":
            with lock:
                self.reply(200, result({"seen": list(seen)}))
        elif method == "test/expire":
            with lock:
                sessions.clear()
            self.reply(200, result({}))
        elif method == "test/sse":
            self.start_sse()
            self.write(": a comment\r\n\r\n")
            self.write("id: p1\r\ndata: \r\n\r\n")
            self.write("data: " + json.dumps({"jsonrpc": "2.0",
                       "method": "notifications/tools/list_changed"}) + "\r\n\r\n")
            event = "event: message\r\ndata: " + json.dumps(result({"chunked": True})) + "\r\n\r\n"
            half = len(event) // 2
            self.write(event[:half])
            time.sleep(0.05)
            self.write(event[half:])
        elif method == "test/ping-me":
            self.start_sse()
            self.write("data: " + json.dumps({"jsonrpc": "2.0", "id": "srv-1", "method": "ping"}) + "\n\n")
            self.write("data: " + json.dumps({"jsonrpc": "2.0", "id": "srv-2", "method": "roots/list"}) + "\n\n")
            answers = []
            deadline = time.time() + 20
            while time.time() < deadline and len(answers) < 2:
                time.sleep(0.02)
                with lock:
                    answers = [s["message"] for s in seen if s["message"] is not None
                               and s["message"].get("id") in ("srv-1", "srv-2")
                               and "method" not in s["message"]]
            self.write("data: " + json.dumps(result({"answers": answers})) + "\n\n")
        elif method == "test/batch":
            self.reply(200, [{"jsonrpc": "2.0", "method": "notifications/tools/list_changed"},
                             result({"batch": True})])
        elif method == "test/notify":
            with lock:
                for q in streams:
                    q.put({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
                count = len(streams)
            self.reply(200, result({"streams": count}))
        elif method == "test/close-streams":
            with lock:
                for q in streams:
                    q.put(None)
            self.reply(200, result({}))
        elif method == "test/resume":
            with lock:
                stored["r-%s" % mid] = result({"resumed": True})
            self.start_sse()
            self.write("id: r-%s\nretry: 10\ndata: \n\n" % mid)
        elif method == "test/drop":
            self.start_sse()
        elif method == "test/hang":
            self.start_sse()
            try:
                for _ in range(300):
                    time.sleep(0.1)
                    self.write(": still here\n\n")
            except Exception:
                pass
        elif method == "test/error500":
            self.reply(500, {"jsonrpc": "2.0", "id": mid,
                             "error": {"code": -32603, "message": "it broke"}})
        else:
            self.reply(200, {"jsonrpc": "2.0", "id": mid,
                             "error": {"code": -32601, "message": "Method not found"}})

    def do_GET(self):
        self.note("get", None)
        if not self.allowed():
            return
        if self.path.startswith("/nostream"):
            self.reply(405)
            return
        if not self.in_session():
            self.reply(404)
            return
        last = self.headers.get("Last-Event-ID")
        if last and last.startswith("r-"):
            with lock:
                message = stored.pop(last, None)
            self.start_sse()
            if message:
                self.write("id: %s-done\ndata: %s\n\n" % (last, json.dumps(message)))
            return
        q = queue.Queue()
        with lock:
            streams.append(q)
        self.start_sse()
        try:
            while True:
                try:
                    message = q.get(timeout=0.5)
                except queue.Empty:
                    self.write(": keep-alive\n\n")
                    continue
                if message is None:
                    break
                self.write("data: %s\n\n" % json.dumps(message))
        except Exception:
            pass
        finally:
            with lock:
                streams.remove(q)

    def do_DELETE(self):
        self.note("delete", None)
        with lock:
            sessions.discard(self.headers.get("Mcp-Session-Id"))
        self.reply(200)

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("listening %d" % server.server_address[1], flush=True)
server.serve_forever()
)PY";

QString everythingScript()
{
    return QStringLiteral(
        GESTALT_SOURCE_DIR
        "/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
}

// What a callback saw: how often it ran and with what.
struct Outcome
{
    int calls = 0;
    std::optional<Result<QJsonObject>> result;
};

McpClient::Callback recordInto(const std::shared_ptr<Outcome> &outcome)
{
    return [outcome](Result<QJsonObject> result) {
        ++outcome->calls;
        outcome->result.emplace(std::move(result));
    };
}

Result<QJsonObject> awaitOutcome(const std::shared_ptr<Outcome> &outcome)
{
    if (!QTest::qWaitFor([&outcome] { return outcome->calls > 0; }, kWaitMs)) {
        return Error::internal(u"no callback within %1 ms"_s.arg(kWaitMs));
    }
    return *outcome->result;
}

Result<QJsonObject> call(McpClient &client,
                         const QString &method,
                         const QJsonObject &params = {},
                         std::chrono::milliseconds timeout = 20s)
{
    auto outcome = std::make_shared<Outcome>();
    client.request(method, params, timeout, recordInto(outcome));
    return awaitOutcome(outcome);
}

Result<QJsonObject>
callTool(McpClient &client, const QString &tool, const QJsonObject &arguments = {})
{
    return call(client, u"tools/call"_s, {{u"name"_s, tool}, {u"arguments"_s, arguments}});
}

Result<QJsonArray> listTools(McpClient &client)
{
    std::optional<Result<QJsonArray>> got;
    client.listTools(20s, [&got](Result<QJsonArray> tools) { got.emplace(std::move(tools)); });
    if (!QTest::qWaitFor([&got] { return got.has_value(); }, kWaitMs)) {
        return Error::internal(u"no tool list within %1 ms"_s.arg(kWaitMs));
    }
    return *got;
}

QStringList toolNames(const QJsonArray &tools)
{
    QStringList names;
    for (const QJsonValue &tool : tools) {
        names.append(tool.toObject().value(u"name"_s).toString());
    }
    return names;
}

template<typename T>
QByteArray describe(const Result<T> &result)
{
    if (result) {
        return "ok";
    }
    return u"error %1: %2"_s.arg(int(result.error().code)).arg(result.error().message).toUtf8();
}

// The messages a scripted server received (its "test/seen" answer).
QJsonArray seenBy(McpClient &client)
{
    const Result<QJsonObject> seen = call(client, u"test/seen"_s);
    return seen ? seen->value(u"seen"_s).toArray() : QJsonArray();
}

// The entries of the scripted HTTP server's log for one path (as the requests spelled it).
QJsonArray seenAt(McpClient &observer, const QString &path)
{
    QJsonArray entries;
    for (const QJsonValue &entry : seenBy(observer)) {
        if (entry[u"path"_s] == path) {
            entries.append(entry);
        }
    }
    return entries;
}

// Has the scripted HTTP server push tools/list_changed on its GET streams until the client heard
// it (the server registers a stream a moment after it logged the GET).
bool notifyUntilHeard(McpClient &client, const QSignalSpy &toolsChanged)
{
    return QTest::qWaitFor(
        [&] {
            if (toolsChanged.isEmpty()) {
                (void)call(client, u"test/notify"_s);
            }
            return !toolsChanged.isEmpty();
        },
        kWaitMs);
}

// Starts a program that prints "listening <port>" as its first stdout line.
quint16 startListening(QProcess &process, const QString &program, const QStringList &arguments)
{
    process.setProgram(program);
    process.setArguments(arguments);
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start();
    const QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired() && process.state() != QProcess::NotRunning) {
        if (process.canReadLine()) {
            const QList<QByteArray> words = process.readLine().trimmed().split(' ');
            return words.size() == 2 && words.first() == "listening" ? words.last().toUShort() : 0;
        }
        process.waitForReadyRead(200);
    }
    return 0;
}

void stopProcess(QProcess &process)
{
    if (process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished(5000);
    }
}

} // namespace

class tst_McpClient final : public QObject
{
    Q_OBJECT

private:
    bool haveNode() const { return m_everythingUrl.isValid(); }
    QUrl scriptedUrl(const QString &path) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_scriptedPort).arg(path));
    }

    HostedProcess *host(const QStringList &command, bool start = true)
    {
        Result<HostedProcess *> hosted =
            m_runtime->host(HostSpec{u"mcp-test"_s, command, {}, m_dir.path()});
        if (!hosted) {
            qFatal("cannot host: %s", qPrintable(hosted.error().message));
        }
        m_hosted.append(*hosted);
        if (start) {
            (*hosted)->start();
        }
        return *hosted;
    }

    std::unique_ptr<McpClient> everything(const QString &transport)
    {
        if (transport == u"http"_s) {
            return McpClient::http(m_everythingUrl, {}, m_upstream, Test::localEgress());
        }
        return McpClient::stdio(*host({NodePeer::nodeBinary(), everythingScript(), u"stdio"_s}));
    }

    std::unique_ptr<McpClient> scriptedStdio(const QString &version = {})
    {
        QStringList command{u"python3"_s, u"-u"_s, m_dir.filePath(u"stdio_server.py"_s)};
        if (!version.isEmpty()) {
            command.append(version);
        }
        return McpClient::stdio(*host(command));
    }

    void addTransports()
    {
        QTest::addColumn<QString>("transport");
        QTest::newRow("http") << u"http"_s;
        QTest::newRow("stdio") << u"stdio"_s;
    }

    UpstreamClient m_upstream;
    QTemporaryDir m_dir;
    QProcess m_everythingHttp;
    QUrl m_everythingUrl;
    QProcess m_scriptedHttp;
    quint16 m_scriptedPort = 0;
    std::unique_ptr<RuntimeProvider> m_runtime;
    QList<HostedProcess *> m_hosted;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        for (const auto &[name, script] : {std::pair{u"stdio_server.py"_s, scriptedStdioServer},
                                           std::pair{u"http_server.py"_s, scriptedHttpServer}}) {
            QFile file(m_dir.filePath(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(script);
        }
        RuntimeProviderConfig config;
        config.config = QJsonObject{{u"restartDelay"_s, u"100ms"_s}};
        m_runtime = std::make_unique<RuntimeProvider>(u"local"_s, config, true);
        QVERIFY2(m_runtime->isLoaded(), qPrintable(m_runtime->error()));

        m_scriptedPort = startListening(
            m_scriptedHttp, u"python3"_s, {u"-u"_s, m_dir.filePath(u"http_server.py"_s)});
        QVERIFY2(m_scriptedPort != 0, "the scripted HTTP MCP server did not start");

        if (!QFileInfo(NodePeer::nodeBinary()).isExecutable()
            || !QFileInfo::exists(everythingScript())) {
            return; // the tests with the real server skip
        }
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"PORT"_s, QString::number(port));
        m_everythingHttp.setProcessEnvironment(env);
        m_everythingHttp.setStandardOutputFile(QProcess::nullDevice());
        m_everythingHttp.start(NodePeer::nodeBinary(), {everythingScript(), u"streamableHttp"_s});
        QVERIFY(m_everythingHttp.waitForStarted(10000));
        // It says so on stderr once it accepts connections.
        QByteArray said;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         said += m_everythingHttp.readAllStandardError();
                         return said.contains("listening on port")
                                || m_everythingHttp.state() == QProcess::NotRunning;
                     },
                     20000),
                 "server-everything did not start listening");
        QVERIFY2(said.contains("listening on port"), said.constData());
        connect(&m_everythingHttp, &QProcess::readyReadStandardError, this, [this] {
            m_everythingHttp.readAllStandardError();
        });
        m_everythingUrl = QUrl(u"http://127.0.0.1:%1/mcp"_s.arg(port));
    }

    void cleanupTestCase()
    {
        stopProcess(m_everythingHttp);
        stopProcess(m_scriptedHttp);
        m_runtime.reset();
    }

    void init()
    {
        QTest::failOnWarning(QRegularExpression(u".*"_s));
        if (QByteArray(QTest::currentTestFunction()).startsWith("everything") && !haveNode()) {
            QFAIL("tests/node_modules is missing (run `npm ci` in tests/): no server-everything");
        }
    }

    void cleanup()
    {
        for (HostedProcess *process : std::as_const(m_hosted)) {
            process->stop();
        }
        m_hosted.clear();
    }

    // ---- against the official reference server, over both transports

    void everythingInitializes_data() { addTransports(); }
    void everythingInitializes()
    {
        QFETCH(QString, transport);
        const std::unique_ptr<McpClient> client = everything(transport);
        QSignalSpy initialized(client.get(), &McpClient::initialized);
        QVERIFY(!client->isInitialized());
        QVERIFY(client->protocolVersion().isEmpty());

        const Result<QJsonObject> pong = call(*client, u"ping"_s);
        QVERIFY2(pong, describe(pong).constData());
        QCOMPARE(*pong, QJsonObject());
        QVERIFY(client->isInitialized());
        QCOMPARE(client->protocolVersion(), u"2025-11-25"_s);
        QCOMPARE(client->serverInfo().value(u"name"_s).toString(), u"mcp-servers/everything"_s);
        QVERIFY(client->serverCapabilities().contains(u"tools"_s));
        QTRY_COMPARE_WITH_TIMEOUT(initialized.size(), 1, kWaitMs);
    }

    void everythingListsTools_data() { addTransports(); }
    void everythingListsTools()
    {
        QFETCH(QString, transport);
        const std::unique_ptr<McpClient> client = everything(transport);
        const Result<QJsonArray> tools = listTools(*client);
        QVERIFY2(tools, describe(tools).constData());
        const QStringList names = toolNames(*tools);
        QVERIFY2(names.contains(u"echo"_s), qPrintable(names.join(u", "_s)));
        QVERIFY(names.contains(u"get-tiny-image"_s));
        QVERIFY(names.contains(u"trigger-long-running-operation"_s));
        const QJsonObject echo = tools->at(names.indexOf(u"echo"_s)).toObject();
        QCOMPARE(echo.value(u"inputSchema"_s).toObject().value(u"type"_s).toString(), u"object"_s);
    }

    void everythingCallsEcho_data() { addTransports(); }
    void everythingCallsEcho()
    {
        QFETCH(QString, transport);
        const std::unique_ptr<McpClient> client = everything(transport);
        const Result<QJsonObject> result = callTool(*client, u"echo"_s, {{u"message"_s, u"hi"_s}});
        QVERIFY2(result, describe(result).constData());
        const QJsonArray expected{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"Echo: hi"_s}}};
        QCOMPARE(result->value(u"content"_s).toArray(), expected);
        QVERIFY(!result->value(u"isError"_s).toBool());
    }

    void everythingReportsProgress_data() { addTransports(); }
    void everythingReportsProgress()
    {
        QFETCH(QString, transport);
        const std::unique_ptr<McpClient> client = everything(transport);
        auto outcome = std::make_shared<Outcome>();
        QList<QJsonObject> progress;
        bool afterAnswer = false;
        const QJsonObject params{{u"name"_s, u"trigger-long-running-operation"_s},
                                 {u"arguments"_s, QJsonObject{{u"duration"_s, 1}, {u"steps"_s, 3}}},
                                 {u"_meta"_s, QJsonObject{{u"progressToken"_s, u"theirs"_s}}}};
        client->request(
            u"tools/call"_s, params, 20s, recordInto(outcome), [&](const QJsonObject &update) {
                afterAnswer = afterAnswer || outcome->calls > 0;
                progress.append(update);
            });
        const Result<QJsonObject> result = awaitOutcome(outcome);
        QVERIFY2(result, describe(result).constData());
        QCOMPARE(progress.size(), 3);
        QVERIFY(!afterAnswer);
        // The client's own token (a caller's is replaced: tokens must be unique per client).
        const QString token = progress.first().value(u"progressToken"_s).toString();
        QVERIFY2(token.startsWith(u"gestalt-"_s), qPrintable(token));
        for (qsizetype i = 0; i < progress.size(); ++i) {
            QCOMPARE(progress[i].value(u"progressToken"_s).toString(), token);
            QCOMPARE(progress[i].value(u"progress"_s).toDouble(), double(i + 1));
            QCOMPARE(progress[i].value(u"total"_s).toDouble(), 3.0);
        }
        // Without a progress callback, no token is sent and the server reports nothing.
        const Result<QJsonObject> quiet = callTool(
            *client, u"trigger-long-running-operation"_s, {{u"duration"_s, 1}, {u"steps"_s, 2}});
        QVERIFY2(quiet, describe(quiet).constData());
        QCOMPARE(progress.size(), 3);
    }

    void everythingPassesImagesThrough_data() { addTransports(); }
    void everythingPassesImagesThrough()
    {
        QFETCH(QString, transport);
        const std::unique_ptr<McpClient> client = everything(transport);
        const Result<QJsonObject> result = callTool(*client, u"get-tiny-image"_s);
        QVERIFY2(result, describe(result).constData());
        const QJsonArray content = result->value(u"content"_s).toArray();
        QCOMPARE(content.size(), 3);
        const QJsonObject image = content.at(1).toObject();
        QCOMPARE(image.value(u"type"_s).toString(), u"image"_s);
        QCOMPARE(image.value(u"mimeType"_s).toString(), u"image/png"_s);
        const QByteArray png = QByteArray::fromBase64(image.value(u"data"_s).toString().toLatin1());
        QVERIFY(png.startsWith("\x89PNG\r\n\x1a\n"));
        QVERIFY(png.size() > 1000);
    }

    void everythingReportsUnknownToolAsToolError_data() { addTransports(); }
    void everythingReportsUnknownToolAsToolError()
    {
        QFETCH(QString, transport);
        const std::unique_ptr<McpClient> client = everything(transport);
        // The SDK turns a missing tool into a tool result with isError, not a JSON-RPC error.
        const Result<QJsonObject> result = callTool(*client, u"no-such-tool"_s);
        QVERIFY2(result, describe(result).constData());
        QCOMPARE(result->value(u"isError"_s).toBool(), true);
        const QString text =
            result->value(u"content"_s).toArray().at(0).toObject().value(u"text"_s).toString();
        QVERIFY2(text.contains(u"no-such-tool not found"_s), qPrintable(text));
    }

    void everythingMapsJsonRpcErrors_data() { addTransports(); }
    void everythingMapsJsonRpcErrors()
    {
        QFETCH(QString, transport);
        const std::unique_ptr<McpClient> client = everything(transport);
        const Result<QJsonObject> result = call(*client, u"no/such-method"_s);
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::BadGateway);
        QCOMPARE(result.error().message, u"upstream MCP error -32601: Method not found"_s);
    }

    void everythingTimesOut_data() { addTransports(); }
    void everythingTimesOut()
    {
        QFETCH(QString, transport);
        const std::unique_ptr<McpClient> client = everything(transport);
        QVERIFY(call(*client, u"ping"_s)); // initialized: the timeout covers the call alone

        auto outcome = std::make_shared<Outcome>();
        client->request(u"tools/call"_s,
                        {{u"name"_s, u"trigger-long-running-operation"_s},
                         {u"arguments"_s, QJsonObject{{u"duration"_s, 20}, {u"steps"_s, 20}}}},
                        300ms,
                        recordInto(outcome));
        const Result<QJsonObject> result = awaitOutcome(outcome);
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::GatewayTimeout);
        QCOMPARE(result.error().message, u"upstream MCP server did not answer within 0.3 s"_s);

        // The session goes on, and the late call never calls back again.
        const Result<QJsonObject> echo = callTool(*client, u"echo"_s, {{u"message"_s, u"again"_s}});
        QVERIFY2(echo, describe(echo).constData());
        QCOMPARE(outcome->calls, 1);
    }

    void everythingCancels_data() { addTransports(); }
    void everythingCancels()
    {
        QFETCH(QString, transport);
        const std::unique_ptr<McpClient> client = everything(transport);
        QVERIFY(call(*client, u"ping"_s));

        auto outcome = std::make_shared<Outcome>();
        const std::function<void()> cancel =
            client->request(u"tools/call"_s,
                            {{u"name"_s, u"trigger-long-running-operation"_s},
                             {u"arguments"_s, QJsonObject{{u"duration"_s, 2}, {u"steps"_s, 2}}}},
                            20s,
                            recordInto(outcome));
        cancel();
        cancel(); // harmless twice

        const Result<QJsonObject> echo = callTool(*client, u"echo"_s, {{u"message"_s, u"on"_s}});
        QVERIFY2(echo, describe(echo).constData());
        QCOMPARE(outcome->calls, 0);
    }

    // ---- stdio specifics

    void everythingStdioProcessDiesMidCall()
    {
        HostedProcess *process = host({NodePeer::nodeBinary(), everythingScript(), u"stdio"_s});
        const std::unique_ptr<McpClient> client = McpClient::stdio(*process);
        QSignalSpy initialized(client.get(), &McpClient::initialized);
        QSignalSpy disconnected(client.get(), &McpClient::disconnected);
        QTRY_COMPARE_WITH_TIMEOUT(initialized.size(), 1, kWaitMs); // on its own, once it runs
        QVERIFY(client->isInitialized());

        auto outcome = std::make_shared<Outcome>();
        client->request(u"tools/call"_s,
                        {{u"name"_s, u"trigger-long-running-operation"_s},
                         {u"arguments"_s, QJsonObject{{u"duration"_s, 30}, {u"steps"_s, 30}}}},
                        60s,
                        recordInto(outcome));
        QVERIFY(process->session());
        const qint64 pid = process->session()->processId();
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);

        const Result<QJsonObject> result = awaitOutcome(outcome);
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::Unavailable);
        QVERIFY2(result.error().message.startsWith(u"upstream MCP server exited: "_s),
                 qPrintable(result.error().message));
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, kWaitMs);
        QCOMPARE(result.error().message,
                 u"upstream MCP server exited: "_s + disconnected.first().first().toString());
        QVERIFY(!client->isInitialized());

        // The hosted process restarts (100 ms), and the client initializes it again.
        QTRY_COMPARE_WITH_TIMEOUT(initialized.size(), 2, kWaitMs);
        const Result<QJsonObject> echo = callTool(*client, u"echo"_s, {{u"message"_s, u"back"_s}});
        QVERIFY2(echo, describe(echo).constData());
        QCOMPARE(outcome->calls, 1);
    }

    void stdioFailsAtOnceWithoutProcess()
    {
        HostedProcess *process = host({u"python3"_s, u"-c"_s, u"pass"_s}, false);
        const std::unique_ptr<McpClient> client = McpClient::stdio(*process);
        auto outcome = std::make_shared<Outcome>();
        client->request(u"ping"_s, {}, 5s, recordInto(outcome));
        QCOMPARE(outcome->calls, 0); // never from inside request()
        const Result<QJsonObject> result = awaitOutcome(outcome);
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::Unavailable);
        QCOMPARE(result.error().message, u"upstream MCP server is not running (not started)"_s);
        QCOMPARE(outcome->calls, 1);
    }

    void stdioScriptedServerRequestsAndNotifications()
    {
        const std::unique_ptr<McpClient> client = scriptedStdio();
        QSignalSpy toolsChanged(client.get(), &McpClient::toolsChanged);
        QTRY_VERIFY_WITH_TIMEOUT(client->isInitialized(), kWaitMs);
        QCOMPARE(client->protocolVersion(), u"2025-06-18"_s);
        QCOMPARE(client->serverInfo().value(u"name"_s).toString(), u"scripted"_s);
        QTRY_COMPARE_WITH_TIMEOUT(toolsChanged.size(), 1, kWaitMs);

        // Our answers to its ping and sampling requests reach it (in order, before test/seen).
        QJsonArray seen;
        QVERIFY(QTest::qWaitFor(
            [&] {
                seen = seenBy(*client);
                return seen.size() >= 4;
            },
            kWaitMs));
        const QJsonObject initialize = seen.at(0).toObject();
        QCOMPARE(initialize.value(u"method"_s).toString(), u"initialize"_s);
        const QJsonObject expectedParams{
            {u"protocolVersion"_s, u"2025-11-25"_s},
            {u"capabilities"_s, QJsonObject()},
            {u"clientInfo"_s,
             QJsonObject{{u"name"_s, u"gestalt"_s}, {u"version"_s, Gestalt::version()}}},
        };
        QCOMPARE(initialize.value(u"params"_s).toObject(), expectedParams);
        QCOMPARE(
            seen.at(1).toObject(),
            (QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"method"_s, u"notifications/initialized"_s}}));
        QCOMPARE(seen.at(2).toObject(),
                 (QJsonObject{{u"jsonrpc"_s, u"2.0"_s},
                              {u"id"_s, u"srv-1"_s},
                              {u"result"_s, QJsonObject()}}));
        const QJsonObject refused = seen.at(3).toObject();
        QCOMPARE(refused.value(u"id"_s).toString(), u"srv-2"_s);
        QCOMPARE(refused.value(u"error"_s).toObject().value(u"code"_s).toInt(), -32601);
    }

    void stdioScriptedPagesAndErrors()
    {
        const std::unique_ptr<McpClient> client = scriptedStdio();
        const Result<QJsonArray> tools = listTools(*client);
        QVERIFY2(tools, describe(tools).constData());
        QCOMPARE(toolNames(*tools), (QStringList{u"t0"_s, u"t1"_s, u"t2"_s}));

        const Result<QJsonObject> error = call(*client, u"test/error"_s);
        QVERIFY(!error);
        QCOMPARE(error.error().code, ErrorCode::BadGateway);
        QCOMPARE(error.error().message, u"upstream MCP error -32000: nope"_s);

        QSignalSpy toolsChanged(client.get(), &McpClient::toolsChanged);
        const Result<QJsonObject> batch = call(*client, u"test/batch"_s);
        QVERIFY2(batch, describe(batch).constData());
        QCOMPARE(*batch, (QJsonObject{{u"batch"_s, true}}));
        QTRY_COMPARE_WITH_TIMEOUT(toolsChanged.size(), 1, kWaitMs);
    }

    void stdioScriptedSendsCancelled_data()
    {
        QTest::addColumn<bool>("byTimeout");
        QTest::newRow("timeout") << true;
        QTest::newRow("cancel function") << false;
    }

    void stdioScriptedSendsCancelled()
    {
        QFETCH(bool, byTimeout);
        const std::unique_ptr<McpClient> client = scriptedStdio();
        QTRY_VERIFY_WITH_TIMEOUT(client->isInitialized(), kWaitMs);

        auto outcome = std::make_shared<Outcome>();
        const std::function<void()> cancel =
            client->request(u"test/hang"_s, {}, byTimeout ? 100ms : 20s, recordInto(outcome));
        if (byTimeout) {
            const Result<QJsonObject> result = awaitOutcome(outcome);
            QVERIFY(!result);
            QCOMPARE(result.error().code, ErrorCode::GatewayTimeout);
        } else {
            cancel();
        }

        const QJsonArray seen = seenBy(*client);
        qint64 hangId = -1;
        QJsonObject cancelled;
        for (const QJsonValue &value : seen) {
            const QJsonObject message = value.toObject();
            if (message.value(u"method"_s) == u"test/hang"_s) {
                hangId = message.value(u"id"_s).toInteger();
            } else if (message.value(u"method"_s) == u"notifications/cancelled"_s) {
                cancelled = message.value(u"params"_s).toObject();
            }
        }
        QVERIFY(hangId > 0);
        QCOMPARE(cancelled.value(u"requestId"_s).toInteger(), hangId);
        QCOMPARE(cancelled.value(u"reason"_s).toString(),
                 byTimeout ? u"timed out after 0.1 s"_s : u"cancelled by the client"_s);
        QCOMPARE(outcome->calls, byTimeout ? 1 : 0);
    }

    void destroyingDropsPendingCallbacks()
    {
        std::unique_ptr<McpClient> client = scriptedStdio();
        QTRY_VERIFY_WITH_TIMEOUT(client->isInitialized(), kWaitMs);
        auto outcome = std::make_shared<Outcome>();
        const std::function<void()> cancel =
            client->request(u"test/hang"_s, {}, 200ms, recordInto(outcome));
        client.reset();
        cancel(); // harmless after the client is gone

        // Longer than the timeout the request had: its callback never runs.
        const std::unique_ptr<McpClient> other = scriptedStdio();
        const Result<QJsonObject> error = call(*other, u"test/error"_s);
        QVERIFY(!error);
        QVERIFY(!call(*other, u"test/hang"_s, {}, 300ms));
        QCOMPARE(outcome->calls, 0);
    }

    void stdioScriptedRejectsUnknownProtocolVersion()
    {
        const std::unique_ptr<McpClient> client = scriptedStdio(u"1999-01-01"_s);
        const Result<QJsonObject> result = call(*client, u"test/seen"_s);
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::BadGateway);
        QCOMPARE(result.error().message,
                 u"upstream MCP server wants protocol version \"1999-01-01\"; gestalt speaks "
                 "2025-03-26, 2025-06-18, 2025-11-25"_s);
        QVERIFY(!client->isInitialized());
    }

    // ---- Streamable HTTP specifics, against the scripted server (each test has its own path)

    void httpSendsHeadersAndListens()
    {
        const std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(u"/auth/headers"_s),
                            {{"Authorization"_ba, "Bearer good"_ba}},
                            m_upstream,
                            Test::localEgress());
        QSignalSpy toolsChanged(client.get(), &McpClient::toolsChanged);
        const Result<QJsonObject> echo = call(*client, u"test/echo"_s, {{u"x"_s, 1}});
        QVERIFY2(echo, describe(echo).constData());
        QCOMPARE(*echo, (QJsonObject{{u"echo"_s, QJsonObject{{u"x"_s, 1}}}}));
        QCOMPARE(client->protocolVersion(), u"2025-06-18"_s);

        // The GET stream is open: a notification pushed on it arrives.
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QJsonArray seen = seenAt(*client, u"/auth/headers"_s);
                return std::any_of(seen.begin(), seen.end(), [](const QJsonValue &entry) {
                    return entry[u"kind"_s] == u"get"_s;
                });
            },
            kWaitMs));
        QVERIFY(notifyUntilHeard(*client, toolsChanged));

        const QJsonArray seen = seenAt(*client, u"/auth/headers"_s);
        QVERIFY(seen.size() >= 4);
        const QJsonObject initialize = seen.at(0).toObject();
        QCOMPARE(initialize[u"message"_s][u"method"_s].toString(), u"initialize"_s);
        QVERIFY(initialize[u"session"_s].isNull());
        QVERIFY(initialize[u"version"_s].isNull());
        QCOMPARE(initialize[u"contentType"_s].toString(), u"application/json"_s);
        const QString session = seen.at(1)[u"session"_s].toString();
        QVERIFY(session.startsWith(u"session-"_s));
        for (const QJsonValue &entry : seen) {
            QCOMPARE(entry[u"authorization"_s].toString(), u"Bearer good"_s);
            if (entry[u"kind"_s] == u"get"_s) {
                QCOMPARE(entry[u"accept"_s].toString(), u"text/event-stream"_s);
            } else {
                QCOMPARE(entry[u"accept"_s].toString(), u"application/json, text/event-stream"_s);
            }
            if (entry != initialize) {
                QCOMPARE(entry[u"session"_s].toString(), session);
                QCOMPARE(entry[u"version"_s].toString(), u"2025-06-18"_s);
            }
        }
    }

    void httpReopensTheGetStream()
    {
        const std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(u"/mcp/reopen"_s), {}, m_upstream, Test::localEgress());
        QSignalSpy toolsChanged(client.get(), &McpClient::toolsChanged);
        QVERIFY(call(*client, u"test/echo"_s));
        const auto gets = [&] {
            const QJsonArray seen = seenAt(*client, u"/mcp/reopen"_s);
            return std::count_if(seen.begin(), seen.end(), [](const QJsonValue &entry) {
                return entry[u"kind"_s] == u"get"_s;
            });
        };
        QVERIFY(QTest::qWaitFor([&] { return gets() == 1; }, kWaitMs));
        QVERIFY(call(*client, u"test/close-streams"_s)); // the server ends the GET stream
        QVERIFY(QTest::qWaitFor([&] { return gets() == 2; }, kWaitMs)); // after a backoff
        QVERIFY(notifyUntilHeard(*client, toolsChanged));
    }

    void httpRejectedCredential()
    {
        const std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(u"/auth/none"_s), {}, m_upstream, Test::localEgress());
        const Result<QJsonObject> result = call(*client, u"test/echo"_s);
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::BadGateway);
        QCOMPARE(result.error().message,
                 u"upstream MCP server rejected the credential (HTTP 401)"_s);
        QVERIFY(!client->isInitialized());
    }

    void httpReinitializesAnExpiredSession()
    {
        const std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(u"/mcp/expiry"_s), {}, m_upstream, Test::localEgress());
        QSignalSpy initialized(client.get(), &McpClient::initialized);
        QVERIFY(call(*client, u"test/echo"_s));
        QVERIFY(call(*client, u"test/expire"_s)); // the server forgets every session
        const Result<QJsonObject> echo = call(*client, u"test/echo"_s, {{u"after"_s, true}});
        QVERIFY2(echo, describe(echo).constData());
        QCOMPARE(*echo, (QJsonObject{{u"echo"_s, QJsonObject{{u"after"_s, true}}}}));
        QTRY_COMPARE_WITH_TIMEOUT(initialized.size(), 2, kWaitMs);

        int initializes = 0;
        int echoes = 0;
        for (const QJsonValue &entry : seenAt(*client, u"/mcp/expiry"_s)) {
            const QString method = entry[u"message"_s][u"method"_s].toString();
            initializes += method == u"initialize"_s ? 1 : 0;
            echoes += method == u"test/echo"_s ? 1 : 0;
        }
        QCOMPARE(initializes, 2);
        QCOMPARE(echoes, 3); // before, refused with 404, sent again
    }

    void httpAnswers_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QJsonObject>("expected");
        QTest::addColumn<bool>("notifies");

        QTest::newRow("chunked SSE with CRLF, comment, priming event and a notification")
            << u"/mcp/sse"_s << u"test/sse"_s << QJsonObject{{u"chunked"_s, true}} << true;
        QTest::newRow("JSON batch with a notification")
            << u"/mcp/batch"_s << u"test/batch"_s << QJsonObject{{u"batch"_s, true}} << true;
        QTest::newRow("SSE ended after an event id, resumed with Last-Event-ID")
            << u"/mcp/resume"_s << u"test/resume"_s << QJsonObject{{u"resumed"_s, true}} << false;
    }

    void httpAnswers()
    {
        QFETCH(QString, path);
        QFETCH(QString, method);
        QFETCH(QJsonObject, expected);
        QFETCH(bool, notifies);

        const std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(path), {}, m_upstream, Test::localEgress());
        QVERIFY(call(*client, u"test/echo"_s));
        QSignalSpy toolsChanged(client.get(), &McpClient::toolsChanged);
        const Result<QJsonObject> result = call(*client, method);
        QVERIFY2(result, describe(result).constData());
        QCOMPARE(*result, expected);
        if (notifies) {
            QTRY_COMPARE_WITH_TIMEOUT(toolsChanged.size(), 1, kWaitMs);
        }
    }

    void httpResumesWithLastEventId()
    {
        const std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(u"/mcp/resume2"_s), {}, m_upstream, Test::localEgress());
        QVERIFY(call(*client, u"test/resume"_s));
        qint64 id = 0;
        QString lastEventId;
        for (const QJsonValue &entry : seenAt(*client, u"/mcp/resume2"_s)) {
            if (entry[u"message"_s][u"method"_s] == u"test/resume"_s) {
                id = entry[u"message"_s][u"id"_s].toInteger();
            } else if (entry[u"kind"_s] == u"get"_s && !entry[u"lastEventId"_s].isNull()) {
                lastEventId = entry[u"lastEventId"_s].toString();
            }
        }
        QCOMPARE(lastEventId, u"r-%1"_s.arg(id));
    }

    void httpAnswersServerRequestsOnAPostStream()
    {
        const std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(u"/mcp/ping"_s), {}, m_upstream, Test::localEgress());
        const Result<QJsonObject> result = call(*client, u"test/ping-me"_s);
        QVERIFY2(result, describe(result).constData());
        QJsonObject ping;
        QJsonObject refused;
        for (const QJsonValue &answer : result->value(u"answers"_s).toArray()) {
            (answer[u"id"_s] == u"srv-1"_s ? ping : refused) = answer.toObject();
        }
        QCOMPARE(ping,
                 (QJsonObject{{u"jsonrpc"_s, u"2.0"_s},
                              {u"id"_s, u"srv-1"_s},
                              {u"result"_s, QJsonObject()}}));
        QCOMPARE(refused[u"id"_s].toString(), u"srv-2"_s);
        QCOMPARE(refused[u"error"_s][u"code"_s].toInt(), -32601);
    }

    void httpFailures_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("message");

        QTest::newRow("stream ends without an answer")
            << u"/mcp/drop"_s << u"test/drop"_s
            << u"upstream MCP server ended its response without answering"_s;
        QTest::newRow("HTTP 500 with a JSON-RPC error")
            << u"/mcp/500"_s << u"test/error500"_s
            << u"upstream MCP server answered HTTP 500: it broke"_s;
        QTest::newRow("unsupported protocol version")
            << u"/mcp/v?version=1999-01-01"_s << u"test/echo"_s
            << u"upstream MCP server wants protocol version \"1999-01-01\"; gestalt speaks "
               "2025-03-26, 2025-06-18, 2025-11-25"_s;
    }

    void httpFailures()
    {
        QFETCH(QString, path);
        QFETCH(QString, method);
        QFETCH(QString, message);

        const std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(path), {}, m_upstream, Test::localEgress());
        const Result<QJsonObject> result = call(*client, method);
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::BadGateway);
        QCOMPARE(result.error().message, message);
    }

    void httpWithoutGetStream()
    {
        const std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(u"/nostream"_s), {}, m_upstream, Test::localEgress());
        QVERIFY(call(*client, u"test/echo"_s));
        const auto gets = [&] {
            const QJsonArray seen = seenAt(*client, u"/nostream"_s);
            return std::count_if(seen.begin(), seen.end(), [](const QJsonValue &entry) {
                return entry[u"kind"_s] == u"get"_s;
            });
        };
        QVERIFY(QTest::qWaitFor([&] { return gets() >= 1; }, kWaitMs));
        QVERIFY(call(*client, u"test/echo"_s));
        QCOMPARE(gets(), 1); // 405: not asked again
    }

    void httpTimeoutSendsCancelled()
    {
        const std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(u"/mcp/hang"_s), {}, m_upstream, Test::localEgress());
        QVERIFY(call(*client, u"test/echo"_s));
        const Result<QJsonObject> result = call(*client, u"test/hang"_s, {}, 200ms);
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::GatewayTimeout);
        QCOMPARE(result.error().message, u"upstream MCP server did not answer within 0.2 s"_s);

        QJsonObject cancelled;
        qint64 hangId = 0;
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const QJsonValue &entry : seenAt(*client, u"/mcp/hang"_s)) {
                    const QJsonValue message = entry[u"message"_s];
                    if (message[u"method"_s] == u"test/hang"_s) {
                        hangId = message[u"id"_s].toInteger();
                    } else if (message[u"method"_s] == u"notifications/cancelled"_s) {
                        cancelled = message[u"params"_s].toObject();
                    }
                }
                return !cancelled.isEmpty();
            },
            kWaitMs));
        QCOMPARE(cancelled[u"requestId"_s].toInteger(), hangId);
        QCOMPARE(cancelled[u"reason"_s].toString(), u"timed out after 0.2 s"_s);
    }

    void httpDeletesTheSessionWhenDestroyed()
    {
        std::unique_ptr<McpClient> client =
            McpClient::http(scriptedUrl(u"/mcp/delete"_s), {}, m_upstream, Test::localEgress());
        QVERIFY(call(*client, u"test/echo"_s));
        const QString session = seenAt(*client, u"/mcp/delete"_s).at(1)[u"session"_s].toString();
        QVERIFY(!session.isEmpty());
        client.reset();

        const std::unique_ptr<McpClient> observer =
            McpClient::http(scriptedUrl(u"/mcp/observer"_s), {}, m_upstream, Test::localEgress());
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QJsonArray seen = seenAt(*observer, u"/mcp/delete"_s);
                return std::any_of(seen.begin(), seen.end(), [&](const QJsonValue &entry) {
                    return entry[u"kind"_s] == u"delete"_s && entry[u"session"_s] == session;
                });
            },
            kWaitMs));
    }

    void httpConnectionRefused()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        const std::unique_ptr<McpClient> client = McpClient::http(
            QUrl(u"http://127.0.0.1:%1/mcp"_s.arg(port)), {}, m_upstream, Test::localEgress());
        const Result<QJsonObject> result = call(*client, u"ping"_s);
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::BadGateway);
        QCOMPARE(result.error().message,
                 u"cannot reach the upstream MCP server: failed to reach upstream service"_s);
    }

    void httpCapsTheBody()
    {
        FakeUpstream upstream;
        QVERIFY(upstream.start());
        upstream.setBehaviour(FakeUpstream::Behaviour::Body);
        upstream.setBodySize(64LL * 1024 * 1024 + 1, true);
        const std::unique_ptr<McpClient> client = McpClient::http(
            QUrl(upstream.baseUrl() + u"/mcp"_s), {}, m_upstream, Test::localEgress());
        const Result<QJsonObject> result = call(*client, u"ping"_s);
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::BadGateway);
        QCOMPARE(result.error().message, u"upstream MCP server sent more than 64 MiB"_s);
    }
};

QTEST_GUILESS_MAIN(tst_McpClient)
#include "tst_mcpclient.moc"
