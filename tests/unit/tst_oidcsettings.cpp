// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// OidcSettings::fromConfig: which providers.authentication entry is the login provider, the
// built-in OIDC provider's config keys, defaults and errors (config loaded from YAML text).
#include "config/ConfigLoader.h"
#include "identity/OidcSettings.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace Gestalt;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const QString kHeader = u"apiVersion: gestaltd.config/v5\n"_s;

// providers.authentication.<name> with `source` (empty: none written) and a config block.
QString entry(const QString &name, const QString &source, const QString &configLines)
{
    QString yaml = u"    "_s + name + u":\n"_s;
    if (!source.isEmpty()) {
        yaml += u"      source: "_s + source + u'\n';
    }
    if (!configLines.isEmpty()) {
        yaml += u"      config:\n"_s;
        for (const QString &line : configLines.split(u'\n', Qt::SkipEmptyParts)) {
            yaml += u"        "_s + line + u'\n';
        }
    }
    return yaml;
}

const QString kMinimal = u"issuerUrl: https://idp.example.com\nclientId: gestalt"_s;

} // namespace

class tst_OidcSettings final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(QRegularExpression(u".*"_s));
        m_dir.emplace();
        QVERIFY(m_dir->isValid());
    }

    void disabledWithoutAnEntry_data();
    void disabledWithoutAnEntry();
    void minimalEntryHasDefaults();
    void everyKeyIsRead();
    void scopesAndDomainsAsStrings();
    void entryIsChosen_data();
    void entryIsChosen();
    void badConfigNamesTheKey_data();
    void badConfigNamesTheKey();
    void loopbackIssuersMayUseHttp_data();
    void loopbackIssuersMayUseHttp();
    void secretsStayOutOfErrors();
    void egressComesFromTheEntryAndTheServer();

private:
    [[nodiscard]] std::optional<Config> load(const QString &yaml);
    [[nodiscard]] Result<std::optional<OidcSettings>> settingsFor(const QString &yaml);

    std::optional<QTemporaryDir> m_dir;
};

std::optional<Config> tst_OidcSettings::load(const QString &yaml)
{
    QFile file(m_dir->filePath(u"config.yaml"_s));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return std::nullopt;
    }
    file.write((kHeader + yaml).toUtf8());
    file.close();
    const ConfigLoader loader([](const QString &) -> std::optional<QString> { return {}; });
    Result<Config> config = loader.load({file.fileName()});
    if (!config) {
        qWarning().noquote() << config.error().message;
        return std::nullopt;
    }
    return *config;
}

Result<std::optional<OidcSettings>> tst_OidcSettings::settingsFor(const QString &yaml)
{
    const std::optional<Config> config = load(yaml);
    if (!config) {
        return Error::internal(u"the config does not load"_s);
    }
    return OidcSettings::fromConfig(*config);
}

void tst_OidcSettings::disabledWithoutAnEntry_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::newRow("no providers") << QString();
    QTest::newRow("entry named none")
        << u"providers:\n  authentication:\n"_s + entry(u"none"_s, QString(), QString());
    QTest::newRow("source none") << u"providers:\n  authentication:\n"_s
                                        + entry(u"off"_s, u"none"_s, QString());
    QTest::newRow("selected none") << u"server:\n  providers:\n    authentication: none\n"
                                      u"providers:\n  authentication:\n"_s
                                          + entry(u"none"_s, QString(), QString())
                                          + entry(u"sso"_s, u"oidc"_s, kMinimal);
}

void tst_OidcSettings::disabledWithoutAnEntry()
{
    QFETCH(QString, yaml);
    const Result<std::optional<OidcSettings>> settings = settingsFor(yaml);
    QVERIFY2(settings, settings ? "" : qPrintable(settings.error().message));
    QVERIFY(!settings->has_value());
}

