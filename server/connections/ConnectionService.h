// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/Clock.h"
#include "connections/StoredCredential.h"
#include "identity/Principal.h"
#include "shared/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>

namespace Gestalt {

class AccessCheck;
class AppCatalog;
class CredentialRepository;
class OAuthClient;
class UpstreamClient;
struct AppConnection;
struct AppDefinition;
namespace Crypto {
class Sealer;
}

// The result of connecting: stored, or several discovered accounts to choose from.
struct ConnectOutcome
{
    QString app;
    bool selectionRequired = false;
    QString pendingToken;  // sealed, 30 minutes
    QString bindingCookie; // pending_connection_state value binding the browser
    QJsonArray candidates; // [{id, name}]

    [[nodiscard]] QJsonObject toJson() const;
};

// How users connect apps (gestalt-facts §2.4–§2.7): OAuth start and callback with a sealed,
// stateless state (10 minutes, PKCE verifier inside), manual credentials, discovery of the
// accounts a credential reaches and the pending choice between several, all stored through
// CredentialRepository under the caller's subject.
class ConnectionService final : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(Result<ConnectOutcome>)>;
    // The public base URL ("http://127.0.0.1:8080"): server.baseUrl, else the bound listener.
    using BaseUrl = std::function<QString()>;

    ConnectionService(const AppCatalog &catalog, const AccessCheck &access,
                      CredentialRepository &credentials, OAuthClient &oauth,
                      UpstreamClient &upstream, const Crypto::Sealer &sealer, Clock clock,
                      BaseUrl baseUrl, QObject *parent = nullptr);

    // POST /api/v1/auth/start-oauth → {url, state}.
    [[nodiscard]] Result<QJsonObject> startOAuth(const Principal &principal,
                                                 const QJsonObject &body);
    // GET /api/v1/auth/callback: exchanges the code and stores the credential.
    void completeOAuth(const QString &code, const QString &state, Callback callback);
    // POST /api/v1/auth/connect-manual.
    void connectManual(const Principal &principal, const QJsonObject &body, Callback callback);

    // The pending choice: its candidates (for the selection page) or, with a candidate, the
    // stored credential. `bindingCookie` or a matching `principal` proves the caller.
    struct PendingChoice
    {
        QString app;
        QJsonArray candidates;
    };
    [[nodiscard]] Result<PendingChoice> readPending(const QString &pendingToken,
                                                    const QString &bindingCookie,
                                                    const Principal *principal);
    [[nodiscard]] Result<ConnectOutcome> choosePending(const QString &pendingToken,
                                                       const QString &bindingCookie,
                                                       const Principal *principal,
                                                       const QString &candidateIndex,
                                                       const QString &candidateId);

    static constexpr int StateTtlSeconds = 10 * 60;
    static constexpr int PendingTtlSeconds = 30 * 60;

private:
    struct Target;
    [[nodiscard]] Result<Target> target(const Principal &principal, const QJsonObject &body);
    // The pending token's claims, once the caller is proven (binding cookie or same subject).
    [[nodiscard]] Result<QJsonObject> openPending(const QString &pendingToken,
                                                  const QString &bindingCookie,
                                                  const Principal *principal);
    void finishConnect(const Target &target, StoredCredential credential, Callback callback);
    [[nodiscard]] Result<ConnectOutcome> store(const Target &target, StoredCredential credential,
                                               const QJsonObject &candidate);

    const AppCatalog &m_catalog;
    const AccessCheck &m_access;
    CredentialRepository &m_credentials;
    OAuthClient &m_oauth;
    UpstreamClient &m_upstream;
    const Crypto::Sealer &m_sealer;
    Clock m_clock;
    BaseUrl m_baseUrl;
};

} // namespace Gestalt
