// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditEvent.h"
#include "connections/ConnectTarget.h"
#include "connections/ConnectionDiscovery.h"
#include "connections/OAuthConnect.h"
#include "connections/PendingChoices.h"
#include "connections/StoredCredential.h"
#include "core/Principal.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace Gestalt {

class AccessCheck;
class AppCatalog;
class AuditLog;
class CredentialRepository;
class OAuthClient;
class OAuthGrantRepository;
class UpstreamClient;
struct AppConnection;
struct AppDefinition;
namespace Crypto {
class Sealer;
}

// Where a connect request came from and whose credential it writes.
struct ConnectContext
{
    AuditContext audit;
    // Empty: the caller's own subject. Managed subjects: service_account:<id> (the caller is the
    // user managing it; the OAuth state and the pending choice carry this subject).
    QString credentialSubjectId;
};

// How users connect apps (gestalt-facts §2.4–§2.7): OAuth start and callback, manual credentials,
// discovery of the accounts a credential reaches and the pending choice between several, all
// stored through CredentialRepository under the caller's subject. This class reads requests,
// checks access, stores and audits; OAuthConnect (the OAuth state and code exchange),
// ConnectionDiscovery (the accounts a credential reaches) and PendingChoices (the sealed choice
// between several) do the rest. A callback without the flow's binding cookie, or from another
// (or no) session, is refused before the code is exchanged.
class ConnectionService final : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(Result<ConnectOutcome>)>;
    // The public base URL ("http://127.0.0.1:8080"): server.baseUrl, else the bound listener.
    using BaseUrl = OAuthConnect::BaseUrl;

    ConnectionService(const AppCatalog &catalog,
                      const AccessCheck &access,
                      CredentialRepository &credentials,
                      OAuthGrantRepository &grants,
                      OAuthClient &oauth,
                      UpstreamClient &upstream,
                      const Crypto::Sealer &sealer,
                      Clock clock,
                      BaseUrl baseUrl,
                      QObject *parent = nullptr);

    // Audits connection.oauth.start|complete, connection.manual.connect and
    // connection.pending.select (allowed or not) when set. Never records a secret.
    void setAuditLog(AuditLog *audit) { m_audit = audit; }

    // POST /api/v1/auth/start-oauth → {url, state} and the binding cookie. The caller must be
    // able to see the app.
    [[nodiscard]] Result<OAuthStart> startOAuth(const Principal &principal,
                                                const QJsonObject &body,
                                                const ConnectContext &context = {});
    // GET /api/v1/auth/callback: checks the state (stored, unused, unexpired), the browser
    // binding (`cookies`: the callback request's cookie reader) and the caller (`principal`,
    // null when the request carries no valid session: refused), consumes the state, exchanges
    // the code and stores the credential under the subject the state names.
    void completeOAuth(const QString &code,
                       const QString &state,
                       const std::function<QString(const QString &)> &cookies,
                       const Principal *principal,
                       Callback callback,
                       const AuditContext &audit = {});
    // The name of the cookie that binds the flow of this state to its browser.
    [[nodiscard]] static QString bindingCookieName(const QString &state)
    {
        return OAuthConnect::bindingCookieName(state);
    }
    // POST /api/v1/auth/connect-manual.
    void connectManual(const Principal &principal,
                       const QJsonObject &body,
                       Callback callback,
                       const ConnectContext &context = {});

    // The pending choice: its candidates (for the selection page) or, with a candidate, the
    // stored credential. `bindingCookie` or a matching `principal` (the credential's subject, or
    // the user who started the connection for a managed subject) proves the caller.
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
                                                       const QString &candidateId,
                                                       const AuditContext &audit = {});

    static constexpr int StateTtlSeconds = OAuthConnect::StateTtlSeconds;
    static constexpr int PendingTtlSeconds = PendingChoices::TtlSeconds;

private:
    // The target a start-oauth or connect-manual body names, checked against the catalog and
    // the caller's access.
    [[nodiscard]] Result<ConnectTarget>
    target(const Principal &principal, const QJsonObject &body, const QString &credentialSubjectId);
    // The app's user connection the body's selectors name (connection, instance).
    [[nodiscard]] Result<void> resolveConnection(ConnectTarget &target, const QJsonObject &body);
    // The given connectionParams: declared user params only, plain values; then the defaults,
    // and an error for a required one missing.
    [[nodiscard]] static Result<void> readParams(ConnectTarget &target, const QJsonObject &given);
    // The manual credential of a connect-manual body: `credentials` (named fields) or
    // `credential` (one value).
    [[nodiscard]] static Result<StoredCredential> readManualCredential(const ConnectTarget &target,
                                                                       const QJsonObject &body);
    // Stores the credential, after discovery when the connection has it: one account is stored,
    // several become a pending choice.
    void finishConnect(const ConnectTarget &target,
                       StoredCredential credential,
                       const Callback &callback);
    [[nodiscard]] Result<ConnectOutcome>
    store(const ConnectTarget &target, StoredCredential credential, const QJsonObject &candidate);
    // One connection.* audit event. `principal` null: `actor` (from a state) is the subject.
    void audit(const AuditContext &context,
               const Principal *principal,
               const QString &actor,
               const QString &action,
               const QString &credentialSubject,
               const QString &what,
               const std::optional<Error> &error) const;

    const AppCatalog &m_catalog;
    const AccessCheck &m_access;
    CredentialRepository &m_credentials;
    Clock m_clock;
    OAuthConnect m_oauthConnect;
    ConnectionDiscovery m_discovery;
    PendingChoices m_pending;
    AuditLog *m_audit = nullptr;
};

} // namespace Gestalt
