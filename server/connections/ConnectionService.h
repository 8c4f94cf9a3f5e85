// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/Clock.h"
#include "audit/AuditEvent.h"
#include "connections/StoredCredential.h"
#include "identity/Principal.h"
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

// A started app OAuth flow: the authorization URL, its state, and the Set-Cookie value that binds
// the flow to the browser that started it (the callback needs the cookie back).
struct OAuthStart
{
    QString url;
    QString state;
    QByteArray setCookie;

    [[nodiscard]] QJsonObject toJson() const;
};

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
// stored through CredentialRepository under the caller's subject.
// The OAuth state is sealed (10 minutes, PKCE verifier inside) and also stored hashed in
// oauth_grants: single use across replicas and restarts, bound to the browser that started the
// flow (cookie oauth_binding_<id>, HttpOnly, SameSite=Lax, Path=/api/v1/auth/callback, Secure on
// https; its SHA-256 is stored) and to the subject who started it. A callback without that
// cookie, or from another (or no) session, is refused before the code is exchanged.
class ConnectionService final : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(Result<ConnectOutcome>)>;
    // The public base URL ("http://127.0.0.1:8080"): server.baseUrl, else the bound listener.
    using BaseUrl = std::function<QString()>;

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
    [[nodiscard]] static QString bindingCookieName(const QString &state);
    // POST /api/v1/auth/connect-manual.
    void connectManual(const Principal &principal, const QJsonObject &body, Callback callback,
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

    static constexpr int StateTtlSeconds = 10 * 60;
    static constexpr int PendingTtlSeconds = 30 * 60;

private:
    struct Target;
    [[nodiscard]] Result<Target> target(const Principal &principal, const QJsonObject &body,
                                        const QString &credentialSubjectId);
    // The authorization redirect for a resolved target; stores the state.
    [[nodiscard]] Result<OAuthStart> oauthUrl(const Target &t);
    // The pending token's claims, once the caller is proven (binding cookie or same subject).
    [[nodiscard]] Result<QJsonObject> openPending(const QString &pendingToken,
                                                  const QString &bindingCookie,
                                                  const Principal *principal);
    // The chosen candidate of an opened pending token, stored.
    [[nodiscard]] Result<ConnectOutcome> choose(const QJsonObject &claims,
                                                const QString &candidateIndex,
                                                const QString &candidateId);
    void finishConnect(const Target &target, StoredCredential credential, Callback callback);
    [[nodiscard]] Result<ConnectOutcome> store(const Target &target, StoredCredential credential,
                                               const QJsonObject &candidate);
    // One connection.* audit event. `principal` null: `actor` (from a state) is the subject.
    void audit(const AuditContext &context, const Principal *principal, const QString &actor,
               const QString &action, const QString &credentialSubject, const QString &what,
               const std::optional<Error> &error) const;

    const AppCatalog &m_catalog;
    const AccessCheck &m_access;
    CredentialRepository &m_credentials;
    OAuthGrantRepository &m_grants;
    OAuthClient &m_oauth;
    UpstreamClient &m_upstream;
    const Crypto::Sealer &m_sealer;
    Clock m_clock;
    BaseUrl m_baseUrl;
    AuditLog *m_audit = nullptr;
};

} // namespace Gestalt
