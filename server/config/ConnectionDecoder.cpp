// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/ConnectionDecoder.h"

#include "config/ConfigErrors.h"
#include "config/ConfigMapReader.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

ConnectionConfig ConnectionDecoder::readTopLevel(ConfigMapReader &reader)
{
    ConnectionConfig connection;
    for (const QStringView key : {QStringView(u"ref"), QStringView(u"exposure")}) {
        if (reader.has(key)) {
            reader.error(key,
                         u"only app connection bindings (apps.<app>.connections.<name>) may set "_s
                             + key);
        }
    }
    readPresentation(reader, connection);
    readDefinition(reader, connection);
    return connection;
}

AppConnectionBinding ConnectionDecoder::readBinding(ConfigMapReader &reader,
                                                    const QMap<QString, ConnectionConfig> &topLevel)
{
    AppConnectionBinding binding;
    binding.ref = reader.string(u"ref");
    binding.exposure = reader.choice(
        u"exposure",
        {{u"user", ConnectionExposure::User}, {u"internal", ConnectionExposure::Internal}},
        ConnectionExposure::User);
    readPresentation(reader, binding.connection);
    if (!reader.has(u"ref")) {
        readDefinition(reader, binding.connection);
        return binding;
    }
    if (binding.ref.isEmpty()) {
        reader.error(u"ref", u"must not be empty"_s);
    } else if (!topLevel.contains(binding.ref)) {
        QString message = u"names no top-level connection \"%1\""_s.arg(binding.ref);
        const QString closest = ConfigMapReader::suggestion(binding.ref, topLevel.keys());
        if (!closest.isEmpty()) {
            message += u" (did you mean \"%1\"?)"_s.arg(closest);
        }
        reader.error(u"ref", message);
    }
    for (const QStringView key : {QStringView(u"mode"),
                                  QStringView(u"auth"),
                                  QStringView(u"params"),
                                  QStringView(u"discovery")}) {
        if (reader.has(key)) {
            reader.error(key,
                         u"cannot be set on a binding with ref; set it on connections.%1"_s.arg(
                             binding.ref));
        }
    }
    return binding;
}

void ConnectionDecoder::readPresentation(ConfigMapReader &reader, ConnectionConfig &connection)
{
    connection.displayName = reader.string(u"displayName");
    if (reader.has(u"credentialRefresh")) {
        ConfigMapReader refresh = reader.map(u"credentialRefresh");
        CredentialRefreshConfig config;
        config.refreshInterval = refresh.optionalDuration(u"refreshInterval");
        config.refreshBeforeExpiry = refresh.optionalDuration(u"refreshBeforeExpiry");
        connection.credentialRefresh = config;
    }
}

void ConnectionDecoder::readDefinition(ConfigMapReader &reader, ConnectionConfig &connection)
{
    connection.mode = reader.choice(u"mode",
                                    {{u"none", ConnectionMode::None},
                                     {u"user", ConnectionMode::User},
                                     {u"platform", ConnectionMode::Platform}},
                                    ConnectionMode::Unspecified);
    if (reader.has(u"auth")) {
        ConfigMapReader auth = reader.map(u"auth");
        connection.auth = readAuth(auth);
    }
    for (const ConfigMapReader::Child &child : reader.entries(u"params")) {
        ConnectionParam param;
        if (child.node->isScalar()) {
            // Go's static form: `params: {baseUrl: https://...}` is the param's value.
            param.defaultValue = child.node->text();
            connection.params.insert(child.name, param);
            continue;
        }
        ConfigMapReader p(child, reader.errors());
        param.required = p.boolean(u"required", false);
        param.description = p.string(u"description");
        param.defaultValue = p.string(u"default");
        param.field = p.string(u"field");
        const QString from = p.string(u"from");
        if (from == u"discovery") {
            param.from = ConnectionParam::From::Discovery;
        } else if (from == u"token_response") {
            param.from = ConnectionParam::From::TokenResponse;
        } else if (!from.isEmpty()) {
            p.error(
                u"from",
                u"invalid value \"%1\" (expected one of: \"\", discovery, token_response)"_s.arg(
                    from));
        }
        connection.params.insert(child.name, param);
    }
    if (reader.has(u"discovery")) {
        ConfigMapReader d = reader.map(u"discovery");
        DiscoveryConfig discovery;
        discovery.url = d.requiredString(u"url");
        discovery.itemsPath = d.string(u"itemsPath");
        discovery.idPath = d.string(u"idPath");
        discovery.namePath = d.string(u"namePath");
        discovery.metadata = d.stringMap(u"metadata");
        connection.discovery = discovery;
    }
}

