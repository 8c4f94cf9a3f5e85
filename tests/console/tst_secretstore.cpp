// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Where the console keeps tokens. MemorySecretStore always; KeychainSecretStore against a real
// Secret Service (gnome-keyring) only when GESTALT_TEST_SECRET_SERVICE=1, which
// tests/console/keychain_secret_service.sh sets after starting one in a private D-Bus session.
// Without any keychain, KeychainSecretStore says so (unavailable) instead of failing silently.
#include "secrets/SecretStore.h"
#include "settings/Settings.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace Qt::StringLiterals;
using namespace Gestalt::Console;

namespace {

// Runs one store call and waits for its answer.
SecretStore::Outcome await(const std::function<void(SecretStore::Callback)> &call)
{
    std::optional<SecretStore::Outcome> outcome;
    call([&outcome](const SecretStore::Outcome &o) { outcome = o; });
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, 20000)) {
        return SecretStore::Outcome{false, {}, false, u"no answer within 20 s"_s};
    }
    return *outcome;
}

void roundTrip(SecretStore &store, const QString &key)
{
    const QString secret =
        u"gst_api_" + QString::number(QDateTime::currentMSecsSinceEpoch()) + u"-ünïcödé"_s;
    SecretStore::Outcome o = await([&](auto cb) { store.write(key, secret, cb); });
    QVERIFY2(o.ok, qPrintable(o.error));
    o = await([&](auto cb) { store.read(key, cb); });
    QVERIFY2(o.ok, qPrintable(o.error));
    QCOMPARE(o.secret, secret);
    o = await([&](auto cb) { store.remove(key, cb); });
    QVERIFY2(o.ok, qPrintable(o.error));
    o = await([&](auto cb) { store.read(key, cb); });
    QVERIFY2(o.ok, qPrintable(o.error)); // a missing entry reads as empty, not as an error
    QVERIFY(o.secret.isEmpty());
    o = await([&](auto cb) { store.remove(key, cb); });
    QVERIFY2(o.ok, qPrintable(o.error));
}

} // namespace

class tst_SecretStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void memoryStoreRoundTrip()
    {
        MemorySecretStore store;
        roundTrip(store, Settings::tokenKey(u"prod"_s));
    }

    void memoryStoreAnswersLaterNotInsideTheCall()
    {
        MemorySecretStore store;
        bool answered = false;
        store.read(u"k"_s, [&answered](const SecretStore::Outcome &) { answered = true; });
        QVERIFY(!answered);
        QTRY_VERIFY(answered);
    }

    void unavailableStoreSaysSo()
    {
        MemorySecretStore store;
        store.setUnavailable(true);
        const SecretStore::Outcome o = await([&](auto cb) { store.write(u"k"_s, u"s"_s, cb); });
        QVERIFY(!o.ok);
        QVERIFY(o.unavailable);
        QVERIFY(o.error.contains(u"session only"_s));
        QVERIFY(!store.contains(u"k"_s));
    }

    void profilesNeverHoldTokens()
    {
        QTemporaryDir dir;
        Settings settings(dir.filePath(u"s.ini"_s));
        settings.saveProfile({u"prod"_s, QUrl(u"https://ops.example.com:9090"_s)});
        settings.saveProfile({u"local"_s, QUrl(u"http://127.0.0.1:9090"_s)});
        settings.saveProfile({u"prod"_s, QUrl(u"https://ops2.example.com"_s)});
        QCOMPARE(settings.profiles().size(), 2);
        QCOMPARE(settings.profiles().first().url, QUrl(u"https://ops2.example.com"_s));
        settings.removeProfile(u"prod"_s);
        QCOMPARE(settings.profiles(),
                 (QList<Settings::Profile>{{u"local"_s, QUrl(u"http://127.0.0.1:9090"_s)}}));
        QCOMPARE(settings.value(Settings::Key::MetricsIntervalSeconds).toInt(), 5);
        QCOMPARE(Settings::tokenKey(u"local"_s), u"token/local"_s);
    }

    void keychainWithoutASecretServiceIsUnavailable()
    {
        if (qEnvironmentVariableIntValue("GESTALT_TEST_SECRET_SERVICE") == 1) {
            QSKIP("a Secret Service runs: see realSecretService()");
        }
        // No session bus here (ctest runs without one): QtKeychain cannot reach any keychain.
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        KeychainSecretStore store(u"gestalt-console-test"_s);
        const SecretStore::Outcome o = await([&](auto cb) { store.write(u"k"_s, u"s"_s, cb); });
        QVERIFY(!o.ok);
        QVERIFY2(o.unavailable, qPrintable(o.error));
    }

    void realSecretService()
    {
        if (qEnvironmentVariableIntValue("GESTALT_TEST_SECRET_SERVICE") != 1) {
            QSKIP("needs a Secret Service: run tests/console/keychain_secret_service.sh");
        }
        KeychainSecretStore store(u"gestalt-console-test"_s);
        roundTrip(store, Settings::tokenKey(u"ci-%1"_s.arg(QCoreApplication::applicationPid())));
    }
};

QTEST_GUILESS_MAIN(tst_SecretStore)
#include "tst_secretstore.moc"
