// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "identity/OidcSettings.h"

#include "config/Config.h"
#include "config/ConfigScalars.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString kNone = u"none"_s;
const QString kOidc = u"oidc"_s;

// The built-in provider's `config:` block, read key by key; every problem names its key.
class OidcConfigReader
{
public:
    OidcConfigReader(QString prefix, const QJsonObject &config)
        : m_prefix(std::move(prefix))
        , m_config(config)
    {}

    [[nodiscard]] const QStringList &errors() const { return m_errors; }

    void error(const QString &key, const QString &message)
    {
        m_errors.append(m_prefix + key + u": "_s + message);
    }

    // Keys that are neither absent nor null.
    [[nodiscard]] bool has(const QString &key) const
    {
        const QJsonValue value = m_config.value(key);
        return !value.isUndefined() && !value.isNull();
    }

    QString string(const QString &key)
    {
        const QJsonValue value = m_config.value(key);
        if (value.isString()) {
            return value.toString().trimmed();
        }
        if (has(key)) {
            error(key, u"expected a string"_s);
        }
        return {};
    }

    QString requiredString(const QString &key)
    {
        QString text = string(key);
        if (text.isEmpty() && (!has(key) || m_config.value(key).isString())) {
            error(key, u"required"_s);
        }
        return text;
    }

    // A list of strings, or one string of words separated by spaces or commas.
    std::optional<QStringList> words(const QString &key)
    {
        if (!has(key)) {
            return std::nullopt;
        }
        const QJsonValue value = m_config.value(key);
        QStringList out;
        if (value.isString()) {
            static const QRegularExpression separators(u"[\\s,]+"_s);
            out = value.toString().split(separators, Qt::SkipEmptyParts);
        } else if (value.isArray()) {
            const QJsonArray items = value.toArray();
            for (const auto &item : items) {
                if (!item.isString() || item.toString().trimmed().isEmpty()) {
                    error(key, u"expected a list of non-empty strings"_s);
                    return std::nullopt;
                }
                out.append(item.toString().trimmed());
            }
        } else {
            error(key, u"expected a list of strings or a space-separated string"_s);
            return std::nullopt;
        }
        out.removeDuplicates();
        return out;
    }

    std::optional<bool> boolean(const QString &key)
    {
        if (!has(key)) {
            return std::nullopt;
        }
        const QJsonValue value = m_config.value(key);
        if (value.isBool()) {
            return value.toBool();
        }
        if (value.isString()) {
            if (const std::optional<bool> parsed = parseBool(value.toString().trimmed())) {
                return parsed;
            }
        }
        error(key, u"expected true or false"_s);
        return std::nullopt;
    }

    std::optional<std::chrono::milliseconds> duration(const QString &key)
    {
        if (!has(key)) {
            return std::nullopt;
        }
        const QJsonValue value = m_config.value(key);
        std::optional<std::chrono::milliseconds> parsed;
        if (value.isString()) {
            parsed = parseDuration(value.toString());
        }
        if (!parsed || *parsed < std::chrono::seconds(1)) {
            error(key, u"expected a duration of at least 1s such as \"24h\" or \"90m\""_s);
            return std::nullopt;
        }
        return parsed;
    }

    // An absolute http(s) URL with a host and no fragment.
    QString url(const QString &key, bool required)
    {
        QString text = required ? requiredString(key) : string(key);
        if (text.isEmpty()) {
            return text;
        }
        const QUrl parsed(text, QUrl::StrictMode);
        if (!parsed.isValid() || (parsed.scheme() != u"http" && parsed.scheme() != u"https")
            || parsed.host().isEmpty() || parsed.hasFragment() || !parsed.userInfo().isEmpty()) {
            error(key, u"expected an absolute http:// or https:// URL"_s);
            return {};
        }
        return text;
    }

    void rejectUnknown(const QStringList &known)
    {
        for (auto it = m_config.constBegin(); it != m_config.constEnd(); ++it) {
            if (!known.contains(it.key())) {
                error(it.key(), u"unknown key (known: %1)"_s.arg(known.join(u", "_s)));
            }
        }
    }

private:
    QString m_prefix;
    const QJsonObject &m_config;
    QStringList m_errors;
};

const QStringList &knownKeys()
{
    static const QStringList keys{
        u"issuerUrl"_s,
        u"clientId"_s,
        u"clientSecret"_s,
        u"redirectUrl"_s,
        u"scopes"_s,
        u"allowedDomains"_s,
        u"pkce"_s,
        u"sessionTtl"_s,
        u"displayName"_s,
        u"allowInsecureHttp"_s,
        u"audiences"_s,
        // Accepted for configs written for the Go server; the PKCE verifier travels in the sealed
        // login_state cookie here, so there is no verifier store to size.
        u"pkceVerifierTtl"_s,
        u"pkceVerifierMaxItems"_s,
    };
    return keys;
}

bool isLoopbackHost(const QString &host)
{
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0) {
        return true;
    }
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

// Which providers.authentication entry is in use; empty when login is disabled.
Result<QString> selectedEntry(const Config &config)
{
    const ProviderMap &entries = config.providers.authentication;
    const QString selected = config.server.providers.authentication;
    if (!selected.isEmpty()) {
        if (!entries.contains(selected) && selected != kNone) {
            return Error::invalid(
                u"server.providers.authentication: names no providers.authentication entry "
                u"\"%1\""_s.arg(selected));
        }
        return selected;
    }
    if (entries.isEmpty()) {
        return QString();
    }
    if (entries.size() == 1) {
        return entries.firstKey();
    }
    QStringList defaults;
    for (auto it = entries.cbegin(); it != entries.cend(); ++it) {
        if (it->isDefault) {
            defaults.append(it.key());
        }
    }
    if (defaults.size() == 1) {
        return defaults.front();
    }
    return Error::invalid(u"server.providers.authentication: required when "
                          u"providers.authentication has several entries (%1) and none sets "
                          u"default: true"_s.arg(entries.keys().join(u", "_s)));
}

} // namespace

