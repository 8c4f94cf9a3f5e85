// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/AppDecoder.h"

#include "config/Config.h"
#include "config/ConfigErrors.h"
#include "config/ConfigMapReader.h"
#include "config/ConnectionDecoder.h"

#include <QSet>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString readMethod(ConfigMapReader &r, const QString &fallback, const QStringList &allowed)
{
    QString method = r.string(u"method", fallback).toUpper();
    if (!allowed.contains(method)) {
        r.error(u"method",
                u"invalid value \"%1\" (expected one of: %2)"_s.arg(method, allowed.join(u", "_s)));
        return fallback;
    }
    return method;
}

} // namespace

QString AppDecoder::readAppName(ConfigMapReader &r)
{
    const bool hasApp = r.has(u"app");
    const bool hasPlugin = r.has(u"plugin");
    if (hasApp && hasPlugin) {
        r.error(u"plugin", u"set either app or plugin (its older name), not both"_s);
    }
    return hasPlugin && !hasApp ? r.requiredString(u"plugin") : r.requiredString(u"app");
}

AppDecoder::AppDecoder(const Config &context)
    : m_context(context)
{}

AppConfig AppDecoder::read(ConfigMapReader &r) const
{
    AppConfig app;
    app.source = SourceRef::read(r, u"source");
    app.config = r.object(u"config");
    app.displayName = r.string(u"displayName");
    app.description = r.string(u"description");
    app.iconFile = r.string(u"iconFile");
    readReferences(r, app);
    bool refusedSurface = false;
    if (r.has(u"surfaces")) {
        ConfigMapReader surfaces = r.map(u"surfaces");
        app.surfaces = readSurfaces(surfaces, app.source.isSet());
        refusedSurface = surfaces.has(u"graphql");
    }
    if (!app.source.isSet() && app.surfaces.isEmpty() && !refusedSurface && r.isMap()) {
        r.errorHere(u"needs a source or at least one surface (openapi, rest, mcp, graphql)"_s);
    }
    for (const ConfigMapReader::Child &child : r.entries(u"connections")) {
        ConfigMapReader binding(child, r.errors());
        app.connections.insert(child.name,
                               ConnectionDecoder::readBinding(binding, m_context.connections));
    }
    app.defaultConnection = r.string(u"defaultConnection");
    if (r.has(u"allowedOperations")) {
        QMap<QString, AllowedOperation> allowed;
        for (const ConfigMapReader::Child &child : r.entries(u"allowedOperations")) {
            ConfigMapReader op(child, r.errors());
            AllowedOperation entry;
            entry.alias = op.string(u"alias");
            entry.description = op.string(u"description");
            entry.allowedRoles = op.stringList(u"allowedRoles");
            entry.tags = op.stringList(u"tags");
            entry.approval =
                op.choice(u"approval",
                          {{u"required", ApprovalRule::Required}, {u"never", ApprovalRule::Never}},
                          ApprovalRule::Default);
            for (const QStringView key : {QStringView(u"paginate"), QStringView(u"pagination")}) {
                (void)op.refused(key, ConfigMapReader::notSupportedYet(u"REST pagination"_s));
            }
            allowed.insert(child.name, entry);
        }
        app.allowedOperations = allowed;
    }
    readExtras(r, app);
    return app;
}

void AppDecoder::readReferences(ConfigMapReader &r, AppConfig &app) const
{
    app.authorizationPolicy = r.string(u"authorizationPolicy");
    if (!app.authorizationPolicy.isEmpty()
        && !m_context.authorization.policies.contains(app.authorizationPolicy)) {
        r.error(u"authorizationPolicy",
                u"names no authorization.policies entry \"%1\""_s.arg(app.authorizationPolicy));
    }
    if (r.has(u"auth")) {
        ConfigMapReader auth = r.map(u"auth");
        app.authProvider = auth.string(u"provider");
        (void)auth.refused(u"type",
                           u"upstream auth in the older manifest shape; route auth is "
                           u"auth.provider, upstream auth is connections.<name>.auth.type"_s);
        if (!app.authProvider.isEmpty() && app.authProvider != u"server"
            && !m_context.providers.authentication.contains(app.authProvider)) {
            auth.error(u"provider",
                       u"must be \"server\" or a providers.authentication entry, not \"%1\""_s.arg(
                           app.authProvider));
        }
    }
    (void)r.refused(u"ui", ConfigMapReader::notSupportedYet(u"mounted UIs"_s));
}

