// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "connections/CredentialService.h"

#include "catalog/AppDefinition.h"
#include "connections/CredentialRepository.h"
#include "core/Logging.h"
#include "crypto/Hash.h"
#include "httpclient/EgressPolicy.h"
#include "httpclient/OAuthClient.h"

#include <QPointer>
#include <QTimer>

#include <chrono>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr std::chrono::milliseconds kPollInterval{250};
// A replica that lost the claim re-reads the row this often, about as long as a lease lasts.
constexpr int kMaxPolls = static_cast<int>(
    std::chrono::milliseconds(std::chrono::seconds(CredentialService::LeaseSeconds))
    / kPollInterval);

const QString kPlatformSubject = u"system:platform"_s;
const QString kDefaultInstance = u"default"_s;
// Metadata key of a platform refresh_token row: SHA-256 of the configured token it was seeded
// from, so a token the deployer replaces in the config is picked up.
const QString kSeedKey = u"platform_seed_sha256"_s;
const QString kReconnectRequired = u"reconnect_required"_s;

Error adminConfigurationRequired(const QString &appName, const QString &what)
{
    return {
        ErrorCode::PreconditionFailed,
        u"platform connection for integration \"%1\" is not configured: %2"_s.arg(appName, what),
        u"admin_configuration_required"_s};
}

bool isExpired(const StoredCredential &credential, const QDateTime &now)
{
    return credential.expiresAt && *credential.expiresAt <= now;
}

bool needsRefresh(const StoredCredential &credential, const QDateTime &now)
{
    return credential.expiresAt
           && *credential.expiresAt <= now.addSecs(CredentialService::RefreshMarginSeconds);
}

// The caller's own app name in the reconnect message, whoever's refresh it waited for.
CredentialService::Callback forApp(const QString &appName, CredentialService::Callback callback)
{
    return [appName, callback = std::move(callback)](Result<StoredCredential> result) {
        if (!result && result.error().machineCode == kReconnectRequired) {
            callback(CredentialService::reconnectRequired(appName));
            return;
        }
        callback(std::move(result));
    };
}

} // namespace

Error CredentialService::reconnectRequired(const QString &appName)
{
    return {ErrorCode::PreconditionFailed,
            u"connection for integration \"%1\" must be reconnected"_s.arg(appName),
            kReconnectRequired};
}

CredentialService::CredentialService(CredentialRepository &repository,
                                     OAuthClient &oauth,
                                     Clock clock,
                                     QString replicaId,
                                     QObject *parent)
    : QObject(parent)
    , m_repository(repository)
    , m_oauth(oauth)
    , m_clock(std::move(clock))
    , m_replicaId(std::move(replicaId))
{}

void CredentialService::resolveFresh(const QString &appName,
                                     const EgressPolicy &egress,
                                     const AppConnection &connection,
                                     const StoredCredential &credential,
                                     Callback callback)
{
    const QDateTime now = m_clock();
    if (credential.invalid) {
        later(std::move(callback), reconnectRequired(appName));
        return;
    }
    if (!needsRefresh(credential, now)) {
        later(std::move(callback), credential);
        return;
    }
    if (!credential.canRefresh() || !connection.config.auth) {
        later(std::move(callback),
              isExpired(credential, now) ? Result<StoredCredential>(reconnectRequired(appName))
                                         : Result<StoredCredential>(credential));
        return;
    }
    // Apps sharing a connection may differ in egress: one whose policy refuses the token URL
    // neither starts nor joins a refresh.
    if (Result<void> allowed =
            OAuthClient::checkEgress(*connection.config.auth, credential.metadata, egress);
        !allowed) {
        qCInfo(lcConnections).noquote()
            << "refresh of credential" << credential.id << "for integration" << appName
            << "was not sent:" << allowed.error().message;
        later(std::move(callback), allowed.error());
        return;
    }
    const auto waiting = m_inFlight.find(credential.id);
    if (waiting != m_inFlight.end()) {
        waiting->append(forApp(appName, std::move(callback)));
        return;
    }
    m_inFlight.insert(credential.id, {forApp(appName, std::move(callback))});
    QTimer::singleShot(
        0, this, [this, appName, egress, auth = *connection.config.auth, credential] {
            startRefresh(appName, egress, auth, credential);
        });
}