AuthConfig ConnectionDecoder::readAuth(ConfigMapReader &r)
{
    AuthConfig auth;
    auth.type = r.choice(u"type",
                         {{u"oauth2", AuthType::OAuth2},
                          {u"mcp_oauth", AuthType::McpOAuth},
                          {u"bearer", AuthType::Bearer},
                          {u"manual", AuthType::Manual},
                          {u"none", AuthType::None}},
                         AuthType::OAuth2);
    auth.grantType = r.string(u"grantType");
    auth.refreshToken = r.string(u"refreshToken");
    auth.authorizationUrl = r.string(u"authorizationUrl");
    auth.tokenUrl = r.string(u"tokenUrl");
    auth.clientId = r.string(u"clientId");
    auth.clientSecret = r.string(u"clientSecret");
    auth.redirectUrl = r.string(u"redirectUrl");
    auth.clientAuth = r.choice(u"clientAuth",
                               {{u"body", ClientAuth::Body}, {u"header", ClientAuth::Header}},
                               ClientAuth::Body);
    auth.tokenExchange = r.choice(u"tokenExchange",
                                  {{u"form", TokenExchange::Form}, {u"json", TokenExchange::Json}},
                                  TokenExchange::Form);
    auth.scopes = r.stringList(u"scopes");
    auth.scopeParam = r.string(u"scopeParam", auth.scopeParam);
    auth.scopeSeparator = r.string(u"scopeSeparator", auth.scopeSeparator);
    auth.pkce = r.boolean(u"pkce", false);
    auth.authorizationParams = r.stringMap(u"authorizationParams");
    auth.tokenParams = r.stringMap(u"tokenParams");
    auth.refreshParams = r.stringMap(u"refreshParams");
    auth.acceptHeader = r.string(u"acceptHeader");
    auth.accessTokenPath = r.string(u"accessTokenPath");
    auth.tokenMetadata = r.stringList(u"tokenMetadata");
    for (const ConfigMapReader::Child &child : r.items(u"credentials")) {
        ConfigMapReader c(child, r.errors());
        CredentialField field;
        field.name = auth.type == AuthType::Manual ? c.requiredString(u"name") : c.string(u"name");
        field.label = c.string(u"label");
        field.description = c.string(u"description");
        field.helpUrl = c.string(u"helpUrl");
        auth.credentials.append(field);
    }
    if (r.has(u"authMapping")) {
        ConfigMapReader mapping = r.map(u"authMapping");
        auth.authMapping = readAuthMapping(mapping);
    }
    auth.authHeader = r.string(u"authHeader");
    auth.tokenPrefix = r.string(u"tokenPrefix");
    auth.authStyle = r.string(u"authStyle");
    return auth;
}

AuthMapping ConnectionDecoder::readAuthMapping(ConfigMapReader &r)
{
    AuthMapping mapping;
    if (r.has(u"headers")) {
        ConfigMapReader headers = r.map(u"headers");
        headers.keysAreNames();
        for (const ConfigMapReader::Child &child : r.entries(u"headers")) {
            mapping.headers.insert(child.name, readMappedValue(headers, child.name));
        }
    }
    if (r.has(u"basic")) {
        ConfigMapReader basic = r.map(u"basic");
        mapping.basic = BasicAuthMapping{readMappedValue(basic, u"username"),
                                         readMappedValue(basic, u"password")};
    }
    return mapping;
}

MappedValue ConnectionDecoder::readMappedValue(ConfigMapReader &parent, QStringView key)
{
    MappedValue value;
    const ConfigNode *node = parent.take(key);
    if (!node) {
        return value;
    }
    if (node->isScalar()) {
        value.value = node->text();
        return value;
    }
    ConfigMapReader r = ConfigMapReader::nested(parent, node, key);
    const bool hasValue = r.has(u"value");
    value.value = r.string(u"value");
    if (r.has(u"valueFrom")) {
        ConfigMapReader from = r.map(u"valueFrom");
        ConfigMapReader ref = from.map(u"credentialFieldRef");
        value.credentialField = ref.requiredString(u"name");
        if (hasValue) {
            r.errorHere(u"set either value or valueFrom, not both"_s);
        }
    } else if (!hasValue && r.isMap()) {
        r.errorHere(u"needs value or valueFrom.credentialFieldRef.name"_s);
    }
    return value;
}

} // namespace Gestalt