void tst_OidcSettings::minimalEntryHasDefaults()
{
    const Result<std::optional<OidcSettings>> settings =
        settingsFor(u"providers:\n  authentication:\n"_s + entry(u"oidc"_s, QString(), kMinimal));
    QVERIFY2(settings, settings ? "" : qPrintable(settings.error().message));
    QVERIFY(settings->has_value());
    const OidcSettings &s = **settings;
    QCOMPARE(s.providerName, u"oidc"_s);
    QCOMPARE(s.issuerUrl, u"https://idp.example.com"_s);
    QCOMPARE(s.clientId, u"gestalt"_s);
    QVERIFY(s.clientSecret.isEmpty());
    QVERIFY(
        s.redirectUrl.isEmpty()); // the caller uses <public base URL>/api/v1/auth/login/callback
    QCOMPARE(s.scopes, (QStringList{u"openid"_s, u"email"_s, u"profile"_s}));
    QVERIFY(s.allowedDomains.isEmpty());
    QVERIFY(s.pkce);
    QCOMPARE(s.sessionTtl, std::chrono::seconds(24h));
    QCOMPARE(s.displayName, u"SSO"_s);
    QVERIFY(!s.allowInsecureHttp);
    QVERIFY(s.audiences.isEmpty());
    QVERIFY(s.egress.allowedHosts.isEmpty());
    QCOMPARE(s.egress.defaultAction, EgressAction::Allow);
}

void tst_OidcSettings::everyKeyIsRead()
{
    const QString config = uR"(issuerUrl: http://idp.corp.internal/realms/main/
clientId: gestalt-web
clientSecret: s3cret
redirectUrl: https://gestalt.example.com/api/v1/auth/login/callback
scopes: [openid, email, groups]
allowedDomains: [Example.COM, "@corp.example"]
pkce: false
sessionTtl: 90m
displayName: Corp login
allowInsecureHttp: true
audiences: [api://gestalt, gestalt-cli]
pkceVerifierTtl: 1h
pkceVerifierMaxItems: 10000)"_s;
    const Result<std::optional<OidcSettings>> settings =
        settingsFor(u"providers:\n  authentication:\n"_s + entry(u"corp"_s, u"oidc"_s, config));
    QVERIFY2(settings, settings ? "" : qPrintable(settings.error().message));
    const OidcSettings &s = **settings;
    QCOMPARE(s.providerName, u"corp"_s);
    QCOMPARE(s.issuerUrl, u"http://idp.corp.internal/realms/main/"_s); // kept exactly
    QCOMPARE(s.clientId, u"gestalt-web"_s);
    QCOMPARE(s.clientSecret, u"s3cret"_s);
    QCOMPARE(s.redirectUrl, u"https://gestalt.example.com/api/v1/auth/login/callback"_s);
    QCOMPARE(s.scopes, (QStringList{u"openid"_s, u"email"_s, u"groups"_s}));
    QCOMPARE(s.allowedDomains, (QStringList{u"example.com"_s, u"corp.example"_s}));
    QVERIFY(!s.pkce);
    QCOMPARE(s.sessionTtl, std::chrono::seconds(90min));
    QCOMPARE(s.displayName, u"Corp login"_s);
    QVERIFY(s.allowInsecureHttp);
    QCOMPARE(s.audiences, (QStringList{u"api://gestalt"_s, u"gestalt-cli"_s}));
    QVERIFY(s.allowsUrl(QUrl(u"http://elsewhere.example/token"_s)));
}

void tst_OidcSettings::scopesAndDomainsAsStrings()
{
    const Result<std::optional<OidcSettings>> settings =
        settingsFor(u"providers:\n  authentication:\n"_s
                    + entry(u"oidc"_s,
                            u"oidc"_s,
                            kMinimal
                                + u"\nscopes: \"email profile offline_access\"\nallowedDomains: "
                                  u"\"a.example, b.example\"\npkce: \"true\"\naudiences: api"_s));
    QVERIFY2(settings, settings ? "" : qPrintable(settings.error().message));
    const OidcSettings &s = **settings;
    // openid is always asked for.
    QCOMPARE(s.scopes, (QStringList{u"openid"_s, u"email"_s, u"profile"_s, u"offline_access"_s}));
    QCOMPARE(s.allowedDomains, (QStringList{u"a.example"_s, u"b.example"_s}));
    QVERIFY(s.pkce);
    QCOMPARE(s.audiences, QStringList{u"api"_s});
    QVERIFY(!s.allowsUrl(QUrl(u"http://elsewhere.example/token"_s)));
    QVERIFY(s.allowsUrl(QUrl(u"https://elsewhere.example/token"_s)));
}

