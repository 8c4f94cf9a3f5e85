// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QString>

#include <functional>

namespace QKeychain {
class Job;
}

namespace Gestalt::Console {

// Where server tokens are kept: the system keychain in the product, memory in tests. Calls are
// asynchronous (a keychain may ask the user) and answer exactly once through their callback.
class SecretStore
{
public:
    struct Outcome
    {
        bool ok = false;
        QString secret;           // for read(); empty when there is none
        bool unavailable = false; // no keychain on this system: keep the token for the session
        QString error;            // what went wrong, for people
    };
    using Callback = std::function<void(const Outcome &)>;

    virtual ~SecretStore() = default;
    // A missing entry reads as ok with an empty secret.
    virtual void read(const QString &key, Callback callback) = 0;
    virtual void write(const QString &key, const QString &secret, Callback callback) = 0;
    // Removing a missing entry is ok.
    virtual void remove(const QString &key, Callback callback) = 0;
};

// For tests, and for the session when no keychain is there.
class MemorySecretStore final : public SecretStore
{
public:
    void read(const QString &key, Callback callback) override;
    void write(const QString &key, const QString &secret, Callback callback) override;
    void remove(const QString &key, Callback callback) override;

    // Makes every later call fail as "no keychain" (to test how the console copes).
    void setUnavailable(bool unavailable) { m_unavailable = unavailable; }
    [[nodiscard]] bool contains(const QString &key) const { return m_secrets.contains(key); }

private:
    [[nodiscard]] bool refuse(const Callback &callback) const;

    QHash<QString, QString> m_secrets;
    bool m_unavailable = false;
};

// The system keychain through QtKeychain (Secret Service, KWallet...), service "gestalt-console".
// Never the insecure plain-file fallback: without a keychain the outcome says `unavailable`.
class KeychainSecretStore final : public SecretStore
{
public:
    explicit KeychainSecretStore(QString service = QStringLiteral("gestalt-console"));

    void read(const QString &key, Callback callback) override;
    void write(const QString &key, const QString &secret, Callback callback) override;
    void remove(const QString &key, Callback callback) override;

private:
    static void
    start(QKeychain::Job *job, const QString &key, std::function<void(QKeychain::Job *)> finished);

    QString m_service;
};

} // namespace Gestalt::Console