void CredentialService::startRefresh(const QString &appName,
                                     const EgressPolicy &egress,
                                     const AuthConfig &auth,
                                     const StoredCredential &credential)
{
    const QDateTime now = m_clock();
    const auto fallback = [&](const Error &error) -> Result<StoredCredential> {
        if (isExpired(credential, now)) {
            return error;
        }
        return credential;
    };
    // Another replica may have refreshed it since the caller read the row.
    const Result<std::optional<StoredCredential>> current = m_repository.findById(credential.id);
    if (!current) {
        finish(credential.id, fallback(current.error()));
        return;
    }
    if (!current->has_value()) {
        finish(credential.id, reconnectRequired(appName));
        return;
    }
    const StoredCredential &row = **current;
    if (row.invalid) {
        finish(row.id, reconnectRequired(appName));
        return;
    }
    if (!needsRefresh(row, now) || !row.canRefresh()) {
        finish(row.id,
               isExpired(row, now) ? Result<StoredCredential>(reconnectRequired(appName))
                                   : Result<StoredCredential>(row));
        return;
    }
    const Result<bool> claimed =
        m_repository.claimRefresh(row.id, m_replicaId, now, now.addSecs(LeaseSeconds));
    if (!claimed) {
        finish(row.id, fallback(claimed.error()));
        return;
    }
    if (!*claimed) {
        qCInfo(lcConnections).noquote()
            << "credential" << row.id << "is being refreshed by another replica: waiting for it";
        waitForOtherReplica(appName, row, 0);
        return;
    }
    QPointer<CredentialService> self(this);
    m_oauth.refresh(auth,
                    row.refreshToken,
                    row.metadata,
                    egress,
                    [self, appName, row](const Result<OAuthTokens> &tokens) {
                        if (self) {
                            self->onRefreshed(appName, row, tokens);
                        }
                    });
}

void CredentialService::onRefreshed(const QString &appName,
                                    const StoredCredential &row,
                                    const Result<OAuthTokens> &tokens)
{
    const QDateTime now = m_clock();
    if (!tokens) {
        if (tokens.error().code == ErrorCode::Forbidden) {
            // The app's egress policy refused the token URL: nothing was sent, and no failure of
            // the credential is counted.
            qCInfo(lcConnections).noquote()
                << "refresh of credential" << row.id << "was not sent:" << tokens.error().message;
            finish(row.id, tokens.error());
            return;
        }
        const bool terminal = tokens.error().machineCode == u"invalid_grant";
        if (const Result<void> recorded = m_repository.recordRefreshFailure(row.id, terminal, now);
            !recorded) {
            qCWarning(lcConnections).noquote()
                << "could not record the failed refresh of credential" << row.id << ":"
                << recorded.error().message;
        }
        if (terminal) {
            qCInfo(lcConnections).noquote()
                << "refresh of credential" << row.id
                << "was refused (invalid_grant): the user must reconnect";
            finish(row.id, reconnectRequired(appName));
            return;
        }
        qCInfo(lcConnections).noquote()
            << "refresh of credential" << row.id << "failed:" << tokens.error().message;
        finish(row.id,
               isExpired(row, now) ? Result<StoredCredential>(reconnectRequired(appName))
                                   : Result<StoredCredential>(row));
        return;
    }

    StoredCredential updated = row;
    updated.accessToken = tokens->accessToken;
    if (!tokens->refreshToken.isEmpty()) {
        updated.refreshToken = tokens->refreshToken;
    }
    if (!tokens->tokenType.isEmpty()) {
        updated.tokenType = tokens->tokenType;
    }
    updated.expiresAt = tokens->expiresInSeconds
                            ? std::optional<QDateTime>(now.addSecs(*tokens->expiresInSeconds))
                            : std::nullopt;
    updated.refreshErrorCount = 0;
    updated.invalid = false;
    updated.updatedAt = now;
    if (const Result<void> stored = m_repository.storeRefreshed(
            row.id, tokens->accessToken, tokens->refreshToken, updated.expiresAt, now);
        !stored) {
        // The new token works for this call; the next one refreshes again.
        qCWarning(lcConnections).noquote() << "could not store the refreshed credential" << row.id
                                           << ":" << stored.error().message;
    }
    finish(row.id, updated);
}

void CredentialService::waitForOtherReplica(const QString &appName,
                                            const StoredCredential &row,
                                            int polls)
{
    QTimer::singleShot(kPollInterval, this, [this, appName, row, polls] {
        const QDateTime now = m_clock();
        const Result<std::optional<StoredCredential>> current = m_repository.findById(row.id);
        if (current && !current->has_value()) {
            finish(row.id, reconnectRequired(appName)); // disconnected meanwhile
            return;
        }
        if (current) {
            const StoredCredential &latest = **current;
            if (latest.invalid) {
                finish(row.id, reconnectRequired(appName));
                return;
            }
            if (latest.accessToken != row.accessToken || latest.expiresAt != row.expiresAt) {
                finish(row.id, latest); // the other replica stored a new token
                return;
            }
            if (latest.refreshErrorCount > row.refreshErrorCount) {
                finish(row.id,
                       isExpired(latest, now) ? Result<StoredCredential>(reconnectRequired(appName))
                                              : Result<StoredCredential>(latest));
                return;
            }
        }
        if (polls + 1 < kMaxPolls) {
            waitForOtherReplica(appName, row, polls + 1);
            return;
        }
        qCInfo(lcConnections).noquote() << "refresh of credential" << row.id
                                        << "by another replica did not finish within the lease";
        if (!isExpired(row, now)) {
            finish(row.id, row);
            return;
        }
        finish(row.id,
               Error::unavailable(
                   u"the credential of integration \"%1\" is being refreshed; try again"_s.arg(
                       appName)));
    });
}

