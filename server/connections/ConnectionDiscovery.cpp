// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "connections/ConnectionDiscovery.h"

#include "catalog/AppConnections.h"
#include "httpclient/UpstreamClient.h"
#include "shared/JsonPath.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

Error setupFailed(const QString &app)
{
    return {ErrorCode::BadGateway, u"connection setup failed for integration \"%1\""_s.arg(app)};
}

QJsonObject candidate(const DiscoveryConfig &discovery, const QJsonValue &item, const QString &id)
{
    const QString name = ConnectTarget::scalarText(
        jsonPathValue(item, discovery.namePath.isEmpty() ? u"name"_s : discovery.namePath));
    QJsonObject metadata;
    for (auto it = discovery.metadata.constBegin(); it != discovery.metadata.constEnd(); ++it) {
        const QString value = ConnectTarget::metadataValue(jsonPathValue(item, it.value()));
        if (!value.isEmpty()) {
            metadata.insert(it.key(), value);
        }
    }
    return {{u"id"_s, id}, {u"name"_s, name.isEmpty() ? id : name}, {u"metadata"_s, metadata}};
}

} // namespace

ConnectionDiscovery::ConnectionDiscovery(UpstreamClient &upstream)
    : m_upstream(upstream)
{}

QJsonArray ConnectionDiscovery::candidates(const DiscoveryConfig &discovery,
                                           const QJsonValue &document)
{
    const QJsonValue items =
        discovery.itemsPath.isEmpty() ? document : jsonPathValue(document, discovery.itemsPath);
    const QJsonArray list = items.toArray();
    QJsonArray found;
    for (const auto &item : list) {
        const QString id = ConnectTarget::scalarText(
            jsonPathValue(item, discovery.idPath.isEmpty() ? u"id"_s : discovery.idPath));
        if (!id.isEmpty()) {
            found.append(candidate(discovery, item, id));
        }
    }
    return found;
}

void ConnectionDiscovery::discover(const ConnectTarget &target,
                                   const StoredCredential &credential,
                                   Callback callback)
{
    const DiscoveryConfig &discovery = *target.connection->config.discovery;
    UpstreamRequest request;
    request.method = u"GET"_s;
    request.url = QUrl(AppConnections::interpolate(discovery.url, target.params));
    request.headers.append({"Authorization"_ba, "Bearer "_ba + credential.accessToken.toUtf8()});
    request.headers.append({"Accept"_ba, "application/json"_ba});
    UpstreamOptions options;
    options.timeout = std::chrono::seconds(TimeoutSeconds);
    options.egress = target.app->egress;
    std::shared_ptr<UpstreamCall> call =
        m_upstream.send(request,
                        options,
                        [app = target.app->name, discovery, callback = std::move(callback)](
                            Result<UpstreamResponse> response) {
                            if (!response || response->status != 200) {
                                callback(setupFailed(app));
                                return;
                            }
                            QJsonArray found =
                                candidates(discovery, parseJsonValue(response->body));
                            if (found.isEmpty()) {
                                callback(setupFailed(app));
                                return;
                            }
                            callback(std::move(found));
                        });
    Q_UNUSED(call)
}

} // namespace Gestalt