bool OidcSettings::allowsUrl(const QUrl &url) const
{
    if (!url.isValid() || url.isRelative() || url.host().isEmpty()) {
        return false;
    }
    if (url.scheme() == u"https") {
        return true;
    }
    return url.scheme() == u"http" && (allowInsecureHttp || isLoopbackHost(url.host()));
}

namespace {

// Whether the selected entry is the built-in OIDC provider (true) or the built-in "none" (false);
// any other source is refused.
Result<bool> isOidcSource(const QString &name, const ProviderEntry &entry, const QString &entryPath)
{
    if (entry.source.isSet()) {
        const bool builtin = entry.source.kind == SourceRef::Kind::Builtin;
        if (builtin && entry.source.location == kNone) {
            return false;
        }
        if (!builtin || entry.source.location != kOidc) {
            // Never echo the source: a URL or package spec may carry a token.
            return Error::invalid(entryPath
                                  + u".source: unsupported authentication provider (built in: "
                                    u"oidc, none)"_s);
        }
    } else if (name != kOidc) {
        return Error::invalid(entryPath
                              + u".source: unsupported authentication provider (set source: "
                                u"oidc or source: none)"_s);
    }
    return true;
}

// allowedDomains as lower-case domain names without a leading '@', once each.
std::optional<QStringList> readAllowedDomains(OidcConfigReader &r)
{
    std::optional<QStringList> domains = r.words(u"allowedDomains"_s);
    if (!domains) {
        return std::nullopt;
    }
    for (QString &domain : *domains) {
        domain = domain.toLower();
        if (domain.startsWith(u'@')) {
            domain.remove(0, 1);
        }
        if (domain.isEmpty() || domain.contains(u'@')) {
            r.error(u"allowedDomains"_s, u"expected domain names such as example.com"_s);
        }
    }
    domains->removeDuplicates();
    return domains;
}

// The issuer has no query and is https:// (or allowed http://).
void checkIssuer(OidcConfigReader &r, const OidcSettings &s)
{
    if (s.issuerUrl.isEmpty()) {
        return;
    }
    const QUrl issuer(s.issuerUrl, QUrl::StrictMode);
    if (issuer.hasQuery()) {
        r.error(u"issuerUrl"_s, u"must not have a query"_s);
    } else if (!s.allowsUrl(issuer)) {
        r.error(u"issuerUrl"_s,
                u"must be https:// (set allowInsecureHttp: true to allow http:// outside "
                u"loopback hosts)"_s);
    }
}

} // namespace

Result<std::optional<OidcSettings>> OidcSettings::fromConfig(const Config &config)
{
    const Result<QString> selected = selectedEntry(config);
    if (!selected) {
        return selected.error();
    }
    const QString &name = *selected;
    if (name.isEmpty() || name == kNone) {
        return std::optional<OidcSettings>();
    }
    const ProviderEntry entry = config.providers.authentication.value(name);
    const QString entryPath = u"providers.authentication."_s + name;
    const Result<bool> oidc = isOidcSource(name, entry, entryPath);
    if (!oidc) {
        return oidc.error();
    }
    if (!*oidc) {
        return std::optional<OidcSettings>();
    }

    OidcConfigReader r(entryPath + u".config."_s, entry.config);
    r.rejectUnknown(knownKeys());
    OidcSettings s;
    s.providerName = name;
    s.issuerUrl = r.url(u"issuerUrl"_s, true);
    s.clientId = r.requiredString(u"clientId"_s);
    s.clientSecret = r.string(u"clientSecret"_s);
    s.redirectUrl = r.url(u"redirectUrl"_s, false);
    if (std::optional<QStringList> scopes = r.words(u"scopes"_s)) {
        if (!scopes->contains(u"openid"_s)) {
            scopes->prepend(u"openid"_s); // OpenID Connect needs it
        }
        s.scopes = *scopes;
    }
    if (std::optional<QStringList> domains = readAllowedDomains(r)) {
        s.allowedDomains = *domains;
    }
    s.pkce = r.boolean(u"pkce"_s).value_or(s.pkce);
    if (const std::optional<std::chrono::milliseconds> ttl = r.duration(u"sessionTtl"_s)) {
        s.sessionTtl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
    }
    if (const QString label = r.string(u"displayName"_s); !label.isEmpty()) {
        s.displayName = label;
    } else if (!entry.displayName.trimmed().isEmpty()) {
        s.displayName = entry.displayName.trimmed();
    }
    s.allowInsecureHttp = r.boolean(u"allowInsecureHttp"_s).value_or(false);
    s.audiences = r.words(u"audiences"_s).value_or(QStringList());
    s.egress.allowedHosts = entry.egress.allowedHosts;
    s.egress.defaultAction = config.server.egressDefaultAction;
    // The issuer is the operator's choice; hosts that discovery names are not (they must resolve
    // to public addresses unless allowedHosts names them).
    s.egress.addNamedUrl(s.issuerUrl);
    static_cast<void>(r.duration(u"pkceVerifierTtl"_s));
    if (r.has(u"pkceVerifierMaxItems"_s)
        && !entry.config.value(u"pkceVerifierMaxItems"_s).isDouble()) {
        r.error(u"pkceVerifierMaxItems"_s, u"expected a number"_s);
    }
    checkIssuer(r, s);
    if (!r.errors().isEmpty()) {
        return Error::invalid(r.errors().join(u'\n'));
    }
    return std::optional<OidcSettings>(std::move(s));
}

} // namespace Gestalt