void CredentialService::resolvePlatform(const QString &appName,
                                        const EgressPolicy &egress,
                                        const AppConnection &connection,
                                        Callback callback)
{
    const std::optional<AuthConfig> &auth = connection.config.auth;
    if (!auth || auth->tokenUrl.isEmpty()) {
        later(std::move(callback), adminConfigurationRequired(appName, u"no tokenUrl"_s));
        return;
    }
    if (auth->grantType == u"client_credentials") {
        if (auth->clientId.isEmpty()) {
            later(std::move(callback), adminConfigurationRequired(appName, u"no clientId"_s));
            return;
        }
        fetchPlatformToken(appName, egress, connection.connectionId, *auth, std::move(callback));
        return;
    }
    if (auth->grantType != u"refresh_token") {
        later(std::move(callback),
              adminConfigurationRequired(
                  appName, u"grantType must be client_credentials or refresh_token"_s));
        return;
    }
    if (auth->refreshToken.isEmpty()) {
        later(std::move(callback), adminConfigurationRequired(appName, u"no refreshToken"_s));
        return;
    }
    const QDateTime now = m_clock();
    Result<std::optional<StoredCredential>> found =
        m_repository.find(kPlatformSubject, connection.connectionId, kDefaultInstance);
    if (!found) {
        later(std::move(callback), found.error());
        return;
    }
    const QString seed = Crypto::sha256Hex(auth->refreshToken.toUtf8());
    if (!found->has_value() || (*found)->metadata.value(kSeedKey) != seed) {
        // First use, or the deployer configured a new refresh token: start from it.
        StoredCredential seeded;
        seeded.subjectId = kPlatformSubject;
        seeded.connectionId = connection.connectionId;
        seeded.instance = kDefaultInstance;
        seeded.refreshToken = auth->refreshToken;
        seeded.metadata.insert(kSeedKey, seed);
        seeded.expiresAt = now; // no access token yet: refresh at once
        if (const Result<void> stored = m_repository.upsert(seeded, now); !stored) {
            later(std::move(callback), stored.error());
            return;
        }
        *found = seeded;
    }
    resolveFresh(appName, egress, connection, **found, std::move(callback));
}

void CredentialService::fetchPlatformToken(const QString &appName,
                                           const EgressPolicy &egress,
                                           const QString &connectionId,
                                           const AuthConfig &auth,
                                           Callback callback)
{
    const QDateTime now = m_clock();
    const Result<std::optional<StoredCredential>> cached =
        m_repository.find(kPlatformSubject, connectionId, kDefaultInstance);
    if (!cached) {
        later(std::move(callback), cached.error());
        return;
    }
    if (cached->has_value() && !(*cached)->invalid && !needsRefresh(**cached, now)) {
        later(std::move(callback), **cached);
        return;
    }
    if (Result<void> allowed = OAuthClient::checkEgress(auth, {}, egress); !allowed) {
        qCInfo(lcConnections).noquote() << "client_credentials token for integration" << appName
                                        << "was not requested:" << allowed.error().message;
        later(std::move(callback), allowed.error());
        return;
    }
    const QString key = u"platform:"_s + connectionId;
    const auto waiting = m_inFlight.find(key);
    if (waiting != m_inFlight.end()) {
        waiting->append(std::move(callback));
        return;
    }
    m_inFlight.insert(key, {std::move(callback)});
    QPointer<CredentialService> self(this);
    m_oauth.clientCredentials(
        auth, egress, [self, key, appName, connectionId](const Result<OAuthTokens> &tokens) {
            CredentialService *service = self;
            if (!service) {
                return;
            }
            if (!tokens) {
                qCInfo(lcConnections).noquote() << "client_credentials token for integration"
                                                << appName << "failed:" << tokens.error().message;
                service->finish(key, tokens.error());
                return;
            }
            const QDateTime fetchedAt = service->m_clock();
            StoredCredential credential;
            credential.subjectId = kPlatformSubject;
            credential.connectionId = connectionId;
            credential.instance = kDefaultInstance;
            credential.accessToken = tokens->accessToken;
            credential.refreshToken = tokens->refreshToken;
            credential.tokenType = tokens->tokenType;
            if (tokens->expiresInSeconds) {
                credential.expiresAt = fetchedAt.addSecs(*tokens->expiresInSeconds);
            }
            if (const Result<void> stored = service->m_repository.upsert(credential, fetchedAt);
                !stored) {
                qCWarning(lcConnections).noquote() << "could not cache the platform token of"
                                                   << connectionId << ":" << stored.error().message;
            }
            service->finish(key, credential);
        });
}

void CredentialService::finish(const QString &key, const Result<StoredCredential> &result)
{
    const QList<Callback> waiting = m_inFlight.take(key);
    for (const Callback &callback : waiting) {
        callback(result);
    }
}

void CredentialService::later(Callback callback, Result<StoredCredential> result)
{
    QMetaObject::invokeMethod(
        this,
        [callback = std::move(callback), result = std::move(result)] { callback(result); },
        Qt::QueuedConnection);
}

} // namespace Gestalt