void tst_OidcSettings::entryIsChosen_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("chosen");
    const QString two = entry(u"a"_s, u"oidc"_s, kMinimal) + entry(u"b"_s, u"oidc"_s, kMinimal);
    QTest::newRow("selected by server.providers")
        << u"server:\n  providers:\n    authentication: b\nproviders:\n  authentication:\n"_s + two
        << u"b"_s;
    QTest::newRow("default: true")
        << u"providers:\n  authentication:\n"_s + two + u"      default: true\n"_s << u"b"_s;
    QTest::newRow("entry-level displayName")
        << u"providers:\n  authentication:\n"_s + entry(u"sso"_s, u"oidc"_s, kMinimal)
               + u"      displayName: Okta\n"_s
        << u"sso"_s;
}

void tst_OidcSettings::entryIsChosen()
{
    QFETCH(QString, yaml);
    QFETCH(QString, chosen);
    const Result<std::optional<OidcSettings>> settings = settingsFor(yaml);
    QVERIFY2(settings, settings ? "" : qPrintable(settings.error().message));
    QCOMPARE((*settings)->providerName, chosen);
    if (QTest::currentDataTag() == "entry-level displayName"_ba) {
        QCOMPARE((*settings)->displayName, u"Okta"_s);
    }
}

void tst_OidcSettings::badConfigNamesTheKey_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("expected");
    const QString p = u"providers.authentication.sso.config."_s;
    QTest::newRow("no issuer") << u"sso"_s << u"oidc"_s << u"clientId: x"_s
                               << p + u"issuerUrl: required"_s;
    QTest::newRow("no client id") << u"sso"_s << u"oidc"_s << u"issuerUrl: https://idp.test"_s
                                  << p + u"clientId: required"_s;
    QTest::newRow("empty client id")
        << u"sso"_s << u"oidc"_s << u"issuerUrl: https://idp.test\nclientId: \"\""_s
        << p + u"clientId: required"_s;
    QTest::newRow("unknown key") << u"sso"_s << u"oidc"_s << kMinimal + u"\nclientSecert: x"_s
                                 << p + u"clientSecert: unknown key"_s;
    QTest::newRow("http issuer") << u"sso"_s << u"oidc"_s
                                 << u"issuerUrl: http://idp.example.com\nclientId: x"_s
                                 << p + u"issuerUrl: must be https://"_s;
    QTest::newRow("issuer not a URL")
        << u"sso"_s << u"oidc"_s << u"issuerUrl: idp.example.com\nclientId: x"_s
        << p + u"issuerUrl: expected an absolute"_s;
    QTest::newRow("issuer with query")
        << u"sso"_s << u"oidc"_s << u"issuerUrl: https://idp.test/?a=b\nclientId: x"_s
        << p + u"issuerUrl: must not have a query"_s;
    QTest::newRow("redirect not a URL")
        << u"sso"_s << u"oidc"_s << kMinimal + u"\nredirectUrl: /callback"_s
        << p + u"redirectUrl: expected an absolute"_s;
    QTest::newRow("bad ttl") << u"sso"_s << u"oidc"_s << kMinimal + u"\nsessionTtl: 1 day"_s
                             << p + u"sessionTtl: expected a duration"_s;
    QTest::newRow("ttl a number") << u"sso"_s << u"oidc"_s << kMinimal + u"\nsessionTtl: 3600"_s
                                  << p + u"sessionTtl: expected a duration"_s;
    QTest::newRow("zero ttl") << u"sso"_s << u"oidc"_s << kMinimal + u"\nsessionTtl: 0s"_s
                              << p + u"sessionTtl: expected a duration"_s;
    QTest::newRow("pkce not a bool") << u"sso"_s << u"oidc"_s << kMinimal + u"\npkce: maybe"_s
                                     << p + u"pkce: expected true or false"_s;
    QTest::newRow("scopes a map") << u"sso"_s << u"oidc"_s << kMinimal + u"\nscopes: {a: b}"_s
                                  << p + u"scopes: expected a list"_s;
    QTest::newRow("domain with @")
        << u"sso"_s << u"oidc"_s << kMinimal + u"\nallowedDomains: [a@b.test]"_s
        << p + u"allowedDomains: expected domain names"_s;
    QTest::newRow("client id a list")
        << u"sso"_s << u"oidc"_s << u"issuerUrl: https://idp.test\nclientId: [a]"_s
        << p + u"clientId: expected a string"_s;
    QTest::newRow("other source") << u"sso"_s << u"./auth-plugin.yaml"_s << kMinimal
                                  << u"providers.authentication.sso.source: unsupported "
                                     u"authentication provider"_s;
    QTest::newRow("no source, not oidc") << u"sso"_s << QString() << kMinimal
                                         << u"providers.authentication.sso.source: unsupported "
                                            u"authentication provider"_s;
}

