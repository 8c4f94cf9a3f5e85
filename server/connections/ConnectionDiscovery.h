// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connections/ConnectTarget.h"
#include "shared/Result.h"

#include <QJsonArray>
#include <QJsonValue>

#include <functional>

namespace Gestalt {

class UpstreamClient;
struct DiscoveryConfig;

// Discovery (gestalt-facts §2.6): which accounts a new credential reaches. One GET of the
// connection's discovery URL with the credential as a bearer token, under the app's egress policy;
// the answer's items become candidates [{id, name, metadata}].
class ConnectionDiscovery final
{
public:
    // The candidates, or BadGateway "connection setup failed" when the call fails, answers other
    // than 200, or lists no account.
    using Callback = std::function<void(Result<QJsonArray>)>;

    explicit ConnectionDiscovery(UpstreamClient &upstream);

    // The target's connection must have a discovery block.
    void
    discover(const ConnectTarget &target, const StoredCredential &credential, Callback callback);

    // The candidates of one discovery answer: items at itemsPath (the document itself when
    // empty), each with an id (idPath, default "id"); the name (namePath, default "name") falls
    // back to the id; metadata keeps plain values only.
    [[nodiscard]] static QJsonArray candidates(const DiscoveryConfig &discovery,
                                               const QJsonValue &document);

    static constexpr int TimeoutSeconds = 30;

private:
    UpstreamClient &m_upstream;
};

} // namespace Gestalt
