// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connections/StoredCredential.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace Gestalt {

struct AppConnection;
struct AuthConfig;
struct EgressPolicy;
struct OAuthTokens;
class CredentialRepository;
class OAuthClient;

// Keeps credentials usable: refreshes OAuth tokens before use and owns platform tokens.
//
// resolveFresh(): when the credential expires within 5 minutes (or has expired) and has a
// refresh token, refreshes it first. One refresh per credential at a time: in this process
// (callers queue behind the one in flight) and across replicas (a lease row claimed with
// CredentialRepository::claimRefresh; a replica that loses the claim re-reads the row until the
// winner stores the result or the lease runs out, ~30 s). A rotated refresh token is stored in the
// same UPDATE as the access token; when none is returned the old one is kept.
// Outcomes:
//   fresh or refreshed         → the credential
//   invalid (stored flag)      → PreconditionFailed, machineCode "reconnect_required"
//   invalid_grant              → credential marked invalid, then as above
//   transient refresh failure  → the old credential when not yet expired, else as above after
//                                counting the failure
//   expired, no refresh token  → PreconditionFailed "reconnect_required"
//   token URL refused by the   → that Forbidden error as it is (nothing sent, no failure
//     app's egress policy          counted: the deployment, not the credential, must change)
// Token requests run under `egress`, the app's EgressPolicy (AppDefinition::egress).
// Messages name the app, never a token.
class CredentialService final : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(Result<StoredCredential>)>;

    CredentialService(CredentialRepository &repository,
                      OAuthClient &oauth,
                      Clock clock,
                      QString replicaId,
                      QObject *parent = nullptr);

    void resolveFresh(const QString &appName,
                      const EgressPolicy &egress,
                      const AppConnection &connection,
                      const StoredCredential &credential,
                      Callback callback);

    // Platform connections (mode platform): grantType client_credentials (token fetched and
    // cached under subject "system:platform") or refresh_token (auth.refreshToken from the
    // config seeds the stored row). Refreshed like user credentials. Missing configuration →
    // PreconditionFailed, machineCode "admin_configuration_required".
    void resolvePlatform(const QString &appName,
                         const EgressPolicy &egress,
                         const AppConnection &connection,
                         Callback callback);

    // 412 reconnect_required naming the app: the one wording for a credential that needs the
    // user again (refresh failed for good, or the upstream answered 401).
    [[nodiscard]] static Error reconnectRequired(const QString &appName);

    static constexpr int RefreshMarginSeconds = 5 * 60;
    static constexpr int LeaseSeconds = 30;

private:
    void startRefresh(const QString &appName,
                      const EgressPolicy &egress,
                      const AuthConfig &auth,
                      const StoredCredential &credential);
    void onRefreshed(const QString &appName,
                     const StoredCredential &row,
                     const Result<OAuthTokens> &tokens);
    void waitForOtherReplica(const QString &appName, const StoredCredential &row, int polls);
    void fetchPlatformToken(const QString &appName,
                            const EgressPolicy &egress,
                            const QString &connectionId,
                            const AuthConfig &auth,
                            Callback callback);
    // Answers everyone waiting under `key` (a credential id, or "platform:<connectionId>").
    void finish(const QString &key, const Result<StoredCredential> &result);
    // Calls back from the event loop, never inside the call.
    void later(Callback callback, Result<StoredCredential> result);

    CredentialRepository &m_repository;
    OAuthClient &m_oauth;
    Clock m_clock;
    QString m_replicaId;
    QHash<QString, QList<Callback>> m_inFlight; // credential id → waiting callers
};

} // namespace Gestalt