AppSurfaces AppDecoder::readSurfaces(ConfigMapReader &r, bool overridesManifest)
{
    AppSurfaces surfaces;
    if (r.has(u"openapi")) {
        // With a source, the entry overrides what the manifest declares (Go: host-side
        // overrides such as surfaces.openapi.baseUrl); the catalog refuses a document that is
        // still missing once the manifest is merged.
        ConfigMapReader s = r.map(u"openapi");
        surfaces.openapi = OpenApiSurface{overridesManifest ? s.string(u"document")
                                                            : s.requiredString(u"document"),
                                          s.string(u"baseUrl"),
                                          s.string(u"connection")};
    }
    if (r.has(u"rest")) {
        ConfigMapReader s = r.map(u"rest");
        surfaces.rest = readRest(s);
    }
    if (r.has(u"mcp")) {
        ConfigMapReader s = r.map(u"mcp");
        surfaces.mcp = readMcp(s);
    }
    (void)r.refused(u"graphql", ConfigMapReader::notSupportedYet(u"GraphQL surfaces"_s));
    return surfaces;
}

RestSurface AppDecoder::readRest(ConfigMapReader &r)
{
    RestSurface rest;
    rest.baseUrl = r.requiredString(u"baseUrl");
    rest.connection = r.string(u"connection");
    QSet<QString> names;
    for (const ConfigMapReader::Child &child : r.items(u"operations")) {
        ConfigMapReader op(child, r.errors());
        RestOperation operation = readOperation(op);
        if (!operation.name.isEmpty() && names.contains(operation.name)) {
            op.error(u"name", u"duplicate operation \"%1\""_s.arg(operation.name));
        }
        names.insert(operation.name);
        rest.operations.append(operation);
    }
    return rest;
}

RestOperation AppDecoder::readOperation(ConfigMapReader &op)
{
    RestOperation operation;
    operation.name = op.requiredString(u"name");
    operation.description = op.string(u"description");
    operation.method = readMethod(
        op, operation.method, {u"GET"_s, u"POST"_s, u"PUT"_s, u"PATCH"_s, u"DELETE"_s, u"HEAD"_s});
    operation.path = op.requiredString(u"path");
    operation.connection = op.string(u"connection");
    operation.allowedRoles = op.stringList(u"allowedRoles");
    operation.tags = op.stringList(u"tags");
    (void)op.refused(u"connectionSelector",
                     ConfigMapReader::notSupportedYet(u"per-call connection selectors"_s));
    for (const ConfigMapReader::Child &child : op.items(u"parameters")) {
        ConfigMapReader p(child, op.errors());
        RestParameter parameter;
        parameter.name = p.requiredString(u"name");
        parameter.type = p.string(u"type");
        parameter.in = p.string(u"in");
        if (!parameter.in.isEmpty()
            && !QStringList{u"query"_s, u"header"_s, u"path"_s, u"body"_s}.contains(parameter.in)) {
            p.error(u"in",
                    u"invalid value \"%1\" (expected one of: query, header, path, body)"_s.arg(
                        parameter.in));
        }
        parameter.description = p.string(u"description");
        parameter.required = p.boolean(u"required", false);
        parameter.internal = p.boolean(u"internal", false);
        parameter.defaultValue = p.value(u"default");
        operation.parameters.append(parameter);
    }
    return operation;
}

McpSurface AppDecoder::readMcp(ConfigMapReader &r)
{
    McpSurface mcp;
    mcp.url = r.string(u"url");
    mcp.command = r.stringList(u"command", {}, true);
    mcp.args = r.stringList(u"args");
    mcp.env = r.stringMap(u"env");
    for (auto it = mcp.env.cbegin(); it != mcp.env.cend(); ++it) {
        if (it.key().startsWith(u"GESTALT_"_s, Qt::CaseInsensitive)) {
            r.error(u"env",
                    u"\"%1\": names starting with GESTALT_ belong to gestaltd and never reach a "
                    u"hosted process"_s.arg(it.key().left(64)));
        }
    }
    mcp.workingDir = r.string(u"workingDir");
    mcp.connection = r.string(u"connection");
    if (r.has(u"toolPrefix")) {
        mcp.toolPrefix = r.string(u"toolPrefix");
    }
    if (mcp.url.isEmpty() == mcp.command.isEmpty() && r.isMap()) {
        r.errorHere(u"set exactly one of url (remote server) or command (local process)"_s);
    }
    return mcp;
}

