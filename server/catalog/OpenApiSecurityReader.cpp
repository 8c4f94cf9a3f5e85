// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/OpenApiSecurityReader.h"

#include "catalog/OpenApiRefResolver.h"
#include "config/ConfigNode.h"

#include <QMap>

using namespace Qt::StringLiterals;

namespace Gestalt {

OpenApiSecurityReader::OpenApiSecurityReader(const ConfigNode &root, OpenApiRefResolver &refs)
    : m_root(root)
    , m_refs(refs)
{}

std::optional<AuthConfig> OpenApiSecurityReader::readDocument()
{
    QMap<QString, AuthConfig> usable;
    const ConfigNode *components = m_refs.mapAt(m_root, u"components", QString());
    const ConfigNode *schemes =
        components ? m_refs.mapAt(*components, u"securitySchemes", u"components"_s) : nullptr;
    if (schemes) {
        for (const ConfigNode::Entry &entry : schemes->entries()) {
            m_defined.append(entry.key);
            const QString place = u"components.securitySchemes."_s + entry.key;
            const ConfigNode *scheme = m_refs.follow(entry.value, place);
            if (!scheme) {
                continue;
            }
            if (!scheme->isMap()) {
                m_refs.problem(place, u"expected a security scheme (a map with type)"_s);
                continue;
            }
            if (std::optional<AuthConfig> auth = mapScheme(*scheme, place)) {
                usable.insert(entry.key, *auth);
            }
        }
    }
    const QStringList candidates = requirementNames(m_root, QString()) + m_defined;
    for (const QString &name : candidates) {
        if (usable.contains(name)) {
            return usable.value(name);
        }
    }
    return std::nullopt;
}

void OpenApiSecurityReader::checkRequirements(const ConfigNode &owner, const QString &ownerPlace)
{
    const QStringList names = requirementNames(owner, ownerPlace);
    Q_UNUSED(names)
}

QStringList OpenApiSecurityReader::requirementNames(const ConfigNode &owner,
                                                    const QString &ownerPlace)
{
    const ConfigNode *list = owner.child(u"security");
    const QString place = OpenApiRefResolver::join(ownerPlace, u"security");
    if (!list || list->isNull()) {
        return {};
    }
    if (!list->isSequence()) {
        m_refs.problem(place, u"expected a list of security requirements"_s);
        return {};
    }
    QStringList names;
    for (size_t i = 0; i < list->items().size(); ++i) {
        const ConfigNode &requirement = list->items().at(i);
        const QString at = place + u"[%1]"_s.arg(i);
        if (requirement.isNull()) {
            continue;
        }
        if (!requirement.isMap()) {
            m_refs.problem(at, u"expected a map of scheme names to scope lists"_s);
            continue;
        }
        for (const ConfigNode::Entry &entry : requirement.entries()) {
            if (!m_defined.contains(entry.key)) {
                m_refs.problem(
                    at, u"names no components.securitySchemes entry \"%1\""_s.arg(entry.key));
            } else if (!entry.value.isSequence() && !entry.value.isNull()) {
                m_refs.problem(at + u'.' + entry.key, u"expected a list of scopes"_s);
            } else {
                names.append(entry.key);
            }
        }
    }
    return names;
}

std::optional<AuthConfig> OpenApiSecurityReader::mapScheme(const ConfigNode &scheme,
                                                           const QString &place)
{
    const std::optional<QString> type = m_refs.requiredText(scheme, u"type", place);
    if (!type) {
        return std::nullopt;
    }
    if (*type == u"oauth2") {
        return mapOAuth2(scheme, place);
    }
    if (*type == u"apiKey") {
        const std::optional<QString> name = m_refs.requiredText(scheme, u"name", place);
        const std::optional<QString> in = m_refs.requiredText(scheme, u"in", place);
        if (!name || !in) {
            return std::nullopt;
        }
        if (*in != u"header" && *in != u"query" && *in != u"cookie") {
            m_refs.problem(place + u".in"_s,
                           u"invalid value \"%1\" (expected header, query or cookie)"_s.arg(*in));
            return std::nullopt;
        }
        if (*in != u"header") {
            return std::nullopt;
        }
        AuthConfig auth;
        auth.type = AuthType::Manual;
        auth.authHeader = *name;
        auth.authStyle = u"raw"_s;
        return auth;
    }
    if (*type == u"http") {
        const std::optional<QString> httpScheme = m_refs.requiredText(scheme, u"scheme", place);
        const QString lower = httpScheme.value_or(QString()).toLower();
        if (lower != u"bearer" && lower != u"basic") {
            return std::nullopt;
        }
        AuthConfig auth;
        auth.type = AuthType::Manual;
        if (lower == u"basic") {
            auth.authStyle = u"basic"_s;
        }
        return auth;
    }
    if (*type != u"openIdConnect" && *type != u"mutualTLS") {
        m_refs.problem(place + u".type"_s,
                       u"invalid value \"%1\" (expected apiKey, http, oauth2, openIdConnect or "
                       u"mutualTLS)"_s.arg(*type));
    }
    return std::nullopt;
}

std::optional<AuthConfig> OpenApiSecurityReader::mapOAuth2(const ConfigNode &scheme,
                                                           const QString &place)
{
    const ConfigNode *flows = m_refs.mapAt(scheme, u"flows", place);
    if (!flows) {
        if (!scheme.child(u"flows") || scheme.child(u"flows")->isNull()) {
            m_refs.problem(place + u".flows"_s, u"required"_s);
        }
        return std::nullopt;
    }
    const QString flowsPlace = place + u".flows"_s;
    for (const ConfigNode::Entry &flow : flows->entries()) {
        if (!flow.value.isMap() && !flow.key.startsWith(u"x-"_s)) {
            m_refs.problem(flowsPlace + u'.' + flow.key, u"expected an OAuth flow (a map)"_s);
        }
    }
    const ConfigNode *code = flows->child(u"authorizationCode");
    if (!code || !code->isMap()) {
        return std::nullopt; // implicit, password or clientCredentials only: not usable
    }
    const QString codePlace = flowsPlace + u".authorizationCode"_s;
    const std::optional<QString> authorizationUrl =
        m_refs.requiredText(*code, u"authorizationUrl", codePlace);
    const std::optional<QString> tokenUrl = m_refs.requiredText(*code, u"tokenUrl", codePlace);
    if (!authorizationUrl || !tokenUrl) {
        return std::nullopt;
    }
    AuthConfig auth;
    auth.type = AuthType::OAuth2;
    auth.authorizationUrl = *authorizationUrl;
    auth.tokenUrl = *tokenUrl;
    if (const ConfigNode *scopes = m_refs.mapAt(*code, u"scopes", codePlace)) {
        for (const ConfigNode::Entry &scope : scopes->entries()) {
            auth.scopes.append(scope.key);
        }
    }
    return auth;
}

} // namespace Gestalt