void tst_OidcSettings::badConfigNamesTheKey()
{
    QFETCH(QString, name);
    QFETCH(QString, source);
    QFETCH(QString, config);
    QFETCH(QString, expected);
    const Result<std::optional<OidcSettings>> settings =
        settingsFor(u"providers:\n  authentication:\n"_s + entry(name, source, config));
    QVERIFY(!settings);
    QCOMPARE(settings.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(settings.error().message.startsWith(expected), qPrintable(settings.error().message));
}

void tst_OidcSettings::loopbackIssuersMayUseHttp_data()
{
    QTest::addColumn<QString>("issuer");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("127.0.0.1") << u"http://127.0.0.1:8089"_s << true;
    QTest::newRow("localhost") << u"http://localhost:8089/realms/x"_s << true;
    QTest::newRow("LOCALHOST") << u"http://LOCALHOST"_s << true;
    QTest::newRow("::1") << u"http://[::1]:8089"_s << true;
    QTest::newRow("private address") << u"http://10.0.0.5"_s << false;
    QTest::newRow("localhost lookalike") << u"http://localhost.evil.test"_s << false;
}

void tst_OidcSettings::loopbackIssuersMayUseHttp()
{
    QFETCH(QString, issuer);
    QFETCH(bool, allowed);
    const Result<std::optional<OidcSettings>> settings =
        settingsFor(u"providers:\n  authentication:\n"_s
                    + entry(u"oidc"_s, QString(), u"issuerUrl: \"%1\"\nclientId: x"_s.arg(issuer)));
    QCOMPARE(bool(settings), allowed);
}

void tst_OidcSettings::secretsStayOutOfErrors()
{
    const Result<std::optional<OidcSettings>> settings = settingsFor(
        u"providers:\n  authentication:\n"_s
        + entry(u"oidc"_s,
                QString(),
                u"issuerUrl: http://idp.test\nclientId: x\nclientSecret: TOPSECRETVALUE"_s));
    QVERIFY(!settings);
    QVERIFY(!settings.error().message.contains(u"TOPSECRETVALUE"_s));
    const Result<std::optional<OidcSettings>> several =
        settingsFor(u"providers:\n  authentication:\n"_s + entry(u"a"_s, u"oidc"_s, kMinimal)
                    + entry(u"b"_s, u"oidc"_s, kMinimal));
    QVERIFY(!several);
    QVERIFY2(several.error().message.startsWith(u"server.providers.authentication: required"_s),
             qPrintable(several.error().message));
}

// The provider's discovery, JWKS and token requests are held to the entry's egress.allowedHosts
// and server.egress.defaultAction.
void tst_OidcSettings::egressComesFromTheEntryAndTheServer()
{
    const Result<std::optional<OidcSettings>> settings = settingsFor(
        u"server:\n  egress:\n    defaultAction: deny\nproviders:\n  authentication:\n"_s
        + entry(u"oidc"_s, QString(), kMinimal)
        + u"      egress:\n        allowedHosts: [idp.example.com, \"*.idp.example.com\"]\n"_s);
    QVERIFY2(settings, settings ? "" : qPrintable(settings.error().message));
    QVERIFY(settings->has_value());
    const OidcSettings &s = **settings;
    QCOMPARE(s.egress.allowedHosts, (QStringList{u"idp.example.com"_s, u"*.idp.example.com"_s}));
    QCOMPARE(s.egress.defaultAction, EgressAction::Deny);
    QVERIFY(s.egress.checkHost(u"keys.idp.example.com"_s));
    QVERIFY(!s.egress.checkHost(u"evil.example.com"_s));
}

QTEST_GUILESS_MAIN(tst_OidcSettings)
#include "tst_oidcsettings.moc"