SecurityScheme AppDecoder::readSecurityScheme(ConfigMapReader &r, bool overridesManifest)
{
    SecurityScheme scheme;
    scheme.type = r.string(u"type");
    // An override of a manifest's scheme may leave the type to the manifest (an empty type
    // verifies nothing: BindingVerifier refuses every request).
    const bool typeFromManifest = overridesManifest && !r.has(u"type");
    if (!typeFromManifest
        && !QStringList{u"hmac"_s, u"apiKey"_s, u"http"_s, u"none"_s}.contains(scheme.type)) {
        if (r.has(u"type")) {
            r.error(u"type",
                    u"invalid value \"%1\" (expected one of: hmac, apiKey, http, none)"_s.arg(
                        scheme.type));
        } else {
            r.errorHere(u"type is required (hmac, apiKey, http or none)"_s);
        }
    }
    if (r.has(u"secret")) {
        ConfigMapReader secret = r.map(u"secret");
        scheme.secretEnv = secret.string(u"env");
        scheme.secretValue = secret.string(u"secret");
        if (scheme.secretEnv.isEmpty() == scheme.secretValue.isEmpty()) {
            secret.errorHere(u"set exactly one of env or secret"_s);
        }
    }
    r.ignored(u"description", u"descriptive only; this gestaltd shows it nowhere"_s);
    scheme.signatureHeader = r.string(u"signatureHeader");
    scheme.signaturePrefix = r.string(u"signaturePrefix");
    scheme.payloadTemplate = r.string(u"payloadTemplate");
    scheme.timestampHeader = r.string(u"timestampHeader");
    scheme.maxAgeSeconds = static_cast<int>(r.integer(u"maxAgeSeconds", 0, 0, qint64(86400) * 365));
    scheme.name = r.string(u"name");
    scheme.in = r.string(u"in");
    scheme.scheme = r.string(u"scheme");
    return scheme;
}

HttpBinding AppDecoder::readHttpBinding(ConfigMapReader &r)
{
    HttpBinding binding;
    binding.path = r.requiredString(u"path");
    if (!binding.path.isEmpty() && !binding.path.startsWith(u'/')) {
        r.error(u"path", u"must start with /"_s);
    }
    binding.method =
        readMethod(r, binding.method, {u"GET"_s, u"POST"_s, u"PUT"_s, u"PATCH"_s, u"DELETE"_s});
    binding.credentialMode = r.string(u"credentialMode");
    binding.security = r.string(u"security");
    binding.target = r.string(u"target");
    if (r.has(u"requestBody")) {
        ConfigMapReader body = r.map(u"requestBody");
        binding.requestBody =
            HttpRequestBody{body.boolean(u"required", false), body.object(u"content")};
    }
    if (r.has(u"ack")) {
        ConfigMapReader ack = r.map(u"ack");
        HttpAck httpAck;
        httpAck.status = static_cast<int>(ack.integer(u"status", 200, 100, 599));
        httpAck.headers = ack.stringMap(u"headers");
        httpAck.body = ack.value(u"body");
        binding.ack = httpAck;
    }
    return binding;
}

void AppDecoder::readExtras(ConfigMapReader &r, AppConfig &app)
{
    for (const ConfigMapReader::Child &child : r.items(u"invokes")) {
        ConfigMapReader invoke(child, r.errors());
        AppInvoke entry;
        entry.app = readAppName(invoke);
        entry.operations = invoke.stringList(u"operations");
        entry.surface = invoke.string(u"surface");
        entry.credentialMode = invoke.string(u"credentialMode");
        app.invokes.append(entry);
    }
    for (const ConfigMapReader::Child &child : r.entries(u"securitySchemes")) {
        ConfigMapReader scheme(child, r.errors());
        app.securitySchemes.insert(child.name, readSecurityScheme(scheme, app.source.isSet()));
    }
    for (const ConfigMapReader::Child &child : r.entries(u"http")) {
        ConfigMapReader binding(child, r.errors());
        app.http.insert(child.name, readHttpBinding(binding));
    }
    app.mcp = r.boolean(u"mcp", false);
    app.headers = r.stringMap(u"headers");
    if (r.has(u"egress")) {
        ConfigMapReader egress = r.map(u"egress");
        app.egress.allowedHosts = egress.stringList(u"allowedHosts");
    }
    app.env = r.stringMap(u"env");
    app.timeout = r.duration(u"timeout", app.timeout);
    app.approval = r.choice(u"approval",
                            {{u"never", ApprovalRule::Never},
                             {u"writes", ApprovalRule::Writes},
                             {u"always", ApprovalRule::Required}},
                            app.approval);
    app.runtime = r.object(u"runtime");
    readExecutableOnly(r);
}

void AppDecoder::readExecutableOnly(ConfigMapReader &r)
{
    for (const QStringView key :
         {QStringView(u"cache"), QStringView(u"s3"), QStringView(u"indexeddb")}) {
        (void)r.refused(key,
                        u"storage bindings serve executable plugins; this gestaltd runs "
                        u"declarative apps only"_s);
    }
    (void)r.refused(u"dev",
                    u"remote provider-dev attach serves executable plugins; this gestaltd runs "
                    u"declarative apps only"_s);
    for (const QStringView key : {QStringView(u"pagination"),
                                  QStringView(u"responseMapping"),
                                  QStringView(u"managedParameters")}) {
        (void)r.refused(key,
                        ConfigMapReader::notSupportedYet(u"REST pagination, response "
                                                         u"mapping and managed parameters"_s));
    }
    r.ignored(u"configSchemaPath",
              u"a schema for an executable plugin's config; a declarative app's config reaches "
              u"no process"_s);
    r.ignored(u"requires",
              u"orders the start of executable providers; declarative apps start with gestaltd"_s);
}

} // namespace Gestalt
