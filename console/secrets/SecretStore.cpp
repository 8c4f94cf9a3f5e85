// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "secrets/SecretStore.h"

#include "Logging.h"

#include <QCoreApplication>
#include <QTimer>
#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

QString noKeychainMessage()
{
    return QCoreApplication::translate(
        "Gestalt::Console::SecretStore",
        "No system keychain is available, so the token is kept for this session only.");
}

// QtKeychain answers on the event loop; so do we, to keep one behaviour for callers.
void later(SecretStore::Callback callback, SecretStore::Outcome outcome)
{
    QTimer::singleShot(
        0, [callback = std::move(callback), outcome = std::move(outcome)] { callback(outcome); });
}

SecretStore::Outcome outcomeOf(const QKeychain::Job &job)
{
    if (job.error() != QKeychain::NoError) {
        // The key names a profile; the secret is never logged.
        qCDebug(lcConsoleSecrets,
                "secrets: keychain: key=%s error=%d message=%s",
                qUtf8Printable(job.key()),
                int(job.error()),
                qUtf8Printable(job.errorString()));
    }
    SecretStore::Outcome outcome;
    switch (job.error()) {
    case QKeychain::NoError:
    case QKeychain::EntryNotFound: // nothing stored is not a failure
        outcome.ok = true;
        break;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError: // what 0.13 says when no Secret Service runs (error 7)
        outcome.unavailable = true;
        outcome.error = noKeychainMessage();
        break;
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        outcome.error = QCoreApplication::translate("Gestalt::Console::SecretStore",
                                                    "The keychain refused access: %1")
                            .arg(job.errorString());
        break;
    case QKeychain::CouldNotDeleteEntry:
        outcome.error = job.errorString();
        break;
    }
    return outcome;
}

} // namespace

bool MemorySecretStore::refuse(const Callback &callback) const
{
    if (!m_unavailable) {
        return false;
    }
    Outcome outcome;
    outcome.unavailable = true;
    outcome.error = noKeychainMessage();
    later(callback, outcome);
    return true;
}

void MemorySecretStore::read(const QString &key, Callback callback)
{
    if (refuse(callback)) {
        return;
    }
    later(std::move(callback), Outcome{true, m_secrets.value(key), false, {}});
}

void MemorySecretStore::write(const QString &key, const QString &secret, Callback callback)
{
    if (refuse(callback)) {
        return;
    }
    m_secrets.insert(key, secret);
    later(std::move(callback), Outcome{true, {}, false, {}});
}

void MemorySecretStore::remove(const QString &key, Callback callback)
{
    if (refuse(callback)) {
        return;
    }
    m_secrets.remove(key);
    later(std::move(callback), Outcome{true, {}, false, {}});
}

KeychainSecretStore::KeychainSecretStore(QString service)
    : m_service(std::move(service))
{}

void KeychainSecretStore::read(const QString &key, Callback callback)
{
    start(new QKeychain::ReadPasswordJob(m_service),
          key,
          [callback = std::move(callback)](QKeychain::Job *finished) {
              Outcome outcome = outcomeOf(*finished);
              if (outcome.ok) {
                  outcome.secret = static_cast<QKeychain::ReadPasswordJob *>(finished)->textData();
              }
              callback(outcome);
          });
}

void KeychainSecretStore::write(const QString &key, const QString &secret, Callback callback)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setTextData(secret);
    start(job, key, [callback = std::move(callback)](QKeychain::Job *finished) {
        callback(outcomeOf(*finished));
    });
}

void KeychainSecretStore::remove(const QString &key, Callback callback)
{
    start(new QKeychain::DeletePasswordJob(m_service),
          key,
          [callback = std::move(callback)](QKeychain::Job *finished) {
              callback(outcomeOf(*finished));
          });
}

void KeychainSecretStore::start(QKeychain::Job *job,
                                const QString &key,
                                std::function<void(QKeychain::Job *)> finished)
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never the plain-text file
    job->setKey(key);
    QObject::connect(job, &QKeychain::Job::finished, job, std::move(finished));
    job->start();
}

} // namespace Gestalt::Console
