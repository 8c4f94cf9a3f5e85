// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "metrics/ServerMetrics.h"

#include "metrics/MetricsRegistry.h"
#include "shared/Version.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QStringList httpLabelNames()
{
    return {u"http_request_method"_s, u"http_route"_s, u"http_response_status_code"_s};
}

QStringList operationLabelNames()
{
    return {u"gestalt_provider"_s,
            u"gestalt_operation"_s,
            u"gestalt_transport"_s,
            u"gestalt_connection_mode"_s,
            u"gestalt_invocation_surface"_s,
            u"gestalt_http_binding"_s,
            u"gestalt_result_status"_s,
            u"gestalt_result_status_class"_s};
}

// Bounded cardinality for a label taken from the request line.
QString normalizedMethod(const QString &method)
{
    static const QStringList known = {u"CONNECT"_s,
                                      u"DELETE"_s,
                                      u"GET"_s,
                                      u"HEAD"_s,
                                      u"OPTIONS"_s,
                                      u"PATCH"_s,
                                      u"POST"_s,
                                      u"PUT"_s,
                                      u"TRACE"_s};
    return known.contains(method) ? method : u"_OTHER"_s;
}

} // namespace

ServerMetrics::ServerMetrics(MetricsRegistry &registry)
    : ServerMetrics(registry, version())
{}

ServerMetrics::ServerMetrics(MetricsRegistry &registry, const QString &serviceVersion)
    : m_httpRequestDuration(registry.histogram(u"http_server_request_duration_seconds"_s,
                                               u"Duration of HTTP server requests."_s,
                                               httpLabelNames(),
                                               MetricsRegistry::secondsBuckets()))
    , m_httpRequestBodySize(registry.histogram(u"http_server_request_body_size_bytes"_s,
                                               u"Size of HTTP server request bodies."_s,
                                               httpLabelNames(),
                                               MetricsRegistry::byteSizeBuckets()))
    , m_httpResponseBodySize(registry.histogram(u"http_server_response_body_size_bytes"_s,
                                                u"Size of HTTP server response bodies."_s,
                                                httpLabelNames(),
                                                MetricsRegistry::byteSizeBuckets()))
    , m_operationCount(registry.counter(u"gestaltd_operation_count_total"_s,
                                        u"Number of app operations invoked through gestaltd."_s,
                                        operationLabelNames()))
    , m_operationErrorCount(registry.counter(u"gestaltd_operation_error_count_total"_s,
                                             u"Number of app operations that failed."_s,
                                             operationLabelNames()))
    , m_operationDuration(registry.histogram(u"gestaltd_operation_duration_seconds"_s,
                                             u"Duration of app operations."_s,
                                             operationLabelNames(),
                                             MetricsRegistry::secondsBuckets()))
    , m_targetInfo(registry.gauge(
          u"target_info"_s, u"Target metadata."_s, {u"service_name"_s, u"service_version"_s}))
{
    m_targetInfo.labels({u"gestaltd"_s, serviceVersion}).set(1);
}

void ServerMetrics::recordHttpRequest(const QString &method,
                                      const QString &route,
                                      int status,
                                      double seconds,
                                      qint64 requestBytes,
                                      qint64 responseBytes)
{
    const QStringList values = {normalizedMethod(method), route, QString::number(status)};
    m_httpRequestDuration.labels(values).observe(seconds);
    if (requestBytes >= 0) {
        m_httpRequestBodySize.labels(values).observe(static_cast<double>(requestBytes));
    }
    if (responseBytes >= 0) {
        m_httpResponseBodySize.labels(values).observe(static_cast<double>(responseBytes));
    }
}

void ServerMetrics::recordOperation(const OperationLabels &labels, double seconds, bool failed)
{
    const QStringList values = {labels.provider,
                                labels.operation,
                                labels.transport,
                                labels.connectionMode,
                                labels.invocationSurface,
                                labels.httpBinding,
                                labels.resultStatus,
                                labels.resultStatusClass};
    m_operationCount.labels(values).inc();
    m_operationDuration.labels(values).observe(seconds);
    if (failed) {
        m_operationErrorCount.labels(values).inc();
    }
}

} // namespace Gestalt
