// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connections/ConnectTarget.h"
#include "core/Principal.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace Gestalt {

class AppCatalog;
namespace Crypto {
class Sealer;
}

// The pending choice (gestalt-facts §2.7): when discovery finds several accounts, the credential
// waits in a sealed pending token (30 minutes) until the user picks one. The token carries the
// target, the credential and the candidates; a second sealed value, the binding cookie, ties it to
// the browser. Nothing is stored until the choice.
class PendingChoices final
{
public:
    // A chosen candidate with the target and credential the token carried, ready to store.
    struct Choice
    {
        ConnectTarget target;
        StoredCredential credential;
        QJsonObject candidate; // {id, name, metadata}
    };

    PendingChoices(const AppCatalog &catalog, const Crypto::Sealer &sealer, Clock clock);

    // The selection_required outcome for a credential of `target` that reaches `candidates`.
    [[nodiscard]] ConnectOutcome create(const ConnectTarget &target,
                                        const StoredCredential &credential,
                                        const QJsonArray &candidates) const;
    // The pending token's claims, once the caller is proven: `bindingCookie`, or a `principal`
    // that is the credential's subject or the user who started the connection.
    [[nodiscard]] Result<QJsonObject> open(const QString &pendingToken,
                                           const QString &bindingCookie,
                                           const Principal *principal) const;
    // The candidate of opened claims named by `candidateIndex` (when given) or `candidateId`.
    [[nodiscard]] Result<Choice> choose(const QJsonObject &claims,
                                        const QString &candidateIndex,
                                        const QString &candidateId) const;

    static constexpr int TtlSeconds = 30 * 60;

private:
    [[nodiscard]] Result<QJsonObject> decode(const QString &pendingToken) const;

    const AppCatalog &m_catalog;
    const Crypto::Sealer &m_sealer;
    Clock m_clock;
};

} // namespace Gestalt
